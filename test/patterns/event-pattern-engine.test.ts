import { EventPatternEngine } from '../../src/patterns';

const EVENT = {
  'version': '0',
  'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'account': '111122223333',
  'time': '2017-12-22T18:43:48Z',
  'region': 'us-west-1',
  'resources': ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  'detail': { 'instance-id': 'i-1234567890abcdef0', 'state': 'terminated' },
};

describe('EventPatternEngine.matches', () => {
  // Source: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html (example event and pattern)
  test('matches the documentation example', () => {
    expect(EventPatternEngine.matches({ source: ['aws.ec2'], detail: { state: ['terminated'] } }, EVENT)).toBe(true);
    expect(EventPatternEngine.matches({ source: ['aws.ec2'], detail: { state: ['running'] } }, EVENT)).toBe(false);
  });

  test('accepts the pattern and the event as JSON text', () => {
    expect(EventPatternEngine.matches('{"detail":{"state":["terminated"]}}', JSON.stringify(EVENT))).toBe(true);
  });

  test('keeps the spelling of numbers in JSON text (event-ruler literal match)', () => {
    // 12345678901234567890 cannot be held by a double: only the literal spelling matches.
    expect(EventPatternEngine.matches('{"n":[12345678901234567890]}', '{"n":12345678901234567890}')).toBe(true);
    expect(EventPatternEngine.matches('{"n":[12345678901234567890]}', '{"n":12345678901234567891}')).toBe(false);
    // given as objects, both are the same double
    expect(EventPatternEngine.matches({ n: [12345678901234567890] }, { n: 12345678901234567891 })).toBe(true);
  });

  test('throws an Error listing every problem of an invalid pattern', () => {
    expect(() => EventPatternEngine.matches({ source: 'aws.ec2', detail: { n: [{ numeric: ['>', 5, '<', 1] }] } }, EVENT)).toThrow(
      'Invalid event pattern (2 problems):\n'
      + '  - source: "source" must be an object or an array\n'
      + '  - detail.n[0]: Bottom must be less than top',
    );
    expect(() => EventPatternEngine.matches([], EVENT)).toThrow('Invalid event pattern (1 problem):\n  - (root): Filter is not an object');
  });

  test('throws a clear Error for invalid event JSON', () => {
    expect(() => EventPatternEngine.matches({ source: ['a'] }, '{"source": "a"')).toThrow(
      "Invalid event JSON: Expected ',' or '}' but found end of input at position 14 (line 1, column 15)",
    );
  });

  test('throws when the event is not an object', () => {
    expect(() => EventPatternEngine.matches({ source: ['a'] }, '[1]')).toThrow('Event must be a JSON object, got an array');
    expect(() => EventPatternEngine.matches({ source: ['a'] }, null)).toThrow('Event must be a JSON object, got null');
    expect(() => EventPatternEngine.matches({ source: ['a'] }, 5)).toThrow('Event must be a JSON object, got number');
  });

  test('ignores event fields the pattern does not read, even circular ones', () => {
    const event: any = { source: 'a' };
    event.self = event;
    expect(EventPatternEngine.matches({ source: ['a'] }, event)).toBe(true);
  });

  test('throws a clear Error for an event circular along a pattern path', () => {
    const event: any = { source: 'a' };
    event.detail = event;
    expect(() => EventPatternEngine.matches({ detail: { detail: { detail: { x: ['1'] } } }, source: ['a'] }, { detail: { detail: event } }))
      .not.toThrow();
    const arr: any[] = [];
    arr.push(arr);
    expect(() => EventPatternEngine.matches({ x: ['1'] }, { x: arr })).toThrow('Event is nested deeper than 1000 levels (or is circular)');
  });

  test('an event with a __proto__ key in JSON text is read as data', () => {
    expect(EventPatternEngine.matches('{"__proto__":{"a":["1"]}}', '{"__proto__":{"a":"1"}}')).toBe(true);
    expect(EventPatternEngine.matches({ a: ['1'] }, '{"__proto__":{"a":"1"}}')).toBe(false);
  });
});
