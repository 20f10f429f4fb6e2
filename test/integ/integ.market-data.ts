/**
 * Real-time market data, deployed with its defaults (a new source stream, the pipe, the bus, the processing stream
 * and the real update-parameters consumer), the pipe reading from the start of the stream.
 *
 * Asserts: a tick written to the source stream goes through the pipe, the bus and the processing stream to the
 * consumer, which stores the symbol's parameters (last price, VWAP) in the parameters table and announces
 * `AlgorithmParametersUpdated` on the bus (seen by an SQS probe).
 *
 * The pipe starts at TRIM_HORIZON here (default LATEST): with LATEST, a tick written before the pipe's first read of
 * the new stream would be skipped and the test would depend on timing.
 */
import { ExpectedResult, Match } from '@aws-cdk/integ-tests-alpha';
import { App, aws_lambda as lambda } from 'aws-cdk-lib';
import { WAIT, awaitMessage, integStack, integTest, probeQueue } from './support';
import { MarketData } from '../../src/blueprints/market-data';

const app = new App();
const stack = integStack(app, 'EventBridgeBlueprintsIntegMarketData');
const market = new MarketData(stack, 'MarketData', {
  ingestion: { startingPosition: lambda.StartingPosition.TRIM_HORIZON },
  // Within the lowest default EventBridge quotas, so that the stack synthesizes without capacity warnings anywhere.
  peakTicksPerSecond: 100,
});
const updated = probeQueue(stack, 'ParametersUpdated', market.eventBus, market.parametersUpdated.pattern());

const integ = integTest(app, 'MarketData', stack);

const tick = { symbol: 'INTEG', instrumentClass: 'equity', price: 101.5, size: 10, timestamp: '2030-01-01T10:00:00Z', sequence: 1 };
const parameters = integ.assertions.awsApiCall('DynamoDB', 'getItem', {
  TableName: market.parametersTable.tableName,
  Key: { symbol: { S: 'INTEG' } },
  ConsistentRead: true,
});
parameters.expect(ExpectedResult.objectLike({ Item: { symbol: { S: 'INTEG' }, lastPrice: { N: '101.5' }, vwap: { N: '101.5' } } }));

integ.assertions.awsApiCall('Kinesis', 'putRecord', {
  StreamARN: market.sourceStream.streamArn,
  PartitionKey: 'INTEG',
  Data: Buffer.from(JSON.stringify(tick)),
})
  .next(parameters.waitForAssertions(WAIT))
  .next(awaitMessage(integ, updated, {
    Body: Match.serializedJson(Match.objectLike({
      'detail-type': 'AlgorithmParametersUpdated',
      'detail': Match.objectLike({ symbol: 'INTEG', lastPrice: 101.5, vwap: 101.5, ticksInWindow: 1 }),
    })),
  }));

app.synth();
