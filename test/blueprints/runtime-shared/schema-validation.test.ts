import { ORDER_PLACED } from '../../../src/blueprints/order-to-inventory/contract';
import {
  InvalidEventError, MAX_REPORTED_PROBLEMS, eventDetail, nullAsAbsent, schemaProblems, validateAgainstSchema,
} from '../../../src/blueprints/runtime-shared/validation';

const SCHEMA = {
  type: 'object',
  required: ['id', 'when'],
  properties: {
    'id': { type: 'string', minLength: 1, maxLength: 8 },
    'when': { type: 'string', format: 'date-time' },
    'email': { type: 'string', format: 'email' },
    'level': { type: 'string', enum: ['low', 'high'] },
    'odd key': { type: 'integer' },
    'items': { type: 'array', items: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } } },
  },
};

describe('validateAgainstSchema (Ajv, JSON Schema draft 4)', () => {
  test('a valid value is returned as is', () => {
    const value = { id: 'a1', when: '2026-05-01T10:00:00Z' };
    expect(validateAgainstSchema(SCHEMA, value, 'thing', 'detail')).toBe(value);
  });

  test('problems name the path, the rule and the value', () => {
    expect(schemaProblems(SCHEMA, { when: '2026-05-01T10:00:00Z', items: [{ n: 1 }, { n: 0 }, {}] }, 'detail')).toEqual([
      'detail.id is required',
      'detail.items[1].n must be >= 1, got 0',
      'detail.items[2].n is required',
    ]);
    expect(schemaProblems(SCHEMA, { 'id': 'x'.repeat(9), 'when': '2026-05-01T10:00:00Z', 'level': 'mid', 'odd key': 1.5 }, 'detail')).toEqual([
      'detail.id must have at most 8 character(s), got 9',
      'detail.level must be one of "low", "high", got a string of 3 characters',
      'detail["odd key"] must be integer, got 1.5',
    ]);
  });

  test('date-time is strict RFC 3339 (offset required, the date must exist)', () => {
    for (const bad of ['1', '2026-05-01', '2026-05-01T10:00:00', '2026-02-30T10:00:00Z', '2026-05-01T25:00:00Z']) {
      expect(schemaProblems(SCHEMA, { id: 'a', when: bad }, 'detail')).toEqual([
        `detail.when must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got a string of ${bad.length} character${bad.length === 1 ? '' : 's'}`,
      ]);
    }
    expect(schemaProblems(SCHEMA, { id: 'a', when: '2026-05-01T10:00:00.123+02:00' }, 'detail')).toEqual([]);
  });

  test('email is checked (linear regex, at most 254 characters)', () => {
    expect(schemaProblems(SCHEMA, { id: 'a', when: '2026-05-01T10:00:00Z', email: 'a@b.c' }, 'detail')).toEqual([]);
    expect(schemaProblems(SCHEMA, { id: 'a', when: '2026-05-01T10:00:00Z', email: 'a b@c.d' }, 'detail'))
      .toEqual(['detail.email must be an email address, got a string of 7 characters']);
    expect(schemaProblems(SCHEMA, { id: 'a', when: '2026-05-01T10:00:00Z', email: `${'a'.repeat(250)}@b.cd` }, 'detail')).toHaveLength(1);
  });

  test(`at most ${MAX_REPORTED_PROBLEMS} problems are listed, then a count`, () => {
    const items = Array.from({ length: 10_000 }, () => ({ n: 0 }));
    const problems = schemaProblems(SCHEMA, { id: 'a', when: '2026-05-01T10:00:00Z', items }, 'detail');
    expect(problems).toHaveLength(MAX_REPORTED_PROBLEMS + 1);
    expect(problems[MAX_REPORTED_PROBLEMS]).toBe('and 9990 more problem(s)');
  });

  test('a pattern problem names the field\'s description when the schema has one', () => {
    const schema = { type: 'object', properties: { code: { type: 'string', pattern: '^[A-Z]{3}$', description: '3-letter IATA airport code' } } };
    expect(schemaProblems(schema, { code: 'Frankfurt' }, 'input')).toEqual([
      'input.code must match "^[A-Z]{3}$" (3-letter IATA airport code), got a string of 9 characters',
    ]);
  });

  test('values are described, never written: their type and size only (nothing of a producer\'s field reaches a log line)', () => {
    const problems = schemaProblems(SCHEMA, { id: 'a', when: `token=${'z'.repeat(100_000)}` }, 'detail');
    expect(problems).toEqual(['detail.when must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got a string of 100006 characters']);
  });

  test('a length problem gives the length, not the value', () => {
    const error = (() => {
      try {
        validateAgainstSchema(SCHEMA, { id: 'y'.repeat(100_000), when: '2026-05-01T10:00:00Z' }, 'thing', 'detail');
      } catch (e) {
        return e as InvalidEventError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(InvalidEventError);
    expect(error.message.length).toBeLessThan(300);
    expect(error.message).toBe('Invalid thing (non-retryable, fix the producer): detail.id must have at most 8 character(s), got 100000');
  });

  test('the contracts are the schemas the handlers validate against', () => {
    expect(schemaProblems(ORDER_PLACED.detailSchema, { orderId: 'o-1', items: [{ sku: 'A', quantity: 1 }] }, 'detail')).toEqual([]);
    expect(schemaProblems(ORDER_PLACED.detailSchema, { orderId: 'o 1', items: [] }, 'detail')).toEqual([
      'detail.orderId must match "^[A-Za-z0-9][A-Za-z0-9._:-]*$" (letters, digits, ".", "_", ":" or "-", starting with a letter or digit), got a string of 3 characters',
      'detail.items must have at least 1 item(s), got 0',
    ]);
  });
});

describe('eventDetail and nullAsAbsent', () => {
  test('eventDetail refuses non-objects with the reason', () => {
    expect(() => eventDetail('x', 'E')).toThrow('Invalid E (non-retryable, fix the producer): event must be an object, got a string of 1 character');
    expect(() => eventDetail({ detail: [1] }, 'E')).toThrow('Invalid E (non-retryable, fix the producer): detail must be an object, got an array of 1 item');
    expect(eventDetail({ detail: { a: 1 } }, 'E')).toEqual({ a: 1 });
  });

  test('nullAsAbsent drops only the named keys that are null, and copies only when needed', () => {
    const obj = { a: null, b: null, c: 1 };
    expect(nullAsAbsent(obj, ['a'])).toEqual({ b: null, c: 1 });
    const clean = { a: 1 };
    expect(nullAsAbsent(clean, ['a'])).toBe(clean);
  });
});
