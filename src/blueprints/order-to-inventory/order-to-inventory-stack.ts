import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { OrderToInventory, OrderToInventoryProps } from './order-to-inventory';

/**
 * Properties of an {@link OrderToInventoryStack}.
 */
export interface OrderToInventoryStackProps extends StackProps, OrderToInventoryProps {}

/**
 * The order-to-inventory blueprint as a stack of its own, for teams that deploy it separately.
 */
export class OrderToInventoryStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: OrderToInventory;

  constructor(scope: Construct, id: string, props: OrderToInventoryStackProps = {}) {
    super(scope, id, props);
    this.blueprint = new OrderToInventory(this, 'OrderToInventory', props);
  }
}
