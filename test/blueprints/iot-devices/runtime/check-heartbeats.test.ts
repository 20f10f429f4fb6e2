import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import {
  CURSOR_ID, HeartbeatPublishError, checkHeartbeatsConfigFromEnv, createCheckHeartbeatsHandler,
} from '../../../../src/blueprints/iot-devices/runtime/check-heartbeats.lambda';
import { EventPublisher } from '../../../../src/runtime/publisher';
import { silentLogger } from '../../runtime-shared/silent-logger';

const doc = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const NOW = Date.UTC(2026, 10, 30, 12, 0, 0);
const TIMEOUT = 900;

function handler() {
  return createCheckHeartbeatsHandler({ lastSeenTableName: 'last-seen', heartbeatTimeoutSeconds: TIMEOUT }, {
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }),
    publisher: new EventPublisher({
      client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'bus', source: 'com.example.iot', maxAttempts: 1, sleep: async () => {},
    }),
    logger: silentLogger,
    now: () => NOW,
  });
}

const conditionFailed = () => new ConditionalCheckFailedException({ $metadata: {}, message: 'The conditional request failed' });
const published = () => eventBridge.commandCalls(PutEventsCommand).flatMap((c) => c.args[0].input.Entries ?? []);

beforeEach(() => {
  doc.reset();
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: `ev-${i}` })) }));
  doc.on(UpdateCommand).resolves({});
  doc.on(GetCommand).resolves({});
});

/** The marks of devices (the scan cursor's writes aside). */
const markCalls = () => doc.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.deviceId !== CURSOR_ID);
const cursorWrites = () => doc.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.deviceId === CURSOR_ID).map((c) => c.args[0].input);

test('scans for devices silent longer than the timeout and not yet reported', async () => {
  doc.on(ScanCommand).resolves({ Items: [], ScannedCount: 7 });
  await expect(handler()({})).resolves.toEqual({ scanned: 7, silent: 0, reported: 0, skipped: 0, complete: true, resumed: false });
  const scan = doc.commandCalls(ScanCommand)[0].args[0].input;
  expect(scan.TableName).toBe('last-seen');
  expect(scan.FilterExpression).toBe('#r < :cutoff AND attribute_not_exists(#m)');
  expect(scan.ExpressionAttributeNames).toEqual({ '#d': 'deviceId', '#r': 'receivedAt', '#m': 'missedReportedAt' });
  expect(scan.ExpressionAttributeValues).toEqual({ ':cutoff': NOW - TIMEOUT * 1000 });
  expect(published()).toEqual([]);
});

test('marks each silent device (same receivedAt, no mark yet) and publishes DeviceHeartbeatMissed once', async () => {
  doc.on(ScanCommand).resolves({ Items: [{ deviceId: 'd1', receivedAt: 1000 }, { deviceId: 'd2', receivedAt: 2000 }], ScannedCount: 5 });
  await expect(handler()({})).resolves.toEqual({ scanned: 5, silent: 2, reported: 2, skipped: 0, complete: true, resumed: false });
  const marks = doc.commandCalls(UpdateCommand).map((c) => c.args[0].input);
  expect(marks[0]).toMatchObject({
    Key: { deviceId: 'd1' },
    UpdateExpression: 'SET #m = :at',
    ConditionExpression: '#r = :seen AND attribute_not_exists(#m)',
    ExpressionAttributeValues: { ':at': NOW, ':seen': 1000 },
  });
  const entries = published();
  expect(entries.map((e) => [e.DetailType, e.Source, JSON.parse(e.Detail!)])).toEqual([
    ['DeviceHeartbeatMissed', 'com.example.iot', { deviceId: 'd1', lastReceivedAt: 1000, detectedAt: '2026-11-30T12:00:00.000Z', heartbeatTimeoutSeconds: 900 }],
    ['DeviceHeartbeatMissed', 'com.example.iot', { deviceId: 'd2', lastReceivedAt: 2000, detectedAt: '2026-11-30T12:00:00.000Z', heartbeatTimeoutSeconds: 900 }],
  ]);
});

test('a device that reported meanwhile (or another check) fails the mark: skipped, nothing published for it', async () => {
  doc.on(ScanCommand).resolves({ Items: [{ deviceId: 'd1', receivedAt: 1000 }, { deviceId: 'd2', receivedAt: 2000 }] });
  doc.on(UpdateCommand, { Key: { deviceId: 'd1' } }).rejects(conditionFailed());
  await expect(handler()({})).resolves.toMatchObject({ silent: 2, reported: 1, skipped: 1 });
  expect(published().map((e) => JSON.parse(e.Detail!).deviceId)).toEqual(['d2']);
});

test('items without a string deviceId or a numeric receivedAt are ignored, not trusted', async () => {
  doc.on(ScanCommand).resolves({ Items: [{ deviceId: 5, receivedAt: 1 }, { deviceId: 'd1', receivedAt: '1' }, { deviceId: 'd2' }, { deviceId: 'ok', receivedAt: 3 }] });
  await expect(handler()({})).resolves.toMatchObject({ silent: 1, reported: 1 });
  expect(markCalls()).toHaveLength(1);
});

test('follows the scan pages', async () => {
  doc.on(ScanCommand)
    .resolvesOnce({ Items: [{ deviceId: 'd1', receivedAt: 1 }], LastEvaluatedKey: { deviceId: 'd1' }, ScannedCount: 1 })
    .resolvesOnce({ Items: [{ deviceId: 'd2', receivedAt: 2 }], ScannedCount: 1 });
  await expect(handler()({})).resolves.toEqual({ scanned: 2, silent: 2, reported: 2, skipped: 0, complete: true, resumed: false });
  expect(doc.commandCalls(ScanCommand)[1].args[0].input.ExclusiveStartKey).toEqual({ deviceId: 'd1' });
});

test('stops at 100 pages per invocation (the next check goes on)', async () => {
  doc.on(ScanCommand).resolves({ Items: [], LastEvaluatedKey: { deviceId: 'x' }, ScannedCount: 1 });
  await expect(handler()({})).resolves.toMatchObject({ scanned: 100, complete: false });
  expect(doc.commandCalls(ScanCommand)).toHaveLength(100);
});

test('stops when the invocation has less than 10 seconds left', async () => {
  doc.on(ScanCommand).resolves({ Items: [], LastEvaluatedKey: { deviceId: 'x' }, ScannedCount: 1 });
  const context = { getRemainingTimeInMillis: () => 9_000 } as any;
  await expect(handler()({}, context)).resolves.toMatchObject({ scanned: 1, complete: false });
});

test('an event EventBridge refuses: its mark is removed for the next check, and the invocation fails', async () => {
  doc.on(ScanCommand).resolves({ Items: [{ deviceId: 'd1', receivedAt: 1 }, { deviceId: 'd2', receivedAt: 2 }] });
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'ev-0' }, { ErrorCode: 'InternalFailure', ErrorMessage: 'x' }] });
  const run = handler()({});
  await expect(run).rejects.toBeInstanceOf(HeartbeatPublishError);
  await expect(run).rejects.toThrow('1 DeviceHeartbeatMissed event(s) could not be published; the next check retries them');
  const unmark = doc.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((i) => i.UpdateExpression === 'REMOVE #m');
  expect(unmark).toMatchObject({ Key: { deviceId: 'd2' }, ConditionExpression: '#m = :at', ExpressionAttributeValues: { ':at': NOW } });
});

test('a DynamoDB error other than the condition fails the invocation', async () => {
  doc.on(ScanCommand).resolves({ Items: [{ deviceId: 'd1', receivedAt: 1 }] });
  doc.on(UpdateCommand).rejects(new Error('ProvisionedThroughputExceeded'));
  await expect(handler()({})).rejects.toThrow('ProvisionedThroughputExceeded');
  expect(published()).toEqual([]);
});

describe('configuration from the environment', () => {
  test('reads the table and the timeout', () => {
    expect(checkHeartbeatsConfigFromEnv({ LAST_SEEN_TABLE_NAME: 't', HEARTBEAT_TIMEOUT_SECONDS: '900' })).toEqual({ lastSeenTableName: 't', heartbeatTimeoutSeconds: 900 });
  });

  test.each([
    [{ HEARTBEAT_TIMEOUT_SECONDS: '900' }, 'Missing required environment variable LAST_SEEN_TABLE_NAME'],
    [{ LAST_SEEN_TABLE_NAME: 't', HEARTBEAT_TIMEOUT_SECONDS: '60' }, 'Environment variable HEARTBEAT_TIMEOUT_SECONDS must be an integer between 120 and 604800, got \'60\''],
    [{ LAST_SEEN_TABLE_NAME: 't' }, 'Missing required environment variable HEARTBEAT_TIMEOUT_SECONDS'],
  ])('throws for %j', (env, message) => {
    expect(() => checkHeartbeatsConfigFromEnv(env)).toThrow(message);
  });
});

describe('a fleet larger than one run: the scan resumes where the last run stopped', () => {
  test('a run that stops early leaves its position; a run that reaches the end clears it', async () => {
    doc.on(ScanCommand).resolves({ Items: [], LastEvaluatedKey: { deviceId: 'd-500' }, ScannedCount: 1 });
    await expect(handler()({})).resolves.toMatchObject({ complete: false, resumed: false });
    expect(cursorWrites()).toEqual([expect.objectContaining({
      TableName: 'last-seen', UpdateExpression: 'SET startKey = :key, savedAt = :at', ExpressionAttributeValues: { ':key': { deviceId: 'd-500' }, ':at': NOW },
    })]);

    doc.reset();
    doc.on(UpdateCommand).resolves({});
    doc.on(GetCommand).resolves({ Item: { deviceId: CURSOR_ID, startKey: { deviceId: 'd-500' }, savedAt: NOW - 300_000 } });
    doc.on(ScanCommand).resolves({ Items: [{ deviceId: 'd-777', receivedAt: 1 }], ScannedCount: 3 });
    await expect(handler()({})).resolves.toEqual({ scanned: 3, silent: 1, reported: 1, skipped: 0, complete: true, resumed: true });
    expect(doc.commandCalls(GetCommand)[0].args[0].input).toEqual({ TableName: 'last-seen', Key: { deviceId: CURSOR_ID }, ConsistentRead: true });
    expect(doc.commandCalls(ScanCommand)[0].args[0].input.ExclusiveStartKey).toEqual({ deviceId: 'd-500' });
    expect(cursorWrites()).toEqual([expect.objectContaining({ UpdateExpression: 'REMOVE startKey SET savedAt = :at' })]);
  });

  test('a cursor that is not a key of the table is not trusted: the scan starts from the beginning', async () => {
    doc.on(GetCommand).resolves({ Item: { deviceId: CURSOR_ID, startKey: { deviceId: 7, other: 'x' } } });
    doc.on(ScanCommand).resolves({ Items: [], ScannedCount: 1 });
    await expect(handler()({})).resolves.toMatchObject({ resumed: false });
    expect(doc.commandCalls(ScanCommand)[0].args[0].input.ExclusiveStartKey).toBeUndefined();
  });

  test('the page budget and the page size can be set', async () => {
    const small = createCheckHeartbeatsHandler({ lastSeenTableName: 'last-seen', heartbeatTimeoutSeconds: TIMEOUT, maxScanPages: 3, scanPageSize: 25 }, {
      dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }),
      publisher: new EventPublisher({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'bus', source: 'com.example.iot' }),
      logger: silentLogger,
      now: () => NOW,
    });
    doc.on(ScanCommand).resolves({ Items: [], LastEvaluatedKey: { deviceId: 'x' }, ScannedCount: 25 });
    await expect(small({})).resolves.toMatchObject({ scanned: 75, complete: false });
    expect(doc.commandCalls(ScanCommand).map((c) => c.args[0].input.Limit)).toEqual([25, 25, 25]);
  });
});
