import {
  CfnResource,
  Duration,
  Names,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_iam as iam,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct, IDependable } from 'constructs';
import type { ICustomEventBus } from './custom-event-bus';
import {
  StartingPosition,
  SubscriberFilter,
  SubscriberLogLevel,
  SubscriberOrdering,
  SubscriberTransformer,
} from './subscriber-options';
import { ISubscriberTarget, SubscriberTargetConfig } from './subscriber-target';
import { checkAlarmOptions } from '../private/alarm-options';
import { checkDeadLetterRegion, routeDeadLetterQueue } from '../private/dead-letter';
import { propError, show } from '../private/errors';
import { replaceIntrinsics } from '../private/pattern-check';
import { DEFAULT_MAX_EVENT_AGE, DEFAULT_RETRY_ATTEMPTS, checkMaxEventAge, checkRetryAttempts } from '../private/retry-bounds';
import { SubscriberProperties, TargetParameters, attribute, cfnSubscriber, subscriberCfnProperties } from './private/cfn-eventsv2';
import { MAX_JSONATA_EXPRESSION_LENGTH, delimitedExpression, jsonataSyntaxError } from '../private/jsonata-text';
import { filterProblems } from '../private/subscriber-filter-rules';

const TYPE = 'Subscriber';
const SUBSCRIBER_NAME = /^[A-Za-z0-9][.\-_A-Za-z0-9]*$/;
const MAX_SUBSCRIBER_NAME = 256;
/**
 * The longest JSONata value EventBridge takes, `{% %}` delimiters included: the transformer's
 * `JsonataConfiguration.Expression`, and each string member of the Lambda and Step Functions parameter blocks.
 */
const MAX_JSONATA_LENGTH = MAX_JSONATA_EXPRESSION_LENGTH;
const JSONATA_LIMIT_PAGES: { [prop: string]: string } = {
  transformer: 'https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_JsonataConfiguration.html',
  lambdaParameters: 'https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_LambdaParameters.html',
  stepFunctionsParameters: 'https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_StepFunctionsParameters.html',
};

/**
 * Options of a subscriber, as given to `ICustomEventBus.addSubscriber()`.
 */
export interface SubscriberOptions {
  /**
   * The single target of the subscriber. To fan out, create one subscriber per target.
   */
  readonly target: ISubscriberTarget;

  /**
   * The name of the subscriber: 1 to 256 characters, the first alphanumeric, then letters, digits, `.`, `-`, `_`.
   *
   * @default - a unique name derived from the construct path
   */
  readonly subscriberName?: string;

  /**
   * A description.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Which events the subscriber receives: at most one filter per scope; an event must match all of them.
   * Validated at synth by the library's pattern engine and the subscriber rules (no wildcards; `METADATA` exact
   * values only; at most 4096 characters per pattern).
   *
   * @default - every event on the bus
   */
  readonly filters?: SubscriberFilter[];

  /**
   * What the target receives. A JSONata expression is parsed at synth.
   *
   * @default SubscriberTransformer.RAW
   */
  readonly transformer?: SubscriberTransformer;

  /**
   * Ordered (FIFO, per event group) or unordered delivery.
   *
   * @default SubscriberOrdering.UNORDERED
   */
  readonly ordering?: SubscriberOrdering;

  /**
   * Where the subscriber starts reading the bus when it is created.
   *
   * @default StartingPosition.LATEST
   */
  readonly startingPosition?: StartingPosition;

  /**
   * How many times a failed delivery is retried (0 to 185).
   *
   * Our default is the Classic bus's (and `ReliableRoute`'s) 185, not the Custom Event Bus's 5, so that a target
   * outage of up to a day delays events instead of dead-lettering them. For a FIFO subscriber a failing event
   * holds up its group for as long as it is retried: lower `maxEventAge` if latency matters more than order.
   *
   * @default 185
   */
  readonly retryAttempts?: number;

  /**
   * How long, from ingestion, EventBridge keeps retrying (1 minute to 24 hours).
   *
   * @default Duration.hours(24)
   */
  readonly maxEventAge?: Duration;

  /**
   * Where events go that could not be delivered (`OnFailureConfiguration`): an SQS queue in the subscriber's
   * region. The delivery role gets `sqs:SendMessage` on it.
   *
   * @default - an SQS queue with SSE-SQS encryption, TLS enforced and 14 days retention
   */
  readonly deadLetterQueue?: sqs.IQueue;

  /**
   * Whether to create an alarm that fires when the dead-letter queue is not empty.
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Actions to run when the alarm goes into ALARM.
   * Cannot be combined with `alarms: false`, which creates no alarm to act on (a synth error).
   *
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];

  /**
   * The largest number of events per target call. Checked against the target's maximum.
   *
   * @default - EventBridge's default for the target (10 for Lambda and Step Functions, the maximum otherwise)
   */
  readonly maxBatchSize?: number;

  /**
   * How long to wait for a batch to fill (0 to 300 seconds).
   *
   * @default - no wait
   */
  readonly maxBatchWindow?: Duration;

  /**
   * The delivery role. It must trust `events.amazonaws.com`; the target's permissions are added to it.
   *
   * @default - a role for this subscriber alone, trusted by `events.amazonaws.com` for this account only
   */
  readonly role?: iam.IRole;

  /**
   * Whether the subscriber delivers (`RUNNING`) or is paused (`STOPPED`); a paused subscriber accrues a backlog
   * within the bus's retention.
   *
   * @default true
   */
  readonly enabled?: boolean;

  /**
   * The log level of delivery records (they need a CloudWatch Logs vended-log delivery, which this construct does
   * not create).
   *
   * @default - EventBridge's default (OFF)
   */
  readonly logLevel?: SubscriberLogLevel;
}

/**
 * Properties of a {@link Subscriber}.
 */
export interface SubscriberProps extends SubscriberOptions {
  /** The Custom Event Bus to subscribe to. */
  readonly eventBus: ICustomEventBus;
}

/**
 * A subscriber of a Custom Event Bus (`AWS::EventsV2::Subscriber`): filters, an optional transform, and one target,
 * with our defaults — a least-privilege delivery role of its own, a dead-letter queue with an alarm, a retry policy
 * of 185 attempts / 24 hours written out, filters and JSONata checked at synth — and deployed after the previous
 * subscriber of the same bus (EventBridge applies one subscriber create or delete at a time per bus).
 *
 * @resource AWS::EventsV2::Subscriber
 */
export class Subscriber extends Construct {
  /** The bus. */
  public readonly eventBus: ICustomEventBus;

  /** The delivery role. */
  public readonly role: iam.IRole;

  /** The dead-letter queue. */
  public readonly deadLetterQueue: sqs.IQueue;

  /** The alarm on the dead-letter queue, unless `alarms: false`. */
  public readonly deadLetterQueueAlarm?: cloudwatch.Alarm;

  /** The ordering. */
  public readonly ordering: SubscriberOrdering;

  /** The transformer. */
  public readonly transformer: SubscriberTransformer;

  /** The retry attempts. */
  public readonly retryAttempts: number;

  /** The maximum event age. */
  public readonly maxEventAge: Duration;

  /** The name of the subscriber. */
  public readonly subscriberName: string;

  /**
   * The `AWS::EventsV2::Subscriber`, a `CfnResource` (aws-cdk-lib's `aws_eventsv2.CfnSubscriber` exists only from
   * 2.264.0 on, above this library's floor). Change its properties with `addPropertyOverride(...)`.
   */
  public readonly resource: CfnResource;

  /** What the target told the subscriber when it was bound. */
  public readonly targetConfig: SubscriberTargetConfig;

  constructor(scope: Construct, id: string, props: SubscriberProps) {
    super(scope, id);
    this.eventBus = props.eventBus;
    this.ordering = props.ordering ?? SubscriberOrdering.UNORDERED;
    this.transformer = props.transformer ?? SubscriberTransformer.RAW;
    this.subscriberName = this.checkedName(props.subscriberName ?? Names.uniqueResourceName(this, { maxLength: 64 }));

    this.retryAttempts = props.retryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    checkRetryAttempts(this, TYPE, 'retryAttempts', this.retryAttempts);
    this.maxEventAge = props.maxEventAge ?? DEFAULT_MAX_EVENT_AGE;
    checkMaxEventAge(this, TYPE, 'maxEventAge', this.maxEventAge.toSeconds());
    const filterConfiguration = this.renderFilters(props.filters ?? []);

    // Faults: the dead-letter queue (given or created) with its alarm.
    if (props.deadLetterQueue) {
      checkDeadLetterRegion(this, TYPE, 'deadLetterQueue', props.deadLetterQueue.env.region);
    }
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);
    const dlq = routeDeadLetterQueue(this, props.deadLetterQueue, props.alarms, props.alarmActions);
    this.deadLetterQueue = dlq.queue;
    this.deadLetterQueueAlarm = dlq.alarm;

    // Delivery: the role EventBridge assumes, then the target bound to it.
    const { role, rolePolicy } = this.deliveryRole(props.role);
    this.role = role;
    this.targetConfig = this.bindTarget(props.target);
    const invokeConfiguration = this.invokeConfiguration(this.targetConfig);

    this.resource = this.createResource(subscriberCfnProperties(
      this.resourceProperties(props, filterConfiguration, invokeConfiguration, this.renderBatching(props, this.targetConfig))));
    // The role's policy must exist before EventBridge first delivers (the role itself is referenced already).
    if (rolePolicy) {
      this.resource.node.addDependency(rolePolicy);
    }
    this.eventBus._chainSubscriber(this.resource);
  }

  /** The ARN of the subscriber. */
  public get subscriberArn(): string {
    return attribute(this.resource, 'SubscriberArn');
  }

  /**
   * An `AWS/EventsV2` metric of this subscriber (dimensions `EventBus` and `Subscriber`, both ARNs).
   *
   * @param metricName for example `EventsDropped`, `OnFailureDestinationDelivered`, `EventsDelivered`
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-observability.html
   */
  public metric(metricName: string, props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/EventsV2',
      metricName,
      dimensionsMap: { EventBus: this.eventBus.eventBusArn, Subscriber: this.subscriberArn },
      statistic: 'Sum',
      period: Duration.minutes(1),
      ...props,
    });
  }

  /**
   * Creates the `AWS::EventsV2::Subscriber` (construct id `Resource`), called once by the constructor with the
   * properties it computed and checked. Override it to customise the L1, for example to return aws-cdk-lib's
   * `aws_eventsv2.CfnSubscriber` (2.264.0 and later) built from the same properties; the subscriber's ARN is the
   * resource's `SubscriberArn` attribute.
   *
   * @param properties the CloudFormation properties of the resource, PascalCase as in the template
   *   (`EventBusArn`, `InvokeConfiguration`, `RetryPolicy`, ...)
   */
  protected createResource(properties: { [key: string]: any }): CfnResource {
    return cfnSubscriber(this, 'Resource', properties);
  }

  private checkedName(name: string): string {
    if (!Token.isUnresolved(name) && (name.length > MAX_SUBSCRIBER_NAME || !SUBSCRIBER_NAME.test(name))) {
      throw propError(this, TYPE, 'subscriberName',
        `must be 1 to ${MAX_SUBSCRIBER_NAME} characters, the first a letter or digit, then letters, digits, ".", "-" or "_", got ${show(name)}`);
    }
    return name;
  }

  /** The given role, or one for EventBridge in this account; either may send to the dead-letter queue. */
  private deliveryRole(given: iam.IRole | undefined): { role: iam.IRole; rolePolicy: IDependable | undefined } {
    const role = given ?? new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Delivery role of the Custom Event Bus subscriber ${this.node.path}`,
    });
    const rolePolicy = role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['sqs:SendMessage'],
      resources: [this.deadLetterQueue.queueArn],
    })).policyDependable;
    this.deadLetterQueue.encryptionMasterKey?.grant(role, 'kms:GenerateDataKey', 'kms:Decrypt');
    return { role, rolePolicy };
  }

  /** Binds the target, and checks the transformer against what the target accepts. */
  private bindTarget(target: ISubscriberTarget): SubscriberTargetConfig {
    const config = target.bind(this);
    if (config.rawTransformerOnly && this.transformer.type !== 'RAW') {
      throw propError(this, TYPE, 'transformer',
        `must be RAW for a ${config.kind} target (EventBridge supports only RAW there), got ${this.transformer.type}`);
    }
    if (this.transformer.expression !== undefined) {
      this.checkExpression('transformer', this.transformer.expression);
    }
    return config;
  }

  private invokeConfiguration(config: SubscriberTargetConfig): SubscriberProperties['invokeConfiguration'] {
    const invokeConfiguration: SubscriberProperties['invokeConfiguration'] = {
      targetArn: config.targetArn,
      roleArn: this.role.roleArn,
      lambdaParameters: config.lambdaParameters,
      sqsParameters: config.sqsParameters,
      snsParameters: config.snsParameters,
      kinesisParameters: config.kinesisParameters,
      stepFunctionsParameters: config.stepFunctionsParameters,
      httpParameters: config.httpParameters,
      eventBusV2Parameters: config.eventBusV2Parameters,
    };
    this.checkParameterExpressions(invokeConfiguration);
    return invokeConfiguration;
  }

  private resourceProperties(props: SubscriberProps, filterConfiguration: SubscriberProperties['filterConfiguration'],
    invokeConfiguration: SubscriberProperties['invokeConfiguration'], batchConfiguration: SubscriberProperties['batchConfiguration']): SubscriberProperties {
    const start = props.startingPosition ?? StartingPosition.LATEST;
    return {
      name: this.subscriberName,
      eventBusArn: this.eventBus.eventBusArn,
      description: props.description,
      type: this.ordering,
      filterConfiguration,
      transformer: this.transformer.type === 'RAW' && props.transformer === undefined ? undefined : {
        type: this.transformer.type,
        jsonataConfiguration: this.transformer.expression === undefined ? undefined : { expression: this.transformer.expression },
      },
      invokeConfiguration,
      retryPolicy: { maxRetryAttempts: this.retryAttempts, maxEventAgeInSeconds: this.maxEventAge.toSeconds() },
      onFailureConfiguration: { arn: this.deadLetterQueue.queueArn },
      startingPosition: start.position,
      pointInTimeConfiguration: start.pointType === undefined ? undefined : {
        pointType: start.pointType,
        startingPoint: epochSeconds(start.start),
        endPoint: epochSeconds(start.end),
      },
      batchConfiguration,
      state: props.enabled === false ? 'STOPPED' : undefined,
      logConfiguration: props.logLevel === undefined ? undefined : { level: props.logLevel },
    };
  }

  private renderFilters(filters: SubscriberFilter[]): SubscriberProperties['filterConfiguration'] {
    if (filters.length === 0) {
      return undefined;
    }
    const seen = new Set<string>();
    const rendered: Array<{ scope: string; pattern: string }> = [];
    const stack = Stack.of(this);
    for (const filter of filters) {
      if (seen.has(filter.scope)) {
        throw propError(this, TYPE, 'filters',
          `must have at most one filter per scope, got two ${filter.scope} filters (combine them into one pattern)`);
      }
      seen.add(filter.scope);
      const text = stack.toJsonString(filter.pattern);
      // Validated as synthesized: tokens resolved, intrinsics replaced by an opaque string.
      const problems = filterProblems(filter.scope, replaceIntrinsics(stack.resolve(filter.pattern)));
      if (problems.length > 0) {
        throw propError(this, TYPE, `filters (${filter.scope})`, `has an invalid pattern: ${problems.join('; ')}`);
      }
      rendered.push({ scope: filter.scope, pattern: text });
    }
    return { filters: rendered };
  }

  private renderBatching(props: SubscriberOptions, config: SubscriberTargetConfig): SubscriberProperties['batchConfiguration'] {
    const size = props.maxBatchSize;
    if (size !== undefined && !Token.isUnresolved(size) && (!Number.isInteger(size) || size < 1 || size > config.maxBatchSize)) {
      throw propError(this, TYPE, 'maxBatchSize',
        `must be a whole number from 1 to ${config.maxBatchSize} for a ${config.kind} target, got ${show(size)}`);
    }
    const window = props.maxBatchWindow?.toSeconds();
    if (window !== undefined && !Token.isUnresolved(window) && (window < 0 || window > 300)) {
      throw propError(this, TYPE, 'maxBatchWindow', `must be from 0 to 300 seconds, got ${window} seconds`);
    }
    if (size === undefined && window === undefined) {
      return undefined;
    }
    return { maxBatchSize: size, maxBatchWindowInSeconds: window };
  }

  private checkParameterExpressions(invoke: TargetParameters): void {
    const params: { [block: string]: any } = {
      lambdaParameters: invoke.lambdaParameters,
      sqsParameters: invoke.sqsParameters,
      snsParameters: invoke.snsParameters,
      kinesisParameters: invoke.kinesisParameters,
      stepFunctionsParameters: invoke.stepFunctionsParameters,
      httpParameters: invoke.httpParameters,
      eventBusV2Parameters: invoke.eventBusV2Parameters,
    };
    const visit = (value: any, where: string) => {
      if (typeof value === 'string') {
        if (!Token.isUnresolved(value) && delimitedExpression(value) !== undefined) {
          this.checkExpression(`target ${where}`, value);
        }
      } else if (value !== null && typeof value === 'object' && !Token.isUnresolved(value)) {
        for (const [key, inner] of Object.entries(value)) {
          visit(inner, `${where}.${key}`);
        }
      }
    };
    for (const [block, value] of Object.entries(params)) {
      if (value !== undefined) {
        visit(value, block);
      }
    }
  }

  private checkExpression(prop: string, delimited: string): void {
    if (Token.isUnresolved(delimited)) {
      return;
    }
    const page = JSONATA_LIMIT_PAGES[prop.replace(/^target /, '').split('.')[0]];
    if (page !== undefined && delimited.length > MAX_JSONATA_LENGTH) {
      throw propError(this, TYPE, prop, `must be at most ${MAX_JSONATA_LENGTH} characters with its {% %} delimiters (${page}), `
        + `got ${delimited.length} characters: ${show(delimited.slice(0, 40))}...`);
    }
    const error = jsonataSyntaxError(delimitedExpression(delimited) ?? delimited);
    if (error !== undefined) {
      throw propError(this, TYPE, prop, `is not a valid JSONata expression (${error}), got ${show(delimited)}`);
    }
  }
}

function epochSeconds(date: Date | undefined): number | undefined {
  return date === undefined ? undefined : Math.floor(date.getTime() / 1000);
}
