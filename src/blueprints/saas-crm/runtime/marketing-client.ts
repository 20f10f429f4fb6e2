/**
 * The HTTP side of the upsert function: one idempotent upsert of a contact in the marketing tool, honouring
 * `429 Too Many Requests` and `503 Service Unavailable` with their `Retry-After`.
 *
 * Secret (Secrets Manager, JSON string):
 *   {
 *     "endpoint": "https://marketing.example.com/api/contacts/{externalId}",  // required, https; `{externalId}` is
 *                                                                             // replaced by the URL-encoded lead id
 *     "method": "PUT",                                                        // optional: PUT (default), POST or PATCH
 *     "authorization": "Bearer abc123",                                       // optional Authorization header
 *     "headers": { "X-Account": "42" }                                        // optional extra headers
 *   }
 *
 * Request: `<method> <endpoint>` with `Content-Type: application/json`, `Idempotency-Key: <EventBridge event id>`
 * and the body `{ externalId, ...allowed attributes }`. Any 2xx is success. 429 and 503 are retried within the
 * invocation when `Retry-After` (seconds or an HTTP date; 1 second, doubling, without one) fits both
 * `maxRetryAfterSeconds` and the invocation's remaining time, at most `maxAttempts` attempts in all; otherwise a
 * {@link MarketingThrottledError} fails the invocation and Lambda retries it later (then the on-failure queue).
 * Other answers fail with a {@link MarketingHttpError}, never with the response body (it may echo credentials).
 */
import type { Contact } from './lead';
import { parseEndpointSecret, parseSecretObject } from '../../runtime-shared/endpoint-secret';
import type { EndpointSecret } from '../../runtime-shared/endpoint-secret';
import { InvalidEventError } from '../../runtime-shared/validation';

export interface MarketingSecret extends EndpointSecret {
  readonly method: 'PUT' | 'POST' | 'PATCH';
}

export type FetchFn = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** The marketing tool answered with a status that is neither 2xx nor a throttle. The body is not kept. */
export class MarketingHttpError extends Error {
  constructor(public readonly status: number) {
    super(`Marketing tool answered HTTP ${status}${status >= 400 && status < 500 && status !== 408 ? ' (non-retryable: check the contact or the credentials)' : ''}`);
    this.name = 'MarketingHttpError';
  }
}

/** The marketing tool throttled the upsert and asked to wait longer than this invocation can. */
export class MarketingThrottledError extends Error {
  constructor(public readonly status: number, public readonly retryAfterSeconds: number | undefined, public readonly attempts: number) {
    super(`Marketing tool answered HTTP ${status} after ${attempts} attempt(s)`
      + `${retryAfterSeconds !== undefined ? ` and asked to retry after ${retryAfterSeconds} s` : ''}; Lambda retries the invocation later`);
    this.name = 'MarketingThrottledError';
  }
}

/** The marketing tool could not be reached or did not answer in time. Only the error's name and code are kept. */
class MarketingNetworkError extends Error {
  constructor(public readonly causeName: string, public readonly code: string | undefined) {
    super(`Marketing tool could not be reached (${causeName}${code ? ` ${code}` : ''})`);
    this.name = 'MarketingNetworkError';
  }
}

const METHODS = ['PUT', 'POST', 'PATCH'] as const;

/** Parse and check the marketing secret. Error messages never include the secret's values. */
export function parseMarketingSecret(secretString: string | undefined): MarketingSecret {
  const what = 'Marketing secret';
  const base = parseEndpointSecret(secretString, what);
  const method = parseSecretObject(secretString, what, '{}').method ?? 'PUT';
  if (typeof method !== 'string' || !(METHODS as readonly string[]).includes(method)) {
    throw new Error(`${what} "method" must be one of ${METHODS.join(', ')}`);
  }
  // `{externalId}` survives URL parsing percent-encoded.
  return { ...base, endpoint: base.endpoint.split('%7BexternalId%7D').join('{externalId}'), method: method as MarketingSecret['method'] };
}

/**
 * The delay `Retry-After` asks for, in seconds: delta-seconds or an HTTP date; undefined when absent or
 * unreadable. Bounded: values longer than 64 characters are ignored.
 */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (value === null || value.length > 64) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,9}$/.test(text)) return Number(text);
  // An HTTP date names the day and ends in GMT (RFC 9110, 5.6.7); anything else is not a date here.
  if (!/^[A-Za-z]{3,9},? .+ GMT$/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

export interface UpsertOptions {
  readonly timeoutMs: number;
  readonly maxAttempts: number;
  readonly maxRetryAfterSeconds: number;
  /** How long the invocation may still run, in milliseconds. */
  readonly remainingTimeMs: () => number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

/** The outcome of a successful upsert. */
export interface UpsertOutcome {
  readonly status: number;
  readonly attempts: number;
}

/**
 * The endpoint with the URL-encoded lead id in place of `{externalId}`. An id that URL parsing would read as a path
 * step (`.` or `..` as a whole segment: WHATWG URLs resolve them, and `%2e` too, so encoding cannot help) would send
 * the request to another path: it is refused (non-retryable), never sent.
 */
export function contactUrl(endpoint: string, externalId: string): string {
  const url = endpoint.split('{externalId}').join(encodeURIComponent(externalId));
  const written = url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '').replace(/[?#][\s\S]*$/, '') || '/';
  if (new URL(url).pathname !== written) {
    throw new InvalidEventError('contact', ['externalId would change the path of the marketing endpoint (a "." or ".." path segment)']);
  }
  return url;
}

/** Upsert the contact; throws {@link MarketingHttpError}, {@link MarketingThrottledError} or {@link MarketingNetworkError}. */
export async function upsertContact(fetchFn: FetchFn, secret: MarketingSecret, contact: Contact, options: UpsertOptions): Promise<UpsertOutcome> {
  const url = contactUrl(secret.endpoint, contact.externalId);
  const body = JSON.stringify({ externalId: contact.externalId, ...contact.attributes });
  for (let attempt = 1; ; attempt++) {
    const res = await send(fetchFn, url, {
      method: secret.method,
      headers: {
        ...secret.headers,
        'Content-Type': 'application/json',
        'Accept': 'application/json',
        'Idempotency-Key': contact.eventId,
        ...(secret.authorization ? { Authorization: secret.authorization } : {}),
      },
      body,
    }, options.timeoutMs);
    if (res.status >= 200 && res.status <= 299) return { status: res.status, attempts: attempt };
    if (res.status !== 429 && res.status !== 503) throw new MarketingHttpError(res.status);

    let header: string | null = null;
    try {
      header = res.headers.get('retry-after');
    } catch {
      header = null;
    }
    const retryAfter = parseRetryAfter(header, options.now());
    const waitSeconds = retryAfter ?? 2 ** (attempt - 1);
    // Room for the wait plus one more request with its full timeout, and a second to spare.
    const fits = waitSeconds * 1000 + options.timeoutMs + 1000 <= options.remainingTimeMs();
    if (attempt >= options.maxAttempts || waitSeconds > options.maxRetryAfterSeconds || !fits) {
      throw new MarketingThrottledError(res.status, retryAfter, attempt);
    }
    await options.sleep(waitSeconds * 1000);
  }
}

async function send(fetchFn: FetchFn, url: string, init: { method: string; headers: Record<string, string>; body: string }, timeoutMs: number) {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetchFn(url, { ...init, signal });
    // Drain the body (keep-alive), never keep it.
    await res.text().catch(() => '');
    return res;
  } catch (err) {
    if (signal.aborted || (err as Error | undefined)?.name === 'TimeoutError') throw new MarketingNetworkError('TimeoutError', undefined);
    const e = (err ?? {}) as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
    const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
    throw new MarketingNetworkError(typeof e.name === 'string' ? e.name.slice(0, 64) : 'Error', code?.slice(0, 64));
  }
}
