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

/**
 * The source and detail-type filters of a rule, with skewed popularity as on real buses (a few sources carry most
 * rules). `t`: the shares, cumulated, of a prefix source, two sources; one detail-type, two, a detail-type prefix, an
 * anything-but detail-type (the rest has no detail-type filter).
 */
function envelopeFilters(r: Random, pattern: Record<string, unknown>, t: readonly number[]): void {
  const source = SOURCES[Math.min(SOURCES.length - 1, Math.floor(Math.pow(r.next(), 2) * SOURCES.length))];
  const s = r.next();
  pattern.source = s < t[0] ? [{ prefix: 'com.example.' }] : s < t[1] ? [source, r.pick(SOURCES)] : [source];
  const d = r.next();
  const dt = r.pick(DETAIL_TYPES);
  if (d < t[2]) {
    pattern['detail-type'] = [dt];
  } else if (d < t[3]) {
    pattern['detail-type'] = [dt, r.pick(DETAIL_TYPES)];
  } else if (d < t[4]) {
    pattern['detail-type'] = [{ prefix: dt.split(' ')[0] + ' ' }];
  } else if (d < t[5]) {
    pattern['detail-type'] = [{ 'anything-but': [dt] }];
  }
}

function rule(r: Random): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  envelopeFilters(r, pattern, [0.03, 0.13, 0.75, 0.85, 0.95, 0.95]);
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
  // The region is drawn before the resource, as it always was: the generated data stays the same.
  return envelope(r, i, detailType, source, r.pick(REGIONS), detail);
}

/** The envelope of a generated event (the same for both workloads): fields in EventBridge's order. */
function envelope(r: Random, i: number, detailType: string, source: string, region: string, detail: any): any {
  return {
    'version': '0',
    'id': `00000000-0000-0000-0000-${String(i).padStart(12, '0')}`,
    'detail-type': detailType,
    'source': source,
    'account': '123456789012',
    'time': '2026-11-26T12:00:00Z',
    'region': region,
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

// ---------------------------------------------------------------------------------------------------------------------
// The wide workload: the field and operator mix of real buses. Rules filter on more distinct fields (2-7 detail
// fields of about 30, nested objects, arrays of strings and of objects) with every operator: exact lists,
// anything-but lists and prefixes, prefix, suffix, equals-ignore-case (also in prefix), wildcards, numeric ranges,
// exists, cidr and $or. Events carry the whole detail (about 1 KB of JSON); half of them are aimed at a rule.

/** A field of the wide workload's events: its path (`[]` marks an array of objects) and the values it takes. */
interface WideField {
  readonly path: string;
  readonly kind: 'enum' | 'id' | 'number' | 'ip' | 'path' | 'tags';
  readonly values?: readonly string[];
  /** numbers: the range of values */
  readonly max?: number;
}

const WIDE_FIELDS: readonly WideField[] = [
  { path: 'status', kind: 'enum', values: STATUSES },
  { path: 'state', kind: 'enum', values: ['running', 'stopped', 'pending', 'terminated', 'stopping', 'shutting-down'] },
  { path: 'region', kind: 'enum', values: REGIONS },
  { path: 'tier', kind: 'enum', values: ['Gold', 'Silver', 'Bronze', 'Platinum'] },
  { path: 'priority', kind: 'enum', values: ['P1', 'P2', 'P3', 'P4'] },
  { path: 'channel', kind: 'enum', values: ['web', 'mobile', 'store', 'partner', 'api'] },
  { path: 'currency', kind: 'enum', values: ['USD', 'EUR', 'GBP', 'JPY', 'AUD'] },
  { path: 'eventName', kind: 'enum', values: ['PutObject', 'DeleteObject', 'RunInstances', 'TerminateInstances', 'CreateUser', 'AttachRolePolicy', 'ConsoleLogin', 'UpdateFunctionCode'] },
  { path: 'errorCode', kind: 'enum', values: ['AccessDenied', 'Throttling', 'ValidationError', 'InternalError', 'NotFound'] },
  { path: 'userIdentity.type', kind: 'enum', values: ['IAMUser', 'AssumedRole', 'Root', 'AWSService', 'FederatedUser'] },
  { path: 'userIdentity.arn', kind: 'id' },
  { path: 'requestParameters.bucketName', kind: 'id' },
  { path: 'requestParameters.key', kind: 'path' },
  { path: 'responseElements.instanceId', kind: 'id' },
  { path: 'shipping.address.country', kind: 'enum', values: ['US', 'DE', 'FR', 'GB', 'JP', 'AU', 'BR', 'IN'] },
  { path: 'shipping.method', kind: 'enum', values: ['standard', 'express', 'overnight', 'pickup'] },
  { path: 'amount', kind: 'number', max: 5000 },
  { path: 'quantity', kind: 'number', max: 50 },
  { path: 'latencyMs', kind: 'number', max: 2000 },
  { path: 'retryCount', kind: 'number', max: 6 },
  { path: 'score', kind: 'number', max: 100 },
  { path: 'clientIp', kind: 'ip' },
  { path: 'sourceIp', kind: 'ip' },
  { path: 'path', kind: 'path' },
  { path: 'customerId', kind: 'id' },
  { path: 'errorMessage', kind: 'id' },
  { path: 'tags', kind: 'tags', values: ['prod', 'staging', 'dev', 'pci', 'gdpr', 'internal', 'beta', 'critical'] },
  { path: 'items[].sku', kind: 'id' },
  { path: 'items[].qty', kind: 'number', max: 10 },
  { path: 'items[].category', kind: 'enum', values: ['books', 'games', 'garden', 'tools', 'toys', 'food'] },
];

const ID_PREFIXES: Record<string, string> = {
  'userIdentity.arn': 'arn:aws:iam::123456789012:user/',
  'requestParameters.bucketName': 'bucket-',
  'responseElements.instanceId': 'i-0',
  'customerId': 'cust-',
  'errorMessage': 'Error ',
  'items[].sku': 'SKU-',
};

function wideId(r: Random, f: WideField): string {
  return `${ID_PREFIXES[f.path] ?? 'x-'}${r.int(200)}`;
}

function widePath(r: Random): string {
  return `/${r.pick(['data', 'logs', 'uploads', 'tmp'])}/${r.pick(['orders', 'invoices', 'images', 'reports'])}/${r.int(1000)}.${r.pick(['json', 'csv', 'png', 'gz'])}`;
}

/** A random value of a field, as events carry it. */
function wideValue(r: Random, f: WideField): unknown {
  switch (f.kind) {
    case 'enum': return r.pick(f.values!);
    case 'id': return wideId(r, f);
    case 'number': return r.chance(0.2) ? Math.round(r.next() * f.max! * 100) / 100 : r.int(f.max! + 1);
    case 'ip': return `10.${r.int(8)}.${r.int(256)}.${r.int(256)}`;
    case 'path': return widePath(r);
    default: return f.values!.filter(() => r.chance(0.3));
  }
}

/** A match-value list for a field, with the operator mix of real rules. */
function wideCondition(r: Random, f: WideField): unknown[] {
  const k = r.next();
  switch (f.kind) {
    case 'enum':
    case 'tags': {
      const vals = f.values!;
      if (k < 0.4) {
        return Array.from(new Set(Array.from({ length: 1 + r.int(3) }, () => r.pick(vals))));
      }
      if (k < 0.6) {
        return [{ 'anything-but': Array.from(new Set(Array.from({ length: 2 + r.int(4) }, () => r.pick(vals)))) }];
      }
      if (k < 0.75) {
        return [{ 'equals-ignore-case': r.pick(vals).toUpperCase() }];
      }
      if (k < 0.85) {
        return [{ prefix: r.pick(vals).slice(0, 1 + r.int(3)) }];
      }
      if (k < 0.92) {
        return [{ exists: r.chance(0.7) }];
      }
      return [r.pick(vals), { prefix: { 'equals-ignore-case': r.pick(vals).slice(0, 2).toLowerCase() } }];
    }
    case 'id': {
      const id = wideId(r, f);
      if (k < 0.35) {
        return [id, wideId(r, f)];
      }
      if (k < 0.6) {
        return [{ prefix: id.slice(0, Math.max(2, id.length - 2)) }];
      }
      if (k < 0.75) {
        return [{ wildcard: `${id.slice(0, 3)}*${id.slice(-1)}` }];
      }
      if (k < 0.85) {
        return [{ 'anything-but': { prefix: id.slice(0, 4) } }];
      }
      return [{ exists: r.chance(0.6) }];
    }
    case 'number': {
      const max = f.max!;
      const lo = r.int(max);
      if (k < 0.45) {
        return [{ numeric: ['>=', lo, '<', lo + 1 + r.int(Math.max(1, max - lo))] }];
      }
      if (k < 0.7) {
        return [{ numeric: [r.pick(['>', '>=', '<', '<=']), lo] }];
      }
      if (k < 0.8) {
        return [lo, lo + 1];
      }
      if (k < 0.9) {
        return [{ 'anything-but': [lo, lo + 1, lo + 2] }];
      }
      return [{ exists: true }];
    }
    case 'ip':
      return k < 0.7 ? [{ cidr: `10.${r.int(8)}.${r.int(256)}.0/24` }] : [{ cidr: `10.${r.int(8)}.0.0/16` }, { exists: false }];
    default: // path
      if (k < 0.5) {
        return [{ wildcard: `/*/${r.pick(['orders', 'invoices', 'images', 'reports'])}/*.${r.pick(['json', 'csv', 'png', 'gz'])}` }];
      }
      if (k < 0.8) {
        return [{ suffix: `.${r.pick(['json', 'csv', 'png', 'gz'])}` }];
      }
      return [{ prefix: `/${r.pick(['data', 'logs', 'uploads', 'tmp'])}/` }];
  }
}

/** A value that satisfies a condition list (best effort: undefined when the field should be absent). */
function wideSatisfy(r: Random, f: WideField, values: unknown[]): unknown {
  const v = r.pick(values);
  if (typeof v !== 'object' || v === null) {
    return v;
  }
  const op = v as Record<string, any>;
  if ('prefix' in op) {
    const p = typeof op.prefix === 'string' ? op.prefix : (op.prefix['equals-ignore-case'] as string);
    const candidates = f.values?.filter((x) => x.toLowerCase().startsWith(p.toLowerCase()));
    return candidates && candidates.length > 0 ? r.pick(candidates) : f.kind === 'path' ? p + 'orders/1.json' : p + r.int(10);
  }
  if ('suffix' in op) {
    return `/data/orders/${r.int(1000)}${op.suffix}`;
  }
  if ('equals-ignore-case' in op) {
    return (op['equals-ignore-case'] as string).toLowerCase().replace(/^./, (c) => c.toUpperCase());
  }
  if ('anything-but' in op) {
    const ab = op['anything-but'];
    if (Array.isArray(ab)) {
      if (f.kind === 'number') {
        return (ab[ab.length - 1] as number) + 1;
      }
      const rest = (f.values ?? []).filter((x) => !ab.includes(x));
      return rest.length > 0 ? r.pick(rest) : 'other';
    }
    return 'zz-' + r.int(100);
  }
  if ('numeric' in op) {
    const n = op.numeric as Array<string | number>;
    if (n.length === 4) {
      const lo = n[1] as number;
      return lo + Math.floor(r.next() * ((n[3] as number) - lo));
    }
    const b = n[1] as number;
    return n[0] === '>' ? b + 1 : n[0] === '>=' ? b : n[0] === '<' ? b - 1 : b;
  }
  if ('exists' in op) {
    return op.exists ? wideValue(r, f) : undefined;
  }
  if ('wildcard' in op) {
    return (op.wildcard as string).replace(/\*/g, () => `w${r.int(100)}`);
  }
  if ('cidr' in op) {
    return (op.cidr as string).replace(/0\.0\/16$/, `${r.int(256)}.${r.int(256)}`).replace(/0\/24$/, `${r.int(256)}`);
  }
  return wideValue(r, f);
}

function setWide(obj: Record<string, any>, path: string, value: unknown): void {
  const parts = path.split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    cur = (cur[p] ??= {});
  }
  cur[parts[parts.length - 1]] = value;
}

function wideRule(r: Random): Record<string, unknown> {
  const pattern: Record<string, unknown> = {};
  envelopeFilters(r, pattern, [0.05, 0.15, 0.7, 0.8, 0.9, 0.95]);
  if (r.chance(0.1)) {
    pattern.region = [{ 'anything-but': [r.pick(REGIONS)] }];
  }
  const detail: Record<string, unknown> = {};
  const n = 2 + r.int(6);
  const plain = WIDE_FIELDS.filter((f) => !f.path.includes('[]'));
  for (let i = 0; i < n; i++) {
    const f = r.pick(plain);
    setWide(detail, f.path, wideCondition(r, f));
  }
  if (r.chance(0.15)) {
    // array of objects: one element must satisfy both (array consistency)
    detail.items = { sku: wideCondition(r, WIDE_FIELDS.find((f) => f.path === 'items[].sku')!), qty: [{ numeric: ['>=', 1 + r.int(5)] }] };
  }
  if (r.chance(0.2)) {
    detail.$or = Array.from({ length: 2 + r.int(2) }, () => {
      const f = r.pick(plain);
      const branch: Record<string, unknown> = {};
      setWide(branch, f.path, wideCondition(r, f));
      return branch;
    });
  }
  pattern.detail = detail;
  return pattern;
}

function wideEvent(r: Random, i: number, rules: Workload['rules']): Record<string, unknown> {
  const detail: Record<string, any> = {};
  for (const f of WIDE_FIELDS) {
    if (f.path.includes('[]') || r.chance(0.1)) {
      continue;
    }
    setWide(detail, f.path, wideValue(r, f));
  }
  const itemFields = WIDE_FIELDS.filter((f) => f.path.startsWith('items[].'));
  detail.items = Array.from({ length: 1 + r.int(4) }, () =>
    Object.fromEntries(itemFields.map((f) => [f.path.slice('items[].'.length), wideValue(r, f)])));
  let source = r.pick(SOURCES);
  let detailType = r.pick(DETAIL_TYPES);
  let region = r.pick(REGIONS);
  if (r.chance(0.5)) {
    const p = r.pick(rules).pattern as Record<string, any>;
    const dtField: WideField = { path: 'detail-type', kind: 'enum', values: DETAIL_TYPES };
    source = wideSatisfy(r, { path: 'source', kind: 'enum', values: SOURCES }, p.source) as string;
    if (p['detail-type']) {
      detailType = wideSatisfy(r, dtField, p['detail-type']) as string ?? detailType;
    }
    if (p.region) {
      region = wideSatisfy(r, { path: 'region', kind: 'enum', values: REGIONS }, p.region) as string;
    }
    const walk = (cond: Record<string, any>, prefix: string): void => {
      for (const [k, v] of Object.entries(cond)) {
        const path = prefix === '' ? k : `${prefix}.${k}`;
        if (k === '$or') {
          walk(r.pick(v as Array<Record<string, any>>), prefix);
        } else if (k === 'items' && prefix === '') {
          const items = detail.items as Array<Record<string, unknown>>;
          const skuField = WIDE_FIELDS.find((f) => f.path === 'items[].sku')!;
          items[r.int(items.length)] = { ...items[0], sku: wideSatisfy(r, skuField, v.sku) ?? 'SKU-1', qty: v.qty[0].numeric[1] + r.int(3) };
        } else if (Array.isArray(v)) {
          const f = WIDE_FIELDS.find((x) => x.path === path)!;
          const value = wideSatisfy(r, f, v);
          if (value === undefined) {
            const parts = path.split('.');
            let cur = detail;
            for (const q of parts.slice(0, -1)) {
              cur = cur?.[q];
            }
            if (cur) {
              delete cur[parts[parts.length - 1]];
            }
          } else {
            setWide(detail, path, f.kind === 'tags' && !Array.isArray(value) ? [value, 'extra'] : value);
          }
        } else {
          walk(v, path);
        }
      }
    };
    walk(p.detail ?? {}, '');
  }
  return envelope(r, i, detailType, source, region, detail);
}

/** Generates the wide workload: `ruleCount` rules and `eventCount` events from a seed. */
export function generateWideWorkload(seed: number, ruleCount: number, eventCount: number): Workload {
  const r = new Random(seed);
  const rules = Array.from({ length: ruleCount }, (_, i) => ({ name: `rule-${String(i).padStart(5, '0')}`, pattern: wideRule(r) }));
  const events = Array.from({ length: eventCount }, (_, i) => wideEvent(r, i, rules));
  return { rules, events };
}
