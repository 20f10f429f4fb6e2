/** open-ticket against moto (Secrets Manager, DynamoDB) and a local HTTP server as the ticketing system. */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createTable, silencePowertools } from './aws-fixtures';
import { useMoto } from './moto-server';
import { parseTicketEvent } from '../../src/blueprints/error-to-ticket/runtime/fingerprint';
import type { TicketRequest } from '../../src/blueprints/error-to-ticket/runtime/fingerprint';
import type { OpenTicketConfig } from '../../src/blueprints/error-to-ticket/runtime/open-ticket.lambda';
import { createOpenTicketHandler, handler } from '../../src/blueprints/error-to-ticket/runtime/open-ticket.lambda';

const parsedFingerprint = (event: unknown) => (parseTicketEvent(event) as TicketRequest).fingerprint;

silencePowertools();

const DEDUP = 'dedup';

interface Received {
  readonly headers: IncomingMessage['headers'];
  readonly body: any;
}

/** The fake ticketing system: answers with `mode`. */
let mode: { status: number; delayMs?: number } = { status: 201 };
let received: Received[] = [];
let ticketServer: Server;
let ticketUrl: string;
const moto = useMoto();
let ddb: DynamoDBClient;
let secretArn: string;

beforeAll(async () => {
  ticketServer = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, body: JSON.parse(body) });
      const answer = () => {
        res.writeHead(mode.status, { 'Content-Type': 'application/json' });
        res.end(mode.status < 300 ? JSON.stringify({ id: `T-${received.length}` }) : '{"error":"unavailable"}');
      };
      if (mode.delayMs) setTimeout(answer, mode.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve) => ticketServer.listen(0, '127.0.0.1', resolve));
  ticketUrl = `http://127.0.0.1:${(ticketServer.address() as AddressInfo).port}/api/tickets`;
});

beforeEach(async () => {
  await moto.reset();
  mode = { status: 201 };
  received = [];
  ddb = new DynamoDBClient({});
  await createTable(ddb, DEDUP, 'fingerprint');
  const secret = await new SecretsManagerClient({}).send(new CreateSecretCommand({
    Name: 'ticketing',
    SecretString: JSON.stringify({ endpoint: ticketUrl, authorization: 'Bearer test-token' }),
  }));
  secretArn = secret.ARN!;
});

afterAll(async () => {
  ticketServer.closeAllConnections();
  await new Promise((resolve) => ticketServer.close(resolve));
});

function makeHandler(overrides: Partial<OpenTicketConfig> = {}) {
  return createOpenTicketHandler({ secretArn, dedupTableName: DEDUP, httpTimeoutMs: 500, ...overrides }, {
    dynamoDb: ddb,
    secretsManager: new SecretsManagerClient({}),
  });
}

const errorReported = (message = 'Payment call took 5012 ms', id = 'evt-1') => ({
  'version': '0',
  id,
  'detail-type': 'ErrorReported',
  'source': 'com.example.checkout',
  'account': '123456789012',
  'region': 'us-east-1',
  'time': '2026-11-26T10:00:00Z',
  'resources': [],
  'detail': { service: 'checkout', errorType: 'TimeoutError', message, severity: 'high' },
});

const alarm = (alarmName: string) => ({
  'version': '0',
  'id': 'evt-alarm',
  'detail-type': 'CloudWatch Alarm State Change',
  'source': 'aws.cloudwatch',
  'account': '123456789012',
  'region': 'us-east-1',
  'time': '2026-11-26T10:00:00Z',
  'resources': [`arn:aws:cloudwatch:us-east-1:123456789012:alarm:${alarmName}`],
  'detail': {
    alarmName,
    state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: '2026-11-26T10:00:00.000+0000' },
    previousState: { value: 'OK', reason: 'ok', timestamp: '2026-11-26T09:00:00.000+0000' },
    configuration: { description: 'CPU too high' },
  },
});

async function dedupItem(fingerprint: string) {
  return (await ddb.send(new GetItemCommand({ TableName: DEDUP, Key: { fingerprint: { S: fingerprint } }, ConsistentRead: true }))).Item;
}

test('a 2xx answer opens a ticket: secret read from Secrets Manager, claim recorded', async () => {
  const result = await makeHandler()(errorReported());
  expect(result).toMatchObject({ status: 'opened', ticketId: 'T-1' });
  expect(received).toHaveLength(1);
  expect(received[0].headers.authorization).toBe('Bearer test-token');
  expect(received[0].headers['idempotency-key']).toBe('evt-1');
  expect(received[0].body).toMatchObject({ severity: 'high', kind: 'error', labels: { service: 'checkout', errorType: 'TimeoutError' } });
  const item = await dedupItem((result as { fingerprint: string }).fingerprint);
  expect(item?.status?.S).toBe('opened');
  expect(item?.ticketId?.S).toBe('T-1');
  expect(Number(item?.expiresAt?.N)).toBeGreaterThan(Date.now() / 1000 + 3500);
});

test('the same fingerprint within the window opens ONE ticket', async () => {
  const handle = makeHandler();
  const first = await handle(errorReported('Payment call took 5012 ms', 'evt-1'));
  const second = await handle(errorReported('Payment call took 7000 ms', 'evt-2'));
  expect(first.status).toBe('opened');
  expect(second).toEqual({ status: 'duplicate', fingerprint: (first as { fingerprint: string }).fingerprint, ticketId: 'T-1' });
  expect(received).toHaveLength(1);
});

test('after the window a new ticket is opened (expired item, TTL not yet applied)', async () => {
  let now = Date.parse('2026-11-26T10:00:00Z');
  const handle = createOpenTicketHandler({ secretArn, dedupTableName: DEDUP, httpTimeoutMs: 500, dedupWindowSeconds: 60 }, {
    dynamoDb: ddb, secretsManager: new SecretsManagerClient({}), now: () => now,
  });
  expect((await handle(errorReported())).status).toBe('opened');
  now += 61_000;
  expect((await handle(errorReported())).status).toBe('opened');
  expect(received).toHaveLength(2);
});

test('a non-2xx answer throws and releases the claim, so the retry opens the ticket', async () => {
  const handle = makeHandler();
  mode = { status: 503 };
  await expect(handle(errorReported())).rejects.toThrow('Ticketing system answered HTTP 503');
  expect(received).toHaveLength(1);
  expect(await dedupItem(parsedFingerprint(errorReported()))).toBeUndefined();
  mode = { status: 201 };
  await expect(handle(errorReported())).resolves.toMatchObject({ status: 'opened', ticketId: 'T-2' });
  expect(received).toHaveLength(2);
});

test('a timeout throws and releases the claim', async () => {
  const handle = makeHandler({ httpTimeoutMs: 200 });
  mode = { status: 201, delayMs: 1000 };
  await expect(handle(alarm('HighCpu'))).rejects.toThrow('Ticketing system did not answer within 200 ms');
  expect(await dedupItem('alarm:123456789012:us-east-1:HighCpu')).toBeUndefined();
  mode = { status: 201 };
  await expect(handle(alarm('HighCpu'))).resolves.toMatchObject({ status: 'opened' });
});

test('a claim whose lease ran out (the invocation died) is taken over', async () => {
  let now = Date.parse('2026-11-26T10:00:00Z');
  const deps = { dynamoDb: ddb, secretsManager: new SecretsManagerClient({}), now: () => now };
  const config = { secretArn, dedupTableName: DEDUP, httpTimeoutMs: 200, claimLeaseSeconds: 30 };
  // An invocation that claimed the fingerprint and then died (timeout, crash) before releasing it:
  const fingerprint = 'alarm:123456789012:us-east-1:Stale';
  await ddb.send(new PutItemCommand({
    TableName: DEDUP,
    Item: {
      fingerprint: { S: fingerprint },
      status: { S: 'pending' },
      claimId: { S: 'dead' },
      leaseUntil: { N: String(now / 1000 + 30) },
      expiresAt: { N: String(now / 1000 + 3600) },
    },
  }));
  const handle = createOpenTicketHandler(config, deps);
  expect(await handle(alarm('Stale'))).toEqual({ status: 'duplicate', fingerprint });
  now += 31_000;
  expect(await handle(alarm('Stale'))).toMatchObject({ status: 'opened' });
});

test('alarm state changes other than ALARM are ignored', async () => {
  const event = alarm('HighCpu');
  event.detail.state.value = 'OK';
  await expect(makeHandler()(event)).resolves.toEqual({ status: 'ignored', reason: 'alarm HighCpu changed to OK, not ALARM' });
  expect(received).toHaveLength(0);
});

test('a malformed event throws a non-retryable error', async () => {
  await expect(makeHandler()({ 'detail-type': 'ErrorReported', 'detail': { service: 'x' } })).rejects.toThrow(/non-retryable/);
});

test('the exported handler reads its configuration from the environment', async () => {
  Object.assign(process.env, { TICKETING_SECRET_ARN: secretArn, DEDUP_TABLE_NAME: DEDUP });
  try {
    await expect(handler(errorReported(), undefined)).resolves.toMatchObject({ status: 'opened' });
  } finally {
    delete process.env.TICKETING_SECRET_ARN;
    delete process.env.DEDUP_TABLE_NAME;
  }
});
