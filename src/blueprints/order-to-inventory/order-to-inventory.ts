import {
  Duration,
  Size,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  DEFAULT_EVENT_SOURCE, DEFAULT_ORDER_SOURCE, ENV, INVENTORY_RESERVED, INVENTORY_SHORTAGE, LIMITS, ORDER_PLACED,
} from './contract';
import { EventContract } from '../../core/event-contract';
import { ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry } from '../../core/schema-registry';
import { checkAlarmOptions } from '../../private/alarm-options';
import { propError, show } from '../../private/errors';
import { wholeDays } from '../../private/retention';
import { guardServiceRoleTrust } from '../../private/service-role-trust';
import { BlueprintFunction } from '../kit/blueprint-function';
import { BlueprintBaseProps } from '../kit/blueprint-props';
import { createDefaultFunction } from '../shared-constructs/default-function';
import { deliveryOptions } from '../shared-constructs/delivery-options';
import { blueprintEventBus, blueprintRegistry, publishContract } from '../shared-constructs/foundation';
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
export interface OrderToInventoryProps extends BlueprintBaseProps {
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
   * How long the per-order reservation guard is kept in the idempotency table. While it lives, an `OrderPlaced`
   * event redelivered never reserves stock twice, and an `orderId` reused with another customer or other lines is
   * refused (ConflictingPayloadError, to the on-failure queue). After it expires, neither is detected any more.
   * Whole days, 1 to 3650. A guard is one small item per order (its id, a SHA-256 digest and a date).
   *
   * Only for the default function.
   *
   * @default - kept for ever: reused order ids are refused however late they come
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

  /**
   * The default function with its role, log group, on-failure queue and alarm (undefined with `props.handler`).
   */
  public readonly defaultReserveInventoryFunction?: BlueprintFunction;

  /** The route of `OrderPlaced` events to the function. */
  public readonly route: ReliableRoute;

  constructor(scope: Construct, id: string, props: OrderToInventoryProps = {}) {
    super(scope, id);
    guardServiceRoleTrust(this);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);

    const guardTtlDays = this.checkProps(props);
    const eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;

    this.eventBus = blueprintEventBus(this, props.eventBus, props);
    this.registry = blueprintRegistry(this, props.registry);

    this.orderPlaced = props.orderPlacedContract
      ?? publishContract(this, 'OrderPlaced', this.registry, props.orderSource ?? DEFAULT_ORDER_SOURCE, ORDER_PLACED);
    this.inventoryReserved = publishContract(this, 'InventoryReserved', this.registry, eventSource, INVENTORY_RESERVED);
    this.inventoryShortage = publishContract(this, 'InventoryShortage', this.registry, eventSource, INVENTORY_SHORTAGE);

    this.stockTable = props.stockTable ?? createBlueprintTable(this, 'StockTable', {
      partitionKey: STOCK_PARTITION_KEY,
      removalPolicy: props.removalPolicy,
    });
    this.idempotencyTable = createIdempotencyTable(this, 'IdempotencyTable', props.removalPolicy);

    if (!props.handler) {
      this.defaultReserveInventoryFunction = createDefaultFunction(this, 'ReserveInventory', {
        blueprint: 'order-to-inventory',
        handler: 'reserve-inventory',
        description: 'Reserves the stock of OrderPlaced events (order-to-inventory blueprint)',
        environment: {
          [ENV.stockTableName]: this.stockTable.tableName,
          [ENV.idempotencyTableName]: this.idempotencyTable.tableName,
          [ENV.eventBusName]: this.eventBus.eventBusArn,
          [ENV.eventSource]: eventSource,
          ...(guardTtlDays === undefined ? {} : { [ENV.guardTtlDays]: guardTtlDays }),
          ...maxEntryBytesEnv(this, TYPE, props.maxEventEntrySize, ENV.maxEntryBytes),
        },
      }, props);
    }
    this.reserveInventoryFunction = props.handler ?? this.defaultReserveInventoryFunction!.function;

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

  /** Checks the props; the reservation guard's time to live in days, when set. */
  private checkProps(props: OrderToInventoryProps) {
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
    return guardDays(this, props.reservationGuardTtl);
  }
}

// 1 to 3650 days (LIMITS.guardTtlDays, which the handler checks too) is a bound of this library, not of AWS: DynamoDB
// documents no upper limit for an item's TTL (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html).
function guardDays(scope: Construct, ttl: Duration | undefined): string | undefined {
  return ttl === undefined ? undefined : numberToEnv(scope, wholeDays(scope, TYPE, 'reservationGuardTtl', ttl, LIMITS.guardTtlDays));
}
