import { EventPatternEngine } from '../../src/patterns';

// Source for the wording: aws/event-ruler JsonRuleCompiler.java (shared EVENT-PATTERNS.md §1, §4).
describe('EventPatternEngine.validate', () => {
  test('returns no problems for a valid pattern', () => {
    expect(EventPatternEngine.validate({ source: ['aws.ec2'], detail: { state: [{ prefix: 'run' }] } })).toEqual([]);
    expect(EventPatternEngine.isValid({ source: ['aws.ec2'] })).toBe(true);
  });

  test('reports every problem with its JSON path', () => {
    const problems = EventPatternEngine.validate({
      'source': 'aws.ec2',
      'detail-type': [],
      'detail': {
        price: [{ numeric: ['<', 20, '>=', 10] }],
        state: ['ok', { prefix: 5 }, ['nested']],
        meta: {},
      },
      '$or': [{ region: ['us-east-1'] }, 'x'],
    });
    expect(problems).toEqual([
      { path: 'source', message: '"source" must be an object or an array' },
      { path: 'detail-type', message: 'Empty arrays are not allowed' },
      { path: 'detail.price[0]', message: 'Too many elements in numeric expression' },
      { path: 'detail.state[1]', message: 'prefix match pattern must be a string' },
      { path: 'detail.state[2]', message: 'Match value must be String, number, true, false, or null' },
      { path: 'detail.meta', message: 'Empty objects are not allowed' },
      { path: '$or[1]', message: 'Only JSON object is allowed in array of $or relationship.' },
    ]);
  });

  test('paths inside $or branches name the branch', () => {
    expect(EventPatternEngine.validate({ detail: { $or: [{ a: ['1'] }, { b: { prefix: ['x'] } }] } })).toEqual([
      { path: 'detail.$or[1].b.prefix', message: 'prefix is Ruler reserved fieldName which cannot be used inside $or.' },
    ]);
    expect(EventPatternEngine.validate({ $or: [{ source: [{ numeric: ['>'] }] }, { a: ['1'] }] })).toEqual([
      { path: '$or[0].source[0]', message: 'Value of > must be numeric' },
    ]);
  });

  test('top-level problems have the empty path', () => {
    expect(EventPatternEngine.validate('"aws.ec2"')).toEqual([{ path: '', message: 'Filter is not an object' }]);
    expect(EventPatternEngine.validate([])).toEqual([{ path: '', message: 'Filter is not an object' }]);
    expect(EventPatternEngine.validate(null)).toEqual([{ path: '', message: 'Filter is not an object' }]);
    expect(EventPatternEngine.validate(undefined)).toEqual([{ path: '', message: 'Filter is not an object' }]);
    expect(EventPatternEngine.validate({})).toEqual([{ path: '', message: 'Empty objects are not allowed' }]);
  });

  test('invalid JSON text gets its position', () => {
    expect(EventPatternEngine.validate('{"source": ["a",]}')).toEqual([
      { path: '', message: "Invalid JSON: Unexpected ']' at position 16 (line 1, column 17)" },
    ]);
    expect(EventPatternEngine.validate('')).toEqual([
      { path: '', message: 'Invalid JSON: Unexpected end of input at position 0 (line 1, column 1)' },
    ]);
    expect(EventPatternEngine.validate('{"a":\n  [01]}')).toEqual([
      { path: '', message: "Invalid JSON: Invalid number starting with '0' at position 9 (line 2, column 4)" },
    ]);
  });

  describe('size limit (EventBridge quota: 2,048 characters)', () => {
    const pattern = (n: number) => ({ source: ['a'.repeat(n - 15)] }); // JSON.stringify length is n

    test('accepts exactly 2048 characters', () => {
      expect(JSON.stringify(pattern(2048)).length).toBe(2048);
      expect(EventPatternEngine.validate(pattern(2048))).toEqual([]);
    });

    test('rejects 2049 characters', () => {
      expect(EventPatternEngine.validate(pattern(2049))).toEqual([
        { path: '', message: 'Event pattern is 2049 characters long; the maximum is 2048' },
      ]);
    });

    test('counts JSON text as given, whitespace included', () => {
      const text = `{"source": ["a"]}${' '.repeat(2040)}`;
      expect(EventPatternEngine.validate(text)).toEqual([
        { path: '', message: `Event pattern is ${text.length} characters long; the maximum is 2048` },
      ]);
    });

    test('maxLength can be raised or lowered', () => {
      expect(EventPatternEngine.validate(pattern(3000), { maxLength: 4096 })).toEqual([]);
      expect(EventPatternEngine.isValid(pattern(100), { maxLength: 99 })).toBe(false);
      expect(EventPatternEngine.isValid(pattern(100), { maxLength: 100 })).toBe(true);
    });

    test('is reported together with structural problems', () => {
      const problems = EventPatternEngine.validate({ source: ['a'.repeat(3000)], detail: {} });
      expect(problems.map((p) => p.message)).toEqual([
        'Empty objects are not allowed',
        'Event pattern is 3027 characters long; the maximum is 2048',
      ]);
    });
  });

  describe('$or combinations (EventBridge: at most 1,000)', () => {
    const ors = (n: number, key: string) => Array.from({ length: n }, (_, i) => ({ [key]: [String(i)] }));

    test('counts the product of the $or arities', () => {
      const p = { $or: ors(10, 'a'), detail: { $or: ors(10, 'b') }, x: { $or: ors(11, 'c') } };
      expect(EventPatternEngine.validate(p)).toEqual([
        { path: '', message: 'Event pattern has 1100 $or combinations (the product of the $or arities); the maximum is 1000' },
      ]);
    });

    test('nested $or branches add up', () => {
      // (2 + 3) branches at the top times 200 below = 1000: allowed
      const p = { $or: [{ $or: ors(2, 'a') }, { $or: ors(3, 'b') }], detail: { $or: ors(200, 'c') } };
      expect(EventPatternEngine.validate(p, { maxLength: 100000 })).toEqual([]);
    });

    test('maxOrCombinations is configurable', () => {
      const p = { $or: ors(3, 'a'), detail: { $or: ors(3, 'b') } };
      expect(EventPatternEngine.isValid(p, { maxOrCombinations: 9 })).toBe(true);
      expect(EventPatternEngine.validate(p, { maxOrCombinations: 8 })).toEqual([
        { path: '', message: 'Event pattern has 9 $or combinations (the product of the $or arities); the maximum is 8' },
      ]);
    });
  });

  describe('never throws on hostile input', () => {
    test('circular objects', () => {
      const p: any = { detail: {} };
      p.detail.self = p;
      const problems = EventPatternEngine.validate(p);
      expect(problems[0].message).toBe('Pattern is nested deeper than 1000 levels');
    });

    test('circular arrays', () => {
      const arr: any[] = [];
      arr.push(arr);
      expect(EventPatternEngine.validate({ source: arr })).toEqual([
        { path: 'source[0]', message: 'Match value must be String, number, true, false, or null' },
      ]);
    });

    test('values JSON does not have', () => {
      expect(EventPatternEngine.validate({ source: [BigInt(5)] })).toEqual([
        { path: 'source[0]', message: 'Match value must be String, number, true, false, or null' },
      ]);
      expect(EventPatternEngine.validate({ source: [NaN] })).toEqual([{ path: 'source[0]', message: 'NaN is not a JSON number' }]);
      expect(EventPatternEngine.validate({ n: [{ numeric: ['>', Infinity] }] })).toEqual([
        { path: 'n[0]', message: 'Cannot compare number : Infinity' },
      ]);
      // keys with undefined values are dropped, as JSON.stringify does
      expect(EventPatternEngine.validate({ source: ['a'], other: undefined })).toEqual([]);
      expect(EventPatternEngine.validate({ other: undefined })).toEqual([{ path: '', message: 'Empty objects are not allowed' }]);
    });

    test('throwing getters', () => {
      const p = { get source(): string[] { throw new Error('boom'); } };
      expect(EventPatternEngine.validate(p)).toEqual([{ path: '', message: 'Pattern could not be read: boom' }]);
    });

    test('deeply nested JSON text', () => {
      const text = '{"a":'.repeat(5000) + '["x"]' + '}'.repeat(5000);
      expect(EventPatternEngine.validate(text)[0].message).toMatch(/^Invalid JSON: JSON nested deeper than 1000 levels at position \d+/);
    });
  });
});
