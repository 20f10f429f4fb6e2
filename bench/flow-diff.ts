/**
 * Benchmark of `FlowDiff` (the `diff` command): the example app (before) and a changed copy of it (after) are
 * synthesized in-process to two temporary cloud assemblies, and a seeded mix of recorded events — the example app's
 * event kinds on Classic buses across accounts and Stages, and on its Custom Event Bus — is routed through both apps
 * and compared. The figure is events per second through both apps, as a share of `JSON.parse` of the same events'
 * NDJSON lines in the same run (the cheapest thing a diff must do with a recorded event). Goal: at least 5%.
 *
 * Options:
 *   --events <n>   events diffed (default 20000)
 *   --seed <n>     event mix seed (default 2026)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App, CfnResource, aws_events as events } from 'aws-cdk-lib';
import { addExampleStacks } from '../examples/stacks';
import { mulberry32 } from '../src/private/random';
import { FlowDiff } from '../src/testing';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function synth(outdir: string, change: boolean): void {
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true } });
  addExampleStacks(app);
  if (change) {
    const teamRule = app.node.findChild('Dev').node.findAll().find((c) => c.node.path === 'Dev/Commerce/Inventory/OrderPlacedRoute/Rule/Resource') as events.CfnRule;
    teamRule.addPropertyOverride('EventPattern.detail-type', ['OrderConfirmed']);
    const large = app.node.findChild('CustomBusExample').node.findChild('OrdersBus').node.findChild('LargeOrders').node.findChild('Resource') as CfnResource;
    large.addPropertyOverride('Transformer.JsonataConfiguration.Expression', '{% { "orderId": $events.Data.detail.orderId } %}');
  }
  app.synth();
}

/** Recorded events: orders on the central buses (Dev, Prod) and the spokes, the Custom Event Bus, photo uploads, noise. */
function recordedEvents(seed: number, count: number): string[] {
  const next = mulberry32(seed);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    const r = next();
    // Recorded events are full events: EventBridge has given each its version, id, time and resources.
    const envelope = (account: string, region: string) => ({
      version: '0', id: `6a7e8feb-b491-4cf7-a9f1-${String(i).padStart(12, '0')}`, account, region, time: '2026-01-01T00:00:00Z', resources: [],
    });
    const order = (account: string, region = 'eu-west-1') => ({
      ...envelope(account, region),
      'source': 'com.example.orders',
      'detail-type': next() < 0.8 ? 'OrderPlaced' : 'OrderCancelled',
      account,
      region,
      'time': '2026-01-01T00:00:00Z',
      'detail': { orderId: `o-${i}`, total: Math.floor(next() * 3000), items: [{ sku: `s-${i % 97}`, quantity: 1 + (i % 3) }] },
    });
    let record: any;
    if (r < 0.3) {record = { eventBus: 'platform', event: order(next() < 0.5 ? '111111111111' : '222222222222') };} else if (r < 0.5) {record = order(next() < 0.5 ? '333333333333' : '444444444444');} else if (r < 0.7) {record = { eventBus: 'orders-v2', event: order('123456789012', 'us-east-1') };} else if (r < 0.85) {
      record = {
        ...envelope('123456789012', 'us-east-1'),
        'source': 'aws.s3',
        'detail-type': 'Object Created',
        'detail': { bucket: { name: 'uploads' }, object: { key: `uploads/u-${i}/photo.jpg`, size: 1000 + i } },
      };
    } else {
      record = { ...envelope('111111111111', 'eu-west-1'), 'source': 'com.example.noise', 'detail-type': 'Heartbeat', 'detail': { n: i } };
    }
    lines.push(JSON.stringify(record));
  }
  return lines;
}

export async function run(args: string[]): Promise<void> {
  const count = Number(option(args, '--events') ?? 20000);
  const seed = Number(option(args, '--seed') ?? 2026);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'eb-bench-diff-'));
  try {
    const before = path.join(dir, 'before.out');
    const after = path.join(dir, 'after.out');
    synth(before, false);
    synth(after, true);
    const lines = recordedEvents(seed, count);
    console.log(`Node ${process.version}; seed ${seed}; ${fmt(count)} events (${fmt(lines.reduce((n, l) => n + l.length, 0) / count)} bytes each on average)`);

    let t0 = performance.now();
    const diff = FlowDiff.fromCloudAssemblies(before, after);
    console.log(`Read both cloud assemblies: ${(performance.now() - t0).toFixed(0)} ms (once per run, not in the figure)`);

    const mixes: Array<[string, string[]]> = [
      ['the whole mix', lines],
      ['Classic buses only', lines.filter((l) => !l.includes('"eventBus":"orders-v2"'))],
      ['the Custom Event Bus only', lines.filter((l) => l.includes('"eventBus":"orders-v2"'))],
    ];
    // One untimed pass first, so that no mix is measured while the JIT is still compiling the routers.
    await diff.compare(lines.map((l) => JSON.parse(l)));
    let summary: any;
    const shares: Array<[string, number, number, number]> = [];
    for (const [name, subset] of mixes) {
      // Interleaved, so that both see the same machine load: JSON.parse of the same lines (the cheapest thing done
      // with a recorded event), then the diff; best of 3 rounds each.
      let parseEps = 0;
      let diffEps = 0;
      for (let round = 0; round < 3; round++) {
        for (let k = 0; k < 3; k++) {
          t0 = performance.now();
          const parsed = subset.map((l) => JSON.parse(l));
          parseEps = Math.max(parseEps, parsed.length / ((performance.now() - t0) / 1000));
        }
        t0 = performance.now();
        const report = await diff.compare(subset.map((l) => JSON.parse(l)));
        diffEps = Math.max(diffEps, subset.length / ((performance.now() - t0) / 1000));
        summary = summary ?? report.summary;
      }
      shares.push([`${name} (${fmt(subset.length)} events)`, parseEps, diffEps, (diffEps / parseEps) * 100]);
    }
    console.log(`Diff: ${summary.changedEvents} changed event(s), ${summary.deliveriesBefore} deliveries before, ${summary.deliveriesAfter} after; ${summary.unmatchedRules} of ${summary.rulesAfter} rules unmatched`);
    console.log('');
    console.log('events                                   | JSON.parse ev/s | FlowDiff.compare ev/s | share (goal >= 5%)');
    console.log('-----------------------------------------|-----------------|-----------------------|-------------------');
    for (const [name, parseEps, diffEps, share] of shares) {
      console.log(`${name.padEnd(40)} | ${fmt(parseEps).padStart(15)} | ${fmt(diffEps).padStart(21)} | ${share.toFixed(1)}% ${share >= 5 ? 'met' : 'NOT met'}`);
    }
    console.log('FlowDiff.compare includes JSON.parse of the lines, both apps, and the comparison; best of 3 rounds,');
    console.log('JSON.parse best of 9, interleaved. A Custom Event Bus JSONata transform proved of bounded cost is evaluated');
    console.log('in-process; any other in a bounded child process, in batches.');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
