import { CustomBusRouter, SubscriberDelivery } from './custom-bus-router';
import { EventFlowDiagram } from './event-flow-diagram';
import { EventRouter, RoutedDelivery } from './event-router';
import { FlowDiff } from './flow-diff';
import { readBoundedStdin, readBoundedText } from './private/bounded-file';
import { customBusEvent, isCustomBusEventForm } from './private/custom-bus-input';
import { readEventRecords } from './private/event-records';
import { parseJsonText } from './private/json-text';
import { putEventsRefusal } from './private/put-events-entry';
import { RouteNonDelivery } from './route-explanation';

/** Where the CLI writes; `process.stdout`/`stderr` in the real command, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** The largest event the CLI reads: well above EventBridge's 256 KB entry limit, far below what hurts. */
const MAX_EVENT_BYTES = 1024 * 1024;

/** An option of a command. Add a flag by adding an entry to the command's `options` (the parser needs no change). */
interface OptionSpec {
  /** `--name`. */
  readonly name: string;
  /** The value's placeholder in the usage (`<cdk.out>`); none for a flag without a value. */
  readonly value?: string;
  readonly required?: boolean;
  /** May be given more than once: the values are collected in order (`args.all[name]`). */
  readonly repeatable?: boolean;
  readonly help: string;
}

interface CommandSpec {
  readonly summary: string;
  readonly options: OptionSpec[];
  /** Options of which at most one may be given. */
  readonly exclusive?: string[];
}

/** Parsed arguments: the last value of each option (flags are 'true'), and every value of repeatable ones. */
interface CliArgs {
  readonly values: { [name: string]: string | undefined };
  readonly all: { [name: string]: string[] };
}

const BUS_HELP = 'the bus: a name, an ARN, a logical ID or a construct path';
const BIND_HELP = 'a deploy-time value for patterns, by construct path or logical ID (.Attr for Fn::GetAtt, e.g. Platform/Uploads.Arn=arn:aws:s3:::uploads); repeatable';
const COMMANDS: { [command: string]: CommandSpec } = {
  route: {
    summary: `Routes the event through the rules of a synthesized CDK app (every stack, Stages included), offline, and
prints the matching rules, targets, the exact input each target receives, and bus-to-bus hops. On a Custom Event
Bus (--bus names one), it prints the subscribers whose filters match and what each receives. An event that
PutEvents would refuse (no source, detail-type or detail, a detail that is not a JSON object, over 256 KB) is
refused with the reason.`,
    options: [
      { name: 'app', value: '<cdk.out>', required: true, help: 'the cloud assembly directory (cdk.out)' },
      { name: 'event', value: '<event.json>', required: true, help: 'a JSON file with the event (a full event or a PutEvents entry; for a Custom Event Bus also { "data": ..., "metadata": {...}, "eventGroupId": ... }), at most 1 MiB; "-" reads stdin (also at most 1 MiB)' },
      { name: 'bus', value: 'BUS', help: `${BUS_HELP} (default "default")` },
      { name: 'account', value: 'ID', help: 'the account the event is put in, for a bus given by name (default: the event\'s "account")' },
      { name: 'region', value: 'REGION', help: 'the region the event is put in, for a bus given by name (default: the event\'s "region")' },
      { name: 'stack', value: 'NAME', help: 'only rules of this stack (name or construct path)' },
      { name: 'bind', value: 'RESOURCE=VALUE', repeatable: true, help: BIND_HELP },
      { name: 'json', help: 'print the deliveries as JSON' },
    ],
  },
  diagram: {
    summary: `Prints a Mermaid flowchart of the app's event flows: producers (functions, pipes, state machines, IoT rules,
buckets with EventBridge notifications, partner event sources), buses per account, rules, targets, dead-letter
queues, bus-to-bus hops, and Custom Event Buses with their subscribers.`,
    options: [
      { name: 'app', value: '<cdk.out>', required: true, help: 'the cloud assembly directory (cdk.out)' },
      { name: 'bus', value: 'BUS', help: `${BUS_HELP}; only that bus's flows (default: every bus)` },
      { name: 'account', value: 'ID', help: 'the account of the bus, for a bus given by name' },
      { name: 'region', value: 'REGION', help: 'the region of the bus, for a bus given by name' },
      { name: 'bind', value: 'RESOURCE=VALUE', repeatable: true, help: BIND_HELP },
    ],
  },
  diff: {
    summary: `Routes every recorded event through two synthesized apps (before and after a change) and prints, per event,
the deliveries that appear, disappear or whose input changes, then the coverage of the after app: its rules and
subscribers that no event matched, and the events that matched none. Exit code: 0 no change, 1 change, 2 bad usage
(including an event that PutEvents would refuse, or that neither app can route).`,
    options: [
      { name: 'before', value: '<cdk.out>', required: true, help: 'the cloud assembly before the change (for example main\'s)' },
      { name: 'after', value: '<cdk.out>', required: true, help: 'the cloud assembly after the change (the branch\'s)' },
      { name: 'events', value: '<dir | file>', required: true, help: 'a directory of *.json / *.ndjson / *.jsonl files, one such file, or "-" (NDJSON on stdin); a .json file holds an event or an array of events; a record { "eventBus": ..., "event": ... } names its bus; at most 64 MiB a file, 256 MiB and 1,000,000 events in all' },
      { name: 'bus', value: 'BUS', help: `${BUS_HELP}, Classic or Custom Event Bus, for events whose record names none (default "default" of the event's account and region)` },
      { name: 'bind', value: 'RESOURCE=VALUE', repeatable: true, help: BIND_HELP },
      { name: 'json', help: 'print { "summary", "changed", "unmatchedRules", "unmatchedEvents" } as JSON' },
      { name: 'markdown', help: 'print Markdown, ready to post as a pull-request comment' },
    ],
    exclusive: ['json', 'markdown'],
  },
};

function usageLine(command: string): string {
  const parts = COMMANDS[command].options.map((o) => {
    const text = `--${o.name}${o.value ? ` ${o.value}` : ''}`;
    return o.required ? text : `[${text}]`;
  });
  return `cdk-eventbridge-blueprints ${command} ${parts.join(' ')}`;
}

/** The usage of every command. */
const USAGE = `usage: ${Object.keys(COMMANDS).map(usageLine).join('\n       ')}

${Object.entries(COMMANDS).map(([name, c]) => `${name.padEnd(8)} ${c.summary.split('\n').join('\n         ')}`).join('\n')}

Run "cdk-eventbridge-blueprints <command> --help" for a command's options.`;

/** The usage of one command, with every option. */
function commandUsage(command: string): string {
  const spec = COMMANDS[command];
  const width = Math.max(...spec.options.map((o) => o.name.length)) + 4;
  return `usage: ${usageLine(command)}

${spec.summary}

${spec.options.map((o) => `  ${`--${o.name}`.padEnd(width)} ${o.help}`).join('\n')}
  ${'--help'.padEnd(width)} print this help
`;
}

/** Parses `argv` against the command's options; a string is a usage error. */
function parseArgs(command: string, argv: string[]): CliArgs | string {
  const spec = COMMANDS[command];
  const values: { [name: string]: string | undefined } = {};
  const all: { [name: string]: string[] } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const option = a.startsWith('--') ? spec.options.find((o) => o.name === a.slice(2)) : undefined;
    if (option === undefined) {
      return `unknown option "${a}" for ${command}`;
    }
    let value = 'true';
    if (option.value !== undefined) {
      if (argv[i + 1] === undefined || argv[i + 1].startsWith('--')) {
        return `${a} needs a value`;
      }
      value = argv[++i];
    }
    if (values[option.name] !== undefined && !option.repeatable && option.value !== undefined) {
      return `${a} is given twice`;
    }
    values[option.name] = value;
    all[option.name] = [...(all[option.name] ?? []), value];
  }
  for (const o of spec.options) {
    if (o.required && values[o.name] === undefined) {
      return `--${o.name} is required`;
    }
  }
  const given = (spec.exclusive ?? []).filter((n) => values[n] !== undefined);
  if (given.length > 1) {
    return `${given.map((n) => `--${n}`).join(' and ')} cannot be used together`;
  }
  return { values, all };
}

/**
 * Runs the CLI. Resolves to the exit code: 0 on success, 1 on bad input, 2 on bad usage (for \`diff\`: 0 no change,
 * 1 change, 2 bad usage or bad input).
 */
export async function main(argv: string[], io: CliIo, readStdin?: (maxBytes: number) => string): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.out(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (COMMANDS[command] === undefined) {
    io.err(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(commandUsage(command));
    return 0;
  }
  const args = parseArgs(command, rest);
  if (typeof args === 'string') {
    io.err(`${args}\n${commandUsage(command)}`);
    return 2;
  }
  const badBinding = (args.all.bind ?? []).find((b) => b.indexOf('=') <= 0);
  if (badBinding !== undefined) {
    io.err(`--bind needs RESOURCE=VALUE (a construct path or logical ID, "=", the deploy-time value), got ${JSON.stringify(badBinding.slice(0, 200))}\n${commandUsage(command)}`);
    return 2;
  }
  const stdin = readStdin ?? ((max: number) => readBoundedStdin(max, command === 'diff' ? 'the events on stdin' : 'the event on stdin'));
  if (command === 'diff') {
    return diff(args, io, stdin);
  }
  const v = args.values;
  try {
    const router = EventRouter.fromCloudAssembly(v.app!, { deployTimeValues: bindingsOf(args) });
    for (const w of router.warnings) {
      io.err(`warning: ${w}\n`);
    }
    if (command === 'diagram') {
      let customBusRouter: CustomBusRouter | undefined;
      try {
        customBusRouter = CustomBusRouter.fromCloudAssembly(v.app!);
      } catch (e) {
        io.err(`warning: Custom Event Buses are not drawn: ${(e as Error).message}\n`);
      }
      io.out(EventFlowDiagram.mermaid(router, { eventBus: v.bus, account: v.account, region: v.region, customBusRouter }));
      return 0;
    }
    return await route(router, args, io, () => stdin(MAX_EVENT_BYTES));
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

/** The `--bind RESOURCE=VALUE` options as `EventRouterOptions.deployTimeValues` (a later one for a resource wins). */
function bindingsOf(args: CliArgs): { [resource: string]: string } {
  const bindings: { [resource: string]: string } = {};
  for (const b of args.all.bind ?? []) {
    const eq = b.indexOf('=');
    bindings[b.slice(0, eq)] = b.slice(eq + 1);
  }
  return bindings;
}

/** \`diff\`: 0 no change, 1 change, 2 bad usage or input. */
async function diff(args: CliArgs, io: CliIo, readStdin: (maxBytes: number) => string): Promise<number> {
  const v = args.values;
  try {
    const records = readEventRecords(v.events!, readStdin);
    const flowDiff = FlowDiff.fromCloudAssemblies(v.before!, v.after!, { eventRouterOptions: { deployTimeValues: bindingsOf(args) } });
    const report = await flowDiff.compare(records.map((r) => r.value), { eventBus: v.bus, locations: records.map((r) => r.location) });
    for (const w of report.warnings) {
      io.err(`warning: ${w}\n`);
    }
    if (v.json !== undefined) {
      const { summary, changed, unmatchedRules, unmatchedEvents } = report;
      io.out(JSON.stringify({ summary, changed, unmatchedRules, unmatchedEvents }, undefined, 2) + '\n');
    } else {
      io.out(v.markdown !== undefined ? FlowDiff.markdown(report) : FlowDiff.text(report));
    }
    return FlowDiff.hasChanges(report) ? 1 : 0;
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    return 2;
  }
}

async function route(router: EventRouter, args: CliArgs, io: CliIo, readStdin: () => string): Promise<number> {
  const v = args.values;
  const eventFile = v.event!;
  const event = parseJsonText(readEvent(eventFile, readStdin), `the event file ${eventFile}`);
  const custom = v.bus !== undefined ? CustomBusRouter.fromCloudAssembly(v.app!) : undefined;
  const onCustomBus = custom !== undefined && custom.hasEventBus(v.bus!);
  const refusal = onCustomBus && isCustomBusEventForm(event) ? undefined : putEventsRefusal(event, onCustomBus);
  if (refusal !== undefined) {
    throw new Error(`PutEvents would refuse the event in ${eventFile}: ${refusal}`);
  }
  if (onCustomBus) {
    return routeOnCustomBus(custom!, v.bus!, event, args, io);
  }
  const options = {
    eventBus: v.bus,
    account: v.account,
    region: v.region,
    stackName: v.stack,
  };
  const { deliveries, notDelivered } = router.explain(event, options);
  if (v.json !== undefined) {
    // The JSON on stdout stays the list of deliveries; what EventBridge would not deliver goes to stderr.
    for (const n of notDelivered) {
      io.err(`not delivered: ${renderNonDelivery(n)}\n`);
    }
    io.out(JSON.stringify(deliveries.map(toJson), undefined, 2) + '\n');
    return 0;
  }
  let text: string;
  if (deliveries.length > 0) {
    text = render(deliveries);
  } else {
    const bus = options.eventBus ?? 'default';
    text = notDelivered.length === 0 ? `No rule on bus "${bus}" matches the event.\n` : `No target on bus "${bus}" receives the event.\n`;
    const elsewhere = router.busesMatching(event, options).filter((b) => b.name !== bus && b.arn !== bus && b.path !== bus);
    if (elsewhere.length > 0) {
      text += `Rules on other buses would match it: ${elsewhere.map((b) => `${b.name} (${b.account}/${b.region})`).join(', ')}; choose one with --bus (a name, or an ARN).\n`;
    }
  }
  if (notDelivered.length > 0) {
    text += '\nNot delivered (EventBridge would not deliver to these, though their rules are on the event\'s path):\n'
      + notDelivered.map((n) => `  ✗ ${renderNonDelivery(n)}\n`).join('');
  }
  io.out(text);
  return 0;
}

/** One non-delivery on a line: the rule, the target, the reason code, the message and the AWS page. */
function renderNonDelivery(n: RouteNonDelivery): string {
  const target = n.target === undefined ? ' (every target)' : ` → ${n.target.id}: ${n.target.logicalId ?? n.target.arn}`;
  return `${n.rule.path}${target}: ${n.reason}: ${n.message}${n.documentation ? ` (${n.documentation})` : ''}`;
}

/** Routes on a Custom Event Bus (subscribers). */
async function routeOnCustomBus(router: CustomBusRouter, bus: string, event: any, args: CliArgs, io: CliIo): Promise<number> {
  const deliveries = await router.route(customBusEvent(event, args.values.region), { eventBus: bus });
  if (args.values.json !== undefined) {
    io.out(JSON.stringify(deliveries.map(subscriberJson), undefined, 2) + '\n');
    return 0;
  }
  if (deliveries.length === 0) {
    io.out(`No subscriber of the Custom Event Bus "${bus}" matches the event.\n`);
    return 0;
  }
  const lines = [`${deliveries.length} subscriber(s) of the Custom Event Bus "${deliveries[0].subscriber.eventBusName}" receive the event.`];
  for (const d of deliveries) {
    const s = d.subscriber;
    const policy = s.retryPolicy;
    lines.push('', `Subscriber ${s.stackName}/${s.logicalId} (${s.name}, ${s.ordering})`);
    lines.push(`  → ${s.targetLogicalId ?? s.targetArn} [${s.targetResourceType}]`);
    lines.push(d.transformError === undefined ? `    input (${s.transformerType}): ${d.inputText}` : `    transform failed (${s.transformerType}): ${d.transformError}`);
    lines.push(`    retries: ${policy.maximumRetryAttempts}, max age ${policy.maximumEventAgeInSeconds}s; dead-letter queue: ${s.deadLetterQueue ? s.deadLetterQueue.logicalId ?? s.deadLetterQueue.arn : 'none (failed events are dropped)'}`);
  }
  io.out(lines.join('\n') + '\n');
  return 0;
}

function subscriberJson(d: SubscriberDelivery): any {
  const s = d.subscriber;
  return {
    stack: s.stackName,
    subscriber: s.logicalId,
    subscriberName: s.name,
    subscriberArn: s.arn,
    eventBus: s.eventBusName,
    eventBusArn: s.eventBusArn,
    ordering: s.ordering,
    targetLogicalId: s.targetLogicalId,
    targetType: s.targetResourceType,
    targetArn: s.targetArn,
    transformerType: s.transformerType,
    input: d.input,
    inputText: d.inputText,
    transformError: d.transformError,
    retryPolicy: s.retryPolicy,
    deadLetterQueue: s.deadLetterQueue,
  };
}

/** Reads the event text, refusing more than 1 MiB before reading it all (a file or standard input). */
function readEvent(eventFile: string, readStdin: () => string): string {
  const text = eventFile === '-' ? readStdin() : readBoundedText(eventFile, MAX_EVENT_BYTES, 'the event file');
  if (Buffer.byteLength(text, 'utf8') > MAX_EVENT_BYTES) {
    throw new Error(`the event is over ${MAX_EVENT_BYTES} bytes; the router reads at most 1 MiB (EventBridge itself accepts at most 256 KB per entry)`);
  }
  return text;
}

function toJson(d: RoutedDelivery): any {
  return {
    stack: d.rule.stackName,
    stackId: d.rule.stackId,
    rule: d.rule.logicalId,
    rulePath: d.rule.path,
    ruleName: d.rule.name,
    ruleArn: d.rule.arn,
    eventBus: d.rule.eventBusName,
    eventBusArn: d.rule.eventBusArn,
    path: d.path,
    target: d.target.id,
    targetLogicalId: d.target.logicalId,
    targetType: d.target.resourceType,
    targetArn: d.target.arn,
    inputKind: d.target.inputKind,
    input: d.input,
    inputText: d.inputText,
    retryPolicy: d.target.retryPolicy,
    deadLetterQueue: d.target.deadLetterQueue,
    warnings: d.warnings,
  };
}

function render(deliveries: RoutedDelivery[]): string {
  const lines: string[] = [];
  const rules = new Set(deliveries.map((d) => `${d.rule.stackId}/${d.rule.logicalId}`));
  const first = deliveries[0];
  const hops = deliveries.some((d) => d.path.length > 1);
  lines.push(`${rules.size} rule(s) on bus "${first.rule.eventBusName}"${hops ? ' and the buses it forwards to' : ''} match; ${deliveries.length} target(s) receive the event.`);
  let current = '';
  for (const d of deliveries) {
    const key = `${d.rule.stackId}/${d.rule.logicalId}`;
    if (key !== current) {
      current = key;
      const via = d.path.length > 1 ? ` (forwarded: ${d.path.join(' → ')})` : '';
      lines.push('', `Rule ${d.rule.path}${d.rule.name ? ` (${d.rule.name})` : ''} on ${d.rule.eventBusArn}${via}`);
    }
    const policy = d.target.retryPolicy;
    lines.push(`  → ${d.target.id}: ${d.target.logicalId ?? d.target.arn} [${d.target.resourceType}]${d.target.eventBusArn ? ` → bus ${d.target.eventBusArn}` : ''}`);
    lines.push(`    input (${d.target.inputKind}): ${d.inputText}`);
    lines.push(`    retries: ${policy.maximumRetryAttempts}, max age ${policy.maximumEventAgeInSeconds}s${policy.isDefault ? ' (EventBridge defaults)' : ''}; dead-letter queue: ${d.target.deadLetterQueue ? d.target.deadLetterQueue.logicalId ?? d.target.deadLetterQueue.arn : 'none (failed events are dropped)'}`);
    for (const w of d.warnings) {
      lines.push(`    warning: ${w}`);
    }
  }
  return lines.join('\n') + '\n';
}
