/**
 * The iot-devices blueprint against moto 5.2.1: what moto can create and run of it.
 *
 * Created through CloudFormation and exercised here: the SQS queues (the status queue's redrive to its dead-letter
 * queue), the bus and both rules (PutEvents -> every status to analysis and log, faults to the workflow), the
 * DynamoDB tickets table (the workflow's conditional writes, evaluated from its own JSONata), and the Step Functions
 * API (the state machine is created with its definition; an execution starts).
 *
 * What moto could not run (asserted below, so that a moto upgrade that adds support shows up):
 * - the IoT topic rule: moto's CloudFormation skips `AWS::IoT::TopicRule` (and moto has no MQTT broker or rules
 *   engine to publish through);
 * - the pipe: moto has no EventBridge Pipes (`AWS::Pipes::Pipe` skipped): the test puts the events the pipe would put;
 * - Firehose: moto's CloudFormation skips `AWS::KinesisFirehose::DeliveryStream` (the stream and the policy that
 *   refers to it are removed from the moto template);
 * - Firehose and Step Functions as rule targets: moto's EventBridge delivers to SQS, logs and buses only, so those
 *   targets are SQS stand-ins (same target Id and input) that show what EventBridge would deliver;
 * - the state machine's states: moto starts an execution but does not run service integrations or JSONata, so the
 *   workflow's DynamoDB writes are replayed here from the synthesized definition;
 * - the heartbeat check function and its schedule: moto runs no Lambda code (its target is a stand-in); the handler
 *   runs here in-process against moto's last-seen table and bus.
 */
import { CloudFormationClient, CreateStackCommand, DescribeStackResourcesCommand, waitUntilStackCreateComplete } from '@aws-sdk/client-cloudformation';
import { BatchWriteItemCommand, ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ReceiveMessageCommand, SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { App, Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import jsonata from 'jsonata';
import { drain, fakeLambdaContext, silencePowertools } from './aws-fixtures';
import { MOTO_ACCOUNT_ID, useMoto } from './moto-server';
import { DEFAULT_STAND_IN_TYPES, UNSUPPORTED_REFERENCED_TYPES, prepareForMoto } from './sqs-stand-ins';
import type { MotoTemplate } from './sqs-stand-ins';
import { IotDeviceManagementStack } from '../../src/blueprints/iot-devices';
import { createCheckHeartbeatsHandler } from '../../src/blueprints/iot-devices/runtime/check-heartbeats.lambda';
import { ReliableRoute } from '../../src/core';
import { EventPublisher } from '../../src/runtime/publisher';
import { EventRouter } from '../../src/testing';
import { jsonataOf, stateMachineDefinition } from '../blueprints/iot-devices/state-machine-definition';

silencePowertools();

const REGION = 'us-east-1';
const STACK = 'IotDevicesMoto';
const T0 = Date.UTC(2026, 10, 30, 10, 0, 0);

const moto = useMoto();
let stack: IotDeviceManagementStack;
let template: Record<string, any>;
let prepared: MotoTemplate;
/** logical id -> physical id of what moto created */
const physical: Record<string, string> = {};

const idOf = (construct: any) => EventRouter.logicalIdOf(construct);

/** A call to a JSON-protocol AWS API on moto, for services without an SDK client in this project. */
async function awsJson(service: string, target: string, body: Record<string, unknown>): Promise<any> {
  const res = await fetch(moto.endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': target,
      'Authorization': `AWS4-HMAC-SHA256 Credential=testing/20261130/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${target}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : {};
}

/** The stand-in queue of a prepared template's target of a type (the first rule that has one, or the given route's). */
function standIn(type: string): string {
  return physical[prepared.standIns.find((s) => s.replacedType === type)!.queueLogicalId];
}

/** The stand-in queue of the state machine target of a route. */
function workflowStandIn(route: ReliableRoute): string {
  const ruleId = idOf(route.rule);
  return physical[prepared.standIns.find((s) => s.ruleLogicalId === ruleId && s.replacedType === 'AWS::StepFunctions::StateMachine')!.queueLogicalId];
}

function statusEntry(detail: Record<string, unknown>) {
  return {
    EventBusName: physical[idOf(stack.blueprint.eventBus)],
    Source: 'com.example.iot',
    DetailType: 'DeviceStatusReported',
    Detail: JSON.stringify(detail),
    Time: new Date(T0),
  };
}

beforeAll(async () => {
  stack = new IotDeviceManagementStack(new App(), STACK, {
    env: { account: MOTO_ACCOUNT_ID, region: REGION },
    faultErrorCodes: ['E42'],
    lowBatteryThreshold: 15,
    heartbeatTimeout: Duration.minutes(15),
  });
  template = Template.fromStack(stack).toJSON();
  prepared = prepareForMoto(template, STACK, {
    types: [...DEFAULT_STAND_IN_TYPES, 'AWS::KinesisFirehose::DeliveryStream', 'AWS::StepFunctions::StateMachine'],
    // moto's CloudFormation skips the delivery stream, then fails on the first Fn::GetAtt to it (the events role).
    removeTypes: [...UNSUPPORTED_REFERENCED_TYPES, 'AWS::KinesisFirehose::DeliveryStream'],
  });
  // moto names a bucket <stack>-<logical id>-<random>, over S3's 63 characters for these logical ids
  // (CloudFormation truncates): name them.
  Object.values<any>(prepared.template.Resources).filter((r) => r.Type === 'AWS::S3::Bucket')
    .forEach((r, i) => { r.Properties = { ...r.Properties, BucketName: `iot-devices-moto-${i}` }; });
  const cfn = new CloudFormationClient({});
  await cfn.send(new CreateStackCommand({ StackName: STACK, TemplateBody: JSON.stringify(prepared.template), Capabilities: ['CAPABILITY_IAM'] }));
  await waitUntilStackCreateComplete({ client: cfn, maxWaitTime: 60, minDelay: 1, maxDelay: 2 }, { StackName: STACK });
  for (const r of (await cfn.send(new DescribeStackResourcesCommand({ StackName: STACK }))).StackResources ?? []) {
    if (r.ResourceType && r.LogicalResourceId && r.PhysicalResourceId) physical[r.LogicalResourceId] = r.PhysicalResourceId;
  }
});

test('moto creates the queues, bus, rules, table and state machine; it skips the IoT rule and the pipe', () => {
  const created = (type: string) => Object.entries<any>(prepared.template.Resources)
    .filter(([id, r]) => r.Type === type && physical[id] !== undefined).length;
  const total = (type: string) => Object.values<any>(template.Resources).filter((r) => r.Type === type).length;
  expect(created('AWS::SQS::Queue')).toBe(total('AWS::SQS::Queue') + prepared.standIns.length);
  for (const type of ['AWS::Events::EventBus', 'AWS::Events::Rule', 'AWS::DynamoDB::Table', 'AWS::StepFunctions::StateMachine']) {
    expect({ type, created: created(type) }).toEqual({ type, created: total(type) });
  }
  // Not supported by moto's CloudFormation (still CREATE_COMPLETE): listed in the file comment.
  expect(created('AWS::IoT::TopicRule')).toBe(0);
  expect(created('AWS::Pipes::Pipe')).toBe(0);
  expect(prepared.standIns.map((s) => s.replacedType).sort())
    .toEqual(['AWS::KinesisFirehose::DeliveryStream', 'AWS::Lambda::Function', 'AWS::StepFunctions::StateMachine', 'AWS::StepFunctions::StateMachine']);
  // Firehose: removed from the moto template with what refers to it (the role EventBridge would use to put records).
  expect(prepared.changes.filter((c) => /^removed \((no moto|refers to the removed)/.test(c.change)).map((c) => c.type).sort())
    .toEqual(['AWS::IAM::Policy', 'AWS::KinesisFirehose::DeliveryStream']);
});

test('the status queue moves a message the pipe failed to take 5 times to its dead-letter queue', async () => {
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const queueUrl = physical[idOf(stack.blueprint.statusQueue)];
  const dlqUrl = physical[idOf(stack.blueprint.statusDeadLetterQueue)];
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify({ deviceId: 'd1', receivedAt: T0 }) }));
  for (let i = 0; i < 5; i++) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0, MaxNumberOfMessages: 1 }));
    expect(out.Messages).toHaveLength(1);
  }
  const sixth = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }));
  expect(sixth.Messages ?? []).toHaveLength(0);
  expect((await drain(sqs, dlqUrl)).map((b) => JSON.parse(b))).toEqual([{ deviceId: 'd1', receivedAt: T0 }]);
});

test('PutEvents: every status reaches analysis, only the fault reaches the workflow; nothing dead-lettered', async () => {
  const events = new EventBridgeClient({});
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const ok = { deviceId: 'd1', receivedAt: T0, state: 'ok', batteryPercent: 80 };
  const fault = { deviceId: 'd2', receivedAt: T0, errorCode: 'E42', batteryPercent: 80 };
  const lowBattery = { deviceId: 'd3', receivedAt: T0, batteryPercent: 14 };
  const out = await events.send(new PutEventsCommand({ Entries: [statusEntry(ok), statusEntry(fault), statusEntry(lowBattery)] }));
  expect(out.FailedEntryCount).toBe(0);

  const analysed = (await drain(sqs, standIn('AWS::KinesisFirehose::DeliveryStream'))).map((b) => JSON.parse(b).detail);
  expect(analysed.sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual([ok, fault, lowBattery]);
  const workflow = (await drain(sqs, workflowStandIn(stack.blueprint.faultRoute))).map((b) => JSON.parse(b));
  expect(workflow.map((e) => e.detail).sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual([fault, lowBattery]);
  expect(workflow[0]).toMatchObject({ 'source': 'com.example.iot', 'detail-type': 'DeviceStatusReported' });
  for (const route of [stack.blueprint.statusRoute, stack.blueprint.faultRoute, stack.blueprint.heartbeatRoute!]) {
    expect(await drain(sqs, physical[idOf(route.deadLetterQueue)])).toEqual([]);
  }
});

describe('the workflow\'s ticket writes on the moto table', () => {
  const ddb = () => new DynamoDBClient({});
  const definition = () => stateMachineDefinition(Template.fromStack(stack));
  const tableName = () => physical[idOf(stack.blueprint.ticketsTable)];

  /** Evaluates every `{% %}` string of a state's Arguments like Step Functions does, with the Classify variables. */
  async function resolve(value: any, bindings: Record<string, unknown>): Promise<any> {
    if (typeof value === 'string') {
      if (value === 'REF') return tableName();
      return value.startsWith('{%') ? jsonata(jsonataOf(value)).evaluate({}, bindings) : value;
    }
    if (Array.isArray(value)) return Promise.all(value.map((v) => resolve(v, bindings)));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await resolve(v, bindings);
      return out;
    }
    return value;
  }

  async function stateArguments(stateName: string, event: any): Promise<any> {
    const def = definition();
    const states = { input: event, context: { Execution: { StartTime: '2026-11-30T10:00:05.000Z', Id: `arn:aws:states:${REGION}:${MOTO_ACCOUNT_ID}:execution:m:e1` } } };
    const vars: Record<string, unknown> = {};
    for (const [name, expr] of Object.entries<string>(def.States.Classify.Assign)) {
      vars[name] = await jsonata(jsonataOf(expr)).evaluate({}, { states });
    }
    return resolve(def.States[stateName].Arguments, { states, ...vars });
  }

  const faultEvent = (receivedAt: number) => ({
    'source': 'com.example.iot',
    'detail-type': 'DeviceStatusReported',
    'time': '2026-11-30T10:00:00Z',
    'detail': { deviceId: 'pump-7', receivedAt, errorCode: 'E42' },
  });

  test('RecordTicket opens a ticket once per device and window; a duplicate fails the condition and CountRepeat counts it', async () => {
    const first = await stateArguments('RecordTicket', faultEvent(T0 + 1000));
    await ddb().send(new PutItemCommand(first));
    const duplicate = await stateArguments('RecordTicket', faultEvent(T0 + 1000));
    await expect(ddb().send(new PutItemCommand(duplicate))).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    const laterInWindow = await stateArguments('RecordTicket', faultEvent(T0 + 3_599_000));
    await expect(ddb().send(new PutItemCommand(laterInWindow))).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await ddb().send(new UpdateItemCommand(await stateArguments('CountRepeat', faultEvent(T0 + 1000))));
    await ddb().send(new UpdateItemCommand(await stateArguments('CountRepeat', faultEvent(T0 + 3_599_000))));

    const item = (await ddb().send(new GetItemCommand({ TableName: tableName(), Key: { ticketId: { S: 'pump-7#2026-11-30T10:00:00.000Z' } }, ConsistentRead: true }))).Item!;
    expect(item).toMatchObject({
      deviceId: { S: 'pump-7' },
      status: { S: 'OPEN' },
      repeats: { N: '2' },
      faults: { L: [{ S: 'ERROR_CODE' }] },
      windowStart: { S: '2026-11-30T10:00:00.000Z' },
    });
    // The next window opens a new ticket.
    await ddb().send(new PutItemCommand(await stateArguments('RecordTicket', faultEvent(T0 + 3_600_000))));
  });

  test('an acknowledgement (OPEN -> ACKNOWLEDGED) makes the Escalate update fail its condition', async () => {
    const key = { ticketId: { S: 'pump-7#2026-11-30T10:00:00.000Z' } };
    // What an operator (or the maintenance system) runs, as in the README.
    await ddb().send(new UpdateItemCommand({
      TableName: tableName(),
      Key: key,
      UpdateExpression: 'SET #status = :ack',
      ConditionExpression: '#status = :open',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':ack': { S: 'ACKNOWLEDGED' }, ':open': { S: 'OPEN' } },
    }));
    await expect(ddb().send(new UpdateItemCommand(await stateArguments('Escalate', faultEvent(T0 + 1000)))))
      .rejects.toBeInstanceOf(ConditionalCheckFailedException);
    // An open ticket (the next window's) is escalated.
    await ddb().send(new UpdateItemCommand(await stateArguments('Escalate', faultEvent(T0 + 3_600_000))));
    const item = (await ddb().send(new GetItemCommand({ TableName: tableName(), Key: { ticketId: { S: 'pump-7#2026-11-30T11:00:00.000Z' } } }))).Item!;
    expect(item.status).toEqual({ S: 'ESCALATED' });
  });
});

test('Step Functions API: the state machine exists with its JSONata definition, and an execution starts', async () => {
  const arn = physical[idOf(stack.blueprint.maintenanceStateMachine)];
  const described = await awsJson('states', 'AWSStepFunctions.DescribeStateMachine', { stateMachineArn: arn });
  const def = JSON.parse(described.definition);
  expect(def.QueryLanguage).toBe('JSONata');
  expect(Object.keys(def.States)).toEqual(expect.arrayContaining(['Classify', 'RecordTicket', 'AnnounceTicket', 'WaitForAcknowledgement', 'ReadTicket', 'Escalate']));
  const started = await awsJson('states', 'AWSStepFunctions.StartExecution', {
    stateMachineArn: arn,
    input: JSON.stringify({ 'source': 'com.example.iot', 'detail-type': 'DeviceStatusReported', 'detail': { deviceId: 'd9', receivedAt: T0, errorCode: 'E42' } }),
  });
  expect(started.executionArn).toMatch(/^arn:aws:states:us-east-1:123456789012:execution:/);
  const execution = await awsJson('states', 'AWSStepFunctions.DescribeExecution', { executionArn: started.executionArn });
  expect(['RUNNING', 'SUCCEEDED']).toContain(execution.status);
});

test('the heartbeat check on the moto last-seen table: a silent device is reported once, to the workflow', async () => {
  const ddb = new DynamoDBClient({});
  const sqs = new SQSClient({ useQueueUrlAsEndpoint: false });
  const table = physical[idOf(stack.blueprint.lastSeenTable!)];
  const now = T0 + 60 * 60_000;
  // What the last-seen rule's DynamoDB action writes: the device id and the receive time.
  await ddb.send(new PutItemCommand({ TableName: table, Item: { deviceId: { S: 'quiet' }, receivedAt: { N: String(now - 16 * 60_000) } } }));
  await ddb.send(new PutItemCommand({ TableName: table, Item: { deviceId: { S: 'chatty' }, receivedAt: { N: String(now - 60_000) } } }));
  const check = createCheckHeartbeatsHandler({ lastSeenTableName: table, heartbeatTimeoutSeconds: 900 }, {
    dynamoDb: ddb,
    publisher: new EventPublisher({ client: new EventBridgeClient({}), eventBusName: physical[idOf(stack.blueprint.eventBus)], source: 'com.example.iot' }),
    now: () => now,
  });

  await expect(check({}, fakeLambdaContext())).resolves.toEqual({ scanned: 2, silent: 1, reported: 1, skipped: 0, complete: true, resumed: false });
  const received = (await drain(sqs, workflowStandIn(stack.blueprint.heartbeatRoute!))).map((b) => JSON.parse(b));
  expect(received).toHaveLength(1);
  expect(received[0]).toMatchObject({
    'detail-type': 'DeviceHeartbeatMissed',
    'detail': { deviceId: 'quiet', lastReceivedAt: now - 16 * 60_000, heartbeatTimeoutSeconds: 900 },
  });

  // Reported once: the next check finds nothing new.
  await expect(check({}, fakeLambdaContext())).resolves.toMatchObject({ silent: 0, reported: 0 });
  // A new status replaces the item (and its mark): silent again later, reported again.
  await ddb.send(new PutItemCommand({ TableName: table, Item: { deviceId: { S: 'quiet' }, receivedAt: { N: String(now - 15 * 60_000 - 1) } } }));
  await expect(check({}, fakeLambdaContext())).resolves.toMatchObject({ silent: 1, reported: 1 });
  expect(await drain(sqs, workflowStandIn(stack.blueprint.heartbeatRoute!))).toHaveLength(1);
});

test('a fleet that needs many scan pages: runs resume where the last stopped until every silent device is reported once', async () => {
  const ddb = new DynamoDBClient({});
  const table = physical[idOf(stack.blueprint.lastSeenTable!)];
  const now = T0 + 2 * 60 * 60_000;
  const FLEET = 3_000;
  for (let i = 0; i < FLEET; i += 25) {
    await ddb.send(new BatchWriteItemCommand({
      RequestItems: {
        [table]: Array.from({ length: Math.min(25, FLEET - i) }, (_, k) => ({
          // One device in three is silent.
          PutRequest: { Item: { deviceId: { S: `fleet-${String(i + k).padStart(5, '0')}` }, receivedAt: { N: String((i + k) % 3 === 0 ? now - 20 * 60_000 : now - 60_000) } } },
        })),
      },
    }));
  }
  const reported: string[] = [];
  const check = createCheckHeartbeatsHandler({ lastSeenTableName: table, heartbeatTimeoutSeconds: 900, maxScanPages: 4, scanPageSize: 100 }, {
    dynamoDb: ddb,
    publisher: new EventPublisher({
      client: {
        send: async (command) => {
          const entries = command.input.Entries ?? [];
          reported.push(...entries.map((e) => JSON.parse(e.Detail!).deviceId));
          return { FailedEntryCount: 0, Entries: entries.map((_, n) => ({ EventId: `ev-${n}` })), $metadata: {} };
        },
      },
      eventBusName: 'fleet',
      source: 'com.example.iot',
    }),
    now: () => now,
  });

  const runs: Array<{ ms: number; scanned: number; complete: boolean }> = [];
  for (let run = 0; run < 20; run++) {
    const started = Date.now();
    const result = await check({}, fakeLambdaContext());
    runs.push({ ms: Date.now() - started, scanned: result.scanned, complete: result.complete });
    if (result.complete) break;
  }
  const silent = Array.from({ length: FLEET }, (_, i) => i).filter((i) => i % 3 === 0).map((i) => `fleet-${String(i).padStart(5, '0')}`);
  // Every silent device of the fleet, each once, and no other (the devices of the test above are in the table too).
  expect(reported.filter((d) => d.startsWith('fleet-')).sort()).toEqual(silent);
  expect(runs.at(-1)!.complete).toBe(true);
  expect(runs.length).toBeGreaterThanOrEqual(Math.ceil(FLEET / (4 * 100)));
  console.log(`heartbeat check over ${FLEET} devices (moto, 100 items a page, 4 pages a run): ${runs.length} runs, `
    + `${runs.map((r) => `${r.scanned} items in ${r.ms} ms`).join('; ')}`);
});
