/** Pure logic of the order-to-inventory blueprint: validate `OrderPlaced`, merge line items, report shortages. */
import { Checker, eventDetail, validateAgainstSchema } from '../../runtime-shared/validation';
import { LIMITS, ORDER_PLACED } from '../contract';
import type { InventoryShortageDetail, OrderPlacedDetail, OrderPlacedDetailItemsItem } from './contract.generated';

/** One line of an order: `{ sku, quantity }`, as the contract's `OrderPlaced` detail has it. */
export type LineItem = OrderPlacedDetailItemsItem;

export interface Order {
  readonly orderId: string;
  readonly customerId?: string;
  /** Merged: one line per SKU, in order of first appearance. */
  readonly items: LineItem[];
}

/** One line of an `InventoryShortage` detail. */
export type Shortage = InventoryShortageDetail['shortages'][number];

/** See the contract: one transaction of 100 actions, one of them the order's guard item. */
export const MAX_DISTINCT_SKUS = LIMITS.maxDistinctSkus;

/** Merge lines with the same SKU (quantities add up), keeping the order of first appearance. */
export function mergeLineItems(items: readonly LineItem[]): LineItem[] {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of items) {
    merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  }
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * Validate an EventBridge `OrderPlaced` event (envelope with `detail`) against its contract, and return the order
 * with merged items.
 * @throws InvalidEventError listing the problems
 */
export function parseOrderPlaced(event: unknown): Order {
  const what = 'OrderPlaced event';
  const detail = validateAgainstSchema<OrderPlacedDetail>(ORDER_PLACED.detailSchema, eventDetail(event, what), what, 'detail');
  // What JSON Schema cannot say: an SKU is a DynamoDB key, limited in UTF-8 bytes, not characters.
  const check = new Checker();
  detail.items.forEach((item, i) => check.maxUtf8Bytes(item.sku, `detail.items[${i}].sku`, LIMITS.maxSkuBytes));
  check.done(what);
  const merged = mergeLineItems(detail.items.map(({ sku, quantity }) => ({ sku, quantity })));
  if (merged.length > MAX_DISTINCT_SKUS) {
    check.problem(`detail.items must name at most ${MAX_DISTINCT_SKUS} distinct SKUs (one DynamoDB transaction of 100 actions, `
      + `one of them the order guard), got ${merged.length}; split the order`);
    check.done(what);
  }
  return { orderId: detail.orderId, ...(detail.customerId !== undefined ? { customerId: detail.customerId } : {}), items: merged };
}

/**
 * Lines that cannot be served from `stock` (SKU -> available units; a missing SKU has 0).
 * `onlySkus` restricts the report to the SKUs DynamoDB said failed, when known.
 */
export function findShortages(items: readonly LineItem[], stock: ReadonlyMap<string, number>, onlySkus?: ReadonlySet<string>): Shortage[] {
  const shortages: Shortage[] = [];
  for (const { sku, quantity } of items) {
    const available = stock.get(sku) ?? 0;
    if (quantity > available || onlySkus?.has(sku)) {
      shortages.push({ sku, requested: quantity, available });
    }
  }
  return shortages;
}
