/**
 * Seeded generator of event patterns and events, as JSON text, for the differential test against aws/event-ruler.
 *
 * Patterns combine every operator (exact values, prefix/suffix with their equals-ignore-case forms,
 * equals-ignore-case, wildcard, anything-but with values, lists, prefix, suffix, equals-ignore-case and wildcard,
 * numeric comparisons and ranges, exists, cidr, exactly, `$or` at any level) over nested fields and arrays of objects,
 * with Unicode (astral characters, case pairs without simple mappings) and numbers in many spellings. A share of the
 * patterns is broken on purpose (one invalid part in an otherwise valid pattern). Events are aimed at each pattern:
 * their values are derived from the pattern's operands (the operand itself, case-flipped, extended, respelled
 * numbers, neighbouring numbers and addresses), put in scalars, arrays, nested arrays and arrays of objects, and
 * written with random `\u` escapes.
 */
import { Random } from '../../../bench/pattern-workload';

/** A JSON number kept with its spelling. */
export class Num {
  constructor(public readonly raw: string) {}
}

/** A value of the generator's JSON model: numbers are {@link Num} so that their spelling survives. */
export type Json = null | boolean | string | Num | Json[] | { [key: string]: Json };

/** JSON text of a model value; strings get `\u` escapes at random (so escapes are compared too). */
export function render(v: Json, r?: Random): string {
  if (v === null || typeof v === 'boolean') {
    return String(v);
  }
  if (v instanceof Num) {
    return v.raw;
  }
  if (typeof v === 'string') {
    return renderString(v, r);
  }
  if (Array.isArray(v)) {
    return `[${v.map((x) => render(x, r)).join(',')}]`;
  }
  return `{${Object.entries(v).map(([k, x]) => `${renderString(k, r)}:${render(x, r)}`).join(',')}}`;
}

function renderString(s: string, r?: Random): string {
  if (!r || !r.chance(0.15)) {
    return JSON.stringify(s);
  }
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    if (r.chance(0.4)) {
      // \u escapes (a surrogate pair for astral characters), upper or lower case hex
      const units = code > 0xffff ? [ch.charCodeAt(0), ch.charCodeAt(1)] : [code];
      const hex = (u: number) => u.toString(16).padStart(4, '0');
      out += units.map((u) => `\\u${r.chance(0.5) ? hex(u) : hex(u).toUpperCase()}`).join('');
    } else {
      out += JSON.stringify(ch).slice(1, -1);
    }
  }
  return out + '"';
}

// ---------------------------------------------------------------------------------------------------------------------
// value pools

const STRINGS = [
  '', 'a', 'A', 'ab', 'abc', 'ABC', 'aBc', 'abcd', 'b', 'x.png', 'X.PNG', 'foo/bar', 'foo/bar/baz.json', 'a*b', '*', '\\',
  'ÄÖÜ', 'äöü', 'straße', 'STRASSE', 'STRAẞE', 'ΣΑΣ', 'σας', 'σασ', 'İ', 'i', 'I', 'ı', 'ﬀ', 'FF', '\u212a', 'k', 'K',
  '😀', '😀a', 'a😀', '𐐀', '𐐨', 'Ǆ', 'ǅ', 'ǆ', 'ß', 'ẞ', '\u0000', 'tab\there', 'line\nbreak', '"quoted"', 'é', 'é',
  'null', 'true', 'false', '5', '300', '1e2', '-0', '10.0.0.1', '10.0.0.255', '10.0.1.9', '10.1.2.3', '192.168.1.1',
  '2001:db8::1', '2001:DB8::1', '2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8:0:ffff::', '::1', '::ffff:10.0.0.1',
  'aws.ec2', 'aws.s3', 'com.example.orders', 'Order Created', 'order created', 'ORDER CREATED', 'us-east-1', 'eu-west-1',
];

/** Number spellings: integers, decimals, exponents, signed zeros, extremes, beyond a double's precision and range. */
const NUMBERS = [
  '0', '-0', '0.0', '-0.0', '0e0', '1', '1.0', '1.00', '1e0', '1E0', '1e+0', '10e-1', '0.1e1', '2', '5', '-3', '-3.5',
  '2.5', '2.50', '10', '100', '1e2', '1.0e2', '1E+2', '300', '3.0e2', '3e2', '0.1', '0.30000000000000004', '1e-7',
  '1.5e-10', '123456789012', '5000000000', '5.0e9', '-5e9', '1e9', '1.000001', '1.0000001', '1e15', '1e16', '1e21',
  '1e300', '-1e300', '1.7976931348623157e308', '5e-324', '2.2250738585072014e-308', '9007199254740992',
  '9007199254740993', '12345678901234567890', '4.9e-324', '1.5e-323', '0.99999999999999994', '1e400', '-1e400', '0.30000000000000000001',
];

/**
 * Numbers whose Java spelling (Double.toString) changed in JDK 19: the JDK the harness runs on decides whether
 * event-ruler compares them (the excluded class jdk-double-to-string). Drawn rarely, so that they hide little.
 */
const JDK_DEPENDENT_NUMBERS = ['1e-323', '9.9e-324', '1e23', '2.82879384806159E17', '282879384806159000'];

/** A number spelling, now and then one of the JDK-dependent ones. */
function numberText(r: Random, pool: readonly string[]): string {
  return r.chance(0.02) ? r.pick(JDK_DEPENDENT_NUMBERS) : r.pick(pool);
}

const WILDCARDS = [
  '*', 'a*', '*b', '*c', 'a*c', 'a*b*c', '*.png', '*.PNG', 'foo/*', 'foo/*/baz.json', '*/bar*', 'a\\*b', '\\\\', '\\*',
  '', 'abc', '😀*', '*😀', '*😀*', '10.0.*', 'ΣΑΣ*', '*ß', 'Order *', '*Created',
  // invalid
  '**', 'a**b', 'a\\b', 'a\\', '\\',
];

const CIDRS = [
  '10.0.0.0/8', '10.0.0.0/24', '10.0.0.1/31', '10.0.0.0/30', '10.0.1.0/24', '0.0.0.0/0', '192.168.0.0/16',
  '2001:db8::/32', '2001:DB8::/64', '2001:db8::1/127', '::/0', '::ffff:10.0.0.0/104',
  // invalid
  '10.0.0.0/32', '2001:db8::1/128', '10.0.0.0', '10.0.0.0/x', '10.0.0.0/-1', '300.0.0.0/8', 'not-an-ip/8', '10.0.0.0/33', '',
];

const NUMERIC_OPS = ['=', '<', '<=', '>', '>='];

/** Field paths (object keys joined by `.`; `[]` marks an array of objects in events). */
const FIELDS = [
  'source', 'detail-type', 'account', 'resources',
  'detail.a', 'detail.b', 'detail.n', 'detail.ip', 'detail.c.d', 'detail.c.e',
  'detail.items[].x', 'detail.items[].y', 'detail.items[].sub[].z', 'detail.items[].sub[].w',
  'détail.ü😀', 'detail.k.e\u0301',
];

/** A value scalar of the pools. */
function scalar(r: Random): Json {
  switch (r.int(8)) {
    case 0: case 1: case 2: return r.pick(STRINGS);
    case 3: case 4: case 5: return new Num(numberText(r, NUMBERS));
    case 6: return r.chance(0.5);
    default: return null;
  }
}

function someString(r: Random): string {
  return r.pick(STRINGS);
}

function stringList(r: Random, pool: readonly string[] = STRINGS): string[] {
  const n = 1 + r.int(3);
  return Array.from({ length: n }, () => r.pick(pool));
}

// ---------------------------------------------------------------------------------------------------------------------
// patterns

/** A match value (one element of a field's array), valid or, with `invalid`, broken. */
function matchValue(r: Random, invalid: boolean): Json {
  if (invalid) {
    return invalidMatchValue(r);
  }
  switch (r.int(16)) {
    case 0: case 1: return scalar(r);
    case 2: return { prefix: someString(r) };
    case 3: return { suffix: someString(r) };
    case 4: return r.chance(0.5) ? { prefix: { 'equals-ignore-case': someString(r) } } : { suffix: { 'equals-ignore-case': someString(r) } };
    case 5: return { 'equals-ignore-case': someString(r) };
    case 6: return { wildcard: r.pick(WILDCARDS.slice(0, -5)) };
    case 7: case 8: return { 'anything-but': anythingBut(r) };
    case 9: case 10: return { numeric: numeric(r) };
    case 11: return { exists: r.chance(0.5) };
    case 12: return { cidr: r.pick(CIDRS.slice(0, -9)) };
    case 13: return { exactly: someString(r) };
    case 14: return new Num(numberText(r, NUMBERS.slice(0, -4)));
    default: return someString(r);
  }
}

function anythingBut(r: Random): Json {
  switch (r.int(9)) {
    case 0: return someString(r);
    case 1: return new Num(numberText(r, NUMBERS.slice(0, -4)));
    case 2: return stringList(r);
    case 3: return Array.from({ length: 1 + r.int(3) }, () => new Num(numberText(r, NUMBERS.slice(0, -4))));
    case 4: return { prefix: r.chance(0.6) ? r.pick(STRINGS.slice(1)) : stringList(r, STRINGS.slice(1)) };
    case 5: return { suffix: r.chance(0.6) ? r.pick(STRINGS.slice(1)) : stringList(r, STRINGS.slice(1)) };
    case 6: return { 'equals-ignore-case': r.chance(0.6) ? someString(r) : stringList(r) };
    case 7: return { wildcard: r.chance(0.6) ? r.pick(WILDCARDS.slice(0, -5)) : stringList(r, WILDCARDS.slice(0, -5)) };
    default: return [someString(r)];
  }
}

function comparable(r: Random): Num {
  // numbers a double holds exactly enough for numeric comparisons (no 1e400, no 0.300...01)
  return new Num(numberText(r, NUMBERS.slice(0, -4)));
}

function numeric(r: Random): Json {
  if (r.chance(0.5)) {
    return [r.pick(NUMERIC_OPS), comparable(r)];
  }
  const a = comparable(r);
  const b = comparable(r);
  const [lo, hi] = Number(a.raw) <= Number(b.raw) ? [a, b] : [b, a];
  return [r.pick(['>', '>=']), lo, r.pick(['<', '<=']), hi];
}

/** One invalid part, in the forms event-ruler refuses (and some it accepts that look odd). */
function invalidMatchValue(r: Random): Json {
  switch (r.int(30)) {
    case 0: return { prefix: new Num(r.pick(NUMBERS)) };
    case 1: return { suffix: null };
    case 2: return { prefix: { 'equals-ignore-case': new Num('5') } };
    case 3: return { prefix: { exactly: 'a' } };
    case 4: return { 'equals-ignore-case': r.chance(0.5) ? new Num('1') : ['a'] };
    case 5: return { wildcard: r.pick(WILDCARDS.slice(-5)) };
    case 6: return { wildcard: new Num('1') };
    case 7: return { 'anything-but': r.pick<Json>([null, true, [], [someString(r), new Num('1')], [null], [true], [['a']]]) };
    case 8: return { 'anything-but': r.pick<Json>([{ exists: true }, { numeric: ['>', new Num('1')] }, { cidr: '10.0.0.0/8' }, { bogus: 'a' }]) };
    case 9: return { 'anything-but': r.pick<Json>([{ prefix: '' }, { suffix: '' }, { prefix: null }, { prefix: [new Num('1')] }, { suffix: ['a', new Num('2')] }]) };
    case 10: return { 'anything-but': r.pick<Json>([{ 'equals-ignore-case': [new Num('1')] }, { 'equals-ignore-case': [null] }, { prefix: 'a', suffix: 'b' }, { wildcard: '**' }]) };
    case 11: return { numeric: r.pick<Json>([[], [new Num('5')], '>', ['!=', new Num('1')], ['>', 'a'], ['>', null], ['>'], ['=', new Num('1'), '<', new Num('2')]]) };
    case 12: return { numeric: r.pick<Json>([['<', new Num('20'), '>=', new Num('10')], ['>', new Num('5'), '<', new Num('5')], ['>', new Num('6'), '<', new Num('5')], ['>', new Num('1'), '>', new Num('2')]]) };
    case 13: return { numeric: r.pick<Json>([['>', new Num('1'), '<', new Num('5'), '<', new Num('6')], ['>', new Num(r.pick(NUMBERS.slice(-4)))], ['=', new Num('1e400')]]) };
    case 14: return { exists: r.pick<Json>(['true', new Num('1'), null, [true]]) };
    case 15: return { cidr: r.pick<Json>([...CIDRS.slice(-9), new Num('10')]) };
    case 16: return { prefix: 'a', suffix: 'b' };
    case 17: return { contains: 'a' };
    case 18: return { Prefix: 'a' };
    case 19: return {};
    case 20: return [someString(r)];
    case 21: return { exactly: new Num('1') };
    case 22: return { 'anything-but': { 'equals-ignore-case': new Num('3') } };
    case 23: return { numeric: ['=', comparable(r), '>', comparable(r)] };
    case 24: return { 'anything-but': [new Num('1'), new Num('1e400')] };
    case 25: return { 'anything-but': new Num('1e400') };
    case 26: return { prefix: { 'equals-ignore-case': 'a', 'x': 'b' } };
    case 27: return { 'anything-but': { wildcard: ['a**', 'b'] } };
    case 28: return new Num(r.pick(NUMBERS.slice(-4)));
    default: return { numeric: [r.pick(NUMERIC_OPS), r.pick<Json>(['5', true, {}])] };
  }
}

type Obj = { [key: string]: Json };

function setPath(obj: Obj, path: string, value: Json): void {
  const parts = path.replace(/\[\]/g, '').split('.');
  let cur = obj;
  for (const p of parts.slice(0, -1)) {
    const next = cur[p];
    if (typeof next !== 'object' || next === null || Array.isArray(next) || next instanceof Num) {
      cur[p] = {};
    }
    cur = cur[p] as Obj;
  }
  cur[parts[parts.length - 1]] = value;
}

/** A conjunction of 1–4 fields, each with 1–3 match values. */
function conjunction(r: Random, invalidAt: number): Obj {
  const out: Obj = {};
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const values = Array.from({ length: 1 + r.int(3) }, (_, j) => matchValue(r, invalidAt === i && j === 0));
    setPath(out, r.pick(FIELDS), values);
  }
  return out;
}

/** A pattern: its JSON text and whether a part of it was broken on purpose. */
export interface GeneratedPattern {
  readonly text: string;
  readonly model: Json;
  readonly broken: boolean;
}

/** Breaks the structure of a pattern in one of the ways event-ruler refuses (or, for some, accepts). */
function structuralBreak(r: Random, base: Obj): string {
  switch (r.int(12)) {
    case 0: return r.pick(['[]', '"a"', '1', 'null', 'true', '[{"a":["b"]}]']);
    case 1: return '{}';
    case 2: return render({ ...base, detail: {} });
    case 3: return render({ ...base, x: 'a' });
    case 4: return render({ ...base, x: new Num('1') });
    case 5: return render({ ...base, x: [] });
    case 6: return render({ ...base, $or: [base] });
    case 7: return render({ ...base, $or: { a: ['b'] } });
    case 8: return render({ ...base, $or: [{ prefix: ['a'] }, { b: ['c'] }] });
    case 9: return render({ ...base, $or: [base, 'x'] });
    case 10: return render(base).slice(0, -1);
    default: return render({ ...base, x: [null, [new Num('1')]] });
  }
}

/** A seeded pattern. */
export function generatePattern(r: Random): GeneratedPattern {
  const broken = r.chance(0.15);
  const brokenHow = broken ? r.int(3) : -1; // 0: a match value, 1: structure, 2: inside $or
  let model: Obj = conjunction(r, brokenHow === 0 ? r.int(2) : -1);
  if (r.chance(0.3) || brokenHow === 2) {
    const branches = Array.from({ length: 2 + r.int(2) }, (_, i) => conjunction(r, brokenHow === 2 && i === 0 ? 0 : -1));
    if (r.chance(0.3)) {
      // branches on the same field whose lists share a value (event-ruler's or-branches-sharing-a-value)
      const field = r.pick(FIELDS);
      const shared = matchValue(r, false);
      branches.forEach((b) => setPath(b, field, r.chance(0.5) ? [shared, matchValue(r, false)] : [matchValue(r, false), shared]));
    }
    if (r.chance(0.5)) {
      model.$or = branches;
    } else {
      // $or nested in detail
      const detail = (typeof model.detail === 'object' && model.detail !== null && !Array.isArray(model.detail) && !(model.detail instanceof Num))
        ? model.detail as Obj : {};
      detail.$or = branches;
      model = { ...model, detail };
    }
  }
  if (brokenHow === 1) {
    return { text: structuralBreak(r, model), model, broken: true };
  }
  return { text: render(model, r), model, broken };
}

// ---------------------------------------------------------------------------------------------------------------------
// events

/** Every operand string and number that a pattern mentions (the values events are derived from). */
function operands(v: Json, out: { strings: string[]; numbers: string[] }): void {
  if (typeof v === 'string') {
    out.strings.push(v);
  } else if (v instanceof Num) {
    out.numbers.push(v.raw);
  } else if (Array.isArray(v)) {
    v.forEach((x) => operands(x, out));
  } else if (v !== null && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      out.strings.push(k);
      operands(x, out);
    }
  }
}

function flipCase(s: string, r: Random): string {
  return [...s].map((c) => (r.chance(0.5) ? c.toUpperCase() : c.toLowerCase())).join('');
}

/** Numbers near a given one: respellings, neighbours, the other sign. */
function nearNumber(raw: string, r: Random): string {
  const v = Number(raw);
  switch (r.int(7)) {
    case 0: return raw;
    case 1: return Number.isFinite(v) ? String(v) : raw;
    case 2: return Number.isFinite(v) ? v.toExponential() : raw;
    case 3: return Number.isFinite(v) && Number.isInteger(v) && Math.abs(v) < 1e15 ? `${v}.0` : raw;
    case 4: return Number.isFinite(v) ? String(v + 1) : raw;
    case 5: return Number.isFinite(v) ? String(v - 0.5) : raw;
    default: return raw.startsWith('-') ? raw.slice(1) : `-${raw}`;
  }
}

/** A scalar derived from the operands. */
function derivedScalar(r: Random, ops: { strings: string[]; numbers: string[] }): Json {
  const k = r.int(10);
  if (k < 4 && ops.strings.length > 0) {
    const s = r.pick(ops.strings).replace(/\\([*\\])/g, '$1');
    switch (r.int(8)) {
      case 0: case 1: return s;
      case 2: return flipCase(s, r);
      case 3: return s + r.pick(['', 'x', 'Z', '😀', '.png', '/x']);
      case 4: return r.pick(['', 'a', 'X', '😀', 'foo/']) + s;
      case 5: return s.replace(/\*/g, () => r.pick(['', 'x', 'bar/baz', '😀']));
      case 6: return s.replace(/\/\d+$/, '').replace(/0$/, String(r.int(10)));
      default: return s.toUpperCase();
    }
  }
  if (k < 7 && ops.numbers.length > 0) {
    return new Num(nearNumber(r.pick(ops.numbers), r));
  }
  return scalar(r);
}

function leafValue(r: Random, ops: { strings: string[]; numbers: string[] }): Json {
  switch (r.int(12)) {
    case 0: return Array.from({ length: r.int(4) }, () => derivedScalar(r, ops));
    case 1: return [derivedScalar(r, ops), [derivedScalar(r, ops)]];
    case 2: return { nested: derivedScalar(r, ops) };
    case 3: return r.chance(0.5) ? {} : null;
    default: return derivedScalar(r, ops);
  }
}

/** Builds an event from field paths: `[]` segments become arrays of 0–3 objects (sometimes a bare object). */
function buildEvent(r: Random, paths: string[], ops: { strings: string[]; numbers: string[] }): Obj {
  const event: Obj = {};
  const fill = (obj: Obj, segments: string[]): void => {
    const [head, ...rest] = segments;
    const isArray = head.endsWith('[]');
    const key = isArray ? head.slice(0, -2) : head;
    if (rest.length === 0) {
      obj[key] = leafValue(r, ops);
      return;
    }
    if (isArray) {
      let arr = obj[key];
      if (!Array.isArray(arr)) {
        arr = Array.from({ length: r.int(4) }, () => ({} as Obj));
        obj[key] = arr;
      }
      for (const el of arr as Json[]) {
        if (el !== null && typeof el === 'object' && !Array.isArray(el) && !(el instanceof Num) && r.chance(0.7)) {
          fill(el as Obj, rest);
        }
      }
      return;
    }
    let next = obj[key];
    if (next === null || typeof next !== 'object' || Array.isArray(next) || next instanceof Num) {
      next = {};
      obj[key] = next;
    }
    fill(next as Obj, rest);
  };
  for (const p of paths) {
    fill(event, p.split('.'));
  }
  // arrays of one object sometimes written as the bare object
  const detail = event.detail as Obj | undefined;
  if (detail && Array.isArray(detail.items) && detail.items.length === 1 && r.chance(0.3)) {
    detail.items = detail.items[0];
  }
  return event;
}

/** Field paths (with `[]` markers) a pattern names, or all of FIELDS for a broken pattern. */
function patternPaths(model: Json): string[] {
  const named = new Set<string>();
  const walk = (v: Json, prefix: string): void => {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof Num) {
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === '$or' && Array.isArray(x)) {
        x.forEach((b) => walk(b, prefix));
      } else if (Array.isArray(x)) {
        named.add(prefix === '' ? k : `${prefix}.${k}`);
      } else {
        walk(x, prefix === '' ? k : `${prefix}.${k}`);
      }
    }
  };
  walk(model, '');
  return FIELDS.filter((f) => named.has(f.replace(/\[\]/g, '')));
}

/** `count` events aimed at a pattern, as JSON text. */
export function generateEvents(r: Random, pattern: GeneratedPattern, count: number): string[] {
  const ops = { strings: [] as string[], numbers: [] as string[] };
  operands(pattern.model, ops);
  const paths = patternPaths(pattern.model);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const chosen = paths.filter(() => r.chance(0.85));
    if (r.chance(0.2)) {
      chosen.push(r.pick(FIELDS));
    }
    const event = buildEvent(r, chosen, ops);
    if (r.chance(0.1)) {
      event.version = '0';
      event.id = 'e';
    }
    out.push(render(event, r));
  }
  return out;
}
