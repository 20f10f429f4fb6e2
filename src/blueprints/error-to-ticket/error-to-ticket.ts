import {
  Duration,
  RemovalPolicy,
  Token,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ALARM_DETAIL_TYPE, ALARM_SEVERITY, ALARM_SOURCE, DEFAULT_ERROR_SOURCE, ENV, ERROR_REPORTED, LIMITS } from './contract';
import { EventContract } from '../../core/event-contract';
import { ReliableDeliveryOptions, ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry } from '../../core/schema-registry';
import { checkAlarmOptions } from '../../private/alarm-options';
import { propError, show } from '../../private/errors';
import { guardServiceRoleTrust } from '../../private/service-role-trust';
import { BlueprintFunction } from '../kit/blueprint-function';
import { BlueprintEventBusProps, BlueprintRegistryProps } from '../kit/blueprint-props';
import { HandlerDelivery } from '../kit/handler-delivery';
import { checkApiDestinationSettings, createApiDestination } from '../shared-constructs/api-destination';
import { createDefaultFunction } from '../shared-constructs/default-function';
import { deliveryOptions, factoryNames } from '../shared-constructs/delivery-options';
import { blueprintEventBus, blueprintRegistry, publishContract } from '../shared-constructs/foundation';
import { checkDefaultFunctionOnly, checkHttpTimeout } from '../shared-constructs/settings';

const TYPE = 'ErrorToTicket';

/** DynamoDB actions of the default handler's deduplication store (dedup-store.ts). */
const DEDUP_TABLE_ACTIONS = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'];

/**
 * Properties of an {@link ErrorToTicket}.
 */
export interface ErrorToTicketProps extends ReliableDeliveryOptions, BlueprintEventBusProps, BlueprintRegistryProps {
  /**
   * The `source` of the application `ErrorReported` events.
   *
   * @default 'com.example.app'
   */
  readonly errorSource?: string;

  /**
   * How tickets are delivered to the ticketing system: `HandlerDelivery.viaLambda()` or
   * `HandlerDelivery.viaApiDestination()` (the deprecated `TicketDelivery` factories still work).
   *
   * @default HandlerDelivery.viaLambda()
   */
  readonly delivery?: HandlerDelivery;

  /**
   * The Secrets Manager secret holding the ticketing system's endpoint and credentials, as JSON
   * `{ "endpoint": "https://...", "authorization": "Bearer ...", "headers": { ... } }` (`authorization` and
   * `headers` optional). The function is granted read access (and decrypt, when the secret has its own KMS key).
   *
   * Required with the default Lambda delivery; refused with the API destination delivery, whose credentials
   * live in its EventBridge connection.
   *
   * @default - none
   */
  readonly ticketingSecret?: secretsmanager.ISecret;

  /**
   * How long errors with the same fingerprint (and alarms with the same name) open no further ticket after the
   * first one. Between 1 minute and 366 days. Only for the Lambda delivery (`DEDUP_WINDOW_SECONDS`); the API
   * destination delivery has no deduplication.
   *
   * @default Duration.hours(1)
   */
  readonly dedupWindow?: Duration;

  /**
   * What happens to the deduplication table when it is removed from the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly dedupTableRemovalPolicy?: RemovalPolicy;

  /**
   * Whether CloudWatch alarms that go into ALARM open tickets too.
   *
   * @default true
   */
  readonly alarmTickets?: boolean;

  /**
   * Only alarms whose name starts with one of these prefixes open tickets.
   *
   * @default - every alarm of the account and region
   */
  readonly alarmNamePrefixes?: string[];

  /**
   * The bus on which CloudWatch alarm state changes arrive. CloudWatch sends them to the account's default bus;
   * give another bus only when you forward them there.
   *
   * @default - the account's default event bus
   */
  readonly alarmEventBus?: events.IEventBus;
}

/**
 * Error to ticket: application errors (`ErrorReported` events) and CloudWatch alarms that go into ALARM open a
 * ticket in an HTTP ticketing system. By default a Lambda function opens one ticket per error fingerprint and
 * deduplication window; `HandlerDelivery.viaApiDestination()` lets EventBridge call the ticketing system directly.
 */
export class ErrorToTicket extends Construct {
  /** The bus of the application error events. */
  public readonly eventBus: events.IEventBus;

  /** The registry of the contract. */
  public readonly registry: ISchemaRegistry;

  /** The contract of the `ErrorReported` events. */
  public readonly errorReportedContract: EventContract;

  /** The route of the application errors to the delivery. */
  public readonly errorRoute: ReliableRoute;

  /** The route of the CloudWatch alarm state changes to the delivery, unless `alarmTickets: false`. */
  public readonly alarmRoute?: ReliableRoute;

  /** The function that opens tickets (the default one or yours), with the Lambda delivery. */
  public readonly ticketFunction?: lambda.IFunction;

  /**
   * The default function with its role, log group, on-failure queue and alarm, when the default function is used.
   */
  public readonly defaultTicketFunction?: BlueprintFunction;

  /** The deduplication table (partition key `fingerprint`, TTL `expiresAt`), with the Lambda delivery. */
  public readonly dedupTable?: dynamodb.Table;

  /** The API destination, with the API destination delivery. */
  public readonly apiDestination?: events.ApiDestination;

  /** The connection of the API destination (created or yours), with the API destination delivery. */
  public readonly connection?: events.IConnection;

  constructor(scope: Construct, id: string, props: ErrorToTicketProps = {}) {
    super(scope, id);
    guardServiceRoleTrust(this);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);

    const delivery = props.delivery ?? HandlerDelivery.viaLambda();
    const alarmTickets = props.alarmTickets ?? true;
    this.checkProps(props, delivery, alarmTickets);

    this.eventBus = blueprintEventBus(this, props.eventBus, props);
    this.registry = blueprintRegistry(this, props.registry, 'Contracts of the error-to-ticket blueprint');
    this.errorReportedContract = publishContract(this, 'ErrorReported', this.registry, props.errorSource ?? DEFAULT_ERROR_SOURCE, ERROR_REPORTED);

    const routeOptions = deliveryOptions(props);
    this.errorRoute = new ReliableRoute(this, 'ErrorRoute', {
      ...routeOptions,
      eventBus: this.eventBus,
      eventPattern: this.errorReportedContract.pattern(),
      description: 'Application errors to the ticketing system',
    });
    if (alarmTickets) {
      this.alarmRoute = this.createAlarmRoute(props, routeOptions);
    }

    if (delivery.apiDestinationOptions) {
      const options = delivery.apiDestinationOptions;
      ({ connection: this.connection, apiDestination: this.apiDestination } = createApiDestination(this, options, `Ticketing system of ${this.node.path}`));
      this.errorRoute.addTarget(new targets.ApiDestination(this.apiDestination, {
        event: errorTicketBody(),
        headerParameters: options.headers,
      }));
      this.alarmRoute?.addTarget(new targets.ApiDestination(this.apiDestination, {
        event: alarmTicketBody(),
        headerParameters: options.headers,
      }));
      return;
    }

    ({ dedupTable: this.dedupTable, defaultTicketFunction: this.defaultTicketFunction, ticketFunction: this.ticketFunction } =
      this.createLambdaDelivery(props, delivery));
  }

  /** The route of the CloudWatch alarms going into ALARM (every alarm, or those with the given name prefixes). */
  private createAlarmRoute(props: ErrorToTicketProps, routeOptions: ReliableDeliveryOptions): ReliableRoute {
    const prefixes = props.alarmNamePrefixes ?? [];
    return new ReliableRoute(this, 'AlarmRoute', {
      ...routeOptions,
      eventBus: props.alarmEventBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      eventPattern: {
        source: [ALARM_SOURCE],
        detailType: [ALARM_DETAIL_TYPE],
        detail: {
          state: { value: ['ALARM'] },
          ...(prefixes.length > 0 ? { alarmName: prefixes.map((prefix) => ({ prefix })) } : {}),
        },
      },
      description: 'CloudWatch alarms going into ALARM to the ticketing system',
    });
  }

  /** The Lambda delivery: the deduplication table and the ticket function (the default one or yours) as target. */
  private createLambdaDelivery(props: ErrorToTicketProps, delivery: HandlerDelivery) {
    const lambdaOptions = delivery.lambdaOptions ?? {};
    let defaultTicketFunction: BlueprintFunction | undefined;
    const dedupTable = new dynamodb.Table(this, 'DedupTable', {
      partitionKey: { name: 'fingerprint', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'expiresAt',
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: props.dedupTableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    if (!lambdaOptions.handler) {
      const httpTimeout = lambdaOptions.httpTimeout ?? Duration.millis(LIMITS.httpTimeoutMs.default);
      const timeout = Duration.seconds(Math.max(LIMITS.minFunctionTimeoutSeconds, httpTimeout.toSeconds() + LIMITS.functionTimeoutMarginSeconds));
      defaultTicketFunction = createDefaultFunction(this, 'OpenTicket', {
        blueprint: 'error-to-ticket',
        handler: 'open-ticket',
        description: 'Opens one ticket per error fingerprint and window (error-to-ticket blueprint)',
        timeout,
        environment: {
          [ENV.secretArn]: props.ticketingSecret!.secretArn,
          [ENV.dedupTableName]: dedupTable.tableName,
          [ENV.dedupWindowSeconds]: String((props.dedupWindow ?? Duration.seconds(LIMITS.dedupWindowSeconds.default)).toSeconds()),
          [ENV.httpTimeoutMs]: String(httpTimeout.toMilliseconds()),
          // A claim must outlive the invocation that holds it, or a slow invocation could be overtaken.
          [ENV.claimLeaseSeconds]: String(timeout.toSeconds() + LIMITS.claimLeaseMarginSeconds),
        },
      }, props);
    }
    const fn = lambdaOptions.handler ?? defaultTicketFunction!.function;

    iam.Grant.addToPrincipal({ grantee: fn, actions: DEDUP_TABLE_ACTIONS, resourceArns: [dedupTable.tableArn] });
    props.ticketingSecret?.grantRead(fn);

    this.errorRoute.addTarget(new targets.LambdaFunction(fn));
    this.alarmRoute?.addTarget(new targets.LambdaFunction(fn));
    return { dedupTable, defaultTicketFunction, ticketFunction: fn };
  }

  private checkProps(props: ErrorToTicketProps, delivery: HandlerDelivery, alarmTickets: boolean): void {
    const factory = factoryNames(delivery);
    if (delivery.apiDestinationOptions) {
      const options = delivery.apiDestinationOptions;
      if (props.ticketingSecret) {
        throw propError(this, TYPE, 'ticketingSecret',
          `cannot be used with ${factory.apiDestination}: the API destination takes its credentials from its connection (\`authorization\` or \`connection\`)`);
      }
      if (props.dedupWindow !== undefined) {
        throw propError(this, TYPE, 'dedupWindow',
          `cannot be used with ${factory.apiDestination}: EventBridge API destinations do not deduplicate; use ${factory.lambda} for one ticket per fingerprint`);
      }
      if (props.dedupTableRemovalPolicy !== undefined) {
        throw propError(this, TYPE, 'dedupTableRemovalPolicy', `cannot be used with ${factory.apiDestination}, which has no deduplication table`);
      }
      checkApiDestinationSettings(this, TYPE, options);
    } else {
      const options = delivery.lambdaOptions ?? {};
      if (options.secret !== undefined) {
        throw propError(this, TYPE, 'delivery secret',
          'is not used by ErrorToTicket: give the ticketing system\'s secret as the blueprint prop ticketingSecret');
      }
      if (options.maxRetryAfter !== undefined) {
        throw propError(this, TYPE, 'delivery maxRetryAfter',
          'is not used by ErrorToTicket: only the upsert function of SaasCrmToMarketing waits on Retry-After');
      }
      checkDefaultFunctionOnly(this, TYPE, 'delivery handler', options.handler !== undefined, {
        'dedupWindow': props.dedupWindow,
        'delivery httpTimeout': options.httpTimeout,
      });
      if (!options.handler && !props.ticketingSecret) {
        throw propError(this, TYPE, 'ticketingSecret',
          'is required with the default Lambda delivery: the function reads the ticketing endpoint and credentials from it '
          + '(JSON {"endpoint": "https://...", "authorization": "Bearer ..."})');
      }
      if (props.dedupWindow !== undefined && !Token.isUnresolved(props.dedupWindow.toSeconds())) {
        const seconds = props.dedupWindow.toSeconds();
        const { min, max } = LIMITS.dedupWindowSeconds;
        if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
          throw propError(this, TYPE, 'dedupWindow', `must be a whole number of seconds between ${min} (1 minute) and ${max} (366 days), got ${seconds} seconds`);
        }
      }
      checkHttpTimeout(this, TYPE, options.httpTimeout, LIMITS.httpTimeoutMs, '10 minutes');
    }
    if (!alarmTickets && (props.alarmNamePrefixes !== undefined || props.alarmEventBus !== undefined)) {
      throw propError(this, TYPE, props.alarmNamePrefixes !== undefined ? 'alarmNamePrefixes' : 'alarmEventBus',
        'cannot be used with alarmTickets: false, which opens no tickets for alarms');
    }
    for (const prefix of props.alarmNamePrefixes ?? []) {
      if (!Token.isUnresolved(prefix) && (typeof prefix !== 'string' || prefix === '')) {
        throw propError(this, TYPE, 'alarmNamePrefixes', `must hold non-empty strings, got ${show(prefix)}`);
      }
    }
    if (props.alarmNamePrefixes !== undefined && props.alarmNamePrefixes.length === 0) {
      throw propError(this, TYPE, 'alarmNamePrefixes', 'must not be empty (an empty list would match no alarm); omit it to match every alarm, or set alarmTickets: false');
    }
  }
}

/**
 * The ticket body of an application error for the API destination: the default handler's body
 * (`{ title, description, severity, fingerprint, kind, occurredAt, labels }`, see ticketing-client.ts), built by an
 * input transformer. Fields absent from the event are sent empty.
 */
function errorTicketBody(): events.RuleTargetInput {
  const service = events.EventField.fromPath('$.detail.service');
  const errorType = events.EventField.fromPath('$.detail.errorType');
  return events.RuleTargetInput.fromObject({
    title: `${service}: ${errorType}`,
    description: events.EventField.fromPath('$.detail.message'),
    severity: events.EventField.fromPath('$.detail.severity'),
    fingerprint: events.EventField.fromPath('$.detail.fingerprint'),
    kind: 'error',
    occurredAt: events.EventField.fromPath('$.detail.occurredAt'),
    labels: { service, errorType },
    eventId: events.EventField.eventId,
  });
}

/** The ticket body of a CloudWatch alarm for the API destination (as the default handler builds it). */
function alarmTicketBody(): events.RuleTargetInput {
  const alarmName = events.EventField.fromPath('$.detail.alarmName');
  const account = events.EventField.account;
  const region = events.EventField.region;
  return events.RuleTargetInput.fromObject({
    title: `[${ALARM_SEVERITY}] CloudWatch alarm ${alarmName} is in ALARM (${account}, ${region})`,
    description: events.EventField.fromPath('$.detail.state.reason'),
    severity: ALARM_SEVERITY,
    fingerprint: `alarm:${account}:${region}:${alarmName}`,
    kind: 'alarm',
    occurredAt: events.EventField.fromPath('$.detail.state.timestamp'),
    labels: { alarmName, account, region },
    eventId: events.EventField.eventId,
  });
}
