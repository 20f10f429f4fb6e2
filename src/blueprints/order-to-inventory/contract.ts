/**
 * The contract of the order-to-inventory blueprint, written once: detail-types, JSON Schemas (draft 4), environment
 * variable names and limits. Pure data, imported by the construct (order-to-inventory.ts) and by the handler
 * (runtime/reserve-inventory.lambda.ts).
 */
import { ID_DESCRIPTION, ID_PATTERN } from '../contract-data';
import type { ContractData } from '../contract-data';

export const DEFAULT_ORDER_SOURCE = 'com.example.orders';
export const DEFAULT_EVENT_SOURCE = 'com.example.inventory';

/** Limits shared by the construct's validation, the schemas and the handler. */
export const LIMITS = {
  /**
   * TransactWriteItems accepts at most 100 actions; one is the order's guard item, which leaves 99 distinct SKUs.
   */
  maxDistinctSkus: 99,
  /** Upper bound per line, far above any real order, so a sum can never lose precision. */
  maxQuantity: 1_000_000,
  /** Lines per order before merging. */
  maxLines: 10_000,
  /** An SKU is the stock table's partition key: at most 1,024 UTF-8 bytes (DynamoDB allows 2,048). */
  maxSkuBytes: 1024,
  maxOrderIdLength: 128,
  /** How long a per-order reservation guard may be kept when it expires at all (it is kept for ever by default). */
  guardTtlDays: { min: 1, max: 3650 },
} as const;

/** Environment variables of the default function. */
export const ENV = {
  stockTableName: 'STOCK_TABLE_NAME',
  idempotencyTableName: 'IDEMPOTENCY_TABLE_NAME',
  eventBusName: 'EVENT_BUS_NAME',
  eventSource: 'EVENT_SOURCE',
  maxEntryBytes: 'EVENT_MAX_ENTRY_BYTES',
  guardTtlDays: 'RESERVATION_GUARD_TTL_DAYS',
} as const;


const LINE_ITEM_SCHEMA = {
  type: 'object',
  required: ['sku', 'quantity'],
  properties: {
    sku: { type: 'string', minLength: 1, maxLength: LIMITS.maxSkuBytes, pattern: '\\S' },
    quantity: { type: 'integer', minimum: 1, maximum: LIMITS.maxQuantity },
  },
};

export const ORDER_PLACED: ContractData = {
  detailType: 'OrderPlaced',
  description: 'A customer placed an order; the inventory reserves its lines.',
  detailSchema: {
    type: 'object',
    required: ['orderId', 'items'],
    properties: {
      orderId: { type: 'string', minLength: 1, maxLength: LIMITS.maxOrderIdLength, pattern: ID_PATTERN, description: ID_DESCRIPTION },
      customerId: { type: 'string', minLength: 1, maxLength: 256 },
      items: { type: 'array', minItems: 1, maxItems: LIMITS.maxLines, items: LINE_ITEM_SCHEMA },
    },
  },
};

export const INVENTORY_RESERVED: ContractData = {
  detailType: 'InventoryReserved',
  description: 'Every line of an order was reserved in the stock table.',
  detailSchema: {
    type: 'object',
    required: ['orderId', 'items'],
    properties: {
      orderId: { type: 'string' },
      items: { type: 'array', description: 'One line per SKU (lines of the same SKU merged).', items: LINE_ITEM_SCHEMA },
    },
  },
};

export const INVENTORY_SHORTAGE: ContractData = {
  detailType: 'InventoryShortage',
  description: 'An order could not be reserved because of missing stock; nothing was reserved.',
  detailSchema: {
    type: 'object',
    required: ['orderId', 'shortages'],
    properties: {
      orderId: { type: 'string' },
      shortages: {
        type: 'array',
        items: {
          type: 'object',
          required: ['sku', 'requested', 'available'],
          properties: {
            sku: { type: 'string' },
            requested: { type: 'integer', minimum: 1 },
            available: { type: 'number' },
          },
        },
      },
    },
  },
};
