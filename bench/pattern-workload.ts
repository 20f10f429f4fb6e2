/**
 * Seeded generator of a realistic EventBridge workload: rules as found on real
 * buses (source and detail-type plus a few detail filters with mixed operators:
 * exact, prefix, numeric, anything-but, exists, wildcard, cidr,
 * equals-ignore-case, `$or`, arrays of objects) and events, a good fraction of
 * which match some rule.
 */

import { mulberry32 } from '../src/private/random';

/** A seeded PRNG (mulberry32) with helpers. */
export class Random {
  public readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  public int(n: number): number {
    return Math.floor(this.next() * n);
  }

  public pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  public chance(p: number): boolean {
    return this.next() < p;
  }
}

const ENTITIES = ['Order', 'Payment', 'Invoice', 'Shipment', 'Customer', 'Account', 'Refund', 'Cart', 'Product', 'Subscription'];
const ACTIONS = ['Created', 'Updated', 'Deleted', 'Failed', 'Completed', 'Cancelled'];
const STATUSES = ['ACTIVE', 'PENDING', 'FAILED', 'SUCCEEDED', 'CANCELLED', 'ON_HOLD'];
const REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-southeast-2'];
const TIERS = ['gold', 'silver', 'bronze'];

/** The generated workload. */
export interface Workload {
  readonly rules: Array<{ readonly name: string; readonly pattern: Record<string, unknown> }>;
  readonly events: Array<Record<string, unknown>>;
}

function sources(): string[] {
  const out: string[] = ['aws.ec2', 'aws.s3', 'aws.codepipeline', 'aws.health', 'aws.signin'];
  for (let i = 0; i < 45; i++) {
    out.push(`com.example.service${i}`);
  }
  return out;
}

const SOURCES = sources();
const DETAIL_TYPES = ENTITIES.flatMap((e) => ACTIONS.map((a) => `${e} ${a}`));

/** An array-of-objects filter on `detail.items` (one element must satisfy both fields: array consistency). */
function itemsFilter(r: Random): Record<string, unknown[]> {
  return { sku: [`SKU-${r.int(100)}`], qty: [{ numeric: ['>=', 1 + r.int(5)] }] };
}

function detailFilter(r: Random): [string, unknown] {
  switch (r.int(10)) {
    case 0: return ['status', [r.pick(STATUSES)]];
    case 1: return ['status', [r.pick(STATUSES), r.pick(STATUSES)]];
    case 2: return ['region', [{ prefix: r.pick(['us-', 'eu-', 'ap-']) }]];
    case 3: {
      const lo = r.int(1000);
      return ['amount', [{ numeric: ['>=', lo, '<', lo + 1 + r.int(2000)] }]];
    }
    case 4: return ['status', [{ 'anything-but': [r.pick(STATUSES), r.pick(STATUSES)].filter((v, i, a) => a.indexOf(v) === i) }]];
    case 5: return r.chance(0.5) ? ['error', [{ exists: false }]] : ['customerId', [{ exists: true }]];
    case 6: return ['path', [{ wildcard: `*/${r.pick(['orders', 'invoices', 'carts'])}/*.json` }]];
    case 7: return ['clientIp', [{ cidr: `10.${r.int(256)}.0.0/16` }]];
    case 8: return ['items', itemsFilter(r)];
    default: return ['tier', [{ 'equals-ignore-case': r.pick(TIERS).toUpperCase() }]];
  }
}

function rule(r: Random): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  // Skewed popularity, as on real buses: a few sources carry most rules.
  const source = SOURCES[Math.min(SOURCES.length - 1, Math.floor(Math.pow(r.next(), 2) * SOURCES.length))];
  const s = r.next();
  pattern.source = s < 0.03 ? [{ prefix: 'com.example.' }] : s < 0.13 ? [source, r.pick(SOURCES)] : [source];
  const d = r.next();
  const dt = r.pick(DETAIL_TYPES);
  if (d < 0.75) {
    pattern['detail-type'] = [dt];
  } else if (d < 0.85) {
    pattern['detail-type'] = [dt, r.pick(DETAIL_TYPES)];
  } else if (d < 0.95) {
    pattern['detail-type'] = [{ prefix: dt.split(' ')[0] + ' ' }];
  }
  const detail: Record<string, unknown> = {};
  const n = r.int(4);
  for (let i = 0; i < n; i++) {
    const [k, v] = detailFilter(r);
    detail[k] = v;
  }
  if (r.chance(0.1)) {
    const [k1, v1] = detailFilter(r);
    const [k2, v2] = detailFilter(r);
    detail.$or = [{ [k1]: v1 }, { [k2]: v2 }];
  }
  if (Object.keys(detail).length > 0) {
    pattern.detail = detail;
  }
  return pattern;
}

function satisfy(r: Random, values: unknown[], current: unknown): unknown {
  const v = r.pick(values);
  if (typeof v !== 'object' || v === null) {
    return v;
  }
  const op = v as Record<string, any>;
  if ('prefix' in op) {
    return op.prefix + r.pick(['east-1', 'west-2', 'central-1']);
  }
  if ('numeric' in op) {
    const [, lo, , hi] = op.numeric as number[];
    return lo + Math.floor(r.next() * (hi - lo));
  }
  if ('anything-but' in op) {
    return r.pick(STATUSES.filter((s) => !(op['anything-but'] as string[]).includes(s)));
  }
  if ('exists' in op) {
    return op.exists ? `cust-${r.int(1000)}` : undefined;
  }
  if ('wildcard' in op) {
    return (op.wildcard as string).replace(/\*/g, () => `x${r.int(100)}`);
  }
  if ('cidr' in op) {
    return (op.cidr as string).replace('0.0/16', `${r.int(256)}.${r.int(256)}`);
  }
  if ('equals-ignore-case' in op) {
    return (op['equals-ignore-case'] as string).toLowerCase();
  }
  return current;
}

function randomDetail(r: Random): Record<string, unknown> {
  const detail: Record<string, unknown> = {
    status: r.pick(STATUSES),
    region: r.pick(REGIONS),
    amount: r.int(3000),
    path: `/data/${r.pick(['orders', 'invoices', 'carts', 'misc'])}/${r.int(1000)}.json`,
    clientIp: `10.${r.int(256)}.${r.int(256)}.${r.int(256)}`,
    tier: r.pick(TIERS),
    items: [{ sku: `SKU-${r.int(100)}`, qty: 1 + r.int(5) }, { sku: `SKU-${r.int(100)}`, qty: 1 + r.int(5) }],
  };
  if (r.chance(0.5)) {
    detail.customerId = `cust-${r.int(1000)}`;
  }
  if (r.chance(0.1)) {
    detail.error = 'Timeout';
  }
  return detail;
}

function event(r: Random, i: number, rules: Workload['rules']): Record<string, unknown> {
  const detail = randomDetail(r);
  let source = r.pick(SOURCES);
  let detailType = r.pick(DETAIL_TYPES);
  if (r.chance(0.5)) {
    // Aim at a rule: make the event satisfy it (best effort; $or is left to chance).
    const p = r.pick(rules).pattern as Record<string, any>;
    source = satisfy(r, p.source, source) as string;
    if (p['detail-type']) {
      const dt = satisfy(r, p['detail-type'], detailType) as string;
      detailType = dt.endsWith(' ') ? dt + 'Created' : dt;
    }
    for (const [k, v] of Object.entries((p.detail ?? {}) as Record<string, any>)) {
      if (k === 'items') {
        const items = detail.items as Array<Record<string, unknown>>;
        items[r.int(items.length)] = { sku: v.sku[0], qty: v.qty[0].numeric[1] + r.int(3) };
      } else if (k !== '$or') {
        const value = satisfy(r, v, detail[k]);
        if (value === undefined) {
          delete detail[k];
        } else {
          detail[k] = value;
        }
      }
    }
  }
  return {
    'version': '0',
    'id': `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    'detail-type': detailType,
    'source': source,
    'account': '123456789012',
    'time': '2026-11-26T12:00:00Z',
    'region': r.pick(REGIONS),
    'resources': [`arn:aws:service:${r.pick(REGIONS)}:123456789012:thing/${r.int(10000)}`],
    detail,
  };
}

/** Generates `ruleCount` rules and `eventCount` events from a seed. */
export function generateWorkload(seed: number, ruleCount: number, eventCount: number): Workload {
  const r = new Random(seed);
  const rules = Array.from({ length: ruleCount }, (_, i) => ({ name: `rule-${String(i).padStart(5, '0')}`, pattern: rule(r) }));
  const events = Array.from({ length: eventCount }, (_, i) => event(r, i, rules));
  return { rules, events };
}
