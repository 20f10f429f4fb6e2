import {
  App, Duration, Lazy, Size, Stack, aws_cloudwatch_actions as actions, aws_dynamodb as dynamodb, aws_kinesis as kinesis, aws_sns as sns,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { MarketData, MarketDataProps, MarketDataStack } from '../../../src/blueprints/market-data';
import { EventRouter } from '../../../src/testing';
import { stableTemplate } from '../../helpers';
import { nagFindings } from '../../nag';

const ENV = { account: '111111111111', region: 'eu-west-1' };

/** `env: false` makes an environment-agnostic stack. */
function build(props: MarketDataProps = {}, env: { account?: string; region?: string } | false = ENV) {
  const stack = new Stack(new App(), 'Test', env === false ? {} : { env });
  const blueprint = new MarketData(stack, 'MarketData', props);
  return { stack, blueprint, template: Template.fromStack(stack) };
}

const tick = (symbol: string, instrumentClass: string) => ({
  'source': 'com.example.market-data',
  'detail-type': 'MarketTick',
  'account': '111111111111',
  'region': 'eu-west-1',
  'detail': { symbol, instrumentClass, price: 101.5, size: 200, timestamp: '2026-11-30T14:00:00Z' },
});

describe('MarketData defaults', () => {
  const { stack, blueprint, template } = build();

  test('a pipe from the source stream to the bus, filtered to the default instrument classes, as MarketTick events', () => {
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MarketDataSourceStream'), 'Arn'] },
      Target: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MarketDataEventBus'), 'Arn'] },
      SourceParameters: {
        FilterCriteria: { Filters: [{ Pattern: '{"data":{"instrumentClass":["equity","fx","futures"]}}' }] },
        KinesisStreamParameters: { BatchSize: 10, OnPartialBatchItemFailure: 'AUTOMATIC_BISECT' },
      },
      TargetParameters: {
        InputTemplate: '<$.data>',
        EventBridgeEventBusParameters: { DetailType: 'MarketTick', Source: 'com.example.market-data' },
      },
    });
  });

  test('two on-demand streams encrypted with the AWS managed key, retained 24 hours and kept on delete', () => {
    template.resourceCountIs('AWS::Kinesis::Stream', 2);
    template.allResourcesProperties('AWS::Kinesis::Stream', {
      StreamModeDetails: { StreamMode: 'ON_DEMAND' },
      StreamEncryption: { EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' },
      RetentionPeriodHours: 24,
    });
    template.allResources('AWS::Kinesis::Stream', { DeletionPolicy: 'Retain' });
  });

  test('the route sends the processed classes to the processing stream, partitioned by symbol, with a DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['com.example.market-data'], 'detail-type': ['MarketTick'], 'detail': { instrumentClass: ['equity', 'fx', 'futures'] } },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MarketDataProcessingStream'), 'Arn'] },
        KinesisParameters: { PartitionKeyPath: '$.detail.symbol' },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MarketDataTickRouteDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 3600 },
      })],
    });
  });

  test('the consumer reads the processing stream in order, bisects failed batches and sends the rest to its on-failure queue', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MarketDataProcessingStream'), 'Arn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MarketDataUpdateParametersOnFailureQueue'), 'Arn'] } } },
    });
    expect(blueprint.updateParametersFunction.onFailureAlarm).toBeDefined();
  });

  test('the consumer knows its table, bus, source and window, and may only read and put items and put events', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          PARAMETERS_TABLE_NAME: { Ref: Match.stringLikeRegexp('^MarketDataParametersTable') },
          EVENT_SOURCE: 'com.example.trading-parameters',
          INDICATOR_WINDOW: '50',
          MAX_TICK_CLOCK_SKEW_SECONDS: '300',
          POWERTOOLS_SERVICE_NAME: 'market-data',
        }),
      },
    });
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('UpdateParameters') } }));
    expect(policies).toContain('"dynamodb:GetItem","dynamodb:PutItem"');
    expect(policies).toContain('events:PutEvents');
    expect(policies).not.toContain('dynamodb:*');
  });

  test('the parameters table is keyed by symbol with the blueprints\' table defaults', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'symbol', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  test('an iterator-age alarm, and both contracts in the registry', () => {
    expect(blueprint.iteratorAgeAlarm).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'IteratorAge', Threshold: 60_000, EvaluationPeriods: 3 });
    template.resourceCountIs('AWS::EventSchemas::Schema', 2);
    expect(blueprint.marketTick.detailType).toBe('MarketTick');
    expect(blueprint.parametersUpdated.source).toBe('com.example.trading-parameters');
  });

  test('no capacity warning at the default peak of 1000 ticks/s in eu-west-1', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('quota|entry size'))).toHaveLength(0);
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('router: ticks of processed classes reach the processing stream; other classes and other events do not', () => {
    const router = EventRouter.fromStack(stack);
    const bus = EventRouter.eventBusId(blueprint.eventBus);
    const streamId = EventRouter.logicalIdOf(blueprint.processingStream);
    for (const cls of ['equity', 'fx', 'futures']) {
      const deliveries = router.route(tick('AAPL', cls), { eventBus: bus });
      expect(deliveries.map((d) => d.target.logicalId)).toEqual([streamId]);
      expect(deliveries[0].input.detail.symbol).toBe('AAPL');
    }
    expect(router.route(tick('BTC-USD', 'crypto'), { eventBus: bus })).toEqual([]);
    expect(router.route({ ...tick('AAPL', 'equity'), source: 'com.example.other' }, { eventBus: bus })).toEqual([]);
    expect(router.route({ 'source': 'com.example.trading-parameters', 'detail-type': 'AlgorithmParametersUpdated', 'detail': {} }, { eventBus: bus })).toEqual([]);
  });
});

describe('MarketData overrides', () => {
  test('instrument classes, window, sources, batch sizes and retries win over the defaults', () => {
    const { template } = build({
      instrumentClasses: ['crypto'],
      indicatorWindow: 20,
      tickSource: 'com.acme.ticks',
      eventSource: 'com.acme.params',
      consumerBatchSize: 500,
      consumerRetryAttempts: 0,
      ingestion: { batchSize: 5 },
      maxEventAge: Duration.minutes(5),
      retryAttempts: 3,
      maxTickClockSkew: Duration.seconds(30),
    });
    template.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 300 } })] });
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      SourceParameters: { FilterCriteria: { Filters: [{ Pattern: '{"data":{"instrumentClass":["crypto"]}}' }] }, KinesisStreamParameters: { BatchSize: 5 } },
      TargetParameters: { EventBridgeEventBusParameters: { Source: 'com.acme.ticks' } },
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['com.acme.ticks'], detail: { instrumentClass: ['crypto'] } } });
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 500, MaximumRetryAttempts: 0 });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ INDICATOR_WINDOW: '20', EVENT_SOURCE: 'com.acme.params', MAX_TICK_CLOCK_SKEW_SECONDS: '30' }) },
    });
  });

  test('your streams and table are used instead of new ones', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const sourceStream = new kinesis.Stream(stack, 'Mine', { encryption: kinesis.StreamEncryption.MANAGED });
    const processingStream = new kinesis.Stream(stack, 'MyProcessing', { encryption: kinesis.StreamEncryption.MANAGED });
    const parametersTable = new dynamodb.Table(stack, 'MyTable', { partitionKey: { name: 'symbol', type: dynamodb.AttributeType.STRING } });
    const blueprint = new MarketData(stack, 'MarketData', { sourceStream, processingStream, parametersTable });
    expect(blueprint.sourceStream).toBe(sourceStream);
    expect(blueprint.processingStream).toBe(processingStream);
    expect(blueprint.parametersTable).toBe(parametersTable);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Kinesis::Stream', 2);
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  test('alarm actions go on every alarm; alarms: false creates none', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const topic = new sns.Topic(stack, 'Pager');
    new MarketData(stack, 'MarketData', { alarmActions: [new actions.SnsAction(topic)] });
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    expect(Object.keys(alarms).length).toBeGreaterThanOrEqual(4);
    for (const alarm of Object.values(alarms)) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Pager/) }]);
    }
    const { blueprint, template } = build({ alarms: false });
    expect(blueprint.iteratorAgeAlarm).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});

describe('MarketData capacity at synth', () => {
  const warnings = (stack: Stack, id: string) => Annotations.fromStack(stack).findWarning('/Test/MarketData', Match.stringLikeRegexp(id));

  test('warns, naming the PutEvents quota, when the peak is above it in the stack\'s Region', () => {
    // eu-west-3: 600 PutEvents/s. 3,000 ticks/s make 300 (pipe) + 300 (parameters) = 600 requests/s: at the quota, no warning.
    expect(warnings(build({ peakTicksPerSecond: 3000 }, { account: '111111111111', region: 'eu-west-3' }).stack, 'PutEvents throttle limit')).toHaveLength(0);
    const { stack } = build({ peakTicksPerSecond: 3100 }, { account: '111111111111', region: 'eu-west-3' });
    const found = warnings(stack, 'PutEvents throttle limit in transactions per second');
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toMatch(/about 620 PutEvents requests\/s .*\(L-9B653E91\) of 600\/s, the default of eu-west-3\./);
    expect(found[0].entry.data).toContain('[ack: cdk-eventbridge-blueprints:marketDataPutEventsQuota]');
  });

  test('warns, naming the invocations quota, when routed ticks exceed it', () => {
    const { stack } = build({ peakTicksPerSecond: 3000 }, { account: '111111111111', region: 'eu-west-3' });
    const found = warnings(stack, 'Invocations throttle limit in transactions per second');
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toMatch(/about 3000 target invocations\/s.*\(L-5540C5E3\) of 1100\/s, the default of eu-west-3/);
  });

  test('an environment-agnostic stack is checked against the lowest Regional default, and says so', () => {
    const { stack } = build({ peakTicksPerSecond: 2500 }, false);
    const found = warnings(stack, 'PutEvents throttle limit');
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toContain('of 400/s, the lowest Regional default (the stack has no Region at synth');
  });

  test('a tick too large for a 256 KB PutEvents entry is named', () => {
    const { stack } = build({ maxTickSize: Size.kibibytes(256) });
    const found = warnings(stack, '256 KB');
    expect(found).toHaveLength(1);
    expect(found[0].entry.data).toContain('cdk-eventbridge-blueprints:marketDataEntrySize');
  });

  test('throws when the peak is not a positive number; skips tokens', () => {
    expect(() => build({ peakTicksPerSecond: 0 })).toThrow("MarketData 'Test/MarketData': peakTicksPerSecond must be a number above 0, got 0");
    expect(() => build({ peakTicksPerSecond: Lazy.number({ produce: () => 1e9 }) })).not.toThrow();
  });
});

describe('MarketData validation', () => {
  test.each([
    ['indicatorWindow', { indicatorWindow: 1 }, 'indicatorWindow must be a whole number between 2 and 1000, got 1'],
    ['maxTickClockSkew (too long)', { maxTickClockSkew: Duration.days(2) }, 'maxTickClockSkew must be a whole number of seconds from 1 second to 24 hours, got 2 days'],
    ['maxTickClockSkew (a fraction)', { maxTickClockSkew: Duration.millis(1500) }, 'maxTickClockSkew must be a whole number of seconds from 1 second to 24 hours, got 1 second 500 millis'],
    ['consumerBatchSize', { consumerBatchSize: 10_001 }, 'consumerBatchSize must be a whole number between 1 and 10000, got 10001'],
    ['consumerRetryAttempts', { consumerRetryAttempts: 1.5 }, 'consumerRetryAttempts must be a whole number between 0 and 10000, got 1.5'],
    ['instrumentClasses (empty)', { instrumentClasses: [] }, 'instrumentClasses must list 1 to 100 instrument classes, got 0'],
    ['instrumentClasses (bad)', { instrumentClasses: ['Equity'] }, 'instrumentClasses must hold lower-case words of letters, digits and "-" (1 to 32 characters, starting with a letter), got "Equity"'],
  ])('throws when %s is invalid', (_name, props, message) => {
    expect(() => build(props as MarketDataProps)).toThrow(`MarketData 'Test/MarketData': ${message}`);
  });

  test('throws when the parameters table has another key', () => {
    const stack = new Stack(new App(), 'Test', { env: ENV });
    const parametersTable = new dynamodb.Table(stack, 'T', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    expect(() => new MarketData(stack, 'MarketData', { parametersTable }))
      .toThrow(/MarketData 'Test\/MarketData': parametersTable must have partition key "symbol" \(S\)/);
  });

  test('unresolved window and batch sizes are not validated', () => {
    expect(() => build({ indicatorWindow: Lazy.number({ produce: () => 0 }), consumerBatchSize: Lazy.number({ produce: () => 0 }) })).not.toThrow();
  });
});

describe('MarketDataStack', () => {
  const stack = new MarketDataStack(new App(), 'MarketDataStack', { env: ENV, description: 'Ticks to parameters' });

  test('holds the blueprint; stack and blueprint props both apply', () => {
    expect(stack.blueprint).toBeInstanceOf(MarketData);
    expect(stack.templateOptions.description).toBe('Ticks to parameters');
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Pipes::Pipe', 1);
    template.resourceCountIs('AWS::Lambda::Function', 1);
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });

  test('matches the snapshot', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});
