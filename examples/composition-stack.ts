import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { BookingFanOut, OrderToInventory } from '../src/blueprints';
import { SchemaRegistry, SecureEventBus } from '../src/core';

/**
 * Two blueprints composed in one stack, sharing one event bus and one schema registry.
 */
export class CompositionExampleStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const eventBus = new SecureEventBus(this, 'SharedBus', { eventBusName: 'commerce' });
    const registry = new SchemaRegistry(this, 'SharedRegistry', { registryName: 'commerce' });
    new OrderToInventory(this, 'Inventory', { eventBus, registry });
    new BookingFanOut(this, 'Bookings', { eventBus, registry, senderAddress: 'bookings@example.com' });
  }
}
