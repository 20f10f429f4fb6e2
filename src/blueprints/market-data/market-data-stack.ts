import { Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { MarketData, MarketDataProps } from './market-data';

/**
 * Properties of a {@link MarketDataStack}.
 */
export interface MarketDataStackProps extends StackProps, MarketDataProps {}

/**
 * The market-data blueprint as a stack of its own, for teams that deploy it separately.
 */
export class MarketDataStack extends Stack {
  /** The blueprint. */
  public readonly blueprint: MarketData;

  constructor(scope: Construct, id: string, props: MarketDataStackProps = {}) {
    super(scope, id, props);
    this.blueprint = new MarketData(this, 'MarketData', props);
  }
}
