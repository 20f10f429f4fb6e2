import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomBusExampleStack } from '../../examples/custom-bus-stack';
import { CustomBusEvents, CustomBusRouter } from '../../src/testing';
import { nagFindings } from '../nag';

describe('CustomBusExampleStack', () => {
  const stack = new CustomBusExampleStack(new App(), 'CustomBusExample');
  const template = Template.fromStack(stack);

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('five subscribers on one bus, deployed one after another in the order they were added', () => {
    const subscribers = template.findResources('AWS::EventsV2::Subscriber');
    const names = Object.values(subscribers).map((r: any) => r.Properties.Name);
    expect(names.slice(0, 4)).toEqual(['fulfilment', 'large-orders', 'acme-notifications', 'to-classic']);
    expect(names).toHaveLength(5); // + the migrated audit route
    const ids = Object.keys(subscribers);
    for (let i = 1; i < ids.length; i++) {
      expect(subscribers[ids[i]].DependsOn).toContain(ids[i - 1]);
    }
  });

  test('the bus is encrypted with the key and retains 14 days', () => {
    template.hasResourceProperties('AWS::EventsV2::EventBus', {
      Name: 'orders-v2', StorageConfiguration: { RetentionPeriodInDays: 14 },
    });
  });

  test('routed offline: an order reaches fulfilment, large-orders (reshaped), to-classic and the moved audit route', async () => {
    const router = CustomBusRouter.fromStack(stack);
    const order = CustomBusEvents.putEvents({
      source: 'com.example.orders',
      detailType: 'OrderPlaced',
      detail: { orderId: 'o-1', total: 1500 },
      eventGroupId: 'c-7',
      time: '2026-01-01T00:00:00Z',
    });
    const deliveries = await router.route(order, { eventBus: 'orders-v2' });
    expect(deliveries.map((d) => d.subscriber.name)).toEqual(['fulfilment', 'large-orders', 'to-classic', expect.stringMatching(/AuditMoved/)]);
    expect(deliveries[1].input).toEqual({ orderId: 'o-1', total: 1500 });
    expect(deliveries[3].input).toEqual({ order: 'o-1', at: '2026-01-01T00:00:00Z' });
    const acme = await router.route({ data: { orderId: 'o-2' }, metadata: { tenant: 'acme' } }, { eventBus: 'orders-v2' });
    expect(acme.map((d) => d.subscriber.name)).toEqual(['acme-notifications']);
  });
});
