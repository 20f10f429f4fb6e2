import { parseSigningSecrets, sign, verifySignature } from '../../../../src/blueprints/saas-crm/runtime/signature';

const SECRET = 'whsec-test-0123456789';
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const TS = String(NOW / 1000);
const BODY = Buffer.from('{"leadId":"L-1","updatedAt":"2026-11-30T12:00:00Z"}');

const request = (overrides: { signature?: string; timestamp?: string; body?: Buffer } = {}) => ({
  signature: sign(SECRET, TS, BODY),
  timestamp: TS,
  body: BODY,
  ...overrides,
});

describe('verifySignature', () => {
  test('accepts the HMAC-SHA256 of "<timestamp>.<body>", bare or with the sha256= prefix, in either case', () => {
    expect(verifySignature(request(), [SECRET], NOW, 300)).toEqual({ ok: true });
    expect(verifySignature(request({ signature: `sha256=${sign(SECRET, TS, BODY)}` }), [SECRET], NOW, 300)).toEqual({ ok: true });
    expect(verifySignature(request({ signature: sign(SECRET, TS, BODY).toUpperCase() }), [SECRET], NOW, 300)).toEqual({ ok: true });
  });

  test('refuses another secret, a changed body and a changed timestamp', () => {
    expect(verifySignature(request({ signature: sign('other', TS, BODY) }), [SECRET], NOW, 300)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySignature(request({ body: Buffer.from('{"leadId":"L-2"}') }), [SECRET], NOW, 300)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifySignature(request({ timestamp: String(NOW / 1000 - 1) }), [SECRET], NOW, 300)).toEqual({ ok: false, reason: 'bad-signature' });
  });

  test('refuses a timestamp outside the tolerance, in the past (a replay) and in the future', () => {
    const old = String(NOW / 1000 - 301);
    const future = String(NOW / 1000 + 301);
    expect(verifySignature(request({ timestamp: old, signature: sign(SECRET, old, BODY) }), [SECRET], NOW, 300)).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verifySignature(request({ timestamp: future, signature: sign(SECRET, future, BODY) }), [SECRET], NOW, 300)).toEqual({ ok: false, reason: 'stale-timestamp' });
    const edge = String(NOW / 1000 - 300);
    expect(verifySignature(request({ timestamp: edge, signature: sign(SECRET, edge, BODY) }), [SECRET], NOW, 300)).toEqual({ ok: true });
  });

  test.each<[string, { signature?: string; timestamp?: string }, string]>([
    ['no signature', { signature: undefined }, 'missing-signature'],
    ['an empty signature', { signature: '' }, 'missing-signature'],
    ['a short signature', { signature: 'abc123' }, 'malformed-signature'],
    ['a signature of non-hex digits', { signature: 'z'.repeat(64) }, 'malformed-signature'],
    ['a megabyte of signature', { signature: 'a'.repeat(1024 * 1024) }, 'malformed-signature'],
    ['another scheme', { signature: `md5=${'a'.repeat(64)}` }, 'malformed-signature'],
    ['no timestamp', { timestamp: undefined }, 'missing-timestamp'],
    ['a timestamp in milliseconds past 12 digits', { timestamp: '1796040000000' }, 'malformed-timestamp'],
    ['a date as timestamp', { timestamp: '2026-11-30T12:00:00Z' }, 'malformed-timestamp'],
  ])('refuses %s', (_name, overrides, reason) => {
    expect(verifySignature(request(overrides), [SECRET], NOW, 300)).toEqual({ ok: false, reason });
  });

  test('during a rotation, the previous secret is accepted too', () => {
    expect(verifySignature(request({ signature: sign('old-secret', TS, BODY) }), [SECRET, 'old-secret'], NOW, 300)).toEqual({ ok: true });
    expect(verifySignature(request(), [SECRET, 'old-secret'], NOW, 300)).toEqual({ ok: true });
  });
});

describe('parseSigningSecrets', () => {
  test('a plain secret string is the one secret', () => {
    expect(parseSigningSecrets('s3cret')).toEqual(['s3cret']);
  });

  test('JSON with current and previous gives both, current first', () => {
    expect(parseSigningSecrets('{"current":"new","previous":"old"}')).toEqual(['new', 'old']);
    expect(parseSigningSecrets('{"current":"new"}')).toEqual(['new']);
  });

  test.each<[string | undefined, string]>([
    [undefined, 'Signing secret must not be empty'],
    ['  ', 'Signing secret must not be empty'],
    ['{"previous":"old"}', 'Signing secret must have a "current" key'],
    ['{"current":""}', 'Signing secret "current" must be a non-empty string'],
    ['{"current":42}', 'Signing secret "current" must be a non-empty string'],
    ['{not json', 'Signing secret must be a JSON object like {"current": "...", "previous": "..."}'],
  ])('refuses %j without echoing it', (value, message) => {
    expect(() => parseSigningSecrets(value)).toThrow(message);
    try {
      parseSigningSecrets(value);
    } catch (err) {
      expect((err as Error).message).not.toContain('old');
    }
  });
});
