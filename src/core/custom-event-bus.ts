import {
  Annotations,
  Arn,
  ArnFormat,
  CfnResource,
  Duration,
  IResource,
  Names,
  Resource,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_iam as iam,
  aws_kms as kms,
} from 'aws-cdk-lib';
import { Construct, IConstruct } from 'constructs';
import { attribute, cfnEventBus, cfnResourcePolicy } from './private/cfn-eventsv2';
import { Subscriber, SubscriberOptions } from './subscriber';
import { checkAlarmOptions } from '../private/alarm-options';
import { countAlarm } from '../private/alarms';
import { ACCOUNT_ID, checkAccountIds, checkOrganizationId } from '../private/aws-ids';
import { propError, show } from '../private/errors';
import { insightsSum } from '../private/insights-metric';
import { assertNotOpenToAll } from '../private/resource-policy';
import { CUSTOM_BUS_RETENTION_DAYS, wholeDays } from '../private/retention';

const TYPE = 'CustomEventBus';
const BUS_NAME = /^[A-Za-z0-9][.\-_A-Za-z0-9]*$/;
const MAX_BUS_NAME = 256;
/** The id segment of a Custom Event Bus ARN: AWS documents no pattern; we refuse only what would break the ARN. */
const BUS_ID = /^[A-Za-z0-9_-]+$/;
const METRICS_NAMESPACE = 'AWS/EventsV2';
const SUBSCRIBER_DIMENSIONS = ['EventBus', 'Subscriber'];

/**
 * What another account may do on a {@link CustomEventBus}: the action sets of the user guide's "Permissions by
 * scenario" page and of the `PublishOnly` / `SubscribeOnly` managed permissions.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-permissions.html
 */
export class CustomEventBusAccess {
  /** Publish: `events:PutEvents`, `events:PutRawEvents`, `events:DescribeEventBus`. */
  public static readonly PUBLISH = new CustomEventBusAccess('PUBLISH',
    ['events:PutEvents', 'events:PutRawEvents', 'events:DescribeEventBus']);

  /**
   * Attach subscribers: `events:CreateSubscriber`, `events:UpdateSubscriber` (an update that changes filters is
   * authorized against the bus too) and `events:DescribeEventBus`.
   */
  public static readonly SUBSCRIBE = new CustomEventBusAccess('SUBSCRIBE',
    ['events:CreateSubscriber', 'events:UpdateSubscriber', 'events:DescribeEventBus']);

  /** Publish and subscribe. */
  public static readonly PUBLISH_AND_SUBSCRIBE = new CustomEventBusAccess('PUBLISH_AND_SUBSCRIBE',
    ['events:PutEvents', 'events:PutRawEvents', 'events:CreateSubscriber', 'events:UpdateSubscriber', 'events:DescribeEventBus']);

  private constructor(
    /** A short name, used in statement IDs. */
    public readonly name: string,
    /** The IAM actions. */
    public readonly actions: string[],
  ) {}
}

/**
 * A Custom Event Bus (the new EventBridge bus with subscribers), defined here or imported.
 */
export interface ICustomEventBus extends IResource {
  /**
   * The ARN of the bus (`arn:<partition>:events:<region>:<account>:event-busv2/<name>/<id>`).
   *
   * @attribute
   */
  readonly eventBusArn: string;

  /**
   * The name of the bus.
   *
   * @attribute
   */
  readonly eventBusName: string;

  /** Grants permission to publish with `PutEvents` and `PutRawEvents` (and to describe the bus). */
  grantPublish(grantee: iam.IGrantable): iam.Grant;

  /** Grants permission to publish with `PutEvents` (and to describe the bus). */
  grantPutEvents(grantee: iam.IGrantable): iam.Grant;

  /** Grants permission to publish with `PutRawEvents` (and to describe the bus). */
  grantPutRawEvents(grantee: iam.IGrantable): iam.Grant;

  /**
   * Adds a subscriber to this bus.
   */
  addSubscriber(id: string, options: SubscriberOptions): Subscriber;

  /**
   * Called by every `Subscriber` of this bus when it is created: subscribers of one bus are deployed one after
   * another (EventBridge applies one subscriber create or delete at a time per bus).
   *
   * @internal
   */
  _chainSubscriber(subscriber: CfnResource): void;
}

/**
 * Properties of a {@link CustomEventBus}.
 */
export interface CustomEventBusProps {
  /**
   * The name of the bus: 1 to 256 characters, the first alphanumeric, then letters, digits, `.`, `-` or `_`.
   *
   * @default - a unique name derived from the construct path
   */
  readonly eventBusName?: string;

  /**
   * A description of the bus.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * How long the bus retains every event, in whole days from 1 to 365. Retention is what lets a subscriber start in
   * the past, resume after a pause and replay.
   *
   * The default, 30 days, is the replay window of our Classic `SecureEventBus` (its default archive keeps 30 days),
   * so moving from the Classic bus does not shrink what can be replayed. Retention is billed by volume: lower it
   * for high-volume buses that never replay.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-what-is.html
   * @default Duration.days(30)
   */
  readonly retention?: Duration;

  /**
   * A customer-managed KMS key that encrypts the bus's events. The key policy (of a key defined in this app) gets a
   * statement that lets `events.amazonaws.com` use the key for this account; an imported key's policy must be
   * updated by you, and a warning says so.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-encryption.html
   * @default - an AWS owned key
   */
  readonly kmsKey?: kms.IKey;

  /**
   * Whether to create CloudWatch alarms on the delivery metrics of every subscriber of the bus: events dropped
   * (retries exhausted and no dead-letter queue could take them) and events sent to a dead-letter queue.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Actions to run when an alarm of the bus goes into ALARM.
   * Cannot be combined with `alarms: false`, which creates no alarm to act on (a synth error).
   *
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * An existing Custom Event Bus, for {@link CustomEventBus.fromEventBusAttributes}: its ARN, or its name and the id
 * EventBridge generated for it (a Custom Event Bus ARN ends in `event-busv2/<name>/<id>`, so the name alone does not
 * make the ARN).
 */
export interface CustomEventBusAttributes {
  /**
   * The ARN of the bus (`arn:<partition>:events:<region>:<account>:event-busv2/<name>/<id>`). A token is accepted.
   *
   * @default - formatted from `eventBusName` and `eventBusId`, in `account` and `region`
   */
  readonly eventBusArn?: string;

  /**
   * The name of the bus. With `eventBusArn`, it must be the name in the ARN (useful when the ARN is a token).
   *
   * @default - the name in `eventBusArn`
   */
  readonly eventBusName?: string;

  /**
   * The id EventBridge generated for the bus: the last segment of its ARN. Needed with `eventBusName` when no
   * `eventBusArn` is given.
   *
   * @default - none: give `eventBusArn`
   */
  readonly eventBusId?: string;

  /**
   * The account of the bus, for an ARN formatted from `eventBusName` and `eventBusId`.
   *
   * @default - the account of the stack
   */
  readonly account?: string;

  /**
   * The Region of the bus, for an ARN formatted from `eventBusName` and `eventBusId`.
   *
   * @default - the Region of the stack
   */
  readonly region?: string;
}

/** The last subscriber of each bus, per app, for the deployment chain (imports of one ARN share one chain). */
const CHAINS = new WeakMap<IConstruct, Map<string, CfnResource>>();

abstract class CustomEventBusBase extends Resource implements ICustomEventBus, iam.IResourceWithPolicy {
  public abstract readonly eventBusArn: string;
  public abstract readonly eventBusName: string;

  public grantPublish(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, CustomEventBusAccess.PUBLISH.actions);
  }

  public grantPutEvents(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ['events:PutEvents', 'events:DescribeEventBus']);
  }

  public grantPutRawEvents(grantee: iam.IGrantable): iam.Grant {
    return this.grant(grantee, ['events:PutRawEvents', 'events:DescribeEventBus']);
  }

  public addSubscriber(id: string, options: SubscriberOptions): Subscriber {
    return new Subscriber(this, id, { ...options, eventBus: this });
  }

  public addToResourcePolicy(_statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    return { statementAdded: false };
  }

  /** @internal */
  public _chainSubscriber(subscriber: CfnResource): void {
    const root = this.node.root;
    let chains = CHAINS.get(root);
    if (!chains) {
      chains = new Map();
      CHAINS.set(root, chains);
    }
    const key = Token.isUnresolved(this.eventBusArn) ? `path:${this.node.path}` : `arn:${this.eventBusArn}`;
    const previous = chains.get(key);
    if (previous) {
      subscriber.node.addDependency(previous);
    }
    chains.set(key, subscriber);
  }

  private grant(grantee: iam.IGrantable, actions: string[]): iam.Grant {
    return iam.Grant.addToPrincipalOrResource({ grantee, actions, resourceArns: [this.eventBusArn], resource: this });
  }
}

/**
 * The new EventBridge Custom Event Bus (`AWS::EventsV2::EventBus`): events are retained (30 days by default) and
 * routed to subscribers, one target each.
 *
 * Defaults: a deliberate retention, an optional customer-managed key (with the key policy EventBridge needs), a
 * resource policy that never allows every principal without a condition, alarms on the delivery metrics of all its
 * subscribers, and subscribers that deploy one after another.
 *
 * @resource AWS::EventsV2::EventBus
 */
export class CustomEventBus extends CustomEventBusBase {
  /**
   * Imports a Custom Event Bus by ARN (`arn:<partition>:events:<region>:<account>:event-busv2/<name>/<id>`).
   */
  public static fromEventBusArn(scope: Construct, id: string, eventBusArn: string): ICustomEventBus {
    return importBus(scope, id, 'fromEventBusArn', { eventBusArn });
  }

  /**
   * Imports a Custom Event Bus of the stack's account and Region by name and id.
   *
   * Unlike a Classic bus, whose ARN aws-cdk-lib's `EventBus.fromEventBusName` formats from the name, a Custom Event
   * Bus ARN ends in `event-busv2/<name>/<id>`, the id generated by EventBridge: the name alone cannot make the ARN
   * that subscribers, grants and metrics need, so the id is asked for too. For another account or Region, use
   * `fromEventBusAttributes`; with the ARN at hand, `fromEventBusArn`.
   *
   * @param eventBusName the name of the bus
   * @param eventBusId the id EventBridge generated for the bus (the last segment of its ARN)
   */
  public static fromEventBusName(scope: Construct, id: string, eventBusName: string, eventBusId: string): ICustomEventBus {
    return importBus(scope, id, 'fromEventBusName', { eventBusName, eventBusId });
  }

  /**
   * Imports a Custom Event Bus by its ARN, or by its name and id (with the ARN formatted in the given or the stack's
   * account and Region, with the stack's partition).
   */
  public static fromEventBusAttributes(scope: Construct, id: string, attrs: CustomEventBusAttributes): ICustomEventBus {
    return importBus(scope, id, 'fromEventBusAttributes', attrs);
  }

  public readonly eventBusArn: string;
  public readonly eventBusName: string;

  /** The retention of the bus. */
  public readonly retention: Duration;

  /** The customer-managed key of the bus, if any. */
  public readonly encryptionKey?: kms.IKey;

  /**
   * The `AWS::EventsV2::EventBus`, a `CfnResource` (aws-cdk-lib's `aws_eventsv2.CfnEventBus` exists only from 2.264.0
   * on, above this library's floor). Change its properties with `addPropertyOverride('StorageConfiguration...', ...)`.
   */
  public readonly resource: CfnResource;


  /** Alarm on events dropped by any subscriber of this bus (unless `alarms: false`). */
  public readonly eventsDroppedAlarm?: cloudwatch.Alarm;

  /** Alarm on events that any subscriber of this bus sent to its dead-letter queue (unless `alarms: false`). */
  public readonly deadLetteredEventsAlarm?: cloudwatch.Alarm;

  private readonly policyDocument = new iam.PolicyDocument();
  private policyResource?: CfnResource;
  private counter = 0;

  constructor(scope: Construct, id: string, props: CustomEventBusProps = {}) {
    super(scope, id);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);
    const name = props.eventBusName ?? Names.uniqueResourceName(this, { maxLength: 64 });
    if (!Token.isUnresolved(name) && (name.length > MAX_BUS_NAME || !BUS_NAME.test(name))) {
      throw propError(this, TYPE, 'eventBusName',
        `must be 1 to ${MAX_BUS_NAME} characters, the first a letter or digit, then letters, digits, ".", "-" or "_", got ${show(name)}`);
    }
    this.retention = props.retention ?? Duration.days(30);
    const days = wholeDays(this, TYPE, 'retention', this.retention, CUSTOM_BUS_RETENTION_DAYS);
    this.encryptionKey = props.kmsKey;

    this.resource = this.createResource(name, days, props);
    this.eventBusArn = attribute(this.resource, 'EventBusArn');
    this.eventBusName = name;

    if (props.kmsKey) {
      this.allowEncryption(props.kmsKey);
    }

    if (props.alarms ?? true) {
      const actions = props.alarmActions ?? [];
      this.eventsDroppedAlarm = countAlarm(this, 'EventsDroppedAlarm', this.metricEventsDropped(),
        'A subscriber of this Custom Event Bus dropped events: retries were exhausted and no dead-letter queue took them.', actions);
      this.deadLetteredEventsAlarm = countAlarm(this, 'DeadLetteredEventsAlarm', this.metricOnFailureDestinationDelivered(),
        'A subscriber of this Custom Event Bus sent events to its dead-letter queue.', actions);
    }
  }

  /**
   * The bus's resource policy (`AWS::EventsV2::ResourcePolicy`, a `CfnResource`), created by the first statement
   * added; `undefined` until then. Read-only: add statements with `addToResourcePolicy` or the `allow*` methods.
   */
  public get resourcePolicy(): CfnResource | undefined {
    return this.policyResource;
  }

  /**
   * Adds a statement to the bus's resource policy (the policy named `default`).
   *
   * Refuses a statement that allows every principal (`*`) without a condition: name the accounts, the
   * organization or the service instead.
   */
  public addToResourcePolicy(statement: iam.PolicyStatement): iam.AddToResourcePolicyResult {
    assertNotOpenToAll(this, TYPE, statement);
    this.policyDocument.addStatements(statement);
    this.policyResource ??= this.createResourcePolicy(this.policyDocument);
    return { statementAdded: true, policyDependable: this.policyResource };
  }

  /**
   * Lets the given AWS accounts publish to and/or attach subscribers to this bus (the bus's `default` resource
   * policy; an AWS RAM share is the other way to share a bus).
   *
   * `bus.allowAccounts(accountIds)` means the same on both buses (these accounts may publish), as does
   * `allowOrganization`: the `allow*` methods of `SecureEventBus` and `CustomEventBus` share their names and shape.
   *
   * @param accountIds 12-digit AWS account IDs
   * @param access what they may do
   * @default access CustomEventBusAccess.PUBLISH
   */
  public allowAccounts(accountIds: string[], access: CustomEventBusAccess = CustomEventBusAccess.PUBLISH): void {
    const where = `allowAccounts(${access.name})`;
    checkAccountIds(this, TYPE, `${where} accountIds`, accountIds);
    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: `Allow${pascal(access.name)}Accounts${this.nextId()}`,
      principals: accountIds.map((a) => new iam.AccountPrincipal(a)),
      actions: access.actions,
      resources: [this.eventBusArn],
    }));
  }

  /**
   * Lets every principal of an AWS Organization publish to and/or attach subscribers to this bus (condition
   * `aws:PrincipalOrgID`).
   *
   * @param organizationId the organization's ID, such as `o-a1b2c3d4e5`
   * @param access what they may do
   * @default access CustomEventBusAccess.PUBLISH
   */
  public allowOrganization(organizationId: string, access: CustomEventBusAccess = CustomEventBusAccess.PUBLISH): void {
    checkOrganizationId(this, TYPE, `allowOrganization(${access.name}) organizationId`, organizationId);
    this.addToResourcePolicy(new iam.PolicyStatement({
      sid: `Allow${pascal(access.name)}Organization${this.nextId()}`,
      principals: [new iam.AnyPrincipal()],
      actions: access.actions,
      resources: [this.eventBusArn],
      conditions: { StringEquals: { 'aws:PrincipalOrgID': organizationId } },
    }));
  }

  /**
   * Events dropped by any subscriber of this bus (retries exhausted, no dead-letter queue took them), summed with a
   * CloudWatch Metrics Insights query over the `AWS/EventsV2` subscriber metrics.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-observability.html
   */
  public metricEventsDropped(props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return this.subscribersMetric('EventsDropped', props);
  }

  /**
   * Events that any subscriber of this bus sent to its dead-letter queue (`OnFailureDestinationDelivered`).
   */
  public metricOnFailureDestinationDelivered(props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return this.subscribersMetric('OnFailureDestinationDelivered', props);
  }

  /**
   * Any `AWS/EventsV2` subscriber metric, summed over the subscribers of this bus.
   *
   * @param metricName for example `EventDeliveryAttempts`, `EventsDelivered`, `FilterMatched`
   */
  public metricSubscribers(metricName: string, props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return this.subscribersMetric(metricName, props);
  }

  /**
   * Creates the `AWS::EventsV2::EventBus` (construct id `Resource`), called once by the constructor. Override it to
   * customise the L1, for example to return aws-cdk-lib's `aws_eventsv2.CfnEventBus` (2.264.0 and later) with the
   * same properties; the ARN of the bus is the resource's `EventBusArn` attribute.
   *
   * @param name the name of the bus (`props.eventBusName` or a generated name, checked)
   * @param retentionDays the retention in whole days (checked)
   * @param props the properties the bus was created with
   */
  protected createResource(name: string, retentionDays: number, props: CustomEventBusProps): CfnResource {
    return cfnEventBus(this, 'Resource', {
      name,
      description: props.description,
      retentionPeriodInDays: retentionDays,
      kmsKeyIdentifier: props.kmsKey?.keyArn,
    });
  }

  /**
   * Creates the `AWS::EventsV2::ResourcePolicy` (construct id `Policy`) of the bus, called by the first
   * `addToResourcePolicy`. Override it to customise the L1.
   *
   * @param policyDocument the policy document, which later statements are added to
   */
  protected createResourcePolicy(policyDocument: iam.PolicyDocument): CfnResource {
    return cfnResourcePolicy(this, 'Policy', this.eventBusArn, policyDocument);
  }

  private subscribersMetric(metricName: string, props?: cloudwatch.MathExpressionOptions): cloudwatch.IMetric {
    return insightsSum(METRICS_NAMESPACE, metricName, SUBSCRIBER_DIMENSIONS, 'EventBus', this.eventBusArn, props);
  }

  private nextId(): number {
    this.counter += 1;
    return this.counter;
  }

  private allowEncryption(key: kms.IKey): void {
    const result = key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'AllowEventBridgeCustomEventBus',
      principals: [new iam.ServicePrincipal('events.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    if (!result.statementAdded) {
      Annotations.of(this).addWarningV2('cdk-eventbridge-blueprints:importedBusKey',
        'The bus key is imported, so its key policy cannot be changed here: allow events.amazonaws.com kms:Decrypt, '
        + 'kms:GenerateDataKey and kms:DescribeKey (condition aws:SourceAccount = this account).');
    }
  }
}

type Fail = (prop: string, message: string) => Error;

/**
 * The imports of `CustomEventBus`: the ARN given, or formatted from name and id with `Stack.formatArn`; a token passes
 * unchecked. `method` names the static the user called, in errors.
 */
function importBus(scope: Construct, id: string, method: string, attrs: CustomEventBusAttributes): ICustomEventBus {
  const fail: Fail = (prop, message) => new Error(`${TYPE}.${method} '${scope.node.path}/${id}': ${prop} ${message}`);
  const { arn, name } = attrs.eventBusArn !== undefined ? byArn(attrs.eventBusArn, attrs, fail) : byNameAndId(scope, attrs, fail);
  class Import extends CustomEventBusBase {
    public readonly eventBusArn = arn;
    public readonly eventBusName = name;
  }
  return new Import(scope, id, { environmentFromArn: arn });
}

function known(value: string | undefined): value is string {
  return value !== undefined && !Token.isUnresolved(value);
}

/** An import by ARN: nothing else that the ARN already says; a name given must be the ARN's. */
function byArn(arn: string, attrs: CustomEventBusAttributes, fail: Fail): { arn: string; name: string } {
  for (const prop of ['eventBusId', 'account', 'region'] as const) {
    if (attrs[prop] !== undefined) {
      throw fail(prop, `cannot be combined with eventBusArn, which already says it, got ${show(attrs[prop])}`);
    }
  }
  const name = nameInArn(arn, fail);
  if (!known(attrs.eventBusName)) {
    return { arn, name };
  }
  if (known(name) && name !== attrs.eventBusName) {
    throw fail('eventBusName', `must be the name in eventBusArn (${show(name)}), got ${show(attrs.eventBusName)}`);
  }
  return { arn, name: attrs.eventBusName };
}

/** An import by name and id: the ARN formatted in the given (or the stack's) account and Region. */
function byNameAndId(scope: Construct, attrs: CustomEventBusAttributes, fail: Fail): { arn: string; name: string } {
  const { eventBusName: name, eventBusId: busId, account } = attrs;
  if (name === undefined || busId === undefined) {
    throw fail(name === undefined ? 'eventBusArn' : 'eventBusId',
      'must be given: a Custom Event Bus is imported by its ARN, or by its name and the id EventBridge generated for it '
      + '(the ARN ends in event-busv2/<name>/<id>)');
  }
  if (known(name) && (name.length > MAX_BUS_NAME || !BUS_NAME.test(name))) {
    throw fail('eventBusName', `must be 1 to ${MAX_BUS_NAME} characters, the first a letter or digit, then letters, digits, ".", "-" or "_", got ${show(name)}`);
  }
  if (known(busId) && !BUS_ID.test(busId)) {
    throw fail('eventBusId', `must be the last segment of the bus's ARN (letters, digits, "-" or "_"), got ${show(busId)}`);
  }
  if (known(account) && !ACCOUNT_ID.test(account)) {
    throw fail('account', `must be a 12-digit AWS account ID, got ${show(account)}`);
  }
  const arn = Stack.of(scope).formatArn({
    service: 'events',
    resource: 'event-busv2',
    resourceName: `${name}/${busId}`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    account,
    region: attrs.region,
  });
  return { arn, name };
}

/** The name segment of a Custom Event Bus ARN (a token for a token ARN). */
function nameInArn(arn: string, fail: Fail): string {
  if (Token.isUnresolved(arn)) {
    return Arn.split(arn, ArnFormat.SLASH_RESOURCE_SLASH_RESOURCE_NAME).resourceName!;
  }
  const parts = Arn.split(arn, ArnFormat.SLASH_RESOURCE_NAME);
  const segments = (parts.resourceName ?? '').split('/');
  if (parts.service !== 'events' || parts.resource !== 'event-busv2' || segments.length !== 2 || segments[0] === '') {
    throw fail('eventBusArn', `must be a Custom Event Bus ARN like arn:aws:events:us-east-1:111122223333:event-busv2/<name>/<id>, got ${show(arn)}`);
  }
  return segments[0];
}

function pascal(name: string): string {
  return name.toLowerCase().split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}
