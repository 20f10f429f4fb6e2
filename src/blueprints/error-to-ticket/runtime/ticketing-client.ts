/**
 * The HTTP side of the error-to-ticket blueprint.
 *
 * Secret (Secrets Manager, JSON string):
 *   {
 *     "endpoint": "https://tickets.example.com/api/tickets",   // required; POST target. https only
 *                                                               // (http is accepted for localhost/127.0.0.1, for tests)
 *     "authorization": "Bearer abc123",                         // optional; sent as the Authorization header
 *     "headers": { "X-Project": "OPS" }                         // optional; extra string headers
 *   }
 *
 * Request: `POST endpoint` with `Content-Type: application/json`, `Idempotency-Key: <event id or fingerprint>`
 * and the body `{ title, description, severity, fingerprint, kind, occurredAt?, labels }`.
 * Response: any 2xx opens the ticket; the ticket id is read from the JSON body (`ticketId`, `id`, `key` or
 * `number`), else from the `Location` header's last path segment, else `"unknown"`: nothing in a 2xx answer can
 * make it fail (a failure would release the claim and the retry would open a second ticket). Anything else throws.
 *
 * Secrets never reach logs or error messages: credentials in the endpoint URL and control characters in header
 * values are refused (without echoing them), response bodies are never put in errors, and network errors are
 * replaced by a {@link TicketingNetworkError} that carries only the error's name and code.
 */
import type { TicketRequest } from './fingerprint';
import { parseEndpointSecret } from '../../runtime-shared/endpoint-secret';
import type { EndpointSecret } from '../../runtime-shared/endpoint-secret';

export type TicketingSecret = EndpointSecret;

export type FetchFn = (input: string, init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal }) => Promise<{
  readonly status: number;
  readonly ok: boolean;
  readonly headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

/** The ticketing system answered, but not with a 2xx status. The body is not kept: it may echo credentials. */
export class TicketingHttpError extends Error {
  constructor(public readonly status: number, public readonly bodyLength: number) {
    super(`Ticketing system answered HTTP ${status} (body of ${bodyLength} characters not shown)`);
    this.name = 'TicketingHttpError';
  }
}

/** The ticketing system could not be reached. Only the error's name and code are kept (its message may hold the URL). */
export class TicketingNetworkError extends Error {
  constructor(public readonly causeName: string, public readonly code: string | undefined) {
    super(`Ticketing system could not be reached (${causeName}${code ? ` ${code}` : ''})`);
    this.name = 'TicketingNetworkError';
  }
}

/** The ticketing system did not answer in time. */
export class TicketingTimeoutError extends Error {
  constructor(public readonly timeoutMs: number) {
    super(`Ticketing system did not answer within ${timeoutMs} ms`);
    this.name = 'TicketingTimeoutError';
  }
}

/** Parse and check the secret string. Error messages never include the secret's values. */
export function parseTicketingSecret(secretString: string | undefined): TicketingSecret {
  return parseEndpointSecret(secretString, 'Ticketing secret');
}

function ticketBody(request: TicketRequest): Record<string, unknown> {
  return {
    title: request.title,
    description: request.description,
    severity: request.severity,
    fingerprint: request.fingerprint,
    kind: request.kind,
    ...(request.occurredAt !== undefined ? { occurredAt: request.occurredAt } : {}),
    labels: request.labels,
  };
}

/** Read the ticket id from a 2xx answer. */
export function extractTicketId(body: string, location: string | null): string {
  try {
    const json: unknown = JSON.parse(body);
    if (typeof json === 'object' && json !== null) {
      const obj = json as Record<string, unknown>;
      for (const key of ['ticketId', 'id', 'key', 'number']) {
        const value = obj[key];
        if ((typeof value === 'string' && value !== '') || typeof value === 'number') return String(value).slice(0, 256);
      }
    }
  } catch {
    // not JSON: try the Location header
  }
  if (location) {
    const last = location.split('?')[0].split('/').filter((s) => s !== '').pop();
    if (last) return safeDecode(last.slice(0, 256));
  }
  return 'unknown';
}

/** `decodeURIComponent`, or the raw text when it is not valid percent-encoding. */
function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** POST the ticket; returns its id. Throws {@link TicketingHttpError} or {@link TicketingTimeoutError}. */
export async function postTicket(fetchFn: FetchFn, secret: TicketingSecret, request: TicketRequest, timeoutMs: number): Promise<string> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await fetchFn(secret.endpoint, {
      method: 'POST',
      headers: {
        ...secret.headers,
        'Content-Type': 'application/json',
        'Accept': 'application/json',
        'Idempotency-Key': request.eventId ?? request.fingerprint,
        ...(secret.authorization ? { Authorization: secret.authorization } : {}),
      },
      body: JSON.stringify(ticketBody(request)),
      signal,
    });
    if (res.status < 200 || res.status > 299) {
      const body = await res.text().catch(() => '');
      throw new TicketingHttpError(res.status, body.length);
    }
    // The ticket exists from here on: whatever the body or headers hold, this is a success.
    const text = await res.text().catch(() => '');
    let location: string | null = null;
    try {
      location = res.headers.get('location');
    } catch {
      location = null;
    }
    return extractTicketId(text, location);
  } catch (err) {
    if (err instanceof TicketingHttpError) throw err;
    if (signal.aborted || (err as Error | undefined)?.name === 'TimeoutError') throw new TicketingTimeoutError(timeoutMs);
    const e = (err ?? {}) as { name?: unknown; code?: unknown; cause?: { code?: unknown } };
    const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
    throw new TicketingNetworkError(typeof e.name === 'string' ? e.name.slice(0, 64) : 'Error', code?.slice(0, 64));
  }
}
