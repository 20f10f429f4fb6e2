import { createHash } from 'crypto';
import { Stack, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RouterDeadLetterQueue, RouterRetryPolicy } from './event-router';
import { evaluateJsonataBounded } from './private/bounded-jsonata';
import { readCloudAssembly } from './private/cloud-assembly';
import { CustomBusStack, ModelSubscriber, readCustomBusModel } from './private/custom-bus-model';
import { RetryModel } from './private/retry-model';
import { DeliveryOutcome } from './simulation';
import { compileFilter } from '../custom-bus/private/filter-rules';
import { compileJsonata, delimitedExpression } from '../custom-bus/private/jsonata-text';

/** The deduplication window of the Custom Event Bus (user guide, eb-custom-bus-ordering). */
const DEDUPLICATION_WINDOW_SECONDS = 300;
const DEFAULT_INGESTION_TIME = '2024-01-01T00:00:00Z';

/**
 * Where the router's subscribers live.
 */
export interface CustomBusRouterOptions {
  /**
   * The account of the buses and of events that do not say.
   *
   * @default - the stack's account if it is known, else '123456789012'
   */
  readonly account?: string;

  /**
   * The region of the buses.
   *
   * @default - the stack's region if it is known, else 'us-east-1'
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
   * @default - the router's account
   */
  readonly account?: string;

  /**
   * When the bus ingested the event (ISO 8601).
   *
   * @default - the simulation's `ingestionTime`, else '2024-01-01T00:00:00Z'
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
   * `Time` (ISO 8601); also the ingestion time.
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
   * @default - the router's account
   */
  readonly account?: string;
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
   * and `SystemMetadata` carries `aws:Source` and `aws:DetailType`.
   *
   * @param entry the entry
   * @param region the region in the envelope
   * @default region 'us-east-1'
   */
  public static putEvents(entry: CustomBusPutEventsEntry, region?: string): CustomBusEvent {
    const time = entry.time ?? DEFAULT_INGESTION_TIME;
    const id = entry.id ?? uuidFrom(JSON.stringify([entry.source, entry.detailType, entry.detail, time]));
    return {
      data: {
        'version': '0',
        id,
        'detail-type': entry.detailType,
        'source': entry.source,
        'account': entry.account ?? '123456789012',
        time,
        'region': region ?? 'us-east-1',
        'resources': entry.resources ?? [],
        'detail': entry.detail,
      },
      contentType: 'application/eventbridge+json',
      eventGroupId: entry.eventGroupId,
      deduplicationId: entry.deduplicationId,
      account: entry.account,
      ingestionTime: entry.time,
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
 * Options of `CustomBusRouter.route()`.
 */
export interface CustomBusRouteOptions {
  /**
   * The bus: a bus name, a logical ID, `<stack>/<logicalId>` or an ARN.
   *
   * @default - the only bus of the app (an error if there are several)
   */
  readonly eventBus?: string;

  /**
   * The ingestion time of an event without one (ISO 8601).
   *
   * @default '2024-01-01T00:00:00Z'
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
 * Options of `CustomBusRouter.simulate()`. The retry model is the Classic simulation's (exponential back-off with
 * equal jitter from a seeded generator, nothing sleeps); the subscriber's `MaxRetryAttempts` and
 * `MaxEventAgeInSeconds` bound it.
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
 * The dead-letter record a subscriber writes, in the user guide's shape (eb-custom-bus-retry).
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
   * `timestamp`). It does not carry the event.
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
  /**
   * Seconds the delivery waited behind earlier events of its group (FIFO subscribers).
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
 * letters, FIFO ordering within an event group and deduplication within the 5-minute window.
 *
 * The API is asynchronous because JSONata evaluation is.
 *
 * @example
 * const router = CustomBusRouter.fromStack(stack);
 * const deliveries = await router.route(CustomBusEvents.putEvents({ source: 'shop', detailType: 'OrderPlaced', detail: {} }));
 */
export class CustomBusRouter {
  /** A router for the Custom Event Bus subscribers of one stack. */
  public static fromStack(stack: Stack, options?: CustomBusRouterOptions): CustomBusRouter {
    return new CustomBusRouter([{
      stackName: stack.stackName,
      template: Template.fromStack(stack).toJSON(),
      account: Token.isUnresolved(stack.account) ? undefined : stack.account,
      region: Token.isUnresolved(stack.region) ? undefined : stack.region,
    }], options ?? {});
  }

  /** A router for one template: a JSON object or an `aws-cdk-lib/assertions` `Template`. */
  public static fromTemplate(template: any, options?: CustomBusRouterOptions): CustomBusRouter {
    const json = template && typeof template.toJSON === 'function' ? template.toJSON() : template;
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new Error('CustomBusRouter.fromTemplate: template must be a CloudFormation template object or an assertions Template');
    }
    return new CustomBusRouter([{ stackName: options?.stackName ?? 'Stack', template: json }], options ?? {});
  }

  /**
   * A router for the subscribers of every stack of a cloud assembly (a `cdk.out` directory), nested assemblies of
   * `Stage`s included, each stack in its own account and region.
   *
   * @throws Error if the directory is not a cloud assembly, or a manifest or template cannot be read
   */
  public static fromCloudAssembly(directory: string, options?: CustomBusRouterOptions): CustomBusRouter {
    const { stacks } = readCloudAssembly(directory);
    const templates = stacks.map((s) => ({ stackName: s.stackName, template: s.template, account: s.account, region: s.region }));
    return new CustomBusRouter(templates, options ?? {});
  }

  /** A router for several templates (for example every stack of a cloud assembly). */
  public static fromTemplates(templates: CustomBusTemplate[], options?: CustomBusRouterOptions): CustomBusRouter {
    return new CustomBusRouter(templates, options ?? {});
  }

  private readonly compiled: CompiledSubscriber[];
  private readonly busNames: string[];
  private readonly account: string;

  private constructor(templates: CustomBusTemplate[], options: CustomBusRouterOptions) {
    const first = templates.find((t) => t.account || t.region);
    this.account = options.account ?? first?.account ?? '123456789012';
    const defaults = { account: this.account, region: options.region ?? first?.region ?? 'us-east-1', partition: options.partition ?? 'aws' };
    const stacks: CustomBusStack[] = templates.map((t) => ({
      stackName: t.stackName,
      template: t.template,
      env: { account: options.account ?? t.account, region: options.region ?? t.region },
    }));
    const model = readCustomBusModel(stacks, defaults);
    this.busNames = [...new Set(model.buses.map((b) => b.key))];
    this.compiled = model.subscribers.map((s) => compileSubscriber(s));
  }

  /** Whether the app has a Custom Event Bus with subscribers by this name, logical ID or ARN. */
  public hasEventBus(eventBus: string): boolean {
    return this.compiled.some((c) => matchesBus(c.model.bus, eventBus));
  }

  /** Every subscriber, in template order. */
  public get subscribers(): RouterSubscriber[] {
    return this.compiled.map((c) => c.view);
  }

  /**
   * The subscribers of the bus whose filters all match the event, and what each target receives.
   *
   * @throws Error if the bus is unknown or ambiguous
   */
  public async route(event: CustomBusEvent, options?: CustomBusRouteOptions): Promise<SubscriberDelivery[]> {
    const events = this.eventsFor(event, 0, options?.ingestionTime);
    const out: SubscriberDelivery[] = [];
    for (const subscriber of this.subscribersOf(options?.eventBus)) {
      if (matchesAll(subscriber, events)) {
        out.push(await transform(subscriber, events));
      }
    }
    return out;
  }

  /**
   * Publishes the events in order and delivers them to the bus's subscribers: duplicates within 5 minutes are
   * suppressed; each delivery is retried as the subscriber's retry policy allows and then dead-lettered or dropped;
   * a FIFO subscriber delivers an event group in publish order, an event being retried holding back the later
   * events of its group (other groups continue).
   */
  public async simulate(events: CustomBusEvent[], options?: CustomBusSimulationOptions): Promise<CustomBusSimulationReport> {
    const opts = options ?? {};
    const retries = new RetryModel(opts.seed ?? 1, opts.retryBaseDelaySeconds ?? 1, opts.retryMaxDelaySeconds ?? 600);
    const subscribers = this.subscribersOf(opts.eventBus);
    const origin = Date.parse(opts.ingestionTime ?? DEFAULT_INGESTION_TIME);

    // Publish: deduplication within the window, per account and event group.
    const accepted: Array<{ events: any; at: number; raw: CustomBusEvent }> = [];
    const publishResults: string[] = [];
    const seen = new Map<string, number>();
    events.forEach((raw, index) => {
      const $events = this.eventsFor(raw, index, opts.ingestionTime);
      const at = (Date.parse($events.SystemMetadata['aws:IngestionTime']) - origin) / 1000;
      const key = dedupKey(raw, this.account);
      if (key !== undefined) {
        const first = seen.get(key);
        if (first !== undefined && at - first < DEDUPLICATION_WINDOW_SECONDS) {
          publishResults.push('DEDUPLICATED');
          return;
        }
        seen.set(key, at);
      }
      publishResults.push('PUBLISHED');
      accepted.push({ events: $events, at, raw });
    });

    const deliveries: SimulatedSubscriberDelivery[] = [];
    const matchedEvents = new Set<number>();
    let totalAttempts = 0;
    for (const subscriber of subscribers) {
      const groupFree = new Map<string, number>();
      for (let i = 0; i < accepted.length; i++) {
        const { events: $events, at, raw } = accepted[i];
        if (!matchesAll(subscriber, $events)) {
          continue;
        }
        matchedEvents.add(i);
        const group = subscriber.view.ordering === 'FIFO' && raw.eventGroupId !== undefined
          ? `${raw.account ?? this.account}|${raw.eventGroupId}` : undefined;
        const start = group === undefined ? at : Math.max(at, groupFree.get(group) ?? at);
        const routed = await transform(subscriber, $events);
        const result = await this.deliver(subscriber, routed, start - at, opts, retries);
        totalAttempts += result.attempts;
        const end = at + result.elapsed;
        if (group !== undefined) {
          groupFree.set(group, end);
        }
        deliveries.push({
          ...routed,
          outcome: result.outcome,
          attempts: result.attempts,
          startSeconds: round(start),
          endSeconds: round(end),
          heldBackSeconds: round(start - at),
          errorMessage: result.errorMessage,
          exhaustedRetryCondition: result.condition,
          deadLetter: result.deadLetter,
        });
      }
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
    };
  }

  /** The `$events` object of an event as the bus stores it. */
  private eventsFor(event: CustomBusEvent, index: number, defaultTime: string | undefined): any {
    const ingestion = event.ingestionTime ?? defaultTime ?? DEFAULT_INGESTION_TIME;
    if (Number.isNaN(Date.parse(ingestion))) {
      throw new Error(`ingestionTime must be an ISO 8601 time, got ${JSON.stringify(ingestion).slice(0, 80)}`);
    }
    const system: { [key: string]: string } = {
      'ContentType': event.contentType ?? 'application/json',
      'aws:EventId': event.eventId ?? uuidFrom(`${index}:${JSON.stringify(event.data) ?? ''}`),
      'aws:IngestionTime': new Date(Date.parse(ingestion)).toISOString().replace('.000Z', 'Z'),
      'aws:DeliveryType': 'LIVE',
      ...(event.serviceSystemMetadata ?? {}),
    };
    if (event.eventGroupId !== undefined) {
      system.EventGroupId = event.eventGroupId;
    }
    if (event.deduplicationId !== undefined) {
      system.DeduplicationId = event.deduplicationId;
    }
    const out: any = { Data: event.data, SystemMetadata: system };
    if (event.metadata !== undefined) {
      out.Metadata = event.metadata;
    }
    return out;
  }

  private subscribersOf(eventBus: string | undefined): CompiledSubscriber[] {
    let key: string;
    if (eventBus === undefined) {
      if (this.busNames.length !== 1) {
        throw new Error(`eventBus must be given: the app has ${this.busNames.length} Custom Event Buses (${this.busNames.join(', ')})`);
      }
      key = this.busNames[0];
    } else {
      const bus = this.compiled.map((c) => c.model.bus).find((b) => matchesBus(b, eventBus));
      if (!bus) {
        throw new Error(`no Custom Event Bus ${JSON.stringify(eventBus)} has subscribers; buses: ${this.busNames.join(', ')}`);
      }
      key = bus.key;
    }
    return this.compiled.filter((c) => c.model.bus.key === key && c.model.enabled);
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
            }],
          },
        };
      }
    }
    return { outcome, attempts, elapsed, errorMessage, condition, deadLetter };
  }
}

function compileSubscriber(model: ModelSubscriber): CompiledSubscriber {
  const where = `subscriber ${model.stackName}/${model.logicalId}`;
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
    name: model.name,
    arn: model.arn,
    eventBusName: model.bus.name,
    eventBusArn: model.bus.arn,
    ordering: model.ordering,
    enabled: model.enabled,
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
  const keys = [subscriber.logicalId, subscriber.name, `${subscriber.stackName}/${subscriber.logicalId}`,
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

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function matchesBus(bus: { key: string; name: string; logicalId?: string; arn: string }, eventBus: string): boolean {
  return bus.key === eventBus || bus.name === eventBus || bus.logicalId === eventBus || bus.arn === eventBus;
}
