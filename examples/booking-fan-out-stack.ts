import { App, Duration, Validations, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { BookingFanOutStack } from '../src/blueprints';

/**
 * Adds the booking fan-out blueprint to the example app as a stack of its own: ticketing, the confirmation email,
 * loyalty points, and one extra consumer (an analytics queue) on the same route.
 */
export function addBookingFanOutExamples(app: App): BookingFanOutStack {
  const stack = new BookingFanOutStack(app, 'BookingFanOutExample', {
    description: 'cdk-eventbridge-blueprints example: booking fan-out',
    senderAddress: 'Example Air <bookings@example.com>',
    pointsPerCurrencyUnit: 10,
  });
  const analyticsRedrive = new sqs.Queue(stack, 'AnalyticsRedrive', {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(analyticsRedrive).acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'AnalyticsRedrive is itself the redrive (dead-letter) queue of the analytics queue.',
  });
  const analytics = new sqs.Queue(stack, 'Analytics', {
    enforceSSL: true,
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    deadLetterQueue: { queue: analyticsRedrive, maxReceiveCount: 5 },
  });
  stack.blueprint.addConsumer(new targets.SqsQueue(analytics));
  return stack;
}
