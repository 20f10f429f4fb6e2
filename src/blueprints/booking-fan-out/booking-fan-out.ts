import {
  Fn,
  Size,
  Stack,
  Token,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BOOKING_CONFIRMED, DEFAULT_BOOKING_SOURCE, DEFAULT_EVENT_SOURCE, ENV, LIMITS, TICKETS_ISSUED } from './contract';
import { EventContract } from '../../core/event-contract';
import { ReliableDeliveryOptions, ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry } from '../../core/schema-registry';
import { checkAlarmOptions } from '../../private/alarm-options';
import { propError, show } from '../../private/errors';
import { guardServiceRoleTrust } from '../../private/service-role-trust';
import { BlueprintFunction } from '../kit/blueprint-function';
import { BlueprintBaseProps } from '../kit/blueprint-props';
import { createDefaultFunction } from '../shared-constructs/default-function';
import { deliveryOptions } from '../shared-constructs/delivery-options';
import { blueprintEventBus, blueprintRegistry, publishContract } from '../shared-constructs/foundation';
import { checkDefaultFunctionOnly, maxEntryBytesEnv, numberToEnv } from '../shared-constructs/settings';
import { IDEMPOTENCY_TABLE_ACTIONS, checkTableKeys, createBlueprintTable, createIdempotencyTable } from '../shared-constructs/tables';

const TYPE = 'BookingFanOut';

const TICKETS_PARTITION_KEY: dynamodb.Attribute = { name: 'bookingId', type: dynamodb.AttributeType.STRING };
const TICKETS_SORT_KEY: dynamodb.Attribute = { name: 'ticketNumber', type: dynamodb.AttributeType.STRING };
const LOYALTY_PARTITION_KEY: dynamodb.Attribute = { name: 'memberId', type: dynamodb.AttributeType.STRING };
/** A plain address, `local@domain`; a display name (`Name <local@domain>`) is stripped first. */
const EMAIL_ADDRESS = /^[^\s@<>]+@([^\s@<>]+\.[^\s@<>]+)$/;

/**
 * Properties of a {@link BookingFanOut}.
 */
export interface BookingFanOutProps extends BlueprintBaseProps {
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

  /** The default ticketing function with its role, log group, on-failure queue and alarm (undefined with your own). */
  public readonly defaultTicketingFunction?: BlueprintFunction;

  /** The confirmation email function: the default one or `props.emailHandler`. */
  public readonly emailFunction: lambda.IFunction;

  /** The default email function with its role, log group, on-failure queue and alarm (undefined with your own). */
  public readonly defaultEmailFunction?: BlueprintFunction;

  /** The loyalty function: the default one or `props.loyaltyHandler`. */
  public readonly loyaltyFunction: lambda.IFunction;

  /** The default loyalty function with its role, log group, on-failure queue and alarm (undefined with your own). */
  public readonly defaultLoyaltyFunction?: BlueprintFunction;

  /** The route of every `BookingConfirmed` event to ticketing, email and the extra consumers. */
  public readonly route: ReliableRoute;

  /** The route of `BookingConfirmed` events of loyalty members (`customer.loyaltyId` exists) to the loyalty function. */
  public readonly loyaltyRoute: ReliableRoute;

  constructor(scope: Construct, id: string, props: BookingFanOutProps) {
    super(scope, id);
    guardServiceRoleTrust(this);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);
    const { pointsPerUnit, senderIdentities } = this.checkProps(props);
    const eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;

    this.eventBus = blueprintEventBus(this, props.eventBus, props);
    this.registry = blueprintRegistry(this, props.registry);

    this.bookingConfirmed = props.bookingConfirmedContract
      ?? publishContract(this, 'BookingConfirmed', this.registry, props.bookingSource ?? DEFAULT_BOOKING_SOURCE, BOOKING_CONFIRMED);
    this.ticketsIssued = publishContract(this, 'TicketsIssued', this.registry, eventSource, TICKETS_ISSUED);

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
    ({ defaultTicketingFunction: this.defaultTicketingFunction, ticketingFunction: this.ticketingFunction } =
      this.createTicketing(props, eventSource));
    // Confirmation email
    ({ defaultEmailFunction: this.defaultEmailFunction, emailFunction: this.emailFunction } = this.createEmail(props, senderIdentities));
    // Loyalty
    ({ defaultLoyaltyFunction: this.defaultLoyaltyFunction, loyaltyFunction: this.loyaltyFunction } = this.createLoyalty(props, pointsPerUnit));
    // Routes: each consumer gets only the fields it needs.
    ({ route: this.route, loyaltyRoute: this.loyaltyRoute } = this.createRoutes(props));
  }

  private checkProps(props: BookingFanOutProps): { pointsPerUnit: string; senderIdentities: string[] } {
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
    return { pointsPerUnit, senderIdentities };
  }

  /** The ticketing function (the default one or yours): it writes the tickets and emits `TicketsIssued`. */
  private createTicketing(props: BookingFanOutProps, eventSource: string) {
    let defaultTicketingFunction: BlueprintFunction | undefined;
    if (!props.ticketingHandler) {
      defaultTicketingFunction = this.defaultFunction('IssueTicket', 'issue-ticket', 'Issues the e-tickets of a booking', {
        [ENV.ticketsTableName]: this.ticketsTable.tableName,
        [ENV.idempotencyTableName]: this.idempotencyTable.tableName,
        [ENV.eventBusName]: this.eventBus.eventBusArn,
        [ENV.eventSource]: eventSource,
        ...maxEntryBytesEnv(this, TYPE, props.maxEventEntrySize, ENV.maxEntryBytes),
      }, props);
    }
    const ticketingFunction = props.ticketingHandler ?? defaultTicketingFunction!.function;
    this.ticketsTable.grant(ticketingFunction, 'dynamodb:UpdateItem');
    this.idempotencyTable.grant(ticketingFunction, ...IDEMPOTENCY_TABLE_ACTIONS);
    this.eventBus.grantPutEventsTo(ticketingFunction);
    return { defaultTicketingFunction, ticketingFunction };
  }

  /** The confirmation email function (the default one or yours), allowed to send from the sender's identities. */
  private createEmail(props: BookingFanOutProps, senderIdentities: string[]) {
    let defaultEmailFunction: BlueprintFunction | undefined;
    if (!props.emailHandler) {
      defaultEmailFunction = this.defaultFunction('SendConfirmationEmail', 'send-confirmation-email', 'Sends the booking confirmation email', {
        [ENV.senderAddress]: props.senderAddress,
        ...(props.configurationSetName !== undefined ? { [ENV.configurationSetName]: props.configurationSetName } : {}),
        [ENV.idempotencyTableName]: this.idempotencyTable.tableName,
      }, props);
    }
    const emailFunction = props.emailHandler ?? defaultEmailFunction!.function;
    const stack = Stack.of(this);
    iam.Grant.addToPrincipal({
      grantee: emailFunction,
      actions: ['ses:SendEmail'],
      resourceArns: [
        ...senderIdentities.map((name) => stack.formatArn({ service: 'ses', resource: 'identity', resourceName: name })),
        ...(props.configurationSetName !== undefined
          ? [stack.formatArn({ service: 'ses', resource: 'configuration-set', resourceName: props.configurationSetName })]
          : []),
      ],
    });
    this.idempotencyTable.grant(emailFunction, ...IDEMPOTENCY_TABLE_ACTIONS);
    return { defaultEmailFunction, emailFunction };
  }

  /** The loyalty function (the default one or yours). */
  private createLoyalty(props: BookingFanOutProps, pointsPerUnit: string) {
    let defaultLoyaltyFunction: BlueprintFunction | undefined;
    if (!props.loyaltyHandler) {
      defaultLoyaltyFunction = this.defaultFunction('AwardLoyaltyPoints', 'award-loyalty-points', 'Awards the loyalty points of a booking', {
        [ENV.loyaltyTableName]: this.loyaltyTable.tableName,
        [ENV.pointsPerCurrencyUnit]: pointsPerUnit,
      }, props);
    }
    const loyaltyFunction = props.loyaltyHandler ?? defaultLoyaltyFunction!.function;
    this.loyaltyTable.grant(loyaltyFunction, 'dynamodb:UpdateItem');
    return { defaultLoyaltyFunction, loyaltyFunction };
  }

  /** The main route (ticketing, email, extra consumers) and the route of loyalty members' bookings. */
  private createRoutes(props: BookingFanOutProps) {
    const routeOptions = {
      eventBus: this.eventBus,
      ...deliveryOptions(props),
    };
    const flight = events.EventField.fromPath('$.detail.flight');
    const bookingId = events.EventField.fromPath('$.detail.bookingId');
    const route = new ReliableRoute(this, 'BookingConfirmedRoute', {
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
    const loyaltyRoute = new ReliableRoute(this, 'LoyaltyRoute', {
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
    return { route, loyaltyRoute };
  }

  /**
   * Adds a consumer of every `BookingConfirmed` event to the main route: it gets the whole event (unless the target
   * sets its own input) and the route's dead-letter queue and retry policy (unless it sets its own). Every 5
   * targets make one more rule with the same pattern.
   */
  public addConsumer(target: events.IRuleTarget): void {
    this.route.addTarget(target);
  }

  private defaultFunction(
    id: string, handler: string, what: string, environment: { [key: string]: string }, delivery: ReliableDeliveryOptions,
  ): BlueprintFunction {
    return createDefaultFunction(this, id, {
      blueprint: 'booking-fan-out', handler, description: `${what} (booking fan-out blueprint)`, environment,
    }, delivery);
  }
}

function pointsPerCurrencyUnit(scope: Construct, value: number | undefined): string {
  const { min, max } = LIMITS.pointsPerCurrencyUnit;
  if (value === undefined) {
    return String(LIMITS.pointsPerCurrencyUnit.default);
  }
  if (Token.isUnresolved(value)) {
    return numberToEnv(scope, value);
  }
  if (!Number.isFinite(value) || value < min || value > max) {
    throw propError(scope, TYPE, 'pointsPerCurrencyUnit', `must be a number between ${min} and ${max}, got ${show(value)}`);
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
