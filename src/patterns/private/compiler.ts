/**
 * Compiles a valid pattern into sub-rules (the `$or` expansion, as in
 * event-ruler's JsonRuleCompiler): each sub-rule maps field paths to ORed
 * matchers; fields are ANDed. Paths join keys with `.`, like event-ruler.
 * Assumes the pattern has passed {@link checkPattern}.
 */
import { compileIgnoreCase, endsWithIgnoreCase, equalsIgnoreCase, startsWithIgnoreCase } from './case-mapping';
import { inRange, ipToHex, IpRange, looksLikeIp, parseCidr } from './ip-address';
import { JsonNumber } from './json-text';
import { CompiledPattern, Condition, INLINE_ABSENT, INLINE_EXISTS, INLINE_RANGE, Leaf, Matcher, SubRule } from './model';
import { isComparable, isJsonNumber, numberText, numberValue } from './numbers';
import { isPlainObject, joinPath, jsonKeys } from './validator';
import { matchWildcard, parseWildcard, Wildcard } from './wildcard';

function leafIp(leaf: Leaf): string | null {
  if (leaf.ip === undefined) {
    leaf.ip = typeof leaf.v === 'string' ? ipToHex(leaf.v) ?? null : null;
  }
  return leaf.ip;
}

function leafNumberText(leaf: Leaf): string {
  return leaf.raw ?? String(leaf.v);
}

function exactString(s: string): Matcher {
  if (looksLikeIp(s)) {
    const hex = ipToHex(s);
    if (hex !== undefined) {
      // event-ruler turns an IP literal into a single-address range.
      return { test: (l) => typeof l.v === 'string' && leafIp(l) === hex };
    }
  }
  return { test: (l) => l.v === s, key: 's' + s };
}

function exactNumber(n: number | JsonNumber): Matcher {
  const value = numberValue(n);
  const raw = numberText(n);
  if (isComparable(n)) {
    return { test: (l) => typeof l.v === 'number' && (l.v === value || leafNumberText(l) === raw), key: 'n' + String(value) };
  }
  return { test: (l) => typeof l.v === 'number' && leafNumberText(l) === raw, key: 'r' + raw };
}

function numericRange(arr: unknown[]): Matcher {
  const op = arr[0] as string;
  const v1 = numberValue(arr[1] as number | JsonNumber);
  if (op === '=') {
    return { test: (l) => typeof l.v === 'number' && l.v === v1, inline: [INLINE_RANGE, v1, v1] };
  }
  let lo = -Infinity;
  let hi = Infinity;
  let loOpen = false;
  let hiOpen = false;
  if (op === '>' || op === '>=') {
    lo = v1;
    loOpen = op === '>';
    if (arr.length > 2) {
      hi = numberValue(arr[3] as number | JsonNumber);
      hiOpen = arr[2] === '<';
    }
  } else {
    hi = v1;
    hiOpen = op === '<';
  }
  return {
    test: (l) => {
      const v = l.v;
      if (typeof v !== 'number' || Number.isNaN(v)) {
        return false;
      }
      return (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi);
    },
    inline: [INLINE_RANGE + (loOpen ? 1 : 0) + (hiOpen ? 2 : 0), lo, hi],
  };
}

function stringList(v: unknown): string[] {
  return Array.isArray(v) ? (v as string[]) : [v as string];
}

function anythingBut(operand: unknown): Matcher {
  if (isPlainObject(operand)) {
    const kind = jsonKeys(operand)[0];
    const values = stringList(operand[kind]);
    let excluded: (s: string) => boolean;
    switch (kind) {
      case 'prefix':
        excluded = (s) => values.some((p) => s.startsWith(p));
        break;
      case 'suffix':
        excluded = (s) => values.some((p) => s.endsWith(p));
        break;
      case 'wildcard': {
        const ws = values.map((w) => parseWildcard(w) as Wildcard);
        excluded = (s) => ws.some((w) => matchWildcard(w, s));
        break;
      }
      default: {
        const sets = values.map(compileIgnoreCase);
        excluded = (s) => sets.some((c) => equalsIgnoreCase(c, s));
      }
    }
    // A value of another type is "different" and therefore matches.
    return { test: (l) => typeof l.v !== 'string' || !excluded(l.v) };
  }
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length > 0 && isJsonNumber(list[0])) {
    const nums = new Set(list.map((n) => numberValue(n as number | JsonNumber)));
    return { test: (l) => typeof l.v !== 'number' || !nums.has(l.v) };
  }
  const strs = new Set(list as string[]);
  return { test: (l) => typeof l.v !== 'string' || !strs.has(l.v) };
}

function affix(name: string, operand: unknown): Matcher {
  if (isPlainObject(operand)) {
    const sets = compileIgnoreCase(operand['equals-ignore-case'] as string);
    return name === 'prefix'
      ? { test: (l) => typeof l.v === 'string' && startsWithIgnoreCase(sets, l.v) }
      : { test: (l) => typeof l.v === 'string' && endsWithIgnoreCase(sets, l.v) };
  }
  const s = operand as string;
  return name === 'prefix'
    ? { test: (l) => typeof l.v === 'string' && l.v.startsWith(s), key: 'p' + s }
    : { test: (l) => typeof l.v === 'string' && l.v.endsWith(s) };
}

const EXISTS: Matcher = { test: () => true, inline: [INLINE_EXISTS, 0, 0] };
const ABSENT: Matcher = { test: () => false, absence: true, inline: [INLINE_ABSENT, 0, 0] };

/** Compiles one match expression object. */
function matchExpression(expr: Record<string, unknown>): Matcher {
  const name = jsonKeys(expr)[0];
  const operand = expr[name];
  switch (name) {
    case 'exactly': {
      const s = operand as string;
      return { test: (l) => l.v === s, key: 's' + s };
    }
    case 'prefix':
    case 'suffix':
      return affix(name, operand);
    case 'equals-ignore-case': {
      const sets = compileIgnoreCase(operand as string);
      return { test: (l) => typeof l.v === 'string' && equalsIgnoreCase(sets, l.v) };
    }
    case 'wildcard': {
      const w = parseWildcard(operand as string) as Wildcard;
      return { test: (l) => typeof l.v === 'string' && matchWildcard(w, l.v) };
    }
    case 'exists':
      return operand ? EXISTS : ABSENT;
    case 'cidr': {
      const range = (parseCidr(operand as string) as { range: IpRange }).range;
      return {
        test: (l) => {
          if (typeof l.v !== 'string') {
            return false;
          }
          const hex = leafIp(l);
          return hex !== null && inRange(hex, range);
        },
      };
    }
    case 'numeric':
      return numericRange(operand as unknown[]);
    default:
      return anythingBut(operand);
  }
}

function matcher(v: unknown): Matcher {
  if (typeof v === 'string') {
    return exactString(v);
  }
  if (isJsonNumber(v)) {
    return exactNumber(v);
  }
  if (v === true) {
    return TRUE;
  }
  if (v === false) {
    return FALSE;
  }
  if (v === null) {
    return NULL;
  }
  return matchExpression(v as Record<string, unknown>);
}

const TRUE: Matcher = { test: (l: Leaf) => l.v === true, key: 't' };
const FALSE: Matcher = { test: (l: Leaf) => l.v === false, key: 'f' };
const NULL: Matcher = { test: (l: Leaf) => l.v === null, key: 'z' };

function conditionText(path: string, values: unknown[]): string {
  return `${JSON.stringify(path)}:${JSON.stringify(values)}`;
}

function condition(path: string, values: unknown[]): Condition {
  if (values.length === 1) {
    // the common case, without the intermediate lists
    const m = matcher(values[0]);
    const shared = m.key === undefined && m.inline === undefined;
    return {
      path,
      absence: m.absence === true,
      keys: m.key === undefined ? undefined : [m.key],
      test: m.test,
      inline: m.inline,
      text: shared ? conditionText(path, values) : undefined,
    };
  }
  const matchers: Matcher[] = new Array(values.length);
  let absence = false;
  let indexable = true;
  for (let i = 0; i < values.length; i++) {
    const m = matcher(values[i]);
    matchers[i] = m;
    absence ||= m.absence === true;
    indexable &&= m.key !== undefined;
  }
  const keys = indexable ? [...new Set(matchers.map((m) => m.key!))] : undefined;
  const tests = matchers.map((m) => m.test);
  const test = (l: Leaf): boolean => tests.some((t) => t(l));
  return { path, absence, keys, test, inline: undefined, text: keys === undefined ? conditionText(path, values) : undefined };
}

type Branch = Map<string, Condition>;

function compileObject(obj: Record<string, unknown>, path: string, rules: Branch[]): Branch[] {
  for (const key of jsonKeys(obj)) {
    const value = obj[key];
    if (key === '$or' && Array.isArray(value)) {
      const current = rules.length === 0 ? [new Map()] : rules;
      const next: Branch[] = [];
      for (const branch of value as Record<string, unknown>[]) {
        const copies = current.map((r) => new Map(r));
        for (const r of compileObject(branch, path, copies)) {
          next.push(r); // not push(...spread): the list can be long
        }
      }
      rules = next;
      continue;
    }
    const fieldPath = joinPath(path, key);
    if (isPlainObject(value)) {
      rules = compileObject(value, fieldPath, rules);
    } else {
      if (rules.length === 0) {
        rules = [new Map()];
      }
      const c = condition(fieldPath, value as unknown[]);
      for (const r of rules) {
        r.set(fieldPath, c); // the last definition of a path wins
      }
    }
  }
  return rules;
}

/** Compiles a validated pattern. */
export function compilePattern(pattern: Record<string, unknown>): CompiledPattern {
  const branches = compileObject(pattern, '', []);
  const paths = new Set<string>();
  const subRules: SubRule[] = branches.map((b) => {
    const conditions = [...b.values()];
    for (const c of conditions) {
      paths.add(c.path);
    }
    return { conditions };
  });
  return { subRules, paths: [...paths] };
}
