import {
  Fn,
  RemovalPolicy,
  Size,
  Stack,
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
import { AwardLoyaltyPointsFunction } from './award-loyalty-points-function';
import { IssueTicketFunction } from './issue-ticket-function';
import { SendConfirmationEmailFunction } from './send-confirmation-email-function';
import { EventContract } from '../../core/event-contract';
import { ReliableDeliveryOptions, ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry, SchemaRegistry } from '../../core/schema-registry';
import { SecureEventBus } from '../../core/secure-event-bus';
import { BlueprintFunctionParts, createBlueprintFunction } from '../../private/blueprint-function';
import { deliveryOptions } from '../../private/delivery-options';
import { propError, show } from '../../private/errors';
import { checkDefaultFunctionOnly, maxEntryBytesEnv, numberToEnv } from '../shared-constructs/settings';
import { IDEMPOTENCY_TABLE_ACTIONS, checkTableKeys, createBlueprintTable, createIdempotencyTable } from '../shared-constructs/tables';

const TYPE = 'BookingFanOut';

const TICKETS_PARTITION_KEY: dynamodb.Attribute = { name: 'bookingId', type: dynamodb.AttributeType.STRING };
const TICKETS_SORT_KEY: dynamodb.Attribute = { name: 'ticketNumber', type: dynamodb.AttributeType.STRING };
const LOYALTY_PARTITION_KEY: dynamodb.Attribute = { name: 'memberId', type: dynamodb.AttributeType.STRING };
const MAX_POINTS_PER_UNIT = 1_000_000;
/** A plain address, `local@domain`; a display name (`Name <local@domain>`) is stripped first. */
const EMAIL_ADDRESS = /^[^\s@<>]+@([^\s@<>]+\.[^\s@<>]+)$/;

/**
 * Properties of a {@link BookingFanOut}.
 */
export interface BookingFanOutProps extends ReliableDeliveryOptions {
  /**
   * The bus the `BookingConfirmed` events arrive on and the `TicketsIssued` events are sent to.
   *
   * @default - a new `SecureEventBus`
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The schema registry in which the blueprint publishes the contracts of `BookingConfirmed` and `TicketsIssued`.
   *
   * @default - a new `SchemaRegistry`
   */
  readonly registry?: ISchemaRegistry;

  /**
   * The `source` of the `BookingConfirmed` events.
   *
   * @default 'com.example.bookings'
   */
  readonly bookingSource?: string;

  /**
   * The contract of the `BookingConfirmed` events, when the booking team already publishes one (a registry holds
   * one schema per name, so the blueprint must not publish a second). Its `detail` must carry
   * `{ bookingId, customer: { id, email, name, loyaltyId? }, flight: { number, origin, destination, departure },
   * passengers: [{ firstName, lastName }], fare: { amount, currency } }`.
   *
   * @default - a contract with `bookingSource` and detail-type `BookingConfirmed` is published in `registry`
   */
  readonly bookingConfirmedContract?: EventContract;

  /**
   * The `source` of the `TicketsIssued` events the ticketing function emits.
   *
   * @default 'com.example.ticketing'
   */
  readonly eventSource?: string;

  /**
   * The `From` address of the confirmation emails, optionally with a display name (`Example Air <bookings@example.com>`).
   * It must be a verified identity in Amazon SES, or belong to a verified domain. The email function may send
   * (`ses:SendEmail`) as the address identity and as its domain identity, nothing else.
   *
   * @see https://docs.aws.amazon.com/ses/latest/dg/creating-identities.html
   */
  readonly senderAddress: string;

  /**
   * The SES configuration set the confirmation emails are sent with (event publishing, suppression, dedicated IPs).
   * The email function gets `ses:SendEmail` on it.
   *
   * @default - no configuration set
   */
  readonly configurationSetName?: string;

  /**
   * The tickets table: partition key `bookingId` (String), sort key `ticketNumber` (String), one item per
   * passenger. The ticketing function gets `dynamodb:UpdateItem` on it.
   *
   * A table defined in the same app is checked for the key schema at synth; an imported one is not.
   *
   * @default - a new table (on-demand, point-in-time recovery, AWS managed encryption, `removalPolicy`)
   */
  readonly ticketsTable?: dynamodb.ITable;

  /**
   * The loyalty table: partition key `memberId` (String); the function adds to the number attribute `points` and
   * records awarded bookings in the string set `awardedBookingIds`. The loyalty function gets
   * `dynamodb:UpdateItem` on it.
   *
   * A table defined in the same app is checked for the key schema at synth; an imported one is not.
   *
   * @default - a new table (on-demand, point-in-time recovery, AWS managed encryption, `removalPolicy`)
   */
  readonly loyaltyTable?: dynamodb.ITable;

  /**
   * Your own function instead of the default ticketing function. It receives `{ bookingId, flight, passengers }`
   * and gets what the default one has (tickets and idempotency tables, `events:PutEvents` on the bus) when it has
   * a role, but no environment variables.
   *
   * @default - an `IssueTicketFunction` (Node.js, 256 MB, 30 seconds, X-Ray, JSON logs kept one year, its own
   * least-privilege role, failed invocations sent to an SQS queue)
   */
  readonly ticketingHandler?: lambda.IFunction;

  /**
   * Your own function instead of the default confirmation email function. It receives
   * `{ bookingId, email, name, flight }` and gets what the default one has (`ses:SendEmail` as the sender, the
   * idempotency table) when it has a role, but no environment variables.
   *
   * @default - a `SendConfirmationEmailFunction` (same defaults as the ticketing function)
   */
  readonly emailHandler?: lambda.IFunction;

  /**
   * Your own function instead of the default loyalty function. It receives
   * `{ bookingId, memberId, fareAmount, currency }`, only for bookings whose customer has a `loyaltyId`, and gets
   * `dynamodb:UpdateItem` on the loyalty table when it has a role, but no environment variables.
   *
   * @default - an `AwardLoyaltyPointsFunction` (same defaults as the ticketing function)
   */
  readonly loyaltyHandler?: lambda.IFunction;

  /**
   * More consumers of every `BookingConfirmed` event (queues, functions, API destinations...). They share the route
   * of the ticketing and email functions: its dead-letter queue, retry policy and alarm, unless they bring their own.
   * More can be added with `addConsumer()`.
   *
   * @default - none
   */
  readonly extraConsumers?: events.IRuleTarget[];

  /**
   * Loyalty points per unit of the fare's currency (points = floor(amount x this); no currency conversion).
   * 0 to 1,000,000.
   *
   * Only for the default loyalty function.
   *
   * @default 1
   */
  readonly pointsPerCurrencyUnit?: number;

  /**
   * The largest event the default ticketing function sends to EventBridge (1 byte to 1 MiB).
   *
   * Only for the default ticketing function.
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
 * Booking fan-out: every `BookingConfirmed` event is delivered, in parallel and independently, to ticketing, the
 * confirmation email, loyalty points (only for loyalty members) and any number of extra consumers.
 *
 * Each default consumer receives only the fields it needs (an input transformer on its target), never the
 * customer's other data; every delivery has a dead-letter queue, an explicit retry policy and an alarm; and each
 * consumer is idempotent per booking.
 */
export class BookingFanOut extends Construct {
  /** The bus the blueprint listens on and sends to. */
  public readonly eventBus: events.IEventBus;

  /** The registry holding the blueprint's event contracts. */
  public readonly registry: ISchemaRegistry;

  /** The contract of the consumed `BookingConfirmed` events. */
  public readonly bookingConfirmed: EventContract;

  /** The contract of the emitted `TicketsIssued` events: `{ bookingId, flight, tickets: [{ ticketNumber, firstName, lastName }] }`. */
  public readonly ticketsIssued: EventContract;

  /** The tickets table (partition key `bookingId`, sort key `ticketNumber`). */
  public readonly ticketsTable: dynamodb.ITable;

  /** The loyalty table (partition key `memberId`). */
  public readonly loyaltyTable: dynamodb.ITable;

  /** The Powertools idempotency table of the ticketing and email functions. */
  public readonly idempotencyTable: dynamodb.Table;

  /** The ticketing function: the default one or `props.ticketingHandler`. */
  public readonly ticketingFunction: lambda.IFunction;

  /** The role of the default ticketing function (undefined with `props.ticketingHandler`). */
  public readonly ticketingRole?: iam.Role;

  /** The log group of the default ticketing function (undefined with `props.ticketingHandler`). */
  public readonly ticketingLogGroup?: logs.LogGroup;

  /** Failed asynchronous invocations of the default ticketing function (undefined with `props.ticketingHandler`). */
  public readonly ticketingDeadLetterQueue?: sqs.Queue;

  /** The confirmation email function: the default one or `props.emailHandler`. */
  public readonly emailFunction: lambda.IFunction;

  /** The role of the default email function (undefined with `props.emailHandler`). */
  public readonly emailRole?: iam.Role;

  /** The log group of the default email function (undefined with `props.emailHandler`). */
  public readonly emailLogGroup?: logs.LogGroup;

  /** Failed asynchronous invocations of the default email function (undefined with `props.emailHandler`). */
  public readonly emailDeadLetterQueue?: sqs.Queue;

  /** The loyalty function: the default one or `props.loyaltyHandler`. */
  public readonly loyaltyFunction: lambda.IFunction;

  /** The role of the default loyalty function (undefined with `props.loyaltyHandler`). */
  public readonly loyaltyRole?: iam.Role;

  /** The log group of the default loyalty function (undefined with `props.loyaltyHandler`). */
  public readonly loyaltyLogGroup?: logs.LogGroup;

  /** Failed asynchronous invocations of the default loyalty function (undefined with `props.loyaltyHandler`). */
  public readonly loyaltyDeadLetterQueue?: sqs.Queue;

  /** The route of every `BookingConfirmed` event to ticketing, email and the extra consumers. */
  public readonly route: ReliableRoute;

  /** The route of `BookingConfirmed` events of loyalty members (`customer.loyaltyId` exists) to the loyalty function. */
  public readonly loyaltyRoute: ReliableRoute;

  constructor(scope: Construct, id: string, props: BookingFanOutProps) {
    super(scope, id);

    checkDefaultFunctionOnly(this, TYPE, 'ticketingHandler', props.ticketingHandler !== undefined, {
      maxEventEntrySize: props.maxEventEntrySize,
    });
    checkDefaultFunctionOnly(this, TYPE, 'loyaltyHandler', props.loyaltyHandler !== undefined, {
      pointsPerCurrencyUnit: props.pointsPerCurrencyUnit,
    });
    if (props.bookingConfirmedContract && props.bookingSource !== undefined) {
      throw propError(this, TYPE, 'bookingSource',
        `cannot be combined with bookingConfirmedContract, whose source (${show(props.bookingConfirmedContract.source)}) is used; omit bookingSource`);
    }
    if (props.ticketsTable) {
      checkTableKeys(this, TYPE, 'ticketsTable', props.ticketsTable, TICKETS_PARTITION_KEY, TICKETS_SORT_KEY);
    }
    if (props.loyaltyTable) {
      checkTableKeys(this, TYPE, 'loyaltyTable', props.loyaltyTable, LOYALTY_PARTITION_KEY);
    }
    const pointsPerUnit = pointsPerCurrencyUnit(this, props.pointsPerCurrencyUnit);
    const senderIdentities = senderIdentityNames(this, props.senderAddress);
    if (props.configurationSetName !== undefined && !Token.isUnresolved(props.configurationSetName)
      && !/^[A-Za-z0-9_-]{1,64}$/.test(props.configurationSetName)) {
      throw propError(this, TYPE, 'configurationSetName',
        `must be 1 to 64 letters, digits, "_" or "-", got ${show(props.configurationSetName)}`);
    }
    const eventSource = props.eventSource ?? 'com.example.ticketing';

    this.eventBus = props.eventBus ?? new SecureEventBus(this, 'EventBus', { alarms: props.alarms, alarmActions: props.alarmActions });
    this.registry = props.registry ?? new SchemaRegistry(this, 'Registry');

    this.bookingConfirmed = props.bookingConfirmedContract ?? new EventContract(this, 'BookingConfirmed', {
      registry: this.registry,
      source: props.bookingSource ?? 'com.example.bookings',
      detailType: 'BookingConfirmed',
      description: 'A flight booking was confirmed; tickets, the confirmation email and loyalty points follow.',
      detailSchema: BOOKING_CONFIRMED_SCHEMA,
    });
    this.ticketsIssued = new EventContract(this, 'TicketsIssued', {
      registry: this.registry,
      source: eventSource,
      detailType: 'TicketsIssued',
      description: 'The e-tickets of a booking were issued, one per passenger.',
      detailSchema: TICKETS_ISSUED_SCHEMA,
    });

    this.ticketsTable = props.ticketsTable ?? createBlueprintTable(this, 'TicketsTable', {
      partitionKey: TICKETS_PARTITION_KEY,
      sortKey: TICKETS_SORT_KEY,
      removalPolicy: props.removalPolicy,
    });
    this.loyaltyTable = props.loyaltyTable ?? createBlueprintTable(this, 'LoyaltyTable', {
      partitionKey: LOYALTY_PARTITION_KEY,
      removalPolicy: props.removalPolicy,
    });
    this.idempotencyTable = createIdempotencyTable(this, 'IdempotencyTable', props.removalPolicy);

    // Ticketing
    let ticketing: BlueprintFunctionParts<lambda.Function> | undefined;
    if (!props.ticketingHandler) {
      ticketing = this.defaultFunction('IssueTicket', {
        TICKETS_TABLE_NAME: this.ticketsTable.tableName,
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
        EVENT_BUS_NAME: this.eventBus.eventBusArn,
        EVENT_SOURCE: eventSource,
        ...maxEntryBytesEnv(this, TYPE, props.maxEventEntrySize),
      }, (s, i, o) => new IssueTicketFunction(s, i, o));
    }
    this.ticketingFunction = props.ticketingHandler ?? ticketing!.function;
    this.ticketingRole = ticketing?.role;
    this.ticketingLogGroup = ticketing?.logGroup;
    this.ticketingDeadLetterQueue = ticketing?.deadLetterQueue;
    this.ticketsTable.grant(this.ticketingFunction, 'dynamodb:UpdateItem');
    this.idempotencyTable.grant(this.ticketingFunction, ...IDEMPOTENCY_TABLE_ACTIONS);
    this.eventBus.grantPutEventsTo(this.ticketingFunction);

    // Confirmation email
    let email: BlueprintFunctionParts<lambda.Function> | undefined;
    if (!props.emailHandler) {
      email = this.defaultFunction('SendConfirmationEmail', {
        SENDER_ADDRESS: props.senderAddress,
        ...(props.configurationSetName !== undefined ? { CONFIGURATION_SET_NAME: props.configurationSetName } : {}),
        IDEMPOTENCY_TABLE_NAME: this.idempotencyTable.tableName,
      }, (s, i, o) => new SendConfirmationEmailFunction(s, i, o));
    }
    this.emailFunction = props.emailHandler ?? email!.function;
    this.emailRole = email?.role;
    this.emailLogGroup = email?.logGroup;
    this.emailDeadLetterQueue = email?.deadLetterQueue;
    const stack = Stack.of(this);
    iam.Grant.addToPrincipal({
      grantee: this.emailFunction,
      actions: ['ses:SendEmail'],
      resourceArns: [
        ...senderIdentities.map((name) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name })),
        ...(props.configurationSetName !== undefined
          ? [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: props.configurationSetName })]
          : []),
      ],
    });
    this.idempotencyTable.grant(this.emailFunction, ...IDEMPOTENCY_TABLE_ACTIONS);

    // Loyalty
    let loyalty: BlueprintFunctionParts<lambda.Function> | undefined;
    if (!props.loyaltyHandler) {
      loyalty = this.defaultFunction('AwardLoyaltyPoints', {
        LOYALTY_TABLE_NAME: this.loyaltyTable.tableName,
        POINTS_PER_CURRENCY_UNIT: pointsPerUnit,
      }, (s, i, o) => new AwardLoyaltyPointsFunction(s, i, o));
    }
    this.loyaltyFunction = props.loyaltyHandler ?? loyalty!.function;
    this.loyaltyRole = loyalty?.role;
    this.loyaltyLogGroup = loyalty?.logGroup;
    this.loyaltyDeadLetterQueue = loyalty?.deadLetterQueue;
    this.loyaltyTable.grant(this.loyaltyFunction, 'dynamodb:UpdateItem');

    // Routes: each consumer gets only the fields it needs.
    const routeOptions = {
      eventBus: this.eventBus,
      ...deliveryOptions(props),
    };
    const flight = events.EventField.fromPath('$.detail.flight');
    const bookingId = events.EventField.fromPath('$.detail.bookingId');
    this.route = new ReliableRoute(this, 'BookingConfirmedRoute', {
      ...routeOptions,
      eventPattern: this.bookingConfirmed.pattern(),
      description: 'BookingConfirmed events to ticketing, the confirmation email and the extra consumers',
      targets: [
        new targets.LambdaFunction(this.ticketingFunction, {
          event: events.RuleTargetInput.fromObject({
            bookingId,
            flight,
            passengers: events.EventField.fromPath('$.detail.passengers'),
          }),
        }),
        new targets.LambdaFunction(this.emailFunction, {
          event: events.RuleTargetInput.fromObject({
            bookingId,
            email: events.EventField.fromPath('$.detail.customer.email'),
            name: events.EventField.fromPath('$.detail.customer.name'),
            flight,
          }),
        }),
        ...(props.extraConsumers ?? []),
      ],
    });
    this.loyaltyRoute = new ReliableRoute(this, 'LoyaltyRoute', {
      ...routeOptions,
      eventPattern: this.bookingConfirmed.pattern({ detail: { customer: { loyaltyId: [{ exists: true }] } } }),
      description: 'BookingConfirmed events of loyalty members to the loyalty function',
      targets: [
        new targets.LambdaFunction(this.loyaltyFunction, {
          event: events.RuleTargetInput.fromObject({
            bookingId,
            memberId: events.EventField.fromPath('$.detail.customer.loyaltyId'),
            fareAmount: events.EventField.fromPath('$.detail.fare.amount'),
            currency: events.EventField.fromPath('$.detail.fare.currency'),
          }),
        }),
      ],
    });
  }

  /**
   * Adds a consumer of every `BookingConfirmed` event to the main route: it gets the whole event (unless the target
   * sets its own input) and the route's dead-letter queue and retry policy (unless it sets its own). Every 5
   * targets make one more rule with the same pattern.
   */
  public addConsumer(target: events.IRuleTarget): void {
    this.route.addTarget(target);
  }

  private defaultFunction<T extends lambda.Function>(
    id: string,
    environment: { [key: string]: string },
    create: (scope: Construct, id: string, options: lambda.FunctionOptions) => T,
  ): BlueprintFunctionParts<T> {
    const parts = createBlueprintFunction(this, id, { serviceName: 'booking-fan-out', environment }, create);
    return parts;
  }
}

function pointsPerCurrencyUnit(scope: Construct, value: number | undefined): string {
  if (value === undefined) {
    return '1';
  }
  if (Token.isUnresolved(value)) {
    return numberToEnv(scope, value);
  }
  if (!Number.isFinite(value) || value < 0 || value > MAX_POINTS_PER_UNIT) {
    throw propError(scope, TYPE, 'pointsPerCurrencyUnit', `must be a number between 0 and ${MAX_POINTS_PER_UNIT}, got ${show(value)}`);
  }
  return String(value);
}

/** The SES identities the sender may send as: the address and its domain. */
function senderIdentityNames(scope: Construct, senderAddress: string): string[] {
  if (Token.isUnresolved(senderAddress)) {
    return [senderAddress, Fn.select(1, Fn.split('@', senderAddress))];
  }
  const bracketed = /<([^<>]*)>\s*$/.exec(senderAddress);
  const address = (bracketed ? bracketed[1] : senderAddress).trim();
  const match = EMAIL_ADDRESS.exec(address);
  if (!match) {
    throw propError(scope, TYPE, 'senderAddress',
      `must be an email address such as "bookings@example.com" or "Example Air <bookings@example.com>", got ${show(senderAddress)}`);
  }
  return [address, match[1]];
}

const FLIGHT_SCHEMA = {
  type: 'object',
  required: ['number', 'origin', 'destination', 'departure'],
  properties: {
    number: { type: 'string', description: 'IATA flight number, e.g. LH1234' },
    origin: { type: 'string', pattern: '^[A-Z]{3}$' },
    destination: { type: 'string', pattern: '^[A-Z]{3}$' },
    departure: { type: 'string', format: 'date-time' },
  },
};

const BOOKING_CONFIRMED_SCHEMA = {
  type: 'object',
  required: ['bookingId', 'customer', 'flight', 'passengers', 'fare'],
  properties: {
    bookingId: { type: 'string', minLength: 1, maxLength: 64 },
    customer: {
      type: 'object',
      required: ['id', 'email', 'name'],
      properties: {
        id: { type: 'string' },
        email: { type: 'string', format: 'email' },
        name: { type: 'string' },
        loyaltyId: { type: 'string', description: 'Only for loyalty members.' },
      },
    },
    flight: FLIGHT_SCHEMA,
    passengers: {
      type: 'array',
      minItems: 1,
      maxItems: 99,
      items: {
        type: 'object',
        required: ['firstName', 'lastName'],
        properties: { firstName: { type: 'string' }, lastName: { type: 'string' } },
      },
    },
    fare: {
      type: 'object',
      required: ['amount', 'currency'],
      properties: {
        amount: { type: 'number', minimum: 0 },
        currency: { type: 'string', pattern: '^[A-Z]{3}$' },
      },
    },
  },
};

const TICKETS_ISSUED_SCHEMA = {
  type: 'object',
  required: ['bookingId', 'flight', 'tickets'],
  properties: {
    bookingId: { type: 'string' },
    flight: FLIGHT_SCHEMA,
    tickets: {
      type: 'array',
      items: {
        type: 'object',
        required: ['ticketNumber', 'firstName', 'lastName'],
        properties: {
          ticketNumber: { type: 'string', description: '<bookingId>-NN, NN = passenger position from 01' },
          firstName: { type: 'string' },
          lastName: { type: 'string' },
        },
      },
    },
  },
};
