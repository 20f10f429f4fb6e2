import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createReceiveWebhookHandler, receiveWebhookConfigFromEnv } from '../../../../src/blueprints/saas-crm/runtime/receive-webhook.lambda';
import type { ReplayGuard } from '../../../../src/blueprints/saas-crm/runtime/receive-webhook.lambda';
import { sign } from '../../../../src/blueprints/saas-crm/runtime/signature';

const SECRET = 'whsec-unit-test-7f3a9c';
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const TS = String(NOW / 1000);
const secretsManager = mockClient(SecretsManagerClient);
const eventBridge = mockClient(EventBridgeClient);

/** A logger that records every call, to prove what is (not) logged. */
function recordingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const record = (...args: unknown[]) => {
    lines.push(JSON.stringify(args));
  };
  const logger = {
    info: record, warn: record, error: record, debug: record, appendKeys: record, removeKeys: record, addContext: record,
  } as unknown as Logger;
  return { logger, lines };
}

let log: { logger: Logger; lines: string[] };

/** The replay table, in memory, with DynamoDB's semantics for the three calls. */
function memoryReplayGuard(): ReplayGuard & { claims: Map<string, { expiresAt: number; eventId?: string }> } {
  const claims = new Map<string, { expiresAt: number; eventId?: string }>();
  return {
    claims,
    async claim(id, expiresAt) {
      const old = claims.get(id);
      if (old === undefined) {
        claims.set(id, { expiresAt });
        return { kind: 'new' };
      }
      return old.eventId !== undefined ? { kind: 'received', eventId: old.eventId } : { kind: 'in-flight' };
    },
    async complete(id, eventId) {
      claims.get(id)!.eventId = eventId;
    },
    async release(id) {
      claims.delete(id);
    },
  };
}

function receiver(overrides: { maxBodyBytes?: number } = {}, replayGuard: ReplayGuard = memoryReplayGuard()) {
  return createReceiveWebhookHandler({
    signingSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:signing-AbCdEf',
    eventBusName: 'arn:aws:events:eu-west-1:111111111111:event-bus/crm',
    eventSource: 'com.example.crm.webhook',
    replayTableName: 'replays',
    ...overrides,
  }, {
    replayGuard,
    secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }),
    eventBridge: new EventBridgeClient({ region: 'eu-west-1' }),
    logger: log.logger,
    now: () => NOW,
    sleep: async () => undefined,
  });
}

const LEAD = { leadId: 'L-42', updatedAt: '2026-11-30T11:59:00Z', email: 'ada@example.com', firstName: 'Ada', emailOptOut: false, favouriteColour: 'green' };

interface RequestOptions {
  body?: string;
  method?: string;
  headers?: Record<string, string>;
  base64?: boolean;
  signature?: string;
  timestamp?: string;
}

function request(options: RequestOptions = {}): LambdaFunctionURLEvent {
  const body = options.body ?? JSON.stringify(LEAD);
  const timestamp = options.timestamp ?? TS;
  return {
    version: '2.0',
    rawPath: '/',
    rawQueryString: '',
    headers: {
      'content-type': 'application/json',
      'x-crm-timestamp': timestamp,
      'x-crm-signature': options.signature ?? `sha256=${sign(SECRET, timestamp, body)}`,
      ...options.headers,
    },
    requestContext: { http: { method: options.method ?? 'POST' } },
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: options.base64 ?? false,
  } as unknown as LambdaFunctionURLEvent;
}

beforeEach(() => {
  log = recordingLogger();
  secretsManager.reset();
  eventBridge.reset();
  secretsManager.on(GetSecretValueCommand).resolves({ SecretString: SECRET });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-1' }] });
});

test('a signed lead is put on the bus as LeadUpdated, known fields only, and answered 202 with the event id', async () => {
  const res = await receiver()(request());
  expect(res).toEqual({ statusCode: 202, headers: { 'content-type': 'application/json' }, body: '{"eventId":"evt-1"}' });
  const entry = eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
  expect(entry).toMatchObject({ EventBusName: 'arn:aws:events:eu-west-1:111111111111:event-bus/crm', Source: 'com.example.crm.webhook', DetailType: 'LeadUpdated' });
  expect(JSON.parse(entry.Detail!)).toEqual({ leadId: 'L-42', updatedAt: '2026-11-30T11:59:00Z', email: 'ada@example.com', firstName: 'Ada', emailOptOut: false });
});

test('a base64-encoded body (binary content) is decoded before the signature check', async () => {
  const res = await receiver()(request({ base64: true }));
  expect(res.statusCode).toBe(202);
});

test('the secret is read once and cached', async () => {
  const receive = receiver();
  await receive(request());
  await receive(request());
  expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
});

test('405 for another method, with Allow: POST', async () => {
  const res = await receiver()(request({ method: 'GET' }));
  expect(res.statusCode).toBe(405);
  expect(res.headers).toMatchObject({ allow: 'POST' });
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
});

test('413 for a body over the limit, before the secret is even read', async () => {
  const big = JSON.stringify({ ...LEAD, company: 'x'.repeat(2000) });
  const res = await receiver({ maxBodyBytes: 1024 })(request({ body: big }));
  expect(res.statusCode).toBe(413);
  expect(JSON.parse(res.body!)).toEqual({ message: 'The body must be at most 1024 bytes' });
  expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
});

test('413 for a base64 body whose text is far over the limit (not decoded)', async () => {
  const res = await receiver({ maxBodyBytes: 1024 })(request({ body: 'a'.repeat(10_000), base64: true }));
  expect(res.statusCode).toBe(413);
});

test('415 for a body that is not JSON by its content type', async () => {
  const res = await receiver()(request({ headers: { 'content-type': 'text/plain' } }));
  expect(res.statusCode).toBe(415);
});

test('JSON with a charset or a +json type is accepted', async () => {
  expect((await receiver()(request({ headers: { 'content-type': 'application/json; charset=utf-8' } }))).statusCode).toBe(202);
  expect((await receiver()(request({ headers: { 'content-type': 'application/vnd.crm+json' } }))).statusCode).toBe(202);
});

test.each<[string, Parameters<typeof request>[0], string]>([
  ['a wrong signature', { signature: sign('guess', TS, JSON.stringify(LEAD)) }, 'bad-signature'],
  ['no signature', { headers: { 'x-crm-signature': '' } }, 'missing-signature'],
  ['a replayed request (timestamp 10 minutes old)', { timestamp: String(NOW / 1000 - 600) }, 'stale-timestamp'],
  ['a garbled timestamp', { timestamp: 'yesterday' }, 'malformed-timestamp'],
])('401 for %s, with the reason in the log only', async (_name, options, reason) => {
  const res = await receiver()(request(options));
  expect(res.statusCode).toBe(401);
  expect(JSON.parse(res.body!)).toEqual({ message: 'Signature verification failed' });
  expect(log.lines.some((l) => l.includes(reason))).toBe(true);
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
});

test('400 for a signed body that is not JSON', async () => {
  const res = await receiver()(request({ body: '{"leadId": ' }));
  expect(res.statusCode).toBe(400);
  expect(JSON.parse(res.body!)).toEqual({ message: 'The body is not a valid lead', problems: ['body must be JSON'] });
});

test('400 for a signed body that is not a lead, listing the problems', async () => {
  const res = await receiver()(request({ body: JSON.stringify({ leadId: '', updatedAt: 'soon', emailOptOut: 'no' }) }));
  expect(res.statusCode).toBe(400);
  expect(JSON.parse(res.body!).problems).toEqual([
    'body.leadId must have at least 1 character(s), got 0',
    'body.updatedAt must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got a string of 4 characters',
    'body.emailOptOut must be boolean, got a string of 2 characters',
  ]);
});

test('503 with Retry-After when the bus refuses the event (the CRM retries)', async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
  const res = await receiver()(request());
  expect(res.statusCode).toBe(503);
  expect(res.headers).toMatchObject({ 'retry-after': '30' });
});

describe('a signed request replayed within the timestamp window', () => {
  test('is accepted once: the copy gets the first event id, and nothing more goes on the bus', async () => {
    const guard = memoryReplayGuard();
    const receive = receiver({}, guard);
    expect((await receive(request())).statusCode).toBe(202);
    const copy = await receive(request());
    expect(copy).toEqual({ statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"eventId":"evt-1","duplicate":true}' });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
    // The claim lasts until the window is over (then the timestamp check refuses copies anyway).
    expect([...guard.claims.values()]).toEqual([{ expiresAt: Number(TS) + 300 + 60, eventId: 'evt-1' }]);
  });

  test('another body or another timestamp is another request', async () => {
    const receive = receiver();
    expect((await receive(request())).statusCode).toBe(202);
    expect((await receive(request({ body: JSON.stringify({ ...LEAD, firstName: 'Grace' }) }))).statusCode).toBe(202);
    expect((await receive(request({ timestamp: String(Number(TS) + 1) }))).statusCode).toBe(202);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
  });

  test('a claim whose publish failed is released, so that the CRM\'s retry goes through', async () => {
    const guard = memoryReplayGuard();
    const receive = receiver({}, guard);
    eventBridge.on(PutEventsCommand).resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'x' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'x' }] })
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'x' }] })
      .resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-2' }] });
    expect((await receive(request())).statusCode).toBe(503);
    expect(guard.claims.size).toBe(0);
    expect(await receive(request())).toMatchObject({ statusCode: 202, body: '{"eventId":"evt-2"}' });
  });

  test('a copy that arrives while the first is being received gets 409 with Retry-After', async () => {
    const guard = memoryReplayGuard();
    await guard.claim(createHash('sha256').update(`${TS}.`).update(JSON.stringify(LEAD)).digest('hex'), 0);
    const res = await receiver({}, guard)(request());
    expect(res.statusCode).toBe(409);
    expect(res.headers).toMatchObject({ 'retry-after': '5' });
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });
});

test('500, not a crash, when the signing secret cannot be read', async () => {
  secretsManager.on(GetSecretValueCommand).rejects(Object.assign(new Error(`AccessDenied for ${SECRET}`), { name: 'AccessDeniedException' }));
  const res = await receiver()(request());
  expect(res).toMatchObject({ statusCode: 500, body: '{"message":"Internal error"}' });
  expect(log.lines.join('\n')).not.toContain(SECRET);
});

test('an event without requestContext or body gets an answer, not a crash', async () => {
  expect((await receiver()({} as LambdaFunctionURLEvent)).statusCode).toBe(405);
  const res = await receiver()({ requestContext: { http: { method: 'POST' } } } as unknown as LambdaFunctionURLEvent);
  expect(res.statusCode).toBe(415);
});

test('never logs the signing secret, the signature or the body', async () => {
  const receive = receiver();
  const good = request();
  await receive(good);
  await receive(request({ signature: sign('guess', TS, JSON.stringify(LEAD)) }));
  await receive(request({ body: JSON.stringify({ leadId: 'L-1', updatedAt: 'x', email: 'private@example.com' }) }));
  const all = log.lines.join('\n');
  expect(all).not.toContain(SECRET);
  expect(all).not.toContain(sign(SECRET, TS, JSON.stringify(LEAD)));
  expect(all).not.toContain(sign('guess', TS, JSON.stringify(LEAD)));
  expect(all).not.toContain('ada@example.com');
  expect(all).not.toContain('private@example.com');
  expect(all).toContain('Lead put on the bus');
});

test('configuration from the environment: defaults, lower-cased header names, and bounds', () => {
  const env = { SIGNING_SECRET_ARN: 'arn:s', EVENT_BUS_NAME: 'bus', EVENT_SOURCE: 'src', REPLAY_TABLE_NAME: 'replays' };
  expect(receiveWebhookConfigFromEnv(env)).toEqual({
    replayTableName: 'replays',
    signingSecretArn: 'arn:s',
    eventBusName: 'bus',
    eventSource: 'src',
    maxBodyBytes: 65536,
    toleranceSeconds: 300,
    signatureHeader: 'x-crm-signature',
    timestampHeader: 'x-crm-timestamp',
  });
  expect(receiveWebhookConfigFromEnv({ ...env, SIGNATURE_HEADER: 'X-Hub-Signature' }).signatureHeader).toBe('x-hub-signature');
  expect(() => receiveWebhookConfigFromEnv({ ...env, TIMESTAMP_TOLERANCE_SECONDS: '3600' }))
    .toThrow('Environment variable TIMESTAMP_TOLERANCE_SECONDS must be an integer between 1 and 900, got \'3600\'');
  expect(() => receiveWebhookConfigFromEnv({ EVENT_BUS_NAME: 'bus', EVENT_SOURCE: 'src' })).toThrow('Missing required environment variable SIGNING_SECRET_ARN');
  expect(() => receiveWebhookConfigFromEnv({ SIGNING_SECRET_ARN: 'arn:s', EVENT_BUS_NAME: 'bus', EVENT_SOURCE: 'src' }))
    .toThrow('Missing required environment variable REPLAY_TABLE_NAME');
});
