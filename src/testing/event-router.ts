import { CfnElement, Reference, Stack, Token, Tokenization } from 'aws-cdk-lib';
import { IEventBus } from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { PatternRuleSet } from '../patterns';
import { InputTransformation, TargetInputKind } from './input-transformer';
import { busByResource, busNamed, routerEventBus } from './private/app-bus';
import { DEFAULT_ACCOUNT, DEFAULT_REGION, agnosticWarnings, readCdkStacks, templateStack } from './private/cdk-stacks';
import { RawStack, readCloudAssembly } from './private/cloud-assembly';
import { Blocked, DOCS, blockedTarget, deployErrors, loosenPattern } from './private/delivery-constraints';
import { fillEnvelope, isPutEventsEntry, nowIso, parseEventObject, putEventsEntryFields, uuidFrom } from './private/event-input';
import { simulateDeliveries } from './private/simulator';
import { ModelRule, ModelStack, ModelTarget, TemplateModel, busKey, parseBusArn } from './private/template-model';
import { NonDeliveryReason, RouteExplanation, RouteNonDelivery } from './route-explanation';
import { SimulationOptions, SimulationReport } from './simulation';
import { STATE_WITH_READ_ONLY, isReadOnlyManagementEvent } from '../private/read-only-management-event';

/**
 * Where the router places stacks that do not say (environment-agnostic stacks), and the partition of ARNs.
 */
export interface EventRouterOptions {
  /**
   * The account of environment-agnostic stacks.
   *
   * Stacks with an explicit `env` keep their own account; a warning lists the stacks placed with this default.
   *
   * @default '123456789012'
   */
  readonly account?: string;

  /**
   * The region of environment-agnostic stacks.
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
   * The stack name, for `fromTemplate` (templates do not carry one).
   *
   * @default 'Stack'
   */
  readonly stackName?: string;

  /**
   * Values for what only deploy time knows, so that patterns holding them can be matched: the key names a
   * resource by construct path (`Platform/Uploads`), logical ID (`Uploads1A2B3C4D`) or `<stack>/<logicalId>`
   * and stands for its `Ref`; append `.Attr` for a `Fn::GetAtt` (`Platform/Uploads.Arn`). A stack parameter is
   * named by its logical ID. The value replaces the reference wherever the router resolves one (patterns, bus
   * names, target ARNs), also through `Fn::ImportValue`, `Fn::Join` and `Fn::Sub`.
   *
   * A pattern value that stays unresolved is listed in `warnings`, and `explain()` reports an event that would
   * match but for it (`NonDeliveryReason.UNRESOLVED_PATTERN_VALUE`).
   *
   * @default - no values: deploy-time values stay as placeholders such as `${Ref:Uploads1A2B3C4D}`
   */
  readonly deployTimeValues?: { [resource: string]: string };
}

/**
 * An event bus of the app, identified by account, region and name: an `AWS::Events::EventBus` of a stack, the
 * `default` bus of each account and region the app deploys to, or a bus that rules or targets refer to by name or
 * ARN without defining it (`external`).
 */
export interface RouterEventBus {
  /** The bus name (the `Name` property; the logical ID when the name cannot be resolved offline). */
  readonly name: string;
  /** The ARN of the bus. */
  readonly arn: string;
  /** The account of the bus. */
  readonly account: string;
  /** The region of the bus. */
  readonly region: string;
  /** Whether the app does not define the bus (a `default` bus, or one imported by name or ARN). */
  readonly external: boolean;
  /**
   * The logical ID of the `AWS::Events::EventBus`.
   *
   * @default - none: the bus is not defined in the app
   */
  readonly logicalId?: string;
  /**
   * The stack that defines the bus.
   *
   * @default - none: the bus is not defined in the app
   */
  readonly stackName?: string;
  /**
   * The construct path of the bus resource (`aws:cdk:path` metadata, or `<stack>/<logicalId>`).
   *
   * @default - none: the bus is not defined in the app
   */
  readonly path?: string;
}

/**
 * A target's retry policy.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html
 */
export interface RouterRetryPolicy {
  /** Retries after the first attempt (0 to 185). */
  readonly maximumRetryAttempts: number;
  /** How long, from ingestion, EventBridge keeps trying (60 to 86400 seconds). */
  readonly maximumEventAgeInSeconds: number;
  /** Whether the target has no `RetryPolicy`, so EventBridge's defaults (185 retries, 24 hours) apply. */
  readonly isDefault: boolean;
}

/**
 * A dead-letter queue.
 */
export interface RouterDeadLetterQueue {
  /** The queue ARN (with unresolved parts as `${Ref:X}` / `${GetAtt:X.Arn}`). */
  readonly arn: string;
  /**
   * The logical ID of the queue, when it is in the template.
   *
   * @default - the queue is not in the template
   */
  readonly logicalId?: string;
}

/**
 * A target of a rule.
 */
export interface RouterTarget {
  /** The target `Id` in the rule. */
  readonly id: string;
  /** The target ARN (with unresolved parts as `${Ref:X}` / `${GetAtt:X.Arn}`). */
  readonly arn: string;
  /**
   * The logical ID of the target resource, when its ARN refers to a resource of the template.
   *
   * @default - an external target
   */
  readonly logicalId?: string;
  /** The CloudFormation type of the target resource (`AWS::Lambda::Function`, ...), or 'external'. */
  readonly resourceType: string;
  /** Which input option the target uses. */
  readonly inputKind: TargetInputKind;
  /** The retry policy, with EventBridge's defaults filled in. */
  readonly retryPolicy: RouterRetryPolicy;
  /**
   * The dead-letter queue.
   *
   * @default - none: failed events are dropped
   */
  readonly deadLetterQueue?: RouterDeadLetterQueue;
  /** Whether the target has an IAM role (`RoleArn`). */
  readonly hasRole: boolean;
  /**
   * When the target is an event bus: its ARN. The router routes the event again on that bus.
   *
   * @default - the target is not an event bus
   */
  readonly eventBusArn?: string;
}

/**
 * A rule of the app.
 */
export interface RouterRule {
  /** The logical ID of the `AWS::Events::Rule`. */
  readonly logicalId: string;
  /**
   * The rule's `Name`.
   *
   * @default - generated by CloudFormation at deploy time
   */
  readonly name?: string;
  /** The stack name of the rule. */
  readonly stackName: string;
  /** The stack's construct path, unique in the app (`Dev/Platform`); the stack name for `fromTemplate`. */
  readonly stackId: string;
  /** The construct path of the rule (`aws:cdk:path` metadata, or `<stack>/<logicalId>`). */
  readonly path: string;
  /** The name of the rule's bus. */
  readonly eventBusName: string;
  /** The ARN of the rule's bus (its account and region). */
  readonly eventBusArn: string;
  /** The rule ARN (the logical ID stands in for a generated name). */
  readonly arn: string;
  /** `ENABLED`, `DISABLED` or `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`. */
  readonly state: string;
  /** Whether the rule routes events (every state but `DISABLED`). */
  readonly enabled: boolean;
  /**
   * The event pattern, with intrinsics resolved where possible.
   *
   * @default - a scheduled rule
   */
  readonly eventPattern?: any;
  /**
   * The schedule expression.
   *
   * @default - not scheduled
   */
  readonly scheduleExpression?: string;
  /** The targets. */
  readonly targets: RouterTarget[];
  /**
   * Why the rule cannot deploy (a retry policy out of range, an input transformer EventBridge refuses, a FIFO
   * dead-letter queue): a rule with any never receives an event. Empty when it can.
   */
  readonly deployErrors: string[];
  /** The values of the event pattern only known at deploy time, each with why (empty when there are none). */
  readonly unresolvedPatternValues: string[];
}

/**
 * Options of `route()`.
 */
export interface RouteOptions {
  /**
   * The bus the event is put on: a name, an ARN, a logical ID, `<stack>/<logicalId>`, or a construct path (see
   * `EventRouter.eventBusId` for an `IEventBus`).
   *
   * A name is looked up in the event's account and region (`account` / `region` of the event or of these options);
   * when the app has the name in several accounts or regions and neither says which, the router throws.
   *
   * @default 'default'
   */
  readonly eventBus?: string;

  /**
   * The account the event is put in, for a bus given by name.
   *
   * @default - the event's `account`, else the only account that has a bus of that name
   */
  readonly account?: string;

  /**
   * The region the event is put in, for a bus given by name.
   *
   * @default - the event's `region`, else the only region that has a bus of that name
   */
  readonly region?: string;

  /**
   * Only rules of this stack (its name or its construct path).
   *
   * @default - rules of every stack
   */
  readonly stackName?: string;

  /**
   * The ingestion time (ISO 8601), used for `<aws.events.event.ingestion-time>` and for an event without `time`.
   *
   * @default - the event's `time`, else the current time
   */
  readonly ingestionTime?: string;
}

/**
 * One delivery: a target of a matching rule, and exactly what it receives.
 */
export interface RoutedDelivery {
  /** The rule that matched. */
  readonly rule: RouterRule;
  /** The target. */
  readonly target: RouterTarget;
  /** The event as EventBridge sees it, with the fields EventBridge adds filled in. */
  readonly event: any;
  /** What the target receives, parsed as JSON (a Lambda function's event); the text itself if it is not JSON. */
  readonly input: any;
  /** The exact text the target receives (an SQS message body, an SNS message). */
  readonly inputText: string;
  /** Whether `inputText` is valid JSON. */
  readonly inputIsJson: boolean;
  /**
   * The ARNs of the buses the event passed through, from the bus it was put on to the bus of the rule (one entry
   * when the rule is on the bus the event was put on, two after a bus-to-bus hop).
   */
  readonly path: string[];
  /** Warnings from the input transformation (missing variables, invalid JSON) and from bus-to-bus hops. */
  readonly warnings: string[];
}

/**
 * Routes events through the rules of a synthesized CDK app, offline and in milliseconds: which targets receive an
 * event, with exactly which input, and what happens when they fail.
 *
 * The router sees the whole app: every stack of a cloud assembly (stacks inside a `Stage` included), each with its
 * own account and region. A bus is identified by account, region and name, and an event put on a bus reaches the
 * rules on that bus only. A rule's `EventBusName` may be a name, an ARN, a `Ref` / `Fn::GetAtt` of a bus, an
 * `Fn::ImportValue` of another stack's export, or an ARN built with `Fn::Join` / `Fn::Sub`; what only deploy time
 * knows (a parameter, a custom resource) is listed in `warnings` with the rule's construct path. A target that is an
 * event bus routes the event again on that bus, once: EventBridge does not forward an event that came from another
 * bus to a third bus (`explain()` reports it as `BUS_HOP_NOT_FORWARDED`). What EventBridge would not deliver is never
 * a delivery: see `explain()` and `NonDeliveryReason`.
 *
 * Patterns are matched by this library's event-pattern engine, with every rule of a bus in one `PatternRuleSet`.
 *
 * @example
 * const router = EventRouter.fromStack(stack);
 * const deliveries = router.route({ 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'detail': {} },
 *   { eventBus: 'orders' });
 */
export class EventRouter {
  /**
   * A router for the rules of one stack.
   */
  public static fromStack(stack: Stack, options?: EventRouterOptions): EventRouter {
    return EventRouter.fromStacks([stack], options);
  }

  /**
   * A router for several stacks of one app (for example a platform stack and the team stacks that import its bus).
   */
  public static fromStacks(stacks: Stack[], options?: EventRouterOptions): EventRouter {
    const { stacks: models, agnostic } = readCdkStacks(stacks);
    const router = new EventRouter(models, options ?? {}, agnostic);
    router.cdkStacks.push(...stacks);
    return router;
  }

  /**
   * A router for a CloudFormation template: a JSON object, or an `aws-cdk-lib/assertions` `Template`.
   */
  public static fromTemplate(template: any, options?: EventRouterOptions): EventRouter {
    return new EventRouter([templateStack(template, options?.stackName, 'EventRouter.fromTemplate')], options ?? {}, []);
  }

  /**
   * A router for every stack of a cloud assembly (a `cdk.out` directory), nested assemblies of `Stage`s included.
   * Each stack gets the account and region of its artifact's environment.
   *
   * @throws Error if the directory is not a cloud assembly, or a manifest or template cannot be read
   */
  public static fromCloudAssembly(directory: string, options?: EventRouterOptions): EventRouter {
    const { stacks, agnostic } = readCloudAssembly(directory);
    return new EventRouter(stacks, options ?? {}, agnostic);
  }

  /**
   * The logical ID of a construct: of the construct itself if it is a `CfnElement`, else of its `defaultChild`.
   *
   * @throws Error if the construct has no CloudFormation resource
   */
  public static logicalIdOf(construct: IConstruct): string {
    const element = (CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild) as CfnElement | undefined;
    if (!element || !CfnElement.isCfnElement(element)) {
      throw new Error(`${construct.node.path} has no CloudFormation resource (no defaultChild): pass the logical ID instead`);
    }
    return Stack.of(element).resolve(element.logicalId);
  }

  /**
   * How to name a bus in `RouteOptions.eventBus` / `--bus`: the construct path of a bus defined in the app, the ARN for an imported bus (`EventBus.fromEventBusArn`), or, for a bus imported by
   * name, `arn:...` built from its stack's account and region.
   *
   * @throws Error if the bus is imported with an ARN or name that is only known at deploy time
   */
  public static eventBusId(eventBus: IEventBus): string {
    const construct: IConstruct = eventBus;
    const element = construct.node?.defaultChild;
    if (element && CfnElement.isCfnElement(element)) {
      return construct.node.path;
    }
    if (!Token.isUnresolved(eventBus.eventBusArn)) {
      return eventBus.eventBusArn;
    }
    const stack = Stack.of(construct);
    if (!Token.isUnresolved(eventBus.eventBusName) && !Token.isUnresolved(stack.account) && !Token.isUnresolved(stack.region)) {
      return `arn:${Token.isUnresolved(stack.partition) ? 'aws' : stack.partition}:events:${stack.region}:${stack.account}:event-bus/${eventBus.eventBusName}`;
    }
    throw new Error(`${construct.node.path}: the bus's ARN is only known at deploy time; import it with a literal ARN, or pass the bus name and the account and region`);
  }

  private readonly model: TemplateModel;
  private readonly ruleSets = new Map<string, PatternRuleSet>();
  private readonly ruleByKey = new Map<string, ModelRule>();
  private readonly stackList: ModelStack[];
  private readonly routerWarnings: string[] = [];
  /** Rules that would match but are `DISABLED`, per bus: to say why an event does not reach them. */
  private readonly dormantSets = new Map<string, PatternRuleSet>();
  /** Rules whose patterns hold deploy-time values, with those lists loosened to `exists`, per bus. */
  private readonly looseSets = new Map<string, PatternRuleSet>();
  private readonly blocked = new Map<ModelTarget, Blocked>();
  private readonly ruleDeployErrors = new Map<ModelRule, Array<{ message: string; documentation: string }>>();
  /** The CDK stacks (for `fromStack(s)`): tokens in test events are resolved against them. */
  private readonly cdkStacks: Stack[] = [];

  private constructor(raw: RawStack[], options: EventRouterOptions, agnostic: string[]) {
    const partition = options.partition ?? 'aws';
    const account = options.account ?? DEFAULT_ACCOUNT;
    const region = options.region ?? DEFAULT_REGION;
    this.stackList = raw.map((s) => ({
      stackName: s.stackName,
      stackId: s.stackId,
      template: s.template,
      paths: s.paths,
      constructPaths: s.constructPaths,
      env: { account: s.account ?? account, region: s.region ?? region, partition },
    }));
    this.routerWarnings.push(...agnosticWarnings(agnostic, account, region));
    const bindings = options.deployTimeValues ?? {};
    this.model = new TemplateModel(this.stackList, bindings);
    this.routerWarnings.push(...this.model.warnings);
    for (const rule of this.model.rules) {
      this.ruleByKey.set(rule.key, rule);
      this.checkRule(rule);
      if (rule.pattern === undefined) {
        continue;
      }
      addTo(rule.state === 'DISABLED' ? this.dormantSets : this.ruleSets, rule.bus.key, rule.key, rule.pattern);
      if (rule.unresolvedPatternValues.length > 0) {
        try {
          addTo(this.looseSets, rule.bus.key, rule.key, loosenPattern(rule.pattern));
        } catch {
          // A loosened pattern the engine refuses only loses the UNRESOLVED_PATTERN_VALUE explanation; the
          // warning about the unresolved values stays.
        }
      }
    }
    const unused = Object.keys(bindings).filter((k) => !this.model.usedBindings.has(k));
    if (unused.length > 0) {
      this.routerWarnings.push(`deploy-time values ${unused.map((k) => JSON.stringify(k)).join(', ')} name no resource that a rule refers to (use a construct path, a logical ID or <stack>/<logicalId>, with .Attr for Fn::GetAtt)`);
    }
  }

  /** Records what makes a rule or a target unable to receive events, and warns about it. */
  private checkRule(rule: ModelRule): void {
    const errors = deployErrors(rule);
    if (errors.length > 0) {
      this.ruleDeployErrors.set(rule, errors);
      this.routerWarnings.push(`rule ${rule.path} cannot deploy, so it routes nothing: ${errors.map((e) => e.message).join('; ')}`);
    }
    for (const target of rule.targets) {
      const blocked = blockedTarget(rule.bus, target);
      if (blocked) {
        this.blocked.set(target, blocked);
        this.routerWarnings.push(`rule ${rule.path}: ${blocked.message}`);
      }
    }
    if (rule.unresolvedPatternValues.length > 0 && rule.state !== 'DISABLED') {
      this.routerWarnings.push(`rule ${rule.path}: its event pattern holds values only known at deploy time: ${rule.unresolvedPatternValues.join('; ')}. `
        + 'An event matches only if it carries the same placeholder; bind each value (EventRouterOptions.deployTimeValues, or --bind <construct path or logical ID>=<value>)');
    }
  }

  /**
   * The buses: for each account and region of the app its `default` bus, every `AWS::Events::EventBus`, and the
   * buses that rules and targets refer to without defining them.
   */
  public get buses(): RouterEventBus[] {
    return this.model.buses.map(routerEventBus);
  }

  /** Every rule whose bus is known, in template order, stack by stack. */
  public get rules(): RouterRule[] {
    return this.model.rules.map((r) => this.ruleInfo(r));
  }

  /** The names of the stacks the router was built from. */
  public get stacks(): string[] {
    return this.stackList.map((s) => s.stackName);
  }

  /**
   * What the router could not model: environment-agnostic stacks placed in the default account and region, rules
   * whose bus is only known at deploy time (named by construct path), targets whose ARN cannot be resolved.
   */
  public get warnings(): string[] {
    return [...this.routerWarnings];
  }

  /**
   * The deliveries of one event: every target of every enabled rule on the bus whose pattern matches, in rule
   * order, with the exact input each target receives; then, for each target that is an event bus, the deliveries
   * of the rules on that bus (see `RoutedDelivery.path`).
   *
   * The event may be a full event or a `PutEvents` entry (`Source`, `DetailType`, `Detail` as text), as an object
   * or as JSON text. Fields that EventBridge adds are filled in when missing: `version` '0', `id` (a UUID derived
   * from the event's content, so runs are repeatable), `time` (the ingestion time), `account` and `region` (the
   * bus's), `resources` [] and `detail` {}.
   *
   * @throws Error on invalid JSON text, an unknown or ambiguous bus, or an unknown stack
   */
  public route(event: any, options?: RouteOptions): RoutedDelivery[] {
    return this.explain(event, options).deliveries;
  }

  /**
   * The deliveries of one event (as `route`), and every target on the event's path that EventBridge would not
   * deliver to, each with a reason code and a message: a `DISABLED` rule whose pattern matches, a read-only
   * CloudTrail management event on an `ENABLED` rule, a rule whose template cannot deploy, a target EventBridge
   * cannot reach (another account or Region, no execution role), a pattern that would match but for a value only
   * known at deploy time. See `NonDeliveryReason`.
   *
   * @throws Error on invalid JSON text, an unknown or ambiguous bus, or an unknown stack
   */
  public explain(event: any, options?: RouteOptions): RouteExplanation {
    const opts = options ?? {};
    const parsed = this.parseEvent(event);
    const bus = this.resolveBus(opts.eventBus, opts.account ?? stringField(parsed, 'account'), opts.region ?? stringField(parsed, 'region'));
    const stack = this.checkStack(opts.stackName);
    const ingestionTime = opts.ingestionTime ?? nowIso();
    const full = this.normalize(parsed, ingestionTime, bus.account, bus.region);
    const deliveries: RoutedDelivery[] = [];
    const notDelivered: RouteNonDelivery[] = [];
    this.routeOnBus(bus.key, full, [bus.arn], stack, opts.ingestionTime ?? full.time, deliveries, notDelivered);
    return { deliveries, notDelivered };
  }

  /**
   * The buses, other than the one named, on which some enabled rule matches the event: what to try when an event
   * reaches nothing.
   */
  public busesMatching(event: any, options?: RouteOptions): RouterEventBus[] {
    const parsed = this.parseEvent(event);
    const full = this.normalize(parsed, options?.ingestionTime ?? nowIso(), stringField(parsed, 'account') ?? '', stringField(parsed, 'region') ?? '');
    const out: RouterEventBus[] = [];
    for (const bus of this.model.buses) {
      const set = this.ruleSets.get(bus.key);
      if (set && set.matchingRules({ ...full, account: full.account || bus.account, region: full.region || bus.region }).length > 0) {
        out.push(routerEventBus(bus));
      }
    }
    return out;
  }

  /**
   * Routes events and simulates their delivery: each target's handler is called (a throw is a failed attempt);
   * a failed delivery is retried per the target's retry policy on a simulated clock, then dead-lettered or dropped.
   * Every matched target gets exactly one outcome per event. See `SimulationOptions` for the retry model.
   *
   * @param events the events, as objects or JSON text
   */
  public simulate(events: any[], options?: SimulationOptions): SimulationReport {
    return simulateDeliveries(this, events, options ?? {});
  }

  /**
   * The event as EventBridge delivers it: parsed from JSON text if needed, a `PutEvents` entry converted, and the
   * fields EventBridge adds filled in (see `route`; `account` and `region` are those of the `default` bus the event
   * would be put on).
   *
   * @param event the event, as an object or JSON text
   * @param ingestionTime the ISO 8601 time used for a missing `time`
   * @default - ingestionTime is the current time
   */
  public normalizeEvent(event: any, ingestionTime?: string): any {
    const parsed = this.parseEvent(event);
    const first = this.stackList[0]?.env ?? { account: DEFAULT_ACCOUNT, region: DEFAULT_REGION };
    return this.normalize(parsed, ingestionTime ?? nowIso(), first.account, first.region);
  }

  /** @internal */
  public _resolveBusKey(eventBus: string, account?: string, region?: string): string {
    return this.resolveBus(eventBus, account, region).key;
  }

  /** @internal */
  public get _model(): TemplateModel {
    return this.model;
  }

  private routeOnBus(key: string, event: any, busPath: string[], stack: ModelStack | undefined, ingestionTime: string,
    out: RoutedDelivery[], notDelivered: RouteNonDelivery[]): void {
    const inStack = (rule: ModelRule) => stack === undefined || rule.stackId === stack.stackId;
    const skip = (rule: ModelRule, reason: NonDeliveryReason, message: string, documentation: string) => {
      notDelivered.push({ reason, message, documentation, rule: this.ruleInfo(rule), path: busPath });
    };
    const matched = this.ruleSets.get(key)?.matchingRules(event) ?? [];
    for (const ruleKey of this.dormantSets.get(key)?.matchingRules(event) ?? []) {
      const rule = this.ruleByKey.get(ruleKey)!;
      if (inStack(rule)) {
        skip(rule, NonDeliveryReason.RULE_DISABLED, `rule ${rule.path} matches the event but its state is DISABLED: EventBridge does not match events against it`, DOCS.ruleState);
      }
    }
    const loose = this.looseSets.get(key)?.matchingRules(event) ?? [];
    for (const ruleKey of loose) {
      const rule = this.ruleByKey.get(ruleKey)!;
      if (!matched.includes(ruleKey) && rule.state !== 'DISABLED' && inStack(rule)) {
        skip(rule, NonDeliveryReason.UNRESOLVED_PATTERN_VALUE, `rule ${rule.path} would match the event but for values of its pattern only known at deploy time (${rule.unresolvedPatternValues.join('; ')}); `
          + 'bind them with EventRouterOptions.deployTimeValues or --bind to know', DOCS.patterns);
      }
    }
    const readOnly = isReadOnlyManagementEvent(event);
    for (const ruleKey of matched) {
      const rule = this.ruleByKey.get(ruleKey)!;
      if (!inStack(rule)) {
        continue;
      }
      const errors = this.ruleDeployErrors.get(rule);
      if (errors !== undefined) {
        skip(rule, NonDeliveryReason.TEMPLATE_CANNOT_DEPLOY, `rule ${rule.path} matches the event but cannot deploy: ${errors.map((e) => e.message).join('; ')}`, errors[0].documentation);
        continue;
      }
      if (readOnly && rule.state !== STATE_WITH_READ_ONLY) {
        skip(rule, NonDeliveryReason.READ_ONLY_MANAGEMENT_EVENT, `rule ${rule.path} matches the event, but ${event.detail.eventName} is a read-only CloudTrail management event `
          + `and the rule's state is ${rule.state}: only rules in state ${STATE_WITH_READ_ONLY} receive it`, DOCS.readOnly);
        continue;
      }
      const info = this.ruleInfo(rule);
      rule.targets.forEach((target, i) => {
        const blocked = this.blocked.get(target);
        if (blocked !== undefined) {
          notDelivered.push({ ...blocked, rule: info, target: info.targets[i], path: busPath });
          return;
        }
        if (target.busKey !== undefined && busPath.length > 1) {
          notDelivered.push({
            reason: NonDeliveryReason.BUS_HOP_NOT_FORWARDED,
            message: `target ${target.id} of rule ${rule.path} is the event bus ${info.targets[i].eventBusArn ?? target.arn}, but the event came to ${rule.bus.arn} from another event bus, and EventBridge does not send such an event on to a third bus`,
            documentation: DOCS.busHops,
            rule: info,
            target: info.targets[i],
            path: busPath,
          });
          return;
        }
        const transformed = InputTransformation.transform(event, target.input, {
          ruleArn: info.arn,
          ruleName: info.name ?? rule.logicalId,
          ingestionTime,
          targetId: `${rule.logicalId}/${target.id}`,
        });
        const warnings = [...transformed.warnings];
        const next = target.busKey !== undefined ? this.model.bus(target.busKey) : undefined;
        const forward = next !== undefined;
        if (next !== undefined) {
          warnings.push(...hopWarnings(rule, next, target));
        }
        out.push({
          rule: info,
          target: info.targets[i],
          event,
          input: transformed.value,
          inputText: transformed.text,
          inputIsJson: transformed.isJson,
          path: busPath,
          warnings,
        });
        if (forward) {
          // The receiving bus gets the event as it is: id, account, region, time and detail are kept.
          this.routeOnBus(next.key, event, [...busPath, next.arn], stack, ingestionTime, out, notDelivered);
        }
      });
    }
  }

  private checkStack(name?: string): ModelStack | undefined {
    if (name === undefined) {
      return undefined;
    }
    const byId = this.stackList.find((s) => s.stackId === name);
    if (byId) {
      return byId;
    }
    const byName = this.stackList.filter((s) => s.stackName === name);
    if (byName.length === 1) {
      return byName[0];
    }
    if (byName.length > 1) {
      throw new Error(`stack name "${name}" is ambiguous: ${byName.map((s) => s.stackId).join(', ')}; use the stack's construct path`);
    }
    throw new Error(`unknown stack "${name}"; the app has: ${this.stackList.map((s) => s.stackId === s.stackName ? s.stackName : `${s.stackName} (${s.stackId})`).join(', ')}`);
  }

  private parseEvent(event: any): any {
    let e = parseEventObject(event);
    if (this.cdkStacks.length > 0) {
      e = this.resolveTokens(e, 0);
    }
    // A `source` beside `Source` / `DetailType` does not make it an event here (the Custom Event Bus router reads it
    // as an event): kept as it was.
    return isPutEventsEntry(e, true) ? putEventsEntryFields(e) : e;
  }

  /**
   * Replaces CDK tokens in a test event (`bucket.bucketName`) with what the router makes of the same reference in a
   * pattern: the bound deploy-time value, or the same placeholder (`${Ref:Bucket83908E77}`).
   */
  private resolveTokens(value: any, depth: number): any {
    if (typeof value === 'string') {
      return Token.isUnresolved(value) ? this.tokenValue(value) : value;
    }
    if (depth > 32 || value === null || typeof value !== 'object') {
      return value;
    }
    if (Array.isArray(value)) {
      return value.map((v) => this.resolveTokens(v, depth + 1));
    }
    if (Object.getPrototypeOf(value) !== Object.prototype) {
      return value;
    }
    const out: any = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = this.resolveTokens(v, depth + 1);
    }
    return out;
  }

  private tokenValue(text: string): any {
    let owner: Stack = this.cdkStacks[0];
    for (const token of Tokenization.reverseString(text).tokens) {
      if (token instanceof Reference && CfnElement.isCfnElement(token.target)) {
        owner = Stack.of(token.target);
        break;
      }
    }
    const model = this.stackList.find((s) => s.stackId === owner.node.path) ?? this.stackList[0];
    let intrinsic: any;
    try {
      intrinsic = owner.resolve(text);
    } catch {
      return text; // a token only its own scope can resolve: left as it is
    }
    return this.model.resolveDeep(model, intrinsic);
  }

  private normalize(e: any, ingestionTime: string, account: string, region: string): any {
    // The Classic router's ids are UUID-shaped without the version-4 digits (kept as they were: tests and users may
    // pin them); the Custom Event Bus router's are version-4-shaped.
    return fillEnvelope(e, { id: e.id ?? uuidFrom(JSON.stringify(e), false), account, region, time: ingestionTime });
  }

  private resolveBus(wanted: string | undefined, account: string | undefined, region: string | undefined): ModelBusView {
    const name = wanted !== undefined && Token.isUnresolved(wanted) ? tokenBusPath(wanted) : wanted ?? 'default';
    const buses = this.model.buses;
    const arn = parseBusArn(name);
    if (arn) {
      const bus = this.model.bus(busKey(arn.account, arn.region, arn.name));
      if (!bus) {
        throw new Error(`unknown event bus ${name}: no rule, target or bus of the app is on it; the app has: ${listBuses(buses)}`);
      }
      return bus;
    }
    const byResource = busByResource(buses, name, 'event bus');
    if (byResource) {
      return byResource;
    }
    const byName = busNamed(buses, name, account, region, {
      ambiguous: (where) => `event bus "${name}" is ambiguous: the app has it in ${where}; say which with the event's account and region, the account and region options (--account, --region), or the bus ARN`,
      elsewhere: (where) => `unknown event bus "${name}" in account ${account ?? 'any'}, region ${region ?? 'any'}: the app has "${name}" only in ${where}`,
    });
    if (byName) {
      return byName;
    }
    throw new Error(`unknown event bus "${name}"; the app has: ${listBuses(buses)}`);
  }

  private ruleInfo(rule: ModelRule): RouterRule {
    const name = rule.name ?? rule.logicalId;
    const bus = rule.bus;
    return {
      logicalId: rule.logicalId,
      name: rule.name,
      stackName: rule.stackName,
      stackId: rule.stackId,
      path: rule.path,
      eventBusName: bus.name,
      eventBusArn: bus.arn,
      arn: `arn:${bus.partition}:events:${bus.region}:${bus.account}:rule/${bus.name === 'default' ? '' : `${bus.name}/`}${name}`,
      state: rule.state,
      enabled: rule.state !== 'DISABLED',
      eventPattern: rule.pattern,
      scheduleExpression: rule.scheduleExpression,
      targets: rule.targets.map((t) => ({
        id: t.id,
        arn: t.arn,
        logicalId: t.logicalId,
        resourceType: t.resourceType,
        inputKind: t.input.inputTemplate !== undefined || t.input.inputPathsMap !== undefined ? TargetInputKind.INPUT_TRANSFORMER
          : t.input.inputPath !== undefined ? TargetInputKind.INPUT_PATH
            : t.input.input !== undefined ? TargetInputKind.CONSTANT : TargetInputKind.MATCHED_EVENT,
        retryPolicy: { maximumRetryAttempts: t.retryAttempts, maximumEventAgeInSeconds: t.maxEventAgeSeconds, isDefault: t.retryPolicyIsDefault },
        deadLetterQueue: t.deadLetterArn === undefined ? undefined : { arn: t.deadLetterArn, logicalId: t.deadLetterLogicalId },
        hasRole: t.hasRole,
        eventBusArn: t.busKey !== undefined ? this.model.bus(t.busKey)?.arn : undefined,
      })),
      deployErrors: (this.ruleDeployErrors.get(rule) ?? []).map((e) => e.message),
      unresolvedPatternValues: [...rule.unresolvedPatternValues],
    };
  }
}

type ModelBusView = ReturnType<TemplateModel['busAt']>;

/** The construct path behind a bus token (`bus.eventBusName`, `bus.eventBusArn` of a bus of the app). */
function tokenBusPath(token: string): string {
  const ref = Tokenization.reverse(token);
  if (ref instanceof Reference && CfnElement.isCfnElement(ref.target)) {
    return ref.target.node.path;
  }
  throw new Error(`the event bus "${token}" is a token the router cannot follow; pass a name, an ARN or EventRouter.eventBusId(bus)`);
}

function addTo(sets: Map<string, PatternRuleSet>, bus: string, key: string, pattern: any): void {
  let set = sets.get(bus);
  if (!set) {
    set = new PatternRuleSet();
    sets.set(bus, set);
  }
  set.add(key, pattern);
}

function listBuses(buses: ModelBusView[]): string {
  return buses.map((b) => `${b.name} (${b.account}/${b.region}${b.path ? `, ${b.path}` : ''})`).join(', ');
}

function stringField(event: any, field: string): string | undefined {
  return typeof event[field] === 'string' ? event[field] : undefined;
}

/** What EventBridge requires of a bus-to-bus hop, and what it refuses. */
function hopWarnings(rule: ModelRule, next: ModelBusView, target: ModelTarget): string[] {
  const out: string[] = [];
  const crossAccount = next.account !== rule.bus.account;
  const crossRegion = next.region !== rule.bus.region;
  if ((crossAccount || crossRegion) && !target.hasRole) {
    out.push(`target ${target.id} is an event bus in another ${crossAccount ? 'account' : 'region'} and has no RoleArn: EventBridge needs an IAM role allowed to call events:PutEvents on ${next.arn}`);
  }
  if (target.input.input !== undefined || target.input.inputPath !== undefined || target.input.inputTemplate !== undefined) {
    out.push(`target ${target.id} is an event bus: the router forwards the matched event as it is`);
  }
  return out;
}
