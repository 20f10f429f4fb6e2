import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, aws_events as events, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { main } from '../../src/testing/cli';

// One cloud assembly for the whole file, synthesized into a temp dir.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-router-cli-'));
const outdir = path.join(dir, 'cdk.out');
const app = new App({ outdir });
const stack = new Stack(app, 'CliStack');
const bus = new events.EventBus(stack, 'Bus', { eventBusName: 'orders' });
new events.Rule(stack, 'Rule', {
  eventBus: bus,
  eventPattern: { source: ['com.example.orders'] },
  targets: [new targets.SqsQueue(new sqs.Queue(stack, 'Queue'), { message: events.RuleTargetInput.fromObject({ id: events.EventField.fromPath('$.detail.orderId') }) })],
});
app.synth();
const eventFile = path.join(dir, 'event.json');
fs.writeFileSync(eventFile, JSON.stringify({ 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-1' } }));
const badJson = path.join(dir, 'bad.json');
fs.writeFileSync(badJson, '{\n  "source": oops\n}');

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = main(argv, { out: (t) => { out += t; }, err: (t) => { err += t; } }, () => '{"source":"com.example.orders","detail-type":"X"}');
  return { code, out, err };
}

afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cdk-eventbridge-blueprints route', () => {
  test('prints rules, targets and the transformed input', () => {
    const { code, out, err } = run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders');
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(out).toMatch(/1 rule\(s\) on bus "orders" match; 1 target\(s\) receive the event\./);
    expect(out).toMatch(/Rule CliStack\/Rule[0-9A-F]+/);
    expect(out).toMatch(/→ Target0: Queue[0-9A-F]+ \[AWS::SQS::Queue\]/);
    expect(out).toContain('input (INPUT_TRANSFORMER): {"id":"o-1"}');
    expect(out).toContain('retries: 185, max age 86400s (EventBridge defaults); dead-letter queue: none (failed events are dropped)');
  });

  test('--json prints the deliveries as JSON', () => {
    const { code, out } = run('route', '--app', outdir, '--event', eventFile, '--bus', 'orders', '--json');
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual([expect.objectContaining({ stack: 'CliStack', eventBus: 'orders', targetType: 'AWS::SQS::Queue', input: { id: 'o-1' } })]);
  });

  test('reads the event from stdin with "-" and reports no match', () => {
    const { code, out } = run('route', '--app', outdir, '--event', '-', '--stack', 'CliStack');
    expect(code).toBe(0);
    expect(out).toBe('No rule on bus "default" matches the event.\n');
  });

  test.each([
    [['route', '--app', outdir, '--event', path.join(dir, 'missing.json')], 1, /error: cannot read the event file .*missing\.json: ENOENT/],
    [['route', '--app', outdir, '--event', badJson], 1, /error: the event file .*bad\.json is not valid JSON: Unexpected 'o' at position 14 \(line 2, column 13\)/],
    [['route', '--app', outdir, '--event', eventFile, '--bus', 'nope'], 1, /error: unknown event bus "nope"; the app has: default \(123456789012\/us-east-1\), orders \(123456789012\/us-east-1, CliStack\/Bus[0-9A-F]{8}\)/],
    [['route', '--app', dir, '--event', eventFile], 1, /error: .* is not a cloud assembly: it has no manifest\.json/],
    [['route', '--app', path.join(dir, 'nope'), '--event', eventFile], 1, /error: .*nope is not a directory/],
    [['route', '--app', outdir, '--event', eventFile, '--stack', 'Nope'], 1, /error: unknown stack "Nope"; the app has: CliStack/],
    [['route', '--event', eventFile], 2, /--app is required/],
    [['route', '--app'], 2, /--app needs a value/],
    [['route', '--frobnicate'], 2, /unknown option "--frobnicate"/],
    [['deploy'], 2, /unknown command "deploy"/],
  ])('%j exits %i with a clear message', (argv, code, message) => {
    const result = run(...argv);
    expect(result.code).toBe(code);
    expect(result.err).toMatch(message);
  });

  test('--help prints the usage', () => {
    expect(run('--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: cdk-eventbridge-blueprints route/) });
  });

  test('runs as a subprocess', () => {
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
