/**
 * Order to inventory: reserve stock for an `OrderPlaced` event.
 *
 * Input: the EventBridge event `OrderPlaced`, detail
 *   `{ orderId: string, customerId?: string, items: [{ sku: string, quantity: integer > 0 }] }`.
 * Effect: one DynamoDB transaction decrements `available` of every SKU (`available >= :qty`, so never below
 * zero), all or nothing. Emits `InventoryReserved { orderId, items }` or
 * `InventoryShortage { orderId, shortages: [{ sku, requested, available }] }` through the shared publisher.
 * Returns `{ status: 'reserved', orderId, items, alreadyReserved } | { status: 'shortage', orderId, shortages }`.
 *
 * Environment:
 * - STOCK_TABLE_NAME: partition key `sku` (S), attribute `available` (N)
 * - IDEMPOTENCY_TABLE_NAME: Powertools idempotency table, partition key `id` (S), TTL attribute `expiration`
 * - EVENT_BUS_NAME, EVENT_SOURCE, EVENT_MAX_ENTRY_BYTES (optional, default 262144)
 * - RESERVATION_GUARD_TTL_DAYS (optional, default: kept for ever): how long the per-order guard item is kept
 * - POWERTOOLS_SERVICE_NAME (optional)
 *
 * Exactly-once stock changes, two layers:
 * 1. Powertools `makeIdempotent`, keyed on `detail.orderId`: a redelivered event gets the stored result
 *    without touching DynamoDB or EventBridge again.
 * 2. A guard item `id = "reservation#<orderId>"` written by the SAME transaction into the idempotency table
 *    (condition `attribute_not_exists(id)`). Powertools alone is not enough: its record is written
 *    after the transaction commits, so a crash or timeout in between (or a failed PutEvents, which makes
 *    Powertools delete its record so that the retry can run) would let the retry decrement the stock a
 *    second time; and its record expires while EventBridge retries and DLQ redrives can come later. The
 *    guard makes the decrement itself idempotent: a retry that finds the guard knows the stock was
 *    already reserved and only emits `InventoryReserved` again (at-least-once delivery of the event).
 *    The cost is one action of the transaction's 100, hence at most 99 distinct SKUs per order. The guard
 *    lives in the idempotency table, not the stock table, so that the stock table holds only stock.
 *    The guard also keeps a SHA-256 digest of the order (customer and merged lines) and, unless
 *    RESERVATION_GUARD_TTL_DAYS is set, never expires: an `orderId` reused with another payload is refused with a
 *    ConflictingPayloadError however long after the first order, not only while the Powertools record lives.
 */
import { createHash } from 'node:crypto';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { BatchGetCommand, DynamoDBDocumentClient, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { ENV, INVENTORY_RESERVED as INVENTORY_RESERVED_CONTRACT, INVENTORY_SHORTAGE as INVENTORY_SHORTAGE_CONTRACT, LIMITS } from '../contract';
import type { InventoryReservedDetail, InventoryShortageDetail } from './contract.generated';
import { findShortages, parseOrderPlaced } from './order-items';
import type { LineItem, Order, Shortage } from './order-items';
import type { EventPublisher, PutEventsClient } from '../../../runtime/publisher';
import type { Env } from '../../runtime-shared/env';
import { numberEnv, requireEnv } from '../../runtime-shared/env';
import { ConflictingPayloadError, blueprintHandler } from '../../runtime-shared/handler';
import { createLogger, createTracer, idempotencyStore, lazyHandler, publisherFromEnv } from '../../runtime-shared/runtime';

const INVENTORY_RESERVED = INVENTORY_RESERVED_CONTRACT.detailType;
const INVENTORY_SHORTAGE = INVENTORY_SHORTAGE_CONTRACT.detailType;

type ReserveInventoryResult =
  | { status: 'reserved'; orderId: string; items: LineItem[]; alreadyReserved: boolean }
  | { status: 'shortage'; orderId: string; shortages: Shortage[] };

export interface ReserveInventoryConfig {
  readonly stockTableName: string;
  readonly idempotencyTableName: string;
  /** @default - the guard never expires */
  readonly guardTtlDays?: number;
}

/** What the handler calls its input in logs and errors. */
const WHAT = 'OrderPlaced event';

/** The digest of what an order asks for: its customer and its merged lines, in a canonical order. */
export function orderDigest(order: Pick<Order, 'customerId' | 'items'>): string {
  const lines = [...order.items].sort((a, b) => (a.sku < b.sku ? -1 : a.sku > b.sku ? 1 : 0)).map((i) => [i.sku, i.quantity]);
  return createHash('sha256').update(JSON.stringify([order.customerId ?? null, lines])).digest('hex');
}

export interface ReserveInventoryDeps {
  readonly dynamoDb: DynamoDBClient;
  readonly publisher: EventPublisher;
  readonly logger?: Logger;
  /** @default - no tracing */
  readonly tracer?: Tracer;
  /** @default Date.now */
  readonly now?: () => number;
}

export function reserveInventoryConfigFromEnv(env: Env): ReserveInventoryConfig {
  return {
    stockTableName: requireEnv(env, ENV.stockTableName),
    idempotencyTableName: requireEnv(env, ENV.idempotencyTableName),
    guardTtlDays: env[ENV.guardTtlDays] === undefined ? undefined : numberEnv(env, ENV.guardTtlDays, 0, LIMITS.guardTtlDays),
  };
}

/** The key of the per-order guard item in the idempotency table. */
export const guardKey = (orderId: string) => `reservation#${orderId}`;

interface CancellationReason {
  Code?: string;
  Message?: string;
}

export function createReserveInventoryHandler(config: ReserveInventoryConfig, deps: ReserveInventoryDeps) {
  const logger = deps.logger ?? createLogger('order-to-inventory');
  const now = deps.now ?? Date.now;
  const doc = DynamoDBDocumentClient.from(deps.dynamoDb, { marshallOptions: { removeUndefinedValues: true } });
  const guardTtlSeconds = config.guardTtlDays === undefined ? undefined : Math.round(config.guardTtlDays * 86_400);

  async function readStock(skus: readonly string[]): Promise<Map<string, number>> {
    const stock = new Map<string, number>();
    let keys: Record<string, unknown>[] = skus.map((sku) => ({ sku }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= 5) throw new Error(`Could not read stock for ${keys.length} SKU(s) after ${attempt} attempts (unprocessed keys)`);
      const out = await doc.send(new BatchGetCommand({
        RequestItems: { [config.stockTableName]: { Keys: keys, ConsistentRead: true, ProjectionExpression: 'sku, available' } },
      }));
      for (const item of out.Responses?.[config.stockTableName] ?? []) {
        const available = Number(item.available);
        stock.set(String(item.sku), Number.isFinite(available) ? available : 0);
      }
      keys = (out.UnprocessedKeys?.[config.stockTableName]?.Keys ?? []) as Record<string, unknown>[];
      if (keys.length > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
    return stock;
  }

  async function reserve(order: Order): Promise<ReserveInventoryResult> {
    const nowSeconds = Math.floor(now() / 1000);
    const transactItems: NonNullable<TransactWriteCommandInput['TransactItems']> = [
      {
        Put: {
          TableName: config.idempotencyTableName,
          Item: {
            id: guardKey(order.orderId),
            orderId: order.orderId,
            payloadDigest: orderDigest(order),
            reservedAt: new Date(now()).toISOString(),
            ...(guardTtlSeconds === undefined ? {} : { expiration: nowSeconds + guardTtlSeconds }),
          },
          ConditionExpression: 'attribute_not_exists(id)',
        },
      },
      ...order.items.map((item) => ({
        Update: {
          TableName: config.stockTableName,
          Key: { sku: item.sku },
          UpdateExpression: 'SET available = available - :qty',
          // Also false when the SKU does not exist (no `available` attribute): unknown SKU = 0 in stock.
          ConditionExpression: 'available >= :qty',
          ExpressionAttributeValues: { ':qty': item.quantity },
        },
      })),
    ];

    try {
      await doc.send(new TransactWriteCommand({ TransactItems: transactItems }));
    } catch (err) {
      if (!(err instanceof TransactionCanceledException) && (err as Error | undefined)?.name !== 'TransactionCanceledException') throw err;
      const reasons = ((err as { CancellationReasons?: CancellationReason[] }).CancellationReasons ?? []);
      const codes = reasons.map((r) => r.Code ?? 'None');
      const unexpected = codes.filter((c) => c !== 'None' && c !== 'ConditionalCheckFailed');
      if (unexpected.length > 0 || !codes.includes('ConditionalCheckFailed')) {
        // TransactionConflict, ThrottlingError, ValidationError...: let the invocation fail and be retried.
        throw err;
      }
      if (codes[0] === 'ConditionalCheckFailed') {
        await assertSameOrder(order);
        logger.info('Order was already reserved by an earlier attempt; emitting InventoryReserved again', { orderId: order.orderId });
        return { status: 'reserved', orderId: order.orderId, items: order.items, alreadyReserved: true };
      }
      const failedSkus = new Set(order.items.filter((_, i) => codes[i + 1] === 'ConditionalCheckFailed').map((item) => item.sku));
      const stock = await readStock(order.items.map((item) => item.sku));
      const shortages = findShortages(order.items, stock, failedSkus);
      return { status: 'shortage', orderId: order.orderId, shortages };
    }
    return { status: 'reserved', orderId: order.orderId, items: order.items, alreadyReserved: false };
  }

  /** The guard of an earlier reservation of this orderId must be of the same order, or the order is refused. */
  async function assertSameOrder(order: Order): Promise<void> {
    const out = await doc.send(new GetCommand({
      TableName: config.idempotencyTableName, Key: { id: guardKey(order.orderId) }, ConsistentRead: true,
    }));
    const guard = out.Item;
    if (guard === undefined) {
      // Expired (RESERVATION_GUARD_TTL_DAYS) between the transaction and this read: the retry reserves anew.
      throw new Error(`The reservation guard of order ${order.orderId} disappeared while it was read; retrying`);
    }
    // Guards written before the digest existed hold the lines.
    const stored = typeof guard.payloadDigest === 'string' ? guard.payloadDigest
      : Array.isArray(guard.items) ? orderDigest({ customerId: order.customerId, items: guard.items as LineItem[] }) : undefined;
    if (stored !== orderDigest(order)) {
      const conflict = new ConflictingPayloadError(WHAT, `orderId ${order.orderId}`);
      logger.error(conflict.message, { reservedAt: typeof guard.reservedAt === 'string' ? guard.reservedAt : undefined });
      throw conflict;
    }
  }

  async function processOrder(order: Order, _context: Context): Promise<ReserveInventoryResult> {
    const result = await reserve(order);
    if (result.status === 'reserved') {
      const detail: InventoryReservedDetail = { orderId: result.orderId, items: result.items };
      await deps.publisher.publish([{ detailType: INVENTORY_RESERVED, detail }]);
      logger.info('Inventory reserved', { orderId: result.orderId, lines: result.items.length, alreadyReserved: result.alreadyReserved });
    } else {
      const detail: InventoryShortageDetail = { orderId: result.orderId, shortages: result.shortages };
      await deps.publisher.publish([{ detailType: INVENTORY_SHORTAGE, detail }]);
      logger.warn('Inventory shortage; nothing reserved', { orderId: result.orderId, shortages: result.shortages });
    }
    return result;
  }

  return blueprintHandler<Order, ReserveInventoryResult>({
    what: WHAT,
    logger,
    tracer: deps.tracer,
    parse: parseOrderPlaced,
    logKeys: (order) => ({ orderId: order.orderId }),
    // Keyed on the validated order's `orderId`, checked against the whole (merged) order.
    idempotency: {
      persistenceStore: idempotencyStore(config.idempotencyTableName, deps.dynamoDb),
      keyPath: 'orderId',
      keyOf: (order) => `orderId ${order.orderId}`,
    },
    process: processOrder,
  });
}

/** Lambda entry point: builds clients and configuration from the environment on first use. */
export const handler = lazyHandler(() => {
  const env = process.env;
  const tracer = createTracer();
  const eventBridge: PutEventsClient = tracer.captureAWSv3Client(new EventBridgeClient({}));
  return createReserveInventoryHandler(reserveInventoryConfigFromEnv(env), {
    dynamoDb: tracer.captureAWSv3Client(new DynamoDBClient({})),
    publisher: publisherFromEnv(env, eventBridge),
    tracer,
  });
});
