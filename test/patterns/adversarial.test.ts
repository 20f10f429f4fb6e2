/**
 * Hostile input: every case here must finish fast (the whole file runs in well
 * under a second; no timed assertions) and never crash. Deep nesting, long
 * strings, many wildcards, huge `$or`, huge arrays, prototype keys and numbers
 * at the edges of a double.
 */
import { EventPatternEngine, PatternRuleSet } from '../../src/patterns';

const MiB = 1024 * 1024;

function nestedText(depth: number, leaf: string): string {
  return '{"a":'.repeat(depth) + leaf + '}'.repeat(depth);
}

describe('long strings', () => {
  const longValue = 'a'.repeat(MiB);
  const caseless = 'A'.repeat(1969); // the longest equals-ignore-case operand a 2,048-character pattern holds

  test('equals-ignore-case with a long operand against a 1 MiB value, 200 rules', () => {
    const pattern = { v: [{ 'equals-ignore-case': caseless }] };
    expect(EventPatternEngine.isValid(pattern)).toBe(true);
    expect(EventPatternEngine.matches(pattern, { v: longValue })).toBe(false);
    expect(EventPatternEngine.matches(pattern, { v: 'a'.repeat(1969) })).toBe(true);
    const rules = new PatternRuleSet();
    for (let i = 0; i < 200; i++) {
      rules.add(`r${i}`, pattern);
    }
    expect(rules.matchingRules({ v: longValue })).toEqual([]);
    expect(rules.matchingRules(JSON.stringify({ v: longValue.slice(0, 1969) }))).toHaveLength(200);
  });

  test('prefix, suffix and anything-but with equals-ignore-case against a 1 MiB value', () => {
    expect(EventPatternEngine.matches({ v: [{ prefix: { 'equals-ignore-case': caseless } }] }, { v: longValue })).toBe(true);
    expect(EventPatternEngine.matches({ v: [{ suffix: { 'equals-ignore-case': caseless } }] }, { v: longValue })).toBe(true);
    expect(EventPatternEngine.matches({ v: [{ suffix: { 'equals-ignore-case': caseless + 'B' } }] }, { v: longValue })).toBe(false);
    expect(EventPatternEngine.matches({ v: [{ 'anything-but': { 'equals-ignore-case': [caseless, 'B'] } }] }, { v: longValue })).toBe(true);
  });

  test('many wildcards against a 1 MiB value', () => {
    const stars = '*a'.repeat(1000) + '*b'; // 2,001 characters, 1,001 stars
    const pattern = { v: [{ wildcard: stars }] };
    expect(EventPatternEngine.isValid(pattern)).toBe(true);
    expect(EventPatternEngine.matches(pattern, { v: longValue })).toBe(false);
    expect(EventPatternEngine.matches(pattern, { v: longValue + 'b' })).toBe(true);
  });

  test('1 MiB strings in an event text, on and off the rules\' paths, with and without escapes', () => {
    const rules = new PatternRuleSet();
    rules.add('prefix', { v: [{ prefix: 'aaa' }] });
    const text = JSON.stringify({ other: longValue, v: longValue, escaped: '\u0001"\\'.repeat(MiB / 16) });
    expect(rules.matchingRules(text)).toEqual(['prefix']);
    expect(rules.matchingRules(JSON.stringify({ v: '\\u0041'.repeat(MiB / 24) }))).toEqual([]);
    expect(() => rules.matchingRules(`{"v":"${longValue}`)).toThrow('Unterminated string');
  });
});

describe('huge $or', () => {
  /** n sibling fields, each with a two-branch $or: 2^n combinations. */
  function orPattern(n: number): Record<string, unknown> {
    const pattern: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      pattern[`f${i}`] = { $or: [{ a: ['x'] }, { b: ['y'] }] };
    }
    return pattern;
  }

  test('2^20 combinations with a raised limit: a problem, not a crash', () => {
    const options = { maxOrCombinations: 2 ** 21, maxLength: 1e6 };
    expect(EventPatternEngine.validate(orPattern(20), options)).toEqual([{
      path: '',
      message: 'Event pattern has 1048576 $or combinations (the product of the $or arities); the maximum is 100000',
    }]);
    expect(() => new PatternRuleSet(options).add('r', orPattern(20))).toThrow('the maximum is 100000');
  });

  test('2^16 combinations with a raised limit are valid; 2^10 compile and match', () => {
    const options = { maxOrCombinations: 2 ** 16, maxLength: 1e6 };
    expect(EventPatternEngine.validate(orPattern(16), options)).toEqual([]);
    const rules = new PatternRuleSet({ maxOrCombinations: 2 ** 10, maxLength: 1e6 });
    rules.add('or', orPattern(10));
    const event: Record<string, unknown> = {};
    for (let i = 0; i < 10; i++) {
      event[`f${i}`] = i % 2 === 0 ? { a: 'x' } : { b: 'y' };
    }
    expect(rules.matchingRules(event)).toEqual(['or']);
    expect(rules.matchingRules({ ...event, f9: { a: 'y' } })).toEqual([]);
  });

  test('$or nested 500 levels deep', () => {
    let pattern: Record<string, unknown> = { x: ['1'] };
    for (let i = 0; i < 500; i++) {
      pattern = { $or: [pattern, { y: [String(i)] }] };
    }
    const options = { maxOrCombinations: 1000, maxLength: 1e6 };
    expect(EventPatternEngine.validate(pattern, options)).toEqual([]);
    const rules = new PatternRuleSet(options);
    rules.add('deep-or', pattern);
    expect(rules.matchingRules({ y: '499' })).toEqual(['deep-or']);
    expect(rules.matchingRules({ x: '1' })).toEqual(['deep-or']);
    expect(rules.matchingRules({ y: '500' })).toEqual([]);
  });
});

describe('deep nesting', () => {
  test('event text nested 999 levels is read; 1,001 levels is refused with a clear error', () => {
    const rules = new PatternRuleSet({ maxLength: 1e5 });
    rules.add('deep', nestedText(998, '{"b":[1]}'));
    rules.add('shallow', { a: { c: ['x'] } });
    expect(rules.matchingRules(nestedText(998, '{"b":1}'))).toEqual(['deep']);
    expect(rules.matchingRules(`{"a":{"c":"x","d":${nestedText(997, '1')}}}`)).toEqual(['shallow']);
    expect(() => rules.matchingRules(nestedText(1001, '1'))).toThrow(/^Invalid event JSON: JSON nested deeper than 1000 levels at position \d+/);
    expect(() => rules.matchingRules('['.repeat(100000))).toThrow('JSON nested deeper than 1000 levels');
    expect(() => rules.matchingRules('[1]')).toThrow('Event must be a JSON object, got an array');
    expect(() => rules.matchingRules('{"b":' + '['.repeat(100000))).toThrow('JSON nested deeper than 1000 levels');
  });

  test('circular event objects', () => {
    const rules = new PatternRuleSet();
    rules.add('loop', { a: { a: { b: ['x'] } } });
    const loop: Record<string, unknown> = {};
    loop.a = loop;
    expect(rules.matchingRules(loop)).toEqual([]); // only the rules' paths are read: the walk is finite
    loop.b = 'x';
    expect(rules.matchingRules(loop)).toEqual(['loop']);
    const arr: unknown[] = [];
    arr.push(arr);
    expect(() => EventPatternEngine.matches({ a: ['x'] }, { a: arr })).toThrow('Event is nested deeper than 1000 levels (or is circular)');
  });

  test('patterns nested beyond the limit, as objects and as text', () => {
    let deep: Record<string, unknown> = { x: ['1'] };
    for (let i = 0; i < 1100; i++) {
      deep = { a: deep };
    }
    expect(EventPatternEngine.validate(deep, { maxLength: 1e6 }).map((p) => p.message)).toContain('Pattern is nested deeper than 1000 levels');
    expect(EventPatternEngine.validate(nestedText(5000, '["x"]'))[0].message).toMatch(/^Invalid JSON: JSON nested deeper than 1000 levels/);
  });
});

describe('huge arrays', () => {
  // a search trying every pair would try 2.5 * 10^7 of them here
  test('array consistency over 10,000 objects, no element satisfying both fields', () => {
    const items = [
      ...Array.from({ length: 5000 }, () => ({ a: 'x' })),
      ...Array.from({ length: 5000 }, () => ({ b: 'y' })),
    ];
    const pattern = { items: { a: ['x'], b: ['y'] } };
    expect(EventPatternEngine.matches(pattern, { items })).toBe(false);
    expect(EventPatternEngine.matches(pattern, JSON.stringify({ items }))).toBe(false);
    items.push({ a: 'x', b: 'y' });
    expect(EventPatternEngine.matches(pattern, { items })).toBe(true);
  });

  test('array consistency over 10,000 objects in an array nested in one element of another', () => {
    const sub = [
      ...Array.from({ length: 5000 }, () => ({ a: 'x' })),
      ...Array.from({ length: 5000 }, () => ({ b: 'y' })),
    ];
    const pattern = { items: { sub: { a: ['x'], b: ['y'] } } };
    expect(EventPatternEngine.matches(pattern, { items: [{ sub }] })).toBe(false);
    sub.push({ a: 'x', b: 'y' });
    expect(EventPatternEngine.matches(pattern, JSON.stringify({ items: [{ sub }] }))).toBe(true);
  });

  test('array consistency over 10,000 objects, fields at two depths of nested arrays', () => {
    const items: Array<Record<string, unknown>> = [
      ...Array.from({ length: 5000 }, () => ({ a: 'x' })),
      ...Array.from({ length: 5000 }, () => ({ sub: [{ b: 'y' }] })),
    ];
    const pattern = { items: { a: ['x'], sub: { b: ['y'] } } };
    expect(EventPatternEngine.matches(pattern, { items })).toBe(false);
    items.push({ a: 'x', sub: [{ b: 'n' }, { b: 'y' }] });
    expect(EventPatternEngine.matches(pattern, JSON.stringify({ items }))).toBe(true);
  });

  test('values inside arrays nested 998 levels deep (with the event object and the objects in them: 1,000 levels)', () => {
    let nested: unknown = 'x';
    for (let i = 0; i < 998; i++) {
      nested = [nested, { b: 'y' }];
    }
    expect(EventPatternEngine.matches({ a: ['x'] }, { a: nested })).toBe(true);
    expect(EventPatternEngine.matches({ a: { b: ['y'] } }, JSON.stringify({ a: nested }))).toBe(true);
  });

  test('20,000 values in one array and 20,000 keys in one object', () => {
    const rules = new PatternRuleSet();
    rules.add('last', { v: ['v19999'] });
    rules.add('key', { o: { k19999: [{ exists: true }] } });
    const o: Record<string, number> = {};
    for (let i = 0; i < 20000; i++) {
      o[`k${i}`] = i;
    }
    const text = JSON.stringify({ v: Array.from({ length: 20000 }, (_, i) => `v${i}`), o });
    expect(rules.matchingRules(text)).toEqual(['last', 'key']);
  });
});

describe('prototype keys', () => {
  const KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', 'prototype'];

  test.each(KEYS)('%s as a field name in patterns and events', (key) => {
    const pattern = `{"${key}":["x"],"detail":{"${key}":[{"exists":false}]}}`;
    expect(EventPatternEngine.validate(pattern)).toEqual([]);
    const rules = new PatternRuleSet();
    rules.add(key, pattern);
    const present = `{"${key}":"x","detail":{}}`;
    expect(rules.matchingRules(present)).toEqual([key]);
    expect(rules.matchingRules(JSON.parse(present))).toEqual([key]);
    expect(rules.matchingRules('{"detail":{}}')).toEqual([]);
    expect(rules.matchingRules({ detail: {} })).toEqual([]); // inherited members are not fields
    expect(rules.matchingRules(`{"${key}":"x","detail":{"${key}":1}}`)).toEqual([]);
  });

  test('a prototype key inside $or and as a rule name', () => {
    const rules = new PatternRuleSet();
    rules.add('__proto__', '{"$or":[{"__proto__":{"constructor":["a"]}},{"toString":["b"]}]}');
    expect(rules.ruleNames).toEqual(['__proto__']);
    expect(rules.matchingRules('{"__proto__":{"constructor":"a"}}')).toEqual(['__proto__']);
    expect(rules.matchingRules('{"toString":"b"}')).toEqual(['__proto__']);
    expect(rules.matchingRules('{"constructor":"a"}')).toEqual([]);
  });
});

describe('numbers at the edges', () => {
  const rules = new PatternRuleSet();
  rules.add('positive', { n: [{ numeric: ['>', 0] }] });
  rules.add('huge', { n: [{ numeric: ['>=', 1e308] }] });
  rules.add('zero', { n: [0] });

  test.each([
    ['a 100,001-digit integer (beyond a double\'s range)', '1' + '0'.repeat(100000), []],
    ['1 spelt with 200,000 digits (exactly a double)', '1' + '0'.repeat(100000) + 'e-100000', ['positive']],
    ['a 100,002-digit fraction that underflows', '0.' + '0'.repeat(100000) + '1', []],
    ['1e99999999999999999999', '1e99999999999999999999', []],
    ['-1e99999999999999999999', '-1e99999999999999999999', []],
    ['the largest double', '1.7976931348623157e308', ['positive', 'huge']],
    // event-ruler compares a number only if Java spells its double as the same decimal: Java spells the smallest
    // double 4.9E-324 (Double.toString, JDK 19 and later: a one-digit form gives way to the closest two-digit one)
    ['the smallest double, spelt 5e-324 as JavaScript does (not Java\'s spelling: not compared)', '5e-324', []],
    ['the smallest double, spelt 4.9e-324 as Java does', '4.9e-324', ['positive']],
    ['-4.9e-324', '-4.9e-324', []],
    ['2 * the smallest double, spelt 9.9e-324 as Java 19+ does', '9.9e-324', ['positive']],
    ['2 * the smallest double, spelt 1e-323 (JDK 17 spells it 1.0E-323; JDK 19+ 9.9E-324)', '1e-323', []],
    ['3 * the smallest double, 1.5e-323 (one spelling everywhere)', '1.5e-323', ['positive']],
    ['-0', '-0', ['zero']],
    ['-0.0e-0', '-0.0e-0', ['zero']],
    ['2^53 + 1', '9007199254740993', []],
  ])('%s', (_label, n, expected) => {
    expect(rules.matchingRules(`{"n":${n}}`)).toEqual(expected);
  });

  test('numeric bounds at the edges of a double in patterns', () => {
    expect(EventPatternEngine.isValid({ n: [{ numeric: ['>', -1.7976931348623157e308, '<', 1.7976931348623157e308] }] })).toBe(true);
    expect(EventPatternEngine.validate('{"n":[{"numeric":[">",1e309]}]}').map((p) => p.message)).toEqual(['Cannot compare number : 1e309']);
    expect(EventPatternEngine.validate('{"n":[{"numeric":[">",5e-324]}]}').map((p) => p.message)).toEqual(['Cannot compare number : 5e-324']);
    expect(EventPatternEngine.validate({ n: [{ numeric: ['>', 5e-324] }] }).map((p) => p.message)).toEqual(['Cannot compare number : 5e-324']);
    expect(EventPatternEngine.isValid('{"n":[{"numeric":[">",4.9e-324]}]}')).toBe(true);
    // an exact number that cannot be compared only matches its own spelling
    expect(EventPatternEngine.matches('{"n":[5e-324]}', '{"n":5e-324}')).toBe(true);
    expect(EventPatternEngine.matches('{"n":[5e-324]}', '{"n":4.9e-324}')).toBe(false);
    expect(EventPatternEngine.matches({ n: [{ numeric: ['>', 0] }] }, { n: 5e-324 })).toBe(false);
    expect(EventPatternEngine.validate('{"n":[{"numeric":[">",0.' + '0'.repeat(5000) + '1]}]}', { maxLength: 1e6 })[0].message)
      .toMatch(/^Cannot compare number : 0\.0+1$/);
  });
});

describe('repeated keys in an event text', () => {
  test('the last one wins, as with JSON.parse', () => {
    const rules = new PatternRuleSet();
    rules.add('b', { source: ['b'] });
    expect(rules.matchingRules('{"source":"a","source":"b"}')).toEqual(['b']);
    expect(rules.matchingRules('{"source":"b","source":"a"}')).toEqual([]);
    expect(rules.matchingRules('{"source":"b","x":{"source":"a"}}')).toEqual(['b']);
  });
});
