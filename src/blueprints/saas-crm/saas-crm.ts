import {
  Annotations,
  Duration,
  Size,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_iam as iam,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  CONTACT_ATTRIBUTE, CONTACT_EVENT_ID, DEFAULT_ALLOWED_FIELDS, DEFAULT_WEBHOOK_SOURCE, LEAD_FIELDS, LEAD_UPDATED, LIMITS,
  UPSERT_ENV, WEBHOOK_ENV,
} from './contract';
import { LeadEventFormat } from './lead-event-format';
import { LambdaMarketingDeliveryOptions, MarketingDelivery } from './marketing-delivery';
import { EventContract } from '../../core/event-contract';
import { ReliableDeliveryOptions, ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry } from '../../core/schema-registry';
import { SecureEventBus } from '../../core/secure-event-bus';
import { checkAlarmOptions } from '../../private/alarm-options';
import { propError, show } from '../../private/errors';
import { guardServiceRoleTrust } from '../../private/service-role-trust';
import { ApiDestinationTarget } from '../kit/api-destination-target';
import { BlueprintFunction } from '../kit/blueprint-function';
import { BlueprintRemovalPolicyProps } from '../kit/blueprint-props';
import { HandlerDelivery, LambdaDeliveryOptions } from '../kit/handler-delivery';
import { checkApiDestinationSettings, createApiDestination } from '../shared-constructs/api-destination';
import { createDefaultFunction } from '../shared-constructs/default-function';
import { deliveryOptions, factoryNames } from '../shared-constructs/delivery-options';
import { blueprintEventBus, blueprintRegistry, publishContract } from '../shared-constructs/foundation';
import { ruleDeliveryAlarms } from '../shared-constructs/rule-alarms';
import { checkDefaultFunctionOnly, checkHttpTimeout } from '../shared-constructs/settings';
import { IDEMPOTENCY_TABLE_ACTIONS, createIdempotencyTable } from '../shared-constructs/tables';

const TYPE = 'SaasCrmToMarketing';
const BLUEPRINT = 'saas-crm';
/** EventBridge's pattern of `EventSourceName` (CreateEventBus), 1 to 256 characters. */
const EVENT_SOURCE_NAME = /^aws\.partner(\/[.\-_A-Za-z0-9]+){2,}$/;
const SALESFORCE_PREFIX = 'aws.partner/salesforce.com/';
/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/;

/**
 * Options of the partner event source inbound of `SaasCrmToMarketing`.
 */
export interface PartnerEventSourceOptions {
  /**
   * The name of the partner event source, as the partner created it in your account, e.g.
   * `aws.partner/salesforce.com/00Dxx0000000000/0YLxx0000000000` (Salesforce Event Relay). The partner event bus
   * gets the same name: EventBridge requires it.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html
   */
  readonly eventSourceName: string;

  /**
   * The shape of the partner's lead events.
   *
   * @default - `LeadEventFormat.salesforceChangeDataCapture()` for a source named `aws.partner/salesforce.com/...`,
   * `LeadEventFormat.generic()` for any other
   */
  readonly format?: LeadEventFormat;

  /**
   * The partner event bus, when it already exists (created outside this construct). Its name must equal
   * `eventSourceName`. The blueprint then creates no archive on it, and alarms on the route's failed and
   * dead-lettered deliveries itself.
   *
   * @default - a `SecureEventBus` named after the source, with an archive and alarms
   */
  readonly eventBus?: events.IEventBus;

  /**
   * How long the partner bus's archive keeps the events, so that leads can be replayed (whole days; 0 keeps them
   * indefinitely). Only for a bus the blueprint creates.
   *
   * @default Duration.days(30)
   */
  readonly archiveRetention?: Duration;
}

/**
 * Options of the webhook receiver of `SaasCrmToMarketing`, for CRMs without a partner integration.
 */
export interface CrmWebhookOptions {
  /**
   * The Secrets Manager secret holding the HMAC signing secret shared with the CRM: the secret string itself, or
   * JSON `{ "current": "...", "previous": "..." }` while you rotate it (both are accepted). The receiver is granted
   * read access and keeps the value in memory for 5 minutes.
   */
  readonly signingSecret: secretsmanager.ISecret;

  /**
   * The `source` of the `LeadUpdated` events the receiver puts on the bus (must not start with `aws.`).
   *
   * @default 'com.example.crm.webhook'
   */
  readonly source?: string;

  /**
   * The header carrying the signature: 64 hex digits of HMAC-SHA256 over `<timestamp>.<body>`, optionally prefixed
   * with `sha256=`.
   *
   * @default 'x-crm-signature'
   */
  readonly signatureHeader?: string;

  /**
   * The header carrying the request's timestamp (Unix seconds), which is part of the signed text.
   *
   * @default 'x-crm-timestamp'
   */
  readonly timestampHeader?: string;

  /**
   * How far a request's timestamp may be from the receiver's clock (1 second to 15 minutes): older requests are
   * refused as replays.
   *
   * @default Duration.minutes(5)
   */
  readonly timestampTolerance?: Duration;

  /**
   * The largest body the receiver accepts (1 KiB to 240 KiB); larger requests get 413 before they are read.
   *
   * @default Size.kibibytes(64)
   */
  readonly maxBodySize?: Size;
}

/**
 * Properties of a {@link SaasCrmToMarketing}.
 */
export interface SaasCrmToMarketingProps extends ReliableDeliveryOptions, BlueprintRemovalPolicyProps {
  /**
   * How contacts reach the marketing tool: `HandlerDelivery.viaApiDestination()` or `HandlerDelivery.viaLambda()`
   * (the deprecated `MarketingDelivery` factories still work).
   */
  readonly delivery: HandlerDelivery;

  /**
   * Leads from a SaaS partner event source (Salesforce Event Relay, or another partner). At least one of
   * `partnerEventSource` and `webhook` must be given.
   *
   * @default - no partner event source
   */
  readonly partnerEventSource?: PartnerEventSourceOptions;

  /**
   * Leads from a webhook: a Lambda function URL that verifies the CRM's HMAC signature and puts `LeadUpdated` events
   * on `eventBus`.
   *
   * @default - no webhook receiver
   */
  readonly webhook?: CrmWebhookOptions;

  /**
   * The bus the webhook receiver puts the `LeadUpdated` events on. Only with `webhook`.
   *
   * @default - a new `SecureEventBus`, when `webhook` is given
   */
  readonly eventBus?: events.IEventBus;

  /**
   * The schema registry in which the `LeadUpdated` contract is published. Only with `webhook`.
   *
   * @default - a new `SchemaRegistry`, when `webhook` is given
   */
  readonly registry?: ISchemaRegistry;

  /**
   * The lead fields that may leave the account: only these are extracted from the events and sent to the marketing
   * tool. `leadId` (the contact's external id) is required. Known fields: `leadId`, `email`, `firstName`,
   * `lastName`, `company`, `jobTitle`, `phone`, `country`, `leadStatus`, `leadSource`, `emailOptOut`, `updatedAt`.
   *
   * @default ['leadId', 'email', 'firstName', 'lastName', 'company', 'leadStatus', 'emailOptOut', 'updatedAt']
   */
  readonly allowedFields?: string[];
}

/**
 * SaaS CRM to marketing automation: lead updates from a CRM reach the marketing tool as contacts.
 *
 * Inbound, from a partner event source (a partner bus named after the source, archived for replays, with presets
 * for Salesforce Change Data Capture and a generic shape) and/or a webhook receiver (a Lambda function URL that
 * verifies an HMAC signature with a timestamp against replays). Outbound, through an API destination (rate limit,
 * connection credentials from Secrets Manager) or a Lambda function that upserts idempotently and honours
 * `Retry-After`. Only an allowlist of lead fields leaves the account: an input transformer extracts nothing else.
 * Every route has a dead-letter queue, a retry policy and alarms on failed and dead-lettered deliveries.
 */
export class SaasCrmToMarketing extends Construct {
  /** The lead fields that leave the account. */
  public readonly allowedFields: string[];

  /** The partner event bus (named after the source), with `partnerEventSource`. */
  public readonly partnerEventBus?: events.IEventBus;

  /** The format of the partner's lead events, with `partnerEventSource`. */
  public readonly partnerFormat?: LeadEventFormat;

  /** The route of the partner's lead events to the marketing tool, with `partnerEventSource`. */
  public readonly partnerRoute?: ReliableRoute;

  /** The bus of the webhook's `LeadUpdated` events, with `webhook`. */
  public readonly eventBus?: events.IEventBus;

  /** The registry of the `LeadUpdated` contract, with `webhook`. */
  public readonly registry?: ISchemaRegistry;

  /** The contract of the webhook's `LeadUpdated` events, with `webhook`. */
  public readonly leadUpdated?: EventContract;

  /** The webhook receiver with its role, log group, on-failure queue and alarm, with `webhook`. */
  public readonly webhookFunction?: BlueprintFunction;

  /**
   * The table in which the webhook receiver claims each signed request once (partition key `id`, TTL `expiration`),
   * with `webhook`: a copy replayed within the timestamp window is answered without a second event.
   */
  public readonly webhookReplayTable?: dynamodb.Table;

  /** The webhook receiver's function URL (give its `url` to the CRM), with `webhook`. */
  public readonly webhookUrl?: lambda.FunctionUrl;

  /** The route of the webhook's `LeadUpdated` events to the marketing tool, with `webhook`. */
  public readonly webhookRoute?: ReliableRoute;

  /** The API destination, with the API destination delivery. */
  public readonly apiDestination?: events.ApiDestination;

  /** The connection of the API destination (created or yours), with the API destination delivery. */
  public readonly connection?: events.IConnection;

  /** The role EventBridge assumes to invoke the API destination, with the API destination delivery. */
  public readonly deliveryRole?: iam.Role;

  /** The function that upserts contacts (the default one or yours), with the Lambda delivery. */
  public readonly upsertFunction?: lambda.IFunction;

  /** The default upsert function with its role, log group, on-failure queue and alarm, when it is used. */
  public readonly defaultUpsertFunction?: BlueprintFunction;

  /** The Powertools idempotency table of the upsert function, with the Lambda delivery. */
  public readonly idempotencyTable?: dynamodb.Table;

  /**
   * Alarms on failed and dead-lettered deliveries of the routes whose bus does not already have them (a bus you
   * bring); the buses the blueprint creates alarm on every rule.
   */
  public readonly deliveryAlarms: cloudwatch.Alarm[] = [];

  private readonly delivery: HandlerDelivery;

  constructor(scope: Construct, id: string, props: SaasCrmToMarketingProps) {
    super(scope, id);
    guardServiceRoleTrust(this);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);
    this.delivery = props.delivery;
    this.allowedFields = [...(props.allowedFields ?? DEFAULT_ALLOWED_FIELDS)];
    this.checkProps(props);
    const routeOptions = deliveryOptions(props);

    ({
      connection: this.connection, apiDestination: this.apiDestination, deliveryRole: this.deliveryRole,
      idempotencyTable: this.idempotencyTable, defaultUpsertFunction: this.defaultUpsertFunction, upsertFunction: this.upsertFunction,
    } = this.createDelivery(props));

    if (props.partnerEventSource) {
      ({ partnerFormat: this.partnerFormat, partnerEventBus: this.partnerEventBus, partnerRoute: this.partnerRoute } =
        this.createPartnerRoute(props, props.partnerEventSource));
      this.deliveryAlarms.push(...ruleDeliveryAlarms(this.partnerRoute, this.partnerRoute.rule, this.partnerEventBus, routeOptions));
    }

    const webhook = props.webhook;
    if (webhook) {
      this.eventBus = blueprintEventBus(this, props.eventBus, props);
      this.registry = blueprintRegistry(this, props.registry, 'Contracts of the SaaS CRM to marketing blueprint');
      const source = webhook.source ?? DEFAULT_WEBHOOK_SOURCE;
      this.leadUpdated = publishContract(this, 'LeadUpdated', this.registry, source, LEAD_UPDATED);
      ({ webhookReplayTable: this.webhookReplayTable, webhookFunction: this.webhookFunction, webhookUrl: this.webhookUrl } =
        this.createWebhookReceiver(props, webhook, this.eventBus, source));
      this.webhookRoute = new ReliableRoute(this, 'WebhookRoute', {
        ...routeOptions,
        eventBus: this.eventBus,
        eventPattern: this.leadUpdated.pattern(),
        description: 'LeadUpdated events of the webhook receiver to the marketing tool',
        targets: [this.target(LeadEventFormat.generic())],
      });
      this.deliveryAlarms.push(...ruleDeliveryAlarms(this.webhookRoute, this.webhookRoute.rule, this.eventBus, routeOptions));
    }
  }

  /** The partner bus (yours, or a `SecureEventBus` matched to the source) and the route of its lead events. */
  private createPartnerRoute(props: SaasCrmToMarketingProps, partner: PartnerEventSourceOptions) {
    const format = partner.format ?? (partner.eventSourceName.startsWith(SALESFORCE_PREFIX)
      ? LeadEventFormat.salesforceChangeDataCapture() : LeadEventFormat.generic());
    this.checkFormat('partnerEventSource.format', format);
    const partnerEventBus = partner.eventBus ?? new SecureEventBus(this, 'PartnerEventBus', {
      eventSourceName: partner.eventSourceName,
      description: `Partner event bus of ${partner.eventSourceName}`.slice(0, 512),
      archiveRetention: partner.archiveRetention ?? Duration.days(LIMITS.archiveRetentionDays.default),
      alarms: props.alarms,
      alarmActions: props.alarmActions,
    });
    const partnerRoute = new ReliableRoute(this, 'PartnerRoute', {
      ...deliveryOptions(props),
      eventBus: partnerEventBus,
      eventPattern: {
        source: [partner.eventSourceName],
        detailType: format.detailTypes,
        ...(format.detailPattern !== undefined ? { detail: format.detailPattern } : {}),
      },
      description: 'CRM lead events from the partner event source to the marketing tool',
      targets: [this.target(format)],
    });
    return { partnerFormat: format, partnerEventBus, partnerRoute };
  }

  /** The webhook receiver: a function URL that verifies the CRM's signature and puts `LeadUpdated` events on the bus. */
  private createWebhookReceiver(props: SaasCrmToMarketingProps, webhook: CrmWebhookOptions, eventBus: events.IEventBus, source: string) {
    // Signed requests claimed once each, so a copy within the timestamp window is not put on the bus again.
    const webhookReplayTable = createIdempotencyTable(this, 'WebhookReplayTable', props.removalPolicy);
    const webhookFunction = createDefaultFunction(this, 'WebhookReceiver', {
      blueprint: BLUEPRINT,
      handler: 'receive-webhook',
      description: 'Verifies signed CRM webhooks and puts LeadUpdated events on the bus (saas-crm blueprint)',
      timeout: Duration.seconds(10),
      environment: {
        [WEBHOOK_ENV.signingSecretArn]: webhook.signingSecret.secretArn,
        [WEBHOOK_ENV.eventBusName]: eventBus.eventBusArn,
        [WEBHOOK_ENV.eventSource]: source,
        [WEBHOOK_ENV.maxBodyBytes]: String(webhook.maxBodySize?.toBytes() ?? LIMITS.maxBodyBytes.default),
        [WEBHOOK_ENV.toleranceSeconds]: String(webhook.timestampTolerance?.toSeconds() ?? LIMITS.timestampToleranceSeconds.default),
        ...(webhook.signatureHeader !== undefined ? { [WEBHOOK_ENV.signatureHeader]: webhook.signatureHeader.toLowerCase() } : {}),
        ...(webhook.timestampHeader !== undefined ? { [WEBHOOK_ENV.timestampHeader]: webhook.timestampHeader.toLowerCase() } : {}),
        [WEBHOOK_ENV.replayTableName]: webhookReplayTable.tableName,
      },
    }, props);
    webhookReplayTable.grant(webhookFunction, ...IDEMPOTENCY_TABLE_ACTIONS);
    webhook.signingSecret.grantRead(webhookFunction);
    eventBus.grantPutEventsTo(webhookFunction);
    // The CRM cannot sign AWS requests: the HMAC signature, checked by the function, is the authentication.
    const webhookUrl = webhookFunction.function.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });
    return { webhookReplayTable, webhookFunction, webhookUrl };
  }

  /**
   * What the marketing tool receives for a lead event of `format`: the contact, built by an input transformer from
   * the allowed fields only, plus the EventBridge event id.
   *
   * @param format the shape of the lead events
   */
  public contactInput(format: LeadEventFormat): events.RuleTargetInput {
    const contact: { [attribute: string]: string } = {};
    for (const field of LEAD_FIELDS) {
      const path = format.fieldPaths[field];
      if (path !== undefined && this.allowedFields.includes(field)) {
        contact[CONTACT_ATTRIBUTE[field]] = events.EventField.fromPath(path);
      }
    }
    contact[CONTACT_EVENT_ID] = events.EventField.eventId;
    return events.RuleTargetInput.fromObject(contact);
  }

  private target(format: LeadEventFormat): events.IRuleTarget {
    const event = this.contactInput(format);
    const api = this.delivery.apiDestinationOptions;
    if (api) {
      return new ApiDestinationTarget(this.apiDestination!, {
        role: this.deliveryRole!,
        event,
        pathParameterValues: !Token.isUnresolved(api.endpoint) && api.endpoint.includes('*') ? [format.fieldPaths.leadId] : undefined,
        headerParameters: api.headers,
      });
    }
    return new targets.LambdaFunction(this.upsertFunction!, { event });
  }

  private createDelivery(props: SaasCrmToMarketingProps): CreatedDelivery {
    const api = this.delivery.apiDestinationOptions;
    if (api) {
      const { connection, apiDestination, createdConnection } = createApiDestination(this, api, `Marketing tool contacts of ${this.node.path}`);
      if (createdConnection) warnOnPlainTextCredentials(createdConnection);
      const deliveryRole = new iam.Role(this, 'DeliveryRole', {
        assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
          conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
        }),
        description: `Lets EventBridge invoke the marketing API destination of ${this.node.path}`.slice(0, 1000),
      });
      return { connection, apiDestination, deliveryRole };
    }

    const options = this.delivery.lambdaOptions ?? {};
    const secret = lambdaSecret(options);
    const idempotencyTable = createIdempotencyTable(this, 'IdempotencyTable', props.removalPolicy);
    let defaultUpsertFunction: BlueprintFunction | undefined;
    if (!options.handler) {
      const httpTimeout = options.httpTimeout ?? Duration.millis(LIMITS.httpTimeoutMs.default);
      const maxRetryAfter = options.maxRetryAfter ?? Duration.seconds(LIMITS.maxRetryAfterSeconds.default);
      // Every attempt with its full timeout, the waits between them, and a margin.
      const timeoutSeconds = Math.max(30, Math.ceil(LIMITS.maxAttempts * httpTimeout.toSeconds({ integral: false })
        + (LIMITS.maxAttempts - 1) * maxRetryAfter.toSeconds() + 10));
      defaultUpsertFunction = createDefaultFunction(this, 'UpsertContact', {
        blueprint: BLUEPRINT,
        handler: 'upsert-contact',
        description: 'Upserts CRM leads as contacts in the marketing tool (saas-crm blueprint)',
        timeout: Duration.seconds(timeoutSeconds),
        environment: {
          [UPSERT_ENV.marketingSecretArn]: secret!.secretArn,
          [UPSERT_ENV.idempotencyTableName]: idempotencyTable.tableName,
          [UPSERT_ENV.allowedFields]: this.allowedFields.join(','),
          [UPSERT_ENV.httpTimeoutMs]: String(httpTimeout.toMilliseconds()),
          [UPSERT_ENV.maxRetryAfterSeconds]: String(maxRetryAfter.toSeconds()),
        },
      }, props);
    }
    const upsertFunction = options.handler ?? defaultUpsertFunction!.function;
    idempotencyTable.grant(upsertFunction, ...IDEMPOTENCY_TABLE_ACTIONS);
    secret?.grantRead(upsertFunction);
    return { idempotencyTable, defaultUpsertFunction, upsertFunction };
  }

  private checkProps(props: SaasCrmToMarketingProps): void {
    if (!props.delivery) {
      throw propError(this, TYPE, 'delivery', 'is required: HandlerDelivery.viaApiDestination({...}) or HandlerDelivery.viaLambda({...})');
    }
    if (!props.partnerEventSource && !props.webhook) {
      throw propError(this, TYPE, 'partnerEventSource', 'or webhook must be given: the blueprint needs at least one way for leads to come in');
    }
    if (!props.webhook) {
      for (const prop of ['eventBus', 'registry'] as const) {
        if (props[prop] !== undefined) {
          throw propError(this, TYPE, prop, 'is only used with webhook (the bus and registry of the webhook\'s LeadUpdated events); omit it or add webhook');
        }
      }
    }
    this.checkAllowedFields();
    if (props.partnerEventSource) this.checkPartner(props.partnerEventSource);
    if (props.webhook) this.checkWebhook(props.webhook);
    this.checkDelivery(props);
  }

  private checkAllowedFields(): void {
    const known = LEAD_FIELDS as readonly string[];
    for (const field of this.allowedFields) {
      if (!Token.isUnresolved(field) && !known.includes(field)) {
        throw propError(this, TYPE, 'allowedFields', `must hold lead fields (${LEAD_FIELDS.join(', ')}), got ${show(field)}`);
      }
    }
    if (!this.allowedFields.includes('leadId')) {
      throw propError(this, TYPE, 'allowedFields',
        `must include "leadId": the contact's external id, without which the marketing tool cannot upsert; got ${show(this.allowedFields)}`);
    }
  }

  private checkPartner(partner: PartnerEventSourceOptions): void {
    const name = partner.eventSourceName;
    if (!Token.isUnresolved(name) && (typeof name !== 'string' || name.length > 256 || !EVENT_SOURCE_NAME.test(name))) {
      throw propError(this, TYPE, 'partnerEventSource.eventSourceName',
        'must be the name of a partner event source: 1 to 256 characters matching aws\\.partner(/[\\.\\-_A-Za-z0-9]+){2,}, '
        + `in the format aws.partner/<partner_name>/<event_namespace>/<event_name>, got ${show(name)}`);
    }
    if (partner.eventBus) {
      const busName = partner.eventBus.eventBusName;
      if (!Token.isUnresolved(busName) && !Token.isUnresolved(name) && busName !== name) {
        throw propError(this, TYPE, 'partnerEventSource.eventBus',
          `is named ${show(busName)}, but for partner event buses, the name must exactly match the name of the partner event source `
          + `that this event bus is matched to (${show(name)})`);
      }
      if (partner.archiveRetention !== undefined) {
        throw propError(this, TYPE, 'partnerEventSource.archiveRetention',
          'cannot be used with partnerEventSource.eventBus: the blueprint creates the archive only on a partner bus it creates; archive your bus yourself');
      }
    }
  }

  private checkFormat(prop: string, format: LeadEventFormat): void {
    const problems = format._problems();
    if (problems.length > 0) {
      throw propError(this, TYPE, prop, `(${format.name}) is invalid: ${problems.join('; ')}`);
    }
  }

  private checkWebhook(webhook: CrmWebhookOptions): void {
    const source = webhook.source;
    if (source !== undefined && !Token.isUnresolved(source) && (source.trim() === '' || source.length > 256 || source.startsWith('aws.'))) {
      throw propError(this, TYPE, 'webhook.source',
        `must be 1 to 256 characters and must not start with "aws." (EventBridge reserves it for AWS services), got ${show(source)}`);
    }
    for (const prop of ['signatureHeader', 'timestampHeader'] as const) {
      const value = webhook[prop];
      if (value !== undefined && !Token.isUnresolved(value) && !HEADER_NAME.test(value)) {
        throw propError(this, TYPE, `webhook.${prop}`, `must be an HTTP header name (letters, digits and !#$%&'*+.^_\`|~-, at most 128), got ${show(value)}`);
      }
    }
    if (webhook.signatureHeader !== undefined && webhook.signatureHeader.toLowerCase() === (webhook.timestampHeader ?? 'x-crm-timestamp').toLowerCase()) {
      throw propError(this, TYPE, 'webhook.signatureHeader', `must differ from webhook.timestampHeader, got ${show(webhook.signatureHeader)} for both`);
    }
    const tolerance = webhook.timestampTolerance?.toSeconds();
    const t = LIMITS.timestampToleranceSeconds;
    if (tolerance !== undefined && !Token.isUnresolved(tolerance) && (!Number.isInteger(tolerance) || tolerance < t.min || tolerance > t.max)) {
      throw propError(this, TYPE, 'webhook.timestampTolerance',
        `must be a whole number of seconds between ${t.min} and ${t.max} (15 minutes), got ${webhook.timestampTolerance!.toHumanString()}`);
    }
    const bytes = webhook.maxBodySize?.toBytes();
    const b = LIMITS.maxBodyBytes;
    if (bytes !== undefined && !Token.isUnresolved(bytes) && (!Number.isInteger(bytes) || bytes < b.min || bytes > b.max)) {
      throw propError(this, TYPE, 'webhook.maxBodySize',
        `must be between 1 KiB and 240 KiB (${b.min} to ${b.max} bytes; a PutEvents entry takes at most 256 KiB with its envelope), got ${bytes} bytes`);
    }
  }

  private checkDelivery(props: SaasCrmToMarketingProps): void {
    const api = this.delivery.apiDestinationOptions;
    if (api) {
      if (props.removalPolicy !== undefined) {
        throw propError(this, TYPE, 'removalPolicy', `cannot be used with ${factoryNames(this.delivery).apiDestination}, which has no idempotency table`);
      }
      checkApiDestinationSettings(this, TYPE, api);
      if (!Token.isUnresolved(api.endpoint) && api.endpoint.split('*').length > 2) {
        throw propError(this, TYPE, 'delivery endpoint', `may hold at most one "*" (replaced by the contact's external id), got ${show(api.endpoint)}`);
      }
      return;
    }
    const options = this.delivery.lambdaOptions ?? {};
    checkDefaultFunctionOnly(this, TYPE, 'delivery handler', options.handler !== undefined, {
      'delivery httpTimeout': options.httpTimeout,
      'delivery maxRetryAfter': options.maxRetryAfter,
    });
    const secretProp = this.delivery instanceof MarketingDelivery ? 'marketingSecret' : 'secret';
    if (options.secret !== undefined && (options as LambdaMarketingDeliveryOptions).marketingSecret !== undefined) {
      throw propError(this, TYPE, 'delivery marketingSecret', 'is the former name of delivery secret: give one of the two');
    }
    if (!options.handler && !lambdaSecret(options)) {
      throw propError(this, TYPE, `delivery ${secretProp}`,
        'is required with the default upsert function: it reads the marketing tool\'s endpoint and credentials from it '
        + '(JSON {"endpoint": "https://.../contacts/{externalId}", "authorization": "Bearer ..."})');
    }
    checkHttpTimeout(this, TYPE, options.httpTimeout, LIMITS.httpTimeoutMs, '60 seconds');
    const wait = options.maxRetryAfter?.toSeconds();
    const w = LIMITS.maxRetryAfterSeconds;
    if (wait !== undefined && !Token.isUnresolved(wait) && (wait < w.min || wait > w.max)) {
      throw propError(this, TYPE, 'delivery maxRetryAfter', `must be between ${w.min} and ${w.max} seconds, got ${wait} seconds`);
    }
  }
}

/** The secret of a Lambda delivery: `secret`, or its former name `marketingSecret` (of `MarketingDelivery.lambda()`). */
function lambdaSecret(options: LambdaDeliveryOptions): secretsmanager.ISecret | undefined {
  return options.secret ?? (options as LambdaMarketingDeliveryOptions).marketingSecret;
}

/** What `createDelivery` made: the API destination's resources, or the Lambda delivery's. */
interface CreatedDelivery {
  readonly connection?: events.IConnection;
  readonly apiDestination?: events.ApiDestination;
  readonly deliveryRole?: iam.Role;
  readonly idempotencyTable?: dynamodb.Table;
  readonly defaultUpsertFunction?: BlueprintFunction;
  readonly upsertFunction?: lambda.IFunction;
}

/** The credential parameters of a connection's `AuthParameters` (camelCase as set on the L1). */
const CREDENTIAL_KEYS = new Set(['apiKeyValue', 'clientSecret', 'password']);

/**
 * Warns when a connection created from `authorization` holds a credential in plain text (in the template) instead of
 * a Secrets Manager reference.
 */
function warnOnPlainTextCredentials(connection: events.Connection): void {
  const cfn = connection.node.findAll().find((c): c is events.CfnConnection => c instanceof events.CfnConnection);
  if (!cfn) return;
  const params = Stack.of(connection).resolve(cfn.authParameters);
  const plain: string[] = [];
  const visit = (value: unknown, path: string, depth: number) => {
    if (depth > 6 || value === null || typeof value !== 'object') return;
    for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
      if (CREDENTIAL_KEYS.has(key) && typeof child === 'string' && !child.startsWith('{{resolve:')) {
        plain.push(`${path}${key}`);
      }
      visit(child, `${path}${key}.`, depth + 1);
    }
  };
  visit(params, '', 0);
  if (plain.length > 0) {
    Annotations.of(connection).addWarningV2('cdk-eventbridge-blueprints:plainTextCredential',
      `The connection's ${plain.join(', ')} is plain text in the template; use SecretValue.secretsManager(...) so that `
      + 'the credential stays in Secrets Manager');
  }
}
