import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, Stack, aws_events as events, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { addExampleStacks } from '../../examples/stacks';
import { main } from '../../src/testing/cli';
import { EventRouter } from '../../src/testing/event-router';
import { FlowChangeKind, FlowDiff, FlowDiffReport } from '../../src/testing/flow-diff';

// The example app (before) and a changed copy of it (after), synthesized once for the whole file.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-flow-diff-'));
const before = path.join(dir, 'before.out');
const after = path.join(dir, 'after.out');

function synth(outdir: string, change: boolean): void {
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  addExampleStacks(app);
  if (change) {
    // Dev's team rule now wants another detail-type: its order deliveries disappear.
    const teamRule = app.node.findChild('Dev').node.findChild('Commerce').node.findAll()
      .find((c) => c.node.path === 'Dev/Commerce/Inventory/OrderPlacedRoute/Rule/Resource') as events.CfnRule;
    teamRule.addPropertyOverride('EventPattern.detail-type', ['OrderConfirmed']);
    // Dev's platform team adds an audit rule on the central bus: new deliveries appear.
    const platform = app.node.findChild('Dev').node.findChild('Platform') as Stack;
    const centralBus = events.EventBus.fromEventBusName(platform, 'Central', 'platform');
    new events.Rule(platform, 'Audit', {
      eventBus: centralBus,
      eventPattern: { source: ['com.example.orders'] },
      targets: [new targets.SqsQueue(new sqs.Queue(platform, 'AuditQueue', { enforceSSL: true }))],
    });
    // The Custom Event Bus subscriber's JSONata transform drops `total`: its input changes.
    const large = app.node.findChild('CustomBusExample').node.findChild('OrdersBus').node.findChild('LargeOrders').node.findChild('Resource') as CfnResource;
    large.addPropertyOverride('Transformer.JsonataConfiguration.Expression', '{% { "orderId": $events.Data.detail.orderId } %}');
  }
  app.synth();
}
synth(before, false);
synth(after, true);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const order = (id: string, account: string, extra: object = {}) => ({
  'source': 'com.example.orders', 'detail-type': 'OrderPlaced', account, 'region': 'eu-west-1', 'detail': { orderId: id, items: [], ...extra },
});
const EVENTS = [
  { eventBus: 'platform', event: order('o-1', '111111111111') }, // Dev's central bus
  order('o-2', '333333333333'), // Dev's spoke default bus: forwarded to the central bus
  { eventBus: 'platform', event: order('o-3', '222222222222') }, // Prod: unchanged
  // The Custom Event Bus of the example app, in its own account and Region (the event is put there).
  { eventBus: 'orders-v2', event: { ...order('o-4', '123456789012', { total: 2000 }), region: 'us-east-1' } },
  { 'source': 'com.example.unknown', 'detail-type': 'Nothing', 'account': '111111111111', 'region': 'eu-west-1', 'detail': {} },
];
const eventsFile = path.join(dir, 'events.ndjson');
fs.writeFileSync(eventsFile, EVENTS.map((e) => JSON.stringify(e)).join('\n') + '\n');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } });
  return { code, out, err };
}

describe('FlowDiff', () => {
  let report: FlowDiffReport;
  beforeAll(async () => {
    report = await FlowDiff.fromCloudAssemblies(before, after).compare(EVENTS);
  });

  test('reports per event the deliveries that appear, disappear or change input, with rule and target paths', () => {
    expect(report.changed.map((c) => c.event.index)).toEqual([0, 1, 3]);
    const [central, spoke, custom] = report.changed;
    expect(central.changes).toEqual([
      expect.objectContaining({ change: FlowChangeKind.ADDED, after: expect.objectContaining({ rulePath: 'Dev/Platform/Audit', targetId: 'Target0', targetPath: 'Dev/Platform/AuditQueue', targetType: 'AWS::SQS::Queue' }) }),
      expect.objectContaining({ change: FlowChangeKind.REMOVED, before: expect.objectContaining({ rulePath: 'Dev/Commerce/Inventory/OrderPlacedRoute/Rule', targetPath: 'Dev/Commerce/Inventory/ReserveInventory', targetType: 'AWS::Lambda::Function' }) }),
    ]);
    // Across accounts: the spoke's forwarding rule is unchanged, the hops behind it change.
    expect(spoke.changes.map((c) => [c.change, (c.after ?? c.before)!.rulePath, (c.after ?? c.before)!.busPath])).toEqual([
      [FlowChangeKind.ADDED, 'Dev/Platform/Audit', ['arn:aws:events:eu-west-1:333333333333:event-bus/default', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform']],
      [FlowChangeKind.REMOVED, 'Dev/Commerce/Inventory/OrderPlacedRoute/Rule', ['arn:aws:events:eu-west-1:333333333333:event-bus/default', 'arn:aws:events:eu-west-1:111111111111:event-bus/platform']],
    ]);
    expect(custom.changes).toEqual([expect.objectContaining({
      change: FlowChangeKind.INPUT_CHANGED,
      before: expect.objectContaining({ kind: 'SUBSCRIBER', rulePath: 'CustomBusExample/OrdersBus/LargeOrders', targetPath: 'CustomBusExample/LargeOrderHandler', input: '{"orderId":"o-4","total":2000}' }),
      after: expect.objectContaining({ input: '{"orderId":"o-4"}' }),
    })]);
    expect(report.summary).toMatchObject({ events: 5, changedEvents: 3, added: 2, removed: 2, inputChanged: 1 });
  });

  test('reports the coverage of the after app: rules no event matched, events that matched no rule', () => {
    expect(report.unmatchedEvents).toEqual([expect.objectContaining({ index: 4, source: 'com.example.unknown', eventBus: 'default' })]);
    const unmatched = report.unmatchedRules.map((r) => r.path);
    expect(unmatched).toContain('Prod/Spoke/ToCentral/Route/Rule');
    expect(unmatched).toContain('Dev/Commerce/Inventory/OrderPlacedRoute/Rule');
    expect(unmatched).toContain('CustomBusExample/OrdersBus/AcmeNotifications');
    expect(unmatched).not.toContain('Dev/Platform/Audit');
    expect(unmatched).not.toContain('Prod/Commerce/Inventory/OrderPlacedRoute/Rule');
    expect(unmatched).not.toContain('CustomBusExample/OrdersBus/LargeOrders');
    expect(report.summary.unmatchedRules).toBe(unmatched.length);
    // Matched: Dev/Platform/Audit, the Dev spoke rule, the Prod team rule, and four subscribers of orders-v2.
    expect(report.summary.rulesAfter - report.summary.unmatchedRules).toBe(7);
  });

  test('the same app on both sides has no change', async () => {
    const same = await FlowDiff.fromCloudAssemblies(before, before).compare(EVENTS);
    expect(same.changed).toEqual([]);
    expect(FlowDiff.hasChanges(same)).toBe(false);
    expect(FlowDiff.markdown(same)).toContain('**No change**: the 5 event(s) reach the same targets with the same input.');
  });

  test('router options apply to both apps: environment-agnostic stacks placed in a chosen account', async () => {
    const event = { 'source': 'x', 'detail-type': 'y', 'account': '999999999999', 'region': 'us-east-1', 'detail': {} };
    await expect(FlowDiff.fromCloudAssemblies(before, after).compare([event])).rejects.toThrow(/^event #0: cannot be routed in either app: unknown event bus "default"/);
    const placed = await FlowDiff.fromCloudAssemblies(before, after, { eventRouterOptions: { account: '999999999999' } }).compare([event]);
    expect(placed.unmatchedEvents).toEqual([expect.objectContaining({ index: 0 })]);
  });

  test('an event that PutEvents would refuse, or that neither app can route, is an error naming the event', async () => {
    const diff = FlowDiff.fromCloudAssemblies(before, after);
    await expect(diff.compare([{ source: 'x', detail: {} }], { locations: ['events/a.ndjson:3'] }))
      .rejects.toThrow('event events/a.ndjson:3: PutEvents would refuse it: the event has no "detail-type"; PutEvents requires a non-empty string (API_PutEventsRequestEntry)');
    await expect(diff.compare([{ 'source': 'x', 'detail-type': 'y', 'detail': [1] }]))
      .rejects.toThrow('event #0: PutEvents would refuse it: "detail" is an array; PutEvents requires a JSON object (API_PutEventsRequestEntry)');
    await expect(diff.compare([order('o-1', '111111111111')], { eventBus: 'nope' }))
      .rejects.toThrow(/^event #0: cannot be routed in either app: unknown event bus "nope"/);
  });
});

describe('cdk-eventbridge-blueprints diff', () => {
  test('exits 1 on a change and prints the changes, then the coverage', async () => {
    const { code, out } = await run('diff', '--before', before, '--after', after, '--events', eventsFile);
    expect(code).toBe(1);
    expect(out).toMatch(/^3 of 5 event\(s\) route differently: 2 delivery\(ies\) added, 2 removed, 1 with changed input\.\n/);
    expect(out).toContain(`\nEvent ${eventsFile}:1 (com.example.orders / OrderPlaced) on platform\n  + Dev/Platform/Audit → Target0: Dev/Platform/AuditQueue [AWS::SQS::Queue]\n`);
    expect(out).toContain('  ~ CustomBusExample/OrdersBus/LargeOrders → large-orders: CustomBusExample/LargeOrderHandler [AWS::Lambda::Function]\n      before: {"orderId":"o-4","total":2000}\n      after:  {"orderId":"o-4"}\n');
    expect(out).toContain(`  matched nothing: event ${eventsFile}:5 (com.example.unknown / Nothing) on default\n`);
  });

  test('exits 0 when nothing changes, on a directory of events', async () => {
    const recorded = path.join(dir, 'recorded');
    fs.mkdirSync(recorded);
    fs.writeFileSync(path.join(recorded, 'a.json'), JSON.stringify([EVENTS[0], EVENTS[1]]));
    fs.writeFileSync(path.join(recorded, 'b.ndjson'), JSON.stringify(EVENTS[3]) + '\n\n');
    fs.writeFileSync(path.join(recorded, 'notes.txt'), 'not an event');
    const { code, out } = await run('diff', '--before', after, '--after', after, '--events', recorded);
    expect(code).toBe(0);
    expect(out).toMatch(/^0 of 3 event\(s\) route differently/);
  });

  test('--json prints summary, changed, unmatchedRules and unmatchedEvents', async () => {
    const { code, out } = await run('diff', '--before', before, '--after', after, '--events', eventsFile, '--json');
    expect(code).toBe(1);
    const json = JSON.parse(out);
    expect(Object.keys(json)).toEqual(['summary', 'changed', 'unmatchedRules', 'unmatchedEvents']);
    expect(json.summary).toMatchObject({ events: 5, changedEvents: 3, added: 2, removed: 2, inputChanged: 1, unmatchedEvents: 1 });
    expect(json.changed[0].event.location).toBe(`${eventsFile}:1`);
  });

  test('--markdown is a pull-request comment: a table of changes, the coverage in collapsed lists', async () => {
    const { code, out } = await run('diff', '--before', before, '--after', after, '--events', eventsFile, '--markdown');
    expect(code).toBe(1);
    expect(out).toMatch(/^### EventBridge routing diff\n\n\*\*3 of 5 event\(s\) route differently: 2 delivery\(ies\) added, 2 removed, 1 with changed input\.\*\*\n\n\| Event \| Change \| Rule \/ subscriber \| Target \| Input \|\n\| --- \| --- \| --- \| --- \| --- \|\n/);
    expect(out).toContain('| ➕ added | `Dev/Platform/Audit` | `Dev/Platform/AuditQueue` (`AWS::SQS::Queue`) |');
    expect(out).toContain('| ✏️ input changed | `CustomBusExample/OrdersBus/LargeOrders` | `CustomBusExample/LargeOrderHandler` (`AWS::Lambda::Function`) | before: `{"orderId":"o-4","total":2000}`<br>after: `{"orderId":"o-4"}` |');
    expect(out).toContain('| ➖ removed | `Dev/Commerce/Inventory/OrderPlacedRoute/Rule`<br>via `default (333333333333) → platform (111111111111)` |');
    expect(out).toMatch(/<details><summary>Events that matched no rule or subscriber \(1\)<\/summary>\n\n- `.*events\.ndjson:5 \(com\.example\.unknown \/ Nothing\) on default`\n\n<\/details>\n$/);
  });

  test('text from events stays inert in the Markdown: no link, mention, HTML, broken row or code span', async () => {
    const hostile = path.join(dir, 'hostile.ndjson');
    const detailType = 'Order|Placed [click](https://example.com) @org/team <img src=x> `x`\nrow';
    fs.writeFileSync(hostile, JSON.stringify({ eventBus: 'platform', event: { ...order('o-1', '111111111111'), 'detail-type': detailType } }) + '\n');
    const out = (await run('diff', '--before', before, '--after', after, '--events', hostile, '--markdown')).out;
    const row = out.split('\n').find((l) => l.includes('➕ added'))!;
    expect(row).toContain('(com.example.orders / Order\\|Placed [click](https://example.com) @org/team <img src=x> ˋxˋ row) on platform` | ➕ added |');
    expect(row.startsWith('| `')).toBe(true);
    // Outside the code spans only our own markup remains.
    expect(row.replace(/`[^`]*`/g, '')).toMatch(/^\| {2}\| ➕ added \| {2}\| {2}\( *\) \| {2}\|$/);
  });

  test.each([
    [['diff', '--after', after, '--events', eventsFile], /^--before is required\nusage: cdk-eventbridge-blueprints diff /],
    [['diff', '--before', before, '--after', after, '--events', eventsFile, '--json', '--markdown'], /^--json and --markdown cannot be used together\n/],
    [['diff', '--before', before, '--before', after, '--after', after, '--events', eventsFile], /^--before is given twice\n/],
    [['diff', '--before', dir, '--after', after, '--events', eventsFile], /^error: --before .*: .* is not a cloud assembly: it has no manifest\.json/],
    [['diff', '--before', before, '--after', after, '--events', path.join(dir, 'missing')], /^error: cannot read the events .*missing: ENOENT\n$/],
    [['diff', '--before', before, '--after', after, '--events', eventsFile, '--bus', 'nope'], /^error: event .*events\.ndjson:2: cannot be routed in either app: unknown event bus "nope"/],
  ])('%j exits 2 with a clear message', async (argv, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(2);
    expect(result.err).toMatch(message);
  });

  test('an event PutEvents would refuse exits 2, naming the file and line and the reason', async () => {
    const bad = path.join(dir, 'bad.ndjson');
    fs.writeFileSync(bad, `${JSON.stringify(EVENTS[0])}\n${JSON.stringify({ 'source': 'x', 'detail-type': 'y', 'detail': 'text' })}\n`);
    expect(await run('diff', '--before', before, '--after', after, '--events', bad)).toEqual({
      code: 2,
      out: '',
      err: `error: event ${bad}:2: PutEvents would refuse it: "detail" is a string; PutEvents requires a JSON object (API_PutEventsRequestEntry)\n`,
    });
    fs.writeFileSync(bad, '{"source": "x"}\n{"password": "hunter2" oops}\n');
    const invalid = await run('diff', '--before', before, '--after', after, '--events', bad);
    expect(invalid.code).toBe(2);
    expect(invalid.err).toMatch(new RegExp(`^error: ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} line 2 is not valid JSON: .*line 1, column 24`));
    expect(invalid.err).not.toContain('hunter2');
  });

  test('standard input is bounded: a stream that never ends is refused, not held in memory', () => {
    const cli = path.join(__dirname, '../../src/testing/cli-main.ts');
    const result = spawnSync('bash', ['-c', `yes | ${JSON.stringify(process.execPath)} -r ts-node/register/transpile-only ${JSON.stringify(cli)} diff --before ${JSON.stringify(before)} --after ${JSON.stringify(after)} --events -`], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(2);
    expect(result.stderr).toBe('error: the events on stdin is over 67108864 bytes; at most 67108864 bytes are read\n');
  });

  test('--help prints the command\'s options', async () => {
    const { code, out } = await run('diff', '--help');
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: cdk-eventbridge-blueprints diff --before <cdk\.out> --after <cdk\.out> --events <dir \| file> \[--bus BUS\] \[--bind RESOURCE=VALUE\] \[--json\] \[--markdown\]\n/);
    expect(out).toContain('Exit code: 0 no change, 1 change, 2 bad usage');
  });
});

describe('FlowDiff.fromApps (routers built in a unit test)', () => {
  function appWith(change: boolean): Stack {
    const stack = new Stack(new App(), 'Orders', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'orders' });
    const input = change ? { orderId: events.EventField.fromPath('$.detail.orderId') } : { id: events.EventField.fromPath('$.detail.orderId') };
    new events.Rule(stack, 'Rule', {
      eventBus: bus,
      eventPattern: { source: ['shop'] },
      targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Queue'), { message: events.RuleTargetInput.fromObject(input) })],
    });
    if (change) {
      const extra = new events.EventBus(stack, 'Extra', { eventBusName: 'extra' });
      new events.Rule(stack, 'ExtraRule', { eventBus: extra, eventPattern: { source: ['shop'] }, targets: [new targets.SqsQueue(new sqs.Queue(stack, 'ExtraQueue'))] });
    }
    return stack;
  }

  test('an input transformer change is INPUT_CHANGED; a bus only the after app has is ADDED, with a note', async () => {
    const diff = FlowDiff.fromApps({ eventRouter: EventRouter.fromStack(appWith(false)) }, { eventRouter: EventRouter.fromStack(appWith(true)) });
    const event = { 'source': 'shop', 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-1' } };
    const report = await diff.compare([{ eventBus: 'orders', event }, { eventBus: 'extra', event }]);
    expect(report.changed[0].changes).toEqual([expect.objectContaining({
      change: FlowChangeKind.INPUT_CHANGED,
      before: expect.objectContaining({ rulePath: 'Orders/Rule', targetId: 'Target0', input: '{"id":"o-1"}' }),
      after: expect.objectContaining({ input: '{"orderId":"o-1"}' }),
    })]);
    expect(report.changed[1].changes).toEqual([expect.objectContaining({ change: FlowChangeKind.ADDED, after: expect.objectContaining({ rulePath: 'Orders/ExtraRule' }) })]);
    expect(report.changed[1].notes).toEqual([expect.stringMatching(/^the before app cannot route it: unknown event bus "extra"/)]);
    expect(FlowDiff.text(report)).toContain('  note: the before app cannot route it: unknown event bus "extra"');
  });

  test('a Markdown report holds at most 200 rows and counts the rest', async () => {
    const diff = FlowDiff.fromApps({ eventRouter: EventRouter.fromStack(appWith(false)) }, { eventRouter: EventRouter.fromStack(appWith(true)) });
    const many = Array.from({ length: 250 }, (_, i) => ({ eventBus: 'extra', event: { 'source': 'shop', 'detail-type': 'X', 'detail': { i } } }));
    const text = FlowDiff.markdown(await diff.compare(many));
    // 250 rows of about 320 characters: the 60,000-character cap stops the table first (GitHub's limit is 65,536).
    const rows = text.split('\n').filter((l) => l.startsWith('| ') && l.includes('➕ added')).length;
    expect(rows).toBeGreaterThan(150);
    expect(rows).toBeLessThan(200);
    expect(text).toContain(`\n… and ${250 - rows} more change(s): run the diff with \`--json\` for all of them.\n`);
    expect(text.length).toBeLessThan(65_536);
    const few = FlowDiff.markdown(await diff.compare(many.map((m) => ({ ...m, event: { ...m.event, detail: {} } })).slice(0, 1)));
    expect(few).not.toContain('more change(s)');
  });
});
