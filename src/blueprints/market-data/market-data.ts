import {
  Annotations,
  Duration,
  RemovalPolicy,
  Size,
  Stack,
  Token,
  Validations,
  aws_cloudwatch as cloudwatch,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_kinesis as kinesis,
  aws_lambda as lambda,
  aws_lambda_event_sources as sources,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { capacityFindings } from './capacity';
import {
  ALGORITHM_PARAMETERS_UPDATED, DEFAULT_EVENT_SOURCE, DEFAULT_TICK_SOURCE, ENV, INSTRUMENT_CLASS_PATTERN, LIMITS, MARKET_TICK,
} from './contract';
import { EventContract } from '../../core/event-contract';
import { ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry } from '../../core/schema-registry';
import { checkAlarmOptions } from '../../private/alarm-options';
import { createAlarm } from '../../private/alarms';
import { propError, show } from '../../private/errors';
import { guardServiceRoleTrust } from '../../private/service-role-trust';
import { BlueprintFunction } from '../kit/blueprint-function';
import { BlueprintBaseProps } from '../kit/blueprint-props';
import { IngestionPipe, KinesisPipeSourceOptions, MAX_PIPE_BATCH_TO_EVENT_BUS, PipeSource } from '../kit/ingestion-pipe';
import { createDefaultFunction } from '../shared-constructs/default-function';
import { deliveryOptions } from '../shared-constructs/delivery-options';
import { blueprintEventBus, blueprintRegistry, publishContract } from '../shared-constructs/foundation';
import { maxEntryBytesEnv, numberToEnv } from '../shared-constructs/settings';
import { checkTableKeys, createBlueprintTable } from '../shared-constructs/tables';

const TYPE = 'MarketData';

/** The key of the parameters table: one item per symbol. */
const PARAMETERS_PARTITION_KEY: dynamodb.Attribute = { name: 'symbol', type: dynamodb.AttributeType.STRING };
/** What the consumer calls on the parameters table. */
const PARAMETERS_TABLE_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem'];
const INSTRUMENT_CLASS = new RegExp(INSTRUMENT_CLASS_PATTERN);
/** How long EventBridge retries delivering a tick to the processing stream, unless `maxEventAge` says otherwise. */
const DEFAULT_ROUTE_MAX_EVENT_AGE = Duration.hours(1);

/**
 * Properties of a {@link MarketData}. Of the delivery options, `maxEventAge` defaults to 1 hour here (a tick that
 * old is no use to a trading algorithm); `retryAttempts`, `alarms` and `alarmActions` keep the `ReliableRoute`
 * defaults.
 */
export interface MarketDataProps extends BlueprintBaseProps {
  /**
   * The Kinesis data stream the market-data provider writes to: one JSON tick per record,
   * `{ symbol, instrumentClass, price, size, timestamp, sequence? }`. Partition it by symbol.
   *
   * @default - a new on-demand stream, encrypted with the AWS managed key, retained 24 hours
   */
  readonly sourceStream?: kinesis.IStream;

  /**
   * How the ingestion pipe reads the source stream: batching (at most 10 ticks per batch, one PutEvents request),
   * retries, bisection and its dead-letter queue.
   *
   * @default - the `IngestionPipe` defaults: LATEST, batches of 10 within 1 second, 3 retries, records older than
   * 1 hour dropped to a new dead-letter queue with an alarm, failed batches bisected
   */
  readonly ingestion?: KinesisPipeSourceOptions;

  /**
   * The `source` of the `MarketTick` events the pipe puts on the bus.
   *
   * @default 'com.example.market-data'
   */
  readonly tickSource?: string;

  /**
   * The `source` of the `AlgorithmParametersUpdated` events.
   *
   * @default 'com.example.trading-parameters'
   */
  readonly eventSource?: string;

  /**
   * The instrument classes that are processed (lower-case words). The pipe's filter drops the ticks of other
   * classes before they reach the bus, and the routing rule sends these classes to the processing stream.
   *
   * @default ['equity', 'fx', 'futures']
   */
  readonly instrumentClasses?: string[];

  /**
   * The processing stream the routing rule writes to, partitioned by symbol, which the consumer function reads.
   *
   * @default - a new on-demand stream, encrypted with the AWS managed key, retained 24 hours
   */
  readonly processingStream?: kinesis.IStream;

  /**
   * The parameters table: one item per symbol, partition key `symbol` (String). The consumer gets
   * `dynamodb:GetItem` and `dynamodb:PutItem` on it. A table of this app is checked for the key at synth.
   *
   * @default - a new table (on-demand, point-in-time recovery, AWS managed encryption, `removalPolicy`)
   */
  readonly parametersTable?: dynamodb.ITable;

  /**
   * The indicator window, in ticks (2 to 1000): VWAP over the last N ticks of a symbol and an EMA of its price
   * with period N.
   *
   * @default 50
   */
  readonly indicatorWindow?: number;

  /**
   * How far ahead of the consumer's clock a tick may be dated (1 second to 1 day). A tick dated later is skipped and
   * logged, never retried: applied, it would make every later tick of its symbol look old, and the symbol would
   * publish nothing until that time.
   *
   * @default Duration.minutes(5)
   */
  readonly maxTickClockSkew?: Duration;

  /**
   * The most records the consumer function receives in one invocation (1 to 10,000).
   *
   * @default 100
   */
  readonly consumerBatchSize?: number;

  /**
   * How many times a failed batch of the consumer is retried (0 to 10,000), bisected each time, before its
   * records are reported to the function's on-failure queue and the shard moves on.
   *
   * @default 5
   */
  readonly consumerRetryAttempts?: number;

  /**
   * The highest tick rate you expect, ticks per second after the pipe's filter. Checked at synth against
   * EventBridge's default PutEvents and invocation quotas of the stack's Region (the lowest Regional default when
   * the stack has no Region); a warning names the quota that would be exceeded.
   *
   * @default 1000
   */
  readonly peakTicksPerSecond?: number;

  /**
   * The largest tick payload the provider sends. Checked at synth against the 256 KB PutEvents entry size.
   *
   * @default Size.kibibytes(1)
   */
  readonly maxTickSize?: Size;

  /**
   * The largest event the consumer sends to EventBridge (1 byte to 1 MiB).
   *
   * @default Size.kibibytes(256)
   */
  readonly maxEventEntrySize?: Size;
}

/**
 * Real-time market data to trading algorithm parameters: a provider writes ticks to a Kinesis stream; an
 * EventBridge Pipe filters them by instrument class and puts them on the bus as `MarketTick` events; a rule routes
 * them to a processing stream partitioned by symbol; a consumer function computes VWAP and an EMA per symbol,
 * stores them in DynamoDB with conditional writes (a late or replayed tick never overwrites newer state) and
 * announces `AlgorithmParametersUpdated`.
 *
 * The bus does not keep order; the processing stream restores it per symbol (see the README).
 */
export class MarketData extends Construct {
  /** The bus the ticks and the parameter events travel on. */
  public readonly eventBus: events.IEventBus;

  /** The registry holding the blueprint's event contracts. */
  public readonly registry: ISchemaRegistry;

  /** The contract of the `MarketTick` events. */
  public readonly marketTick: EventContract;

  /** The contract of the `AlgorithmParametersUpdated` events. */
  public readonly parametersUpdated: EventContract;

  /** The stream the provider writes to. */
  public readonly sourceStream: kinesis.IStream;

  /** The pipe from the source stream to the bus. */
  public readonly ingestionPipe: IngestionPipe;

  /** The stream the routing rule writes to, partitioned by symbol. */
  public readonly processingStream: kinesis.IStream;

  /** The route of `MarketTick` events to the processing stream. */
  public readonly route: ReliableRoute;

  /** The parameters table (partition key `symbol`). */
  public readonly parametersTable: dynamodb.ITable;

  /** The consumer function with its role, log group, on-failure queue and alarm. */
  public readonly updateParametersFunction: BlueprintFunction;

  /** The alarm on the consumer's iterator age (ticks waiting longer than a minute), unless `alarms: false`. */
  public readonly iteratorAgeAlarm?: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: MarketDataProps = {}) {
    super(scope, id);
    guardServiceRoleTrust(this);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);

    const settings = this.checkProps(props);
    const classes = settings.classes;

    const tickSource = props.tickSource ?? DEFAULT_TICK_SOURCE;
    const eventSource = props.eventSource ?? DEFAULT_EVENT_SOURCE;
    this.eventBus = blueprintEventBus(this, props.eventBus, props);
    this.registry = blueprintRegistry(this, props.registry);
    this.marketTick = publishContract(this, 'MarketTick', this.registry, tickSource, MARKET_TICK);
    this.parametersUpdated = publishContract(this, 'AlgorithmParametersUpdated', this.registry, eventSource, ALGORITHM_PARAMETERS_UPDATED);

    this.sourceStream = props.sourceStream ?? createStream(this, 'SourceStream', props.removalPolicy);
    this.ingestionPipe = new IngestionPipe(this, 'IngestionPipe', {
      source: PipeSource.kinesisStream(this.sourceStream, props.ingestion),
      eventBus: this.eventBus,
      detailType: MARKET_TICK.detailType,
      eventSource: tickSource,
      payloadFilters: [{ instrumentClass: classes }],
      description: 'Market ticks of the processed instrument classes to the bus (market-data blueprint)',
      alarms: props.alarms,
      alarmActions: props.alarms === false ? undefined : props.alarmActions,
    });

    this.processingStream = props.processingStream ?? createStream(this, 'ProcessingStream', props.removalPolicy);
    this.route = new ReliableRoute(this, 'TickRoute', {
      eventBus: this.eventBus,
      eventPattern: this.marketTick.pattern({ detail: { instrumentClass: classes } }),
      description: 'MarketTick events to the processing stream, partitioned by symbol',
      // The partition key keeps every tick of a symbol on one shard, in the order the rule wrote them.
      targets: [new targets.KinesisStream(this.processingStream, { partitionKeyPath: '$.detail.symbol' })],
      ...deliveryOptions(props),
      // A tick an hour old is no use to a trading algorithm (and the consumer would drop it behind newer ones).
      maxEventAge: props.maxEventAge ?? DEFAULT_ROUTE_MAX_EVENT_AGE,
    });

    this.parametersTable = props.parametersTable ?? createBlueprintTable(this, 'ParametersTable', {
      partitionKey: PARAMETERS_PARTITION_KEY,
      removalPolicy: props.removalPolicy,
    });

    this.updateParametersFunction = this.createUpdateParametersFunction(props, eventSource, settings);
    if (props.alarms ?? true) {
      this.iteratorAgeAlarm = this.createIteratorAgeAlarm(this.updateParametersFunction.function, props.alarmActions);
    }
  }

  private checkProps(props: MarketDataProps) {
    const classes = props.instrumentClasses ?? ['equity', 'fx', 'futures'];
    checkInstrumentClasses(this, classes);
    const window = checkWhole(this, 'indicatorWindow', props.indicatorWindow, LIMITS.window.min, LIMITS.window.max) ?? LIMITS.window.default;
    const consumerBatchSize = checkWhole(this, 'consumerBatchSize', props.consumerBatchSize, 1, 10_000) ?? 100;
    const maxClockSkewSeconds = checkSkew(this, props.maxTickClockSkew);
    const consumerRetries = checkWhole(this, 'consumerRetryAttempts', props.consumerRetryAttempts, 0, 10_000) ?? 5;
    if (props.parametersTable) {
      checkTableKeys(this, TYPE, 'parametersTable', props.parametersTable, PARAMETERS_PARTITION_KEY);
    }
    this.checkCapacity(props);
    return { classes, window, consumerBatchSize, maxClockSkewSeconds, consumerRetries };
  }

  /** The function that computes the parameters, consuming the processing stream in order per shard. */
  private createUpdateParametersFunction(props: MarketDataProps, eventSource: string,
    settings: { window: number; consumerBatchSize: number; maxClockSkewSeconds: number; consumerRetries: number }): BlueprintFunction {
    const { window, consumerBatchSize, maxClockSkewSeconds, consumerRetries } = settings;
    const updateParametersFunction = createDefaultFunction(this, 'UpdateParameters', {
      blueprint: 'market-data',
      handler: 'update-parameters',
      description: 'Computes VWAP and EMA per symbol from MarketTick events (market-data blueprint)',
      environment: {
        [ENV.parametersTableName]: this.parametersTable.tableName,
        [ENV.eventBusName]: this.eventBus.eventBusArn,
        [ENV.eventSource]: eventSource,
        [ENV.window]: numberToEnv(this, window),
        [ENV.maxClockSkewSeconds]: numberToEnv(this, maxClockSkewSeconds),
        ...maxEntryBytesEnv(this, TYPE, props.maxEventEntrySize, ENV.maxEntryBytes),
      },
    }, props);
    const fn = updateParametersFunction.function;
    this.parametersTable.grant(fn, ...PARAMETERS_TABLE_ACTIONS);
    this.eventBus.grantPutEventsTo(fn);
    fn.addEventSource(new sources.KinesisEventSource(this.processingStream, {
      // The stream is created with the stack: nothing in it is older than the consumer.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: consumerBatchSize,
      maxBatchingWindow: Duration.seconds(1),
      // One batch per shard at a time: the ticks of a symbol are processed in order.
      parallelizationFactor: 1,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: consumerRetries,
      maxRecordAge: Duration.hours(1),
      onFailure: new sources.SqsDlq(updateParametersFunction.onFailureQueue),
    }));
    return updateParametersFunction;
  }

  /** An alarm when ticks wait more than a minute in the processing stream (the function's iterator age). */
  private createIteratorAgeAlarm(fn: lambda.IFunction, actions: cloudwatch.IAlarmAction[] | undefined): cloudwatch.Alarm {
    return createAlarm(this, 'IteratorAgeAlarm', {
      metric: new cloudwatch.Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: fn.functionName },
        statistic: 'Maximum',
        period: Duration.minutes(1),
      }),
      threshold: 60_000,
      evaluationPeriods: 3,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      description: `Ticks wait more than a minute in the processing stream before ${this.node.path} computes them: the parameters lag the market.`,
      actions,
    });
  }

  private checkCapacity(props: MarketDataProps): void {
    const peak = props.peakTicksPerSecond ?? 1000;
    const maxTickBytes = (props.maxTickSize ?? Size.kibibytes(1)).toBytes();
    const pipeBatchSize = props.ingestion?.batchSize ?? MAX_PIPE_BATCH_TO_EVENT_BUS;
    if ([peak, maxTickBytes, pipeBatchSize].some((v) => Token.isUnresolved(v))) {
      return;
    }
    if (!Number.isFinite(peak) || peak <= 0) {
      throw propError(this, TYPE, 'peakTicksPerSecond', `must be a number above 0, got ${show(peak)}`);
    }
    const region = Stack.of(this).region;
    const findings = capacityFindings({
      region: Token.isUnresolved(region) ? undefined : region,
      peakTicksPerSecond: peak,
      maxTickBytes,
      pipeBatchSize: Math.min(Math.max(pipeBatchSize, 1), MAX_PIPE_BATCH_TO_EVENT_BUS),
    });
    for (const finding of findings) {
      Annotations.of(this).addWarningV2(finding.id, finding.message);
    }
  }
}

/** An on-demand Kinesis stream encrypted with the AWS managed key. */
function createStream(scope: Construct, id: string, removalPolicy: RemovalPolicy | undefined): kinesis.Stream {
  const stream = new kinesis.Stream(scope, id, {
    streamMode: kinesis.StreamMode.ON_DEMAND,
    encryption: kinesis.StreamEncryption.MANAGED,
    retentionPeriod: Duration.hours(24),
    removalPolicy: removalPolicy ?? RemovalPolicy.RETAIN,
  });
  Validations.of(stream).acknowledge({
    id: 'AwsSolutions-KDS3',
    reason: 'The stream is encrypted with the AWS managed key (aws/kinesis), the default of the blueprints; bring your own '
      + 'stream (sourceStream / processingStream) to encrypt with a customer managed key.',
  });
  return stream;
}

function checkInstrumentClasses(scope: Construct, classes: string[]): void {
  if (classes.length === 0 || classes.length > 100) {
    throw propError(scope, TYPE, 'instrumentClasses', `must list 1 to 100 instrument classes, got ${classes.length}`);
  }
  for (const c of classes) {
    if (!Token.isUnresolved(c) && !INSTRUMENT_CLASS.test(c)) {
      throw propError(scope, TYPE, 'instrumentClasses',
        `must hold lower-case words of letters, digits and "-" (1 to 32 characters, starting with a letter), got ${show(c)}`);
    }
  }
}

function checkSkew(scope: Construct, skew: Duration | undefined): number {
  if (skew === undefined) {
    return LIMITS.maxClockSkewSeconds.default;
  }
  const seconds = skew.toSeconds({ integral: false });
  const { min, max } = LIMITS.maxClockSkewSeconds;
  if (!Number.isInteger(seconds) || seconds < min || seconds > max) {
    throw propError(scope, TYPE, 'maxTickClockSkew', `must be a whole number of seconds from ${min} second to ${max / 3600} hours, got ${skew.toHumanString()}`);
  }
  return seconds;
}

function checkWhole(scope: Construct, prop: string, value: number | undefined, min: number, max: number): number | undefined {
  if (value === undefined || Token.isUnresolved(value)) {
    return value;
  }
  if (!Number.isInteger(value) || value < min || value > max) {
    throw propError(scope, TYPE, prop, `must be a whole number between ${min} and ${max}, got ${show(value)}`);
  }
  return value;
}
