import { CustomBusRouter, RouterSubscriber } from './custom-bus-router';
import { EventRouter } from './event-router';
import { ModelBus, ModelRule, ModelStack, TemplateModel, parseBusArn } from './private/template-model';

/**
 * Options of `EventFlowDiagram.mermaid()`.
 */
export interface EventFlowDiagramOptions {
  /**
   * Draw only this bus (a name, ARN, logical ID or construct path, as for `RouteOptions.eventBus`), the buses that
   * forward to it and the buses it forwards to.
   *
   * @default - every bus that has a rule or a producer
   */
  readonly eventBus?: string;

  /**
   * The account of the bus, when `eventBus` is a name the app has in several accounts.
   *
   * @default - the only account with a bus of that name
   */
  readonly account?: string;

  /**
   * The region of the bus, when `eventBus` is a name the app has in several regions.
   *
   * @default - the only region with a bus of that name
   */
  readonly region?: string;

  /**
   * The app's Custom Event Buses: each is drawn with its subscribers and their targets. With `eventBus` naming a
   * Custom Event Bus, only that bus is drawn.
   *
   * @default - no Custom Event Bus is drawn
   */
  readonly customBusRouter?: CustomBusRouter;
}

/** The longest pattern summary on a rule node. */
const SUMMARY_MAX = 60;

/**
 * Draws the event flows of a synthesized app as a Mermaid flowchart, from the same whole-app model as
 * `EventRouter`: buses grouped by account and region; producers (functions and state machines whose role may call
 * `events:PutEvents` on a bus, pipes whose target is a bus, IoT topic rules that invoke such a producer, buckets
 * with EventBridge notifications on the default bus, partner event sources on their partner bus); rules with a
 * short summary of their pattern, targets, dead-letter queues, bus-to-bus hops; and, with `customBusRouter`,
 * Custom Event Buses with their subscribers and targets. Every node is declared once.
 *
 * @example
 * const text = EventFlowDiagram.mermaid(EventRouter.fromCloudAssembly('cdk.out'), { eventBus: 'platform' });
 */
export class EventFlowDiagram {
  /**
   * The Mermaid flowchart text (starts with `flowchart LR`).
   */
  public static mermaid(router: EventRouter, options?: EventFlowDiagramOptions): string {
    return new DiagramBuilder(router._model, router, options ?? {}).render();
  }

  private constructor() {}
}

/** Something that puts events on a bus: drawn as a node with an edge to the bus. */
interface Producer {
  /** The construct path (or the partner event source's name). */
  readonly name: string;
  /** Its CloudFormation type, or `partner` for a partner event source. */
  readonly type: string;
  /** The edge's label. */
  readonly how: string;
}

/** A Custom Event Bus, from its subscribers. */
interface CustomBusView {
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly subscribers: RouterSubscriber[];
}

/** The node kinds producers are drawn with. */
const PRODUCER_KIND: { [type: string]: string } = {
  'AWS::Lambda::Function': 'λ',
  'AWS::StepFunctions::StateMachine': 'state machine',
  'AWS::Pipes::Pipe': 'pipe',
  'AWS::Scheduler::Schedule': 'schedule',
  'AWS::S3::Bucket': 'bucket',
  'AWS::IoT::TopicRule': 'IoT rule',
  'partner': 'partner source',
};

class DiagramBuilder {
  private readonly ids = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly declared = new Set<string>();
  private readonly lines: string[] = [];

  constructor(private readonly model: TemplateModel, private readonly router: EventRouter, private readonly options: EventFlowDiagramOptions) {}

  public render(): string {
    const rules = this.model.rules;
    const producers = this.producers();
    let customBuses = this.customBuses();
    let buses = this.model.buses.filter((b) => rules.some((r) => r.bus.key === b.key) || producers.has(b.arn)
      || rules.some((r) => r.targets.some((t) => t.busKey === b.key)));
    /** Rules to draw on each bus: all of them, or (upstream of the chosen bus) only those that forward to it. */
    let ruleFilter: (rule: ModelRule) => boolean = () => true;
    if (this.options.eventBus !== undefined) {
      const wanted = this.options.eventBus;
      const custom = customBuses.filter((c) => c.name === wanted || c.arn === wanted);
      if (custom.length === 0 && this.options.customBusRouter?.hasEventBus(wanted)) {
        throw new Error(`--bus ${wanted}: give a Custom Event Bus by its name or ARN to draw it`);
      }
      if (custom.length > 0) {
        customBuses = custom;
        buses = [];
      } else {
        customBuses = [];
        const chosen = this.router._resolveBusKey(wanted, this.options.account, this.options.region);
        const upstream = new Set<string>();
        const downstream = new Set<string>();
        for (const r of rules) {
          for (const t of r.targets) {
            if (t.busKey === chosen && r.bus.key !== chosen) upstream.add(r.bus.key);
            if (r.bus.key === chosen && t.busKey !== undefined && t.busKey !== chosen) downstream.add(t.busKey);
          }
        }
        buses = buses.filter((b) => b.key === chosen || upstream.has(b.key) || downstream.has(b.key));
        ruleFilter = (r) => r.bus.key === chosen || (upstream.has(r.bus.key) && r.targets.some((t) => t.busKey === chosen));
      }
    }
    const shown = new Set(buses.map((b) => b.key));
    this.lines.push('flowchart LR');
    const groups = new Map<string, { classic: ModelBus[]; custom: CustomBusView[] }>();
    for (const bus of buses) {
      const key = `${bus.account} · ${bus.region}`;
      const g = groups.get(key) ?? { classic: [], custom: [] };
      g.classic.push(bus);
      groups.set(key, g);
    }
    for (const bus of customBuses) {
      const key = `${bus.account} · ${bus.region}`;
      const g = groups.get(key) ?? { classic: [], custom: [] };
      g.custom.push(bus);
      groups.set(key, g);
    }
    const edges: string[] = [];
    for (const [group, members] of groups) {
      this.lines.push(`  subgraph ${this.id('env', group)}["account ${group}"]`);
      for (const bus of members.classic) {
        this.declare(this.id('bus', bus.key), `(["${label(`bus ${bus.name}`)}"])`);
        this.renderProducers(producers.get(bus.arn) ?? [], this.id('bus', bus.key), edges);
        for (const rule of rules.filter((r) => r.bus.key === bus.key && ruleFilter(r))) {
          this.renderRule(rule, shown, edges);
        }
      }
      for (const bus of members.custom) {
        this.renderCustomBus(bus, producers.get(bus.arn) ?? [], edges);
      }
      this.lines.push('  end');
    }
    return [...this.lines, ...edges].join('\n') + '\n';
  }

  private renderProducers(list: Producer[], busId: string, edges: string[]): void {
    for (const p of list) {
      edges.push(`  ${this.resourceNode(p.name, p.type)} -- ${label(p.how)} --> ${busId}`);
    }
  }

  private renderRule(rule: ModelRule, shown: Set<string>, edges: string[]): void {
    const ruleId = this.id('rule', rule.key);
    const state = rule.state === 'DISABLED' ? ' (disabled)' : '';
    this.declare(ruleId, `{{"${label(`${rule.path}${state}`)}<br/>${label(summary(rule))}"}}`);
    edges.push(`  ${this.id('bus', rule.bus.key)} --> ${ruleId}`);
    for (const target of rule.targets) {
      if (target.busKey !== undefined) {
        if (!shown.has(target.busKey)) {
          const bus = this.model.bus(target.busKey)!;
          this.declare(this.id('bus', bus.key), `(["${label(`bus ${bus.name} (${bus.account} · ${bus.region})`)}"])`);
          shown.add(bus.key);
        }
        edges.push(`  ${ruleId} == ${label(target.id)} ==> ${this.id('bus', target.busKey)}`);
      } else {
        const name = target.logicalId !== undefined ? this.model.pathOf(rule.stack, target.logicalId) : target.arn;
        edges.push(`  ${ruleId} --> ${this.resourceNode(name, target.resourceType)}`);
      }
      if (target.deadLetterArn !== undefined) {
        const dlq = target.deadLetterLogicalId !== undefined ? this.model.pathOf(rule.stack, target.deadLetterLogicalId) : target.deadLetterArn;
        const dlqId = this.id('dlq', dlq);
        this.declare(dlqId, `[("${label(`DLQ ${dlq}`)}")]`);
        edges.push(`  ${ruleId} -. ${label(`${target.id} failed`)} .-> ${dlqId}`);
      }
    }
  }

  /** A Custom Event Bus, its producers, and each subscriber with its filters' scope, target and dead-letter queue. */
  private renderCustomBus(bus: CustomBusView, producers: Producer[], edges: string[]): void {
    const busId = this.id('cbus', bus.arn);
    this.declare(busId, `(["${label(`Custom Event Bus ${bus.name}`)}"])`);
    this.renderProducers(producers, busId, edges);
    for (const s of bus.subscribers) {
      const stack = this.stackNamed(s.stackName);
      const path = stack !== undefined ? this.model.pathOf(stack, s.logicalId) : `${s.stackName}/${s.logicalId}`;
      const subId = this.id('sub', `${s.stackName}/${s.logicalId}`);
      const off = s.enabled ? '' : ' (disabled)';
      this.declare(subId, `[/"${label(`${path}${off}`)}<br/>${label(`subscriber ${s.name}, ${s.ordering}`)}"/]`);
      edges.push(`  ${busId} --> ${subId}`);
      const target = s.targetLogicalId !== undefined && stack !== undefined ? this.model.pathOf(stack, s.targetLogicalId) : s.targetArn;
      edges.push(`  ${subId} --> ${this.resourceNode(target, s.targetResourceType)}`);
      if (s.deadLetterQueue !== undefined) {
        const dlqLogicalId = s.deadLetterQueue.logicalId;
        const dlq = dlqLogicalId !== undefined && stack !== undefined ? this.model.pathOf(stack, dlqLogicalId) : s.deadLetterQueue.arn;
        const dlqId = this.id('dlq', dlq);
        this.declare(dlqId, `[("${label(`DLQ ${dlq}`)}")]`);
        edges.push(`  ${subId} -. failed .-> ${dlqId}`);
      }
    }
  }

  private stackNamed(stackName: string): ModelStack | undefined {
    const found = this.model.resourcesOfType('AWS::EventsV2::Subscriber').find((r) => r.stack.stackName === stackName);
    return found?.stack;
  }

  /** The Custom Event Buses that have subscribers, in order of their first subscriber. */
  private customBuses(): CustomBusView[] {
    const out = new Map<string, CustomBusView>();
    for (const s of this.options.customBusRouter?.subscribers ?? []) {
      let bus = out.get(s.eventBusArn);
      if (bus === undefined) {
        const m = /^arn:[^:]+:[^:]+:([^:]*):([^:]*):/.exec(s.eventBusArn);
        bus = { name: s.eventBusName, arn: s.eventBusArn, region: m?.[1] ?? '?', account: m?.[2] ?? '?', subscribers: [] };
        out.set(s.eventBusArn, bus);
      }
      bus.subscribers.push(s);
    }
    return [...out.values()];
  }

  /**
   * Bus ARN → what puts events on it:
   * - functions and state machines whose role may call `events:PutEvents` on the bus;
   * - pipes whose target is the bus (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-target.html);
   * - EventBridge Scheduler schedules whose target is the bus
   *   (https://docs.aws.amazon.com/scheduler/latest/UserGuide/managing-targets-templated.html);
   * - buckets with EventBridge notifications, on the default bus of their account and Region
   *   (https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html);
   * - partner event sources, on the partner event bus of the same name
   *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-saas.html);
   * - IoT topic rules, which have no EventBridge action
   *   (https://docs.aws.amazon.com/iot/latest/developerguide/iot-rule-actions.html): drawn when a rule's Lambda or
   *   Step Functions action invokes one of the producers above, as a producer of the same bus.
   */
  private producers(): Map<string, Producer[]> {
    const out = new Map<string, Producer[]>();
    const add = (arn: string, p: Producer) => {
      const list = out.get(arn) ?? [];
      if (!list.some((x) => x.name === p.name)) {
        list.push(p);
      }
      out.set(arn, list);
    };
    const roleHolders = [
      ...this.model.resourcesOfType('AWS::Lambda::Function').map((r) => ({ ...r, roleProp: 'Role', type: 'AWS::Lambda::Function' })),
      ...this.model.resourcesOfType('AWS::StepFunctions::StateMachine').map((r) => ({ ...r, roleProp: 'RoleArn', type: 'AWS::StepFunctions::StateMachine' })),
    ];
    /** stack name/logical ID of a producer → the bus ARNs it puts on. */
    const producerBuses = new Map<string, string[]>();
    for (const { stack, resource } of this.model.resourcesOfType('AWS::IAM::Policy')) {
      const statements = resource.Properties?.PolicyDocument?.Statement;
      const roles: any[] = Array.isArray(resource.Properties?.Roles) ? resource.Properties.Roles : [];
      if (!Array.isArray(statements)) {
        continue;
      }
      for (const s of statements) {
        const actions = ([] as any[]).concat(s?.Action ?? []);
        if (s?.Effect !== 'Allow' || !actions.some((a) => a === 'events:PutEvents' || a === 'events:*')) {
          continue;
        }
        for (const r of ([] as any[]).concat(s.Resource ?? [])) {
          const arn = this.model.tryResolveString(stack, r);
          if (arn === undefined || !/^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/.+$/.test(arn)) {
            continue;
          }
          for (const holder of holdersOfRoles(stack, roles, roleHolders)) {
            add(arn, { name: this.model.pathOf(stack, holder.logicalId), type: holder.type, how: 'PutEvents' });
            const key = `${stack.stackName}/${holder.logicalId}`;
            producerBuses.set(key, [...(producerBuses.get(key) ?? []), arn]);
          }
        }
      }
    }
    for (const { stack, logicalId, resource } of this.model.resourcesOfType('AWS::Pipes::Pipe')) {
      const arn = this.model.tryResolveString(stack, resource.Properties?.Target);
      if (arn !== undefined && parseBusArn(arn)) {
        add(arn, { name: this.model.pathOf(stack, logicalId), type: 'AWS::Pipes::Pipe', how: 'pipe target' });
      }
    }
    for (const { stack, logicalId, resource } of this.model.resourcesOfType('AWS::Scheduler::Schedule')) {
      const arn = this.model.tryResolveString(stack, resource.Properties?.Target?.Arn);
      if (arn !== undefined && parseBusArn(arn)) {
        add(arn, { name: this.model.pathOf(stack, logicalId), type: 'AWS::Scheduler::Schedule', how: 'schedule target' });
      }
    }
    const defaultBus = (stack: ModelStack) => `arn:${stack.env.partition}:events:${stack.env.region}:${stack.env.account}:event-bus/default`;
    for (const { stack, logicalId, resource } of this.model.resourcesOfType('AWS::S3::Bucket')) {
      const enabled = resource.Properties?.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled;
      if (enabled === true || enabled === 'true') {
        add(defaultBus(stack), { name: this.model.pathOf(stack, logicalId), type: 'AWS::S3::Bucket', how: 'notifications' });
      }
    }
    // aws-cdk-lib's custom resource for buckets it does not own (or older releases): EventBridgeConfiguration {}.
    for (const { stack, resource } of this.model.resourcesOfType('Custom::S3BucketNotifications')) {
      const bucket = resource.Properties?.BucketName;
      if (resource.Properties?.NotificationConfiguration?.EventBridgeConfiguration !== undefined && typeof bucket?.Ref === 'string') {
        add(defaultBus(stack), { name: this.model.pathOf(stack, bucket.Ref), type: 'AWS::S3::Bucket', how: 'notifications' });
      }
    }
    for (const bus of this.model.buses) {
      if (bus.name.startsWith('aws.partner/')) {
        add(bus.arn, { name: bus.name, type: 'partner', how: 'events' });
      }
    }
    for (const { stack, logicalId, resource } of this.model.resourcesOfType('AWS::IoT::TopicRule')) {
      for (const action of resource.Properties?.TopicRulePayload?.Actions ?? []) {
        const ref = action?.Lambda?.FunctionArn ?? action?.StepFunctions?.StateMachineName;
        const invoked = Array.isArray(ref?.['Fn::GetAtt']) ? ref['Fn::GetAtt'][0] : typeof ref?.Ref === 'string' ? ref.Ref : undefined;
        for (const arn of producerBuses.get(`${stack.stackName}/${invoked}`) ?? []) {
          add(arn, { name: this.model.pathOf(stack, logicalId), type: 'AWS::IoT::TopicRule', how: `invokes ${this.model.pathOf(stack, invoked)}` });
        }
      }
    }
    return out;
  }

  /** The node of a resource (a producer, a target), declared once even when it is both. */
  private resourceNode(name: string, type: string): string {
    const id = this.id('res', name);
    this.declare(id, `["${label(`${PRODUCER_KIND[type] ?? shortType(type)} ${name}`)}"]`);
    return id;
  }

  /** Declares a node once: a second declaration of the same id is skipped. */
  private declare(id: string, shape: string): void {
    if (!this.declared.has(id)) {
      this.declared.add(id);
      this.lines.push(`    ${id}${shape}`);
    }
  }

  /** A stable Mermaid node id per kind and key. */
  private id(kind: string, key: string): string {
    const full = `${kind}:${key}`;
    let id = this.ids.get(full);
    if (id === undefined) {
      const n = (this.counters.get(kind) ?? 0) + 1;
      this.counters.set(kind, n);
      id = `${kind}${n}`;
      this.ids.set(full, id);
    }
    return id;
  }
}

type StackResource = { stack: ModelStack; logicalId: string; resource: any };
type RoleHolder = StackResource & { roleProp: string; type: string };

/** The resources (of the same stack) whose role is one of `roles`. */
function holdersOfRoles(stack: ModelStack, roles: any[], holders: RoleHolder[]): RoleHolder[] {
  const roleIds = new Set(roles.map((r) => (r && typeof r.Ref === 'string' ? r.Ref : undefined)).filter((r) => r !== undefined));
  return holders.filter((h) => {
    if (h.stack !== stack) {
      return false;
    }
    const role = h.resource.Properties?.[h.roleProp];
    const roleId = Array.isArray(role?.['Fn::GetAtt']) ? role['Fn::GetAtt'][0] : undefined;
    return roleId !== undefined && roleIds.has(roleId);
  });
}

/** A short summary of a rule's pattern: source and detail-type values, and how many other fields it tests. */
function summary(rule: ModelRule): string {
  if (rule.pattern === undefined) {
    return rule.scheduleExpression ?? 'no pattern';
  }
  const p = rule.pattern;
  const parts: string[] = [];
  for (const field of ['source', 'detail-type']) {
    if (Array.isArray(p[field])) {
      parts.push(`${field}: ${p[field].map((v: any) => (typeof v === 'string' ? v : JSON.stringify(v))).join(' | ')}`);
    }
  }
  const others = Object.keys(p).filter((k) => k !== 'source' && k !== 'detail-type');
  if (others.length > 0) {
    parts.push(`+ ${others.join(', ')}`);
  }
  const text = parts.join('; ') || 'pattern';
  return text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
}

function shortType(type: string): string {
  const m = /^AWS::([^:]+)::(.+)$/.exec(type);
  return m ? `${m[1]} ${m[2]}` : type;
}

/** Text safe inside a quoted Mermaid label. */
function label(text: string): string {
  return text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);
}
