import { Duration, Token, aws_cloudwatch as cloudwatch, aws_events as events } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReliableDeliveryOptions } from '../../core/reliable-route';
import { SecureEventBus } from '../../core/secure-event-bus';

/**
 * Alarms on a rule's failed and dead-lettered deliveries (`FailedInvocations`, `InvocationsSentToDlq` of
 * `AWS/Events`), for a rule on a bus that does not already alarm on them: a `SecureEventBus` with alarms sums
 * both metrics over all its rules, so its rules get none here. Nothing when `alarms` is false.
 */
export function ruleDeliveryAlarms(
  scope: Construct, rule: events.IRule, eventBus: events.IEventBus, delivery: ReliableDeliveryOptions,
): cloudwatch.Alarm[] {
  if (!(delivery.alarms ?? true) || (eventBus instanceof SecureEventBus && eventBus.failedInvocationsAlarm !== undefined)) {
    return [];
  }
  const onDefaultBus = !Token.isUnresolved(eventBus.eventBusName) && eventBus.eventBusName === 'default';
  const dimensionsMap: { [name: string]: string } = onDefaultBus
    ? { RuleName: rule.ruleName }
    : { EventBusName: eventBus.eventBusName, RuleName: rule.ruleName };
  const alarms = [
    { id: 'FailedInvocationsAlarm', metricName: 'FailedInvocations', what: 'failed permanently (retries exhausted, and the dead-letter queue could not take them)' },
    { id: 'DeadLetteredInvocationsAlarm', metricName: 'InvocationsSentToDlq', what: 'were sent to the dead-letter queue' },
  ].map(({ id, metricName, what }) => new cloudwatch.Alarm(scope, id, {
    metric: new cloudwatch.Metric({ namespace: 'AWS/Events', metricName, dimensionsMap, statistic: 'Sum', period: Duration.minutes(1) }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    alarmDescription: `Deliveries of ${scope.node.path} ${what}.`,
  }));
  for (const alarm of alarms) {
    if (delivery.alarmActions && delivery.alarmActions.length > 0) alarm.addAlarmAction(...delivery.alarmActions);
  }
  return alarms;
}
