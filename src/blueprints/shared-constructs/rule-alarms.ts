import { aws_cloudwatch as cloudwatch, aws_events as events } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { ReliableDeliveryOptions } from '../../core/reliable-route';
import { SecureEventBus } from '../../core/secure-event-bus';
import { ruleInvocationAlarms } from '../../private/alarms';

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
  return ruleInvocationAlarms(scope, rule.ruleName, eventBus.eventBusName, delivery.alarmActions);
}
