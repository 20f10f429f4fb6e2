/**
 * Benchmark of the offline EventRouter on the example app's real rules: the 7 example stacks are synthesized
 * in-process to a temporary cloud assembly, the router is built from it (`EventRouter.fromCloudAssembly`), and a
 * seeded mix of realistic events is routed with `route()` (pattern matching AND input transformation of every
 * matched target). The pattern engine's own figure for a 1,000-rule set (bench/pattern-engine.ts's workload) is
 * measured alongside, on the same Node process.
 *
 * Options:
 *   --events <n>   events routed (default 50000)
 *   --seed <n>     event mix seed (default 2026)
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { App } from 'aws-cdk-lib';
import { Random, generateWorkload } from './pattern-workload';
import { addExampleStacks } from '../examples/stacks';
import { PatternRuleSet } from '../src/patterns';
import { EventRouter } from '../src/testing';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The example app (examples/app.ts) without the cdk-nag and pattern-validation aspects, synthesized to `outdir`. */
function synthExampleApp(outdir: string): void {
  const app = new App({ outdir });
  addExampleStacks(app);
  app.synth();
}

interface RoutedEvent {
  readonly kind: string;
  readonly bus: string;
  readonly event: any;
}

const CLOUDTRAIL_CALLS: Array<[string, string, string]> = [
  ['aws.iam', 'iam.amazonaws.com', 'AttachRolePolicy'],
  ['aws.iam', 'iam.amazonaws.com', 'CreateAccessKey'],
  ['aws.kms', 'kms.amazonaws.com', 'ScheduleKeyDeletion'],
  ['aws.kms', 'kms.amazonaws.com', 'Decrypt'],
  ['aws.s3', 's3.amazonaws.com', 'PutBucketPolicy'],
  ['aws.s3', 's3.amazonaws.com', 'PutObject'],
  ['aws.ec2', 'ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress'],
  ['aws.ec2', 'ec2.amazonaws.com', 'RunInstances'],
  ['aws.cloudtrail', 'cloudtrail.amazonaws.com', 'StopLogging'],
  ['aws.secretsmanager', 'secretsmanager.amazonaws.com', 'DeleteSecret'],
  ['aws.secretsmanager', 'secretsmanager.amazonaws.com', 'GetSecretValue'],
];

/**
 * A seeded mix: OrderPlaced 25%, BookingConfirmed 20% (half loyalty members), ErrorReported 10%, CloudWatch alarms
 * 10% (ALARM / OK, prod- and other names), CloudTrail API calls 15% (audited and not, read-only and not), unrelated
 * noise 20%. Each event goes to a bus where it can match (or, for noise, to any bus).
 */
function generateEvents(router: EventRouter, seed: number, count: number): RoutedEvent[] {
  const r = new Random(seed);
  const busesOf = (...stacks: string[]) => router.buses.filter((b) => b.logicalId !== undefined && stacks.includes(b.stackName!)).map((b) => b.arn);
  const orderBuses = busesOf('CoreExample', 'OrderToInventoryExample', 'CompositionExample');
  const bookingBuses = busesOf('BookingFanOutExample', 'CompositionExample');
  const errorBuses = busesOf('ErrorToTicketExample', 'ErrorToTicketApiDestinationExample');
  const allBuses = router.buses.map((b) => b.arn);
  const pick = <T>(list: T[]): T => list[r.int(list.length)];
  const base = (source: string, detailType: string, detail: any, resources: string[] = []) => ({
    'version': '0',
    'id': `ev-${r.int(1e9)}`,
    'detail-type': detailType,
    source,
    'account': '123456789012',
    'time': '2026-11-26T12:00:00Z',
    'region': 'us-east-1',
    resources,
    detail,
  });
  const out: RoutedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const x = r.next();
    if (x < 0.25) {
      const items = Array.from({ length: 1 + r.int(5) }, () => ({ sku: `SKU-${r.int(500)}`, quantity: 1 + r.int(4) }));
      out.push({ kind: 'OrderPlaced', bus: pick(orderBuses), event: base('com.example.orders', 'OrderPlaced', { orderId: `O-${i}`, customerId: `C-${r.int(1000)}`, total: Math.round(r.next() * 300_000) / 100, items }) });
    } else if (x < 0.45) {
      const member = r.next() < 0.5;
      out.push({
        kind: 'BookingConfirmed',
        bus: pick(bookingBuses),
        event: base('com.example.bookings', 'BookingConfirmed', {
          bookingId: `BK-${i}`,
          customer: { id: `C-${r.int(1000)}`, email: `c${i}@example.com`, name: 'Ada Lovelace', ...(member ? { loyaltyId: `LY-${r.int(300)}` } : {}) },
          flight: { number: `LH${100 + r.int(900)}`, origin: 'FRA', destination: 'JFK', departure: '2026-12-24T10:30:00Z' },
          passengers: Array.from({ length: 1 + r.int(3) }, (_, p) => ({ firstName: `P${p}`, lastName: 'Lovelace' })),
          fare: { amount: Math.round(r.next() * 200_000) / 100, currency: 'EUR' },
        }),
      });
    } else if (x < 0.55) {
      out.push({
        kind: 'ErrorReported',
        bus: pick(errorBuses),
        event: base(r.next() < 0.9 ? 'com.example.shop' : 'com.example.other', 'ErrorReported', {
          service: pick(['checkout', 'search', 'cart']),
          errorType: pick(['TimeoutError', 'TypeError']),
          message: `failure ${i}`,
          ...(r.next() < 0.5 ? { severity: 'high', fingerprint: `fp-${r.int(50)}`, occurredAt: '2026-11-26T11:59:00Z' } : {}),
        }),
      });
    } else if (x < 0.65) {
      const alarmName = `${pick(['prod-', 'dev-', 'staging-'])}alarm-${r.int(40)}`;
      const value = r.next() < 0.6 ? 'ALARM' : 'OK';
      out.push({
        kind: 'CloudWatch alarm',
        bus: 'default',
        event: base('aws.cloudwatch', 'CloudWatch Alarm State Change', {
          alarmName, state: { value, reason: 'Threshold Crossed', timestamp: '2026-11-26T11:59:30.000+0000' }, previousState: { value: value === 'ALARM' ? 'OK' : 'ALARM' },
        }, [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`]),
      });
    } else if (x < 0.8) {
      const [source, eventSource, eventName] = pick(CLOUDTRAIL_CALLS);
      out.push({
        kind: 'CloudTrail API call',
        bus: 'default',
        event: base(source, 'AWS API Call via CloudTrail', {
          eventVersion: '1.09',
          eventSource,
          eventName,
          readOnly: /^(Get|Describe|List|Decrypt)/.test(eventName),
          userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::123456789012:assumed-role/Admin/alice' },
          sourceIPAddress: `10.0.${r.int(255)}.${r.int(255)}`,
          awsRegion: 'us-east-1',
          requestParameters: { name: `res-${r.int(100)}` },
        }),
      });
    } else {
      out.push({
        kind: 'noise',
        bus: pick(allBuses),
        event: base(pick(['com.example.marketing', 'aws.ec2', 'com.example.orders']), pick(['PageViewed', 'EC2 Instance State-change Notification', 'OrderUpdated']), { id: i, value: r.next() }),
      });
    }
  }
  return out;
}

/** Events/s of the pattern engine's rule set on bench/pattern-engine.ts's 1,000-rule workload (same procedure). */
function patternEngine1000(seed: number, eventCount: number): number {
  const workload = generateWorkload(seed + 1000, 1000, eventCount);
  const set = new PatternRuleSet();
  for (const rule of workload.rules) set.add(rule.name, rule.pattern);
  for (const e of workload.events) set.matchingRules(e);
  const t0 = performance.now();
  for (const e of workload.events) set.matchingRules(e);
  return workload.events.length / ((performance.now() - t0) / 1000);
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const eventCount = Number(option(args, '--events') ?? 50_000);
  const seed = Number(option(args, '--seed') ?? 2026);
  console.log(`Node ${process.version}; seed ${seed}; ${fmt(eventCount)} events`);

  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'router-bench-'));
  try {
    let t0 = performance.now();
    synthExampleApp(outdir);
    const synthMs = performance.now() - t0;

    const buildTimes: number[] = [];
    let router: EventRouter | undefined;
    for (let i = 0; i < 10; i++) {
      t0 = performance.now();
      router = EventRouter.fromCloudAssembly(outdir);
      buildTimes.push(performance.now() - t0);
    }
    router = router!;
    const targets = router.rules.reduce((n, rule) => n + rule.targets.length, 0);
    console.log(`Example app: ${router.stacks.length} stacks, ${router.buses.length} buses, ${router.rules.length} rules, ${targets} targets`);
    console.log(`Synthesize in-process: ${synthMs.toFixed(0)} ms (not part of the router)`);
    console.log(`Build router from cdk.out (fromCloudAssembly): first ${buildTimes[0].toFixed(1)} ms, median of 10 ${median(buildTimes).toFixed(1)} ms`);

    const events = generateEvents(router, seed, eventCount);
    // warm up (one untimed pass), then time route() over every event
    for (const e of events) router.route(e.event, { eventBus: e.bus });
    const perKind = new Map<string, { events: number; deliveries: number; matched: number }>();
    let deliveries = 0;
    let transformed = 0;
    t0 = performance.now();
    for (const e of events) {
      const routed = router.route(e.event, { eventBus: e.bus });
      deliveries += routed.length;
      for (const d of routed) if (d.target.inputKind !== 'MATCHED_EVENT') transformed++;
      const k = perKind.get(e.kind) ?? { events: 0, deliveries: 0, matched: 0 };
      k.events++;
      k.deliveries += routed.length;
      if (routed.length > 0) k.matched++;
      perKind.set(e.kind, k);
    }
    const routeMs = performance.now() - t0;
    const eps = eventCount / (routeMs / 1000);

    console.log('');
    console.log('kind                 | events | matched | deliveries');
    console.log('---------------------|--------|---------|-----------');
    for (const [kind, k] of perKind) {
      console.log(`${kind.padEnd(20)} | ${fmt(k.events).padStart(6)} | ${`${((k.matched / k.events) * 100).toFixed(0)}%`.padStart(7)} | ${fmt(k.deliveries).padStart(10)}`);
    }
    console.log('');
    console.log(`route() with input transformation: ${fmt(eps)} events/s (${fmt(deliveries / (routeMs / 1000))} deliveries/s; `
      + `${(deliveries / eventCount).toFixed(2)} deliveries/event, ${((transformed / Math.max(deliveries, 1)) * 100).toFixed(0)}% through an input option)`);

    const engineEps = patternEngine1000(seed, 10_000);
    console.log(`Pattern engine alone, 1,000-rule set (bench/pattern-engine.ts workload): ${fmt(engineEps)} events/s `
      + '(full table: node --expose-gc -r ts-node/register/transpile-only bench/index.ts pattern-engine)');
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}
