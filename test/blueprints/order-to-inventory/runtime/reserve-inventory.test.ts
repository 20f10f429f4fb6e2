import { TransactionCanceledException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { createReserveInventoryHandler, guardKey, orderDigest, reserveInventoryConfigFromEnv } from '../../../../src/blueprints/order-to-inventory/runtime/reserve-inventory.lambda';
import { ConflictingPayloadError } from '../../../../src/blueprints/runtime-shared/handler';
import { InvalidEventError } from '../../../../src/blueprints/runtime-shared/validation';
import { EventPublisher } from '../../../../src/runtime/publisher';
import { fakeIdempotencyTable } from '../../runtime-shared/fake-idempotency-table';
import { silentLogger } from '../../runtime-shared/silent-logger';

const table = fakeIdempotencyTable();
const doc = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const context = { functionName: 'reserve', awsRequestId: 'r-1', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

function handler() {
  return createReserveInventoryHandler({ stockTableName: 'stock', idempotencyTableName: 'idem' }, {
    dynamoDb: new DynamoDBClient({ region: 'eu-west-1' }),
    publisher: new EventPublisher({ client: new EventBridgeClient({ region: 'eu-west-1' }), eventBusName: 'bus', source: 'com.example.inventory' }),
    logger: silentLogger,
  });
}

const orderPlaced = (detail: unknown) => ({ 'id': 'e-1', 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', detail });

beforeEach(() => {
  table.reset();
  doc.reset();
  eventBridge.reset();
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'ev-1' }] });
});

test('reserves every line in one transaction with the order guard, then announces InventoryReserved', async () => {
  doc.on(TransactWriteCommand).resolves({});
  const result = await handler()(orderPlaced({ orderId: 'o-1', items: [{ sku: 'A', quantity: 2 }, { sku: 'A', quantity: 1 }] }), context);
  expect(result).toEqual({ status: 'reserved', orderId: 'o-1', items: [{ sku: 'A', quantity: 3 }], alreadyReserved: false });
  const items = doc.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
  expect(items[0].Put?.Item?.id).toBe(guardKey('o-1'));
  expect(items[1].Update?.ConditionExpression).toBe('available >= :qty');
  const entry = eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0];
  expect(entry).toMatchObject({ DetailType: 'InventoryReserved', Source: 'com.example.inventory', EventBusName: 'bus' });
});

test('a redelivered order gets the stored answer: no second transaction, no second event', async () => {
  doc.on(TransactWriteCommand).resolves({});
  const reserve = handler();
  const event = orderPlaced({ orderId: 'o-2', items: [{ sku: 'A', quantity: 1 }] });
  const first = await reserve(event, context);
  await expect(reserve(event, context)).resolves.toEqual(first);
  expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(1);
  expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(1);
});

test('a reused orderId with different items is refused, not answered with the first order', async () => {
  doc.on(TransactWriteCommand).resolves({});
  const reserve = handler();
  await reserve(orderPlaced({ orderId: 'o-3', items: [{ sku: 'A', quantity: 1 }] }), context);
  const attempt = reserve(orderPlaced({ orderId: 'o-3', items: [{ sku: 'B', quantity: 5 }] }), context);
  await expect(attempt).rejects.toThrow(ConflictingPayloadError);
  await expect(attempt).rejects.toThrow('OrderPlaced event orderId o-3 was already processed with a different payload (non-retryable, fix the producer: ids must not be reused)');
  expect(doc.commandCalls(TransactWriteCommand)).toHaveLength(1);
});

describe('an orderId reused long after the first order (the Powertools record has expired)', () => {
  const guardHit = () => new TransactionCanceledException({
    $metadata: {}, message: 'cancelled', CancellationReasons: [{ Code: 'ConditionalCheckFailed' }, { Code: 'None' }],
  });
  const first = { orderId: 'o-9', customerId: 'c-1', items: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 2 }] };

  test('with the same order (lines in another order), is a redelivery: InventoryReserved again, no stock change', async () => {
    doc.on(TransactWriteCommand).rejects(guardHit());
    doc.on(GetCommand).resolves({ Item: { id: guardKey('o-9'), orderId: 'o-9', payloadDigest: orderDigest(first), reservedAt: '2025-01-01T00:00:00.000Z' } });
    const result = await handler()(orderPlaced({ ...first, items: [{ sku: 'B', quantity: 2 }, { sku: 'A', quantity: 1 }] }), context);
    expect(result).toMatchObject({ status: 'reserved', orderId: 'o-9', alreadyReserved: true });
    expect(doc.commandCalls(GetCommand)[0].args[0].input).toMatchObject({ Key: { id: guardKey('o-9') }, ConsistentRead: true });
  });

  test.each([
    ['other lines', { ...first, items: [{ sku: 'A', quantity: 5 }] }],
    ['another customer', { ...first, customerId: 'c-2' }],
  ])('with %s, is refused and announces nothing', async (_name, detail) => {
    doc.on(TransactWriteCommand).rejects(guardHit());
    doc.on(GetCommand).resolves({ Item: { id: guardKey('o-9'), orderId: 'o-9', payloadDigest: orderDigest(first), reservedAt: '2025-01-01T00:00:00.000Z' } });
    const attempt = handler()(orderPlaced(detail), context);
    await expect(attempt).rejects.toThrow('OrderPlaced event orderId o-9 was already processed with a different payload (non-retryable, fix the producer: ids must not be reused)');
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  test('a guard written before digests existed is compared by its lines', async () => {
    doc.on(TransactWriteCommand).rejects(guardHit());
    doc.on(GetCommand).resolves({ Item: { id: guardKey('o-9'), orderId: 'o-9', items: [{ sku: 'A', quantity: 1 }], reservedAt: '2025-01-01T00:00:00.000Z' } });
    await expect(handler()(orderPlaced({ orderId: 'o-9', items: [{ sku: 'A', quantity: 1 }] }), context)).resolves.toMatchObject({ alreadyReserved: true });
    await expect(handler()(orderPlaced({ orderId: 'o-9', items: [{ sku: 'A', quantity: 2 }] }), context)).rejects.toThrow(ConflictingPayloadError);
  });

  test('the guard never expires unless RESERVATION_GUARD_TTL_DAYS says so', async () => {
    doc.on(TransactWriteCommand).resolves({});
    await handler()(orderPlaced(first), context);
    const guard = doc.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems![0].Put!.Item!;
    expect(guard).toEqual({ id: guardKey('o-9'), orderId: 'o-9', payloadDigest: orderDigest(first), reservedAt: expect.any(String) });
  });
});

test('a shortage reserves nothing and announces InventoryShortage with the stock read', async () => {
  doc.on(TransactWriteCommand).rejects(new TransactionCanceledException({
    $metadata: {}, message: 'cancelled', CancellationReasons: [{ Code: 'None' }, { Code: 'ConditionalCheckFailed' }],
  }));
  doc.on(BatchGetCommand).resolves({ Responses: { stock: [{ sku: 'A', available: 1 }] } });
  const result = await handler()(orderPlaced({ orderId: 'o-4', items: [{ sku: 'A', quantity: 3 }] }), context);
  expect(result).toEqual({ status: 'shortage', orderId: 'o-4', shortages: [{ sku: 'A', requested: 3, available: 1 }] });
  expect(eventBridge.commandCalls(PutEventsCommand)[0].args[0].input.Entries![0].DetailType).toBe('InventoryShortage');
});

test('a malformed event is rejected with a typed error before any call', async () => {
  const attempt = handler()(orderPlaced({ orderId: 'o-5', items: [{ sku: 'A', quantity: 0 }] }), context);
  await expect(attempt).rejects.toThrow(InvalidEventError);
  await expect(attempt).rejects.toThrow('detail.items[0].quantity must be >= 1, got 0');
  expect(doc.calls()).toHaveLength(0);
  expect(table.items.size).toBe(0);
});

test('configuration from the environment: the guard expires only when RESERVATION_GUARD_TTL_DAYS is set', () => {
  const base = { STOCK_TABLE_NAME: 's', IDEMPOTENCY_TABLE_NAME: 'i' };
  expect(reserveInventoryConfigFromEnv(base)).toEqual({ stockTableName: 's', idempotencyTableName: 'i', guardTtlDays: undefined });
  expect(reserveInventoryConfigFromEnv({ ...base, RESERVATION_GUARD_TTL_DAYS: '7' }).guardTtlDays).toBe(7);
  expect(() => reserveInventoryConfigFromEnv({ ...base, RESERVATION_GUARD_TTL_DAYS: '0' }))
    .toThrow("Environment variable RESERVATION_GUARD_TTL_DAYS must be a number between 1 and 3650, got '0'");
});
