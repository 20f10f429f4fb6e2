import { CustomBusEvent, CustomBusEvents, CustomBusRouter, SubscriberDelivery } from './custom-bus-router';
import { EventFlowDiagram } from './event-flow-diagram';
import { EventRouter, RoutedDelivery } from './event-router';
import { readBoundedStdin, readBoundedText } from './private/bounded-file';
import { parseJsonText } from './private/json-text';

/** Where the CLI writes; `process.stdout`/`stderr` in the real command, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

/** The largest event the CLI reads: well above EventBridge's 256 KB entry limit, far below what hurts. */
const MAX_EVENT_BYTES = 1024 * 1024;

const USAGE = `usage: cdk-eventbridge-blueprints route --app <cdk.out> --event <event.json> [--bus BUS] [--account ID] [--region REGION] [--stack NAME] [--json]
       cdk-eventbridge-blueprints diagram --app <cdk.out> [--bus BUS] [--account ID] [--region REGION]

route    Routes the event through the rules of a synthesized CDK app (every stack, Stages included), offline, and
         prints the matching rules, targets, the exact input each target receives, and bus-to-bus hops. On a
         Custom Event Bus (--bus names one), it prints the subscribers whose filters match and what each receives.
diagram  Prints a Mermaid flowchart of the app's event flows: producers, buses per account, rules, targets,
         dead-letter queues and bus-to-bus hops.

  --app      the cloud assembly directory (cdk.out)
  --event    a JSON file with the event (a full event or a PutEvents entry; for a Custom Event Bus also
             { "data": ..., "metadata": {...}, "eventGroupId": ... }), at most 1 MiB; "-" reads stdin
  --bus      the bus: a name, an ARN, a logical ID or a construct path (route: default "default"; diagram: all buses)
  --account  the account the event is put in, for a bus given by name (default: the event's "account")
  --region   the region the event is put in, for a bus given by name (default: the event's "region")
  --stack    only rules of this stack (name or construct path)
  --bind     RESOURCE=VALUE: a deploy-time value for patterns, by construct path or logical ID (.Attr for
             Fn::GetAtt, e.g. Platform/Uploads.Arn=arn:aws:s3:::uploads); repeatable
  --json     print the deliveries as JSON`;

const VALUE_OPTIONS: { [command: string]: string[] } = {
  route: ['--app', '--event', '--bus', '--account', '--region', '--stack', '--bind'],
  diagram: ['--app', '--bus', '--account', '--region', '--bind'],
};

/**
 * Runs the CLI. Resolves to the exit code: 0 on success, 1 on bad input, 2 on bad usage.
 */
export async function main(argv: string[], io: CliIo, readStdin: () => string = () => readBoundedStdin(MAX_EVENT_BYTES, 'the event on stdin')): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.out(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (VALUE_OPTIONS[command] === undefined) {
    io.err(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const args: { [k: string]: string | boolean } = {};
  const bindings: { [resource: string]: string } = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--json' && command === 'route') {
      args.json = true;
    } else if (a === '--bind') {
      const value = rest[i + 1];
      const eq = value === undefined ? -1 : value.indexOf('=');
      if (value === undefined || eq <= 0) {
        io.err(`--bind needs RESOURCE=VALUE (a construct path or logical ID, "=", the deploy-time value), got ${value === undefined ? 'nothing' : JSON.stringify(value.slice(0, 200))}\n${USAGE}\n`);
        return 2;
      }
      bindings[value.slice(0, eq)] = value.slice(eq + 1);
      i++;
    } else if (VALUE_OPTIONS[command].includes(a)) {
      if (rest[i + 1] === undefined || rest[i + 1].startsWith('--')) {
        io.err(`${a} needs a value\n${USAGE}\n`);
        return 2;
      }
      args[a.slice(2)] = rest[++i];
    } else {
      io.err(`unknown option "${a}" for ${command}\n${USAGE}\n`);
      return 2;
    }
  }
  for (const required of command === 'route' ? ['app', 'event'] : ['app']) {
    if (args[required] === undefined) {
      io.err(`--${required} is required\n${USAGE}\n`);
      return 2;
    }
  }
  try {
    const router = EventRouter.fromCloudAssembly(args.app as string, { deployTimeValues: bindings });
    for (const w of router.warnings) {
      io.err(`warning: ${w}\n`);
    }
    if (command === 'diagram') {
      io.out(EventFlowDiagram.mermaid(router, {
        eventBus: args.bus as string | undefined,
        account: args.account as string | undefined,
        region: args.region as string | undefined,
      }));
      return 0;
    }
    return await route(router, args, io, readStdin);
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

async function route(router: EventRouter, args: { [k: string]: string | boolean }, io: CliIo, readStdin: () => string): Promise<number> {
  const eventFile = args.event as string;
  const event = parseJsonText(readEvent(eventFile, readStdin), `the event file ${eventFile}`);
  if (typeof args.bus === 'string') {
    const custom = CustomBusRouter.fromCloudAssembly(args.app as string);
    if (custom.hasEventBus(args.bus)) {
      return routeOnCustomBus(custom, args.bus, event, args, io);
    }
  }
  const hint = spellingHint(event);
  if (hint) {
    io.err(`hint: ${hint}\n`);
  }
  const options = {
    eventBus: args.bus as string | undefined,
    account: args.account as string | undefined,
    region: args.region as string | undefined,
    stackName: args.stack as string | undefined,
  };
  const deliveries = router.route(event, options);
  if (args.json) {
    io.out(JSON.stringify(deliveries.map(toJson), undefined, 2) + '\n');
    return 0;
  }
  if (deliveries.length > 0) {
    io.out(render(deliveries));
    return 0;
  }
  const bus = options.eventBus ?? 'default';
  let text = `No rule on bus "${bus}" matches the event.\n`;
  const elsewhere = router.busesMatching(event, options).filter((b) => b.name !== bus && b.arn !== bus && b.path !== bus);
  if (elsewhere.length > 0) {
    text += `Rules on other buses would match it: ${elsewhere.map((b) => `${b.name} (${b.account}/${b.region})`).join(', ')}; choose one with --bus (a name, or an ARN).\n`;
  }
  io.out(text);
  return 0;
}

/** Routes on a Custom Event Bus (subscribers). */
type CliArgs = { [k: string]: string | boolean };

async function routeOnCustomBus(router: CustomBusRouter, bus: string, event: any, args: CliArgs, io: CliIo): Promise<number> {
  const deliveries = await router.route(customBusEvent(event, args.region as string | undefined), { eventBus: bus });
  if (args.json) {
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

/** An event for a Custom Event Bus: given as such (`data`, ...), or an EventBridge event / PutEvents entry. */
function customBusEvent(event: any, region: string | undefined): CustomBusEvent {
  if (event !== null && typeof event === 'object' && !Array.isArray(event) && 'data' in event) {
    return event as CustomBusEvent;
  }
  const e = event ?? {};
  return CustomBusEvents.putEvents({
    source: e.source ?? e.Source,
    detailType: e['detail-type'] ?? e.DetailType,
    detail: typeof e.Detail === 'string' ? parseJsonText(e.Detail, 'Detail') : (e.detail ?? e.Detail ?? {}),
    resources: e.resources ?? e.Resources,
    time: e.time,
    account: e.account,
    id: e.id,
  }, region ?? e.region);
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

/** A hint for the commonest misspellings of `detail-type`. */
function spellingHint(event: any): string | undefined {
  if (event === null || typeof event !== 'object' || Array.isArray(event) || event['detail-type'] !== undefined || event.DetailType !== undefined) {
    return undefined;
  }
  const wrong = ['detailType', 'detail_type', 'detailtype'].find((k) => event[k] !== undefined);
  return wrong === undefined ? undefined
    : `the event has "${wrong}"; an EventBridge event spells it "detail-type" (a PutEvents entry: "DetailType"), so patterns on detail-type will not match`;
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
