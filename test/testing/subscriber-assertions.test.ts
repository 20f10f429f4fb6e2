import { App, Stack, aws_sqs as sqs } from 'aws-cdk-lib';
import { CustomEventBus, SubscriberFilter, SubscriberTarget, SubscriberTransformer } from '../../src/core';
import { CustomBusEvents, CustomBusRouter, SubscriberAssertions } from '../../src/testing';

const stack = new Stack(new App(), 'V2', { env: { account: '111111111111', region: 'eu-west-1' } });
const bus = new CustomEventBus(stack, 'Bus', { eventBusName: 'orders-v2' });
const queue = new sqs.Queue(stack, 'Queue', { enforceSSL: true });
bus.addSubscriber('Large', {
  subscriberName: 'large-orders',
  filters: [SubscriberFilter.data({ detail: { total: [{ numeric: ['>=', 1000] }] } })],
  transformer: SubscriberTransformer.jsonata('{ "id": $events.Data.detail.orderId }'),
  target: SubscriberTarget.sqs(queue),
});
const router = CustomBusRouter.fromStack(stack);
const order = (total: number) => CustomBusEvents.putEvents({ source: 'com.example.orders', detailType: 'OrderPlaced', detail: { orderId: 'o-1', total } });

describe('SubscriberAssertions', () => {
  test('assertRoutes with a construct, a subscriber name, and the exact input', async () => {
    const d = await SubscriberAssertions.assertRoutes(router, order(1500), queue, { id: 'o-1' });
    expect(d.subscriber.name).toBe('large-orders');
    await SubscriberAssertions.assertRoutes(router, order(1500), 'large-orders');
  });

  test('throws when the input differs, showing both', async () => {
    await expect(SubscriberAssertions.assertRoutes(router, order(1500), queue, { id: 'o-2' })).rejects.toThrow(
      /^the event reached Queue[0-9A-F]+, but with a different input:\nexpected: \{"id":"o-2"\}\nreceived: \{"id":"o-1"\}$/);
  });

  test('throws when the event does not reach the target, saying where it went', async () => {
    await expect(SubscriberAssertions.assertRoutes(router, order(5), queue)).rejects.toThrow(
      /^expected the event to reach Queue[0-9A-F]+ on Custom Event Bus "\(the only one\)", but it reached no subscriber/);
    await SubscriberAssertions.assertRoutesNowhere(router, order(5));
    await expect(SubscriberAssertions.assertRoutesNowhere(router, order(1500), { eventBus: 'orders-v2' })).rejects.toThrow(
      /^expected the event to reach no subscriber, but it reached Queue[0-9A-F]+ \(subscriber large-orders\)$/);
  });

  test('takes a plain EventBridge event or a PutEvents entry, as an object or JSON text', async () => {
    const plain = { 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-7', total: 2000 } };
    const d = await SubscriberAssertions.assertRoutes(router, plain, queue, { id: 'o-7' });
    expect(d.subscriber.name).toBe('large-orders');
    await SubscriberAssertions.assertRoutes(router, JSON.stringify(plain), 'large-orders', { id: 'o-7' });
    await SubscriberAssertions.assertRoutes(router, { Source: 'com.example.orders', DetailType: 'OrderPlaced', Detail: '{"orderId":"o-8","total":1000}' }, queue, { id: 'o-8' });
    await SubscriberAssertions.assertRoutesNowhere(router, { ...plain, detail: { orderId: 'o-9', total: 5 } });
    await expect(SubscriberAssertions.assertRoutesNowhere(router, JSON.stringify(plain))).rejects.toThrow(
      /^expected the event to reach no subscriber, but it reached Queue[0-9A-F]+ \(subscriber large-orders\)$/);
  });
});
