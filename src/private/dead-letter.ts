import {
  Duration,
  Stack,
  Token,
  Validations,
  aws_cloudwatch as cloudwatch,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { createQueueNotEmptyAlarm } from './alarms';
import { propError, show } from './errors';

/**
 * Creates the standard dead-letter queue of our constructs: SSE-SQS encryption, TLS enforced, 14 days retention.
 *
 * @param whatArrives who sends what to this queue, for the cdk-nag acknowledgements
 */
export function createDeadLetterQueue(scope: Construct, id: string,
  whatArrives = 'EventBridge sends the events it could not deliver here'): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  const reason = `This queue is itself a dead-letter queue: ${whatArrives}, `
    + 'where they are kept 14 days for inspection and redrive; a dead-letter queue behind it would only move them.';
  Validations.of(queue).acknowledge(
    { id: 'AwsSolutions-SQS3', reason },
    { id: 'Serverless-SQSRedrivePolicy', reason },
  );
  return queue;
}

/**
 * Checks a dead-letter queue given by the user: a standard (not FIFO) queue in the same region as `scope`.
 */
export function checkDeadLetterQueue(scope: Construct, constructType: string, prop: string, queue: sqs.IQueue): void {
  if (queue.fifo) {
    throw propError(scope, constructType, prop,
      `must be a standard SQS queue (EventBridge cannot send to a FIFO dead-letter queue), got FIFO queue ${show(queue.node.path)}`);
  }
  checkDeadLetterRegion(scope, constructType, prop, queue.env.region);
}

/**
 * Checks that a dead-letter queue's region (when known) is the region of `scope`.
 */
export function checkDeadLetterRegion(scope: Construct, constructType: string, prop: string, queueRegion: string | undefined): void {
  const here = Stack.of(scope).region;
  if (queueRegion === undefined || Token.isUnresolved(here) || Token.isUnresolved(queueRegion)) {
    return;
  }
  if (here !== queueRegion) {
    throw propError(scope, constructType, prop,
      `must be a queue in the rule's region (${here}), got a queue in ${queueRegion}`);
  }
}

/**
 * The dead-letter queue of a route or a subscriber: the given queue or a new standard one (ids `DeadLetterQueue`
 * and `DeadLetterQueueAlarm`), and, when `alarms` is on, an alarm on it with the given actions.
 */
export function routeDeadLetterQueue(scope: Construct, given: sqs.IQueue | undefined, alarms: boolean | undefined,
  alarmActions: cloudwatch.IAlarmAction[] | undefined): { queue: sqs.IQueue; alarm?: cloudwatch.Alarm } {
  const queue = given ?? createDeadLetterQueue(scope, 'DeadLetterQueue');
  if (!(alarms ?? true)) {
    return { queue };
  }
  const alarm = createQueueNotEmptyAlarm(scope, 'DeadLetterQueueAlarm', queue,
    `Events that ${scope.node.path} could not deliver are waiting in its dead-letter queue.`, alarmActions);
  return { queue, alarm };
}
