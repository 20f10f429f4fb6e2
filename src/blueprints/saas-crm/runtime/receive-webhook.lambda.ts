/**
 * SaaS CRM to marketing: the webhook receiver, behind a Lambda function URL, for CRMs without a partner event source.
 *
 * A request is refused, in this order, with:
 * - 405 when the method is not POST;
 * - 413 when the body is larger than MAX_BODY_BYTES (checked before it is decoded or parsed);
 * - 415 when the Content-Type is not JSON;
 * - 401 when the signature or the timestamp is missing, malformed or wrong, or the timestamp is further than
 *   TIMESTAMP_TOLERANCE_SECONDS from now (a replay); the response does not say which, the log does;
 * - 400 when the body is not JSON or not a lead (`{ leadId, updatedAt, email?, ... }`, see contract.ts);
 * - 409 when the same signed request is being received right now (retry later);
 * - 503 when the event could not be put on the bus (the CRM should retry), 500 on any other failure of ours.
 * Otherwise the lead (known fields only) is put on the bus as a `LeadUpdated` event and the answer is
 * 202 `{ "eventId": "..." }`.
 *
 * Replays: a signed request stays valid for the whole timestamp window, so a copy sent again within it (by an
 * attacker, or by the CRM retrying after a lost answer) is accepted once: the function claims the request's digest
 * (timestamp and body) in the replay table before it publishes, and a copy gets 200 `{ eventId, duplicate: true }`
 * with the first event's id and puts nothing on the bus. A claim whose publish failed is released, so the CRM's retry
 * goes through. Claims expire (DynamoDB TTL) once the window is over, when the timestamp check refuses copies anyway.
 *
 * The signing secret and the signature are never logged or returned; the body is never logged either.
 *
 * Environment: SIGNING_SECRET_ARN (the secret, or JSON `{ "current", "previous" }` during a rotation),
 * EVENT_BUS_NAME, EVENT_SOURCE, MAX_BODY_BYTES, TIMESTAMP_TOLERANCE_SECONDS, SIGNATURE_HEADER, TIMESTAMP_HEADER,
 * REPLAY_TABLE_NAME (partition key `id` (S), TTL attribute `expiration`).
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { ConditionalCheckFailedException, DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyStructuredResultV2, LambdaFunctionURLEvent } from 'aws-lambda';

import { DEFAULT_SIGNATURE_HEADER, DEFAULT_TIMESTAMP_HEADER, LEAD_UPDATED, LIMITS, WEBHOOK_ENV } from '../contract';
import { parseLeadWebhook } from './lead';
import { parseSigningSecrets, verifySignature } from './signature';
import type { PutEventsClient } from '../../../runtime/publisher';
import { EventPublisher } from '../../../runtime/publisher';
import { SecretCache } from '../../runtime-shared/endpoint-secret';
import type { SecretsClient } from '../../runtime-shared/endpoint-secret';
import type { Env } from '../../runtime-shared/env';
import { integerEnv, optionalEnv, requireEnv } from '../../runtime-shared/env';
import { createLogger, createTracer, lazyHandler } from '../../runtime-shared/runtime';
import { InvalidEventError } from '../../runtime-shared/validation';

/** What the function URL answers (always the structured form). */
type WebhookResponse = APIGatewayProxyStructuredResultV2;

export interface ReceiveWebhookConfig {
  readonly signingSecretArn: string;
  readonly eventBusName: string;
  readonly eventSource: string;
  /** @default 65536 */
  readonly maxBodyBytes?: number;
  /** @default 300 */
  readonly toleranceSeconds?: number;
  /** Lower case. @default 'x-crm-signature' */
  readonly signatureHeader?: string;
  /** Lower case. @default 'x-crm-timestamp' */
  readonly timestampHeader?: string;
  readonly replayTableName: string;
}

/** What a claim of a signed request found. */
export type ReplayClaim = { readonly kind: 'new' } | { readonly kind: 'received'; readonly eventId: string } | { readonly kind: 'in-flight' };

/** Where signed requests are claimed, so that each is put on the bus once (see the module comment). */
export interface ReplayGuard {
  claim(id: string, expiresAtSeconds: number): Promise<ReplayClaim>;
  complete(id: string, eventId: string): Promise<void>;
  release(id: string): Promise<void>;
}

/** The claims as items of a table with partition key `id` and TTL attribute `expiration`. */
function dynamoDbReplayGuard(client: DynamoDBClient, tableName: string): ReplayGuard {
  return {
    async claim(id, expiresAtSeconds) {
      try {
        await client.send(new PutItemCommand({
          TableName: tableName,
          Item: { id: { S: id }, expiration: { N: String(expiresAtSeconds) } },
          ConditionExpression: 'attribute_not_exists(id)',
        }));
        return { kind: 'new' };
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException) && (err as Error | undefined)?.name !== 'ConditionalCheckFailedException') throw err;
      }
      const out = await client.send(new GetItemCommand({ TableName: tableName, Key: { id: { S: id } }, ConsistentRead: true }));
      const eventId = out.Item?.eventId?.S;
      return eventId !== undefined ? { kind: 'received', eventId } : { kind: 'in-flight' };
    },
    async complete(id, eventId) {
      await client.send(new UpdateItemCommand({
        TableName: tableName,
        Key: { id: { S: id } },
        UpdateExpression: 'SET eventId = :e',
        ExpressionAttributeValues: { ':e': { S: eventId } },
      }));
    },
    async release(id) {
      await client.send(new DeleteItemCommand({ TableName: tableName, Key: { id: { S: id } } }));
    },
  };
}

export interface ReceiveWebhookDeps {
  readonly secretsManager: SecretsClient;
  readonly eventBridge: PutEventsClient;
  /** @default - items of the table REPLAY_TABLE_NAME, through this client */
  readonly dynamoDb?: DynamoDBClient;
  /** @default dynamoDbReplayGuard(dynamoDb, replayTableName) */
  readonly replayGuard?: ReplayGuard;
  readonly logger?: Logger;
  /** @default Date.now */
  readonly now?: () => number;
  /** For the publisher's retries. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

export function receiveWebhookConfigFromEnv(env: Env): ReceiveWebhookConfig {
  return {
    signingSecretArn: requireEnv(env, WEBHOOK_ENV.signingSecretArn),
    eventBusName: requireEnv(env, WEBHOOK_ENV.eventBusName),
    eventSource: requireEnv(env, WEBHOOK_ENV.eventSource),
    maxBodyBytes: integerEnv(env, WEBHOOK_ENV.maxBodyBytes, LIMITS.maxBodyBytes),
    toleranceSeconds: integerEnv(env, WEBHOOK_ENV.toleranceSeconds, LIMITS.timestampToleranceSeconds),
    signatureHeader: (optionalEnv(env, WEBHOOK_ENV.signatureHeader) ?? DEFAULT_SIGNATURE_HEADER).toLowerCase(),
    timestampHeader: (optionalEnv(env, WEBHOOK_ENV.timestampHeader) ?? DEFAULT_TIMESTAMP_HEADER).toLowerCase(),
    replayTableName: requireEnv(env, WEBHOOK_ENV.replayTableName),
  };
}

function respond(statusCode: number, body: Record<string, unknown>, headers: Record<string, string> = {}): WebhookResponse {
  return { statusCode, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** A header, whatever its case (function URLs send lower case; tests and proxies may not). */
function header(headers: Record<string, string | undefined> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers[name] !== undefined) return headers[name];
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return value;
  }
  return undefined;
}

const JSON_CONTENT_TYPE = /^application\/(?:[a-z0-9.+-]+\+)?json\s*(?:;.*)?$/i;

export function createReceiveWebhookHandler(config: ReceiveWebhookConfig, deps: ReceiveWebhookDeps) {
  const logger = deps.logger ?? createLogger('saas-crm');
  const now = deps.now ?? Date.now;
  const maxBodyBytes = config.maxBodyBytes ?? LIMITS.maxBodyBytes.default;
  const tolerance = config.toleranceSeconds ?? LIMITS.timestampToleranceSeconds.default;
  const signatureHeader = config.signatureHeader ?? DEFAULT_SIGNATURE_HEADER;
  const timestampHeader = config.timestampHeader ?? DEFAULT_TIMESTAMP_HEADER;
  const secrets = new SecretCache<string[]>(deps.secretsManager, config.signingSecretArn, parseSigningSecrets, 300_000, now);
  const replay = deps.replayGuard ?? dynamoDbReplayGuard(deps.dynamoDb ?? new DynamoDBClient({}), config.replayTableName);
  const publisher = new EventPublisher({
    client: deps.eventBridge,
    eventBusName: config.eventBusName,
    source: config.eventSource,
    // The CRM waits for the answer: a few quick retries, then 503 and the CRM retries.
    maxAttempts: 3,
    maxDelayMs: 1000,
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });

  async function receive(event: LambdaFunctionURLEvent): Promise<WebhookResponse> {
    const method = event?.requestContext?.http?.method;
    if (method !== 'POST') {
      logger.warn('Refused webhook', { reason: 'method', method: typeof method === 'string' ? method.slice(0, 16) : undefined });
      return respond(405, { message: 'Only POST is allowed' }, { allow: 'POST' });
    }
    const raw = typeof event.body === 'string' ? event.body : '';
    // Base64 takes 4 characters per 3 bytes: refuse on the text's length before decoding anything.
    const encodedLimit = event.isBase64Encoded ? Math.ceil(maxBodyBytes / 3) * 4 : maxBodyBytes * 4;
    const body = raw.length > encodedLimit ? undefined : Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8');
    if (body === undefined || body.length > maxBodyBytes) {
      logger.warn('Refused webhook', { reason: 'body-too-large', maxBodyBytes });
      return respond(413, { message: `The body must be at most ${maxBodyBytes} bytes` });
    }
    const contentType = header(event.headers, 'content-type') ?? '';
    if (contentType.length > 256 || !JSON_CONTENT_TYPE.test(contentType)) {
      logger.warn('Refused webhook', { reason: 'content-type' });
      return respond(415, { message: 'The body must be JSON (Content-Type: application/json)' });
    }

    const timestamp = header(event.headers, timestampHeader);
    const check = verifySignature({
      signature: header(event.headers, signatureHeader),
      timestamp,
      body,
    }, await secrets.get(), now(), tolerance);
    if (!check.ok) {
      logger.warn('Refused webhook', { reason: check.reason });
      return respond(401, { message: 'Signature verification failed' });
    }

    let lead;
    try {
      lead = parseLeadWebhook(JSON.parse(body.toString('utf8')));
    } catch (err) {
      const problems = err instanceof InvalidEventError ? err.problems : ['body must be JSON'];
      // The problems name fields and limits; values of the body are not logged.
      logger.warn('Refused webhook', { reason: 'invalid-lead', problemCount: problems.length });
      return respond(400, { message: 'The body is not a valid lead', problems });
    }

    // The signed request's identity: its timestamp and body (the signature is a function of both and the secret).
    const requestId = createHash('sha256').update(`${timestamp}.`).update(body).digest('hex');
    const claim = await replay.claim(requestId, Number(timestamp) + tolerance + 60);
    if (claim.kind === 'received') {
      logger.warn('Replayed webhook: already received, nothing put on the bus', { leadId: lead.leadId, eventId: claim.eventId });
      return respond(200, { eventId: claim.eventId, duplicate: true });
    }
    if (claim.kind === 'in-flight') {
      logger.warn('Replayed webhook: the same request is being received', { leadId: lead.leadId });
      return respond(409, { message: 'This request is being received; try again later' }, { 'retry-after': '5' });
    }

    let eventIds: string[];
    try {
      ({ eventIds } = await publisher.publish([{ detailType: LEAD_UPDATED.detailType, detail: lead }]));
    } catch (err) {
      logger.error('Lead could not be put on the bus', { leadId: lead.leadId, error: (err as Error | undefined)?.name ?? 'Error' });
      await replay.release(requestId);
      return respond(503, { message: 'Try again later' }, { 'retry-after': '30' });
    }
    await replay.complete(requestId, eventIds[0]);
    logger.info('Lead put on the bus', { leadId: lead.leadId, eventId: eventIds[0] });
    return respond(202, { eventId: eventIds[0] });
  }

  return async (event: LambdaFunctionURLEvent): Promise<WebhookResponse> => {
    try {
      return await receive(event);
    } catch (err) {
      // Only the error's name: a message could carry a secret-derived value or a part of the body.
      logger.error('Webhook failed', { error: (err as Error | undefined)?.name ?? 'Error' });
      return respond(500, { message: 'Internal error' });
    }
  };
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const tracer = createTracer();
  return createReceiveWebhookHandler(receiveWebhookConfigFromEnv(process.env), {
    secretsManager: tracer.captureAWSv3Client(new SecretsManagerClient({})),
    eventBridge: tracer.captureAWSv3Client(new EventBridgeClient({})),
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
  });
});
