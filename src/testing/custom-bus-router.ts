import { createHash } from 'crypto';
import { Stack } from 'aws-cdk-lib';
import { RouterDeadLetterQueue, RouterEventBus, RouterRetryPolicy } from './event-router';
import { busByResource, busNamed, routerEventBus } from './private/app-bus';
import { evaluateJsonataBounded } from './private/bounded-jsonata';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, agnosticWarnings, readCdkStacks, templateStack } from './private/cdk-stacks';
import { RawStack, readCloudAssembly } from './private/cloud-assembly';
import {
  CustomBusStack, ModelCustomBus, ModelSubscriber, customBusKey, parseCustomBusArn, readCustomBusModel,
} from './private/custom-bus-model';
import {
  fillEnvelope, isPutEventsEntry, isoTime, nowIso, parseEventObject, putEventsEntryFields, uuidFrom,
} from './private/event-input';
import { RetryModel } from './private/retry-model';
import { DeliveryOutcome } from './simulation';
import { compileJsonata, delimitedExpression } from '../private/jsonata-text';
import { compileFilter } from '../private/subscriber-filter-rules';

/**
 * The deduplication window of the Custom Event Bus: a copy that arrives within 300 seconds after the entry it repeats
 * is suppressed. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-ordering.html
 */
const DEDUPLICATION_WINDOW_SECONDS = 300;
/** The ingestion time of simulated events that do not say (the Classic simulation's default too). */
const DEFAULT_INGESTION_TIME = '2024-01-01T00:00:00Z';
/** `PutRawEvents` / `PutEvents` limits: https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_PutRawEventsRequestEntry.html */
const MAX_METADATA_ENTRIES = 100;
const MAX_METADATA_KEY = 128;
const MAX_SYSTEM_ID = 128;
/** https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_PutEventsRequestEntry.html */
const MAX_SOURCE = 256;
const MAX_DETAIL_TYPE = 128;

/**
 * Where the router places stacks that do not say (environment-agnostic stacks), and the partition of ARNs: the same
 * options as `EventRouterOptions`.
 */
export interface CustomBusRouterOptions {
  /**
   * The account of environment-agnostic stacks (and of templates that do not say). Stacks with an explicit `env`
   * keep their own account; a warning lists the stacks placed with this default.
   *
   * @default '123456789012'
   */
  readonly account?: string;

  /**
   * The region of environment-agnostic stacks (and of templates that do not say).
   *
   * @default 'us-east-1'
   */
  readonly region?: string;

  /**
   * The partition used in ARNs.
   *
   * @default 'aws'
   */
  readonly partition?: string;

  /**
   * The stack name, for `fromTemplate`.
   *
   * @default 'Stack'
   */
  readonly stackName?: string;
}

/**
 * A template to read, for `CustomBusRouter.fromTemplates`.
 */
export interface CustomBusTemplate {
  /** The stack name. */
  readonly stackName: string;
  /**
   * A unique id of the stack in the app (its construct path, such as `Dev/Platform`).
   *
   * @default - the stack name
   */
  readonly stackId?: string;
  /** The CloudFormation template (a JSON object). */
  readonly template: any;
  /**
   * The stack's account.
   *
   * @default - the router's account
   */
  readonly account?: string;
  /**
   * The stack's region.
   *
   * @default - the router's region
   */
  readonly region?: string;
}

/**
 * An event published to a Custom Event Bus, as the bus stores it: `Data`, `Metadata` and the publisher's part of
 * `SystemMetadata`. Build `PutEvents` entries with `CustomBusEvents.putEvents()`.
 */
export interface CustomBusEvent {
  /**
   * The data: for `PutRawEvents`, the payload (a JSON value, or a Base64 string for `application/octet-stream`); for
   * `PutEvents`, the EventBridge envelope.
   */
  readonly data: any;

  /**
   * The producer's metadata keys (`PutRawEvents` only).
   *
   * @default - none
   */
  readonly metadata?: { [key: string]: string };

  /**
   * `SystemMetadata.ContentType`.
   *
   * @default 'application/json'
   */
  readonly contentType?: string;

  /**
   * `SystemMetadata.EventGroupId`: FIFO subscribers deliver a group in publish order.
   *
   * @default - no group
   */
  readonly eventGroupId?: string;

  /**
   * `SystemMetadata.DeduplicationId`: a copy published within 5 minutes is suppressed.
   *
   * @default - no deduplication (unless `contentBasedDeduplication`)
   */
  readonly deduplicationId?: string;

  /**
   * Whether the publish request set `DeduplicationType: CONTENT_BASED` (a hash of the content is the key).
   *
   * @default false
   */
  readonly contentBasedDeduplication?: boolean;

  /**
   * The publishing account (event groups and deduplication keys belong to it).
   *
   * @default - the account of the bus
   */
  readonly account?: string;

  /**
   * When the event arrived at the bus (ISO 8601): `aws:IngestionTime`, the time the deduplication window and FIFO
   * order are measured by. It is not the event's own `time`.
   *
   * @default - the `ingestionTime` option; in `route()`, else the envelope's `time`, else the current time; in
   * `simulate()`, else '2024-01-01T00:00:00Z'
   */
  readonly ingestionTime?: string;

  /**
   * `SystemMetadata."aws:EventId"`.
   *
   * @default - derived from the event's content and position
   */
  readonly eventId?: string;

  /**
   * `SystemMetadata` fields that only EventBridge writes (`aws:Source`, `aws:DetailType`). Set by `putEvents()`.
   *
   * @default - none
   */
  readonly serviceSystemMetadata?: { [key: string]: string };
}

/**
 * A `PutEvents` entry for a Custom Event Bus.
 */
export interface CustomBusPutEventsEntry {
  /** `Source`. */
  readonly source: string;
  /** `DetailType`. */
  readonly detailType: string;
  /** `Detail`, as a JSON object. */
  readonly detail: any;
  /**
   * `Resources`.
   *
   * @default []
   */
  readonly resources?: string[];
  /**
   * `Time` (ISO 8601): the envelope's `time`. It is not when the event arrived (`ingestionTime`), except that
   * `route()` takes it as the ingestion time when nothing else says, as the Classic router does.
   *
   * @default - the ingestion time
   */
  readonly time?: string;
  /**
   * `SystemMetadata.EventGroupId`.
   *
   * @default - no group
   */
  readonly eventGroupId?: string;
  /**
   * `SystemMetadata.DeduplicationId`.
   *
   * @default - none
   */
  readonly deduplicationId?: string;
  /**
   * The publishing account.
   *
   * @default - the account of the bus the event is routed on
   */
  readonly account?: string;
  /**
   * When the event arrived at the bus (ISO 8601).
   *
   * @default - see `CustomBusEvent.ingestionTime`
   */
  readonly ingestionTime?: string;
  /**
   * The event id in the envelope and `aws:EventId`.
   *
   * @default - derived from the content
   */
  readonly id?: string;
}

/**
 * Builders of {@link CustomBusEvent}s.
 */
export class CustomBusEvents {
  /**
   * An event published with `PutEvents`: `Data` is the EventBridge envelope (`version`, `id`, `detail-type`,
   * `source`, `account`, `time`, `region`, `resources`, `detail`), `ContentType` is `application/eventbridge+json`
   * and `SystemMetadata` carries `aws:Source` and `aws:DetailType`. The router fills in the envelope's `account`,
   * `region` and `time` when they are not given, from the bus the event is routed on and the ingestion time, as
   * EventBridge does (the routers accept plain events and `PutEvents` entries too).
   *
   * @param entry the entry
   * @param region the region in the envelope
   * @default region - the region of the bus the event is routed on
   */
  public static putEvents(entry: CustomBusPutEventsEntry, region?: string): CustomBusEvent {
    const id = entry.id ?? uuidFrom(JSON.stringify([entry.source, entry.detailType, entry.detail, entry.time ?? null]));
    const data: any = { 'version': '0', id, 'detail-type': entry.detailType, 'source': entry.source };
    if (entry.account !== undefined) {
      data.account = entry.account;
    }
    if (entry.time !== undefined) {
      data.time = entry.time;
    }
    if (region !== undefined) {
      data.region = region;
    }
    data.resources = entry.resources ?? [];
    data.detail = entry.detail;
    return {
      data,
      contentType: 'application/eventbridge+json',
      eventGroupId: entry.eventGroupId,
      deduplicationId: entry.deduplicationId,
      account: entry.account,
      ingestionTime: entry.ingestionTime,
      eventId: id,
      serviceSystemMetadata: { 'aws:Source': entry.source, 'aws:DetailType': entry.detailType },
    };
  }

  private constructor() {}
}

/**
 * A subscriber as the router sees it.
 */
export interface RouterSubscriber {
  /** The logical ID of the `AWS::EventsV2::Subscriber`. */
  readonly logicalId: string;
  /** The stack. */
  readonly stackName: string;
  /** The stack's construct path, unique in the app (`Dev/Commerce`); the stack name for templates. */
  readonly stackId: string;
  /** The construct path of the subscriber (`aws:cdk:path` metadata, or `<stack>/<logicalId>`). */
  readonly path: string;
  /** The subscriber name (the logical ID when it is not a literal). */
  readonly name: string;
  /** The subscriber ARN (with the logical ID standing in for the service-generated id). */
  readonly arn: string;
  /** The bus name. */
  readonly eventBusName: string;
  /** The bus ARN. */
  readonly eventBusArn: string;
  /** `FIFO` or `UNORDERED`. */
  readonly ordering: string;
  /** Whether it is `RUNNING` (a `STOPPED` subscriber routes nothing here). */
  readonly enabled: boolean;
  /** `RUNNING` or `STOPPED`. */
  readonly state: string;
  /** `RAW`, `WITH_METADATA` or `JSONATA`. */
  readonly transformerType: string;
  /**
   * The JSONata expression, with its `{% %}` delimiters.
   *
   * @default - not JSONATA
   */
  readonly expression?: string;
  /** The target ARN (unresolved parts as `${Ref:X}` / `${GetAtt:X.Arn}`). */
  readonly targetArn: string;
  /**
   * The logical ID of the target, when it is in the template.
   *
   * @default - an external target
   */
  readonly targetLogicalId?: string;
  /** The CloudFormation type of the target, or 'external'. */
  readonly targetResourceType: string;
  /**
   * The retry policy (`maximumRetryAttempts` = `MaxRetryAttempts`; the Custom Event Bus's defaults, 5 and 300 s,
   * when the subscriber has none).
   */
  readonly retryPolicy: RouterRetryPolicy;
  /**
   * The dead-letter queue (`OnFailureConfiguration`).
   *
   * @default - none: failed events are dropped
   */
  readonly deadLetterQueue?: RouterDeadLetterQueue;
}

/**
 * One delivery on a Custom Event Bus: a subscriber whose filters match, and what its target receives.
 */
export interface SubscriberDelivery {
  /** The subscriber. */
  readonly subscriber: RouterSubscriber;
  /** The event as the transformer sees it: `{ Data, Metadata, SystemMetadata }` (`$events`). */
  readonly event: any;
  /**
   * What the target receives (a JSON value). Undefined when the transform failed.
   *
   * @default - the transform failed (see `transformError`)
   */
  readonly input?: any;
  /**
   * The input as text: JSON, or the string itself for a `RAW` non-JSON payload.
   *
   * @default - the transform failed
   */
  readonly inputText?: string;
  /**
   * Why the transform failed: the JSONata error, or that the expression evaluated to nothing.
   *
   * @default - it did not fail
   */
  readonly transformError?: string;
}

/**
 * Options of `CustomBusRouter.route()`: the options of the Classic `route()` (`RouteOptions`).
 */
export interface CustomBusRouteOptions {
  /**
   * The bus: a name, an ARN (its `<id>` is not compared: the app cannot know it before deployment), a logical ID,
   * `<stack>/<logicalId>`, or a construct path.
   *
   * A name is looked up in the event's account and region (`account` / `region` of these options, or of a
   * `PutEvents` envelope); when the app has the name in several accounts or regions and neither says which, the
   * router throws.
   *
   * @default - the only Custom Event Bus of the app (an error if there are several)
   */
  readonly eventBus?: string;

  /**
   * The account the event is put in, for a bus given by name.
   *
   * @default - the envelope's `account`, else the only account that has a bus of that name
   */
  readonly account?: string;

  /**
   * The region the event is put in, for a bus given by name.
   *
   * @default - the envelope's `region`, else the only region that has a bus of that name
   */
  readonly region?: string;

  /**
   * Only subscribers of this stack (its name or its construct path).
   *
   * @default - subscribers of every stack
   */
  readonly stackName?: string;

  /**
   * The ingestion time (ISO 8601): `aws:IngestionTime`, and the envelope's `time` when it has none.
   *
   * @default - the event's `ingestionTime`, else (in `route()`) the envelope's `time`, else the current time; in
   * `simulate()` '2024-01-01T00:00:00Z'
   */
  readonly ingestionTime?: string;
}

/**
 * One delivery attempt, as a handler sees it. Handlers of the Classic simulation (`TargetHandlers`) work here too.
 */
export interface SubscriberDeliveryAttempt {
  /** 1 for the first attempt, 2 for the first retry, ... */
  readonly attempt: number;
  /** Simulated seconds since the event was ingested. */
  readonly elapsedSeconds: number;
  /** `$events`. */
  readonly event: any;
  /**
   * The subscriber.
   *
   * @default - always set by the Custom Event Bus simulation
   */
  readonly subscriber?: RouterSubscriber;
}

/**
 * A local stand-in for a subscriber's target: returning (or resolving) accepts the event, throwing (or rejecting)
 * fails the attempt; a thrown error's `code` becomes the dead-letter `errorCode`.
 */
export interface ISubscriberHandler {
  /**
   * Receives the target's input.
   */
  handle(input: any, attempt: SubscriberDeliveryAttempt): void;
}

/**
 * Options of `CustomBusRouter.simulate()`: the options of the Classic `simulate()` (`SimulationOptions`). The retry
 * model is the Classic simulation's (exponential back-off with equal jitter from a seeded generator, nothing sleeps);
 * the subscriber's `MaxRetryAttempts` and `MaxEventAgeInSeconds` bound it.
 */
export interface CustomBusSimulationOptions extends CustomBusRouteOptions {
  /**
   * Handlers by subscriber logical ID, subscriber name, `<stack>/<logicalId>`, target logical ID or target ARN.
   *
   * @default - every target accepts every event
   */
  readonly handlers?: { [key: string]: ISubscriberHandler };

  /**
   * The handler of subscribers without one in `handlers`.
   *
   * @default - accept every event
   */
  readonly defaultHandler?: ISubscriberHandler;

  /**
   * The seed of the retry jitter.
   *
   * @default 1
   */
  readonly seed?: number;

  /**
   * The first retry delay before jitter, in seconds.
   *
   * @default 1
   */
  readonly retryBaseDelaySeconds?: number;

  /**
   * The largest retry delay before jitter, in seconds.
   *
   * @default 600
   */
  readonly retryMaxDelaySeconds?: number;
}

/**
 * The dead-letter record a subscriber writes, in the user guide's shape.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-retry.html
 */
export interface SubscriberDeadLetter {
  /** The queue ARN. */
  readonly queueArn: string;
  /**
   * The queue's logical ID.
   *
   * @default - not in the template
   */
  readonly queueLogicalId?: string;
  /**
   * The record: `version`, `busArn`, `subscriberArn`, `targetArn`, `errorCode`, `errorMessage`,
   * `exhaustedRetryCondition`, `retryAttempts` and `failedMessages` (`eventId`, `eventGroupId`, `deduplicationId`,
   * `timestamp` — the ingestion time — and `targetRequestId`: the `requestId` of the handler's error, else null). It
   * does not carry the event.
   */
  readonly record: any;
}

/**
 * The outcome of one delivery in a simulation.
 */
export interface SimulatedSubscriberDelivery extends SubscriberDelivery {
  /** Delivered, dead-lettered or dropped. */
  readonly outcome: DeliveryOutcome;
  /** Attempts made. */
  readonly attempts: number;
  /** Simulated seconds (from the first ingestion) at which the first attempt was made. */
  readonly startSeconds: number;
  /** Simulated seconds (from the first ingestion) of the outcome. */
  readonly endSeconds: number;
  /** Simulated seconds from this event's ingestion to its outcome (as in the Classic simulation). */
  readonly elapsedSeconds: number;
  /**
   * Seconds the delivery waited behind earlier events of the subscriber (FIFO subscribers: a failed call holds up
   * the later events of every event group until its outcome).
   *
   * @default 0
   */
  readonly heldBackSeconds: number;
  /**
   * The last error.
   *
   * @default - delivered
   */
  readonly errorMessage?: string;
  /**
   * `MaximumRetryAttempts` or `MaximumEventAgeInSeconds`, or `TransformFailed` (not retried).
   *
   * @default - delivered
   */
  readonly exhaustedRetryCondition?: string;
  /**
   * The dead-letter record.
   *
   * @default - not dead-lettered
   */
  readonly deadLetter?: SubscriberDeadLetter;
}

/**
 * The result of a Custom Event Bus simulation.
 */
export interface CustomBusSimulationReport {
  /** Per published event, in order: `PUBLISHED` or `DEDUPLICATED`. */
  readonly publishResults: string[];
  /** Every delivery, subscriber by subscriber, each in publish order. */
  readonly deliveries: SimulatedSubscriberDelivery[];
  /** Deliveries that succeeded. */
  readonly delivered: number;
  /** Deliveries dead-lettered. */
  readonly deadLettered: number;
  /** Deliveries lost. */
  readonly dropped: number;
  /** Events suppressed as duplicates. */
  readonly deduplicated: number;
  /** Accepted events that matched no subscriber. */
  readonly unmatchedEvents: number;
  /** Attempts made in total. */
  readonly totalAttempts: number;
  /** The latest outcome, in simulated seconds from the first ingestion. */
  readonly simulatedSeconds: number;
  /** The dead-letter records, in the order of `deliveries` (as the Classic report's `deadLetters`). */
  readonly deadLetters: SubscriberDeadLetter[];
}

interface CompiledSubscriber {
  readonly model: ModelSubscriber;
  readonly view: RouterSubscriber;
  readonly filters: Array<{ scope: string; matches: (document: any) => boolean }>;
  /** The JSONata expression without delimiters, parsed at load (a syntax error fails early), evaluated bounded. */
  readonly expressionText?: string;
}

interface CompiledSubscriber {
  readonly model: ModelSubscriber;
  readonly view: RouterSubscriber;
  readonly filters: Array<{ scope: string; matches: (document: any) => boolean }>;
  /** The JSONata expression without delimiters, parsed at load (a syntax error fails early), evaluated bounded. */
  readonly expressionText?: string;
}

/**
 * Routes events through the subscribers of Custom Event Buses (`AWS::EventsV2::*`) of synthesized templates, offline:
 * filters per scope (`DATA`, `METADATA`, `SYSTEM_METADATA`, every filter must match), the `$events` input that
 * transformers read, JSONata transforms evaluated with the `jsonata` package, and a simulation of retries, dead
 * letters, FIFO ordering and deduplication within the 5-minute window.
 *
 * The router sees the whole app, as the Classic `EventRouter` does: every stack of a cloud assembly (stacks inside a
 * `Stage` included), each with its own account and region. A bus is identified by account, region and name, so a
 * subscriber in a team stack on a bus imported with `CustomEventBus.fromEventBusArn` — by cross-stack reference
 * (`Fn::ImportValue`), by an ARN string (also from another account), or by an ARN built with `Fn::Join` / `Fn::Sub`
 * — is routed with the subscribers of the stack that defines the bus. What only deploy time knows (a parameter) is
 * listed in `warnings` with the subscriber's construct path.
 *
 * Events are given as the Classic router takes them (an EventBridge event or a `PutEvents` entry, as an object or
 * JSON text; a `PutRawEvents` entry with `Data`, `Metadata` and `SystemMetadata`), or as a `CustomBusEvent`.
 *
 * The API is asynchronous because JSONata evaluation is.
 *
 * @example
 * const router = CustomBusRouter.fromStack(stack);
 * const deliveries = await router.route({ 'source': 'shop', 'detail-type': 'OrderPlaced', 'detail': {} });
 */
export class CustomBusRouter {
  /** A router for the Custom Event Bus subscribers of one stack. */
  public static fromStack(stack: Stack, options?: CustomBusRouterOptions): CustomBusRouter {
    return CustomBusRouter.fromStacks([stack], options);
  }

  /**
   * A router for several stacks of one app (for example a platform stack that defines the bus and the team stacks
   * whose subscribers import it), as `EventRouter.fromStacks`.
   */
  public static fromStacks(stacks: Stack[], options?: CustomBusRouterOptions): CustomBusRouter {
    const { stacks: raw, agnostic } = readCdkStacks(stacks);
    return new CustomBusRouter(raw, options ?? {}, agnostic);
  }

  /** A router for one template: a JSON object or an `aws-cdk-lib/assertions` `Template`. */
  public static fromTemplate(template: any, options?: CustomBusRouterOptions): CustomBusRouter {
    return new CustomBusRouter([templateStack(template, options?.stackName, 'CustomBusRouter.fromTemplate')], options ?? {}, []);
  }

  /**
   * A router for the subscribers of every stack of a cloud assembly (a `cdk.out` directory), nested assemblies of
   * `Stage`s included, each stack in the account and region of its artifact's environment.
   *
   * @throws Error if the directory is not a cloud assembly, or a manifest or template cannot be read
   */
  public static fromCloudAssembly(directory: string, options?: CustomBusRouterOptions): CustomBusRouter {
    const { stacks, agnostic } = readCloudAssembly(directory);
    return new CustomBusRouter(stacks, options ?? {}, agnostic);
  }

  /** A router for several templates (for example every stack of a cloud assembly). */
  public static fromTemplates(templates: CustomBusTemplate[], options?: CustomBusRouterOptions): CustomBusRouter {
    return new CustomBusRouter(templates.map((t) => ({ ...t, stackId: t.stackId ?? t.stackName })), options ?? {}, []);
  }

  private readonly compiled: CompiledSubscriber[];
  private readonly busList: ModelCustomBus[];
  private readonly stackList: Array<{ stackName: string; stackId: string }>;
  private readonly routerWarnings: string[] = [];

  private constructor(raw: RawStack[], options: CustomBusRouterOptions, agnostic: string[]) {
    const account = options.account ?? DEFAULT_ACCOUNT;
    const region = options.region ?? DEFAULT_REGION;
    this.routerWarnings.push(...agnosticWarnings(agnostic, account, region));
    this.stackList = raw.map((s) => ({ stackName: s.stackName, stackId: s.stackId }));
    const stacks: CustomBusStack[] = raw.map((s) => ({
      stackName: s.stackName,
      stackId: s.stackId,
      template: s.template,
      paths: s.paths,
      env: { account: s.account, region: s.region },
    }));
    const model = readCustomBusModel(stacks, { account, region, partition: options.partition ?? 'aws' });
    this.routerWarnings.push(...model.warnings);
    this.busList = model.buses;
    this.compiled = model.subscribers.map((s) => compileSubscriber(s));
  }

  /** Whether the app has a Custom Event Bus with subscribers by this name, ARN, logical ID or construct path. */
  public hasEventBus(eventBus: string): boolean {
    return this.compiled.some((c) => busMatches(c.model.bus, eventBus));
  }

  /**
   * The Custom Event Buses: every `AWS::EventsV2::EventBus` of the app, and the buses that subscribers name by an ARN
   * the app does not define (`external`), as `EventRouter.buses` lists Classic buses.
   */
  public get buses(): RouterEventBus[] {
    return this.busList.map(routerEventBus);
  }

  /** Every subscriber whose bus is known, in template order, stack by stack. */
  public get subscribers(): RouterSubscriber[] {
    return this.compiled.map((c) => c.view);
  }

  /** The names of the stacks the router was built from. */
  public get stacks(): string[] {
    return this.stackList.map((s) => s.stackName);
  }

  /**
   * What the router could not model: environment-agnostic stacks placed in the default account and region,
   * subscribers whose bus is only known at deploy time (named by construct path), templates that cannot deploy.
   */
  public get warnings(): string[] {
    return [...this.routerWarnings];
  }

  /**
   * The subscribers of the bus whose filters all match the event, and what each target receives.
   *
   * @param event an EventBridge event or `PutEvents` entry (an object or JSON text), a `PutRawEvents` entry, or a
   * `CustomBusEvent`
   * @throws Error if the event is malformed, or the bus or stack is unknown or ambiguous
   */
  public async route(event: any, options?: CustomBusRouteOptions): Promise<SubscriberDelivery[]> {
    const opts = options ?? {};
    const input = toCustomBusEvent(event);
    const bus = this.resolveBus(opts.eventBus, opts.account ?? envelopeField(input, 'account'), opts.region ?? envelopeField(input, 'region'));
    const ingestion = opts.ingestionTime ?? input.ingestionTime ?? envelopeField(input, 'time') ?? nowIso();
    const $events = eventsFor(input, 0, isoTime(ingestion, 'ingestionTime'), bus);
    // All the matching subscribers' transforms at once: those evaluated in the bounded child go in one batch.
    const matching = this.subscribersOf(bus, opts.stackName).filter((subscriber) => matchesAll(subscriber, $events));
    return Promise.all(matching.map((subscriber) => transform(subscriber, $events)));
  }

  /**
   * Publishes the events and delivers them to the bus's subscribers, in the order they arrive (`ingestionTime`;
   * events that arrive together in the order given):
   * - a copy of an accepted event (same `DeduplicationId`, or same content with content-based deduplication) that
   *   arrives within 300 seconds after it is suppressed (`DEDUPLICATED`), scoped to the publishing account and event
   *   group when the entry has a group (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-ordering.html);
   * - each delivery is retried as the subscriber's retry policy allows, then dead-lettered or dropped
   *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-retry.html);
   * - a FIFO subscriber delivers in arrival order, and a failed call holds up the later events of every event group
   *   until it has its outcome. The ordering page says only the failing event's own group waits; the retry page says
   *   every group does: the router models the stricter retry page.
   *
   * @param events the events, as `route()` takes them
   */
  public async simulate(events: any[], options?: CustomBusSimulationOptions): Promise<CustomBusSimulationReport> {
    const opts = options ?? {};
    const retries = new RetryModel(opts.seed ?? 1, opts.retryBaseDelaySeconds ?? 1, opts.retryMaxDelaySeconds ?? 600);
    const inputs = events.map((e) => toCustomBusEvent(e));
    const first = inputs[0];
    const bus = this.resolveBus(opts.eventBus, opts.account ?? (first && envelopeField(first, 'account')), opts.region ?? (first && envelopeField(first, 'region')));
    const subscribers = this.subscribersOf(bus, opts.stackName);
    const defaultTime = isoTime(opts.ingestionTime ?? DEFAULT_INGESTION_TIME, 'ingestionTime');
    const origin = Date.parse(defaultTime);

    // Arrival: the order of the deduplication window and of FIFO delivery (stable for events that arrive together).
    const arrived = inputs.map((raw, index) => {
      const $events = eventsFor(raw, index, raw.ingestionTime === undefined ? defaultTime : isoTime(raw.ingestionTime, 'ingestionTime'), bus);
      return { raw, index, $events, at: (Date.parse($events.SystemMetadata['aws:IngestionTime']) - origin) / 1000 };
    });
    const byArrival = [...arrived].sort((a, b) => a.at - b.at || a.index - b.index);

    // Publish: a copy within the window after the accepted entry it repeats is suppressed.
    const publishResults: string[] = inputs.map(() => 'PUBLISHED');
    const seen = new Map<string, number>();
    const accepted = byArrival.filter(({ raw, index, at }) => {
      const key = dedupKey(raw, bus.account);
      if (key === undefined) {
        return true;
      }
      const firstAt = seen.get(key);
      if (firstAt !== undefined && at - firstAt < DEDUPLICATION_WINDOW_SECONDS) {
        publishResults[index] = 'DEDUPLICATED';
        return false;
      }
      seen.set(key, at);
      return true;
    });

    const deliveries: SimulatedSubscriberDelivery[] = [];
    const matchedEvents = new Set<number>();
    let totalAttempts = 0;
    for (const subscriber of subscribers) {
      const fifo = subscriber.view.ordering === 'FIFO';
      let freeAt = Number.NEGATIVE_INFINITY;
      const own: Array<{ index: number; delivery: SimulatedSubscriberDelivery }> = [];
      for (const { index, $events, at } of accepted) {
        if (!matchesAll(subscriber, $events)) {
          continue;
        }
        matchedEvents.add(index);
        const start = fifo ? Math.max(at, freeAt) : at;
        const routed = await transform(subscriber, $events);
        const result = await this.deliver(subscriber, routed, start - at, opts, retries);
        totalAttempts += result.attempts;
        const end = at + result.elapsed;
        if (fifo) {
          freeAt = end;
        }
        own.push({
          index,
          delivery: {
            ...routed,
            outcome: result.outcome,
            attempts: result.attempts,
            startSeconds: round(start),
            endSeconds: round(end),
            elapsedSeconds: round(end - at),
            heldBackSeconds: round(start - at),
            errorMessage: result.errorMessage,
            exhaustedRetryCondition: result.condition,
            deadLetter: result.deadLetter,
          },
        });
      }
      deliveries.push(...own.sort((a, b) => a.index - b.index).map((o) => o.delivery));
    }
    return {
      publishResults,
      deliveries,
      delivered: deliveries.filter((d) => d.outcome === DeliveryOutcome.DELIVERED).length,
      deadLettered: deliveries.filter((d) => d.outcome === DeliveryOutcome.DEAD_LETTERED).length,
      dropped: deliveries.filter((d) => d.outcome === DeliveryOutcome.DROPPED).length,
      deduplicated: publishResults.filter((r) => r === 'DEDUPLICATED').length,
      unmatchedEvents: accepted.length - matchedEvents.size,
      totalAttempts,
      simulatedSeconds: deliveries.reduce((m, d) => Math.max(m, d.endSeconds), 0),
      deadLetters: deliveries.filter((d) => d.deadLetter !== undefined).map((d) => d.deadLetter!),
    };
  }

  /**
   * The `$events` object of an event as the bus stores it and subscribers read it (`Data`, `Metadata`,
   * `SystemMetadata`), on the given bus.
   *
   * @param event the event, as `route()` takes it
   * @param options the bus and the ingestion time
   * @default - options as in `route()`
   */
  public eventsOf(event: any, options?: CustomBusRouteOptions): any {
    const opts = options ?? {};
    const input = toCustomBusEvent(event);
    const bus = this.resolveBus(opts.eventBus, opts.account ?? envelopeField(input, 'account'), opts.region ?? envelopeField(input, 'region'));
    return eventsFor(input, 0, isoTime(opts.ingestionTime ?? input.ingestionTime ?? envelopeField(input, 'time') ?? nowIso(), 'ingestionTime'), bus);
  }

  /** The bus an `eventBus` option names (the Classic router's rules: ARN, construct path, logical ID, name). */
  private resolveBus(wanted: string | undefined, account: string | undefined, region: string | undefined): ModelCustomBus {
    const withSubscribers = this.busList.filter((b) => this.compiled.some((c) => c.model.bus.key === b.key));
    const list = () => withSubscribers.map((b) => b.label).join(', ');
    if (wanted === undefined) {
      if (withSubscribers.length !== 1) {
        throw new Error(`eventBus must be given: the app has ${withSubscribers.length} Custom Event Buses (${list()})`);
      }
      return withSubscribers[0];
    }
    const unknown = () => new Error(`no Custom Event Bus ${JSON.stringify(wanted)} has subscribers; buses: ${list()}`);
    const arn = parseCustomBusArn(wanted);
    if (arn) {
      const bus = withSubscribers.find((b) => b.key === customBusKey(arn.account, arn.region, arn.name));
      if (!bus) {
        throw unknown();
      }
      return bus;
    }
    const byResource = busByResource(withSubscribers, wanted, 'Custom Event Bus');
    if (byResource) {
      return byResource;
    }
    const byName = busNamed(withSubscribers, wanted, account, region, {
      ambiguous: (where) => `Custom Event Bus "${wanted}" is ambiguous: the app has it in ${where}; say which with the account and region options (or the envelope's), or the bus ARN`,
      elsewhere: (where) => `no Custom Event Bus "${wanted}" in account ${account ?? 'any'}, region ${region ?? 'any'}: the app has "${wanted}" only in ${where}`,
    });
    if (byName) {
      return byName;
    }
    throw unknown();
  }

  private subscribersOf(bus: ModelCustomBus, stackName: string | undefined): CompiledSubscriber[] {
    let stackId: string | undefined;
    if (stackName !== undefined) {
      const byId = this.stackList.find((s) => s.stackId === stackName);
      const byName = this.stackList.filter((s) => s.stackName === stackName);
      if (!byId && byName.length > 1) {
        throw new Error(`stack name "${stackName}" is ambiguous: ${byName.map((s) => s.stackId).join(', ')}; use the stack's construct path`);
      }
      stackId = byId?.stackId ?? byName[0]?.stackId;
      if (stackId === undefined) {
        throw new Error(`unknown stack "${stackName}"; the app has: ${this.stackList.map((s) => s.stackId === s.stackName ? s.stackName : `${s.stackName} (${s.stackId})`).join(', ')}`);
      }
    }
    return this.compiled.filter((c) => c.model.bus.key === bus.key && c.model.enabled && (stackId === undefined || c.model.stackId === stackId));
  }

  private async deliver(subscriber: CompiledSubscriber, routed: SubscriberDelivery, heldBack: number, options: CustomBusSimulationOptions,
    retries: RetryModel) {
    const model = subscriber.model;
    const handler = handlerFor(subscriber.view, options);
    const maxAttempts = 1 + model.maxRetryAttempts;
    let elapsed = heldBack;
    let attempts = 0;
    let lastError: any;
    let condition: string | undefined;
    let delivered = false;
    if (routed.transformError !== undefined) {
      attempts = 1;
      lastError = Object.assign(new Error(routed.transformError), { code: 'TRANSFORM_FAILED' });
      condition = 'TransformFailed';
    } else {
      // Attempt, then wait for the next retry unless a limit of the retry policy stops it first.
      for (attempts = 1; ; attempts++) {
        const attempt = { attempt: attempts, elapsedSeconds: round(elapsed), event: routed.event, subscriber: subscriber.view };
        try {
          await handler?.handle(routed.input, attempt);
          delivered = true;
          break;
        } catch (e) {
          lastError = e;
        }
        const delay = attempts < maxAttempts ? retries.delayBefore(attempts) : undefined;
        condition = delay === undefined ? 'MaximumRetryAttempts'
          : elapsed + delay > model.maxEventAgeInSeconds ? 'MaximumEventAgeInSeconds' : undefined;
        if (condition !== undefined) {
          break;
        }
        elapsed += delay!;
      }
    }
    const errorMessage = delivered ? undefined : String(lastError?.message ?? lastError);
    let outcome = DeliveryOutcome.DELIVERED;
    let deadLetter: SubscriberDeadLetter | undefined;
    if (!delivered) {
      outcome = DeliveryOutcome.DROPPED;
      if (model.deadLetterQueueArn !== undefined) {
        outcome = DeliveryOutcome.DEAD_LETTERED;
        const system = routed.event.SystemMetadata;
        // The record of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-retry.html
        deadLetter = {
          queueArn: model.deadLetterQueueArn,
          queueLogicalId: model.deadLetterQueueLogicalId,
          record: {
            version: '1.0',
            busArn: model.bus.arn,
            subscriberArn: model.arn,
            targetArn: model.targetArn,
            errorCode: typeof lastError?.code === 'string' ? lastError.code : 'SDK_CLIENT_ERROR',
            errorMessage,
            exhaustedRetryCondition: condition,
            retryAttempts: attempts - 1,
            failedMessages: [{
              eventId: system['aws:EventId'],
              eventGroupId: system.EventGroupId ?? null,
              deduplicationId: system.DeduplicationId ?? null,
              timestamp: system['aws:IngestionTime'],
              targetRequestId: typeof lastError?.requestId === 'string' ? lastError.requestId : null,
            }],
          },
        };
      }
    }
    return { outcome, attempts, elapsed, errorMessage, condition, deadLetter };
  }
}

/**
 * An event as the router takes it, as a `CustomBusEvent`: a `CustomBusEvent` (`data`), a `PutRawEvents` entry
 * (`Data`, `Metadata`, `SystemMetadata`), or an EventBridge event / `PutEvents` entry (with its `SystemMetadata`), as
 * an object or JSON text.
 */
function toCustomBusEvent(event: any): CustomBusEvent {
  const e = parseEventObject(event);
  const envelope = e.source !== undefined || e['detail-type'] !== undefined || isPutEventsEntry(e);
  if ('data' in e && !envelope) {
    return e as CustomBusEvent;
  }
  const system = e.SystemMetadata ?? {};
  if (system === null || typeof system !== 'object' || Array.isArray(system)) {
    throw new Error('SystemMetadata must be an object');
  }
  if ('Data' in e && !envelope) {
    // A PutRawEvents entry: https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_PutRawEventsRequestEntry.html
    const contentType = system.ContentType ?? 'application/json';
    return {
      data: rawData(e.Data, contentType),
      metadata: e.Metadata,
      contentType,
      eventGroupId: system.EventGroupId,
      deduplicationId: system.DeduplicationId,
    };
  }
  const fields = isPutEventsEntry(e) ? putEventsEntryFields(e) : Object.fromEntries(Object.entries(e).filter(([k]) => k !== 'SystemMetadata'));
  // PutEvents requires both: https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_PutEventsRequestEntry.html
  for (const [field, max] of [['source', MAX_SOURCE], ['detail-type', MAX_DETAIL_TYPE]] as const) {
    const value = fields[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw new Error(`PutEvents refuses this event: ${field} must be a string of 1 to ${max} characters, got ${typeof value === 'string' ? `${value.length} characters` : value === null ? 'null' : typeof value}`);
    }
  }
  return {
    data: fields,
    contentType: 'application/eventbridge+json',
    eventGroupId: system.EventGroupId,
    deduplicationId: system.DeduplicationId,
    account: typeof fields.account === 'string' ? fields.account : undefined,
    eventId: typeof fields.id === 'string' ? fields.id : undefined,
    serviceSystemMetadata: { 'aws:Source': fields.source, 'aws:DetailType': fields['detail-type'] },
  };
}

/** `PutRawEvents` `Data` is Base64; JSON data decodes to its JSON value, other content types stay Base64. */
function rawData(data: any, contentType: string): any {
  if (typeof data !== 'string' || contentType !== 'application/json') {
    return data;
  }
  const text = Buffer.from(data, 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(data);
    } catch {
      throw new Error('a PutRawEvents entry with ContentType application/json must have Data that is Base64 of JSON text (or JSON itself)');
    }
  }
}

/** A string field of a `PutEvents` envelope. */
function envelopeField(event: CustomBusEvent, field: string): string | undefined {
  if (event.contentType !== 'application/eventbridge+json' || event.data === null || typeof event.data !== 'object') {
    return undefined;
  }
  const value = event.data[field];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The `$events` object of an event on a bus, as subscribers read it: `Data` (a `PutEvents` envelope with what
 * EventBridge fills in: the bus's account and region, `time` the ingestion time), `Metadata` (`PutRawEvents` only)
 * and `SystemMetadata` (strings only; optional fields without a value are left out).
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-transform.html
 */
function eventsFor(event: CustomBusEvent, index: number, ingestion: string, bus: ModelCustomBus): any {
  checkEvent(event);
  const envelope = event.contentType === 'application/eventbridge+json' && event.data !== null && typeof event.data === 'object' && !Array.isArray(event.data);
  const eventId = event.eventId ?? (envelope && typeof event.data.id === 'string' ? event.data.id : undefined)
    ?? uuidFrom(`${index}:${JSON.stringify(event.data) ?? ''}`);
  const data = envelope
    ? fillEnvelope(event.data, { id: eventId, account: event.account ?? bus.account, region: bus.region, time: ingestion })
    : event.data;
  const system: { [key: string]: string } = {
    'ContentType': event.contentType ?? 'application/json',
    'aws:EventId': eventId,
    'aws:IngestionTime': ingestion,
    'aws:DeliveryType': 'LIVE',
    ...(event.serviceSystemMetadata ?? {}),
  };
  if (event.eventGroupId !== undefined) {
    system.EventGroupId = event.eventGroupId;
  }
  if (event.deduplicationId !== undefined) {
    system.DeduplicationId = event.deduplicationId;
  }
  const out: any = { Data: data, SystemMetadata: system };
  if (event.metadata !== undefined) {
    out.Metadata = event.metadata;
  }
  return out;
}

/** What `PutRawEvents` / `PutEvents` would refuse in the parts the router reads (API reference, PutRawEventsRequestEntry). */
function checkEvent(event: CustomBusEvent): void {
  if (event.metadata !== undefined) {
    const m = event.metadata;
    if (m === null || typeof m !== 'object' || Array.isArray(m)) {
      throw new Error('metadata must be an object of strings');
    }
    const entries = Object.entries(m);
    if (entries.length > MAX_METADATA_ENTRIES) {
      throw new Error(`metadata has ${entries.length} keys; PutRawEvents takes at most ${MAX_METADATA_ENTRIES}`);
    }
    for (const [key, value] of entries) {
      if (key.length === 0 || key.length > MAX_METADATA_KEY || key.includes('/')) {
        throw new Error(`metadata key ${JSON.stringify(key.slice(0, 40))} must be 1 to ${MAX_METADATA_KEY} characters without "/"`);
      }
      if (typeof value !== 'string' || value.length === 0) {
        throw new Error(`metadata key ${JSON.stringify(key.slice(0, 40))} must have a non-empty string value (metadata is a map of strings), got ${value === null ? 'null' : typeof value}`);
      }
    }
  }
  for (const [field, value] of [['eventGroupId', event.eventGroupId], ['deduplicationId', event.deduplicationId]] as const) {
    if (value !== undefined && (typeof value !== 'string' || value.length === 0 || value.length > MAX_SYSTEM_ID)) {
      throw new Error(`${field} must be a string of 1 to ${MAX_SYSTEM_ID} characters, got ${typeof value === 'string' ? `${value.length} characters` : typeof value}`);
    }
  }
}

function compileSubscriber(model: ModelSubscriber): CompiledSubscriber {
  const where = `subscriber ${model.path}`;
  const filters = model.filters.map((f) => {
    try {
      return { scope: f.scope, matches: compileFilter(f.pattern) };
    } catch (e) {
      throw new Error(`${where}: ${f.scope} filter: ${(e as Error).message}`);
    }
  });
  let expressionText: string | undefined;
  if (model.transformerType === 'JSONATA') {
    const text = model.expression ?? '';
    expressionText = delimitedExpression(text) ?? text;
    try {
      compileJsonata(expressionText);
    } catch (e: any) {
      throw new Error(`${where}: the JSONata transformer does not parse: ${String(e?.message ?? e)}`);
    }
  }
  const view: RouterSubscriber = {
    logicalId: model.logicalId,
    stackName: model.stackName,
    stackId: model.stackId,
    path: model.path,
    name: model.name,
    arn: model.arn,
    eventBusName: model.bus.name,
    eventBusArn: model.bus.arn,
    ordering: model.ordering,
    enabled: model.enabled,
    state: model.enabled ? 'RUNNING' : 'STOPPED',
    transformerType: model.transformerType,
    expression: model.expression,
    targetArn: model.targetArn,
    targetLogicalId: model.targetLogicalId,
    targetResourceType: model.targetResourceType,
    retryPolicy: {
      maximumRetryAttempts: model.maxRetryAttempts,
      maximumEventAgeInSeconds: model.maxEventAgeInSeconds,
      isDefault: model.retryPolicyIsDefault,
    },
    deadLetterQueue: model.deadLetterQueueArn === undefined ? undefined
      : { arn: model.deadLetterQueueArn, logicalId: model.deadLetterQueueLogicalId },
  };
  return { model, view, filters, expressionText };
}

function matchesAll(subscriber: CompiledSubscriber, $events: any): boolean {
  for (const filter of subscriber.filters) {
    const document = filter.scope === 'DATA' ? dataDocument($events)
      : filter.scope === 'METADATA' ? $events.Metadata : $events.SystemMetadata;
    if (!filter.matches(document)) {
      return false;
    }
  }
  return true;
}

/** Raw bytes have no data a filter can read (user guide, eb-custom-bus-filtering). */
function dataDocument($events: any): any {
  return $events.SystemMetadata.ContentType === 'application/octet-stream' ? undefined : $events.Data;
}

async function transform(subscriber: CompiledSubscriber, $events: any): Promise<SubscriberDelivery> {
  const base = { subscriber: subscriber.view, event: $events };
  let input: any;
  switch (subscriber.model.transformerType) {
    case 'WITH_METADATA':
      input = $events;
      break;
    case 'JSONATA':
      try {
        // In a worker with hard bounds (time, memory, output size): see private/bounded-jsonata.ts.
        input = await evaluateJsonataBounded(subscriber.expressionText!, $events, { events: $events });
      } catch (e: any) {
        return { ...base, transformError: `JSONata: ${String(e?.message ?? e)}` };
      }
      if (input === undefined) {
        return { ...base, transformError: 'the JSONata expression evaluated to nothing' };
      }
      break;
    default:
      input = $events.Data;
  }
  return { ...base, input, inputText: typeof input === 'string' && subscriber.model.transformerType === 'RAW' ? input : JSON.stringify(input) };
}

function handlerFor(subscriber: RouterSubscriber, options: CustomBusSimulationOptions): ISubscriberHandler | undefined {
  const handlers = options.handlers ?? {};
  const keys = [subscriber.logicalId, subscriber.name, `${subscriber.stackName}/${subscriber.logicalId}`, subscriber.path,
    subscriber.targetLogicalId, subscriber.targetArn];
  for (const key of keys) {
    if (key !== undefined && handlers[key] !== undefined) {
      return handlers[key];
    }
  }
  return options.defaultHandler;
}

/** The deduplication key: scoped to the account and the event group when there is one, else bus-wide. */
function dedupKey(event: CustomBusEvent, account: string): string | undefined {
  let key = event.deduplicationId;
  if (key === undefined && event.contentBasedDeduplication) {
    key = `content:${createHash('sha256').update(JSON.stringify([event.data, event.metadata ?? null])).digest('hex')}`;
  }
  if (key === undefined) {
    return undefined;
  }
  return event.eventGroupId !== undefined ? `${event.account ?? account}|${event.eventGroupId}|${key}` : `*|${key}`;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

/** Whether `eventBus` names the bus in any of the ways `route()` accepts (without account and region). */
function busMatches(bus: ModelCustomBus, eventBus: string): boolean {
  const arn = parseCustomBusArn(eventBus);
  if (arn) {
    return bus.key === customBusKey(arn.account, arn.region, arn.name);
  }
  const bare = eventBus.endsWith('/Resource') ? eventBus.slice(0, -'/Resource'.length) : eventBus;
  return bus.label === bare || bus.path === bare || bus.name === eventBus || bus.logicalId === eventBus
    || (bus.logicalId !== undefined && (`${bus.stackId}/${bus.logicalId}` === eventBus || `${bus.stackName}/${bus.logicalId}` === eventBus));
}
