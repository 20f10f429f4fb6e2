/**
 * Error to ticket: open ONE ticket in an HTTP ticketing system per error fingerprint and time window.
 *
 * Input: an application `ErrorReported` event (detail `{ service, errorType, message, severity?, fingerprint?,
 * occurredAt? }`) or a CloudWatch `CloudWatch Alarm State Change` event (source `aws.cloudwatch`).
 * Returns `{ status: 'opened', ticketId, fingerprint } | { status: 'duplicate', fingerprint, ticketId? }
 *   | { status: 'ignored', reason }` (alarm state changes to anything but ALARM are ignored).
 *
 * Environment:
 * - TICKETING_SECRET_ARN: Secrets Manager secret, JSON `{ "endpoint": "https://...", "authorization": "Bearer ...",
 *   "headers"?: {...} }` (see ticketing-client.ts); cached SECRET_CACHE_TTL_SECONDS (default 300)
 * - DEDUP_TABLE_NAME: partition key `fingerprint` (S), TTL attribute `expiresAt`
 * - DEDUP_WINDOW_SECONDS (default 3600), HTTP_TIMEOUT_MS (default 5000)
 * - CLAIM_LEASE_SECONDS (default HTTP timeout + 25 s): how long a claim of an invocation that died without
 *   releasing it blocks others. Keep the function timeout below it.
 * - POWERTOOLS_SERVICE_NAME (optional)
 *
 * A non-2xx answer, a timeout or a network error throws (after releasing the claim), so EventBridge retries.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { ENV, LIMITS } from '../contract';
import { DedupStore } from './dedup-store';
import { isIgnored, parseTicketEvent } from './fingerprint';
import type { IgnoredEvent, TicketRequest } from './fingerprint';
import { TicketingHttpError, parseTicketingSecret, postTicket } from './ticketing-client';
import type { FetchFn, TicketingSecret } from './ticketing-client';
import type { Env } from '../../runtime-shared/env';
import { numberEnv, requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, lazyHandler } from '../../runtime-shared/runtime';

type OpenTicketResult =
  | { status: 'opened'; ticketId: string; fingerprint: string }
  | { status: 'duplicate'; fingerprint: string; ticketId?: string }
  | { status: 'ignored'; reason: string };

export interface OpenTicketConfig {
  readonly secretArn: string;
  readonly dedupTableName: string;
  /** @default 3600 */
  readonly dedupWindowSeconds?: number;
  /** @default 5000 */
  readonly httpTimeoutMs?: number;
  /** @default ceil(httpTimeoutMs / 1000) + 25 */
  readonly claimLeaseSeconds?: number;
  /** @default 300 */
  readonly secretCacheTtlSeconds?: number;
}

export interface SecretsClient {
  send(command: GetSecretValueCommand): Promise<{ SecretString?: string }>;
}

export interface OpenTicketDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly secretsManager: SecretsClient;
  /** @default globalThis.fetch */
  readonly fetch?: FetchFn;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** @default Date.now */
  readonly now?: () => number;
}

function openTicketConfigFromEnv(env: Env): OpenTicketConfig {
  // The same limits as the construct's (contract.ts): they cannot drift apart.
  const httpTimeoutMs = numberEnv(env, ENV.httpTimeoutMs, LIMITS.httpTimeoutMs.default, { ...LIMITS.httpTimeoutMs, integer: true });
  return {
    secretArn: requireEnv(env, ENV.secretArn),
    dedupTableName: requireEnv(env, ENV.dedupTableName),
    dedupWindowSeconds: numberEnv(env, ENV.dedupWindowSeconds, LIMITS.dedupWindowSeconds.default, { ...LIMITS.dedupWindowSeconds, integer: true }),
    httpTimeoutMs,
    claimLeaseSeconds: numberEnv(env, ENV.claimLeaseSeconds, Math.ceil(httpTimeoutMs / 1000) + 25, { min: 1, max: 86_400, integer: true }),
    secretCacheTtlSeconds: numberEnv(env, ENV.secretCacheTtlSeconds, 300, { min: 0, max: 86_400 }),
  };
}

export function createOpenTicketHandler(config: OpenTicketConfig, deps: OpenTicketDeps) {
  const logger = deps.logger ?? createLogger('error-to-ticket');
  const now = deps.now ?? Date.now;
  const fetchFn: FetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const windowSeconds = config.dedupWindowSeconds ?? 3600;
  const timeoutMs = config.httpTimeoutMs ?? 5000;
  const leaseSeconds = config.claimLeaseSeconds ?? Math.ceil(timeoutMs / 1000) + 25;
  const cacheTtlMs = (config.secretCacheTtlSeconds ?? 300) * 1000;
  const store = new DedupStore({ client: deps.dynamoDb, tableName: config.dedupTableName, now });

  let cachedSecret: { value: TicketingSecret; until: number } | undefined;
  async function getSecret(): Promise<TicketingSecret> {
    if (cachedSecret && now() < cachedSecret.until) return cachedSecret.value;
    const out = await deps.secretsManager.send(new GetSecretValueCommand({ SecretId: config.secretArn }));
    const value = parseTicketingSecret(out.SecretString);
    cachedSecret = { value, until: now() + cacheTtlMs };
    return value;
  }

  async function open(request: TicketRequest): Promise<OpenTicketResult> {
    const claim = await store.claim(request.fingerprint, windowSeconds, leaseSeconds);
    if (!claim.claimed) {
      logger.info('Duplicate error within the deduplication window; no new ticket', {
        fingerprint: request.fingerprint, existingStatus: claim.status, ticketId: claim.ticketId,
      });
      return { status: 'duplicate', fingerprint: request.fingerprint, ...(claim.ticketId ? { ticketId: claim.ticketId } : {}) };
    }
    let ticketId: string;
    try {
      const secret = await getSecret();
      ticketId = await postTicket(fetchFn, secret, request, timeoutMs);
    } catch (err) {
      if (err instanceof TicketingHttpError && (err.status === 401 || err.status === 403)) {
        cachedSecret = undefined; // credentials may have been rotated: read the secret again next time
      }
      try {
        const released = await store.release(request.fingerprint, claim.claimId);
        logger.warn('Opening the ticket failed; claim released so that the retry can open it', {
          fingerprint: request.fingerprint, released, error: (err as Error).message,
        });
      } catch (releaseErr) {
        logger.error('Opening the ticket failed and the claim could not be released; it expires with its lease', {
          fingerprint: request.fingerprint, leaseSeconds, error: (err as Error).message, releaseError: (releaseErr as Error).message,
        });
      }
      throw err;
    }
    const recorded = await store.markOpened(request.fingerprint, claim.claimId, ticketId).catch((err: Error) => {
      // The ticket exists: failing now would open a second one on retry. Log and carry on.
      logger.error('Ticket opened but not recorded in the deduplication table', { fingerprint: request.fingerprint, ticketId, error: err.message });
      return false;
    });
    if (!recorded) logger.warn('Claim was taken over before the ticket was recorded', { fingerprint: request.fingerprint, ticketId });
    logger.info('Ticket opened', { fingerprint: request.fingerprint, ticketId, kind: request.kind });
    return { status: 'opened', ticketId, fingerprint: request.fingerprint };
  }

  // Deduplication by fingerprint is the point of this function (different payloads, same fingerprint), so it has
  // its own claim store (dedup-store.ts) rather than idempotency with payload validation.
  const run = blueprintHandler<TicketRequest | IgnoredEvent, OpenTicketResult>({
    what: 'event',
    logger,
    tracer: deps.tracer,
    parse: parseTicketEvent,
    logKeys: (parsed): Record<string, string> => (isIgnored(parsed) ? {} : { fingerprint: parsed.fingerprint }),
    process: async (parsed) => {
      if (isIgnored(parsed)) {
        logger.info('Event ignored', { reason: parsed.ignored });
        return { status: 'ignored', reason: parsed.ignored };
      }
      return open(parsed);
    },
  });
  return (event: unknown, context?: Context) => run(event, context as Context);
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createOpenTicketHandler(openTicketConfigFromEnv(process.env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    secretsManager: tracer.captureAWSv3Client(new SecretsManagerClient({})),
    tracer,
  });
});
