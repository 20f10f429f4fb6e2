/**
 * The webhook signature scheme, pure and bounded.
 *
 * The CRM signs `<timestamp>.<raw body>` with HMAC-SHA256 and the shared signing secret, and sends
 * - the timestamp (Unix seconds, up to 12 digits) in the timestamp header, and
 * - the signature, 64 hex digits, optionally prefixed with `sha256=`, in the signature header.
 *
 * The timestamp is inside the signed text, so a captured request cannot be replayed once it is older than the
 * tolerance. Signatures are compared with `crypto.timingSafeEqual` on the 32-byte digests (the candidate is decoded
 * first, so the comparison always runs on two buffers of the same, fixed length). Several secrets may be valid at
 * once during a rotation; each is tried, in the same constant time per secret.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { parseSecretObject } from '../../runtime-shared/endpoint-secret';

/** Why a request was refused (for logs and metrics; the response says less). */
export type SignatureFailure = 'missing-signature' | 'malformed-signature' | 'missing-timestamp' | 'malformed-timestamp' | 'stale-timestamp' | 'bad-signature';

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly reason: SignatureFailure };

export interface SignedRequest {
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  readonly body: Buffer;
}

const SIGNATURE = /^(?:sha256=)?([0-9a-fA-F]{64})$/;
const TIMESTAMP = /^[0-9]{1,12}$/;

/** The signature over `<timestamp>.<body>` as 64 hex digits (what a CRM, or a test, sends). */
export function sign(secret: string, timestamp: string, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');
}

/**
 * Verify a request against the valid secrets.
 *
 * @param nowMs the receiver's clock
 * @param toleranceSeconds how far the timestamp may be from `nowMs`, in either direction
 */
export function verifySignature(request: SignedRequest, secrets: readonly string[], nowMs: number, toleranceSeconds: number): SignatureCheck {
  const { signature, timestamp } = request;
  if (signature === undefined || signature === '') return { ok: false, reason: 'missing-signature' };
  // Bounded before any regex: a header of a megabyte is refused at once.
  const match = signature.length <= 71 ? SIGNATURE.exec(signature.trim()) : null;
  if (!match) return { ok: false, reason: 'malformed-signature' };
  if (timestamp === undefined || timestamp === '') return { ok: false, reason: 'missing-timestamp' };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: 'malformed-timestamp' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > toleranceSeconds) return { ok: false, reason: 'stale-timestamp' };

  const given = Buffer.from(match[1], 'hex');
  let valid = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(request.body).digest();
    // No early exit: every secret is tried, whatever the outcome.
    valid = timingSafeEqual(given, expected) || valid;
  }
  return valid ? { ok: true } : { ok: false, reason: 'bad-signature' };
}

/**
 * The signing secrets from the secret string: the string itself, or JSON `{ "current": "...", "previous": "..." }`
 * during a rotation (both accepted until `previous` is removed). Empty secrets are refused.
 */
export function parseSigningSecrets(secretString: string | undefined): string[] {
  const text = secretString ?? '';
  if (!text.trimStart().startsWith('{')) {
    if (text.trim() === '') throw new Error('Signing secret must not be empty');
    return [text];
  }
  const obj = parseSecretObject(text, 'Signing secret', '{"current": "...", "previous": "..."}');
  const secrets: string[] = [];
  for (const key of ['current', 'previous']) {
    const value = obj[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value === '') throw new Error(`Signing secret "${key}" must be a non-empty string`);
    secrets.push(value);
  }
  if (obj.current === undefined) throw new Error('Signing secret must have a "current" key');
  return secrets;
}
