import { App } from 'aws-cdk-lib';
import { MarketDataStack } from '../src/blueprints/market-data';

/**
 * Adds the market-data blueprint to the example app as a stack of its own: a source stream, the ingestion pipe,
 * the bus, the route to the processing stream, the parameters table and the consumer function. The stack is
 * environment-agnostic, so the capacity check uses the lowest Regional defaults: 500 ticks/s stays under them.
 */
export function addMarketDataExamples(app: App): MarketDataStack {
  return new MarketDataStack(app, 'MarketDataExample', {
    description: 'cdk-eventbridge-blueprints example: real-time market data to trading algorithm parameters',
    instrumentClasses: ['equity', 'fx'],
    indicatorWindow: 50,
    peakTicksPerSecond: 500,
  });
}
