/**
 * The SaaS-CRM-to-marketing blueprint against moto (a local AWS API):
 *
 * 1. The partner event bus: created, as the partner's customer does, only once the partner event source exists,
 *    with the source's name (EventBridge refuses it otherwise, and so does moto).
 * 2. The webhook stack, created through CloudFormation (the API destination target replaced by an SQS stand-in, see
 *    sqs-stand-ins.ts), and the webhook receiver with real clients: the signing secret read from Secrets Manager
 *    (JSON with `current` and `previous`), a signed request put on the deployed bus, and through its rule into the
 *    stand-in queue as exactly the contact the offline EventRouter predicts (the input transformer's output, allowed
 *    fields only); a request with a bad signature puts nothing.
 * 3. The upsert function with real clients: the marketing secret from Secrets Manager, Powertools idempotency in
 *    DynamoDB, and a local HTTP server standing in for the marketing tool that first answers 429 + Retry-After.
 *
 * What moto could not show: the partner route. moto 5.2.1 reduces every bus name or ARN to its last "/" segment
 * (`_normalize_event_bus_arn`, and the archive's source ARN), so a rule, an archive or PutEvents on a partner bus
 * (`aws.partner/salesforce.com/<org>/<channel>`) fails with "Event bus <channel> does not exist"; the Salesforce
 * route and its contact are covered by the offline router tests (test/blueprints/saas-crm/saas-crm-router.test.ts).
 *
 * Nor can it show: it runs no Lambda function behind a rule (stand-in queues take their place) and makes no
 * HTTP call for an API destination (so the connection's credentials, the rate limit and the `*` path parameter are
 * not exercised: they are checked on the template); it has no function URLs (the receiver is called directly with a
 * function URL event); it does not enforce IAM, queue policies or the archive's replay; and it emits no CloudWatch
 * metrics, so the alarms are never seen to fire. moto 5.2.1's own input transformer writes values unquoted
 * (invalid JSON): moto-patches/sitecustomize.py replaces it for this server, as for stacks.moto.ts.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateEventBusCommand, CreatePartnerEventSourceCommand, EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { App, SecretValue, Stack, aws_events as events, aws_secretsmanager as secretsmanager } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { createIdempotencyTable, drain, fakeLambdaContext, silencePowertools } from './aws-fixtures';
import { MOTO_ACCOUNT_ID, useMoto } from './moto-server';
import { prepareForMoto } from './sqs-stand-ins';
import { MarketingDelivery, SaasCrmToMarketing } from '../../src/blueprints/saas-crm';
import { createReceiveWebhookHandler } from '../../src/blueprints/saas-crm/runtime/receive-webhook.lambda';
import { sign } from '../../src/blueprints/saas-crm/runtime/signature';
import { createUpsertContactHandler } from '../../src/blueprints/saas-crm/runtime/upsert-contact.lambda';
import { EventRouter } from '../../src/testing';

silencePowertools();

const REGION = 'us-east-1';
const SALESFORCE = 'aws.partner/salesforce.com/00D5f000005KcCnEAK/0YL5f000000CabWGAS';
const SIGNING_SECRET = 'whsec-moto-5b1f';
const moto = useMoto({ pythonPath: [path.join(__dirname, 'moto-patches')] });

test('the partner bus can only be created for an existing partner event source, and takes its name', async () => {
  await moto.reset();
  const eventBridge = new EventBridgeClient({});
  await expect(eventBridge.send(new CreateEventBusCommand({ Name: SALESFORCE, EventSourceName: SALESFORCE })))
    .rejects.toThrow(`Event source ${SALESFORCE} does not exist.`);
  // The partner's side: Salesforce creates the partner event source for our account when the relay is set up.
  await eventBridge.send(new CreatePartnerEventSourceCommand({ Name: SALESFORCE, Account: MOTO_ACCOUNT_ID }));
  const bus = await eventBridge.send(new CreateEventBusCommand({ Name: SALESFORCE, EventSourceName: SALESFORCE }));
  expect(bus.EventBusArn).toBe(`arn:aws:events:${REGION}:${MOTO_ACCOUNT_ID}:event-bus/${SALESFORCE}`);
});

describe('the webhook stack in moto', () => {
  let physical: Record<string, string>;
  let types: Record<string, string>;
  let router: EventRouter;
  let busName: string;
  let standInQueueId: string;

  beforeAll(async () => {
    await moto.reset();
    const stack = new Stack(new App(), 'SaasCrmMoto', { env: { account: MOTO_ACCOUNT_ID, region: REGION } });
    new SaasCrmToMarketing(stack, 'Crm', {
      webhook: { signingSecret: secretsmanager.Secret.fromSecretNameV2(stack, 'Signing', 'crm/signing') },
      delivery: MarketingDelivery.apiDestination({
        endpoint: 'https://marketing.example.com/contacts/*',
        authorization: events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('crm/marketing-api-key')),
      }),
    });
    const prepared = prepareForMoto(Template.fromStack(stack).toJSON(), 'SaasCrmMoto');
    expect(prepared.standIns).toHaveLength(1);
    standInQueueId = prepared.standIns[0].queueLogicalId;
    const cfn = new CloudFormationClient({});
    await cfn.send(new CreateStackCommand({ StackName: 'SaasCrmMoto', TemplateBody: JSON.stringify(prepared.template), Capabilities: ['CAPABILITY_IAM'] }));
    await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName: 'SaasCrmMoto' });
    const resources = (await cfn.send(new DescribeStackResourcesCommand({ StackName: 'SaasCrmMoto' }))).StackResources ?? [];
    physical = {};
    types = {};
    for (const r of resources) {
      if (r.ResourceType && r.LogicalResourceId && r.PhysicalResourceId) {
        physical[r.LogicalResourceId] = r.PhysicalResourceId;
        types[r.LogicalResourceId] = r.ResourceType;
      }
    }
    router = EventRouter.fromTemplate(prepared.template, { stackName: 'SaasCrmMoto', account: MOTO_ACCOUNT_ID, region: REGION });
    busName = physical[Object.keys(types).find((id) => types[id] === 'AWS::Events::EventBus')!];
  });

  async function receivedPerQueue(): Promise<Record<string, unknown[]>> {
    const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
    const out: Record<string, unknown[]> = {};
    for (const id of Object.keys(types).filter((i) => types[i] === 'AWS::SQS::Queue')) {
      const bodies = await drain(sqs, physical[id]);
      if (bodies.length > 0) out[id] = bodies.map((b) => JSON.parse(b));
    }
    return out;
  }

  test('a signed lead goes through the receiver, the bus and the rule: the stand-in gets the predicted contact', async () => {
    const secrets = new SecretsManagerClient({});
    const secret = await secrets.send(new CreateSecretCommand({ Name: 'crm/signing-moto', SecretString: JSON.stringify({ current: SIGNING_SECRET, previous: 'old' }) }));
    const now = Date.UTC(2026, 10, 30, 12, 0, 0);
    const replayTable = physical[Object.keys(types).find((id) => types[id] === 'AWS::DynamoDB::Table' && id.includes('WebhookReplayTable'))!];
    const receive = createReceiveWebhookHandler({
      signingSecretArn: secret.ARN!, eventBusName: busName, eventSource: 'com.example.crm.webhook', replayTableName: replayTable,
    }, {
      secretsManager: secrets, eventBridge: new EventBridgeClient({}), dynamoDb: new DynamoDBClient({}), now: () => now,
    });
    const lead = { leadId: 'L-42', updatedAt: '2026-11-30T11:59:00Z', email: 'grace@example.com', firstName: 'Grace', phone: '+1 555 0100' };
    const body = JSON.stringify(lead);
    const request = (signature: string) => ({
      requestContext: { http: { method: 'POST' } },
      headers: { 'content-type': 'application/json', 'x-crm-timestamp': String(now / 1000), 'x-crm-signature': signature },
      body,
      isBase64Encoded: false,
    }) as unknown as LambdaFunctionURLEvent;

    expect((await receive(request(sign('guess', String(now / 1000), body)))).statusCode).toBe(401);
    expect(await receivedPerQueue()).toEqual({});

    const accepted = await receive(request(`sha256=${sign(SIGNING_SECRET, String(now / 1000), body)}`));
    expect(accepted.statusCode).toBe(202);
    const eventId = JSON.parse(accepted.body!).eventId;

    const [predicted] = router.route({
      'id': eventId,
      'detail-type': 'LeadUpdated',
      'source': 'com.example.crm.webhook',
      'account': MOTO_ACCOUNT_ID,
      'region': REGION,
      'time': '2026-11-30T12:00:00Z',
      'detail': lead,
    }, { eventBus: busName });
    expect(predicted.target.logicalId).toBe(standInQueueId);
    expect(predicted.input).toEqual({
      externalId: 'L-42',
      email: 'grace@example.com',
      firstName: 'Grace',
      lastName: '',
      company: '',
      leadStatus: '',
      emailOptOut: '',
      updatedAt: '2026-11-30T11:59:00Z',
      eventId,
    });
    expect(await receivedPerQueue()).toEqual({ [standInQueueId]: [predicted.input] });

    // The same signed request again, within the timestamp window: answered with the first event, nothing new on the bus.
    const replayed = await receive(request(`sha256=${sign(SIGNING_SECRET, String(now / 1000), body)}`));
    expect(replayed.statusCode).toBe(200);
    expect(JSON.parse(replayed.body!)).toEqual({ eventId, duplicate: true });
    expect(await receivedPerQueue()).toEqual({});
  });
});

describe('the upsert function in moto', () => {
  let server: Server;
  let requests: Array<{ method?: string; url?: string; headers: IncomingMessage['headers']; body: unknown }>;
  let answers: Array<{ status: number; headers?: Record<string, string> }>;

  beforeAll(async () => {
    requests = [];
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, headers: req.headers, body: JSON.parse(text) });
        const answer = answers.shift() ?? { status: 200 };
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end('{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  test('honours 429 + Retry-After, upserts once, and a redelivery is answered from DynamoDB without a call', async () => {
    await moto.reset();
    const { port } = server.address() as AddressInfo;
    const ddb = new DynamoDBClient({});
    await createIdempotencyTable(ddb, 'crm-idempotency');
    const secrets = new SecretsManagerClient({});
    const secret = await secrets.send(new CreateSecretCommand({
      Name: 'crm/marketing-moto',
      SecretString: JSON.stringify({ endpoint: `http://127.0.0.1:${port}/contacts/{externalId}`, authorization: 'Bearer moto-token' }),
    }));
    const slept: number[] = [];
    const upsert = createUpsertContactHandler({
      secretArn: secret.ARN!, idempotencyTableName: 'crm-idempotency', allowedFields: ['leadId', 'email', 'firstName', 'updatedAt'],
    }, { dynamoDb: ddb, secretsManager: secrets, sleep: async (ms) => { slept.push(ms); } });

    answers = [{ status: 429, headers: { 'retry-after': '1' } }, { status: 204 }];
    const contact = { externalId: 'L-42', email: 'grace@example.com', firstName: '', phone: '+1 555 0100', updatedAt: '2026-11-30T11:59:00Z', eventId: 'evt-moto-1' };
    const result = await upsert(contact, fakeLambdaContext('upsert'));
    expect(result).toEqual({ status: 'upserted', externalId: 'L-42', attributes: ['email', 'updatedAt'], attempts: 2 });
    expect(slept).toEqual([1000]);
    expect(requests).toHaveLength(2);
    expect(requests[1]).toMatchObject({
      method: 'PUT',
      url: '/contacts/L-42',
      headers: { 'idempotency-key': 'evt-moto-1', 'authorization': 'Bearer moto-token' },
      body: { externalId: 'L-42', email: 'grace@example.com', updatedAt: '2026-11-30T11:59:00Z' },
    });

    await expect(upsert(contact, fakeLambdaContext('upsert'))).resolves.toEqual(result);
    expect(requests).toHaveLength(2);

    // An older update of the same lead, delivered late (another event), is skipped: the opt-out is not undone.
    answers = [];
    const older = { ...contact, email: 'old@example.com', updatedAt: '2026-11-30T11:00:00Z', eventId: 'evt-moto-0' };
    await expect(upsert(older, fakeLambdaContext('upsert'))).resolves.toEqual({ status: 'stale', externalId: 'L-42' });
    expect(requests).toHaveLength(2);
    // A newer one goes through.
    const newer = { ...contact, email: 'new@example.com', updatedAt: '2026-11-30T12:30:00Z', eventId: 'evt-moto-2' };
    await expect(upsert(newer, fakeLambdaContext('upsert'))).resolves.toMatchObject({ status: 'upserted' });
    expect(requests).toHaveLength(3);
  });
});
