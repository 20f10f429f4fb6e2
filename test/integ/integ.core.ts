/**
 * Core constructs, deployed: a SecureEventBus with a ReliableRoute to SQS, a ReliableRoute whose target cannot be
 * reached (its event must land in the route's dead-letter queue), and a CentralEventBus fed by an EventSpoke on
 * the account's default bus.
 *
 * Asserts: an event put on the SecureEventBus reaches the route's queue; an event for the broken target reaches
 * the route's dead-letter queue with EventBridge's error attributes; an event put on the default bus is forwarded
 * by the spoke to the central bus and from there by a route to a queue.
 *
 * Not covered: cross-account forwarding (one account here; the spoke's role and the central bus policy are the same
 * resources, with this account as the source account), and the alarms (they need a metric period to pass).
 */
import { Match } from '@aws-cdk/integ-tests-alpha';
import { App, Aws, Duration, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { awaitMessage, integStack, integTest, probeQueue, putEvent } from './support';
import { CentralEventBus } from '../../src/core/central-event-bus';
import { EventSpoke } from '../../src/core/event-spoke';
import { ReliableRoute } from '../../src/core/reliable-route';
import { SecureEventBus } from '../../src/core/secure-event-bus';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegCore');

// 1. SecureEventBus + ReliableRoute -> SQS
const bus = new SecureEventBus(stack, 'Bus');
const orders = new sqs.Queue(stack, 'Orders', { enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED });
new ReliableRoute(stack, 'LargeOrders', {
  eventBus: bus,
  eventPattern: { source: ['com.example.integ.orders'], detail: { total: [{ numeric: ['>=', 1000] }] } },
  targets: [new targets.SqsQueue(orders)],
});

// 2. A route whose target does not exist: EventBridge cannot deliver, and the route's dead-letter queue gets it.
const missing = sqs.Queue.fromQueueArn(stack, 'Missing', `arn:${Aws.PARTITION}:sqs:${Aws.REGION}:${Aws.ACCOUNT_ID}:integ-no-such-queue`);
const broken = new ReliableRoute(stack, 'Broken', {
  eventBus: bus,
  eventPattern: { source: ['com.example.integ.broken'] },
  targets: [new targets.SqsQueue(missing)],
  retryAttempts: 0,
  maxEventAge: Duration.minutes(1),
});

// 3. EventSpoke (default bus) -> CentralEventBus -> ReliableRoute -> SQS
const central = new CentralEventBus(stack, 'Central', { sourceAccounts: [Aws.ACCOUNT_ID] });
new EventSpoke(stack, 'Spoke', { centralEventBus: central, eventPattern: { source: ['com.example.integ.spoke'] } });
const forwarded = probeQueue(stack, 'Forwarded', central, { source: ['com.example.integ.spoke'] });

const integ = integTest(app, 'Core', stack);

putEvent(integ, bus, 'com.example.integ.orders', 'OrderPlaced', { orderId: 'integ-large', total: 1500 })
  .next(awaitMessage(integ, orders, { Body: Match.serializedJson(Match.objectLike({ detail: { orderId: 'integ-large', total: 1500 } })) }));

putEvent(integ, bus, 'com.example.integ.broken', 'Probe', { probe: 'dead-letter' })
  .next(awaitMessage(integ, broken.deadLetterQueue, {
    Body: Match.serializedJson(Match.objectLike({ source: 'com.example.integ.broken', detail: { probe: 'dead-letter' } })),
    MessageAttributes: Match.objectLike({ ERROR_CODE: Match.objectLike({ StringValue: Match.stringLikeRegexp('.+') }) }),
  }));

putEvent(integ, undefined, 'com.example.integ.spoke', 'Probe', { probe: 'forwarded' })
  .next(awaitMessage(integ, forwarded, { Body: Match.serializedJson(Match.objectLike({ source: 'com.example.integ.spoke', detail: { probe: 'forwarded' } })) }));

app.synth();
