import { Duration, Stack, StackProps, Validations, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { EventContract, ReliableRoute, SchemaRegistry, SecureEventBus } from '../src/core';

/**
 * The core building blocks together: a bus with safe defaults, a schema registry with two event contracts,
 * and a reliable route with 7 targets (EventBridge allows 5 per rule, so the route makes two rules).
 */
export class CoreExampleStack extends Stack {
  public readonly bus: SecureEventBus;
  public readonly route: ReliableRoute;

  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    this.bus = new SecureEventBus(this, 'OrdersBus', { eventBusName: 'orders' });

    const registry = new SchemaRegistry(this, 'Registry', { registryName: 'orders', description: 'Order events' });
    const orderPlaced = new EventContract(this, 'OrderPlaced', {
      registry,
      source: 'com.example.orders',
      detailType: 'OrderPlaced',
      description: 'A customer placed an order',
      detailSchema: {
        type: 'object',
        required: ['orderId', 'items'],
        properties: {
          orderId: { type: 'string' },
          total: { type: 'number' },
          items: {
            type: 'array',
            items: { type: 'object', required: ['sku', 'quantity'], properties: { sku: { type: 'string' }, quantity: { type: 'integer' } } },
          },
        },
      },
    });
    new EventContract(this, 'OrderShipped', {
      registry,
      source: 'com.example.orders',
      detailType: 'OrderShipped',
      description: 'The warehouse shipped an order',
      detailSchema: {
        type: 'object',
        required: ['orderId', 'carrier'],
        properties: { orderId: { type: 'string' }, carrier: { type: 'string' } },
      },
    });

    // Seven consumers of large orders; each queue redrives its own poison messages.
    const redrive = new sqs.Queue(this, 'ConsumerRedrive', { enforceSSL: true, retentionPeriod: Duration.days(14) });
    Validations.of(redrive).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason: 'ConsumerRedrive is itself the redrive (dead-letter) queue of the consumer queues.',
    });
    const consumers = Array.from({ length: 7 }, (_, i) => new sqs.Queue(this, `Consumer${i + 1}`, {
      enforceSSL: true,
      deadLetterQueue: { queue: redrive, maxReceiveCount: 5 },
    }));
    this.route = new ReliableRoute(this, 'LargeOrders', {
      eventBus: this.bus,
      eventPattern: orderPlaced.pattern({ detail: { total: [{ numeric: ['>=', 1000] }] } }),
      targets: consumers.map((q) => new targets.SqsQueue(q)),
    });
  }
}
