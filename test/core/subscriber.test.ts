import {
  CfnResource,
  Duration,
  Lazy,
  Stack,
  aws_events as events,
  aws_iam as iam,
  aws_kinesis as kinesis,
  aws_kms as kms,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sqs as sqs,
  aws_stepfunctions as sfn,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { CustomEventBus, InvocationType, StartingPosition, Subscriber, SubscriberFilter, SubscriberLogLevel, SubscriberOrdering, SubscriberTarget, SubscriberTransformer } from '../../src/core';

function setup() {
  const stack = new Stack(undefined, 'Stack', { env: { account: '111122223333', region: 'us-east-1' } });
  const bus = new CustomEventBus(stack, 'Bus', { eventBusName: 'orders' });
  const queue = new sqs.Queue(stack, 'Target', { enforceSSL: true });
  return { stack, bus, queue };
}

function subscriberProps(stack: Stack): any {
  return Object.values(Template.fromStack(stack).findResources('AWS::EventsV2::Subscriber'))[0].Properties;
}

function rolePolicies(stack: Stack): any[] {
  return Object.values(Template.fromStack(stack).findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

describe('Subscriber defaults', () => {
  test('185 retries over 24 hours, a dead-letter queue, LATEST, UNORDERED, RAW by EventBridge default', () => {
    const { stack, bus, queue } = setup();
    const sub = bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(queue) });
    const props = subscriberProps(stack);
    expect(props).toMatchObject({
      EventBusArn: { 'Fn::GetAtt': [stack.getLogicalId(bus.resource), 'EventBusArn'] },
      Type: 'UNORDERED',
      StartingPosition: 'LATEST',
      RetryPolicy: { MaxRetryAttempts: 185, MaxEventAgeInSeconds: 86400 },
      OnFailureConfiguration: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(sub.deadLetterQueue.node.defaultChild as any), 'Arn'] } },
      InvokeConfiguration: {
        TargetArn: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as any), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(sub.role.node.defaultChild as any), 'Arn'] },
      },
    });
    expect(props.Transformer).toBeUndefined();
    expect(props.FilterConfiguration).toBeUndefined();
    expect(props.State).toBeUndefined();
    expect(props.Name).toMatch(/^StackBusSub[0-9A-F]{8}$/);
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600,
    });
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 3); // 2 bus + 1 dead-letter queue
  });

  test('the role trusts events.amazonaws.com for this account only and may send to the target and the DLQ only', () => {
    const { stack, bus, queue } = setup();
    const sub = bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(queue) });
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{
          Action: 'sts:AssumeRole',
          Effect: 'Allow',
          Principal: { Service: 'events.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
        }],
      },
    });
    expect(rolePolicies(stack)).toEqual([
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(sub.deadLetterQueue.node.defaultChild as any), 'Arn'] } },
      { Action: 'sqs:SendMessage', Effect: 'Allow', Resource: { 'Fn::GetAtt': [stack.getLogicalId(queue.node.defaultChild as any), 'Arn'] } },
    ]);
  });

  test('the subscriber depends on its role policy', () => {
    const { stack, bus, queue } = setup();
    const sub = bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(queue) });
    const res = Template.fromStack(stack).findResources('AWS::EventsV2::Subscriber')[stack.getLogicalId(sub.resource)];
    expect(res.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^BusSubRoleDefaultPolicy/)]));
  });
});

describe('Subscriber overrides', () => {
  test('every option is rendered', () => {
    const { stack, bus, queue } = setup();
    const dlq = new sqs.Queue(stack, 'Dlq', { enforceSSL: true });
    bus.addSubscriber('Sub', {
      target: SubscriberTarget.sqs(queue),
      subscriberName: 'large-orders',
      description: 'Large orders',
      filters: [
        SubscriberFilter.fromEventPattern({ detailType: ['OrderPlaced'], detail: { amount: [{ numeric: ['>', 500] }] } }),
        SubscriberFilter.metadata({ tenant: ['acme'] }),
        SubscriberFilter.systemMetadata({ 'aws:Source': ['shop'] }),
      ],
      transformer: SubscriberTransformer.jsonata('{ "id": $events.Data.detail.id }'),
      ordering: SubscriberOrdering.FIFO,
      startingPosition: StartingPosition.timestamp(new Date('2026-01-01T00:00:00Z'), new Date('2026-01-02T00:00:00Z')),
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      deadLetterQueue: dlq,
      alarms: false,
      maxBatchSize: 5,
      maxBatchWindow: Duration.seconds(0),
      enabled: false,
      logLevel: SubscriberLogLevel.ERROR,
    });
    expect(subscriberProps(stack)).toMatchObject({
      Name: 'large-orders',
      Description: 'Large orders',
      FilterConfiguration: {
        Filters: [
          { Scope: 'DATA', Pattern: '{"detail-type":["OrderPlaced"],"detail":{"amount":[{"numeric":[">",500]}]}}' },
          { Scope: 'METADATA', Pattern: '{"tenant":["acme"]}' },
          { Scope: 'SYSTEM_METADATA', Pattern: '{"aws:Source":["shop"]}' },
        ],
      },
      Transformer: { Type: 'JSONATA', JsonataConfiguration: { Expression: '{% { "id": $events.Data.detail.id } %}' } },
      Type: 'FIFO',
      StartingPosition: 'POINT_IN_TIME',
      PointInTimeConfiguration: { PointType: 'TIMESTAMP', StartingPoint: 1767225600, EndPoint: 1767312000 },
      RetryPolicy: { MaxRetryAttempts: 0, MaxEventAgeInSeconds: 60 },
      OnFailureConfiguration: { Arn: { 'Fn::GetAtt': [stack.getLogicalId(dlq.node.defaultChild as any), 'Arn'] } },
      BatchConfiguration: { MaxBatchSize: 5, MaxBatchWindowInSeconds: 0 },
      State: 'STOPPED',
      LogConfiguration: { Level: 'ERROR' },
    });
    Template.fromStack(stack).resourceCountIs('AWS::SQS::Queue', 2); // target + the given DLQ
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 2); // the bus's only
  });

  test('WITH_METADATA and an explicit RAW are rendered; a JSONata expression keeps its delimiters', () => {
    const { stack, bus, queue } = setup();
    bus.addSubscriber('A', { target: SubscriberTarget.sqs(queue), transformer: SubscriberTransformer.WITH_METADATA });
    bus.addSubscriber('B', { target: SubscriberTarget.sqs(queue), transformer: SubscriberTransformer.RAW });
    bus.addSubscriber('C', { target: SubscriberTarget.sqs(queue), transformer: SubscriberTransformer.jsonata('{% $events.Data %}') });
    const types = Object.values(Template.fromStack(stack).findResources('AWS::EventsV2::Subscriber')).map((r: any) => r.Properties.Transformer);
    expect(types).toEqual([
      { Type: 'WITH_METADATA' },
      { Type: 'RAW' },
      { Type: 'JSONATA', JsonataConfiguration: { Expression: '{% $events.Data %}' } },
    ]);
  });

  test('StartingPosition.horizon reads from the oldest retained event', () => {
    const { stack, bus, queue } = setup();
    bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(queue), startingPosition: StartingPosition.horizon() });
    expect(subscriberProps(stack)).toMatchObject({ StartingPosition: 'POINT_IN_TIME', PointInTimeConfiguration: { PointType: 'HORIZON' } });
  });

  test('a role of your own gets the permissions and no role is created', () => {
    const { stack, bus, queue } = setup();
    const role = new iam.Role(stack, 'Mine', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    const sub = bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(queue), role });
    expect(sub.role).toBe(role);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::Role', 1);
  });

  test('new Subscriber() works with an imported bus', () => {
    const { stack, queue } = setup();
    const bus = CustomEventBus.fromEventBusArn(stack, 'Imported', 'arn:aws:events:us-east-1:111122223333:event-busv2/b/exampleid0123456789abcdef');
    new Subscriber(stack, 'Sub', { eventBus: bus, target: SubscriberTarget.sqs(queue) });
    expect(subscriberProps(stack).EventBusArn).toBe('arn:aws:events:us-east-1:111122223333:event-busv2/b/exampleid0123456789abcdef');
  });
});

describe('Subscriber validation', () => {
  const bad: Array<[string, (s: Stack, q: sqs.IQueue) => any, string]> = [
    ['two filters of one scope', (_s, q) => ({
      target: SubscriberTarget.sqs(q), filters: [SubscriberFilter.data({ source: ['a'] }), SubscriberFilter.data({ source: ['b'] })],
    }), 'filters must have at most one filter per scope, got two DATA filters'],
    ['a wildcard in a DATA filter', (_s, q) => ({
      target: SubscriberTarget.sqs(q), filters: [SubscriberFilter.data({ source: [{ wildcard: 'a*' }] })],
    }), 'filters (DATA) has an invalid pattern: source: subscriber filters do not support wildcard matching'],
    ['a wildcard inside anything-but in SYSTEM_METADATA', (_s, q) => ({
      target: SubscriberTarget.sqs(q), filters: [SubscriberFilter.systemMetadata({ 'aws:Source': [{ 'anything-but': { wildcard: 'a*' } }] })],
    }), 'filters (SYSTEM_METADATA) has an invalid pattern: aws:Source: subscriber filters do not support wildcard matching'],
    ['a prefix in a METADATA filter', (_s, q) => ({
      target: SubscriberTarget.sqs(q), filters: [SubscriberFilter.metadata({ tenant: [{ prefix: 'ac' }] })],
    }), 'filters (METADATA) has an invalid pattern: tenant: a METADATA filter matches exact values only, got the operator "prefix"'],
    ['$or in a METADATA filter', (_s, q) => ({
      target: SubscriberTarget.sqs(q), filters: [SubscriberFilter.metadata({ $or: [{ a: ['1'] }, { b: ['2'] }] })],
    }), 'filters (METADATA) has an invalid pattern: $or: a METADATA filter matches exact values only; "$or" is not supported'],
    ['a pattern EventBridge rejects', (_s, q) => ({
      target: SubscriberTarget.sqs(q), filters: [SubscriberFilter.data({ source: 'shop' })],
    }), 'filters (DATA) has an invalid pattern: source:'],
    ['a pattern over 4096 characters', (_s, q) => ({
      target: SubscriberTarget.sqs(q), filters: [SubscriberFilter.data({ source: Array.from({ length: 500 }, (_, i) => `source-${i}`) })],
    }), 'filters (DATA) has an invalid pattern: (root): Event pattern is 6402 characters long; the maximum is 4096'],
    ['a JSONata transformer that does not parse', (_s, q) => ({
      target: SubscriberTarget.sqs(q), transformer: SubscriberTransformer.jsonata('{ "a": }'),
    }), 'transformer is not a valid JSONata expression'],
    ['a JSONata transformer over the 8192 characters EventBridge takes', (_s, q) => ({
      target: SubscriberTarget.sqs(q), transformer: SubscriberTransformer.jsonata(`"${'x'.repeat(8200)}"`),
    }), 'transformer must be at most 8192 characters with its {% %} delimiters (https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_JsonataConfiguration.html), got 8208 characters'],
    ['a JSONata Step Functions execution name over 8192 characters', (s) => ({
      target: SubscriberTarget.stepFunctions(new sfn.StateMachine(s, 'M', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Pass(s, 'P')) }),
        { executionName: `{% "${'x'.repeat(8200)}" %}` }),
    }), 'target stepFunctionsParameters.name must be at most 8192 characters with its {% %} delimiters (https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_StepFunctionsParameters.html), got 8208 characters'],
    ['a JSONata target parameter that does not parse', (_s) => ({
      target: SubscriberTarget.sqs(new sqs.Queue(_s, 'F', { fifo: true, enforceSSL: true }), { messageGroupId: '{% $events.( %}' }),
    }), 'target sqsParameters.messageGroupId is not a valid JSONata expression'],
    ['retryAttempts 186', (_s, q) => ({ target: SubscriberTarget.sqs(q), retryAttempts: 186 }),
      'retryAttempts must be a whole number between 0 and 185, got 186'],
    ['maxEventAge 30 seconds', (_s, q) => ({ target: SubscriberTarget.sqs(q), maxEventAge: Duration.seconds(30) }),
      'maxEventAge must be between 1 minute and 24 hours (60 to 86400 seconds), got 30 seconds'],
    ['a batch larger than SQS takes', (_s, q) => ({ target: SubscriberTarget.sqs(q), maxBatchSize: 11 }),
      'maxBatchSize must be a whole number from 1 to 10 for a SQS target, got 11'],
    ['a batch window of 301 seconds', (_s, q) => ({ target: SubscriberTarget.sqs(q), maxBatchWindow: Duration.seconds(301) }),
      'maxBatchWindow must be from 0 to 300 seconds, got 301 seconds'],
    ['a bad name', (_s, q) => ({ target: SubscriberTarget.sqs(q), subscriberName: 'a b' }),
      'subscriberName must be 1 to 256 characters, the first a letter or digit, then letters, digits, ".", "-" or "_", got "a b"'],
    ['a FIFO queue without a message group', (s) => ({ target: SubscriberTarget.sqs(new sqs.Queue(s, 'F', { fifo: true, enforceSSL: true })) }),
      "target messageGroupId must be set for the FIFO queue \"Stack/F\": SQS rejects every message without one; '{% $events.SystemMetadata.EventGroupId %}'"],
    ['a delay on a FIFO queue', (s) => ({
      target: SubscriberTarget.sqs(new sqs.Queue(s, 'F', { fifo: true, enforceSSL: true }), { messageGroupId: 'g', delay: Duration.seconds(5) }),
    }), 'target delay cannot be set for the FIFO queue "Stack/F": a FIFO queue takes no per-message delay'],
    ['a FIFO topic without a message group', (s) => ({ target: SubscriberTarget.sns(new sns.Topic(s, 'T', { fifo: true, enforceSSL: true })) }),
      'target messageGroupId must be set for the FIFO topic "Stack/T"'],
    ['a WITH_METADATA transformer for a Classic bus', (s) => ({
      target: SubscriberTarget.classicEventBus(new events.EventBus(s, 'Classic')), transformer: SubscriberTransformer.WITH_METADATA,
    }), 'transformer must be RAW for a Classic event bus target (EventBridge supports only RAW there), got WITH_METADATA'],
    ['an empty Kinesis partition key', (s) => ({ target: SubscriberTarget.kinesis(new kinesis.Stream(s, 'K'), { partitionKey: ' ' }) }),
      'target partitionKey must not be empty, got " "'],
  ];

  test.each(bad)('throws on %s', (_name, props, message) => {
    const { stack, bus, queue } = setup();
    expect(() => bus.addSubscriber('Sub', props(stack, queue))).toThrow(`Subscriber 'Stack/Bus/Sub': ${message}`);
  });

  test('a JSONata transformer of exactly 8192 characters with its delimiters is accepted', () => {
    const { stack, bus, queue } = setup();
    bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(queue), transformer: SubscriberTransformer.jsonata(`"${'x'.repeat(8184)}"`) });
    expect(subscriberProps(stack).Transformer.JsonataConfiguration.Expression).toHaveLength(8192);
  });

  test('a pattern over the Classic limit (2048) but within 4096 characters is accepted', () => {
    const { stack, bus, queue } = setup();
    const source = Array.from({ length: 300 }, (_, i) => `source-${i}`);
    expect(JSON.stringify({ source }).length).toBeGreaterThan(2048);
    bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(queue), filters: [SubscriberFilter.data({ source })] });
    expect(JSON.parse(subscriberProps(stack).FilterConfiguration.Filters[0].Pattern).source).toHaveLength(300);
  });

  test('throws when the target is the subscriber\'s own bus', () => {
    const { bus } = setup();
    expect(() => bus.addSubscriber('Sub', { target: SubscriberTarget.customEventBus(bus) }))
      .toThrow('Subscriber \'Stack/Bus/Sub\': target must not be the subscriber\'s own bus "Stack/Bus"');
  });

  test('skips validation of tokens in patterns, names and retry values', () => {
    const { stack, bus, queue } = setup();
    bus.addSubscriber('Sub', {
      target: SubscriberTarget.sqs(queue),
      subscriberName: Lazy.string({ produce: () => 'n' }),
      retryAttempts: Lazy.number({ produce: () => 3 }),
      filters: [SubscriberFilter.data({ source: [Lazy.string({ produce: () => 'shop' })] })],
    });
    expect(subscriberProps(stack)).toMatchObject({
      Name: 'n', RetryPolicy: { MaxRetryAttempts: 3 }, FilterConfiguration: { Filters: [{ Scope: 'DATA', Pattern: '{"source":["shop"]}' }] },
    });
  });

  test('warns on a constant deduplication ID', () => {
    const { stack, bus } = setup();
    const fifo = new sqs.Queue(stack, 'F', { fifo: true, enforceSSL: true });
    bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(fifo, { messageGroupId: 'g', messageDeduplicationId: 'same' }) });
    Annotations.fromStack(stack).hasWarning('/Stack/Bus/Sub', Match.stringLikeRegexp('constant "same": the target will discard every message after the first'));
  });

  test('a JSONata deduplication ID gives no warning', () => {
    const { stack, bus } = setup();
    const fifo = new sqs.Queue(stack, 'F', { fifo: true, enforceSSL: true });
    bus.addSubscriber('Sub', {
      target: SubscriberTarget.sqs(fifo, { messageGroupId: '{% $events.SystemMetadata.EventGroupId %}', messageDeduplicationId: '{% $events.Data.id %}' }),
    });
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
    expect(subscriberProps(stack).InvokeConfiguration.SqsParameters).toEqual({
      MessageGroupId: '{% $events.SystemMetadata.EventGroupId %}', MessageDeduplicationId: '{% $events.Data.id %}',
    });
  });
});

describe('targets', () => {
  test('Lambda: invoke the function only; a FIFO subscriber invokes synchronously by default', () => {
    const { stack, bus } = setup();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111122223333:function:f');
    bus.addSubscriber('Sub', { target: SubscriberTarget.lambda(fn), ordering: SubscriberOrdering.FIFO });
    expect(subscriberProps(stack).InvokeConfiguration).toMatchObject({
      TargetArn: 'arn:aws:lambda:us-east-1:111122223333:function:f',
      LambdaParameters: { InvocationType: 'REQUEST_RESPONSE' },
    });
    expect(rolePolicies(stack)).toContainEqual({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: 'arn:aws:lambda:us-east-1:111122223333:function:f' });
  });

  test('Lambda: a qualifier allows <arn>:*; EVENT on a FIFO subscriber warns', () => {
    const { stack, bus } = setup();
    const fn = lambda.Function.fromFunctionArn(stack, 'Fn', 'arn:aws:lambda:us-east-1:111122223333:function:f');
    bus.addSubscriber('Sub', {
      target: SubscriberTarget.lambda(fn, { qualifier: 'live', invocationType: InvocationType.EVENT, invocationTimeout: Duration.seconds(30) }),
      ordering: SubscriberOrdering.FIFO,
    });
    expect(subscriberProps(stack).InvokeConfiguration.LambdaParameters).toEqual({ InvocationType: 'EVENT', Qualifier: 'live', InvocationTimeoutSeconds: '30' });
    expect(rolePolicies(stack)).toContainEqual({ Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: 'arn:aws:lambda:us-east-1:111122223333:function:f:*' });
    Annotations.fromStack(stack).hasWarning('/Stack/Bus/Sub', Match.stringLikeRegexp('order holds only up to the hand-off'));
  });

  test('SQS with a customer-managed key: the role may use the key', () => {
    const { stack, bus } = setup();
    const key = new kms.Key(stack, 'Key');
    const q = new sqs.Queue(stack, 'Q', { encryptionMasterKey: key, enforceSSL: true });
    bus.addSubscriber('Sub', { target: SubscriberTarget.sqs(q, { delay: Duration.seconds(10) }) });
    expect(subscriberProps(stack).InvokeConfiguration.SqsParameters).toEqual({ DelaySeconds: '10' });
    expect(rolePolicies(stack)).toContainEqual(expect.objectContaining({ Action: ['kms:GenerateDataKey', 'kms:Decrypt'] }));
  });

  test('SNS, Kinesis, Step Functions, API destination, Classic bus and Custom Event Bus targets', () => {
    const { stack, bus } = setup();
    const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true });
    const stream = new kinesis.Stream(stack, 'Stream');
    const machine = sfn.StateMachine.fromStateMachineArn(stack, 'M', 'arn:aws:states:us-east-1:111122223333:stateMachine:m');
    const destination = events.ApiDestination.fromApiDestinationAttributes(stack, 'Dest', {
      apiDestinationArn: 'arn:aws:events:us-east-1:111122223333:api-destination/tickets/abc',
      connection: events.Connection.fromEventBusArn(stack, 'Conn', 'arn:aws:events:us-east-1:111122223333:connection/c/abc',
        'arn:aws:secretsmanager:us-east-1:111122223333:secret:c-abc'),
    });
    const classic = new events.EventBus(stack, 'Classic');
    const downstream = new CustomEventBus(stack, 'Downstream');
    bus.addSubscriber('Sns', { target: SubscriberTarget.sns(topic, { subject: 'Order' }) });
    bus.addSubscriber('Kinesis', { target: SubscriberTarget.kinesis(stream, { partitionKey: '{% $events.Data.detail.id %}' }) });
    bus.addSubscriber('Sfn', { target: SubscriberTarget.stepFunctions(machine, { invocationType: InvocationType.REQUEST_RESPONSE }) });
    bus.addSubscriber('Http', { target: SubscriberTarget.apiDestination(destination, { pathParameterValues: ['orders'] }) });
    bus.addSubscriber('Classic', { target: SubscriberTarget.classicEventBus(classic) });
    bus.addSubscriber('Bus', { target: SubscriberTarget.customEventBus(downstream, { eventGroupId: '{% $events.SystemMetadata.EventGroupId %}' }) });
    const invokes = Object.values(Template.fromStack(stack).findResources('AWS::EventsV2::Subscriber')).map((r: any) => r.Properties.InvokeConfiguration);
    expect(invokes.map((i) => Object.keys(i).sort())).toEqual([
      ['RoleArn', 'SnsParameters', 'TargetArn'],
      ['KinesisParameters', 'RoleArn', 'TargetArn'],
      ['RoleArn', 'StepFunctionsParameters', 'TargetArn'],
      ['HttpParameters', 'RoleArn', 'TargetArn'],
      ['RoleArn', 'TargetArn'],
      ['EventBusV2Parameters', 'RoleArn', 'TargetArn'],
    ]);
    const actions = rolePolicies(stack).map((s) => s.Action).flat();
    expect(actions).toEqual(expect.arrayContaining(['sns:Publish', 'kinesis:PutRecords', 'states:StartSyncExecution',
      'events:InvokeApiDestination', 'events:PutEvents', 'events:PutRawEvents']));
    expect(actions).not.toContain('states:StartExecution');
    expect(invokes[5].EventBusV2Parameters).toEqual({ SystemMetadata: { EventGroupId: '{% $events.SystemMetadata.EventGroupId %}' } });
  });
});

describe('the L1 in a protected method', () => {
  test('a subclass gets the computed CloudFormation properties in createResource and can change the L1', () => {
    const seen: Array<{ [key: string]: any }> = [];
    class Tuned extends Subscriber {
      protected createResource(properties: { [key: string]: any }): CfnResource {
        seen.push(properties);
        const resource = super.createResource(properties);
        resource.addPropertyOverride('Description', 'tuned');
        return resource;
      }
    }
    const { stack, bus, queue } = setup();
    const subscriber = new Tuned(stack, 'Sub', { eventBus: bus, target: SubscriberTarget.sqs(queue), retryAttempts: 10 });
    expect(seen).toHaveLength(1);
    expect(Object.keys(seen[0])).toEqual(expect.arrayContaining(['EventBusArn', 'InvokeConfiguration', 'RetryPolicy', 'OnFailureConfiguration']));
    expect(seen[0].RetryPolicy.MaxRetryAttempts).toBe(10);
    expect(subscriberProps(stack)).toMatchObject({ Description: 'tuned', RetryPolicy: { MaxRetryAttempts: 10 } });
    expect(subscriber.resource.node.id).toBe('Resource');
  });
});
