import { EventPatternEngine, PatternRuleSet } from '../../src/patterns';
import { mulberry32 } from '../../src/private/random';

const ORDER = { 'source': 'com.shop', 'detail-type': 'OrderPlaced', 'detail': { total: 120, country: 'DE', items: [{ sku: 'A', qty: 1 }] } };

describe('PatternRuleSet', () => {
  test('starts empty', () => {
    const rules = new PatternRuleSet();
    expect(rules.size).toBe(0);
    expect(rules.ruleNames).toEqual([]);
    expect(rules.matchingRules(ORDER)).toEqual([]);
  });

  test('returns the matching rules in the order they were added', () => {
    const rules = new PatternRuleSet();
    rules.add('big', { detail: { total: [{ numeric: ['>', 100] }] } });
    rules.add('shop', { 'source': ['com.shop'], 'detail-type': ['OrderPlaced'] });
    rules.add('other-shop', { source: ['com.other'] });
    rules.add('de', { source: ['com.shop'], detail: { country: ['DE'] } });
    rules.add('sku-b', { detail: { items: { sku: ['B'] } } });
    expect(rules.matchingRules(ORDER)).toEqual(['big', 'shop', 'de']);
    expect(rules.matchingRules(JSON.stringify(ORDER))).toEqual(['big', 'shop', 'de']);
  });

  test('has, size and ruleNames reflect adds and removes', () => {
    const rules = new PatternRuleSet();
    rules.add('a', { source: ['x'] });
    rules.add('b', { source: ['y'] });
    expect(rules.has('a')).toBe(true);
    expect(rules.has('c')).toBe(false);
    expect(rules.size).toBe(2);
    expect(rules.ruleNames).toEqual(['a', 'b']);
    expect(rules.remove('a')).toBe(true);
    expect(rules.remove('a')).toBe(false);
    expect(rules.has('a')).toBe(false);
    expect(rules.size).toBe(1);
    expect(rules.ruleNames).toEqual(['b']);
    expect(rules.matchingRules({ source: 'x' })).toEqual([]);
    expect(rules.matchingRules({ source: 'y' })).toEqual(['b']);
  });

  test('adding an existing name replaces its pattern and moves it last', () => {
    const rules = new PatternRuleSet();
    rules.add('a', { source: ['com.shop'] });
    rules.add('b', { source: ['com.shop'] });
    rules.add('a', { 'detail-type': ['OrderPlaced'] });
    expect(rules.size).toBe(2);
    expect(rules.ruleNames).toEqual(['b', 'a']);
    expect(rules.matchingRules(ORDER)).toEqual(['b', 'a']);
    expect(rules.matchingRules({ source: 'com.shop' })).toEqual(['b']);
  });

  test('throws with every problem when a pattern is invalid, and keeps the set unchanged', () => {
    const rules = new PatternRuleSet();
    rules.add('a', { source: ['x'] });
    expect(() => rules.add('a', { source: 'x', detail: { n: [{ exists: 'yes' }] } })).toThrow(
      'Invalid event pattern for rule "a" (2 problems):\n'
      + '  - source: "source" must be an object or an array\n'
      + '  - detail.n[0]: exists match pattern must be either true or false.',
    );
    expect(rules.ruleNames).toEqual(['a']);
    expect(rules.matchingRules({ source: 'x' })).toEqual(['a']);
  });

  test('applies its validation options to every pattern', () => {
    const rules = new PatternRuleSet({ maxLength: 30 });
    rules.add('short', { source: ['x'] });
    expect(() => rules.add('long', { source: ['a-rather-long-source-name'] })).toThrow(
      'Event pattern is 40 characters long; the maximum is 30',
    );
  });

  test('matches rules without exact fields (not indexed) as well as indexed ones', () => {
    const rules = new PatternRuleSet();
    rules.add('prefix', { source: [{ prefix: 'com.' }] });
    rules.add('absent', { detail: { missing: [{ exists: false }] } });
    rules.add('or', { $or: [{ source: ['nope'] }, { detail: { country: ['DE'] } }] });
    rules.add('many-values', { source: ['a', 'b', 'c', 'com.shop'], detail: { country: ['FR', 'DE'] } });
    expect(rules.matchingRules(ORDER)).toEqual(['prefix', 'absent', 'or', 'many-values']);
  });

  test('enforces array consistency for indexed fields', () => {
    const rules = new PatternRuleSet();
    rules.add('same-element', { detail: { items: { sku: ['A'], qty: [2] } } });
    expect(rules.matchingRules({ detail: { items: [{ sku: 'A', qty: 1 }, { sku: 'B', qty: 2 }] } })).toEqual([]);
    expect(rules.matchingRules({ detail: { items: [{ sku: 'B', qty: 1 }, { sku: 'A', qty: 2 }] } })).toEqual(['same-element']);
  });

  test('reports a rule once when several array elements or $or branches match', () => {
    const rules = new PatternRuleSet();
    rules.add('r', { $or: [{ tags: ['a'] }, { tags: ['b'] }] });
    expect(rules.matchingRules({ tags: ['a', 'b', 'a'] })).toEqual(['r']);
  });

  test('matches numbers by value, including JSON text spellings', () => {
    const rules = new PatternRuleSet();
    rules.add('n300', { n: [300] });
    rules.add('big', '{"n":[12345678901234567890]}');
    expect(rules.matchingRules('{"n": 3.0e2}')).toEqual(['n300']);
    expect(rules.matchingRules('{"n": 12345678901234567890}')).toEqual(['big']);
    expect(rules.matchingRules('{"n": 12345678901234567891}')).toEqual([]);
  });

  test('reads integers of every length in event text as the full parser does', () => {
    const rules = new PatternRuleSet();
    rules.add('zero', { n: [0] });
    rules.add('negative', { n: [{ numeric: ['<', 0] }] });
    rules.add('15 digits', { n: [999999999999999] });
    rules.add('16 digits', { n: [1234567890123456] });
    rules.add('-15 digits', { n: [-999999999999999] });
    rules.add('2^53', { n: [9007199254740992] });
    rules.add('large', { n: [{ numeric: ['>', 1e15] }] });
    for (const [text, expected] of [
      ['0', ['zero']], ['-0', ['zero']], ['-7', ['negative']], ['999999999999999', ['15 digits']], ['1234567890123456', ['16 digits', 'large']],
      ['-999999999999999', ['negative', '-15 digits']], ['10', []], ['-10', ['negative']], ['9007199254740992', ['2^53', 'large']],
    ] as const) {
      expect(rules.matchingRules(`{"n":${text}}`)).toEqual(expected);
      expect(rules.matchingRules({ n: JSON.parse(text) })).toEqual(expected);
    }
    // a double cannot hold 2^53 + 1: as in event-ruler, it is not compared as a number
    expect(rules.matchingRules('{"n":9007199254740993}')).toEqual([]);
  });

  test('throws a clear Error for an invalid event', () => {
    const rules = new PatternRuleSet();
    rules.add('a', { source: ['x'] });
    expect(() => rules.matchingRules('{')).toThrow('Invalid event JSON: Expected a string key but found end of input at position 1');
    expect(() => rules.matchingRules('"x"')).toThrow('Event must be a JSON object, got string');
  });

  test('rules removed and added again keep the answers', () => {
    const rules = new PatternRuleSet();
    rules.add('a', { source: ['a'], detail: { n: [{ numeric: ['>', 1] }] } });
    rules.add('b', { source: ['b'], detail: { s: [{ wildcard: 'x*' }] } });
    rules.add('c', { source: ['b'], detail: { n: [{ exists: false }] } });
    const a = '{"source":"a","detail":{"n":2}}';
    const b = '{"source":"b","detail":{"s":"xy"}}';
    expect(rules.matchingRules(a)).toEqual(['a']);
    rules.remove('a');
    rules.add('d', { source: ['a'] }); // takes the slot 'a' had
    rules.add('a', { source: ['a'], detail: { n: [{ numeric: ['<', 1] }] } });
    expect(rules.matchingRules(a)).toEqual(['d']);
    expect(rules.matchingRules(b)).toEqual(['b', 'c']);
  });

  test('match calls numbered afresh near the largest number keep the answers', () => {
    const rules = new PatternRuleSet();
    rules.add('a', { source: ['a'] });
    rules.add('b', { source: ['b'] });
    expect(rules.matchingRules({ source: 'a' })).toEqual(['a']); // call 1
    // the index numbers match calls to skip what one call has already seen
    const index = (rules as any).index;
    index.gen = 0x3fffffff - 1;
    expect(rules.matchingRules({ source: 'b' })).toEqual(['b']);
    expect(rules.matchingRules({ source: 'a' })).toEqual(['a']); // numbered 1 again
    expect(index.gen).toBe(1);
  });

  test('rules sharing a condition: each answers for itself, also after the others are removed', () => {
    const rules = new PatternRuleSet();
    const path = { path: [{ wildcard: '*/orders/*' }] };
    rules.add('a', { source: ['a'], detail: path });
    rules.add('b', { source: ['b'], detail: path });
    rules.add('ab', { source: ['a', 'b'], detail: { ...path, n: [{ 'anything-but': [1] }] } });
    const event = (source: string, p: string, n: number): string => JSON.stringify({ source, detail: { path: p, n } });
    expect(rules.matchingRules(event('a', '/x/orders/1', 2))).toEqual(['a', 'ab']);
    expect(rules.matchingRules(event('b', '/x/orders/1', 1))).toEqual(['b']);
    expect(rules.matchingRules(event('b', '/x/carts/1', 2))).toEqual([]);
    rules.remove('a');
    rules.remove('ab');
    rules.add('c', { source: ['a'], detail: { path: [{ wildcard: '*/carts/*' }] } });
    expect(rules.matchingRules(event('b', '/x/orders/1', 2))).toEqual(['b']);
    expect(rules.matchingRules(event('a', '/x/carts/1', 2))).toEqual(['c']);
    expect(rules.matchingRules(event('a', '/x/orders/1', 2))).toEqual([]);
  });

  test('keeps the answers while thousands of rules are added, replaced and removed (the index grows and compacts its arrays)', () => {
    const random = mulberry32(13);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
    const values = Array.from({ length: 40 }, (_, i) => `v${i}`);
    // more than 16 prefixes in one table moves it from the short list to lookups by length
    const prefixes = Array.from({ length: 24 }, (_, i) => `p${i}-`);
    const pattern = (): Record<string, unknown> => {
      const p: Record<string, unknown> = { source: random() < 0.2 ? [{ prefix: pick(prefixes) }] : [pick(values), pick(values)] };
      if (random() < 0.7) {
        p.detail = {
          s: random() < 0.5 ? [pick(values)] : [{ prefix: pick(prefixes) }],
          n: [{ numeric: ['>=', Math.floor(random() * 10)] }],
        };
      }
      return p;
    };
    const events: string[] = [];
    for (let i = 0; i < 30; i++) {
      const event = {
        source: random() < 0.3 ? `${pick(prefixes)}x` : pick(values),
        detail: { s: random() < 0.5 ? pick(values) : `${pick(prefixes)}y`, n: Math.floor(random() * 12) },
      };
      // compact text, text with newlines (control characters outside strings) and escaped strings
      const text = JSON.stringify(event);
      events.push(i % 3 === 0 ? text : i % 3 === 1 ? JSON.stringify(event, null, 2) : text.replace(/"v(\d)/g, '"\\u0076$1'));
    }
    const rules = new PatternRuleSet();
    /** The rules in the order they were added, with the engine's answer for each event. */
    const expected = new Map<string, boolean[]>();
    const check = (): void => {
      events.forEach((e, i) => {
        expect(rules.matchingRules(e)).toEqual([...expected].filter(([, answers]) => answers[i]).map(([name]) => name));
      });
    };
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 300; i++) {
        const name = `r${Math.floor(random() * 2000)}`;
        if (random() < 0.25 && expected.has(name)) {
          expect(rules.remove(name)).toBe(true);
          expected.delete(name);
        } else {
          const p = pattern();
          rules.add(name, p);
          expected.delete(name); // a replaced rule counts as added last
          expected.set(name, events.map((e) => EventPatternEngine.matches(p, e)));
        }
        if (i % 25 === 0) {
          check();
        }
      }
      expect(rules.size).toBe(expected.size);
      check();
    }
    for (const name of [...expected.keys()]) {
      if (random() < 0.9) {
        rules.remove(name);
        expected.delete(name);
      }
    }
    check();
  });

  test('rules sharing numeric bounds: each answers for itself, also after the others are removed and the bounds reused', () => {
    const rules = new PatternRuleSet();
    const range = { n: [{ numeric: ['>', 0, '<=', 10] }] };
    rules.add('a', { source: ['a'], detail: range });
    rules.add('b', { source: ['b'], detail: range });
    const event = (source: string, n: number): string => JSON.stringify({ source, detail: { n } });
    expect(rules.matchingRules(event('a', 10))).toEqual(['a']);
    expect(rules.matchingRules(event('b', 0))).toEqual([]);
    rules.remove('a');
    rules.add('c', { source: ['c'], detail: { n: [{ numeric: ['>=', 100] }] } }); // bounds of its own: 'b' still uses the first
    expect(rules.matchingRules(event('b', 5))).toEqual(['b']);
    expect(rules.matchingRules(event('b', 100))).toEqual([]);
    rules.remove('b');
    rules.remove('c');
    rules.add('c', { source: ['c'], detail: { n: [{ numeric: ['>=', 100] }] } }); // takes freed bounds
    rules.add('a', { source: ['a'], detail: range });
    expect(rules.matchingRules(event('c', 100))).toEqual(['c']);
    expect(rules.matchingRules(event('c', 10))).toEqual([]);
    expect(rules.matchingRules(event('a', 10))).toEqual(['a']);
    expect(rules.matchingRules(event('a', 100))).toEqual([]);
  });

  test('keeps the answers of a node whose rules outgrow the room for them many times over', () => {
    const rules = new PatternRuleSet();
    for (let i = 0; i < 3000; i++) {
      rules.add(`a${i}`, { source: ['a'], detail: { n: [{ numeric: ['=', i] }] } });
      rules.add(`b${i}`, { source: [`b${i % 50}`], detail: { n: [{ numeric: ['=', i] }] } });
    }
    for (const n of [0, 1, 255, 256, 1024, 2999]) {
      expect(rules.matchingRules({ source: 'a', detail: { n } })).toEqual([`a${n}`]);
      expect(rules.matchingRules({ source: `b${n % 50}`, detail: { n } })).toEqual([`b${n}`]);
    }
  });

  test('drops what removed rules left in the index (a rule replaced 30,000 times by one with other values)', () => {
    const rules = new PatternRuleSet();
    rules.add('kept', { source: ['kept'], detail: { n: [{ numeric: ['>', 0] }] } });
    const index = (rules as any).index;
    let most = 0;
    for (let i = 0; i < 30000; i++) {
      rules.add('churn', { source: [`s${i}`], detail: { k: [`v${i}`, { prefix: `p${i}-` }] } });
      most = Math.max(most, index.nodeCount);
      if (i % 5000 === 0) {
        expect(rules.matchingRules({ source: `s${i}`, detail: { k: `p${i}-x` } })).toEqual(['churn']);
        expect(rules.matchingRules({ source: 'kept', detail: { n: 1 } })).toEqual(['kept']);
      }
    }
    // without dropping them: 3 nodes and 2 values per replaced rule, 90,000 nodes in all
    expect(most).toBeLessThan(20000);
    expect(index.stringIds.size).toBeLessThan(10000);
    expect(rules.matchingRules({ source: 'kept', detail: { n: 1 } })).toEqual(['kept']);
    expect(rules.matchingRules({ source: 's29999', detail: { k: 'v29999' } })).toEqual(['churn']);
    expect(rules.matchingRules({ source: 's29998', detail: { k: 'v29998' } })).toEqual([]);
    expect(rules.ruleNames).toEqual(['kept', 'churn']);
  });
});
