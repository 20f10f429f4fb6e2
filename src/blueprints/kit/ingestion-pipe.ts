import {
  Annotations,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  aws_cloudwatch as cloudwatch,
  aws_events as events,
  aws_iam as iam,
  aws_kinesis as kinesis,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_pipes as pipes,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EventPatternEngine } from '../../patterns';
import { checkAlarmOptions } from '../../private/alarm-options';
import { createQueueNotEmptyAlarm } from '../../private/alarms';
import { createDeadLetterQueue } from '../../private/dead-letter';
import { propError, show } from '../../private/errors';
import { checkLogRetention } from '../../private/log-checks';

const TYPE = 'IngestionPipe';

/** EventBridge Pipes accepts at most 5 filters per pipe. */
const MAX_FILTERS = 5;
/**
 * The largest batch of a pipe whose target is an event bus: Pipes maps a batch onto one PutEvents request, which
 * holds at most 10 entries, and refuses a source batch size above its target's.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html
 */
export const MAX_PIPE_BATCH_TO_EVENT_BUS = 10;

/**
 * How much an {@link IngestionPipe} logs about each execution.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-logs.html
 */
export enum PipeLogLevel {
  /** No logs. */
  OFF = 'OFF',
  /** Failed executions only. */
  ERROR = 'ERROR',
  /** Failed executions and the start and end of each step. */
  INFO = 'INFO',
  /** Every step of every execution. */
  TRACE = 'TRACE',
}

/**
 * Settings of a Kinesis data stream as the source of an {@link IngestionPipe}.
 */
export interface KinesisPipeSourceOptions {
  /**
   * Where the pipe starts reading the stream when it is created.
   *
   * @default lambda.StartingPosition.LATEST
   */
  readonly startingPosition?: lambda.StartingPosition;

  /**
   * The most records in one batch (1 to 10): the pipe sends a batch to the bus as one PutEvents request of at
   * most 10 entries.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the pipe gathers records before it sends a batch (0 to 300 seconds).
   *
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * How many times a failed batch is retried (0 to 10,000) before its records go to the dead-letter queue. A
   * shard does not advance while its batch is retried, so a small number keeps a poison record from stalling it.
   *
   * @default 3
   */
  readonly retryAttempts?: number;

  /**
   * Records older than this are sent to the dead-letter queue instead of the target (1 minute to 7 days).
   *
   * @default Duration.hours(1)
   */
  readonly maxRecordAge?: Duration;

  /**
   * How many batches of one shard are processed at once (1 to 10). Above 1, records with the same partition key
   * still stay in order, but records of one shard are no longer delivered in shard order.
   *
   * @default 1
   */
  readonly parallelizationFactor?: number;

  /**
   * Whether a failed batch is split in two and each half retried (`OnPartialBatchItemFailure: AUTOMATIC_BISECT`),
   * so that one bad record does not fail its whole batch.
   *
   * @default true
   */
  readonly bisectBatchOnFailure?: boolean;

  /**
   * Where the records of batches that failed after the retries go (their shard, sequence numbers and error, not
   * the records themselves: read them from the stream while it retains them).
   *
   * @default - a new encrypted SQS queue with an alarm
   */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * Settings of an SQS queue as the source of an {@link IngestionPipe}.
 */
export interface SqsPipeSourceOptions {
  /**
   * The most messages in one batch (1 to 10): the pipe sends a batch to the bus as one PutEvents request of at
   * most 10 entries.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the pipe gathers messages before it sends a batch (0 to 300 seconds).
   *
   * @default - no window: a batch is sent as soon as messages are received
   */
  readonly maxBatchingWindow?: Duration;
}

/**
 * What a {@link PipeSource} gives the pipe.
 */
export interface PipeSourceConfig {
  /** The ARN of the source. */
  readonly sourceArn: string;
  /** The pipe's `SourceParameters` (batching, starting position, dead-letter queue), without the filters. */
  readonly sourceParameters: pipes.CfnPipe.PipeSourceParametersProperty;
  /**
   * The field of a source record that holds the payload: `data` (Kinesis, base64-decoded by Pipes when it is
   * JSON) or `body` (SQS).
   */
  readonly payloadField: string;
  /** The dead-letter queue of the pipe, when the source has one on the pipe (Kinesis). */
  readonly deadLetterQueue?: sqs.IQueue;
}

/**
 * The source of an {@link IngestionPipe}: a Kinesis data stream or an SQS queue.
 */
export abstract class PipeSource {
  /**
   * A Kinesis data stream. Records are read in shard order; a failed batch is retried, bisected, and finally
   * reported to a dead-letter queue so that the shard moves on.
   *
   * @param stream the stream
   * @param options batching, retries and dead-letter queue
   */
  public static kinesisStream(stream: kinesis.IStream, options: KinesisPipeSourceOptions = {}): PipeSource {
    return new KinesisPipeSource(stream, options);
  }

  /**
   * An SQS queue. Messages that fail are returned to the queue and follow its redrive policy: give the queue a
   * dead-letter queue (a warning says so when a queue of this app has none).
   *
   * @param queue the queue
   * @param options batching
   */
  public static sqsQueue(queue: sqs.IQueue, options: SqsPipeSourceOptions = {}): PipeSource {
    return new SqsPipeSource(queue, options);
  }

  /**
   * Grants `role` what the pipe needs to read the source, creates what the source needs in `scope` (a dead-letter
   * queue), and returns the pipe's source settings.
   *
   * @param scope the pipe
   * @param role the pipe's role
   */
  public abstract bind(scope: Construct, role: iam.IRole): PipeSourceConfig;
}

class KinesisPipeSource extends PipeSource {
  constructor(private readonly stream: kinesis.IStream, private readonly options: KinesisPipeSourceOptions) {
    super();
  }

  public bind(scope: Construct, role: iam.IRole): PipeSourceConfig {
    const o = this.options;
    checkBatchSize(scope, o.batchSize);
    checkRange(scope, 'source retryAttempts', o.retryAttempts, 0, 10_000);
    checkRange(scope, 'source parallelizationFactor', o.parallelizationFactor, 1, 10);
    const windowSeconds = batchingWindowSeconds(scope, o.maxBatchingWindow) ?? 1;
    const recordAge = o.maxRecordAge?.toSeconds() ?? 3600;
    checkRange(scope, 'source maxRecordAge (seconds)', recordAge, 60, 604_800);

    this.stream.grantRead(role);
    const deadLetterQueue = o.deadLetterQueue ?? createDeadLetterQueue(scope, 'DeadLetterQueue');
    deadLetterQueue.grantSendMessages(role);
    return {
      sourceArn: this.stream.streamArn,
      payloadField: 'data',
      deadLetterQueue,
      sourceParameters: {
        kinesisStreamParameters: {
          startingPosition: o.startingPosition ?? lambda.StartingPosition.LATEST,
          batchSize: o.batchSize ?? MAX_PIPE_BATCH_TO_EVENT_BUS,
          maximumBatchingWindowInSeconds: windowSeconds,
          maximumRetryAttempts: o.retryAttempts ?? 3,
          maximumRecordAgeInSeconds: recordAge,
          parallelizationFactor: o.parallelizationFactor ?? 1,
          onPartialBatchItemFailure: (o.bisectBatchOnFailure ?? true) ? 'AUTOMATIC_BISECT' : undefined,
          deadLetterConfig: { arn: deadLetterQueue.queueArn },
        },
      },
    };
  }
}

class SqsPipeSource extends PipeSource {
  constructor(private readonly queue: sqs.IQueue, private readonly options: SqsPipeSourceOptions) {
    super();
  }

  public bind(scope: Construct, role: iam.IRole): PipeSourceConfig {
    checkBatchSize(scope, this.options.batchSize);
    const windowSeconds = batchingWindowSeconds(scope, this.options.maxBatchingWindow);
    if (this.queue instanceof sqs.Queue && this.queue.deadLetterQueue === undefined) {
      Annotations.of(scope).addWarningV2('cdk-eventbridge-blueprints:ingestionPipeSourceWithoutDlq',
        `The source queue ${this.queue.node.path} has no dead-letter queue: a message the pipe cannot deliver returns to `
        + 'the queue and is retried until its retention period ends, then lost. Give the queue a deadLetterQueue.');
    }
    this.queue.grantConsumeMessages(role);
    return {
      sourceArn: this.queue.queueArn,
      payloadField: 'body',
      sourceParameters: {
        sqsQueueParameters: {
          batchSize: this.options.batchSize ?? MAX_PIPE_BATCH_TO_EVENT_BUS,
          maximumBatchingWindowInSeconds: windowSeconds,
        },
      },
    };
  }
}

/**
 * Properties of an {@link IngestionPipe}.
 */
export interface IngestionPipeProps {
  /** Where the records come from. */
  readonly source: PipeSource;

  /** The bus the records are sent to, one event per record. */
  readonly eventBus: events.IEventBus;

  /** The `detail-type` of the events. */
  readonly detailType: string;

  /** The `source` of the events. */
  readonly eventSource: string;

  /**
   * Event patterns on the record's payload (the JSON in Kinesis `data` or SQS `body`, written as if it were the
   * whole record: `{ instrumentClass: ['equity'] }`); a record is sent when it matches any of them. At most 5.
   * Records that match none are dropped and never reach the bus (nor its quotas).
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html
   * @default - every record is sent
   */
  readonly payloadFilters?: { [key: string]: any }[];

  /**
   * The event's `detail` is the record's payload (`true`), or the whole source record with its metadata (`false`:
   * for Kinesis, `data` stays base64-encoded). With `true` the payload must be a JSON object.
   *
   * @default true
   */
  readonly payloadAsDetail?: boolean;

  /**
   * What the pipe logs about its executions. Execution data (the payloads) is never logged.
   *
   * @default PipeLogLevel.ERROR
   */
  readonly logLevel?: PipeLogLevel;

  /**
   * How long the pipe's log group keeps its logs.
   *
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;

  /**
   * What happens to the pipe's log group when it leaves the stack.
   *
   * @default RemovalPolicy.RETAIN
   */
  readonly logRemovalPolicy?: RemovalPolicy;

  /**
   * A description of the pipe.
   *
   * @default - no description
   */
  readonly description?: string;

  /**
   * Whether to create an alarm on the dead-letter queue the pipe creates (Kinesis sources).
   *
   * @default true
   */
  readonly alarms?: boolean;

  /**
   * Actions to run when the dead-letter queue's alarm goes into ALARM.
   * Cannot be combined with `alarms: false`, which creates no alarm to act on (a synth error).
   *
   * @default - no actions
   */
  readonly alarmActions?: cloudwatch.IAlarmAction[];
}

/**
 * An EventBridge Pipe from a Kinesis data stream or an SQS queue to an event bus, with the defaults of our
 * blueprints: payload filters (records that match none never reach the bus), batching, a role that may read only
 * this source and put events only on this bus, an ERROR-level log group kept one year, and for Kinesis sources
 * bisection of failed batches and a dead-letter queue with an alarm.
 *
 * It is written on the L1 `CfnPipe` of aws-cdk-lib: `@aws-cdk/aws-pipes-alpha` trails aws-cdk-lib by many
 * versions, and an alpha pinned to an old aws-cdk-lib is a poor dependency for a library.
 */
export class IngestionPipe extends Construct {
  /** The pipe. */
  public readonly pipe: pipes.CfnPipe;

  /** The pipe's execution role. */
  public readonly role: iam.Role;

  /** The pipe's log group. */
  public readonly logGroup: logs.LogGroup;

  /** Where records of failed batches are reported (Kinesis sources; undefined for SQS, which redrives itself). */
  public readonly deadLetterQueue?: sqs.IQueue;

  /** The alarm on `deadLetterQueue`, when the pipe created the queue and `alarms` is on. */
  public readonly deadLetterQueueAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: IngestionPipeProps) {
    super(scope, id);
    checkProps(this, props);

    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
      description: `Execution role of the pipe ${this.node.path}`,
    });
    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.logRemovalPolicy ?? RemovalPolicy.RETAIN,
    });
    this.role.addToPolicy(new iam.PolicyStatement({
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [this.logGroup.logGroupArn],
    }));
    props.eventBus.grantPutEventsTo(this.role);

    const source = props.source.bind(this, this.role);
    this.deadLetterQueue = source.deadLetterQueue;
    if (source.deadLetterQueue && source.deadLetterQueue.node.scope === this && (props.alarms ?? true)) {
      this.deadLetterQueueAlarm = createQueueNotEmptyAlarm(this, 'DeadLetterQueueAlarm', source.deadLetterQueue,
        `Records that the pipe ${this.node.path} could not deliver after its retries are reported in its dead-letter queue.`,
        props.alarmActions);
    }

    const filters = payloadFilters(this, source.payloadField, props.payloadFilters);
    this.pipe = new pipes.CfnPipe(this, 'Resource', {
      roleArn: this.role.roleArn,
      description: props.description,
      source: source.sourceArn,
      sourceParameters: {
        ...source.sourceParameters,
        filterCriteria: filters ? { filters } : undefined,
      },
      target: props.eventBus.eventBusArn,
      targetParameters: {
        inputTemplate: (props.payloadAsDetail ?? true) ? `<$.${source.payloadField}>` : undefined,
        eventBridgeEventBusParameters: { detailType: props.detailType, source: props.eventSource },
      },
      logConfiguration: {
        level: props.logLevel ?? PipeLogLevel.ERROR,
        cloudwatchLogsLogDestination: { logGroupArn: this.logGroup.logGroupArn },
      },
    });
    // The pipe checks its role's permissions when it is created: create it after the role's policy (the role itself
    // is already a dependency through RoleArn).
    const policy = this.role.node.tryFindChild('DefaultPolicy');
    if (policy) {
      this.pipe.node.addDependency(policy);
    }
  }
}

/** Checks the props of an `IngestionPipe`: log retention, non-empty detail-type and source, alarm options. */
function checkProps(scope: Construct, props: IngestionPipeProps): void {
  checkLogRetention(scope, TYPE, 'logRetention', props.logRetention);
  for (const [prop, value] of [['detailType', props.detailType], ['eventSource', props.eventSource]] as const) {
    if (!Token.isUnresolved(value) && value.trim() === '') {
      throw propError(scope, TYPE, prop, 'must not be empty');
    }
  }
  checkAlarmOptions(scope, TYPE, props.alarms, props.alarmActions);
}

function payloadFilters(
  scope: Construct, payloadField: string, patterns: { [key: string]: any }[] | undefined,
): pipes.CfnPipe.FilterProperty[] | undefined {
  if (patterns === undefined) {
    return undefined;
  }
  if (patterns.length === 0 || patterns.length > MAX_FILTERS) {
    throw propError(scope, TYPE, 'payloadFilters', `must list 1 to ${MAX_FILTERS} patterns (EventBridge Pipes' limit), got ${patterns.length}`);
  }
  return patterns.map((pattern, i) => {
    const wrapped = { [payloadField]: pattern };
    if (!Token.isUnresolved(pattern)) {
      const problems = EventPatternEngine.validate(wrapped);
      if (problems.length > 0) {
        throw propError(scope, TYPE, `payloadFilters[${i}]`,
          `is not a valid event pattern: ${problems.slice(0, 3).map((p) => `${p.path || '(root)'}: ${p.message}`).join('; ')}`);
      }
    }
    return { pattern: Stack.of(scope).toJsonString(wrapped) };
  });
}

function checkRange(scope: Construct, prop: string, value: number | undefined, min: number, max: number): void {
  if (value === undefined || Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw propError(scope, TYPE, prop, `must be a whole number between ${min} and ${max}, got ${show(value)}`);
  }
}

function checkBatchSize(scope: Construct, batchSize: number | undefined): void {
  if (batchSize === undefined || Token.isUnresolved(batchSize)) {
    return;
  }
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_PIPE_BATCH_TO_EVENT_BUS) {
    throw propError(scope, TYPE, 'source batchSize',
      `must be a whole number between 1 and ${MAX_PIPE_BATCH_TO_EVENT_BUS} (a batch goes to the bus as one PutEvents request of at most 10 entries), got ${show(batchSize)}`);
  }
}

function batchingWindowSeconds(scope: Construct, window: Duration | undefined): number | undefined {
  if (window === undefined) {
    return undefined;
  }
  const seconds = window.toSeconds();
  checkRange(scope, 'source maxBatchingWindow (seconds)', seconds, 0, 300);
  return seconds;
}
