import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_events as events, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { CustomEventBus, SubscriberFilter, SubscriberTarget, SubscriberTransformer } from '../../src/core';
import { main } from '../../src/testing/cli';

// One cloud assembly for the whole file, synthesized into a temp dir.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-router-cli-'));
const outdir = path.join(dir, 'cdk.out');
const app = new App({ outdir });
const stack = new Stack(app, 'CliStack', { env: { account: '111111111111', region: 'eu-west-1' } });
const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'orders' });
new events.Rule(stack, 'Rule', {
  eventBus: bus,
  eventPattern: { source: ['com.example.orders'] },
  targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Queue'), { message: events.RuleTargetInput.fromObject({ id: events.EventField.fromPath('$.detail.orderId') }) })],
});
// A second bus whose three targets get the whole matched event: big outputs for the EPIPE test.
const wideBus = new events.EventBus(stack, 'WideBus', { eventBusName: 'wide' });
new events.Rule(stack, 'Wide', {
  eventBus: wideBus,
  eventPattern: { detailType: ['Wide'] },
  targets: [1, 2, 3].map((i) => new targets.SqsQueue(new sqs.Queue(stack, `WideQueue${i}`))),
});
// A Custom Event Bus (subscribers) in the same app.
const v2 = new CustomEventBus(stack, 'V2Bus', { eventBusName: 'orders-v2' });
v2.addSubscriber('Large', {
  subscriberName: 'large-orders',
  filters: [SubscriberFilter.data({ source: ['com.example.orders'] })],
  transformer: SubscriberTransformer.jsonata('{ "id": $events.Data.detail.orderId }'),
  target: SubscriberTarget.sqs(new sqs.Queue(stack, 'V2Queue', { enforceSSL: true })),
});
app.synth();
const eventFile = path.join(dir, 'event.json');
fs.writeFileSync(eventFile, JSON.stringify({ 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-1' } }));
const badJson = path.join(dir, 'bad.json');
fs.writeFileSync(badJson, '{\n  "source": oops\n}');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } }, () => '{"source":"com.example.orders","detail-type":"X","detail":{}}');
  return { code, out, err };
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cdk-eventbridge-blueprints route', () => {
  test('prints rules, targets and the transformed input', async () => {
    const { code, out, err } = await run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/1 rule\(s\) on bus "orders" match; 1 target\(s\) receive the event\./);
    expect(out).toMatch(/Rule CliStack\/Rule[0-9A-F]+/);
    expect(out).toMatch(/→ Target0: Queue[0-9A-F]+ \[AWS::SQS::Queue\]/);
    expect(out).toContain('input (INPUT_TRANSFORMER): {"id":"o-1"}');
    expect(out).toContain('retries: 185, max age 86400s (EventBridge defaults); dead-letter queue: none (failed events are dropped)');
  });

  test('--json prints the deliveries as JSON', async () => {
    const { code, out } = await run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([expect.objectContaining({ stack: 'CliStack', eventBus: 'orders', targetType: 'AWS::SQS::Queue', input: { id: 'o-1' } })]);
  });

  test('reads the event from stdin with "-" and reports no match', async () => {
    const { code, out } = await run('route', '--app', outdir, '--event', '-', '--stack', 'CliStack');
    expect(code).toBe(0);
    expect(out).toBe('No rule on bus "default" matches the event.\n'
      + 'Rules on other buses would match it: orders (111111111111/eu-west-1); choose one with --bus (a name, or an ARN).\n');
  });

  test.each([
    [['route', '--app', outdir, '--event', path.join(dir, 'missing.json')], 1, /error: cannot read the event file .*missing\.json: ENOENT/],
    [['route', '--app', outdir, '--event', badJson], 1, /error: the event file .*bad\.json is not valid JSON: Unexpected 'o' at position 14 \(line 2, column 13\)/],
    [['route', '--app', outdir, '--event', eventFile, '--bus', 'nope'], 1, /error: unknown event bus "nope"; the app has: default \(111111111111\/eu-west-1\), orders \(111111111111\/eu-west-1, CliStack\/Bus[0-9A-F]{8}\)/],
    [['route', '--app', dir, '--event', eventFile], 1, /error: .* is not a cloud assembly: it has no manifest\.json/],
    [['route', '--app', path.join(dir, 'nope'), '--event', eventFile], 1, /error: .*nope is not a directory/],
    [['route', '--app', outdir, '--event', eventFile, '--stack', 'Nope'], 1, /error: unknown stack "Nope"; the app has: CliStack/],
    [['route', '--event', eventFile], 2, /--app is required/],
    [['route', '--app'], 2, /--app needs a value/],
    [['route', '--frobnicate'], 2, /unknown option "--frobnicate"/],
    [['deploy'], 2, /unknown command "deploy"/],
  ])('%j exits %i with a clear message', async (argv, code, message) => {
    const result = await run(...argv);
    expect(result.code).toBe(code);
    expect(result.err).toMatch(message);
  });

  test('a missing event file names its path; an event over 1 MiB is refused before it is read', async () => {
    const missing = path.join(dir, 'nowhere', 'event.json');
    expect((await run('route', '--app', outdir, '--event', missing)).err).toBe(`error: cannot read the event file ${missing}: ENOENT\n`);
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, JSON.stringify({ source: 'x', detail: { blob: 'a'.repeat(1024 * 1024) } }));
    const result = await run('route', '--app', outdir, '--event', big);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^error: the event file .*big\.json is 1048\d{3} bytes; at most 1048576 bytes are read\n$/);
    let out = '';
    let err = '';
    const code = await main(['route', '--app', outdir, '--event', '-'], { out: (t) => { out += t; }, err: (t) => { err += t; } }, () => 'x'.repeat(1024 * 1024 + 1));
    expect({ code, out }).toEqual({ code: 1, out: '' });
    expect(err).toMatch(/the event is over 1048576 bytes; the router reads at most 1 MiB/);
  });

  test('standard input is read only up to the bound: a stream that never ends is refused, not held in memory', () => {
    // `yes` writes forever: the CLI must stop reading at 1 MiB and say so.
    const result = spawnSync('bash', ['-c', `yes | ${JSON.stringify(process.execPath)} -r ts-node/register/transpile-only ${JSON.stringify(path.join(__dirname, '../../src/testing/cli-main.ts'))} route --app ${JSON.stringify(outdir)} --event -`], { encoding: 'utf8', timeout: 60_000 });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('error: the event on stdin is over 1048576 bytes; at most 1048576 bytes are read\n');
  });

  test('an event path that is not a regular file (a directory, a device) is refused without reading it', async () => {
    expect((await run('route', '--app', outdir, '--event', dir)).err).toBe(`error: the event file ${dir} is not a regular file: refused\n`);
    expect((await run('route', '--app', outdir, '--event', '/dev/zero')).err).toBe('error: the event file /dev/zero is not a regular file: refused\n');
  });

  test('a template that links out of the assembly, or is over the cap, is refused without echoing its content', async () => {
    const copy = path.join(dir, 'linked.out');
    fs.cpSync(outdir, copy, { recursive: true });
    const manifest = JSON.parse(fs.readFileSync(path.join(copy, 'manifest.json'), 'utf8'));
    const templateFile = Object.values<any>(manifest.artifacts).find((a) => a.type === 'aws:cloudformation:stack').properties.templateFile;
    const secret = path.join(dir, 'secret.json');
    fs.writeFileSync(secret, '{"password": "hunter2"}');
    fs.rmSync(path.join(copy, templateFile));
    fs.symlinkSync(secret, path.join(copy, templateFile));
    const linked = await run('route', '--app', copy, '--event', eventFile);
    expect(linked.code).toBe(1);
    expect(linked.err).toContain('lies outside');
    expect(linked.err).not.toContain('hunter2');

    fs.rmSync(path.join(copy, templateFile));
    fs.writeFileSync(path.join(copy, templateFile), `{"password": "hunter2", ${' '.repeat(11 * 1024 * 1024)}`);
    const big = await run('route', '--app', copy, '--event', eventFile);
    expect(big.err).toMatch(/is 11534\d{3} bytes; at most 10485760 bytes are read/);

    fs.writeFileSync(path.join(copy, templateFile), '{"password": "hunter2" x}');
    const bad = await run('route', '--app', copy, '--event', eventFile);
    expect(bad.err).toMatch(/is not valid JSON \(at position 23\)\n$/);
    expect(bad.err).not.toContain('hunter2');
  });

  test('an event with detailType is refused (PutEvents requires detail-type), with a hint', async () => {
    const wrong = path.join(dir, 'wrong.json');
    fs.writeFileSync(wrong, JSON.stringify({ source: 'com.example.orders', detailType: 'OrderPlaced', detail: {} }));
    const result = await run('route', '--app', outdir, '--event', wrong, '--bus', 'orders');
    expect(result).toEqual({
      code: 1,
      out: '',
      err: `error: PutEvents would refuse the event in ${wrong}: the event has no "detail-type" (it has "detailType": an EventBridge event spells it "detail-type", a PutEvents entry "DetailType"); PutEvents requires a non-empty string (API_PutEventsRequestEntry)\n`,
    });
  });

  const refused: Array<[string, any, string]> = [
    ['no source', { 'detail-type': 'X', 'detail': {} }, 'the event has no "source"; PutEvents requires a non-empty string (API_PutEventsRequestEntry)'],
    ['an empty source', { 'source': '', 'detail-type': 'X', 'detail': {} }, '"source" is an empty string; PutEvents requires a non-empty string (API_PutEventsRequestEntry)'],
    ['a numeric detail-type', { 'source': 's', 'detail-type': 7, 'detail': {} }, '"detail-type" is a number; PutEvents requires a non-empty string (API_PutEventsRequestEntry)'],
    ['a detail-type over 128 characters', { 'source': 's', 'detail-type': 'x'.repeat(129), 'detail': {} }, '"detail-type" is 129 characters; PutEvents allows at most 128 (API_PutEventsRequestEntry)'],
    ['no detail', { 'source': 's', 'detail-type': 'X' }, 'the event has no "detail"; PutEvents requires it, a JSON object (API_PutEventsRequestEntry)'],
    ['a detail that is an array', { 'source': 's', 'detail-type': 'X', 'detail': [] }, '"detail" is an array; PutEvents requires a JSON object (API_PutEventsRequestEntry)'],
    ['a detail that is a string', { 'source': 's', 'detail-type': 'X', 'detail': 'secret text' }, '"detail" is a string; PutEvents requires a JSON object (API_PutEventsRequestEntry)'],
    ['a PutEvents entry whose Detail is not an object', { Source: 's', DetailType: 'X', Detail: '42' }, '"Detail" is a number; PutEvents requires a JSON object (API_PutEventsRequestEntry)'],
    ['a PutEvents entry whose Detail is not JSON', { Source: 's', DetailType: 'X', Detail: '{oops' }, '"Detail" is not valid JSON: Expected a string key but found \'o\' at position 1 (line 1, column 2)'],
    ['resources that are not strings', { 'source': 's', 'detail-type': 'X', 'detail': {}, 'resources': [1] }, '"resources" is an array; PutEvents requires an array of strings (API_PutEventsRequestEntry)'],
    ['an entry over 256 KB', { 'source': 's', 'detail-type': 'X', 'time': '2024-01-01T00:00:00Z', 'detail': { b: 'b'.repeat(262_130) } }, 'the entry is 262154 bytes as PutEvents counts it (Time 14 bytes, Source, DetailType, Detail and Resources in UTF-8); at most 262144 bytes are accepted (calculate-putevents-entry-size)'],
    ['a detail nested over 1,000 levels', { 'source': 's', 'detail-type': 'X', 'detail': JSON.parse('{"a":'.repeat(1001) + '1' + '}'.repeat(1001)) }, '"detail" is nested deeper than 1,000 levels; PutEvents processes nested JSON only up to 1,000 levels (API_PutEvents)'],
    ['an array', [], 'an event must be a JSON object, got an array'],
  ];
  test.each(refused)('an event with %s is refused with the reason, never its content', async (_what, event, reason) => {
    const file = path.join(dir, 'refused.json');
    fs.writeFileSync(file, JSON.stringify(event));
    const result = await run('route', '--app', outdir, '--event', file, '--bus', 'orders');
    expect(result).toEqual({ code: 1, out: '', err: `error: PutEvents would refuse the event in ${file}: ${reason}\n` });
    expect(result.err).not.toContain('secret text');
  });

  test('an entry of exactly 256 KB is accepted; a Custom Event Bus entry may omit detail (its PutEvents takes any JSON)', async () => {
    const file = path.join(dir, 'limit.json');
    fs.writeFileSync(file, JSON.stringify({ 'source': 's', 'detail-type': 'X', 'time': '2024-01-01T00:00:00Z', 'detail': { b: 'b'.repeat(262_120) } }));
    expect((await run('route', '--app', outdir, '--event', file, '--bus', 'orders')).code).toBe(0);
    fs.writeFileSync(file, JSON.stringify({ 'source': 'com.example.orders', 'detail-type': 'X' }));
    expect(await run('route', '--app', outdir, '--event', file, '--bus', 'orders-v2')).toMatchObject({ code: 0, err: '' });
    fs.writeFileSync(file, JSON.stringify({ 'detail-type': 'X' }));
    expect((await run('route', '--app', outdir, '--event', file, '--bus', 'orders-v2')).err).toMatch(/the event has no "source"/);
  });

  test('--bus takes an ARN, and --account / --region choose where a name is looked up', async () => {
    expect((await run('route', '--app', outdir, '--event', eventFile, '--bus', 'arn:aws:events:eu-west-1:111111111111:event-bus/orders')).out)
      .toMatch(/1 rule\(s\) on bus "orders" match/);
    expect((await run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders', '--account', '111111111111', '--region', 'eu-west-1')).code).toBe(0);
    expect((await run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders', '--account', '222222222222')).err)
      .toBe('error: unknown event bus "orders" in account 222222222222, region any: the app has "orders" only in 111111111111/eu-west-1\n');
  });

  test('diagram prints a Mermaid flowchart', async () => {
    const result = await run('diagram', '--app', outdir, '--bus', 'orders');
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^flowchart LR\n  subgraph env1\["account 111111111111 · eu-west-1"\]\n    bus1\(\["bus orders"\]\)\n/);
    expect(result.out).toContain('<br/>source: com.example.orders"}}');
    expect(result.out).toMatch(/bus1 --> rule1\n  rule1 --> res1\n$/);
    expect(await run('diagram', '--app', outdir, '--event', eventFile)).toMatchObject({ code: 2, err: expect.stringMatching(/^unknown option "--event" for diagram/) });
  });

  test('ends quietly when stdout is closed early (EPIPE)', async () => {
    const big = path.join(dir, 'wide.json');
    fs.writeFileSync(big, JSON.stringify({ 'source': 'com.example.orders', 'detail-type': 'Wide', 'detail': { blob: 'b'.repeat(200_000) } }));
    const script = `${JSON.stringify(process.execPath)} -r ts-node/register/transpile-only ${JSON.stringify(path.join(__dirname, '../../src/testing/cli-main.ts'))} route --app ${JSON.stringify(outdir)} --event ${JSON.stringify(big)} --bus wide --json | head -c 10; echo " exit=\${PIPESTATUS[0]}"`;
    const out = execFileSync('bash', ['-c', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe('[\n  {\n     exit=0\n');
  });

  test('routes on a Custom Event Bus: the subscribers whose filters match, with their JSONata input', async () => {
    const result = await run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders-v2');
    expect(result.err).toBe('');
    expect(result.out).toMatch(/^1 subscriber\(s\) of the Custom Event Bus "orders-v2" receive the event\.\n\nSubscriber CliStack\/V2BusLarge[0-9A-F]+ \(large-orders, UNORDERED\)\n  → V2Queue[0-9A-F]+ \[AWS::SQS::Queue\]\n    input \(JSONATA\): \{"id":"o-1"\}\n/);
    const json = JSON.parse((await run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders-v2', '--json')).out);
    expect(json).toEqual([expect.objectContaining({ subscriberName: 'large-orders', targetType: 'AWS::SQS::Queue', input: { id: 'o-1' } })]);
    const other = path.join(dir, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ 'source': 'com.example.other', 'detail-type': 'X', 'detail': {} }));
    expect((await run('route', '--app', outdir, '--event', other, '--bus', 'orders-v2')).out).toBe('No subscriber of the Custom Event Bus "orders-v2" matches the event.\n');
  });

  test('--help prints the usage', async () => {
    expect(await run('--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: cdk-eventbridge-blueprints route/) });
  });

  test.each([
    ['route', /^usage: cdk-eventbridge-blueprints route --app <cdk\.out> --event <event\.json> \[--bus BUS\]/, '--event'],
    ['diagram', /^usage: cdk-eventbridge-blueprints diagram --app <cdk\.out> \[--bus BUS\]/, '--region'],
    ['diff', /^usage: cdk-eventbridge-blueprints diff --before <cdk\.out> --after <cdk\.out>/, '--markdown'],
  ])('%s --help prints that command\'s usage and every option, and exits 0', async (command, usage, option) => {
    for (const argv of [[command, '--help'], [command, '--app', outdir, '-h']]) {
      const result = await run(...argv);
      expect(result).toMatchObject({ code: 0, err: '' });
      expect(result.out).toMatch(usage);
      expect(result.out).toContain(`\n  ${option} `);
      expect(result.out).toContain('\n  --help ');
    }
  });

  test('a usage error prints the command\'s usage: an option given twice, a flag given a value', async () => {
    expect(await run('route', '--app', outdir, '--app', outdir, '--event', eventFile)).toMatchObject({ code: 2, err: expect.stringMatching(/^--app is given twice\nusage: cdk-eventbridge-blueprints route /) });
    expect(await run('diagram', '--app', outdir, '--json')).toMatchObject({ code: 2, err: expect.stringMatching(/^unknown option "--json" for diagram\n/) });
  });

  test('runs as a subprocess', async () => {
    const out = execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '../../src/testing/cli-main.ts'),
      'route', '--app', outdir, '--event', eventFile, '--bus', 'orders', '--json'], { encoding: 'utf8' });
    expect(JSON.parse(out)[0].input).toEqual({ id: 'o-1' });
    let failed: any;
    try {
      execFileSync(process.execPath, ['-r', 'ts-node/register/transpile-only', path.join(__dirname, '../../src/testing/cli-main.ts'),
        'route', '--app', outdir, '--event', badJson], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      failed = e;
    }
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/is not valid JSON/);
  });
});
