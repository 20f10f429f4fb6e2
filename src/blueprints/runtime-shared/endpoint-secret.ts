/**
 * Secrets of the blueprint handlers: an HTTP endpoint and its credentials kept in Secrets Manager as JSON, and a
 * small cache that reads a secret at most once per TTL (and again after `invalidate()`, when credentials were
 * refused and may have been rotated).
 *
 * Error messages never include a secret's values.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';

export interface EndpointSecret {
  readonly endpoint: string;
  readonly authorization?: string;
  readonly headers?: Record<string, string>;
}

/** What a handler needs of a Secrets Manager client. */
export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string }>;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

const CONTROL = /[\u0000-\u001f\u007f]/;
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$/;

/** The secret string as a JSON object, or an error naming `what` (never the content). */
export function parseSecretObject(secretString: string | undefined, what: string, example: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(secretString ?? '');
  } catch {
    throw new Error(`${what} must be a JSON object like ${example}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`${what} must be a JSON object`);
  }
  return raw as Record<string, unknown>;
}

/**
 * Parse and check `{ "endpoint": "https://...", "authorization"?: "...", "headers"?: { ... } }`. The endpoint must
 * be https (http only for localhost, for tests) and hold no credentials; header names must be HTTP tokens and
 * values free of control characters.
 *
 * @param what how messages name the secret, e.g. `Ticketing secret`
 */
export function parseEndpointSecret(secretString: string | undefined, what: string): EndpointSecret {
  const obj = parseSecretObject(secretString, what, '{"endpoint": "https://...", "authorization": "Bearer ..."}');
  if (typeof obj.endpoint !== 'string') throw new Error(`${what} must have a string "endpoint"`);
  let url: URL;
  try {
    url = new URL(obj.endpoint);
  } catch {
    throw new Error(`${what} "endpoint" is not a valid URL`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new Error(`${what} "endpoint" must not hold credentials (user:password@); put them in "authorization"`);
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new Error(`${what} "endpoint" must use https (got ${url.protocol}//${url.hostname})`);
  }
  if (obj.authorization !== undefined && typeof obj.authorization !== 'string') {
    throw new Error(`${what} "authorization" must be a string`);
  }
  if (typeof obj.authorization === 'string' && CONTROL.test(obj.authorization)) {
    throw new Error(`${what} "authorization" must not contain control characters`);
  }
  const headers: Record<string, string> = {};
  if (obj.headers !== undefined) {
    if (typeof obj.headers !== 'object' || obj.headers === null || Array.isArray(obj.headers)) {
      throw new Error(`${what} "headers" must be an object of strings`);
    }
    for (const [name, value] of Object.entries(obj.headers)) {
      if (!HEADER_NAME.test(name)) throw new Error(`${what} "headers" has a name that is not an HTTP token`);
      if (typeof value !== 'string') throw new Error(`${what} header "${name}" must be a string`);
      if (CONTROL.test(value)) throw new Error(`${what} header "${name}" must not contain control characters`);
      headers[name] = value;
    }
  }
  return {
    endpoint: url.toString(),
    ...(typeof obj.authorization === 'string' && obj.authorization !== '' ? { authorization: obj.authorization } : {}),
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

/** A secret read from Secrets Manager at most once per `ttlMs`, parsed by `parse`. */
export class SecretCache<T> {
  private cached: { value: T; until: number } | undefined;

  constructor(
    private readonly client: SecretsClient,
    private readonly secretId: string,
    private readonly parse: (secretString: string | undefined) => T,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The parsed secret, read again once the TTL has passed or after `invalidate()`. */
  public async get(): Promise<T> {
    if (this.cached && this.now() < this.cached.until) return this.cached.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: this.secretId }));
    const value = this.parse(out.SecretString);
    this.cached = { value, until: this.now() + this.ttlMs };
    return value;
  }

  /** Forget the cached value (credentials were refused and may have been rotated). */
  public invalidate(): void {
    this.cached = undefined;
  }
}
