import {
  Annotations,
  Duration,
  Token,
  aws_events as events,
  aws_iam as iam,
  aws_kinesis as kinesis,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import type { ICustomEventBus } from './custom-event-bus';
import type { Subscriber } from './subscriber';
import { SubscriberOrdering } from './subscriber-options';
import { propError, show } from '../private/errors';
import { delimitedExpression } from '../private/jsonata-text';

const TYPE = 'Subscriber';

/**
 * How a Lambda function or a state machine is invoked.
 */
export enum InvocationType {
  /** Asynchronously (Lambda `Event`; Step Functions `StartExecution`). */
  EVENT = 'EVENT',
  /** Synchronously (Lambda `RequestResponse`; Step Functions `StartSyncExecution`, Express workflows only). */
  REQUEST_RESPONSE = 'REQUEST_RESPONSE',
}

/**
 * What a target tells its subscriber: the target ARN, its parameter block and its limits.
 */
export interface SubscriberTargetConfig {
  /** The ARN the subscriber invokes (`InvokeConfiguration.TargetArn`). */
  readonly targetArn: string;

  /** The kind of target, for messages: `Lambda`, `SQS`, `SNS`, `Kinesis`, `Step Functions`, `API destination`, ... */
  readonly kind: string;

  /**
   * The largest batch the target takes (`BatchConfiguration.MaxBatchSize`): 500 for Kinesis, 100 for Lambda, Step
   * Functions and Custom Event Bus targets, 10 for SQS, SNS and Classic buses, 1 for HTTP targets.
   */
  readonly maxBatchSize: number;

  /**
   * Whether the target only accepts the `RAW` transformer (a Classic bus).
   *
   * @default false
   */
  readonly rawTransformerOnly?: boolean;

  /** @default - no parameter block */
  readonly lambdaParameters?: SubscriberLambdaParameters;
  /** @default - no parameter block */
  readonly sqsParameters?: SubscriberSqsParameters;
  /** @default - no parameter block */
  readonly snsParameters?: SubscriberSnsParameters;
  /** @default - no parameter block */
  readonly kinesisParameters?: SubscriberKinesisParameters;
  /** @default - no parameter block */
  readonly stepFunctionsParameters?: SubscriberStepFunctionsParameters;
  /** @default - no parameter block */
  readonly httpParameters?: SubscriberHttpParameters;
  /** @default - no parameter block */
  readonly eventBusV2Parameters?: SubscriberEventBusV2Parameters;
}

// The parameter blocks of `AWS::EventsV2::Subscriber` `InvokeConfiguration`, field for field as aws-cdk-lib's
// `aws_eventsv2.CfnSubscriber.*Property` types (2.264.0 on) name them; ours so that the library needs no release that
// has those. Values are strings as CloudFormation takes them: literals or `{% %}` JSONata expressions.

/**
 * `InvokeConfiguration.LambdaParameters` of a subscriber.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eventsv2-subscriber.html
 */
export interface SubscriberLambdaParameters {
  /**
   * `DurableExecutionName`.
   *
   * @default - not set
   */
  readonly durableExecutionName?: string;
  /**
   * `InvocationTimeoutSeconds`.
   *
   * @default - EventBridge's default
   */
  readonly invocationTimeoutSeconds?: string;
  /**
   * `InvocationType`: `EVENT` or `REQUEST_RESPONSE`.
   *
   * @default - EventBridge's default
   */
  readonly invocationType?: string;
  /**
   * `Qualifier`: the version or alias.
   *
   * @default - the unqualified function
   */
  readonly qualifier?: string;
  /**
   * `TenantId`.
   *
   * @default - not set
   */
  readonly tenantId?: string;
}

/** A message attribute (`MessageAttributeValue`) of an SQS or SNS target. */
export interface SubscriberMessageAttributeValue {
  /** `DataType`: `String`, `Number` or `Binary`. */
  readonly dataType: string;
  /**
   * `StringValue`.
   *
   * @default - not set
   */
  readonly stringValue?: string;
  /**
   * `BinaryValue`.
   *
   * @default - not set
   */
  readonly binaryValue?: string;
}

/** `InvokeConfiguration.SqsParameters` of a subscriber. */
export interface SubscriberSqsParameters {
  /**
   * `DelaySeconds`.
   *
   * @default - the queue's delay
   */
  readonly delaySeconds?: string;
  /**
   * `MessageAttributes`, by name.
   *
   * @default - none
   */
  readonly messageAttributes?: { [name: string]: SubscriberMessageAttributeValue };
  /**
   * `MessageDeduplicationId` (FIFO queues).
   *
   * @default - not set
   */
  readonly messageDeduplicationId?: string;
  /**
   * `MessageGroupId` (FIFO queues).
   *
   * @default - not set
   */
  readonly messageGroupId?: string;
  /**
   * `MessageSystemAttributes`, by name.
   *
   * @default - none
   */
  readonly messageSystemAttributes?: { [name: string]: SubscriberMessageAttributeValue };
}

/** `InvokeConfiguration.SnsParameters` of a subscriber. */
export interface SubscriberSnsParameters {
  /**
   * `MessageAttributes`, by name.
   *
   * @default - none
   */
  readonly messageAttributes?: { [name: string]: SubscriberMessageAttributeValue };
  /**
   * `MessageDeduplicationId` (FIFO topics).
   *
   * @default - not set
   */
  readonly messageDeduplicationId?: string;
  /**
   * `MessageGroupId` (FIFO topics).
   *
   * @default - not set
   */
  readonly messageGroupId?: string;
  /**
   * `MessageStructure`.
   *
   * @default - not set
   */
  readonly messageStructure?: string;
  /**
   * `Subject`.
   *
   * @default - not set
   */
  readonly subject?: string;
}

/** `InvokeConfiguration.KinesisParameters` of a subscriber. */
export interface SubscriberKinesisParameters {
  /**
   * `ExplicitHashKey`.
   *
   * @default - not set
   */
  readonly explicitHashKey?: string;
  /**
   * `PartitionKey`.
   *
   * @default - not set
   */
  readonly partitionKey?: string;
}

/** `InvokeConfiguration.StepFunctionsParameters` of a subscriber. */
export interface SubscriberStepFunctionsParameters {
  /**
   * `InvocationTimeoutSeconds`.
   *
   * @default - EventBridge's default
   */
  readonly invocationTimeoutSeconds?: string;
  /**
   * `InvocationType`: `EVENT` or `REQUEST_RESPONSE`.
   *
   * @default - EventBridge's default
   */
  readonly invocationType?: string;
  /**
   * `Name` of the execution.
   *
   * @default - a name chosen by Step Functions
   */
  readonly name?: string;
  /**
   * `TraceHeader`.
   *
   * @default - not set
   */
  readonly traceHeader?: string;
}

/** `InvokeConfiguration.HttpParameters` of a subscriber (API destinations). */
export interface SubscriberHttpParameters {
  /**
   * `HeaderParameters`, by header name.
   *
   * @default - none
   */
  readonly headerParameters?: { [name: string]: string };
  /**
   * `InvocationTimeoutSeconds`.
   *
   * @default - EventBridge's default
   */
  readonly invocationTimeoutSeconds?: string;
  /**
   * `PathParameterValues`.
   *
   * @default - none
   */
  readonly pathParameterValues?: string[];
  /**
   * `QueryStringParameters`, by name.
   *
   * @default - none
   */
  readonly queryStringParameters?: { [name: string]: string };
}

/** `EventBusV2Parameters.SystemMetadata` of a subscriber whose target is a Custom Event Bus. */
export interface SubscriberEventBusV2SystemMetadata {
  /**
   * `DeduplicationId`.
   *
   * @default - not set
   */
  readonly deduplicationId?: string;
  /**
   * `EventGroupId`.
   *
   * @default - not set
   */
  readonly eventGroupId?: string;
}

/** `EventBusV2Parameters.DeduplicationConfiguration` of a subscriber whose target is a Custom Event Bus. */
export interface SubscriberDeduplicationConfiguration {
  /** `DeduplicationType`. */
  readonly deduplicationType: string;
}

/** `InvokeConfiguration.EventBusV2Parameters` of a subscriber (a Custom Event Bus target). */
export interface SubscriberEventBusV2Parameters {
  /**
   * `DeduplicationConfiguration`.
   *
   * @default - not set
   */
  readonly deduplicationConfiguration?: SubscriberDeduplicationConfiguration;
  /**
   * `Metadata`, by key.
   *
   * @default - none
   */
  readonly metadata?: { [key: string]: string };
  /**
   * `SystemMetadata`.
   *
   * @default - not set
   */
  readonly systemMetadata?: SubscriberEventBusV2SystemMetadata;
}

/**
 * A target of a {@link Subscriber}. Implement it to add a target kind; `bind` grants the subscriber's delivery role
 * what the target needs.
 */
export interface ISubscriberTarget {
  /**
   * Grants `subscriber.role` the permissions the target needs and returns the target's configuration.
   */
  bind(subscriber: Subscriber): SubscriberTargetConfig;
}

/** Options of a Lambda target. */
export interface LambdaTargetOptions {
  /**
   * How the function is invoked.
   *
   * @default - `REQUEST_RESPONSE` for a FIFO subscriber (with `EVENT`, order holds only up to Lambda's async queue);
   * EventBridge's default otherwise
   */
  readonly invocationType?: InvocationType;

  /**
   * The version or alias to invoke (a literal or a `{% %}` JSONata expression). The role may then invoke
   * `<function ARN>:*`.
   *
   * @default - the unqualified function
   */
  readonly qualifier?: string;

  /**
   * The timeout of each invocation.
   *
   * @default - EventBridge's default
   */
  readonly invocationTimeout?: Duration;
}

/** Options of an SQS target. */
export interface SqsTargetOptions {
  /**
   * The message group ID (a literal or a `{% %}` JSONata expression). Required for a FIFO queue, for example
   * `'{% $events.SystemMetadata.EventGroupId %}'` to keep the bus's event groups.
   *
   * @default - none (standard queues)
   */
  readonly messageGroupId?: string;

  /**
   * The message deduplication ID, for a FIFO queue (a `{% %}` JSONata expression: a constant would make the queue
   * drop every message after the first).
   *
   * @default - none: the queue's content-based deduplication, if enabled
   */
  readonly messageDeduplicationId?: string;

  /**
   * The delay of each message (standard queues only; 0 to 15 minutes).
   *
   * @default - the queue's delay
   */
  readonly delay?: Duration;
}

/** Options of an SNS target. */
export interface SnsTargetOptions {
  /**
   * The message group ID (a literal or a `{% %}` JSONata expression). Required for a FIFO topic.
   *
   * @default - none (standard topics)
   */
  readonly messageGroupId?: string;

  /**
   * The message deduplication ID, for a FIFO topic (a `{% %}` JSONata expression).
   *
   * @default - none
   */
  readonly messageDeduplicationId?: string;

  /**
   * The subject of email deliveries (a literal or a `{% %}` JSONata expression).
   *
   * @default - none
   */
  readonly subject?: string;
}

/** Options of a Kinesis target. */
export interface KinesisTargetOptions {
  /**
   * The partition key of each record (a literal or a `{% %}` JSONata expression), for example
   * `'{% $events.Data.detail.orderId %}'`. Kinesis requires one.
   */
  readonly partitionKey: string;

  /**
   * An explicit hash key that overrides the partition key's shard.
   *
   * @default - none
   */
  readonly explicitHashKey?: string;
}

/** Options of a Step Functions target. */
export interface StepFunctionsTargetOptions {
  /**
   * How the execution is started: `EVENT` (`StartExecution`) or `REQUEST_RESPONSE` (`StartSyncExecution`, Express
   * workflows only). The role gets only the matching action.
   *
   * @default InvocationType.EVENT
   */
  readonly invocationType?: InvocationType;

  /**
   * The execution name (a `{% %}` JSONata expression; it must be unique per state machine).
   *
   * @default - generated by Step Functions
   */
  readonly executionName?: string;
}

/** Options of an API destination target. */
export interface ApiDestinationTargetOptions {
  /**
   * HTTP headers (names and values may be `{% %}` JSONata expressions).
   *
   * @default - none
   */
  readonly headerParameters?: { [name: string]: string };

  /**
   * Query string parameters.
   *
   * @default - none
   */
  readonly queryStringParameters?: { [name: string]: string };

  /**
   * Values of the path parameters (wildcards) of the endpoint URL, in order.
   *
   * @default - none
   */
  readonly pathParameterValues?: string[];
}

/** Options of a Custom Event Bus target (bus to bus). */
export interface CustomEventBusTargetOptions {
  /**
   * The event group of each forwarded event on the target bus (a literal or a `{% %}` JSONata expression).
   *
   * @default - none
   */
  readonly eventGroupId?: string;

  /**
   * The deduplication ID of each forwarded event on the target bus (a `{% %}` JSONata expression).
   *
   * @default - none
   */
  readonly deduplicationId?: string;

  /**
   * Metadata forwarded with each event (at most 100 entries; keys and values may be JSONata expressions).
   *
   * @default - none
   */
  readonly metadata?: { [key: string]: string };
}

/**
 * The targets a {@link Subscriber} can deliver to. Each grants the subscriber's delivery role exactly the action the
 * target needs, on that target only (plus the KMS actions of the target's customer-managed key, if any).
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-targets.html
 */
export class SubscriberTarget {
  /** A Lambda function (`lambda:InvokeFunction`). */
  public static lambda(fn: lambda.IFunction, options: LambdaTargetOptions = {}): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        const qualified = options.qualifier !== undefined;
        allow(subscriber, ['lambda:InvokeFunction'], qualified ? [`${fn.functionArn}:*`] : [fn.functionArn]);
        let invocationType = options.invocationType;
        if (subscriber.ordering === SubscriberOrdering.FIFO) {
          if (invocationType === InvocationType.EVENT) {
            Annotations.of(subscriber).addWarningV2('cdk-eventbridge-blueprints:fifoAsyncLambda',
              'A FIFO subscriber invokes this function with InvocationType EVENT: order holds only up to the hand-off to '
              + "Lambda's asynchronous queue. Use REQUEST_RESPONSE for ordered processing.");
          }
          invocationType = invocationType ?? InvocationType.REQUEST_RESPONSE;
        }
        return {
          targetArn: fn.functionArn,
          kind: 'Lambda',
          maxBatchSize: 100,
          lambdaParameters: {
            invocationType,
            qualifier: options.qualifier,
            invocationTimeoutSeconds: seconds(options.invocationTimeout),
          },
        };
      },
    };
  }

  /**
   * An SQS queue (`sqs:SendMessage`). A FIFO queue needs `messageGroupId`.
   */
  public static sqs(queue: sqs.IQueue, options: SqsTargetOptions = {}): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        if (queue.fifo && options.messageGroupId === undefined) {
          throw propError(subscriber, TYPE, 'target messageGroupId',
            `must be set for the FIFO queue ${show(queue.node.path)}: SQS rejects every message without one; `
            + "'{% $events.SystemMetadata.EventGroupId %}' keeps the bus's event groups");
        }
        if (queue.fifo && options.delay !== undefined) {
          throw propError(subscriber, TYPE, 'target delay',
            `cannot be set for the FIFO queue ${show(queue.node.path)}: a FIFO queue takes no per-message delay`);
        }
        const delay = seconds(options.delay);
        if (delay !== undefined && !Token.isUnresolved(options.delay!.toSeconds()) && options.delay!.toSeconds() > 900) {
          throw propError(subscriber, TYPE, 'target delay', `must be at most 15 minutes, got ${options.delay!.toHumanString()}`);
        }
        warnConstantId(subscriber, 'target messageDeduplicationId', options.messageDeduplicationId);
        allow(subscriber, ['sqs:SendMessage'], [queue.queueArn]);
        allowKey(subscriber, queue.encryptionMasterKey);
        return {
          targetArn: queue.queueArn,
          kind: 'SQS',
          maxBatchSize: 10,
          sqsParameters: {
            messageGroupId: options.messageGroupId,
            messageDeduplicationId: options.messageDeduplicationId,
            delaySeconds: delay,
          },
        };
      },
    };
  }

  /**
   * An SNS topic (`sns:Publish`). A FIFO topic needs `messageGroupId`.
   */
  public static sns(topic: sns.ITopic, options: SnsTargetOptions = {}): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        if (topic.fifo && options.messageGroupId === undefined) {
          throw propError(subscriber, TYPE, 'target messageGroupId',
            `must be set for the FIFO topic ${show(topic.node.path)}: SNS rejects every message without one`);
        }
        warnConstantId(subscriber, 'target messageDeduplicationId', options.messageDeduplicationId);
        allow(subscriber, ['sns:Publish'], [topic.topicArn]);
        allowKey(subscriber, topic.masterKey);
        return {
          targetArn: topic.topicArn,
          kind: 'SNS',
          maxBatchSize: 10,
          snsParameters: {
            messageGroupId: options.messageGroupId,
            messageDeduplicationId: options.messageDeduplicationId,
            subject: options.subject,
          },
        };
      },
    };
  }

  /** A Kinesis data stream (`kinesis:PutRecords`). */
  public static kinesis(stream: kinesis.IStream, options: KinesisTargetOptions): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        if (!Token.isUnresolved(options.partitionKey) && options.partitionKey.trim() === '') {
          throw propError(subscriber, TYPE, 'target partitionKey', `must not be empty, got ${show(options.partitionKey)}`);
        }
        allow(subscriber, ['kinesis:PutRecords'], [stream.streamArn]);
        allowKey(subscriber, stream.encryptionKey);
        return {
          targetArn: stream.streamArn,
          kind: 'Kinesis',
          maxBatchSize: 500,
          kinesisParameters: { partitionKey: options.partitionKey, explicitHashKey: options.explicitHashKey },
        };
      },
    };
  }

  /** A Step Functions state machine (`states:StartExecution`, or `states:StartSyncExecution` for `REQUEST_RESPONSE`). */
  public static stepFunctions(stateMachine: sfn.IStateMachine, options: StepFunctionsTargetOptions = {}): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        const sync = options.invocationType === InvocationType.REQUEST_RESPONSE;
        allow(subscriber, [sync ? 'states:StartSyncExecution' : 'states:StartExecution'], [stateMachine.stateMachineArn]);
        return {
          targetArn: stateMachine.stateMachineArn,
          kind: 'Step Functions',
          maxBatchSize: 100,
          stepFunctionsParameters: { invocationType: options.invocationType, name: options.executionName },
        };
      },
    };
  }

  /** An EventBridge API destination, i.e. an HTTP endpoint (`events:InvokeApiDestination`). One event per call. */
  public static apiDestination(destination: events.IApiDestination, options: ApiDestinationTargetOptions = {}): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        allow(subscriber, ['events:InvokeApiDestination'], [destination.apiDestinationArn]);
        const any = options.headerParameters !== undefined || options.queryStringParameters !== undefined
          || options.pathParameterValues !== undefined;
        return {
          targetArn: destination.apiDestinationArn,
          kind: 'API destination',
          maxBatchSize: 1,
          httpParameters: any ? {
            headerParameters: options.headerParameters,
            queryStringParameters: options.queryStringParameters,
            pathParameterValues: options.pathParameterValues,
          } : undefined,
        };
      },
    };
  }

  /**
   * A Classic event bus (`events:PutEvents`), for moving consumers one at a time. Only the `RAW` transformer.
   */
  public static classicEventBus(bus: events.IEventBus): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        allow(subscriber, ['events:PutEvents'], [bus.eventBusArn]);
        return { targetArn: bus.eventBusArn, kind: 'Classic event bus', maxBatchSize: 10, rawTransformerOnly: true };
      },
    };
  }

  /**
   * Another Custom Event Bus (`events:PutEvents` and `events:PutRawEvents`: a forwarder carrying both AWS service
   * events and your own needs both).
   */
  public static customEventBus(bus: ICustomEventBus, options: CustomEventBusTargetOptions = {}): ISubscriberTarget {
    return {
      bind: (subscriber) => {
        if (bus === subscriber.eventBus || (!Token.isUnresolved(bus.eventBusArn) && bus.eventBusArn === subscriber.eventBus.eventBusArn)) {
          throw propError(subscriber, TYPE, 'target',
            `must not be the subscriber's own bus ${show(bus.node.path)}: delivering to it would re-publish and re-match forever`);
        }
        warnConstantId(subscriber, 'target deduplicationId', options.deduplicationId);
        allow(subscriber, ['events:PutEvents', 'events:PutRawEvents'], [bus.eventBusArn]);
        const systemMetadata = options.eventGroupId !== undefined || options.deduplicationId !== undefined
          ? { eventGroupId: options.eventGroupId, deduplicationId: options.deduplicationId } : undefined;
        return {
          targetArn: bus.eventBusArn,
          kind: 'Custom Event Bus',
          maxBatchSize: 100,
          eventBusV2Parameters: systemMetadata || options.metadata ? { systemMetadata, metadata: options.metadata } : undefined,
        };
      },
    };
  }

  private constructor() {}
}

function allow(subscriber: Subscriber, actions: string[], resources: string[]): void {
  subscriber.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions, resources }));
}

/** The delivery role encrypts messages with the target's customer-managed key. */
function allowKey(subscriber: Subscriber, key: kms.IKey | undefined): void {
  key?.grant(subscriber.role, 'kms:GenerateDataKey', 'kms:Decrypt');
}

function seconds(duration: Duration | undefined): string | undefined {
  return duration === undefined ? undefined : String(duration.toSeconds());
}

/** A constant per-message ID makes the target discard every message after the first. */
function warnConstantId(subscriber: Subscriber, prop: string, value: string | undefined): void {
  if (value !== undefined && !Token.isUnresolved(value) && delimitedExpression(value) === undefined) {
    Annotations.of(subscriber).addWarningV2('cdk-eventbridge-blueprints:constantDeduplicationId',
      `${prop} is the constant ${show(value)}: the target will discard every message after the first as a duplicate. `
      + 'Use a JSONata expression that reads the event, such as "{% $events.SystemMetadata.\\"aws:EventId\\" %}".');
  }
}
