/**
 * Property tests (fast-check): the indexed PatternRuleSet returns exactly the
 * rules that EventPatternEngine.matches accepts; validation never throws.
 */
import * as fc from 'fast-check';
import { EventPatternEngine, PatternRuleSet } from '../../src/patterns';

const FIELDS = ['source', 'detail-type', 'detail.state', 'detail.n', 'detail.items.sku', 'detail.items.qty', 'detail.ip'];
const strings = fc.constantFrom('a', 'b', 'ab', 'abc', 'B', '', 'x.png', '10.0.0.1', '10.0.1.9', '2001:db8::1');
const numbers = fc.constantFrom(0, 1, 2, 5, 10, -3, 2.5, 100);
const scalar = fc.oneof(strings, numbers, fc.constant(null), fc.boolean());

const matchValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: scalar },
  fc.record({ prefix: strings }),
  fc.record({ suffix: strings }),
  fc.record({ 'equals-ignore-case': strings }),
  fc.record({ 'anything-but': fc.oneof(strings, numbers, fc.array(strings, { minLength: 1, maxLength: 3 })) }),
  fc.record({ 'anything-but': fc.record({ prefix: fc.constantFrom('a', 'x', '10.') }) }),
  fc.record({
    numeric: fc.oneof(
      fc.tuple(fc.constantFrom('>', '>=', '<', '<=', '='), numbers),
      numbers.chain((lo) =>
        fc.tuple(fc.constantFrom('>', '>='), fc.constant(lo), fc.constantFrom('<', '<='), fc.constantFrom(lo + 1, lo + 50))),
    ),
  }),
  fc.record({ exists: fc.boolean() }),
  fc.record({ wildcard: fc.constantFrom('*', 'a*', '*b', 'a*c', '*.png', '10.*') }),
  fc.record({ cidr: fc.constantFrom('10.0.0.0/24', '10.0.0.0/8', '2001:db8::/32') }),
);

function nest(path: string, values: unknown[]): Record<string, unknown> {
  const parts = path.split('.');
  let obj: Record<string, unknown> = { [parts[parts.length - 1]]: values };
  for (let i = parts.length - 2; i >= 0; i--) {
    obj = { [parts[i]]: obj };
  }
  return obj;
}

function merge(a: Record<string, any>, b: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    out[k] = k in out && !Array.isArray(v) && !Array.isArray(out[k]) && typeof v === 'object' ? merge(out[k], v) : v;
  }
  return out;
}

const conjunction = fc.uniqueArray(fc.constantFrom(...FIELDS), { minLength: 1, maxLength: 3 }).chain((fields) =>
  fc.tuple(...fields.map((f) => fc.array(matchValue, { minLength: 1, maxLength: 3 }).map((vals) => nest(f, vals))))
    .map((parts) => parts.reduce(merge, {})));

const pattern: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  { weight: 3, arbitrary: conjunction },
  fc.tuple(conjunction, fc.array(conjunction, { minLength: 2, maxLength: 3 })).map(([base, branches]) => ({ ...base, $or: branches })),
);

const eventValue = fc.oneof({ weight: 5, arbitrary: scalar }, fc.array(scalar, { maxLength: 3 }), fc.constant({ nested: 'x' }));
const event = fc.record({
  'source': eventValue,
  'detail-type': eventValue,
  'detail': fc.record({
    state: eventValue,
    n: eventValue,
    ip: eventValue,
    items: fc.array(fc.record({ sku: eventValue, qty: eventValue }, { requiredKeys: [] }), { maxLength: 3 }),
  }, { requiredKeys: [] }),
}, { requiredKeys: [] });

describe('PatternRuleSet agrees with EventPatternEngine.matches', () => {
  test('on generated rules and events', () => {
    const patterns = fc.array(pattern, { minLength: 1, maxLength: 25 });
    const events = fc.array(event, { minLength: 1, maxLength: 20 });
    fc.assert(fc.property(patterns, events, (patternList, eventList) => {
      const valid = patternList.filter((p) => EventPatternEngine.isValid(p));
      const rules = new PatternRuleSet();
      valid.forEach((p, i) => rules.add(`r${i}`, p));
      for (const e of eventList) {
        const expected = valid.map((p, i) => (EventPatternEngine.matches(p, e) ? `r${i}` : undefined)).filter((n) => n !== undefined);
        expect(rules.matchingRules(e)).toEqual(expected);
      }
    }), { numRuns: 300 });
  });

  test('generated patterns are mostly valid and sometimes match', () => {
    // guards the property above against vacuous generators
    const samples = fc.sample(fc.tuple(pattern, event), { numRuns: 2000, seed: 42 });
    const valid = samples.filter(([p]) => EventPatternEngine.isValid(p));
    expect(valid.length).toBeGreaterThan(1000);
    const matched = valid.filter(([p, e]) => EventPatternEngine.matches(p, e));
    expect(matched.length).toBeGreaterThan(50);
  });

  test('after removals', () => {
    const patterns = fc.array(pattern, { minLength: 2, maxLength: 20 });
    const events = fc.array(event, { minLength: 1, maxLength: 10 });
    fc.assert(fc.property(patterns, events, fc.nat(), (patternList, eventList, seed) => {
      const valid = patternList.filter((p) => EventPatternEngine.isValid(p));
      const rules = new PatternRuleSet();
      valid.forEach((p, i) => rules.add(`r${i}`, p));
      const kept = valid.map((_, i) => (i + seed) % 3 !== 0);
      kept.forEach((keep, i) => {
        if (!keep) {
          rules.remove(`r${i}`);
        }
      });
      for (const e of eventList) {
        const expected = valid.map((p, i) => (kept[i] && EventPatternEngine.matches(p, e) ? `r${i}` : undefined)).filter((n) => n !== undefined);
        expect(rules.matchingRules(e)).toEqual(expected);
      }
    }), { numRuns: 100 });
  });
});

describe('validate never throws', () => {
  test('on arbitrary JSON values', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
      const problems = EventPatternEngine.validate(value);
      expect(Array.isArray(problems)).toBe(true);
      expect(EventPatternEngine.isValid(value)).toBe(problems.length === 0);
    }), { numRuns: 2000 });
  });

  test('on arbitrary JSON text and mutations of it', () => {
    const text = fc.oneof(
      fc.json({ maxDepth: 5 }),
      fc.string({ maxLength: 200 }),
      fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 }))
        .map(([t, at, s]) => t.slice(0, at % (t.length + 1)) + s + t.slice(at % (t.length + 1))),
    );
    fc.assert(fc.property(text, (t) => {
      expect(Array.isArray(EventPatternEngine.validate(t))).toBe(true);
    }), { numRuns: 2000 });
  });

  test('on pattern-shaped objects with arbitrary operands', () => {
    const ops = fc.constantFrom('prefix', 'suffix', 'equals-ignore-case', 'anything-but', 'numeric', 'exists', 'cidr', 'wildcard', 'exactly', '$or', 'x');
    const operand = fc.jsonValue({ maxDepth: 3 });
    const expr = fc.dictionary(ops, operand, { minKeys: 0, maxKeys: 2 });
    const value = fc.oneof(fc.array(fc.oneof(expr, operand), { maxLength: 3 }), operand);
    const pat = fc.dictionary(fc.constantFrom('source', 'detail', '$or', 'prefix'), value, { maxKeys: 3 });
    fc.assert(fc.property(pat, fc.jsonValue({ maxDepth: 3 }), (p, e) => {
      const problems = EventPatternEngine.validate(p);
      if (problems.length === 0 && typeof e === 'object' && e !== null && !Array.isArray(e)) {
        expect(typeof EventPatternEngine.matches(p, e)).toBe('boolean');
      }
      for (const problem of problems) {
        expect(typeof problem.path).toBe('string');
        expect(problem.message.length).toBeGreaterThan(0);
      }
    }), { numRuns: 3000 });
  });
});
