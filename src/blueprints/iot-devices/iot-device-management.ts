import {
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
  aws_iam as iam,
  aws_iot as iot,
  aws_kinesisfirehose as firehose,
  aws_logs as logs,
  aws_pipes as pipes,
  aws_s3 as s3,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import {
  DEFAULT_MAINTENANCE_SOURCE, DEFAULT_STATUS_SOURCE, DEFAULT_STATUS_TOPIC, DEVICE_HEARTBEAT_MISSED, DEVICE_STATUS_REPORTED, ENV,
  LAST_SEEN_ATTRIBUTES, LIMITS, MAINTENANCE_ESCALATED, MAINTENANCE_TICKET_OPENED, TICKET_ATTRIBUTES,
} from './contract';
import { narrowFirehoseS3Access } from './private/firehose-access';
import { FaultRules, MaintenanceWorkflow, faultDetailPattern } from './private/maintenance-workflow';
import { lastSeenRuleSql, statusRuleSql, topicFilterProblems } from './private/status-topic';
import { EventContract } from '../../core/event-contract';
import { ReliableRoute } from '../../core/reliable-route';
import { ISchemaRegistry } from '../../core/schema-registry';
import { checkAlarmOptions } from '../../private/alarm-options';
import { countAlarm, createQueueNotEmptyAlarm } from '../../private/alarms';
import { createDeadLetterQueue } from '../../private/dead-letter';
import { propError, show } from '../../private/errors';
import { checkLogRetention } from '../../private/log-checks';
import { guardServiceRoleTrust } from '../../private/service-role-trust';
import { BlueprintFunction } from '../kit/blueprint-function';
import { BlueprintBaseProps } from '../kit/blueprint-props';
import { IngestionPipe, PipeSource } from '../kit/ingestion-pipe';
import { createBucketWithAccessLogs } from '../shared-constructs/buckets';
import { createDefaultFunction } from '../shared-constructs/default-function';
import { deliveryOptions } from '../shared-constructs/delivery-options';
import { blueprintEventBus, blueprintRegistry, publishContract } from '../shared-constructs/foundation';
import { LogGroupTarget, allowEventBridgeToWrite } from '../shared-constructs/log-group-target';
import { createBlueprintTable } from '../shared-constructs/tables';

const TYPE = 'IotDeviceManagement';

/** The checked settings of an `IotDeviceManagement`. */
type IotSettings = ReturnType<IotDeviceManagement['checkProps']>;
const ERROR_CODE = /^[A-Za-z0-9_.:-]+$/;

/**
 * Properties of an {@link IotDeviceManagement}.
 */
export interface IotDeviceManagementProps extends BlueprintBaseProps {
  /**
   * The MQTT topic filter the devices publish their status on. It must have exactly one `+` level, which is the
   * device id (the thing name: let each device's IoT policy allow `iot:Publish` on its own topic only, so that a
   * device cannot report for another), no `#`, at most 8 levels and 256 bytes, and literal levels of letters,
   * digits, `_`, `.`, `:` and `-`.
   *
   * @see https://docs.aws.amazon.com/iot/latest/developerguide/topics.html
   * @default 'devices/+/status'
   */
  readonly statusTopic?: string;

  /**
   * The `source` of the `DeviceStatusReported` events the pipe puts on the bus.
   *
   * @default 'com.example.iot'
   */
  readonly statusSource?: string;

  /**
   * The `source` of the `MaintenanceTicketOpened` and `MaintenanceEscalated` events.
   *
   * @default 'com.example.maintenance'
   */
  readonly maintenanceSource?: string;

  /**
   * The error codes that are faults (1 to 100 codes of letters, digits, `_`, `.`, `:`, `-`).
   *
   * @default - any status whose `errorCode` is a string is a fault
   */
  readonly faultErrorCodes?: string[];

  /**
   * A battery level (`batteryPercent`) strictly below this is a fault: 1 to 100.
   *
   * @default 20
   */
  readonly lowBatteryThreshold?: number;

  /**
   * The fault window: at most one maintenance ticket per device and window (windows are aligned to the epoch:
   * with one hour, 10:00-11:00, 11:00-12:00...). Later faults and duplicates in the window are counted on the
   * ticket. Whole minutes, 1 minute to 7 days.
   *
   * @default Duration.hours(1)
   */
  readonly faultWindow?: Duration;

  /**
   * How long a ticket may stay unacknowledged before it is escalated. Whole minutes, 1 minute to 30 days.
   *
   * @default Duration.hours(4)
   */
  readonly acknowledgementTimeout?: Duration;

  /**
   * How often the workflow reads the ticket to see whether it was acknowledged. Whole minutes, 1 minute to 1 day,
   * at most `acknowledgementTimeout`.
   *
   * @default Duration.minutes(5)
   */
  readonly acknowledgementPollInterval?: Duration;

  /**
   * Turns on missed-heartbeat detection: a device that sends no status for longer than this is a fault
   * (`MISSED_HEARTBEAT`, reported once per silence as a `DeviceHeartbeatMissed` event). The topic rule then also
   * keeps each device's latest status in a last-seen table, and a scheduled function checks it every
   * `heartbeatCheckInterval`. Whole minutes, 2 minutes to 7 days; make it longer than the devices' reporting
   * period. A device is only known once it has reported.
   *
   * @default - missed heartbeats are not detected
   */
  readonly heartbeatTimeout?: Duration;

  /**
   * How often the heartbeat check runs (whole minutes, 1 minute to 1 day, at most `heartbeatTimeout`). A silence
   * is reported between `heartbeatTimeout` and `heartbeatTimeout + heartbeatCheckInterval` after the last status.
   *
   * @default Duration.minutes(5)
   */
  readonly heartbeatCheckInterval?: Duration;

  /**
   * A topic that is notified when a ticket is escalated (the `MaintenanceEscalated` event is sent either way).
   *
   * @default - no notification
   */
  readonly escalationTopic?: sns.ITopic;

  /**
   * The bucket the statuses are delivered to for analysis (by Firehose, GZIP JSON lines under
   * `status/day=YYYY-MM-DD/`). The delivery stream gets write access to it.
   *
   * @default - a new bucket (S3-managed encryption, TLS only, versioned, server access logs in a second bucket)
   */
  readonly analysisBucket?: s3.IBucket;

  /**
   * How long Firehose gathers statuses before it writes a file (60 to 900 seconds: the range with dynamic
   * partitioning).
   *
   * @default Duration.minutes(5)
   */
  readonly analysisBufferingInterval?: Duration;

  /**
   * The log group every status is written to, instead of a new one. It gets a statement in the stack's one
   * CloudWatch Logs resource policy (unless `logResourcePolicy: false`).
   *
   * @default - a new log group
   */
  readonly statusLogGroup?: logs.ILogGroup;

  /**
   * How long the new status log group keeps the statuses.
   *
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly statusLogRetention?: logs.RetentionDays;

  /**
   * Whether to let EventBridge write to the status log group through the stack's CloudWatch Logs resource policy:
   * ONE `AWS::Logs::ResourcePolicy` per stack, shared with every other blueprint of the stack that targets a log
   * group (CloudWatch Logs allows 10 resource policies per account and region, aws/aws-cdk#31404). Turn it off when
   * an account-wide policy already lets `events.amazonaws.com` write to the log group.
   *
   * @default true
   */
  readonly logResourcePolicy?: boolean;

  /**
   * How many queued statuses the pipe puts on the bus in one PutEvents call: 1 to 10.
   *
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the pipe waits to fill a batch (0 to 300 seconds). Longer means fewer PutEvents calls and more latency.
   *
   * @default - no wait
   */
  readonly maximumBatchingWindow?: Duration;
}

/**
 * IoT device management: devices report their status on an MQTT topic; an AWS IoT topic rule sends each status to
 * an encrypted SQS queue (IoT rules have no EventBridge action), an EventBridge Pipe puts it on the bus as
 * `DeviceStatusReported`, and the bus routes every status to analysis (Firehose to S3) and to a log group, and
 * faults (error codes, low battery) to a maintenance workflow: a Step Functions state machine that records one
 * ticket per device and fault window in DynamoDB, waits for its acknowledgement, and escalates when none comes.
 */
export class IotDeviceManagement extends Construct {
  /** The bus the statuses are put on and the maintenance events sent to. */
  public readonly eventBus: events.IEventBus;
  /** The registry holding the blueprint's contracts. */
  public readonly registry: ISchemaRegistry;
  /** The contract of the `DeviceStatusReported` events. */
  public readonly deviceStatusReported: EventContract;
  /** The contract of the `MaintenanceTicketOpened` events. */
  public readonly maintenanceTicketOpened: EventContract;
  /** The contract of the `MaintenanceEscalated` events. */
  public readonly maintenanceEscalated: EventContract;

  /** The IoT topic rule on the status topic. */
  public readonly statusRule: iot.CfnTopicRule;
  /** The role the topic rule's actions assume. */
  public readonly statusRuleRole: iam.Role;
  /** Where the topic rule's error action sends what its SQS action could not deliver. */
  public readonly statusRuleErrorQueue: sqs.Queue;
  /** The queue between the topic rule and the pipe. */
  public readonly statusQueue: sqs.Queue;
  /** Statuses the pipe failed to deliver 5 times. */
  public readonly statusDeadLetterQueue: sqs.Queue;
  /** The EventBridge Pipe from `statusQueue` to the bus. */
  public readonly statusPipe: pipes.CfnPipe;
  /** The role of the pipe: it may consume `statusQueue`, put events on the bus and write `pipeLogGroup`. */
  public readonly statusPipeRole: iam.Role;
  /** The pipe's error log. */
  public readonly pipeLogGroup: logs.LogGroup;

  /** The route of every status to analysis and to the log group. */
  public readonly statusRoute: ReliableRoute;
  /** The Firehose stream that writes the statuses to `analysisBucket`. */
  public readonly analysisStream: firehose.DeliveryStream;
  /** The bucket of the analysis data. */
  public readonly analysisBucket: s3.IBucket;
  /** The log group of every status. */
  public readonly statusLogGroup: logs.ILogGroup;
  /** The stack's CloudWatch Logs resource policy, unless `logResourcePolicy: false`. */
  public readonly logResourcePolicy?: logs.ResourcePolicy;

  /** The route of faults to the maintenance workflow. */
  public readonly faultRoute: ReliableRoute;
  /** The event pattern of the fault route. */
  public readonly faultPattern: events.EventPattern;
  /** The maintenance tickets: partition key `ticketId` (`<deviceId>#<window start>`), TTL `expiresAt`. */
  public readonly ticketsTable: dynamodb.Table;
  /** The maintenance workflow. */
  public readonly maintenanceStateMachine: sfn.StateMachine;
  /** The log group of the maintenance workflow (under `/aws/vendedlogs/states/`). */
  public readonly maintenanceLogGroup: logs.LogGroup;

  /** The contract of the `DeviceHeartbeatMissed` events (with `heartbeatTimeout`). */
  public readonly deviceHeartbeatMissed?: EventContract;
  /** The latest status of each device, partition key `deviceId` (with `heartbeatTimeout`). */
  public readonly lastSeenTable?: dynamodb.Table;

  /** The topic rule that writes each device's id and receive time to the last-seen table, with `heartbeatTimeout`. */
  public readonly lastSeenRule?: iot.CfnTopicRule;
  /** The heartbeat check function (with `heartbeatTimeout`). */
  public readonly heartbeatCheckFunction?: BlueprintFunction;
  /** The schedule of the heartbeat check, on the default bus (with `heartbeatTimeout`). */
  public readonly heartbeatSchedule?: ReliableRoute;
  /** The route of `DeviceHeartbeatMissed` events to the maintenance workflow (with `heartbeatTimeout`). */
  public readonly heartbeatRoute?: ReliableRoute;

  /** The alarms of the blueprint's own queues and workflow (unless `alarms: false`). */
  public readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: IotDeviceManagementProps = {}) {
    super(scope, id);
    guardServiceRoleTrust(this);
    checkAlarmOptions(this, TYPE, props.alarms, props.alarmActions);
    const settings = this.checkProps(props);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    const statusSource = props.statusSource ?? DEFAULT_STATUS_SOURCE;
    const maintenanceSource = props.maintenanceSource ?? DEFAULT_MAINTENANCE_SOURCE;

    this.eventBus = blueprintEventBus(this, props.eventBus, props);
    this.registry = blueprintRegistry(this, props.registry);
    this.deviceStatusReported = publishContract(this, 'DeviceStatusReported', this.registry, statusSource, DEVICE_STATUS_REPORTED);
    this.maintenanceTicketOpened = publishContract(this, 'MaintenanceTicketOpened', this.registry, maintenanceSource, MAINTENANCE_TICKET_OPENED);
    this.maintenanceEscalated = publishContract(this, 'MaintenanceEscalated', this.registry, maintenanceSource, MAINTENANCE_ESCALATED);

    // Ingestion: topic rule -> SQS -> pipe -> bus.
    ({
      statusDeadLetterQueue: this.statusDeadLetterQueue, statusQueue: this.statusQueue,
      statusRuleErrorQueue: this.statusRuleErrorQueue, statusRuleRole: this.statusRuleRole, statusRule: this.statusRule,
    } = this.createStatusRule(settings.statusTopic));
    if (settings.heartbeatTimeout) {
      ({ lastSeenTable: this.lastSeenTable, lastSeenRule: this.lastSeenRule } = this.createLastSeenRule(settings.statusTopic, removalPolicy));
    }
    this.statusRule.node.addDependency(this.statusRuleRole.node.findChild('DefaultPolicy'));
    ({ logGroup: this.pipeLogGroup, pipe: this.statusPipe, role: this.statusPipeRole } = new IngestionPipe(this, 'StatusPipe', {
      source: PipeSource.sqsQueue(this.statusQueue, { batchSize: settings.batchSize, maxBatchingWindow: props.maximumBatchingWindow }),
      eventBus: this.eventBus,
      eventSource: statusSource,
      detailType: DEVICE_STATUS_REPORTED.detailType,
      logRemovalPolicy: removalPolicy,
      description: `Device statuses to the bus (${this.node.path})`,
    }));

    // Every status: analysis and log.
    ({
      analysisBucket: this.analysisBucket, analysisStream: this.analysisStream, statusLogGroup: this.statusLogGroup,
      statusRoute: this.statusRoute, logResourcePolicy: this.logResourcePolicy,
    } = this.createStatusRoute(props, removalPolicy));

    // Faults: the maintenance workflow.
    const workflow = this.createMaintenanceWorkflow(props, settings, maintenanceSource, removalPolicy);
    ({ ticketsTable: this.ticketsTable, stateMachine: this.maintenanceStateMachine, logGroup: this.maintenanceLogGroup } = workflow);
    this.faultPattern = this.deviceStatusReported.pattern({ detail: faultDetailPattern(settings.faultRules) });
    this.faultRoute = new ReliableRoute(this, 'FaultRoute', {
      eventBus: this.eventBus,
      eventPattern: this.faultPattern,
      description: 'Faulty device statuses to the maintenance workflow',
      targets: [new targets.SfnStateMachine(this.maintenanceStateMachine)],
      ...deliveryOptions(props),
    });

    if (settings.heartbeatTimeout) {
      ({
        deviceHeartbeatMissed: this.deviceHeartbeatMissed, heartbeatCheckFunction: this.heartbeatCheckFunction,
        heartbeatSchedule: this.heartbeatSchedule, heartbeatRoute: this.heartbeatRoute,
      } = this.createHeartbeatCheck(props, settings.heartbeatTimeout, settings.heartbeatCheckInterval, statusSource));
    }

    if (props.alarms ?? true) {
      this.alarms.push(...this.createAlarms(workflow.failedExecutionsMetric, props.alarmActions));
    }
  }

  /** The status queue (with its dead-letter queue), and the IoT topic rule that sends the statuses to it. */
  private createStatusRule(statusTopic: string) {
    const statusDeadLetterQueue = createDeadLetterQueue(this, 'StatusDeadLetterQueue',
      'SQS moves here the statuses the pipe failed to put on the bus 5 times');
    const statusQueue = new sqs.Queue(this, 'StatusQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(60),
      deadLetterQueue: { queue: statusDeadLetterQueue, maxReceiveCount: 5 },
    });
    const statusRuleErrorQueue = createDeadLetterQueue(this, 'StatusRuleErrorQueue',
      'the IoT rule\'s error action sends the statuses its SQS action could not deliver, with the error');
    const statusRuleRole = new iam.Role(this, 'StatusRuleRole', {
      assumedBy: new iam.ServicePrincipal('iot.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: { 'aws:SourceArn': Stack.of(this).formatArn({ service: 'iot', resource: 'rule', resourceName: '*' }) },
        },
      }),
      description: `Role of the IoT status rule of ${this.node.path}`,
    });
    statusQueue.grantSendMessages(statusRuleRole);
    statusRuleErrorQueue.grantSendMessages(statusRuleRole);
    const ruleActions: iot.CfnTopicRule.ActionProperty[] = [
      { sqs: { queueUrl: statusQueue.queueUrl, roleArn: statusRuleRole.roleArn, useBase64: false } },
    ];
    const statusRule = new iot.CfnTopicRule(this, 'StatusRule', {
      topicRulePayload: {
        description: `Device statuses to the queue of ${this.node.path}`,
        sql: statusRuleSql(statusTopic),
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        actions: ruleActions,
        errorAction: { sqs: { queueUrl: statusRuleErrorQueue.queueUrl, roleArn: statusRuleRole.roleArn, useBase64: false } },
      },
    });
    return { statusDeadLetterQueue, statusQueue, statusRuleErrorQueue, statusRuleRole, statusRule };
  }

  /** The last-seen table and the topic rule that writes each device's id and receive time to it (heartbeats). */
  private createLastSeenRule(statusTopic: string, removalPolicy: RemovalPolicy) {
    const lastSeenTable = createBlueprintTable(this, 'LastSeenTable', {
      partitionKey: { name: LAST_SEEN_ATTRIBUTES.deviceId, type: dynamodb.AttributeType.STRING },
      removalPolicy,
    });
    // A rule of its own that keeps only the device id and the receive time: every item has the same bounded size
    // whatever the device sends, and a new status replaces the item (which clears the check's mark).
    lastSeenTable.grant(this.statusRuleRole, 'dynamodb:PutItem');
    const lastSeenRule = new iot.CfnTopicRule(this, 'LastSeenRule', {
      topicRulePayload: {
        description: `When each device was last heard from, for the heartbeat check of ${this.node.path}`,
        sql: lastSeenRuleSql(statusTopic),
        awsIotSqlVersion: '2016-03-23',
        ruleDisabled: false,
        actions: [{ dynamoDBv2: { roleArn: this.statusRuleRole.roleArn, putItem: { tableName: lastSeenTable.tableName } } }],
        errorAction: { sqs: { queueUrl: this.statusRuleErrorQueue.queueUrl, roleArn: this.statusRuleRole.roleArn, useBase64: false } },
      },
    });
    lastSeenRule.node.addDependency(this.statusRuleRole.node.findChild('DefaultPolicy'));
    return { lastSeenTable, lastSeenRule };
  }

  /** The route of every status to analysis (Firehose to S3) and to the status log group. */
  private createStatusRoute(props: IotDeviceManagementProps, removalPolicy: RemovalPolicy) {
    const createdBucket = props.analysisBucket ? undefined : createBucketWithAccessLogs(this,
      { bucket: 'AnalysisBucket', accessLogs: 'AnalysisAccessLogsBucket' }, 'analysis-bucket/', removalPolicy).bucket;
    const analysisBucket = props.analysisBucket ?? createdBucket!;
    const analysisStream = new firehose.DeliveryStream(this, 'AnalysisStream', {
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(analysisBucket, {
        compression: firehose.Compression.GZIP,
        // Partitioned by the IoT receive day (not Firehose's arrival time): a status and its duplicates land in the
        // same partition. Dynamic partitioning is also what lets Firehose end each record with a newline.
        dataOutputPrefix: 'status/day=!{partitionKeyFromQuery:day}/',
        errorOutputPrefix: 'errors/!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/',
        bufferingInterval: props.analysisBufferingInterval ?? Duration.minutes(5),
        // Dynamic partitioning needs at least 64 MiB.
        bufferingSize: Size.mebibytes(64),
        dynamicPartitioning: { enabled: true },
        processors: [
          // In a jq object, a value with arithmetic must be parenthesized.
          firehose.MetadataExtractionProcessor.jq16({ day: '(.detail.receivedAt / 1000 | floor | todate | .[0:10])' }),
          new firehose.AppendDelimiterToRecordProcessor(),
        ],
      }),
    });
    if (createdBucket) {
      acknowledgeFirehoseBucketAccess(analysisStream, createdBucket);
    }
    const statusLogGroup = props.statusLogGroup ?? new logs.LogGroup(this, 'StatusLogGroup', {
      retention: props.statusLogRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    const statusRoute = new ReliableRoute(this, 'StatusRoute', {
      eventBus: this.eventBus,
      eventPattern: this.deviceStatusReported.pattern(),
      description: 'Every device status to analysis (Firehose) and to the status log group',
      ...deliveryOptions(props),
    });
    const logResourcePolicy = (props.logResourcePolicy ?? true) ? allowEventBridgeToWrite(this, statusLogGroup, statusRoute) : undefined;
    narrowFirehoseS3Access(analysisStream);
    statusRoute.addTarget(new targets.FirehoseDeliveryStream(analysisStream));
    statusRoute.addTarget(new LogGroupTarget(statusLogGroup));
    return { analysisBucket, analysisStream, statusLogGroup, statusRoute, logResourcePolicy };
  }

  /** The tickets table and the maintenance workflow on it. */
  private createMaintenanceWorkflow(props: IotDeviceManagementProps, settings: IotSettings, maintenanceSource: string,
    removalPolicy: RemovalPolicy) {
    const ticketsTable = createBlueprintTable(this, 'TicketsTable', {
      partitionKey: { name: TICKET_ATTRIBUTES.ticketId, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: TICKET_ATTRIBUTES.expiresAt,
      removalPolicy,
    });
    const workflow = new MaintenanceWorkflow(this, 'MaintenanceWorkflow', {
      ticketsTable,
      eventBus: this.eventBus,
      eventSource: maintenanceSource,
      faultRules: settings.faultRules,
      faultWindow: settings.faultWindow,
      acknowledgementTimeout: settings.acknowledgementTimeout,
      pollInterval: settings.pollInterval,
      escalationTopic: props.escalationTopic,
      removalPolicy,
    });
    const { stateMachine, logGroup, failedExecutionsMetric } = workflow;
    return { ticketsTable, stateMachine, logGroup, failedExecutionsMetric };
  }

  /** The heartbeat check: its contract, function and schedule, and the route of missed heartbeats to the workflow. */
  private createHeartbeatCheck(props: IotDeviceManagementProps, heartbeatTimeout: Duration, checkInterval: Duration, statusSource: string) {
    const deviceHeartbeatMissed = publishContract(this, 'DeviceHeartbeatMissed', this.registry, statusSource, DEVICE_HEARTBEAT_MISSED);
    const check = createDefaultFunction(this, 'HeartbeatCheck', {
      blueprint: 'iot-devices',
      handler: 'check-heartbeats',
      description: 'Reports devices that went silent (iot-devices blueprint)',
      environment: {
        [ENV.lastSeenTableName]: this.lastSeenTable!.tableName,
        [ENV.heartbeatTimeoutSeconds]: String(heartbeatTimeout.toSeconds()),
        [ENV.eventBusName]: this.eventBus.eventBusArn,
        [ENV.eventSource]: statusSource,
      },
      timeout: Duration.minutes(5),
    }, props);
    // Scan, mark (UpdateItem), and the scan cursor a run leaves for the next (GetItem, UpdateItem).
    this.lastSeenTable!.grant(check, 'dynamodb:Scan', 'dynamodb:UpdateItem', 'dynamodb:GetItem');
    this.eventBus.grantPutEventsTo(check);
    const heartbeatSchedule = new ReliableRoute(this, 'HeartbeatSchedule', {
      schedule: events.Schedule.rate(checkInterval),
      description: 'Runs the heartbeat check of the device fleet',
      targets: [new targets.LambdaFunction(check.function)],
      ...deliveryOptions(props),
    });
    const heartbeatRoute = new ReliableRoute(this, 'HeartbeatRoute', {
      eventBus: this.eventBus,
      eventPattern: deviceHeartbeatMissed.pattern(),
      description: 'Missed heartbeats to the maintenance workflow',
      targets: [new targets.SfnStateMachine(this.maintenanceStateMachine)],
      ...deliveryOptions(props),
    });
    return { deviceHeartbeatMissed, heartbeatCheckFunction: check, heartbeatSchedule, heartbeatRoute };
  }

  /** The alarms of the blueprint's own queues and workflow. */
  private createAlarms(workflowFailures: cloudwatch.IMetric, actions: cloudwatch.IAlarmAction[] | undefined): cloudwatch.Alarm[] {
    return [
      createQueueNotEmptyAlarm(this, 'StatusDeadLetterAlarm', this.statusDeadLetterQueue,
        `Device statuses that the pipe of ${this.node.path} could not put on the bus wait in its dead-letter queue.`, actions),
      createQueueNotEmptyAlarm(this, 'StatusRuleErrorAlarm', this.statusRuleErrorQueue,
        `The IoT rule of ${this.node.path} could not queue device statuses; they wait in its error queue.`, actions),
      countAlarm(this, 'MaintenanceWorkflowFailedAlarm', workflowFailures,
        `A maintenance workflow execution of ${this.node.path} failed: a fault may have no ticket.`, actions),
    ];
  }

  private checkProps(props: IotDeviceManagementProps) {
    const statusTopic = props.statusTopic ?? DEFAULT_STATUS_TOPIC;
    if (Token.isUnresolved(statusTopic)) {
      // The rule's SQL needs the position of the device id level.
      throw propError(this, TYPE, 'statusTopic', 'must be a literal topic filter (a token cannot be checked nor placed in the rule\'s SQL)');
    }
    const topicProblems = topicFilterProblems(statusTopic);
    if (topicProblems.length > 0) {
      throw propError(this, TYPE, 'statusTopic', `${topicProblems.join('; ')}; got ${show(statusTopic)}`);
    }

    const codes = props.faultErrorCodes;
    if (codes !== undefined) {
      if (codes.length === 0 || codes.length > LIMITS.maxFaultErrorCodes) {
        throw propError(this, TYPE, 'faultErrorCodes',
          `must list 1 to ${LIMITS.maxFaultErrorCodes} error codes (omit it to make any error code a fault), got ${codes.length}`);
      }
      const bad = codes.find((c) => Token.isUnresolved(c) || c.length > LIMITS.maxErrorCodeLength || !ERROR_CODE.test(c));
      if (bad !== undefined) {
        throw propError(this, TYPE, 'faultErrorCodes',
          `entries must be literal codes of 1 to ${LIMITS.maxErrorCodeLength} letters, digits, "_", ".", ":" or "-", got ${show(bad)}`);
      }
    }

    const threshold = props.lowBatteryThreshold ?? LIMITS.lowBatteryThreshold.default;
    if (Token.isUnresolved(threshold)) {
      throw propError(this, TYPE, 'lowBatteryThreshold', 'must be a literal number (it is written into the event pattern and the workflow)');
    }
    const { min: tMin, max: tMax } = LIMITS.lowBatteryThreshold;
    if (!Number.isFinite(threshold) || threshold < tMin || threshold > tMax) {
      throw propError(this, TYPE, 'lowBatteryThreshold',
        `must be a battery percentage from ${tMin} to ${tMax} (a level strictly below it is a fault), got ${show(threshold)}`);
    }

    const batchSize = props.batchSize ?? LIMITS.batchSize.default;
    if (!Token.isUnresolved(batchSize) && (!Number.isInteger(batchSize) || batchSize < LIMITS.batchSize.min || batchSize > LIMITS.batchSize.max)) {
      throw propError(this, TYPE, 'batchSize',
        `must be a whole number from ${LIMITS.batchSize.min} to ${LIMITS.batchSize.max} (PutEvents takes at most 10 entries), got ${show(batchSize)}`);
    }
    const windowSeconds = props.maximumBatchingWindow?.toSeconds();
    if (windowSeconds !== undefined && !Token.isUnresolved(windowSeconds)
      && (windowSeconds < LIMITS.maximumBatchingWindowSeconds.min || windowSeconds > LIMITS.maximumBatchingWindowSeconds.max)) {
      throw propError(this, TYPE, 'maximumBatchingWindow', `must be between 0 and 300 seconds, got ${windowSeconds} seconds`);
    }
    const buffering = props.analysisBufferingInterval?.toSeconds();
    if (buffering !== undefined && !Token.isUnresolved(buffering) && (buffering < 60 || buffering > 900)) {
      throw propError(this, TYPE, 'analysisBufferingInterval',
        `must be between 60 and 900 seconds (Firehose's range with dynamic partitioning), got ${buffering} seconds`);
    }

    const faultWindow = this.wholeMinutes('faultWindow', props.faultWindow, LIMITS.faultWindowMinutes);
    const acknowledgementTimeout = this.wholeMinutes('acknowledgementTimeout', props.acknowledgementTimeout, LIMITS.acknowledgementTimeoutMinutes);
    const pollInterval = this.wholeMinutes('acknowledgementPollInterval', props.acknowledgementPollInterval, LIMITS.pollIntervalMinutes);
    if (pollInterval.toMinutes() > acknowledgementTimeout.toMinutes()) {
      throw propError(this, TYPE, 'acknowledgementPollInterval',
        `must be at most acknowledgementTimeout (${acknowledgementTimeout.toHumanString()}), got ${pollInterval.toHumanString()}`);
    }

    let heartbeatTimeout: Duration | undefined;
    let heartbeatCheckInterval = Duration.minutes(LIMITS.heartbeatCheckIntervalMinutes.default);
    if (props.heartbeatTimeout !== undefined) {
      heartbeatTimeout = this.wholeMinutes('heartbeatTimeout', props.heartbeatTimeout, { ...LIMITS.heartbeatTimeoutMinutes, default: 0 });
      heartbeatCheckInterval = this.wholeMinutes('heartbeatCheckInterval', props.heartbeatCheckInterval, LIMITS.heartbeatCheckIntervalMinutes);
      if (heartbeatCheckInterval.toMinutes() > heartbeatTimeout.toMinutes()) {
        throw propError(this, TYPE, 'heartbeatCheckInterval',
          `must be at most heartbeatTimeout (${heartbeatTimeout.toHumanString()}), got ${heartbeatCheckInterval.toHumanString()}`);
      }
    } else if (props.heartbeatCheckInterval !== undefined) {
      throw propError(this, TYPE, 'heartbeatCheckInterval', 'needs heartbeatTimeout (missed heartbeats are only detected with it)');
    }

    checkLogRetention(this, TYPE, 'statusLogRetention', props.statusLogRetention);
    if (props.statusLogGroup && props.statusLogRetention !== undefined) {
      throw propError(this, TYPE, 'statusLogRetention', 'configures the log group the blueprint creates; it cannot be used with statusLogGroup');
    }

    const faultRules: FaultRules = { errorCodes: codes, lowBatteryThreshold: threshold };
    return { statusTopic, faultRules, batchSize, faultWindow, acknowledgementTimeout, pollInterval, heartbeatTimeout, heartbeatCheckInterval };
  }

  /**
   * A duration prop that the workflow's JSONata and Wait state use as a number: literal, whole minutes, in range.
   */
  private wholeMinutes(prop: string, value: Duration | undefined, range: { min: number; max: number; default: number }): Duration {
    if (value === undefined) {
      return Duration.minutes(range.default);
    }
    const minutes = value.toMinutes({ integral: false });
    if (Token.isUnresolved(minutes)) {
      throw propError(this, TYPE, prop, 'must be a literal duration (it is written into the workflow\'s definition)');
    }
    if (!Number.isInteger(minutes) || minutes < range.min || minutes > range.max) {
      throw propError(this, TYPE, prop,
        `must be a whole number of minutes from ${range.min} to ${range.max} (${Duration.minutes(range.max).toHumanString()}), got ${value.toHumanString()}`);
    }
    return value;
  }
}

/**
 * The analysis stream's S3 destination role keeps FIREHOSE_S3_ACTIONS only (see narrowFirehoseS3Access) on the bucket
 * and its objects: the objects are named by Firehose itself, so the object-level resource stays a wildcard.
 * Acknowledged for the bucket the blueprint creates (whose only writer is this stream); with your own bucket, the
 * finding names it and is yours to judge.
 */
function acknowledgeFirehoseBucketAccess(stream: firehose.DeliveryStream, bucket: s3.Bucket): void {
  const bucketId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as s3.CfnBucket);
  const reason = 'Firehose writes objects it names itself (multipart uploads included) into the analysis bucket, which only '
    + 'this stream writes.';
  Validations.of(stream).acknowledge({ id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, reason });
}
