import { Duration, Token, aws_cloudwatch as cloudwatch, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * What an alarm of ours watches and when it fires. Every alarm of the library is built by `createAlarm` from one of
 * these: the defaults are our "something went wrong once" alarm (1 or more in one period), and missing data is never
 * breaching (no traffic is not a fault).
 */
export interface AlarmSpec {
  /** The metric (or math expression) the alarm watches. */
  readonly metric: cloudwatch.IMetric;
  /** What a firing alarm means, for the person it wakes up. */
  readonly description: string;
  /** @default 1 */
  readonly threshold?: number;
  /** @default 1 */
  readonly evaluationPeriods?: number;
  /** @default GREATER_THAN_OR_EQUAL_TO_THRESHOLD */
  readonly comparisonOperator?: cloudwatch.ComparisonOperator;
  /** Actions to run when the alarm fires; none when empty. @default none */
  readonly actions?: cloudwatch.IAlarmAction[];
}

/**
 * The one builder of the library's CloudWatch alarms: threshold, comparison and missing-data treatment from `spec`
 * (with the defaults above), and the alarm actions applied the same way everywhere (only when there are some).
 */
export function createAlarm(scope: Construct, id: string, spec: AlarmSpec): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    metric: spec.metric,
    threshold: spec.threshold ?? 1,
    evaluationPeriods: spec.evaluationPeriods ?? 1,
    comparisonOperator: spec.comparisonOperator ?? cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: spec.description,
  });
  applyAlarmActions(alarm, spec.actions);
  return alarm;
}

/** Adds `actions` (when there are some) to `alarm`. */
function applyAlarmActions(alarm: cloudwatch.Alarm, actions: cloudwatch.IAlarmAction[] | undefined): void {
  if (actions && actions.length > 0) {
    alarm.addAlarmAction(...actions);
  }
}

/** An alarm that fires when a count metric reaches 1 in one period (missing data is not breaching). */
export function countAlarm(scope: Construct, id: string, metric: cloudwatch.IMetric, description: string,
  actions?: cloudwatch.IAlarmAction[]): cloudwatch.Alarm {
  return createAlarm(scope, id, { metric, description, actions });
}

/**
 * An alarm that fires as soon as a queue holds a visible message (maximum of `ApproximateNumberOfMessagesVisible`
 * over one minute).
 */
export function createQueueNotEmptyAlarm(scope: Construct, id: string, queue: sqs.IQueue, description: string,
  actions?: cloudwatch.IAlarmAction[]): cloudwatch.Alarm {
  const metric = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' });
  return countAlarm(scope, id, metric, description, actions);
}

/**
 * Alarms on a rule's failed and dead-lettered deliveries (`FailedInvocations`, `InvocationsSentToDlq` of
 * `AWS/Events`, per rule; on the default bus the metrics have the `RuleName` dimension only).
 */
export function ruleInvocationAlarms(scope: Construct, ruleName: string, eventBusName: string,
  actions: cloudwatch.IAlarmAction[] | undefined): cloudwatch.Alarm[] {
  const onDefaultBus = !Token.isUnresolved(eventBusName) && eventBusName === 'default';
  const dimensionsMap: { [name: string]: string } = onDefaultBus
    ? { RuleName: ruleName }
    : { EventBusName: eventBusName, RuleName: ruleName };
  return [
    { id: 'FailedInvocationsAlarm', metricName: 'FailedInvocations', what: 'failed permanently (retries exhausted, and the dead-letter queue could not take them)' },
    { id: 'DeadLetteredInvocationsAlarm', metricName: 'InvocationsSentToDlq', what: 'were sent to the dead-letter queue' },
  ].map(({ id, metricName, what }) => countAlarm(scope, id,
    new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap, statistic: 'Sum', period: Duration.minutes(1) }),
    `Deliveries of ${scope.node.path} ${what}.`, actions));
}
