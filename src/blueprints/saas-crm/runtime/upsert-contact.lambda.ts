/**
 * SaaS CRM to marketing: upsert one contact in the marketing tool.
 *
 * Input: the contact the route's input transformer builds from a lead event,
 *   `{ externalId, email, firstName, ..., eventId }` (attributes the event does not carry arrive as `""`).
 * Effect: only the allowlisted attributes with a value are sent, in one idempotent upsert (see marketing-client.ts):
 * 429 / 503 answers are retried within the invocation when their `Retry-After` fits, else the invocation fails and
 * Lambda retries it later, then sends it to the on-failure queue.
 * Returns `{ status: 'upserted', externalId, attributes: [names], attempts }`.
 *
 * Idempotency, two layers: the marketing tool gets an `Idempotency-Key` (the EventBridge event id, stable across
 * EventBridge's retries) and an upsert (the same contact twice is the same state); and Powertools idempotency
 * keyed on the event id, with payload validation, so that a redelivered event does not call the tool again.
 *
 * Order: EventBridge does not keep the order of events, so an older update of a contact can arrive after a newer one
 * (an opt-out reversed by the change before it is a compliance incident). Before it calls the tool, the function
 * records the contact's `updatedAt` in the idempotency table (item `contact-version#<externalId>`, never expiring)
 * with a condition: only when it is newer than the one recorded (or the same update retried). An older update is
 * then skipped (`status: 'stale'`), never sent. Two updates in flight at once can still reach the tool in either
 * order; only the tool itself could refuse that.
 *
 * Environment:
 * - MARKETING_SECRET_ARN: Secrets Manager secret, JSON `{ "endpoint": "https://.../contacts/{externalId}",
 *   "method"?: "PUT", "authorization"?: "Bearer ...", "headers"?: { ... } }`
 * - IDEMPOTENCY_TABLE_NAME: Powertools idempotency table
 * - ALLOWED_FIELDS: comma-separated lead fields that may leave the account
 * - HTTP_TIMEOUT_MS (default 5000), MAX_RETRY_AFTER_SECONDS (default 20)
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { LEAD_FIELDS, LIMITS, UPSERT_ENV } from '../contract';
import { allowedAttributes, parseContactInput } from './lead';
import type { Contact } from './lead';
import { MarketingHttpError, parseMarketingSecret, upsertContact } from './marketing-client';
import type { FetchFn, MarketingSecret } from './marketing-client';
import { SecretCache } from '../../runtime-shared/endpoint-secret';
import type { SecretsClient } from '../../runtime-shared/endpoint-secret';
import type { Env } from '../../runtime-shared/env';
import { integerEnv, requireEnv } from '../../runtime-shared/env';
import { blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, idempotencyStore, lazyHandler } from '../../runtime-shared/runtime';

export interface UpsertContactConfig {
  readonly secretArn: string;
  readonly idempotencyTableName: string;
  /** Lead field names. */
  readonly allowedFields: readonly string[];
  /** @default 5000 */
  readonly httpTimeoutMs?: number;
  /** @default 20 */
  readonly maxRetryAfterSeconds?: number;
}

export interface UpsertContactDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly secretsManager: SecretsClient;
  /** @default global fetch */
  readonly fetch?: FetchFn;
  readonly logger?: Logger;
  readonly tracer?: Tracer;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default - items of the idempotency table */
  readonly versions?: ContactVersions;
}

type UpsertContactResult = {
  readonly status: 'upserted';
  readonly externalId: string;
  /** The names of the attributes sent (never their values). */
  readonly attributes: string[];
  readonly attempts: number;
} | {
  /** A newer update of the contact was already recorded: nothing was sent. */
  readonly status: 'stale';
  readonly externalId: string;
};

/** The key of a contact's newest recorded update in the idempotency table. */
const contactVersionKey = (externalId: string) => `contact-version#${externalId}`;

/** Where the newest update time of each contact is recorded. */
export interface ContactVersions {
  /**
   * Records `updatedAtMs` for the contact when it is newer than the one recorded, or the same update (`eventId`)
   * again; resolves false, recording nothing, when a newer (or another equally new) update is recorded.
   */
  record(externalId: string, updatedAtMs: number, eventId: string): Promise<boolean>;
}

/** The contact versions as items of the idempotency table (no `expiration`: they never expire). */
function dynamoDbContactVersions(client: DynamoDBClient, tableName: string): ContactVersions {
  return {
    async record(externalId, updatedAtMs, eventId) {
      try {
        await client.send(new UpdateItemCommand({
          TableName: tableName,
          Key: { id: { S: contactVersionKey(externalId) } },
          UpdateExpression: 'SET #u = :u, #e = :e',
          ConditionExpression: 'attribute_not_exists(id) OR #u < :u OR (#u = :u AND #e = :e)',
          ExpressionAttributeNames: { '#u': 'updatedAtMs', '#e': 'eventId' },
          ExpressionAttributeValues: { ':u': { N: String(updatedAtMs) }, ':e': { S: eventId } },
        }));
        return true;
      } catch (err) {
        if ((err as Error | undefined)?.name === 'ConditionalCheckFailedException') return false;
        throw err;
      }
    },
  };
}

export function upsertContactConfigFromEnv(env: Env): UpsertContactConfig {
  const allowedFields = requireEnv(env, UPSERT_ENV.allowedFields).split(',').map((f) => f.trim()).filter((f) => f !== '');
  const unknown = allowedFields.filter((f) => !(LEAD_FIELDS as readonly string[]).includes(f));
  if (unknown.length > 0) {
    throw new Error(`Environment variable ${UPSERT_ENV.allowedFields} names unknown lead fields: ${unknown.join(', ')} (known: ${LEAD_FIELDS.join(', ')})`);
  }
  return {
    secretArn: requireEnv(env, UPSERT_ENV.marketingSecretArn),
    idempotencyTableName: requireEnv(env, UPSERT_ENV.idempotencyTableName),
    allowedFields,
    httpTimeoutMs: integerEnv(env, UPSERT_ENV.httpTimeoutMs, LIMITS.httpTimeoutMs),
    maxRetryAfterSeconds: integerEnv(env, UPSERT_ENV.maxRetryAfterSeconds, LIMITS.maxRetryAfterSeconds),
  };
}

export function createUpsertContactHandler(config: UpsertContactConfig, deps: UpsertContactDeps) {
  const logger = deps.logger ?? createLogger('saas-crm');
  const now = deps.now ?? Date.now;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const fetchFn: FetchFn = deps.fetch ?? ((input, init) => fetch(input, init));
  const allowed = allowedAttributes(config.allowedFields);
  const secret = new SecretCache<MarketingSecret>(deps.secretsManager, config.secretArn, parseMarketingSecret, 300_000, now);

  const versions = deps.versions ?? dynamoDbContactVersions(deps.dynamoDb, config.idempotencyTableName);

  /** Records the contact's update time unless a newer one is recorded; false when it is older (stale). */
  async function recordVersion(contact: Contact): Promise<boolean> {
    if (contact.updatedAtMs === undefined) {
      logger.warn('The contact has no readable updatedAt: it cannot be ordered against other updates and is sent as is', { externalId: contact.externalId });
      return true;
    }
    return versions.record(contact.externalId, contact.updatedAtMs, contact.eventId);
  }

  async function process(contact: Contact, context: Context): Promise<UpsertContactResult> {
    if (!await recordVersion(contact)) {
      logger.info('Skipped an update older than the one already sent for this contact', { externalId: contact.externalId });
      return { status: 'stale', externalId: contact.externalId };
    }
    let outcome;
    try {
      outcome = await upsertContact(fetchFn, await secret.get(), contact, {
        timeoutMs: config.httpTimeoutMs ?? LIMITS.httpTimeoutMs.default,
        maxAttempts: LIMITS.maxAttempts,
        maxRetryAfterSeconds: config.maxRetryAfterSeconds ?? LIMITS.maxRetryAfterSeconds.default,
        remainingTimeMs: () => context?.getRemainingTimeInMillis?.() ?? 30_000,
        sleep,
        now,
      });
    } catch (err) {
      if (err instanceof MarketingHttpError && (err.status === 401 || err.status === 403)) {
        secret.invalidate(); // credentials may have been rotated: read the secret again next time
      }
      logger.warn('Upsert failed', { externalId: contact.externalId, error: (err as Error).message });
      throw err;
    }
    const attributes = Object.keys(contact.attributes);
    logger.info('Contact upserted', { externalId: contact.externalId, attributes, attempts: outcome.attempts });
    return { status: 'upserted', externalId: contact.externalId, attributes, attempts: outcome.attempts };
  }

  const run = blueprintHandler<Contact, UpsertContactResult>({
    what: 'contact',
    logger,
    tracer: deps.tracer,
    parse: (input) => parseContactInput(input, allowed),
    logKeys: (contact) => ({ externalId: contact.externalId, eventId: contact.eventId }),
    idempotency: {
      persistenceStore: idempotencyStore(config.idempotencyTableName, deps.dynamoDb),
      keyPath: 'eventId',
      keyOf: (contact) => `event ${contact.eventId}`,
    },
    process,
  });
  return (event: unknown, context?: Context) => run(event, context as Context);
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createUpsertContactHandler(upsertContactConfigFromEnv(process.env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    secretsManager: tracer.captureAWSv3Client(new SecretsManagerClient({})),
    tracer,
  });
});
