import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { readTick } from '../../../../src/blueprints/market-data/runtime/ticks';
import {
  MAX_WRITE_ATTEMPTS, createUpdateParametersHandler, updateParametersConfigFromEnv,
} from '../../../../src/blueprints/market-data/runtime/update-parameters.lambda';
import { InvalidEventError } from '../../../../src/blueprints/runtime-shared/validation';
import { EventPublisher } from '../../../../src/runtime/publisher';
import { silentLogger } from '../../runtime-shared/silent-logger';

const doc = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const context = { functionName: 'update', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

/** The parameters table, honouring the handler's two condition expressions. */
let table: Map<string, Record<string, any>>;
/** Conditional-check failures to inject, by symbol (another writer getting there first). */
let conflictsToInject: Map<string, number>;

function fakeTable() {
  doc.on(GetCommand).callsFake((input) => {
    const item = table.get(input.Key.symbol);
    return { Item: item === undefined ? undefined : structuredClone(item) };
  });
  doc.on(PutCommand).callsFake((input) => {
    const current = table.get(input.Item.symbol);
    const conflicts = conflictsToInject.get(input.Item.symbol) ?? 0;
    if (conflicts > 0) {
      conflictsToInject.set(input.Item.symbol, conflicts - 1);
      throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    }
    const ok = input.ConditionExpression === 'attribute_not_exists(symbol)'
      ? current === undefined
      : current !== undefined && current.lastTimeMs === input.ExpressionAttributeValues[':time']
        && current.lastSequence === input.ExpressionAttributeValues[':sequence'];
    if (!ok) throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });
    table.set(input.Item.symbol, structuredClone(input.Item));
    return {};
  });
}

function handler(window = 3, now?: () => number) {
  return createUpdateParametersHandler({ parametersTableName: 'params', window }, {
    now,
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }),
    publisher: new EventPublisher({
      client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'bus', source: 'com.example.trading-parameters', sleep: async () => undefined,
    }),
    logger: silentLogger,
  });
}

let seq = 0;
const marketTick = (symbol: string, second: number, price: number, size = 1, extra: Record<string, unknown> = {}) => ({
  'detail-type': 'MarketTick',
  'source': 'com.example.market-data',
  'detail': { symbol, instrumentClass: 'equity', price, size, timestamp: new Date(Date.UTC(2026, 10, 30, 14, 0, second)).toISOString(), ...extra },
});
const record = (event: unknown) => ({ kinesis: { sequenceNumber: String(++seq).padStart(10, '0'), data: Buffer.from(JSON.stringify(event)).toString('base64') } });
const batch = (...events: unknown[]) => ({ Records: events.map(record) });

const published = () => eventBridge.commandCalls(PutEventsCommand)
  .flatMap((c) => c.args[0].input.Entries!.map((e) => ({ type: e.DetailType, detail: JSON.parse(e.Detail!) })));

beforeEach(() => {
  table = new Map();
  conflictsToInject = new Map();
  doc.reset();
  eventBridge.reset();
  fakeTable();
  eventBridge.on(PutEventsCommand).callsFake((input) => ({ FailedEntryCount: 0, Entries: input.Entries.map((_: unknown, i: number) => ({ EventId: `ev-${i}` })) }));
});

test('computes VWAP and EMA per symbol, writes them with a create-only condition, and announces them', async () => {
  const result = await handler()(batch(
    marketTick('AAPL', 1, 10), marketTick('MSFT', 1, 300, 2), marketTick('AAPL', 2, 20), marketTick('AAPL', 3, 30, 2),
  ), context);

  expect(result).toEqual({ batchItemFailures: [] });
  expect(table.get('AAPL')).toMatchObject({ prices: [10, 20, 30], sizes: [1, 1, 2], vwap: 22.5, ema: 22.5, lastPrice: 30, tickCount: 3 });
  expect(doc.commandCalls(PutCommand)[0].args[0].input.ConditionExpression).toBe('attribute_not_exists(symbol)');
  expect(published()).toEqual([
    {
      type: 'AlgorithmParametersUpdated',
      detail: { symbol: 'AAPL', instrumentClass: 'equity', vwap: 22.5, ema: 22.5, lastPrice: 30, window: 3, ticksInWindow: 3, asOf: '2026-11-30T14:00:03.000Z', sequence: 0 },
    },
    expect.objectContaining({ detail: expect.objectContaining({ symbol: 'MSFT', vwap: 300, ema: 300 }) }),
  ]);
});

test('updates existing state only over what it read, and ignores late ticks in the batch', async () => {
  const update = handler();
  await update(batch(marketTick('AAPL', 5, 10)), context);
  await update(batch(marketTick('AAPL', 6, 20), marketTick('AAPL', 4, 999, 1000)), context);

  const put = doc.commandCalls(PutCommand)[1].args[0].input;
  expect(put.ConditionExpression).toBe('lastTimeMs = :time AND lastSequence = :sequence');
  expect(put.ExpressionAttributeValues).toEqual({ ':time': Date.UTC(2026, 10, 30, 14, 0, 5), ':sequence': 0 });
  expect(table.get('AAPL')).toMatchObject({ prices: [10, 20], vwap: 15, lastPrice: 20 });
});

test('a batch entirely older than the stored state writes nothing and announces nothing', async () => {
  const update = handler();
  await update(batch(marketTick('AAPL', 10, 10)), context);
  eventBridge.resetHistory();
  doc.resetHistory();
  await expect(update(batch(marketTick('AAPL', 9, 50)), context)).resolves.toEqual({ batchItemFailures: [] });
  expect(doc.commandCalls(PutCommand)).toHaveLength(0);
  expect(published()).toEqual([]);
  expect(table.get('AAPL')).toMatchObject({ lastPrice: 10 });
});

test('a replayed batch (newest tick already stored) writes nothing but announces the stored parameters again', async () => {
  const update = handler();
  const events = [marketTick('AAPL', 1, 10), marketTick('AAPL', 2, 20)];
  await update(batch(...events), context);
  const first = published();
  eventBridge.resetHistory();
  doc.resetHistory();
  await update(batch(...events), context);
  expect(doc.commandCalls(PutCommand)).toHaveLength(0);
  expect(published()).toEqual(first);
});

test('a conflicting writer makes the handler re-read and recompute; it gives up after the last attempt', async () => {
  conflictsToInject.set('AAPL', MAX_WRITE_ATTEMPTS - 1);
  await expect(handler()(batch(marketTick('AAPL', 1, 10)), context)).resolves.toEqual({ batchItemFailures: [] });
  expect(doc.commandCalls(GetCommand)).toHaveLength(MAX_WRITE_ATTEMPTS);
  expect(table.get('AAPL')).toMatchObject({ lastPrice: 10 });

  conflictsToInject.set('AAPL', MAX_WRITE_ATTEMPTS);
  const b = batch(marketTick('MSFT', 1, 1), marketTick('AAPL', 2, 11), marketTick('MSFT', 2, 2));
  const result = await handler()(b, context);
  // Only the failed symbol's first record is reported; MSFT succeeded and is announced.
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: b.Records[1].kinesis.sequenceNumber }] });
  expect(table.get('AAPL')).toMatchObject({ lastPrice: 10 });
  expect(table.get('MSFT')).toMatchObject({ lastPrice: 2 });
  expect(published().map((e) => e.detail.symbol)).toEqual(['AAPL', 'MSFT']);
});

test('a DynamoDB error fails only its symbol: its first record is reported, the others are written and announced', async () => {
  doc.on(GetCommand, { Key: { symbol: 'BAD' } }).rejects(new Error('ProvisionedThroughputExceededException'));
  const b = batch(marketTick('AAPL', 1, 10), marketTick('BAD', 1, 5), marketTick('BAD', 2, 6), marketTick('MSFT', 1, 7));
  const result = await handler()(b, context);
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: b.Records[1].kinesis.sequenceNumber }] });
  expect(published().map((e) => e.detail.symbol)).toEqual(['AAPL', 'MSFT']);
});

test('an event PutEvents could not take reports its symbol for a retry', async () => {
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ EventId: 'ev-0' }, { ErrorCode: 'InvalidArgument', ErrorMessage: 'no' }] });
  const b = batch(marketTick('AAPL', 1, 10), marketTick('MSFT', 1, 7));
  const result = await handler()(b, context);
  expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: b.Records[1].kinesis.sequenceNumber }] });
  expect(table.get('MSFT')).toBeDefined(); // the state is written; the retry announces it again (replayed batch)
});

test('invalid records are skipped without failing the batch', async () => {
  const b = {
    Records: [
      { kinesis: { sequenceNumber: '1', data: Buffer.from('not json').toString('base64') } },
      record({ 'detail-type': 'Other', 'detail': {} }),
      record(marketTick('AAPL', 1, -5)),
      record(marketTick('AAPL', 2, 10)),
    ],
  };
  await expect(handler()(b, context)).resolves.toEqual({ batchItemFailures: [] });
  expect(table.get('AAPL')).toMatchObject({ prices: [10] });
});

test('readTick names every problem of a bad tick, and never echoes a secret-looking payload', () => {
  const read = readTick(record(marketTick('bad symbol!', 1, Number.MAX_VALUE, 0, { timestamp: 'yesterday', sequence: -1 })).kinesis);
  expect(read.ok).toBe(false);
  const problems = read.ok ? [] : read.problems;
  expect(problems).toEqual([
    'detail.symbol must match "^[A-Za-z0-9][A-Za-z0-9./:_-]*$" (a ticker symbol (letters, digits, ".", "/", ":", "_", "-")), got a string of 11 characters',
    'detail.price must be <= 1000000000000, got 1.7976931348623157e+308',
    'detail.size must be > 0, got 0',
    expect.stringMatching(/^detail\.timestamp must be an ISO 8601 timestamp/),
    'detail.sequence must be >= 0, got -1',
  ]);
  const huge = readTick({ sequenceNumber: '1', data: 'A'.repeat(2_000_000) });
  expect(huge).toEqual({ ok: false, sequenceNumber: '1', problems: ['data is larger than a Kinesis record can be (2000000 base64 characters)'] });
});

test('an input that is not a Kinesis batch is refused as non-retryable', async () => {
  await expect(handler()({ detail: {} }, context)).rejects.toThrow(InvalidEventError);
  await expect(handler()({ Records: [{ body: 'sqs?' }] }, context))
    .rejects.toThrow('Invalid Kinesis batch (non-retryable, fix the producer): event.Records[0].kinesis is required');
});

test('configuration from the environment: the window defaults to 50 and is checked', () => {
  expect(updateParametersConfigFromEnv({ PARAMETERS_TABLE_NAME: 't' })).toEqual({ parametersTableName: 't', window: 50, maxClockSkewSeconds: 300 });
  expect(updateParametersConfigFromEnv({ PARAMETERS_TABLE_NAME: 't', MAX_TICK_CLOCK_SKEW_SECONDS: '60' }).maxClockSkewSeconds).toBe(60);
  expect(() => updateParametersConfigFromEnv({ PARAMETERS_TABLE_NAME: 't', MAX_TICK_CLOCK_SKEW_SECONDS: '0' }))
    .toThrow("Environment variable MAX_TICK_CLOCK_SKEW_SECONDS must be an integer between 1 and 86400, got '0'");
  expect(updateParametersConfigFromEnv({ PARAMETERS_TABLE_NAME: 't', INDICATOR_WINDOW: '7' }).window).toBe(7);
  expect(() => updateParametersConfigFromEnv({ PARAMETERS_TABLE_NAME: 't', INDICATOR_WINDOW: '1' }))
    .toThrow("Environment variable INDICATOR_WINDOW must be an integer between 2 and 1000, got '1'");
  expect(() => updateParametersConfigFromEnv({})).toThrow('Missing required environment variable PARAMETERS_TABLE_NAME');
});

describe('ticks dated in the future', () => {
  const at = (second: number) => Date.UTC(2026, 10, 30, 14, 0, second);
  const now = () => at(10);

  test('a tick dated beyond the clock-skew bound is skipped and does not freeze its symbol', async () => {
    const first = await handler(3, now)(batch(
      marketTick('AAPL', 5, 10),
      { ...marketTick('AAPL', 0, 999), detail: { ...marketTick('AAPL', 0, 999).detail, timestamp: '2100-01-01T00:00:00.000Z' } },
      marketTick('AAPL', 6, 20),
    ), context);
    expect(first.batchItemFailures).toEqual([]);
    expect(table.get('AAPL')).toMatchObject({ prices: [10, 20], lastTimeMs: at(6) });
    // Later ticks still move the symbol.
    await handler(3, now)(batch(marketTick('AAPL', 7, 30)), context);
    expect(table.get('AAPL')).toMatchObject({ prices: [10, 20, 30], lastTimeMs: at(7) });
    expect(published().map((e) => e.detail.lastPrice)).toEqual([20, 30]);
  });

  test('a tick within the bound is applied (5 minutes by default)', async () => {
    await handler(3, now)(batch(marketTick('AAPL', 10 + 299, 10)), context);
    expect(table.get('AAPL')).toMatchObject({ prices: [10] });
  });

  test('a stored state already dated in the future keeps its window but takes ticks again', async () => {
    table.set('AAPL', {
      symbol: 'AAPL',
      instrumentClass: 'equity',
      window: 3,
      prices: [10, 20],
      sizes: [1, 1],
      ema: 15,
      vwap: 15,
      lastPrice: 20,
      lastTimeMs: Date.UTC(2100, 0, 1),
      lastSequence: 0,
      tickCount: 2,
    });
    const result = await handler(3, now)(batch(marketTick('AAPL', 8, 30)), context);
    expect(result.batchItemFailures).toEqual([]);
    expect(table.get('AAPL')).toMatchObject({ prices: [10, 20, 30], lastTimeMs: at(8), tickCount: 3 });
  });
});
