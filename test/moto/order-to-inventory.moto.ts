/** reserve-inventory against moto: the DynamoDB transaction, idempotency and the emitted events. */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { createCapturedBus, createIdempotencyTable, createTable, fakeLambdaContext, silencePowertools } from './aws-fixtures';
import type { CapturedBus } from './aws-fixtures';
import { useMoto } from './moto-server';
import { createReserveInventoryHandler, guardKey, handler } from '../../src/blueprints/order-to-inventory/runtime/reserve-inventory.lambda';
import { EventPublisher } from '../../src/runtime/publisher';

silencePowertools();

const STOCK = 'stock';
const IDEMPOTENCY = 'idempotency';
const SOURCE = 'com.example.inventory';
const moto = useMoto();
let ddb: DynamoDBClient;
let bus: CapturedBus;

const orderPlaced = (orderId: string, items: Array<{ sku: string; quantity: number }>) => ({
  'version': '0',
  'id': `evt-${orderId}`,
  'detail-type': 'OrderPlaced',
  'source': 'com.example.orders',
  'account': '123456789012',
  'time': '2026-11-26T10:00:00Z',
  'region': 'us-east-1',
  'resources': [],
  'detail': { orderId, customerId: 'c-1', items },
});

async function setStock(sku: string, available: number) {
  await ddb.send(new PutItemCommand({ TableName: STOCK, Item: { sku: { S: sku }, available: { N: String(available) } } }));
}

async function stockOf(sku: string): Promise<number | undefined> {
  const out = await ddb.send(new GetItemCommand({ TableName: STOCK, Key: { sku: { S: sku } }, ConsistentRead: true }));
  return out.Item?.available?.N === undefined ? undefined : Number(out.Item.available.N);
}

function makeHandler() {
  return createReserveInventoryHandler({ stockTableName: STOCK, idempotencyTableName: IDEMPOTENCY }, {
    dynamoDb: ddb,
    publisher: new EventPublisher({ client: new EventBridgeClient({}), eventBusName: bus.busName, source: SOURCE }),
  });
}

beforeEach(async () => {
  await moto.reset();
  ddb = new DynamoDBClient({});
  await createTable(ddb, STOCK, 'sku');
  await createIdempotencyTable(ddb, IDEMPOTENCY);
  bus = await createCapturedBus('inventory-bus', [SOURCE]);
});

test('reserves every line and emits InventoryReserved with merged items', async () => {
  await setStock('A', 10);
  await setStock('B', 3);
  const result = await makeHandler()(orderPlaced('o-1', [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 3 }, { sku: 'A', quantity: 1 }]), fakeLambdaContext());

  expect(result).toEqual({ status: 'reserved', orderId: 'o-1', items: [{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 3 }], alreadyReserved: false });
  expect(await stockOf('A')).toBe(7);
  expect(await stockOf('B')).toBe(0);
  const events = await bus.drain();
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ 'detail-type': 'InventoryReserved', 'source': SOURCE, 'detail': { orderId: 'o-1', items: [{ sku: 'A', quantity: 3 }, { sku: 'B', quantity: 3 }] } });
});

test('a shortage leaves all stock unchanged and emits InventoryShortage (unknown SKU = 0 available)', async () => {
  await setStock('A', 10);
  await setStock('B', 1);
  const result = await makeHandler()(orderPlaced('o-2', [{ sku: 'A', quantity: 2 }, { sku: 'B', quantity: 2 }, { sku: 'GHOST', quantity: 1 }]), fakeLambdaContext());

  expect(result).toEqual({
    status: 'shortage',
    orderId: 'o-2',
    shortages: [{ sku: 'B', requested: 2, available: 1 }, { sku: 'GHOST', requested: 1, available: 0 }],
  });
  expect(await stockOf('A')).toBe(10);
  expect(await stockOf('B')).toBe(1);
  expect(await stockOf('GHOST')).toBeUndefined();
  const events = await bus.drain();
  expect(events.map((e) => e['detail-type'])).toEqual(['InventoryShortage']);
  expect(events[0].detail).toEqual(result.status === 'shortage' ? { orderId: 'o-2', shortages: result.shortages } : undefined);
});

test('stock never goes below zero: the exact amount succeeds, one more fails', async () => {
  await setStock('A', 5);
  const handle = makeHandler();
  expect((await handle(orderPlaced('o-3', [{ sku: 'A', quantity: 5 }]), fakeLambdaContext())).status).toBe('reserved');
  expect(await stockOf('A')).toBe(0);
  expect((await handle(orderPlaced('o-4', [{ sku: 'A', quantity: 1 }]), fakeLambdaContext())).status).toBe('shortage');
  expect(await stockOf('A')).toBe(0);
});

test('the same event delivered twice changes stock once (Powertools idempotency)', async () => {
  await setStock('A', 10);
  const handle = makeHandler();
  const event = orderPlaced('o-5', [{ sku: 'A', quantity: 4 }]);
  const first = await handle(event, fakeLambdaContext());
  const second = await handle(event, fakeLambdaContext());
  expect(second).toEqual(first);
  expect(await stockOf('A')).toBe(6);
  expect(await bus.drain()).toHaveLength(1); // the duplicate returned the stored result without emitting
});

test('the guard item stops a second decrement even when the idempotency record is gone', async () => {
  await setStock('A', 10);
  const event = orderPlaced('o-6', [{ sku: 'A', quantity: 4 }]);
  await makeHandler()(event, fakeLambdaContext());
  // Simulate a lost / expired Powertools record: a fresh handler with idempotency disabled.
  process.env.POWERTOOLS_IDEMPOTENCY_DISABLED = 'true';
  try {
    const again = await makeHandler()(event, fakeLambdaContext());
    expect(again).toEqual({ status: 'reserved', orderId: 'o-6', items: [{ sku: 'A', quantity: 4 }], alreadyReserved: true });
  } finally {
    delete process.env.POWERTOOLS_IDEMPOTENCY_DISABLED;
  }
  expect(await stockOf('A')).toBe(6);
  const guard = await ddb.send(new GetItemCommand({ TableName: IDEMPOTENCY, Key: { id: { S: guardKey('o-6') } } }));
  expect(guard.Item?.orderId?.S).toBe('o-6');
  // InventoryReserved is emitted again (at-least-once).
  expect((await bus.drain()).map((e) => e['detail-type'])).toEqual(['InventoryReserved', 'InventoryReserved']);
});

test('an orderId reused with other lines after the idempotency record is gone is refused: no stock change, no event', async () => {
  await setStock('A', 10);
  await makeHandler()(orderPlaced('o-7', [{ sku: 'A', quantity: 4 }]), fakeLambdaContext());
  await bus.drain();
  process.env.POWERTOOLS_IDEMPOTENCY_DISABLED = 'true';
  try {
    await expect(makeHandler()(orderPlaced('o-7', [{ sku: 'A', quantity: 1 }]), fakeLambdaContext()))
      .rejects.toThrow('OrderPlaced event orderId o-7 was already processed with a different payload');
  } finally {
    delete process.env.POWERTOOLS_IDEMPOTENCY_DISABLED;
  }
  expect(await stockOf('A')).toBe(6);
  expect(await bus.drain()).toEqual([]);
  const guard = await ddb.send(new GetItemCommand({ TableName: IDEMPOTENCY, Key: { id: { S: guardKey('o-7') } } }));
  expect(guard.Item?.expiration).toBeUndefined();
  expect(guard.Item?.payloadDigest?.S).toMatch(/^[0-9a-f]{64}$/);
});

test('a malformed event throws a non-retryable error and touches nothing', async () => {
  await setStock('A', 10);
  await expect(makeHandler()(orderPlaced('o-7', [{ sku: 'A', quantity: 0 }]), fakeLambdaContext()))
    .rejects.toThrow(/Invalid OrderPlaced event \(non-retryable, fix the producer\): detail\.items\[0\]\.quantity/);
  expect(await stockOf('A')).toBe(10);
});

test('the exported handler reads its configuration from the environment', async () => {
  await setStock('A', 1);
  Object.assign(process.env, { STOCK_TABLE_NAME: STOCK, IDEMPOTENCY_TABLE_NAME: IDEMPOTENCY, EVENT_BUS_NAME: bus.busName, EVENT_SOURCE: SOURCE });
  try {
    await expect(handler(orderPlaced('o-8', [{ sku: 'A', quantity: 1 }]), fakeLambdaContext())).resolves.toMatchObject({ status: 'reserved' });
  } finally {
    for (const k of ['STOCK_TABLE_NAME', 'IDEMPOTENCY_TABLE_NAME', 'EVENT_BUS_NAME', 'EVENT_SOURCE']) delete process.env[k];
  }
  expect(await stockOf('A')).toBe(0);
});
