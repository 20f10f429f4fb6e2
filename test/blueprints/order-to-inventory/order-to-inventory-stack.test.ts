import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { OrderToInventory, OrderToInventoryStack } from '../../../src/blueprints/order-to-inventory';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

describe('OrderToInventoryStack', () => {
  let stack: OrderToInventoryStack;
  let template: Template;
  beforeAll(() => {
    stack = new OrderToInventoryStack(new App(), 'OrderToInventory', {
      env: { account: '111111111111', region: 'eu-west-1' },
      description: 'Inventory reservations',
    });
    template = Template.fromStack(stack);
  });

  test('holds the blueprint with its defaults', () => {
    expect(stack.blueprint).toBeInstanceOf(OrderToInventory);
    expect(stack.blueprint.node.id).toBe('OrderToInventory');
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.resourceCountIs('AWS::EventSchemas::Schema', 3);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('stack props and blueprint props both apply', () => {
    expect(stack.templateOptions.description).toBe('Inventory reservations');
    expect(stack.region).toBe('eu-west-1');
    const other = new OrderToInventoryStack(new App(), 'Other', { eventSource: 'com.acme.warehouse' });
    expect(other.blueprint.inventoryReserved.source).toBe('com.acme.warehouse');
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack as Stack)).toEqual([]);
  });

  test('matches the snapshot', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});
