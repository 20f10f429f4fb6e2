import { CustomBusRouter, CustomBusRouterOptions, SubscriberDelivery } from './custom-bus-router';
import { EventRouter, EventRouterOptions, RoutedDelivery } from './event-router';
import { readCloudAssembly } from './private/cloud-assembly';
import { customBusEvent, isCustomBusEventForm } from './private/custom-bus-input';
import { putEventsRefusal } from './private/put-events-entry';

/**
 * One app of a `FlowDiff`: its Classic rules and, optionally, its Custom Event Bus subscribers.
 */
export interface FlowDiffApp {
  /** The Classic buses' rules and targets. */
  readonly eventRouter: EventRouter;

  /**
   * The Custom Event Buses' subscribers.
   *
   * @default - the app has no Custom Event Bus subscribers
   */
  readonly customBusRouter?: CustomBusRouter;

  /**
   * Construct paths by `stackName/logicalId`, for target and subscriber names in the report.
   *
   * @default - targets are named `stackName/logicalId`
   */
  readonly paths?: { [stackAndLogicalId: string]: string };
}

/**
 * Options of `FlowDiff.fromCloudAssemblies()`: how both apps' routers are built.
 */
export interface FlowDiffAssemblyOptions {
  /**
   * Options of both apps' `EventRouter`s (for example the account and region of environment-agnostic stacks).
   *
   * @default - none
   */
  readonly eventRouterOptions?: EventRouterOptions;

  /**
   * Options of both apps' `CustomBusRouter`s.
   *
   * @default - none
   */
  readonly customBusRouterOptions?: CustomBusRouterOptions;
}

/**
 * Options of `FlowDiff.compare()`.
 */
export interface FlowDiffOptions {
  /**
   * The bus every event is put on, unless its record names one (`{ "eventBus": ..., "event": ... }`): a name, ARN,
   * logical ID or construct path, of a Classic bus or a Custom Event Bus.
   *
   * @default 'default' - the default bus of the event's account and region
   */
  readonly eventBus?: string;

  /**
   * The ingestion time of events that have no `time`, the same in both apps so that inputs stay comparable.
   *
   * @default '2024-01-01T00:00:00Z'
   */
  readonly ingestionTime?: string;

  /**
   * Where each event was read (for example `events/orders.ndjson:12`), by index, for the report.
   *
   * @default - `#<index>`
   */
  readonly locations?: string[];
}

/** How a delivery of one event differs between the two apps. */
export enum FlowChangeKind {
  /** The after app delivers the event to this target; the before app does not. */
  ADDED = 'ADDED',
  /** The before app delivers the event to this target; the after app does not. */
  REMOVED = 'REMOVED',
  /** Both apps deliver the event to this target through this rule, with different input. */
  INPUT_CHANGED = 'INPUT_CHANGED',
}

/** One delivery of an event, as the diff compares it. */
export interface FlowDelivery {
  /** `RULE` (a Classic rule's target) or `SUBSCRIBER` (a Custom Event Bus subscriber). */
  readonly kind: string;
  /** The ARN of the bus the rule or subscriber belongs to. */
  readonly eventBusArn: string;
  /** The construct path of the rule, or `stackName/logicalId` of the subscriber. */
  readonly rulePath: string;
  /** The target's id in the rule (`Target0`...), or the subscriber's name. */
  readonly targetId: string;
  /** The construct path of the target resource when it is in the app, its ARN otherwise. */
  readonly targetPath: string;
  /** The target's CloudFormation type. */
  readonly targetType: string;
  /** The buses the event went through, bus-to-bus hops included (ARNs). */
  readonly busPath: string[];
  /**
   * The exact input the target receives (text).
   *
   * @default - a subscriber whose transform failed
   */
  readonly input?: string;
  /**
   * Why the transform failed.
   *
   * @default - it did not
   */
  readonly transformError?: string;
}

/** One change of one delivery. */
export interface FlowChange {
  /** What changed. */
  readonly change: FlowChangeKind;
  /**
   * The delivery in the before app.
   *
   * @default - ADDED
   */
  readonly before?: FlowDelivery;
  /**
   * The delivery in the after app.
   *
   * @default - REMOVED
   */
  readonly after?: FlowDelivery;
}

/** An event, as the report names it. */
export interface FlowEventRef {
  /** The index of the event in the input. */
  readonly index: number;
  /** Where it was read, or `#<index>`. */
  readonly location: string;
  /**
   * The event's `source`.
   *
   * @default - none
   */
  readonly source?: string;
  /**
   * The event's `detail-type`.
   *
   * @default - none
   */
  readonly detailType?: string;
  /** The bus it was put on (as given), or `default`. */
  readonly eventBus: string;
}

/** The changes of one event. */
export interface FlowEventChanges {
  /** The event. */
  readonly event: FlowEventRef;
  /** Its deliveries that appear, disappear or whose input changes. */
  readonly changes: FlowChange[];
  /** Notes: for example a bus that only one of the apps has. */
  readonly notes: string[];
}

/** A rule or subscriber of the after app that no event matched. */
export interface FlowRuleRef {
  /** `RULE` or `SUBSCRIBER`. */
  readonly kind: string;
  /** Its construct path (rule) or `stackName/logicalId` (subscriber). */
  readonly path: string;
  /** The name of its bus. */
  readonly eventBusName: string;
  /** The ARN of its bus. */
  readonly eventBusArn: string;
}

/** The totals of a diff. */
export interface FlowDiffSummary {
  /** Events routed through both apps. */
  readonly events: number;
  /** Events with at least one change. */
  readonly changedEvents: number;
  /** Deliveries that only the after app makes. */
  readonly added: number;
  /** Deliveries that only the before app makes. */
  readonly removed: number;
  /** Deliveries whose input differs. */
  readonly inputChanged: number;
  /** Deliveries of every event in the before app. */
  readonly deliveriesBefore: number;
  /** Deliveries of every event in the after app. */
  readonly deliveriesAfter: number;
  /** Rules (with an event pattern) and subscribers of the after app. */
  readonly rulesAfter: number;
  /** Of those, how many no event matched. */
  readonly unmatchedRules: number;
  /** Events that match no rule or subscriber in the after app. */
  readonly unmatchedEvents: number;
}

/** What a change does to event flows. */
export interface FlowDiffReport {
  /** The totals. */
  readonly summary: FlowDiffSummary;
  /** Per event with a change: the deliveries that appear, disappear or whose input changes. */
  readonly changed: FlowEventChanges[];
  /** Coverage of the after app: its rules and subscribers that no event matched. */
  readonly unmatchedRules: FlowRuleRef[];
  /** Coverage of the after app: the events that match no rule or subscriber. */
  readonly unmatchedEvents: FlowEventRef[];
  /** What the routers could not model, in either app (`before: ...` / `after: ...`). */
  readonly warnings: string[];
}

/** Ingestion time of events without `time`: fixed, so that both apps see the same event. */
const DEFAULT_INGESTION_TIME = '2024-01-01T00:00:00Z';
/** The most changes listed in a Markdown report: a pull-request comment holds at most 65,536 characters. */
const MARKDOWN_MAX_ROWS = 200;
const MARKDOWN_MAX_CHARS = 60_000;

interface Routed {
  readonly deliveries: FlowDelivery[];
  readonly error?: string;
}

interface RoutedEvent {
  readonly ref: FlowEventRef;
  readonly before: Routed;
  readonly after: Routed;
  readonly failure?: string;
}

const NONE: Routed = { deliveries: [] };
/** Events routed at once (see `compare`). */
const CONCURRENT_EVENTS = 32;

/**
 * What a change does to event flows: routes every event through two versions of an app (for example `main` and a
 * pull request's branch, each synthesized to a cloud assembly) and reports, per event, the deliveries that appear,
 * disappear or whose input changes, with rule and target paths; then the coverage of the after app — its rules
 * that no event matched and the events that matched no rule.
 *
 * Classic buses are routed by `EventRouter`, Custom Event Buses by `CustomBusRouter`; every stack, Stages and
 * accounts included. An event is put on the bus its record names (`{ "eventBus": "platform", "event": {...} }`),
 * else on `FlowDiffOptions.eventBus`, else on the default bus of its account and region.
 *
 * @example
 * const report = await FlowDiff.fromCloudAssemblies('main.out', 'cdk.out').compare(events, { eventBus: 'platform' });
 * report.summary.changedEvents;
 * FlowDiff.markdown(report);   // a pull-request comment
 */
export class FlowDiff {
  /**
   * Reads two cloud assemblies (`cdk.out` directories), every stack and nested Stage of each.
   *
   * @throws Error if a directory is not a cloud assembly, or a manifest or template cannot be read
   */
  public static fromCloudAssemblies(before: string, after: string, options?: FlowDiffAssemblyOptions): FlowDiff {
    return new FlowDiff(appOf(before, 'before', options ?? {}), appOf(after, 'after', options ?? {}));
  }

  /** Compares two apps given as routers (for example built with `EventRouter.fromStacks` in a unit test). */
  public static fromApps(before: FlowDiffApp, after: FlowDiffApp): FlowDiff {
    return new FlowDiff(before, after);
  }

  /** The report as Markdown, ready to post as a pull-request comment (at most 200 rows, about 60,000 characters). */
  public static markdown(report: FlowDiffReport): string {
    return renderMarkdown(report);
  }

  /** The report as plain text for a terminal. */
  public static text(report: FlowDiffReport): string {
    return renderText(report);
  }

  /** Whether the report has any change (the CLI's exit code 1). */
  public static hasChanges(report: FlowDiffReport): boolean {
    return report.summary.changedEvents > 0;
  }

  private constructor(private readonly before: FlowDiffApp, private readonly after: FlowDiffApp) {}

  /**
   * Routes every event through both apps and compares the deliveries.
   *
   * @param events the events: full EventBridge events, `PutEvents` entries, Custom Event Bus events (`data`, ...),
   * or records `{ "eventBus": ..., "event": ... }` naming the bus
   * @throws Error naming the event (by index or location) when `PutEvents` would refuse it, or when neither app can
   * route it (for example a bus that neither has)
   */
  public async compare(events: any[], options?: FlowDiffOptions): Promise<FlowDiffReport> {
    const opts = options ?? {};
    const changed: FlowEventChanges[] = [];
    const unmatchedEvents: FlowEventRef[] = [];
    const matchedAfter = new Set<string>();
    let added = 0;
    let removed = 0;
    let inputChanged = 0;
    let deliveriesBefore = 0;
    let deliveriesAfter = 0;
    const ingestionTime = opts.ingestionTime ?? DEFAULT_INGESTION_TIME;
    // Events are routed a window at a time: a Custom Event Bus transform is evaluated in a child process, so the
    // window keeps it busy while this process routes the next events. Results are taken in input order.
    for (let start = 0; start < events.length; start += CONCURRENT_EVENTS) {
      const window: Array<Promise<RoutedEvent>> = [];
      for (let index = start; index < Math.min(events.length, start + CONCURRENT_EVENTS); index++) {
        window.push(this.routeEvent(events[index], index, opts.locations?.[index] ?? `#${index}`, opts.eventBus, ingestionTime));
      }
      for (const { ref, before: b, after: a, failure } of await Promise.all(window)) {
        if (failure !== undefined) {
          throw new Error(failure);
        }
        const notes: string[] = [];
        if (b.error !== undefined) notes.push(`the before app cannot route it: ${b.error}`);
        if (a.error !== undefined) notes.push(`the after app cannot route it: ${a.error}`);
        deliveriesBefore += b.deliveries.length;
        deliveriesAfter += a.deliveries.length;
        for (const d of a.deliveries) {
          matchedAfter.add(ruleKey(d.kind, d.rulePath, d.eventBusArn));
        }
        if (a.deliveries.length === 0) {
          unmatchedEvents.push(ref);
        }
        const changes = compareDeliveries(b.deliveries, a.deliveries);
        if (changes.length > 0) {
          for (const c of changes) {
            if (c.change === FlowChangeKind.ADDED) added++;
            else if (c.change === FlowChangeKind.REMOVED) removed++;
            else inputChanged++;
          }
          changed.push({ event: ref, changes, notes });
        }
      }
    }
    const rules = rulesOf(this.after);
    const unmatchedRules = rules.filter((r) => !matchedAfter.has(ruleKey(r.kind, r.path, r.eventBusArn)));
    return {
      summary: {
        events: events.length,
        changedEvents: changed.length,
        added,
        removed,
        inputChanged,
        deliveriesBefore,
        deliveriesAfter,
        rulesAfter: rules.length,
        unmatchedRules: unmatchedRules.length,
        unmatchedEvents: unmatchedEvents.length,
      },
      changed,
      unmatchedRules,
      unmatchedEvents,
      warnings: [
        ...this.before.eventRouter.warnings.map((w) => `before: ${w}`),
        ...this.after.eventRouter.warnings.map((w) => `after: ${w}`),
      ],
    };
  }

  /** One event through both apps; `failure` when it is refused or neither app can route it. */
  private async routeEvent(record: any, index: number, location: string, defaultBus: string | undefined,
    ingestionTime: string): Promise<RoutedEvent> {
    let event: any;
    let eventBus: string | undefined;
    try {
      ({ event, eventBus } = unwrap(record, defaultBus, location));
    } catch (e) {
      return { ref: eventRef(index, location, record, defaultBus), before: NONE, after: NONE, failure: (e as Error).message };
    }
    const ref = eventRef(index, location, event, eventBus);
    const refusal = isCustomBusEventForm(event) ? undefined : putEventsRefusal(event);
    if (refusal !== undefined) {
      return { ref, before: NONE, after: NONE, failure: `event ${location}: PutEvents would refuse it: ${refusal}` };
    }
    const [b, a] = await Promise.all([routeIn(this.before, event, eventBus, ingestionTime), routeIn(this.after, event, eventBus, ingestionTime)]);
    if (b.error !== undefined && a.error !== undefined) {
      return { ref, before: b, after: a, failure: `event ${location}: cannot be routed in either app: ${a.error}` };
    }
    return { ref, before: b, after: a };
  }
}

function appOf(directory: string, which: string, options: FlowDiffAssemblyOptions): FlowDiffApp {
  try {
    const paths: { [key: string]: string } = {};
    for (const stack of readCloudAssembly(directory).stacks) {
      for (const [logicalId, resource] of Object.entries<any>(stack.template?.Resources ?? {})) {
        const p = resource?.Metadata?.['aws:cdk:path'];
        if (typeof p === 'string') {
          paths[`${stack.stackName}/${logicalId}`] = trimPath(p);
        }
      }
    }
    return {
      eventRouter: EventRouter.fromCloudAssembly(directory, options.eventRouterOptions),
      customBusRouter: CustomBusRouter.fromCloudAssembly(directory, options.customBusRouterOptions),
      paths,
    };
  } catch (e) {
    throw new Error(`--${which} ${directory}: ${(e as Error).message}`);
  }
}

function trimPath(p: string): string {
  let out = p;
  while (out.endsWith('/Resource')) {
    out = out.slice(0, -'/Resource'.length);
  }
  return out;
}

/** A record `{ eventBus, event }` (exactly those keys, `eventBus` a string), or a bare event. */
function unwrap(record: any, defaultBus: string | undefined, location: string): { event: any; eventBus: string | undefined } {
  if (record !== null && typeof record === 'object' && !Array.isArray(record) && 'event' in record && 'eventBus' in record
    && Object.keys(record).length === 2) {
    if (typeof record.eventBus !== 'string' || record.eventBus.length === 0) {
      throw new Error(`event ${location}: "eventBus" must be a bus name, ARN, logical ID or construct path (a non-empty string)`);
    }
    return { event: record.event, eventBus: record.eventBus };
  }
  return { event: record, eventBus: defaultBus };
}

async function routeIn(app: FlowDiffApp, event: any, eventBus: string | undefined, ingestionTime: string): Promise<Routed> {
  try {
    const custom = app.customBusRouter;
    if (eventBus !== undefined && custom !== undefined && custom.hasEventBus(eventBus)) {
      const deliveries = await custom.route(customBusEvent(event, undefined), { eventBus, ingestionTime });
      return { deliveries: deliveries.map((d) => subscriberDelivery(app, d)) };
    }
    if (isCustomBusEventForm(event)) {
      return { deliveries: [], error: `a Custom Event Bus event (with "data") put on "${eventBus ?? 'default'}", which is not a Custom Event Bus with subscribers in this app` };
    }
    const deliveries = app.eventRouter.route(event, { eventBus, ingestionTime });
    return { deliveries: deliveries.map((d) => ruleDelivery(app, d)) };
  } catch (e) {
    return { deliveries: [], error: (e as Error).message };
  }
}

function pathOf(app: FlowDiffApp, stackName: string, logicalId: string): string {
  return app.paths?.[`${stackName}/${logicalId}`] ?? `${stackName}/${logicalId}`;
}

function ruleDelivery(app: FlowDiffApp, d: RoutedDelivery): FlowDelivery {
  return {
    kind: 'RULE',
    eventBusArn: d.rule.eventBusArn,
    rulePath: d.rule.path,
    targetId: d.target.id,
    targetPath: d.target.logicalId !== undefined ? pathOf(app, d.rule.stackName, d.target.logicalId) : d.target.arn,
    targetType: d.target.resourceType,
    busPath: d.path,
    input: d.inputText,
  };
}

function subscriberDelivery(app: FlowDiffApp, d: SubscriberDelivery): FlowDelivery {
  const s = d.subscriber;
  return {
    kind: 'SUBSCRIBER',
    eventBusArn: s.eventBusArn,
    rulePath: pathOf(app, s.stackName, s.logicalId),
    targetId: s.name,
    targetPath: s.targetLogicalId !== undefined ? pathOf(app, s.stackName, s.targetLogicalId) : s.targetArn,
    targetType: s.targetResourceType,
    busPath: [s.eventBusArn],
    input: d.inputText,
    transformError: d.transformError,
  };
}

function deliveryKey(d: FlowDelivery): string {
  return JSON.stringify([d.kind, d.busPath, d.rulePath, d.targetId, d.targetPath]);
}

function ruleKey(kind: string, path: string, busArn: string): string {
  return `${kind}\u0000${busArn}\u0000${path}`;
}

/** The changes between two lists of deliveries of one event, in the order of the after app, then the removed. */
function compareDeliveries(before: FlowDelivery[], after: FlowDelivery[]): FlowChange[] {
  const byKey = new Map<string, FlowDelivery[]>();
  for (const d of before) {
    const k = deliveryKey(d);
    byKey.set(k, [...(byKey.get(k) ?? []), d]);
  }
  const changes: FlowChange[] = [];
  for (const d of after) {
    const k = deliveryKey(d);
    const same = byKey.get(k);
    const b = same?.shift();
    if (b === undefined) {
      changes.push({ change: FlowChangeKind.ADDED, after: d });
    } else if (b.input !== d.input || b.transformError !== d.transformError) {
      changes.push({ change: FlowChangeKind.INPUT_CHANGED, before: b, after: d });
    }
  }
  for (const rest of byKey.values()) {
    for (const b of rest) {
      changes.push({ change: FlowChangeKind.REMOVED, before: b });
    }
  }
  return changes;
}

function rulesOf(app: FlowDiffApp): FlowRuleRef[] {
  const out: FlowRuleRef[] = [];
  for (const r of app.eventRouter.rules) {
    if (r.eventPattern !== undefined) {
      out.push({ kind: 'RULE', path: r.path, eventBusName: r.eventBusName, eventBusArn: r.eventBusArn });
    }
  }
  for (const s of app.customBusRouter?.subscribers ?? []) {
    out.push({ kind: 'SUBSCRIBER', path: pathOf(app, s.stackName, s.logicalId), eventBusName: s.eventBusName, eventBusArn: s.eventBusArn });
  }
  return out;
}

function eventRef(index: number, location: string, event: any, eventBus: string | undefined): FlowEventRef {
  const e = event !== null && typeof event === 'object' ? (isCustomBusEventForm(event) ? event.data ?? {} : event) : {};
  const source = e.source ?? e.Source;
  const detailType = e['detail-type'] ?? e.DetailType;
  return {
    index,
    location,
    source: typeof source === 'string' ? source : undefined,
    detailType: typeof detailType === 'string' ? detailType : undefined,
    eventBus: eventBus ?? 'default',
  };
}

function eventLabel(e: FlowEventRef): string {
  const what = [e.source, e.detailType].filter((x) => x !== undefined).join(' / ');
  return `${e.location}${what ? ` (${what})` : ''} on ${e.eventBus}`;
}

/** `name (account)` of a bus ARN. */
function busLabel(arn: string): string {
  const m = /^arn:[^:]+:events:[^:]*:([^:]*):event-bus\/(.+)$/.exec(arn);
  return m ? `${m[2]} (${m[1]})` : arn;
}

function summaryLine(s: FlowDiffSummary): string {
  return `${s.changedEvents} of ${s.events} event(s) route differently: ${s.added} delivery(ies) added, ${s.removed} removed, ${s.inputChanged} with changed input.`;
}

function coverageLine(s: FlowDiffSummary): string {
  return `Coverage of the after app: ${s.rulesAfter - s.unmatchedRules} of ${s.rulesAfter} rule(s) and subscriber(s) matched an event; ${s.unmatchedEvents} of ${s.events} event(s) matched none.`;
}

function renderText(report: FlowDiffReport): string {
  const lines: string[] = [summaryLine(report.summary)];
  for (const c of report.changed) {
    lines.push('', `Event ${eventLabel(c.event)}`);
    for (const n of c.notes) lines.push(`  note: ${n}`);
    for (const ch of c.changes) {
      const d = (ch.after ?? ch.before)!;
      const sign = ch.change === FlowChangeKind.ADDED ? '+' : ch.change === FlowChangeKind.REMOVED ? '-' : '~';
      lines.push(`  ${sign} ${d.rulePath} → ${d.targetId}: ${d.targetPath} [${d.targetType}]${d.busPath.length > 1 ? ` via ${d.busPath.join(' → ')}` : ''}`);
      if (ch.change === FlowChangeKind.INPUT_CHANGED) {
        lines.push(`      before: ${ch.before!.input ?? `transform failed: ${ch.before!.transformError}`}`);
        lines.push(`      after:  ${ch.after!.input ?? `transform failed: ${ch.after!.transformError}`}`);
      } else {
        lines.push(`      input: ${d.input ?? `transform failed: ${d.transformError}`}`);
      }
    }
  }
  lines.push('', coverageLine(report.summary));
  for (const r of report.unmatchedRules) lines.push(`  no event matched: ${r.kind === 'RULE' ? 'rule' : 'subscriber'} ${r.path} on ${r.eventBusName}`);
  for (const e of report.unmatchedEvents) lines.push(`  matched nothing: event ${eventLabel(e)}`);
  return lines.join('\n') + '\n';
}

/**
 * Text from the apps or the events as an inline code span, safe in a Markdown table cell: nothing in it renders as a
 * link, a mention, HTML or emphasis; pipes are escaped for the table, backticks and line breaks cannot end the span
 * or the row; at most `max` characters.
 */
function code(text: string, max = 300): string {
  const t = text.length > max ? `${text.slice(0, max - 1)}…` : text;
  return `\`${t.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ').replace(/`/g, 'ˋ')}\``;
}

function renderMarkdown(report: FlowDiffReport): string {
  const s = report.summary;
  const out: string[] = ['### EventBridge routing diff', ''];
  out.push(s.changedEvents === 0 ? `**No change**: the ${s.events} event(s) reach the same targets with the same input.` : `**${summaryLine(s)}**`);
  if (s.changedEvents > 0) {
    out.push('', '| Event | Change | Rule / subscriber | Target | Input |', '| --- | --- | --- | --- | --- |');
    let rows = 0;
    let left = 0;
    for (const c of report.changed) {
      for (const ch of c.changes) {
        if (rows >= MARKDOWN_MAX_ROWS || out.join('\n').length > MARKDOWN_MAX_CHARS) {
          left++;
          continue;
        }
        rows++;
        const d = (ch.after ?? ch.before)!;
        const change = ch.change === FlowChangeKind.ADDED ? '➕ added' : ch.change === FlowChangeKind.REMOVED ? '➖ removed' : '✏️ input changed';
        const input = ch.change === FlowChangeKind.INPUT_CHANGED
          ? `before: ${code(ch.before!.input ?? `transform failed: ${ch.before!.transformError}`)}<br>after: ${code(ch.after!.input ?? `transform failed: ${ch.after!.transformError}`)}`
          : code(d.input ?? `transform failed: ${d.transformError}`);
        const via = d.busPath.length > 1 ? `<br>via ${code(d.busPath.map(busLabel).join(' → '))}` : '';
        out.push(`| ${code(eventLabel(c.event))} | ${change} | ${code(d.rulePath)}${via} | ${code(d.targetPath)} (${code(d.targetType)}) | ${input} |`);
      }
    }
    if (left > 0) {
      out.push('', `… and ${left} more change(s): run the diff with \`--json\` for all of them.`);
    }
  }
  out.push('', `**${coverageLine(s)}**`);
  const lists: Array<[string, string[]]> = [
    ['Rules and subscribers that no event matched', report.unmatchedRules.map((r) => `${r.kind === 'RULE' ? 'rule' : 'subscriber'} ${code(r.path)} on ${code(r.eventBusName)}`)],
    ['Events that matched no rule or subscriber', report.unmatchedEvents.map((e) => code(eventLabel(e)))],
  ];
  for (const [title, items] of lists) {
    if (items.length > 0) {
      const shown = items.slice(0, MARKDOWN_MAX_ROWS);
      out.push('', `<details><summary>${title} (${items.length})</summary>`, '', ...shown.map((i) => `- ${i}`));
      if (items.length > shown.length) out.push(`- … and ${items.length - shown.length} more`);
      out.push('', '</details>');
    }
  }
  return out.join('\n') + '\n';
}
