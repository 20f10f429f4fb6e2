import * as fs from 'fs';
import { EventRouter, RoutedDelivery } from './event-router';
import { parseJsonText } from './private/json-text';

/** Where the CLI writes; `process.stdout`/`stderr` in the real command, buffers in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
}

const USAGE = `usage: cdk-eventbridge-blueprints route --app <cdk.out> --event <event.json> [--bus NAME] [--stack NAME] [--json]

Routes the event through the rules of a synthesized CDK app, offline, and prints the matching rules, targets and
the exact input each target receives.
  --app    the cloud assembly directory (cdk.out)
  --event  a JSON file with the event (a full event or a PutEvents entry); "-" reads stdin
  --bus    the bus the event is put on: a name or a bus logical ID (default: "default")
  --stack  only rules of this stack
  --json   print the deliveries as JSON`;

/**
 * Runs the CLI. Returns the exit code: 0 on success, 1 on bad input, 2 on bad usage.
 */
export function main(argv: string[], io: CliIo, readStdin: () => string = () => fs.readFileSync(0, 'utf8')): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h') {
    io.out(USAGE + '\n');
    return command === undefined ? 2 : 0;
  }
  if (command !== 'route') {
    io.err(`unknown command "${command}"\n${USAGE}\n`);
    return 2;
  }
  const args: { [k: string]: string | boolean } = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (a === '--json') {
      args.json = true;
    } else if (['--app', '--event', '--bus', '--stack'].includes(a)) {
      if (rest[i + 1] === undefined || rest[i + 1].startsWith('--')) {
        io.err(`${a} needs a value\n${USAGE}\n`);
        return 2;
      }
      args[a.slice(2)] = rest[++i];
    } else {
      io.err(`unknown option "${a}"\n${USAGE}\n`);
      return 2;
    }
  }
  for (const required of ['app', 'event']) {
    if (args[required] === undefined) {
      io.err(`--${required} is required\n${USAGE}\n`);
      return 2;
    }
  }
  try {
    const eventFile = args.event as string;
    let text: string;
    try {
      text = eventFile === '-' ? readStdin() : fs.readFileSync(eventFile, 'utf8');
    } catch (e) {
      throw new Error(`cannot read the event file ${eventFile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    const event = parseJsonText(text, `the event file ${eventFile}`);
    const router = EventRouter.fromCloudAssembly(args.app as string);
    const deliveries = router.route(event, {
      eventBus: args.bus as string | undefined,
      stackName: args.stack as string | undefined,
    });
    if (args.json) {
      io.out(JSON.stringify(deliveries.map(toJson), undefined, 2) + '\n');
    } else {
      io.out(render(deliveries, (args.bus as string | undefined) ?? 'default'));
    }
    return 0;
  } catch (e) {
    io.err(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

function toJson(d: RoutedDelivery): any {
  return {
    stack: d.rule.stackName,
    rule: d.rule.logicalId,
    ruleName: d.rule.name,
    ruleArn: d.rule.arn,
    eventBus: d.rule.eventBusName,
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

function render(deliveries: RoutedDelivery[], bus: string): string {
  if (deliveries.length === 0) {
    return `No rule on bus "${bus}" matches the event.\n`;
  }
  const lines: string[] = [];
  const rules = new Set(deliveries.map((d) => `${d.rule.stackName}/${d.rule.logicalId}`));
  lines.push(`${rules.size} rule(s) on bus "${deliveries[0].rule.eventBusName}" match; ${deliveries.length} target(s) receive the event.`);
  let current = '';
  for (const d of deliveries) {
    const key = `${d.rule.stackName}/${d.rule.logicalId}`;
    if (key !== current) {
      current = key;
      lines.push('', `Rule ${key}${d.rule.name ? ` (${d.rule.name})` : ''}`);
    }
    const policy = d.target.retryPolicy;
    lines.push(`  → ${d.target.id}: ${d.target.logicalId ?? d.target.arn} [${d.target.resourceType}]`);
    lines.push(`    input (${d.target.inputKind}): ${d.inputText}`);
    lines.push(`    retries: ${policy.maximumRetryAttempts}, max age ${policy.maximumEventAgeInSeconds}s${policy.isDefault ? ' (EventBridge defaults)' : ''}; dead-letter queue: ${d.target.deadLetterQueue ? d.target.deadLetterQueue.logicalId ?? d.target.deadLetterQueue.arn : 'none (failed events are dropped)'}`);
    for (const w of d.warnings) {
      lines.push(`    warning: ${w}`);
    }
  }
  return lines.join('\n') + '\n';
}
