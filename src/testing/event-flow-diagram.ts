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
}

/** The longest pattern summary on a rule node. */
const SUMMARY_MAX = 60;

/**
 * Draws the event flows of a synthesized app as a Mermaid flowchart, from the same whole-app model as
 * `EventRouter`: buses grouped by account and region, the functions allowed to put events on each bus (producers),
 * rules with a short summary of their pattern, targets, dead-letter queues, and bus-to-bus hops.
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

class DiagramBuilder {
  private readonly ids = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private readonly lines: string[] = [];

  constructor(private readonly model: TemplateModel, private readonly router: EventRouter, private readonly options: EventFlowDiagramOptions) {}

  public render(): string {
    const rules = this.model.rules;
    const producers = this.producers();
    let buses = this.model.buses.filter((b) => rules.some((r) => r.bus.key === b.key) || producers.has(b.key)
      || rules.some((r) => r.targets.some((t) => t.busKey === b.key)));
    if (this.options.eventBus !== undefined) {
      const chosen = this.router._resolveBusKey(this.options.eventBus, this.options.account, this.options.region);
      const keep = new Set<string>([chosen]);
      for (const r of rules) {
        for (const t of r.targets) {
          if (t.busKey === chosen) {
            keep.add(r.bus.key);
          }
          if (r.bus.key === chosen && t.busKey !== undefined) {
            keep.add(t.busKey);
          }
        }
      }
      buses = buses.filter((b) => keep.has(b.key));
    }
    const shown = new Set(buses.map((b) => b.key));
    this.lines.push('flowchart LR');
    const groups = new Map<string, ModelBus[]>();
    for (const bus of buses) {
      const key = `${bus.account} · ${bus.region}`;
      groups.set(key, [...(groups.get(key) ?? []), bus]);
    }
    const edges: string[] = [];
    for (const [group, members] of groups) {
      this.lines.push(`  subgraph ${this.id('env', group)}["account ${group}"]`);
      for (const bus of members) {
        this.lines.push(`    ${this.id('bus', bus.key)}(["${label(`bus ${bus.name}`)}"])`);
        for (const fn of producers.get(bus.key) ?? []) {
          edges.push(`  ${this.resourceNode(fn, 'AWS::Lambda::Function')} -- PutEvents --> ${this.id('bus', bus.key)}`);
        }
        for (const rule of rules.filter((r) => r.bus.key === bus.key)) {
          this.renderRule(rule, shown, edges);
        }
      }
      this.lines.push('  end');
    }
    return [...this.lines, ...edges].join('\n') + '\n';
  }

  private renderRule(rule: ModelRule, shown: Set<string>, edges: string[]): void {
    const ruleId = this.id('rule', rule.key);
    const state = rule.state === 'DISABLED' ? ' (disabled)' : '';
    this.lines.push(`    ${ruleId}{{"${label(`${rule.path}${state}`)}<br/>${label(summary(rule))}"}}`);
    edges.push(`  ${this.id('bus', rule.bus.key)} --> ${ruleId}`);
    for (const target of rule.targets) {
      if (target.busKey !== undefined) {
        if (!shown.has(target.busKey)) {
          const bus = this.model.bus(target.busKey)!;
          this.lines.push(`    ${this.id('bus', bus.key)}(["${label(`bus ${bus.name} (${bus.account} · ${bus.region})`)}"])`);
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
        this.lines.push(`    ${dlqId}[("${label(`DLQ ${dlq}`)}")]`);
        edges.push(`  ${ruleId} -. ${label(`${target.id} failed`)} .-> ${dlqId}`);
      }
    }
  }

  /** Bus key → the functions of the app whose role may call events:PutEvents on it. */
  private producers(): Map<string, string[]> {
    const out = new Map<string, string[]>();
    const functions = this.model.resourcesOfType('AWS::Lambda::Function');
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
          const parsed = arn === undefined ? undefined : parseBusArn(arn);
          if (!parsed) {
            continue;
          }
          const key = `${parsed.account}/${parsed.region}/${parsed.name}`;
          for (const fn of functionsOfRoles(this.model, stack, roles, functions)) {
            const list = out.get(key) ?? [];
            if (!list.includes(fn)) {
              list.push(fn);
            }
            out.set(key, list);
          }
        }
      }
    }
    return out;
  }

  /** The node of a resource (a producer function, a target), declared once even when it is both. */
  private resourceNode(name: string, type: string): string {
    const key = `res:${name}`;
    const known = this.ids.has(key);
    const id = this.id('res', name);
    if (!known) {
      const kind = type === 'AWS::Lambda::Function' ? 'λ' : shortType(type);
      this.lines.push(`    ${id}["${label(`${kind} ${name}`)}"]`);
    }
    return id;
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

/** The construct paths of the functions (of the same stack) whose role is one of `roles`. */
type StackResource = { stack: ModelStack; logicalId: string; resource: any };

function functionsOfRoles(model: TemplateModel, stack: ModelStack, roles: any[], functions: StackResource[]): string[] {
  const roleIds = new Set(roles.map((r) => (r && typeof r.Ref === 'string' ? r.Ref : undefined)).filter((r) => r !== undefined));
  const out: string[] = [];
  for (const fn of functions) {
    if (fn.stack !== stack) {
      continue;
    }
    const role = fn.resource.Properties?.Role;
    const roleId = Array.isArray(role?.['Fn::GetAtt']) ? role['Fn::GetAtt'][0] : undefined;
    if (roleId !== undefined && roleIds.has(roleId)) {
      out.push(model.pathOf(stack, fn.logicalId));
    }
  }
  return out;
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
