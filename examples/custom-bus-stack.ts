import {
  Duration,
  Stack,
  StackProps,
  Validations,
  aws_events as events,
  aws_events_targets as targets,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BlueprintFunction } from '../src/blueprints';
import { CustomEventBus, CustomEventBusAccess, InvocationType, ReliableRoute, RouteMigration, StartingPosition, SubscriberFilter, SubscriberOrdering, SubscriberTarget, SubscriberTransformer } from '../src/core';

/**
 * The new EventBridge Custom Event Bus: a bus encrypted with a customer-managed key and shared with a partner
 * account, and four subscribers — a FIFO subscriber into a FIFO queue keeping the bus's event groups, a Lambda
 * function fed by a JSONata transform, an SNS topic for tenant "acme" (a METADATA filter) and a forwarder to a
 * Classic bus for consumers that have not moved yet — plus a Classic `ReliableRoute` moved onto the bus with
 * `RouteMigration`.
 */
export class CustomBusExampleStack extends Stack {
  public readonly bus: CustomEventBus;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const key = new kms.Key(this, 'BusKey', { enableKeyRotation: true, description: 'Encrypts the orders Custom Event Bus' });
    this.bus = new CustomEventBus(this, 'OrdersBus', { eventBusName: 'orders-v2', kmsKey: key, retention: Duration.days(14) });
    this.bus.allowAccounts(['444455556666'], CustomEventBusAccess.PUBLISH);

    // Ordered fulfilment: one FIFO queue, grouped like the bus.
    const fulfilment = new sqs.Queue(this, 'Fulfilment', {
      fifo: true,
      contentBasedDeduplication: true,
      enforceSSL: true,
      deadLetterQueue: { queue: new sqs.Queue(this, 'FulfilmentRedrive', { fifo: true, enforceSSL: true }), maxReceiveCount: 5 },
    });
    Validations.of(this.node.findChild('FulfilmentRedrive')).acknowledge({
      id: 'Serverless-SQSRedrivePolicy', reason: 'FulfilmentRedrive is itself the redrive queue of Fulfilment.',
    }, { id: 'AwsSolutions-SQS3', reason: 'FulfilmentRedrive is itself the redrive queue of Fulfilment.' });
    this.bus.addSubscriber('Fulfilment', {
      subscriberName: 'fulfilment',
      ordering: SubscriberOrdering.FIFO,
      filters: [SubscriberFilter.fromEventPattern({ source: ['com.example.orders'], detailType: ['OrderPlaced'] })],
      target: SubscriberTarget.sqs(fulfilment, { messageGroupId: '{% $events.SystemMetadata.EventGroupId %}' }),
      maxEventAge: Duration.minutes(15),
    });

    // Large orders to a function, reshaped by JSONata, starting from the oldest retained event.
    // The library's BlueprintFunction: its own role, log group, tracing, and an on-failure queue with an alarm.
    const fn = new BlueprintFunction(this, 'LargeOrderHandler', {
      serviceName: 'large-orders',
      code: lambda.Code.fromInline('exports.handler = async (event) => console.log(JSON.stringify(event));'),
      handler: 'index.handler',
      timeout: Duration.seconds(10),
      memorySize: 256,
    }).function;
    this.bus.addSubscriber('LargeOrders', {
      subscriberName: 'large-orders',
      filters: [SubscriberFilter.data({ 'detail-type': ['OrderPlaced'], 'detail': { total: [{ numeric: ['>=', 1000] }] } })],
      transformer: SubscriberTransformer.jsonata('{ "orderId": $events.Data.detail.orderId, "total": $events.Data.detail.total }'),
      target: SubscriberTarget.lambda(fn, { invocationType: InvocationType.REQUEST_RESPONSE }),
      startingPosition: StartingPosition.horizon(),
    });

    // Tenant acme's notifications: raw events published with metadata { tenant: "acme" }.
    const notifications = new sns.Topic(this, 'AcmeNotifications', { enforceSSL: true, masterKey: key });
    this.bus.addSubscriber('AcmeNotifications', {
      subscriberName: 'acme-notifications',
      filters: [SubscriberFilter.metadata({ tenant: ['acme'] })],
      transformer: SubscriberTransformer.WITH_METADATA,
      target: SubscriberTarget.sns(notifications, { subject: 'Order event' }),
    });

    // Bridge back to the Classic bus for the consumers still there (RAW only).
    const classic = new events.EventBus(this, 'ClassicOrders', { eventBusName: 'orders-classic' });
    this.bus.addSubscriber('ToClassic', {
      subscriberName: 'to-classic',
      filters: [SubscriberFilter.systemMetadata({ 'aws:Source': ['com.example.orders'] })],
      target: SubscriberTarget.classicEventBus(classic),
    });

    // A Classic route, and the same route moved to subscribers (both run side by side while consumers move).
    const audit = new sqs.Queue(this, 'Audit', {
      enforceSSL: true,
      deadLetterQueue: { queue: new sqs.Queue(this, 'AuditRedrive', { enforceSSL: true }), maxReceiveCount: 5 },
    });
    Validations.of(this.node.findChild('AuditRedrive')).acknowledge({
      id: 'Serverless-SQSRedrivePolicy', reason: 'AuditRedrive is itself the redrive queue of Audit.',
    }, { id: 'AwsSolutions-SQS3', reason: 'AuditRedrive is itself the redrive queue of Audit.' });
    const route = new ReliableRoute(this, 'AuditRoute', {
      eventBus: classic,
      eventPattern: { source: ['com.example.orders'] },
      targets: [new targets.SqsQueue(audit, {
        message: events.RuleTargetInput.fromObject({ order: events.EventField.fromPath('$.detail.orderId'), at: events.EventField.time }),
      })],
    });
    new RouteMigration(this, 'AuditMoved', { route, eventBus: this.bus });
  }
}
