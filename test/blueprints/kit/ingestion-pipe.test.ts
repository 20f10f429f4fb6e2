import {
  App,
  Duration,
  Lazy,
  Stack,
  aws_cloudwatch_actions as actions,
  aws_events as events,
  aws_kinesis as kinesis,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { IngestionPipe, IngestionPipeProps, PipeLogLevel, PipeSource } from '../../../src/blueprints/kit';
import { nagFindings } from '../../nag';

interface Fixture {
  readonly stack: Stack;
  readonly bus: events.EventBus;
  readonly stream: kinesis.Stream;
  readonly queue: sqs.Queue;
}

function fixture(): Fixture {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const bus = new events.EventBus(stack, 'Bus');
  const stream = new kinesis.Stream(stack, 'Ticks', { encryption: kinesis.StreamEncryption.MANAGED });
  const dlq = new sqs.Queue(stack, 'SourceDlq', { enforceSSL: true });
  const queue = new sqs.Queue(stack, 'Statuses', { enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  return { stack, bus, stream, queue };
}

function build(sourceOf: (f: Fixture) => PipeSource, props: Partial<IngestionPipeProps> = {}) {
  const f = fixture();
  const pipe = new IngestionPipe(f.stack, 'Pipe', {
    source: sourceOf(f),
    eventBus: f.bus,
    detailType: 'MarketTick',
    eventSource: 'com.example.market-data',
    ...props,
  });
  return { ...f, pipe, template: Template.fromStack(f.stack) };
}

const kinesisSource = (f: Fixture) => PipeSource.kinesisStream(f.stream);
const sqsSource = (f: Fixture) => PipeSource.sqsQueue(f.queue);

describe('IngestionPipe from a Kinesis stream, defaults', () => {
  const { stack, pipe, template } = build(kinesisSource);

  test('reads the stream from LATEST in batches of 10 (one PutEvents request) within 1 s, one batch per shard at a time', () => {
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Ticks'), 'Arn'] },
      SourceParameters: {
        KinesisStreamParameters: {
          StartingPosition: 'LATEST',
          BatchSize: 10,
          MaximumBatchingWindowInSeconds: 1,
          ParallelizationFactor: 1,
        },
      },
    });
  });

  test('failed batches are bisected, retried 3 times, and reported to a dead-letter queue with an alarm', () => {
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      SourceParameters: {
        KinesisStreamParameters: {
          OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          MaximumRetryAttempts: 3,
          MaximumRecordAgeInSeconds: 3600,
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipeDeadLetterQueue'), 'Arn'] } },
        },
      },
    });
    expect(pipe.deadLetterQueue).toBeDefined();
    expect(pipe.deadLetterQueueAlarm).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipeDeadLetterQueue'), 'QueueName'] } }],
    });
  });

  test('targets the bus with the detail-type and source, the decoded payload as detail, no filter', () => {
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      Target: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] },
      TargetParameters: {
        InputTemplate: '<$.data>',
        EventBridgeEventBusParameters: { DetailType: 'MarketTick', Source: 'com.example.market-data' },
      },
    });
    const props = template.findResources('AWS::Pipes::Pipe');
    expect(Object.values(props)[0].Properties.SourceParameters.FilterCriteria).toBeUndefined();
  });

  test('logs errors only, without execution data, to a log group kept one year', () => {
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      LogConfiguration: {
        Level: 'ERROR',
        IncludeExecutionData: Match.absent(),
        CloudwatchLogsLogDestination: { LogGroupArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipeLogGroup'), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  test('the role is assumed by Pipes of this account only and may read this stream, write this DLQ and put on this bus', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Principal: { Service: 'pipes.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } },
        }],
      },
    });
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('kinesis:GetRecords');
    expect(policy).toContain('sqs:SendMessage');
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['logs:CreateLogStream', 'logs:PutLogEvents'] }),
          Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Bus'), 'Arn'] } }),
        ]),
      },
    });
    expect(policy).not.toContain('"Resource":"*"');
  });

  test('the pipe is created after its role\'s policy', () => {
    const pipes = template.findResources('AWS::Pipes::Pipe');
    const dependsOn: string[] = Object.values(pipes)[0].DependsOn;
    expect(dependsOn).toEqual([expect.stringMatching(/^PipeRoleDefaultPolicy/)]); // not the role: RoleArn already refers to it (cfn-lint W3005)
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack, ['/Ticks', '/Bus', '/SourceDlq', '/Statuses'])).toEqual([]);
  });
});

describe('IngestionPipe from a Kinesis stream, overrides', () => {
  test('every source setting wins over its default', () => {
    const { template } = build((f) => PipeSource.kinesisStream(f.stream, {
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: 5,
      maxBatchingWindow: Duration.seconds(0),
      retryAttempts: 0,
      maxRecordAge: Duration.minutes(1),
      parallelizationFactor: 4,
      bisectBatchOnFailure: false,
    }));
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      SourceParameters: {
        KinesisStreamParameters: {
          StartingPosition: 'TRIM_HORIZON',
          BatchSize: 5,
          MaximumBatchingWindowInSeconds: 0,
          MaximumRetryAttempts: 0,
          MaximumRecordAgeInSeconds: 60,
          ParallelizationFactor: 4,
          OnPartialBatchItemFailure: Match.absent(),
        },
      },
    });
  });

  test('your dead-letter queue is used, with no queue or alarm of the pipe\'s own', () => {
    const { pipe, template, stack } = build((f) => PipeSource.kinesisStream(f.stream, {
      deadLetterQueue: new sqs.Queue(f.stack, 'MyDlq', { enforceSSL: true }),
    }));
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      SourceParameters: { KinesisStreamParameters: { DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyDlq'), 'Arn'] } } } },
    });
    expect(pipe.deadLetterQueue).toBe(stack.node.findChild('MyDlq'));
    expect(pipe.deadLetterQueueAlarm).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('alarm actions go on the dead-letter alarm; alarms: false creates none', () => {
    const topic = (s: Stack) => new sns.Topic(s, 'Pager');
    const f = fixture();
    new IngestionPipe(f.stack, 'Pipe', {
      source: PipeSource.kinesisStream(f.stream),
      eventBus: f.bus,
      detailType: 'T',
      eventSource: 's',
      alarmActions: [new actions.SnsAction(topic(f.stack))],
    });
    Template.fromStack(f.stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Pager') }] });

    const { template, pipe } = build(kinesisSource, { alarms: false });
    expect(pipe.deadLetterQueueAlarm).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('payload filters are wrapped in the payload field (data), validated, and the record kept whole on request', () => {
    const { template } = build(kinesisSource, {
      payloadFilters: [{ instrumentClass: ['equity', 'fx'] }, { price: [{ numeric: ['>', 0] }] }],
      payloadAsDetail: false,
      logLevel: PipeLogLevel.INFO,
      logRetention: logs.RetentionDays.ONE_MONTH,
      description: 'ticks',
    });
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      Description: 'ticks',
      SourceParameters: {
        FilterCriteria: {
          Filters: [
            { Pattern: '{"data":{"instrumentClass":["equity","fx"]}}' },
            { Pattern: '{"data":{"price":[{"numeric":[">",0]}]}}' },
          ],
        },
      },
      TargetParameters: { InputTemplate: Match.absent() },
      LogConfiguration: { Level: 'INFO' },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });
});

describe('IngestionPipe from an SQS queue', () => {
  const { stack, pipe, template } = build(sqsSource);

  test('reads the queue in batches of 10 and sends the body as detail; no dead-letter queue of its own', () => {
    template.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Statuses'), 'Arn'] },
      SourceParameters: { SqsQueueParameters: { BatchSize: 10, MaximumBatchingWindowInSeconds: Match.absent() } },
      TargetParameters: { InputTemplate: '<$.body>' },
    });
    expect(pipe.deadLetterQueue).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('the role may consume this queue and nothing of Kinesis', () => {
    const policy = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policy).toContain('sqs:ReceiveMessage');
    expect(policy).toContain('sqs:DeleteMessage');
    expect(policy).not.toContain('kinesis:');
    expect(policy).not.toContain('sqs:SendMessage');
  });

  test('filters are wrapped in body; batching overrides win', () => {
    const { template: t } = build((f) => PipeSource.sqsQueue(f.queue, { batchSize: 3, maxBatchingWindow: Duration.seconds(5) }), {
      payloadFilters: [{ status: ['FAULT'] }],
    });
    t.hasResourceProperties('AWS::Pipes::Pipe', {
      SourceParameters: {
        SqsQueueParameters: { BatchSize: 3, MaximumBatchingWindowInSeconds: 5 },
        FilterCriteria: { Filters: [{ Pattern: '{"body":{"status":["FAULT"]}}' }] },
      },
    });
  });

  test('no warning for a queue with a dead-letter queue; a warning for one without', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('no dead-letter queue'))).toHaveLength(0);
    const f = fixture();
    new IngestionPipe(f.stack, 'Pipe', {
      source: PipeSource.sqsQueue(new sqs.Queue(f.stack, 'Bare', { enforceSSL: true })), eventBus: f.bus, detailType: 'T', eventSource: 's',
    });
    const warnings = Annotations.fromStack(f.stack).findWarning('/Test/Pipe', Match.stringLikeRegexp('Bare has no dead-letter queue'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0].entry.data).toContain('cdk-eventbridge-blueprints:ingestionPipeSourceWithoutDlq');
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack, ['/Ticks', '/Bus', '/SourceDlq', '/Statuses'])).toEqual([]);
  });
});

describe('IngestionPipe validation', () => {
  test.each([
    ['batchSize', { batchSize: 0 }, 'source batchSize must be a whole number between 1 and 10 (a batch goes to the bus as one PutEvents request of at most 10 entries), got 0'],
    ['batchSize', { batchSize: 11 }, 'source batchSize must be a whole number between 1 and 10 (a batch goes to the bus as one PutEvents request of at most 10 entries), got 11'],
    ['retryAttempts', { retryAttempts: -1 }, 'source retryAttempts must be a whole number between 0 and 10000, got -1'],
    ['parallelizationFactor', { parallelizationFactor: 11 }, 'source parallelizationFactor must be a whole number between 1 and 10, got 11'],
    ['maxBatchingWindow', { maxBatchingWindow: Duration.minutes(6) }, 'source maxBatchingWindow (seconds) must be a whole number between 0 and 300, got 360'],
    ['maxRecordAge', { maxRecordAge: Duration.seconds(59) }, 'source maxRecordAge (seconds) must be a whole number between 60 and 604800, got 59'],
  ])('throws when the Kinesis %s is out of range', (_name, options, message) => {
    expect(() => build((f) => PipeSource.kinesisStream(f.stream, options))).toThrow(`IngestionPipe 'Test/Pipe': ${message}`);
  });

  test('throws when the SQS batchSize is out of range', () => {
    expect(() => build((f) => PipeSource.sqsQueue(f.queue, { batchSize: 100 })))
      .toThrow("IngestionPipe 'Test/Pipe': source batchSize must be a whole number between 1 and 10 (a batch goes to the bus as one PutEvents request of at most 10 entries), got 100");
  });

  test('throws when there are no filters or more than 5', () => {
    expect(() => build(kinesisSource, { payloadFilters: [] })).toThrow(/payloadFilters must list 1 to 5 patterns \(EventBridge Pipes' limit\), got 0/);
    const six = Array.from({ length: 6 }, (_, i) => ({ n: [i] }));
    expect(() => build(kinesisSource, { payloadFilters: six })).toThrow(/payloadFilters must list 1 to 5 patterns.*got 6/);
  });

  test('throws when a filter is not a valid event pattern, naming its index and path', () => {
    expect(() => build(kinesisSource, { payloadFilters: [{ a: ['x'] }, { price: 5 }] }))
      .toThrow(/IngestionPipe 'Test\/Pipe': payloadFilters\[1\] is not a valid event pattern: data\.price: /);
  });

  test('throws when detailType or eventSource is empty, and on alarm actions without alarms', () => {
    expect(() => build(kinesisSource, { detailType: ' ' })).toThrow("IngestionPipe 'Test/Pipe': detailType must not be empty");
    expect(() => build(kinesisSource, { eventSource: '' })).toThrow("IngestionPipe 'Test/Pipe': eventSource must not be empty");
    const f = fixture();
    expect(() => new IngestionPipe(f.stack, 'Pipe', {
      source: PipeSource.kinesisStream(f.stream),
      eventBus: f.bus,
      detailType: 'T',
      eventSource: 's',
      alarms: false,
      alarmActions: [new actions.SnsAction(new sns.Topic(f.stack, 'T'))],
    })).toThrow("IngestionPipe 'Test/Pipe': alarmActions cannot be used with alarms: false");
  });

  test('unresolved numbers and names are not validated', () => {
    const token = Lazy.number({ produce: () => 20_000 });
    expect(() => build((f) => PipeSource.kinesisStream(f.stream, { batchSize: token, parallelizationFactor: token }), {
      detailType: Lazy.string({ produce: () => '' }),
    })).not.toThrow();
  });
});
