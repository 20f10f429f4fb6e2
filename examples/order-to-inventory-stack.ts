import { App } from 'aws-cdk-lib';
import { OrderToInventoryStack } from '../src/blueprints';

/**
 * Adds the order-to-inventory blueprint to the example app as a stack of its own, with its defaults: a secure
 * bus, a schema registry, the stock and idempotency tables and the reserve-inventory function.
 */
export function addOrderToInventoryExamples(app: App): OrderToInventoryStack {
  return new OrderToInventoryStack(app, 'OrderToInventoryExample', {
    description: 'cdk-eventbridge-blueprints example: order to inventory',
    orderSource: 'com.example.orders',
    eventSource: 'com.example.inventory',
  });
}
