import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomBusExampleStack } from '../../examples/custom-bus-stack';
import { nagFindings } from '../nag';

describe('CustomBusExampleStack', () => {
  const stack = new CustomBusExampleStack(new App(), 'CustomBusExample');
  const template = Template.fromStack(stack);

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('four subscribers on one bus, deployed one after another in the order they were added', () => {
    const subscribers = template.findResources('AWS::EventsV2::Subscriber');
    const names = Object.values(subscribers).map((r: any) => r.Properties.Name);
    expect(names).toEqual(['fulfilment', 'large-orders', 'acme-notifications', 'to-classic']);
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
});
