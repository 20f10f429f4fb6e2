import { numberEnv, optionalEnv, requireEnv } from '../../../src/blueprints/runtime-shared/env';
import { Checker, InvalidEventError, show } from '../../../src/blueprints/runtime-shared/validation';

describe('env', () => {
  test('requireEnv trims and throws when missing or blank', () => {
    expect(requireEnv({ A: ' x ' }, 'A')).toBe('x');
    expect(() => requireEnv({}, 'A')).toThrow('Missing required environment variable A');
    expect(() => requireEnv({ A: ' ' }, 'A')).toThrow('Missing required environment variable A');
  });

  test('optionalEnv', () => {
    expect(optionalEnv({ A: '' }, 'A')).toBeUndefined();
    expect(optionalEnv({ A: 'v' }, 'A')).toBe('v');
  });

  test('numberEnv uses the fallback only when unset; 0 is a value', () => {
    expect(numberEnv({}, 'N', 7)).toBe(7);
    expect(numberEnv({ N: '0' }, 'N', 7)).toBe(0);
    expect(numberEnv({ N: '2.5' }, 'N', 7)).toBe(2.5);
  });

  test.each([
    [{ N: 'abc' }, {}],
    [{ N: '-1' }, {}],
    [{ N: '1.5' }, { integer: true }],
    [{ N: '11' }, { max: 10 }],
  ])('numberEnv throws for %j %j', (env, opts) => {
    expect(() => numberEnv(env, 'N', 1, opts)).toThrow(/Environment variable N must be/);
  });
});

describe('validation', () => {
  test('show keeps the type and size of a bad value, never its content (numbers, booleans and null as they are)', () => {
    expect(show('token=abc123')).toBe('a string of 12 characters');
    expect(show('x')).toBe('a string of 1 character');
    expect(show(['a', 'b'])).toBe('an array of 2 items');
    expect(show({ password: 'hunter2' })).toBe('an object with 1 key');
    expect(show(-1)).toBe('-1');
    expect(show(Number.NaN)).toBe('a non-finite number');
    expect(show(false)).toBe('false');
    expect(show(null)).toBe('null');
    expect(show(undefined)).toBe('undefined');
    expect(show(BigInt(1))).toBe('a bigint');
  });

  test('Checker collects problems and throws them together', () => {
    const check = new Checker();
    check.maxUtf8Bytes('€€', 'a', 6);
    check.maxUtf8Bytes('€€', 'b', 5);
    check.maxUtf8Bytes('x'.repeat(3000), 'c', 2048);
    check.problem('d is wrong');
    expect(() => check.done('thing')).toThrow(new InvalidEventError('thing', [
      'b must be at most 5 bytes in UTF-8, got 6',
      'c must be at most 2048 bytes in UTF-8, got 3000',
      'd is wrong',
    ]));
  });

  test('InvalidEventError says it is not retryable', () => {
    const err = new InvalidEventError('thing', ['x']);
    expect(err.message).toBe('Invalid thing (non-retryable, fix the producer): x');
    expect(err.retryable).toBe(false);
    expect(err.name).toBe('InvalidEventError');
  });
});
