import {
  Duration,
  RemovalPolicy,
  Size,
  Token,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReserveInventoryFunction } from './reserve-inventory-function';
import { EventContract } from '../../core/event-contract';
import { ReliableDeliveryOptions, ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry, SchemaRegistry } from '../../core/schema-registry';
import { SecureEventBus } from '../../core/secure-event-bus';
import { createBlueprintFunction } from '../../private/blueprint-function';
import { deliveryOptions } from '../../private/delivery-options';
import { propError, show } from '../../private/errors';
import { checkDefaultFunctionOnly, maxEntryBytesEnv, numberToEnv } from '../shared-constructs/settings';
import { IDEMPOTENCY_TABLE_ACTIONS, checkTableKeys, createBlueprintTable, createIdempotencyTable } from '../shared-constructs/tables';

const TYPE = 'OrderToInventory';

/** The key of the stock table: one item per SKU. */
const STOCK_PARTITION_KEY: dynamodb.Attribute = { name: 'sku', type: dynamodb.AttributeType.STRING };

/** What the handler calls on the stock table: `BatchGetItem` (shortage report) and `UpdateItem` (in TransactWriteItems). */
const STOCK_TABLE_ACTIONS = ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'];

/**
 * Properties of an {@link OrderToInventory}.
 */
export interface OrderToInventoryProps extends ReliableDeliveryOptions {
  /**
   * The bus the `OrderPlaced` events arrive on and the inventory events are sent to.
   *
   * @default - a new `SecureEventBus`
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The schema registry in which the blueprint publishes the contracts of the events it consumes and emits
   * (`OrderPlaced`, `InventoryReserved`, `InventoryShortage`).
   *
   * @default - a new `SchemaRegistry`
   */
  readonly registry?: ISchemaRegistry;

  /**
   * The `source` of the `OrderPlaced` events.
   *
   * @default 'com.example.orders'
   */
  readonly orderSource?: string;

  /**
   * The contract of the `OrderPlaced` events, when the order team already publishes one (a registry holds one schema
   * per name, so the blueprint must not publish a second). Its `detail` must carry
   * `{ orderId, customerId?, items: [{ sku, quantity }] }`.
   *
   * @default - a contract with `orderSource` and detail-type `OrderPlaced` is published in `registry`
   */
  readonly orderPlacedContract?: EventContract;

  /**
   * The `source` of the `InventoryReserved` and `InventoryShortage` events the blueprint emits.
   *
   * @default 'com.example.inventory'
   */
  readonly eventSource?: string;

  /**
   * The stock table: one item per SKU, partition key `sku` (String), units in stock in the number attribute
   * `available`. The handler decrements `available` and never lets it go below zero; a SKU without an item counts
   * as out of stock. The reserve function gets `dynamodb:BatchGetItem` and `dynamodb:UpdateItem` on it.
   *
   * A table defined in the same app is checked for the key schema at synth; an imported one is not.
   *
   * @default - a new table (on-demand, point-in-time recovery, AWS managed encryption, `removalPolicy`)
   */
  readonly stockTable?: dynamodb.ITable;

  /**
   * Your own function instead of the default reserve-inventory function.
   *
   * The blueprint routes the whole `OrderPlaced` event to it and grants it what the default function has (the stock
   * table, the idempotency table, `events:PutEvents` on the bus) when it has a role, but sets no environment
   * variables on it: read the names from `stockTable`, `idempotencyTable` and `eventBus`.
   *
   * @default - a `ReserveInventoryFunction` (Node.js, 256 MB, 30 seconds, X-Ray, JSON logs kept one year,
   * its own least-privilege role, failed invocations sent to an SQS queue)
   */
  readonly handler?: lambda.IFunction;

  /**
   * How long the per-order reservation guard is kept in the idempotency table: an `OrderPlaced` event redelivered
   * within this time never reserves stock twice. Whole days, 1 to 3650.
   *
   * Only for the default function.
   *
   * @default Duration.days(30)
   */
  readonly reservationGuardTtl?: Duration;

  /**
   * The largest event the default function sends to EventBridge (1 byte to 1 MiB). Raise it up to 1 MiB if your
   * bus accepts larger events and orders can have many lines.
   *
   * Only for the default function.
   *
   * @default Size.kibibytes(256)
   */
  readonly maxEventEntrySize?: Size;

  /**
   * What happens to the tables the blueprint creates when they leave the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Order to inventory: every `OrderPlaced` event reserves stock in a DynamoDB table, all lines or none, and the
 * outcome is announced as `InventoryReserved` or `InventoryShortage`.
 *
 * The route delivers each order with a dead-letter queue, an explicit retry policy and an alarm; the function
 * reserves exactly once per order however often the event is delivered (a guard item written in the same DynamoDB
 * transaction, plus Powertools idempotency); all three events have contracts in the schema registry.
 */
export class OrderToInventory extends Construct {
  /** The bus the blueprint listens on and sends to. */
  public readonly eventBus: events.IEventBus;

  /** The registry holding the blueprint's event contracts. */
  public readonly registry: ISchemaRegistry;

  /** The contract of the consumed `OrderPlaced` events. */
  public readonly orderPlaced: EventContract;

  /** The contract of the emitted `InventoryReserved` events: `{ orderId, items: [{ sku, quantity }] }`. */
  public readonly inventoryReserved: EventContract;

  /** The contract of the emitted `InventoryShortage` events: `{ orderId, shortages: [{ sku, requested, available }] }`. */
  public readonly inventoryShortage: EventContract;

  /** The stock table (partition key `sku`). */
  public readonly stockTable: dynamodb.ITable;

  /** The Powertools idempotency table, which also holds the per-order reservation guards. */
  public readonly idempotencyTable: dynamodb.Table;

  /** The function that reserves the stock: the default one or `props.handler`. */
  public readonly reserveInventoryFunction: lambda.IFunction;

  /** The role of the default function (undefined with `props.handler`). */
  public readonly reserveInventoryRole?: iam.Role;

  /** The log group of the default function (undefined with `props.handler`). */
  public readonly reserveInventoryLogGroup?: logs.LogGroup;

  /**
   * Where the default function's failed asynchronous invocations go after Lambda's own retries
   * (undefined with `props.handler`).
   */
  public readonly reserveInventoryDeadLetterQueue?: sqs.Queue;

  /** The route of `OrderPlaced` events to the function. */
  public readonly route: ReliableRoute;

  constructor(scope: Construct, id: string, props: OrderToInventoryProps = {}) {
    super(scope, id);

    checkDefaultFunctionOnly(this, TYPE, 'handler', props.handler !== undefined, {
      reservationGuardTtl: props.reservationGuardTtl,
      maxEventEntrySize: props.maxEventEntrySize,
    });
    if (props.orderPlacedContract && props.orderSource !== undefined) {
      throw propError(this, TYPE, 'orderSource',
        `cannot be combined with orderPlacedContract, whose source (${show(props.orderPlacedContract.source)}) is used; omit orderSource`);
    }
    if (props.stockTable) {
      checkTableKeys(this, TYPE, 'stockTable', props.stockTable, STOCK_PARTITION_KEY);
    }
    const guardTtlDays = guardDays(this, props.reservationGuardTtl);
    const eventSource = props.eventSource ?? 'com.example.inventory';

    this.eventBus = props.eventBus ?? new SecureEventBus(this, 'EventBus', { alarms: props.alarms, alarmActions: props.alarmActions });
    this.registry = props.registry ?? new SchemaRegistry(this, 'Registry');

    this.orderPlaced = props.orderPlacedContract ?? new EventContract(this, 'OrderPlaced', {
      registry: this.registry,
      source: props.orderSource ?? 'com.example.orders',
      detailType: 'OrderPlaced',
      description: 'A customer placed an order; the inventory reserves its lines.',
      detailSchema: ORDER_PLACED_SCHEMA,
    });
    this.inventoryReserved = new EventContract(this, 'InventoryReserved', {
      registry: this.registry,
      source: eventSource,
      detailType: 'InventoryReserved',
      description: 'Every line of an order was reserved in the stock table.',
      detailSchema: INVENTORY_RESERVED_SCHEMA,
    });
    this.inventoryShortage = new EventContract(this, 'InventoryShortage', {
      registry: this.registry,
      source: eventSource,
      detailType: 'InventoryShortage',
      description: 'An order could not be reserved because of missing stock; nothing was reserved.',
      detailSchema: INVENTORY_SHORTAGE_SCHEMA,
    });

    this.stockTable = props.stockTable ?? createBlueprintTable(this, 'StockTable', {
      partitionKey: STOCK_PARTITION_KEY,
      removalPolicy: props.removalPolicy,
    });
    this.idempotencyTable = createIdempotencyTable(this, 'IdempotencyTable', props.removalPolicy);

    if (props.handler) {
      this.reserveInventoryFunction = props.handler;
    } else {
      const parts = createBlueprintFunction(this, 'ReserveInventory', {
        serviceName: 'order-to-inventory',
        environment: {
          STOCK_TABLE_NAME: this.stockTable.tableName,
          IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
          EVENT_BUS_NAME: this.eventBus.eventBusArn,
          EVENT_SOURCE: eventSource,
          RESERVATION_GUARD_TTL_DAYS: guardTtlDays,
          ...maxEntryBytesEnv(this, TYPE, props.maxEventEntrySize),
        },
      }, (s, i, o) => new ReserveInventoryFunction(s, i, o));
      this.reserveInventoryFunction = parts.function;
      this.reserveInventoryRole = parts.role;
      this.reserveInventoryLogGroup = parts.logGroup;
      this.reserveInventoryDeadLetterQueue = parts.deadLetterQueue;
    }

    this.stockTable.grant(this.reserveInventoryFunction, ...STOCK_TABLE_ACTIONS);
    this.idempotencyTable.grant(this.reserveInventoryFunction, ...IDEMPOTENCY_TABLE_ACTIONS);
    this.eventBus.grantPutEventsTo(this.reserveInventoryFunction);

    this.route = new ReliableRoute(this, 'OrderPlacedRoute', {
      eventBus: this.eventBus,
      eventPattern: this.orderPlaced.pattern(),
      description: 'OrderPlaced events to the reserve-inventory function',
      targets: [new targets.LambdaFunction(this.reserveInventoryFunction)],
      ...deliveryOptions(props),
    });
  }
}

function guardDays(scope: Construct, ttl: Duration | undefined): string {
  if (ttl === undefined) {
    return '30';
  }
  const days = ttl.toDays({ integral: false });
  if (Token.isUnresolved(days)) {
    return numberToEnv(scope, days);
  }
  if (!Number.isInteger(days) || days < 1 || days > 3650) {
    throw propError(scope, TYPE, 'reservationGuardTtl', `must be a whole number of days between 1 and 3650, got ${ttl.toHumanString()}`);
  }
  return String(days);
}

const LINE_ITEM_SCHEMA = {
  type: 'object',
  required: ['sku', 'quantity'],
  properties: {
    sku: { type: 'string', minLength: 1, maxLength: 1024 },
    quantity: { type: 'integer', minimum: 1, maximum: 1_000_000 },
  },
};

const ORDER_PLACED_SCHEMA = {
  type: 'object',
  required: ['orderId', 'items'],
  properties: {
    orderId: { type: 'string', minLength: 1, maxLength: 128 },
    customerId: { type: 'string', maxLength: 256 },
    items: { type: 'array', minItems: 1, items: LINE_ITEM_SCHEMA },
  },
};

const INVENTORY_RESERVED_SCHEMA = {
  type: 'object',
  required: ['orderId', 'items'],
  properties: {
    orderId: { type: 'string' },
    items: { type: 'array', description: 'One line per SKU (lines of the same SKU merged).', items: LINE_ITEM_SCHEMA },
  },
};

const INVENTORY_SHORTAGE_SCHEMA = {
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
};
