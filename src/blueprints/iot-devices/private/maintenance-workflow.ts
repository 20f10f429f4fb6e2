import {
  ArnFormat,
  CfnResource,
  Duration,
  Names,
  RemovalPolicy,
  Stack,
  Validations,
  aws_cloudwatch as cloudwatch,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_iam as iam,
  aws_logs as logs,
  aws_sns as sns,
  aws_stepfunctions as sfn,
  aws_stepfunctions_tasks as tasks,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { dropRedundantRoleDependency } from '../../../private/role-dependency';
import { DEVICE_HEARTBEAT_MISSED, FAULT, LIMITS, MAINTENANCE_ESCALATED, MAINTENANCE_TICKET_OPENED, TICKET_ATTRIBUTES as A, TICKET_STATUS } from '../contract';

/** What the workflow needs: the resolved settings of the blueprint. */
export interface MaintenanceWorkflowProps {
  readonly ticketsTable: dynamodb.ITable;
  readonly eventBus: events.IEventBus;
  /** The `source` of the maintenance events. */
  readonly eventSource: string;
  readonly faultRules: FaultRules;
  readonly faultWindow: Duration;
  readonly acknowledgementTimeout: Duration;
  readonly pollInterval: Duration;
  readonly escalationTopic?: sns.ITopic;
  readonly removalPolicy: RemovalPolicy;
}

/** Which statuses are faults; the event pattern of the fault route and the workflow's classification follow it. */
export interface FaultRules {
  /** The error codes that are faults; undefined: any string error code. */
  readonly errorCodes?: string[];
  /** A battery level (percent) strictly below this is a fault. */
  readonly lowBatteryThreshold: number;
}

/** The `detail` part of the fault route's pattern: an error code or a low battery. */
export function faultDetailPattern(rules: FaultRules): { [key: string]: any } {
  return {
    $or: [
      // `wildcard` matches strings only: an errorCode of null, a number or an object is not a fault.
      { errorCode: rules.errorCodes === undefined ? [{ wildcard: '*' }] : [...new Set(rules.errorCodes)] },
      { batteryPercent: [{ numeric: ['<', rules.lowBatteryThreshold] }] },
    ],
  };
}

/**
 * The JSONata expressions the workflow evaluates on its input (the `DeviceStatusReported` event), exported so that
 * tests can evaluate exactly what the state machine runs.
 */
function workflowExpressions(rules: FaultRules, faultWindow: Duration, acknowledgementTimeout: Duration) {
  const windowMs = faultWindow.toMilliseconds();
  const detail = '$states.input.detail';
  // A status: when AWS IoT received it. A missed heartbeat: the last status, so that one silence is one window.
  const receivedAt = `($exists(${detail}.receivedAt) ? ${detail}.receivedAt : ${detail}.lastReceivedAt)`;
  const windowStart = `$fromMillis($floor(${receivedAt} / ${windowMs}) * ${windowMs})`;
  const errorCodeFault = rules.errorCodes === undefined
    ? `($type(${detail}.errorCode) = "string")`
    : `(${detail}.errorCode in ${JSON.stringify([...new Set(rules.errorCodes)])})`;
  const batteryFault = `($type(${detail}.batteryPercent) = "number" and ${detail}.batteryPercent < ${rules.lowBatteryThreshold})`;
  return {
    deviceId: `{% ${detail}.deviceId %}`,
    windowStart: `{% ${windowStart} %}`,
    /** One ticket per device and fault window, whatever the order or number of deliveries. */
    ticketId: `{% ${detail}.deviceId & "#" & ${windowStart} %}`,
    faults: `{% $append($append(${errorCodeFault} ? ["${FAULT.errorCode}"] : [], ${batteryFault} ? ["${FAULT.lowBattery}"] : []), `
      + `($states.input.\`detail-type\` = "${DEVICE_HEARTBEAT_MISSED.detailType}") ? ["${FAULT.missedHeartbeat}"] : []) %}`,
    deadlineMs: `{% $toMillis($states.context.Execution.StartTime) + ${acknowledgementTimeout.toMilliseconds()} %}`,
    expiresAt: `{% $string($floor(${receivedAt} / 1000) + ${LIMITS.ticketRetentionDays * 24 * 3600}) %}`,
  };
}

const DYNAMODB_TRANSIENT_ERRORS = [
  'DynamoDB.ProvisionedThroughputExceededException',
  'DynamoDB.RequestLimitExceededException',
  'DynamoDB.ThrottlingException',
  'DynamoDB.InternalServerErrorException',
  'DynamoDB.AmazonDynamoDBException',
];
const CONDITION_FAILED = 'DynamoDB.ConditionalCheckFailedException';

/**
 * The maintenance workflow: a Step Functions state machine (standard, JSONata, no Lambda) that records a
 * maintenance ticket per device and fault window, announces it, polls the ticket for acknowledgement until a
 * deadline, and escalates.
 *
 * ```
 * Classify -> (no fault) NoFault
 *          -> RecordTicket (conditional put) -> (already there) CountRepeat -> TicketAlreadyOpen
 *          -> AnnounceTicket -> WaitForAcknowledgement -> ReadTicket -> Acknowledged? -> Acknowledged
 *                                       ^-------------- not yet ----------------------|-> deadline passed -> Escalate
 * Escalate (conditional OPEN -> ESCALATED; lost race with an acknowledgement -> Acknowledged) -> AnnounceEscalation
 *          [-> NotifyEscalation (SNS)] -> Escalated
 * ```
 */
export class MaintenanceWorkflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;
  public readonly failedExecutionsMetric: cloudwatch.Metric;

  constructor(scope: Construct, id: string, props: MaintenanceWorkflowProps) {
    super(scope, id);
    const x = workflowExpressions(props.faultRules, props.faultWindow, props.acknowledgementTimeout);
    const table = props.ticketsTable;

    const classify = sfn.Pass.jsonata(this, 'Classify', {
      comment: 'Ticket id, fault window and fault kinds of the status; the acknowledgement deadline.',
      assign: {
        deviceId: x.deviceId,
        windowStart: x.windowStart,
        ticketId: x.ticketId,
        faults: x.faults,
        deadlineMs: x.deadlineMs,
        expiresAt: x.expiresAt,
      },
    });
    const anyFault = sfn.Choice.jsonata(this, 'AnyFault', { comment: 'A status the route matched but no fault rule classifies.' });
    const noFault = sfn.Succeed.jsonata(this, 'NoFault');

    const recordTicket = this.recordTicket(table, x.expiresAt);
    const announce = this.putEvent(props, 'AnnounceTicket', MAINTENANCE_TICKET_OPENED.detailType, TICKET_DETAIL);
    const wait = sfn.Wait.jsonata(this, 'WaitForAcknowledgement', { time: sfn.WaitTime.duration(props.pollInterval) });
    const readTicket = withDynamoRetry(tasks.DynamoGetItem.jsonata(this, 'ReadTicket', { table, key: TICKET_KEY, consistentRead: true }));
    const acknowledged = sfn.Succeed.jsonata(this, 'Acknowledged');
    const check = sfn.Choice.jsonata(this, 'AcknowledgedYet');

    const definition = classify
      .next(anyFault
        .when(sfn.Condition.jsonata('{% $count($faults) = 0 %}'), noFault)
        .otherwise(recordTicket
          .next(announce)
          .next(wait)
          .next(readTicket)
          .next(check
            .when(sfn.Condition.jsonata(`{% $states.input.Item.${A.status}.S = "${TICKET_STATUS.acknowledged}" %}`), acknowledged)
            .when(sfn.Condition.jsonata('{% $toMillis($states.context.State.EnteredTime) >= $deadlineMs %}'),
              this.escalation(props, acknowledged))
            .otherwise(wait))));

    ({ logGroup: this.logGroup, stateMachine: this.stateMachine } = this.createStateMachine(props, definition));
    this.failedExecutionsMetric = this.stateMachine.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' });
  }

  /** Opens the ticket of the device and fault window, or counts a repeat when it exists. */
  private recordTicket(table: dynamodb.ITable, expiresAt: string): tasks.DynamoPutItem {
    const recordTicket = tasks.DynamoPutItem.jsonata(this, 'RecordTicket', {
      comment: 'Opens the ticket of this device and fault window unless it exists: duplicates and later faults of the window do not open another.',
      table,
      item: {
        [A.ticketId]: tasks.DynamoAttributeValue.fromString('{% $ticketId %}'),
        [A.deviceId]: tasks.DynamoAttributeValue.fromString('{% $deviceId %}'),
        [A.windowStart]: tasks.DynamoAttributeValue.fromString('{% $windowStart %}'),
        [A.faults]: tasks.DynamoAttributeValue.listFromJsonata('{% [$map($faults, function($f) { {"S": $f} })] %}'),
        [A.status]: tasks.DynamoAttributeValue.fromString(TICKET_STATUS.open),
        [A.openedAt]: tasks.DynamoAttributeValue.fromString('{% $states.context.Execution.StartTime %}'),
        [A.repeats]: tasks.DynamoAttributeValue.fromNumber(0),
        [A.executionArn]: tasks.DynamoAttributeValue.fromString('{% $states.context.Execution.Id %}'),
        [A.expiresAt]: tasks.DynamoAttributeValue.numberFromString(expiresAt),
      },
      conditionExpression: `attribute_not_exists(${A.ticketId})`,
    });
    withDynamoRetry(recordTicket);
    const countRepeat = tasks.DynamoUpdateItem.jsonata(this, 'CountRepeat', {
      comment: 'The ticket of this window exists: count the repeat, open nothing.',
      table,
      key: TICKET_KEY,
      updateExpression: `ADD ${A.repeats} :one`,
      expressionAttributeValues: { ':one': tasks.DynamoAttributeValue.fromNumber(1) },
    });
    withDynamoRetry(countRepeat);
    recordTicket.addCatch(countRepeat.next(sfn.Succeed.jsonata(this, 'TicketAlreadyOpen')), { errors: [CONDITION_FAILED] });
    return recordTicket;
  }

  /** OPEN -> ESCALATED (unless acknowledged meanwhile), the `MaintenanceEscalated` event and the optional SNS notice. */
  private escalation(props: MaintenanceWorkflowProps, acknowledged: sfn.Succeed): sfn.IChainable {
    const escalate = tasks.DynamoUpdateItem.jsonata(this, 'Escalate', {
      comment: 'OPEN -> ESCALATED, unless it was acknowledged in the meantime.',
      table: props.ticketsTable,
      key: TICKET_KEY,
      updateExpression: 'SET #status = :escalated',
      conditionExpression: '#status = :open',
      expressionAttributeNames: { '#status': A.status },
      expressionAttributeValues: {
        ':escalated': tasks.DynamoAttributeValue.fromString(TICKET_STATUS.escalated),
        ':open': tasks.DynamoAttributeValue.fromString(TICKET_STATUS.open),
      },
    });
    withDynamoRetry(escalate);
    escalate.addCatch(acknowledged, { errors: [CONDITION_FAILED] });
    const announceEscalation = this.putEvent(props, 'AnnounceEscalation', MAINTENANCE_ESCALATED.detailType, {
      ...TICKET_DETAIL,
      openedAt: '{% $states.context.Execution.StartTime %}',
    });
    const escalated = sfn.Succeed.jsonata(this, 'Escalated');
    let afterEscalation: sfn.IChainable = escalated;
    if (props.escalationTopic) {
      const notify = tasks.SnsPublish.jsonata(this, 'NotifyEscalation', {
        topic: props.escalationTopic,
        subject: 'Maintenance ticket escalated',
        message: sfn.TaskInput.fromText('{% "Maintenance ticket " & $ticketId & " (" & $join($faults, ", ") & ") was not acknowledged in time." %}'),
      });
      notify.addRetry({ errors: ['States.TaskFailed'], interval: Duration.seconds(2), backoffRate: 2, maxAttempts: 4 });
      afterEscalation = notify.next(escalated);
    }
    return escalate.next(announceEscalation).next(afterEscalation);
  }

  /** A `PutEvents` task of one maintenance event on the bus, retried on EventBridge's transient errors. */
  private putEvent(props: MaintenanceWorkflowProps, stateId: string, detailType: string, detail: { [key: string]: any }): tasks.EventBridgePutEvents {
    const task = tasks.EventBridgePutEvents.jsonata(this, stateId, {
      entries: [{ eventBus: props.eventBus, source: props.eventSource, detailType, detail: sfn.TaskInput.fromObject(detail) }],
    });
    task.addRetry({ errors: ['EventBridge.FailedEntry', 'EventBridge.EventBridgeException', 'EventBridge.InternalException'], interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6 });
    return task;
  }

  /** The state machine (JSONata, standard, traced) and its log group. */
  private createStateMachine(props: MaintenanceWorkflowProps, definition: sfn.IChainable) {
    // Under /aws/vendedlogs/: CloudWatch Logs' log-delivery resource policy covers the prefix, so the state
    // machine's logging adds no statement (and no policy) for this log group.
    const logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/vendedlogs/states/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}`,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: props.removalPolicy,
    });
    const stateMachine = new sfn.StateMachine(this, 'Resource', {
      comment: 'Maintenance tickets for faulty devices (iot-devices blueprint)',
      queryLanguage: sfn.QueryLanguage.JSONATA,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.acknowledgementTimeout.plus(props.pollInterval).plus(Duration.hours(1)),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    Validations.of(stateMachine).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'Step Functions log delivery (logs:CreateLogDelivery, ...) and X-Ray (PutTraceSegments, ...) support no '
        + 'resource-level permissions; every other statement names the tickets table, the bus or the topic.',
    });
    limitRoleToOwnStateMachines(stateMachine);
    dropRedundantRoleDependency(stateMachine.node.defaultChild as CfnResource, stateMachine.role);
    return { logGroup, stateMachine };
  }
}

/** The key of the ticket of the execution. */
const TICKET_KEY = { [A.ticketId]: tasks.DynamoAttributeValue.fromString('{% $ticketId %}') };

/** The detail of the maintenance events: the ticket, its device, fault window and faults. */
const TICKET_DETAIL = {
  ticketId: '{% $ticketId %}',
  deviceId: '{% $deviceId %}',
  windowStart: '{% $windowStart %}',
  faults: '{% $faults %}',
};

/** A DynamoDB task that fails at once on a failed condition and retries DynamoDB's transient errors. */
function withDynamoRetry<T extends sfn.TaskStateBase>(task: T): T {
  task
    .addRetry({ errors: [CONDITION_FAILED], maxAttempts: 0 })
    .addRetry({ errors: DYNAMODB_TRANSIENT_ERRORS, interval: Duration.seconds(1), backoffRate: 2, maxAttempts: 6 });
  return task;
}

/**
 * From aws-cdk-lib 2.274.0 on, the default role of a state machine trusts only this account's state machines
 * (`aws:SourceArn` / `aws:SourceAccount` conditions, against the confused deputy). Older releases trust any use of
 * `states.amazonaws.com`; on those the same conditions are added here, so every supported release gets that trust policy.
 */
function limitRoleToOwnStateMachines(stateMachine: sfn.StateMachine): void {
  const role = stateMachine.role;
  if (!(role instanceof iam.Role) || role.node.scope !== stateMachine) {
    return;
  }
  const statements: any[] = role.assumeRolePolicy?.toJSON()?.Statement ?? [];
  if (statements.length !== 1 || statements[0].Condition !== undefined) {
    return;
  }
  const stack = Stack.of(stateMachine);
  (role.node.defaultChild as CfnResource).addPropertyOverride('AssumeRolePolicyDocument.Statement.0.Condition', {
    ArnLike: {
      'aws:SourceArn': stack.formatArn({
        service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      }),
    },
    StringEquals: { 'aws:SourceAccount': stack.account },
  });
}
