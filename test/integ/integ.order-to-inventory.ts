/**
 * Order to inventory, deployed with its defaults (its own bus, registry, stock and idempotency tables, the real
 * reserve-inventory handler).
 *
 * Asserts: with 5 units of a SKU in stock, an `OrderPlaced` event for 2 of them leaves 3 in the stock table and the
 * handler announces `InventoryReserved` on the bus (seen by an SQS probe subscribed with the contract's pattern).
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App } from 'aws-cdk-lib';
import { WAIT, awaitMessage, integStack, integTest, probeQueue, putEvent } from './support';
import { OrderToInventory } from '../../src/blueprints/order-to-inventory';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegOrderToInventory');
const inventory = new OrderToInventory(stack, 'OrderToInventory');
const reserved = probeQueue(stack, 'Reserved', inventory.eventBus, inventory.inventoryReserved.pattern());

const integ = integTest(app, 'OrderToInventory', stack);

const seed = integ.assertions.awsApiCall('DynamoDB', 'putItem', {
  TableName: inventory.stockTable.tableName,
  Item: { sku: { S: 'INTEG-SKU' }, available: { N: '5' } },
});
const stock = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: inventory.stockTable.tableName,
  Key: { sku: { S: 'INTEG-SKU' } },
  ConsistentRead: true,
});
stock.expect(ExpectedResult.objectLike({ Item: { sku: { S: 'INTEG-SKU' }, available: { N: '3' } } }));

seed
  .next(putEvent(integ, inventory.eventBus, 'com.example.orders', 'OrderPlaced', {
    orderId: 'integ-order-1', customerId: 'integ-customer', items: [{ sku: 'INTEG-SKU', quantity: 2 }],
  }))
  .next(stock.waitForAssertions(WAIT))
  .next(awaitMessage(integ, reserved, {
    Body: Match.serializedJson(Match.objectLike({
      'detail-type': 'InventoryReserved',
      'detail': Match.objectLike({ orderId: 'integ-order-1', items: [{ sku: 'INTEG-SKU', quantity: 2 }] }),
    })),
  }));

app.synth();
