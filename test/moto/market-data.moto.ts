/**
 * market-data against moto: what moto can run of the blueprint.
 *
 * - EventBridge: the blueprint's own routing rule (its synthesized pattern) on a moto bus, with an SQS stand-in for
 *   its Kinesis target (moto's EventBridge delivers only to SQS, CloudWatch Logs, archives, buses and API
 *   destinations).
 * - Kinesis: ticks written to a moto stream the way the rule's target writes them (the whole event, partition key
 *   the symbol), read back with GetRecords and handed to the consumer as the Lambda Kinesis event.
 * - DynamoDB: the consumer's conditional writes on a moto table; EventBridge: its AlgorithmParametersUpdated events.
 *
 * Not run here, because moto cannot: the EventBridge Pipe (moto's pipes API stores pipes but moves no data), the
 * Lambda event source mapping (no execution of functions without Docker, no stream polling) and EventBridge's
 * Kinesis target.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateEventBusCommand, EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStreamCommand, DescribeStreamCommand, GetRecordsCommand, GetShardIteratorCommand, KinesisClient, PutRecordCommand,
} from '@aws-sdk/client-kinesis';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { createCapturedBus, createTable, drain, fakeLambdaContext, silencePowertools } from './aws-fixtures';
import type { CapturedBus } from './aws-fixtures';
import { useMoto } from './moto-server';
import { MarketData } from '../../src/blueprints/market-data';
import { createUpdateParametersHandler } from '../../src/blueprints/market-data/runtime/update-parameters.lambda';
import { EventPublisher } from '../../src/runtime/publisher';

silencePowertools();

const TABLE = 'parameters';
const STREAM = 'processing';
const SOURCE = 'com.example.trading-parameters';
const moto = useMoto();
let ddb: DynamoDBClient;
let kinesis: KinesisClient;
let bus: CapturedBus;

/** The routing rule's pattern, as the blueprint synthesizes it. */
function routePattern(): Record<string, unknown> {
  const stack = new Stack(new App(), 'MarketDataMoto');
  new MarketData(stack, 'MarketData', { instrumentClasses: ['equity', 'fx'] });
  const rules = Object.values(Template.fromStack(stack).findResources('AWS::Events::Rule'));
  expect(rules).toHaveLength(1);
  return rules[0].Properties.EventPattern;
}

const marketTick = (symbol: string, second: number, price: number, size = 1, instrumentClass = 'equity', sequence = 0) => ({
  'version': '0',
  'id': `tick-${symbol}-${second}-${sequence}`,
  'detail-type': 'MarketTick',
  'source': 'com.example.market-data',
  'account': '123456789012',
  'time': '2026-11-30T14:00:00Z',
  'region': 'us-east-1',
  'resources': [],
  'detail': { symbol, instrumentClass, price, size, timestamp: new Date(Date.UTC(2026, 10, 30, 14, 0, second)).toISOString(), sequence },
});

/** Writes events to the processing stream as the rule's Kinesis target does: the whole event, keyed by symbol. */
async function route(...events: Array<ReturnType<typeof marketTick>>): Promise<void> {
  for (const event of events) {
    await kinesis.send(new PutRecordCommand({ StreamName: STREAM, PartitionKey: event.detail.symbol, Data: Buffer.from(JSON.stringify(event)) }));
  }
}

/** The last sequence number consumed per shard, as the event source mapping keeps it. */
let checkpoints: Map<string, string>;

/** What follows each shard's checkpoint, in shard order, as the Lambda Kinesis events the consumer would get. */
async function readShards(): Promise<Array<{ shardId: string; event: { Records: unknown[] }; symbols: string[]; last?: string }>> {
  const described = await kinesis.send(new DescribeStreamCommand({ StreamName: STREAM }));
  const out = [];
  for (const shard of described.StreamDescription!.Shards!) {
    const after = checkpoints.get(shard.ShardId!);
    const iterator = await kinesis.send(new GetShardIteratorCommand({
      StreamName: STREAM,
      ShardId: shard.ShardId!,
      ...(after === undefined ? { ShardIteratorType: 'TRIM_HORIZON' } : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }),
    }));
    const records = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator.ShardIterator!, Limit: 1000 }));
    const list = records.Records ?? [];
    out.push({
      shardId: shard.ShardId!,
      symbols: list.map((r) => r.PartitionKey!),
      last: list[list.length - 1]?.SequenceNumber,
      event: {
        Records: list.map((r) => ({
          eventSource: 'aws:kinesis',
          kinesis: { partitionKey: r.PartitionKey, sequenceNumber: r.SequenceNumber, data: Buffer.from(r.Data!).toString('base64') },
        })),
      },
    });
  }
  return out;
}

async function stateOf(symbol: string): Promise<Record<string, any> | undefined> {
  const out = await DynamoDBDocumentClient.from(ddb).send(new GetCommand({ TableName: TABLE, Key: { symbol }, ConsistentRead: true }));
  return out.Item;
}

function makeHandler() {
  return createUpdateParametersHandler({ parametersTableName: TABLE, window: 3 }, {
    dynamoDb: ddb,
    publisher: new EventPublisher({ client: new EventBridgeClient({}), eventBusName: bus.busName, source: SOURCE }),
  });
}

/** Runs the consumer over what is new in every shard, as the event source mapping would (one batch per shard). */
async function consumeAll() {
  const results = [];
  for (const shard of await readShards()) {
    if (shard.event.Records.length === 0) continue;
    const result = await makeHandler()(shard.event, fakeLambdaContext('update-parameters'));
    results.push(result);
    if (result.batchItemFailures.length === 0) checkpoints.set(shard.shardId, shard.last!);
  }
  return results;
}

beforeEach(async () => {
  await moto.reset();
  ddb = new DynamoDBClient({});
  // The Kinesis client speaks HTTP/2 by default (for SubscribeToShard); moto serves HTTP/1.1 only. Borrow the
  // HTTP/1.1 handler of another SDK client rather than depend on @smithy/node-http-handler directly.
  kinesis = new KinesisClient({ requestHandler: new SQSClient({}).config.requestHandler });
  checkpoints = new Map();
  await createTable(ddb, TABLE, 'symbol');
  await kinesis.send(new CreateStreamCommand({ StreamName: STREAM, ShardCount: 4 }));
  bus = await createCapturedBus('trading', [SOURCE]);
});

test('the routing rule takes the processed instrument classes only (moto bus, SQS stand-in for the Kinesis target)', async () => {
  const events = new EventBridgeClient({});
  const sqs = new SQSClient({});
  await events.send(new CreateEventBusCommand({ Name: 'market' }));
  const queue = await sqs.send(new CreateQueueCommand({ QueueName: 'processing-stand-in' }));
  const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.QueueUrl!, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
  await events.send(new PutRuleCommand({ Name: 'ticks', EventBusName: 'market', EventPattern: JSON.stringify(routePattern()) }));
  await events.send(new PutTargetsCommand({ Rule: 'ticks', EventBusName: 'market', Targets: [{ Id: 'processing', Arn: arn }] }));

  const put = (e: ReturnType<typeof marketTick>) => ({ EventBusName: 'market', Source: e.source, DetailType: e['detail-type'], Detail: JSON.stringify(e.detail) });
  const out = await events.send(new PutEventsCommand({
    Entries: [
      put(marketTick('AAPL', 1, 10)),
      put(marketTick('EUR/USD', 1, 1.08, 1000, 'fx')),
      put(marketTick('BTC-USD', 1, 90_000, 1, 'crypto')),
      { ...put(marketTick('MSFT', 1, 300)), Source: 'com.example.elsewhere' },
    ],
  }));
  expect(out.FailedEntryCount).toBe(0);
  const routed = (await drain(sqs, queue.QueueUrl!)).map((body) => JSON.parse(body).detail.symbol).sort();
  expect(routed).toEqual(['AAPL', 'EUR/USD']);
});

test('ticks keyed by symbol stay on one shard in order; the consumer computes, stores and announces per symbol', async () => {
  await route(
    marketTick('AAPL', 1, 10), marketTick('MSFT', 1, 300, 2), marketTick('AAPL', 2, 20),
    marketTick('GOOG', 1, 150), marketTick('AAPL', 3, 30, 2), marketTick('MSFT', 2, 310, 2),
  );
  const shards = await readShards();
  for (const symbol of ['AAPL', 'MSFT', 'GOOG']) {
    expect(shards.filter((s) => s.symbols.includes(symbol))).toHaveLength(1);
  }

  const results = await consumeAll();
  expect(results.every((r) => r.batchItemFailures.length === 0)).toBe(true);
  expect(await stateOf('AAPL')).toMatchObject({ prices: [10, 20, 30], sizes: [1, 1, 2], vwap: 22.5, ema: 22.5, lastPrice: 30, tickCount: 3 });
  expect(await stateOf('MSFT')).toMatchObject({ vwap: 305, lastPrice: 310 });
  const announced = await bus.drain();
  expect(announced.map((e) => e.detail.symbol).sort()).toEqual(['AAPL', 'GOOG', 'MSFT']);
  expect(announced.find((e) => e.detail.symbol === 'AAPL')).toMatchObject({
    'detail-type': 'AlgorithmParametersUpdated',
    'source': SOURCE,
    'detail': { vwap: 22.5, ema: 22.5, window: 3, ticksInWindow: 3, asOf: '2026-11-30T14:00:03.000Z' },
  });
});

test('a replayed stream (every record delivered again) changes no state and re-announces the same parameters', async () => {
  await route(marketTick('AAPL', 1, 10), marketTick('AAPL', 2, 20));
  await consumeAll();
  const before = await stateOf('AAPL');
  const first = await bus.drain();

  checkpoints.clear(); // the same records again, as after a retry from an earlier checkpoint
  await consumeAll();
  expect(await stateOf('AAPL')).toEqual(before);
  const again = await bus.drain();
  expect(again.map((e) => e.detail)).toEqual(first.map((e) => e.detail));
});

test('a late tick (older than the stored state) never overwrites newer state', async () => {
  await route(marketTick('AAPL', 10, 100), marketTick('AAPL', 11, 101));
  await consumeAll();
  const before = await stateOf('AAPL');
  await bus.drain();

  // The bus delivered an old tick after newer ones; it is the newest record of its shard now.
  await route(marketTick('AAPL', 5, 1, 1_000_000));
  await consumeAll();
  expect(await stateOf('AAPL')).toEqual(before);
  expect(await bus.drain()).toEqual([]);

  // A newer tick is applied on top of the stored state (conditional write on the state read).
  await route(marketTick('AAPL', 12, 102));
  await consumeAll();
  expect(await stateOf('AAPL')).toMatchObject({ prices: [100, 101, 102], lastPrice: 102, tickCount: 3 });
});
