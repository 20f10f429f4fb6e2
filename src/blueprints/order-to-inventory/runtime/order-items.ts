/** Pure logic of the order-to-inventory blueprint: validate `OrderPlaced`, merge line items, report shortages. */
import { Checker, ID_PATTERN, ID_PATTERN_TEXT, isObject } from '../../runtime-shared/validation';
import { LIMITS } from '../contract';

export interface LineItem {
  readonly sku: string;
  readonly quantity: number;
}

export interface Order {
  readonly orderId: string;
  readonly customerId?: string;
  /** Merged: one line per SKU, in order of first appearance. */
  readonly items: LineItem[];
}

export interface Shortage {
  readonly sku: string;
  readonly requested: number;
  readonly available: number;
}

/** See the contract: one transaction of 100 actions, one of them the order's guard item. */
export const MAX_DISTINCT_SKUS = LIMITS.maxDistinctSkus;
export const MAX_QUANTITY = LIMITS.maxQuantity;

/** Merge lines with the same SKU (quantities add up), keeping the order of first appearance. */
export function mergeLineItems(items: readonly LineItem[]): LineItem[] {
  const merged = new Map<string, number>();
  for (const { sku, quantity } of items) {
    merged.set(sku, (merged.get(sku) ?? 0) + quantity);
  }
  return [...merged].map(([sku, quantity]) => ({ sku, quantity }));
}

/**
 * Validate an EventBridge `OrderPlaced` event (envelope with `detail`) and return the order with merged items.
 * @throws InvalidEventError listing every problem
 */
export function parseOrderPlaced(event: unknown): Order {
  const check = new Checker();
  const envelope = check.object(event, 'event');
  const detail = envelope ? check.object(envelope.detail, 'detail') : undefined;
  if (!detail) {
    check.done('OrderPlaced event');
    throw new Error('unreachable');
  }
  const orderId = check.string(detail.orderId, 'detail.orderId', { maxLength: LIMITS.maxOrderIdLength, pattern: ID_PATTERN, patternText: ID_PATTERN_TEXT });
  const customerId = check.optionalString(detail.customerId, 'detail.customerId', { maxLength: 256 });
  const rawItems = check.array(detail.items, 'detail.items', 1, LIMITS.maxLines);
  const items: LineItem[] = [];
  rawItems?.forEach((raw, i) => {
    const path = `detail.items[${i}]`;
    if (!isObject(raw)) {
      check.problem(`${path} must be an object, got ${JSON.stringify(raw)}`);
      return;
    }
    const sku = check.string(raw.sku, `${path}.sku`, { maxLength: LIMITS.maxSkuBytes, maxBytes: LIMITS.maxSkuBytes });
    const quantity = check.positiveInteger(raw.quantity, `${path}.quantity`, MAX_QUANTITY);
    if (sku !== undefined && quantity !== undefined) items.push({ sku, quantity });
  });
  check.done('OrderPlaced event');
  const merged = mergeLineItems(items);
  if (merged.length > MAX_DISTINCT_SKUS) {
    check.problem(`detail.items must name at most ${MAX_DISTINCT_SKUS} distinct SKUs (one DynamoDB transaction of 100 actions, `
      + `one of them the order guard), got ${merged.length}; split the order`);
    check.done('OrderPlaced event');
  }
  return { orderId: orderId!, ...(customerId !== undefined ? { customerId } : {}), items: merged };
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
