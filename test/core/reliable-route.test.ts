import { App, CfnParameter, Duration, Stack, aws_cloudwatch_actions as actions, aws_events as events, aws_events_targets as targets, aws_lambda as lambda, aws_sns as sns, aws_sqs as sqs } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ReliableRoute, SecureEventBus } from '../../src/core';
import { stableTemplate } from '../helpers';

const PATTERN = { source: ['com.example.orders'], detailType: ['OrderPlaced'] };

function newStack(app: App = new App()): Stack {
  return new Stack(app, 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
}

function queues(stack: Stack, n: number, prefix = 'Q'): sqs.Queue[] {
  return Array.from({ length: n }, (_, i) => new sqs.Queue(stack, `${prefix}${i}`, { enforceSSL: true }));
}

function rules(template: Template): Record<string, any> {
  return template.findResources('AWS::Events::Rule');
}

describe('ReliableRoute defaults', () => {
  let stack: Stack;
  let template: Template;
  let route: ReliableRoute;
  beforeAll(() => {
    stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus', { archive: false, alarms: false });
    route = new ReliableRoute(stack, 'Route', {
      eventBus: bus,
      eventPattern: PATTERN,
      targets: queues(stack, 2).map((q) => new targets.SqsQueue(q)),
    });
    template = Template.fromStack(stack);
  });

  test('one rule on the bus with the rendered pattern', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
      EventPattern: { 'source': ['com.example.orders'], 'detail-type': ['OrderPlaced'] },
      State: 'ENABLED',
    });
    expect(route.rules).toHaveLength(1);
    expect(route.targetCount).toBe(2);
  });

  test('every target gets the shared dead-letter queue and the explicit AWS retry defaults', () => {
    const [rule] = Object.values(rules(template));
    expect(rule.Properties.Targets).toHaveLength(2);
    for (const target of rule.Properties.Targets) {
      expect(target.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(/^RouteDeadLetterQueue/), 'Arn'] } });
      expect(target.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
    }
    expect(route.retryAttempts).toBe(185);
    expect(route.maxEventAge.toHours()).toBe(24);
  });

  test('the dead-letter queue is encrypted, TLS-only and keeps messages 14 days', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^RouteDeadLetterQueue') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Condition: { ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [Match.stringLikeRegexp('^RouteRule'), 'Arn'] } } },
          }),
        ]),
      },
    });
  });

  test('an alarm fires when the dead-letter queue is not empty', () => {
    template.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RouteDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
  });

  test('matches the snapshot (asset hashes normalized)', () => {
    expect(stableTemplate(stack)).toMatchSnapshot();
  });
});

describe('ReliableRoute fan-out beyond 5 targets', () => {
  function build(n: number): Template {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus', { archive: false, alarms: false });
    const route = new ReliableRoute(stack, 'Route', { eventBus: bus, eventPattern: PATTERN, ruleName: 'orders' });
    for (const q of queues(stack, n)) {
      route.addTarget(new targets.SqsQueue(q));
    }
    return Template.fromStack(stack);
  }

  let five: Template;
  let six: Template;
  let seven: Template;
  let eleven: Template;
  beforeAll(() => {
    five = build(5);
    six = build(6);
    seven = build(7);
    eleven = build(11);
  });

  test('7 targets make two rules with the identical pattern: 5 + 2', () => {
    const all = Object.values(rules(seven));
    expect(all).toHaveLength(2);
    expect(all.map((r) => r.Properties.Targets.length).sort()).toEqual([2, 5]);
    expect(all[0].Properties.EventPattern).toEqual(all[1].Properties.EventPattern);
    expect(all.map((r) => r.Properties.Name).sort()).toEqual(['orders', 'orders-2']);
  });

  test('11 targets make three rules', () => {
    expect(Object.values(rules(eleven)).map((r) => r.Properties.Targets.length).sort()).toEqual([1, 5, 5]);
  });

  test('adding a 6th target does not change the logical IDs or content of the existing rule', () => {
    const before = rules(five);
    const after = rules(six);
    expect(Object.keys(before)).toHaveLength(1);
    const [id] = Object.keys(before);
    expect(Object.keys(after)).toContain(id);
    expect(after[id]).toEqual(before[id]);
    expect(Object.keys(after)).toHaveLength(2);
  });

  test('adding a 7th target changes nothing but the second rule', () => {
    const before = rules(six);
    const after = rules(seven);
    expect(Object.keys(after).sort()).toEqual(Object.keys(before).sort());
    const changed = Object.keys(after).filter((id) => JSON.stringify(after[id]) !== JSON.stringify(before[id]));
    expect(changed).toHaveLength(1);
    expect(after[changed[0]].Properties.Name).toBe('orders-2');
  });

  test('every resource of the 6-target template keeps its logical ID with 7 targets', () => {
    const before = Object.keys(six.toJSON().Resources);
    const after = Object.keys(seven.toJSON().Resources);
    expect(after).toEqual(expect.arrayContaining(before));
  });

  test('all rules share one dead-letter queue', () => {
    eleven.resourceCountIs('AWS::SQS::Queue', 12);
    const arns = new Set(Object.values(rules(eleven)).flatMap((r) => r.Properties.Targets.map((t: any) => JSON.stringify(t.DeadLetterConfig))));
    expect(arns.size).toBe(1);
  });
});

describe('ReliableRoute overrides', () => {
  test('retry attempts and maximum event age apply to every target', () => {
    const stack = newStack();
    new ReliableRoute(stack, 'Route', {
      eventPattern: PATTERN,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(1),
      targets: queues(stack, 1).map((q) => new targets.SqsQueue(q)),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 } })],
    });
  });

  test('a target with its own dead-letter queue and retry policy keeps them', () => {
    const stack = newStack();
    const [q] = queues(stack, 1);
    const own = new sqs.Queue(stack, 'Own', { enforceSSL: true });
    new ReliableRoute(stack, 'Route', {
      eventPattern: PATTERN,
      targets: [new targets.SqsQueue(q, { deadLetterQueue: own, retryAttempts: 3, maxEventAge: Duration.hours(2) })],
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Own'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 7200 },
      })],
    });
  });

  test('a target that sets only retry attempts gets the route\'s maximum event age', () => {
    const stack = newStack();
    const [q] = queues(stack, 1);
    new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, targets: [new targets.SqsQueue(q, { retryAttempts: 5 })] });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 5, MaximumEventAgeInSeconds: 86400 } })],
    });
  });

  test('a given dead-letter queue replaces the created one', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'MyDlq', { enforceSSL: true });
    const route = new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, deadLetterQueue: dlq, targets: queues(stack, 1).map((q) => new targets.SqsQueue(q)) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::SQS::Queue', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyDlq'), 'Arn'] } } })],
    });
    expect(route.deadLetterQueue).toBe(dlq);
  });

  test('alarms can be turned off, and alarm actions are added', () => {
    const off = newStack();
    new ReliableRoute(off, 'Route', { eventPattern: PATTERN, alarms: false });
    Template.fromStack(off).resourceCountIs('AWS::CloudWatch::Alarm', 0);

    const on = newStack();
    const topic = new sns.Topic(on, 'Topic');
    new ReliableRoute(on, 'Route', { eventPattern: PATTERN, alarmActions: [new actions.SnsAction(topic)] });
    Template.fromStack(on).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Topic') }] });
  });

  test('description, enabled and a schedule on the default bus', () => {
    const stack = newStack();
    new ReliableRoute(stack, 'Route', { schedule: events.Schedule.rate(Duration.hours(1)), description: 'hourly', enabled: false });
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 hour)',
      Description: 'hourly',
      State: 'DISABLED',
      EventBusName: Match.absent(),
    });
  });

  test('a Lambda target gets its invoke permission, dead-letter queue and retry policy', () => {
    const stack = newStack();
    const fn = new lambda.Function(stack, 'Fn', {
      runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, targets: [new targets.LambdaFunction(fn)] });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Permission', { Principal: 'events.amazonaws.com', Action: 'lambda:InvokeFunction' });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        DeadLetterConfig: Match.anyValue(),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      })],
    });
  });
});

describe('ReliableRoute validation', () => {
  test.each([
    [-1, 'got -1'],
    [186, 'got 186'],
    [1.5, 'got 1.5'],
  ])('throws when retryAttempts is %p', (value, got) => {
    const stack = newStack();
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, retryAttempts: value }))
      .toThrow(`ReliableRoute 'Test/Route': retryAttempts must be a whole number between 0 and 185, ${got}`);
  });

  test.each([
    [Duration.seconds(59), 'got 59 seconds'],
    [Duration.hours(25), 'got 90000 seconds'],
  ])('throws when maxEventAge is %p', (value, got) => {
    const stack = newStack();
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, maxEventAge: value }))
      .toThrow(`ReliableRoute 'Test/Route': maxEventAge must be between 1 minute and 24 hours (60 to 86400 seconds), ${got}`);
  });

  test('accepts the boundaries 0 / 185 attempts and 1 minute / 24 hours', () => {
    const stack = newStack();
    expect(() => new ReliableRoute(stack, 'A', { eventPattern: PATTERN, retryAttempts: 0, maxEventAge: Duration.minutes(1) })).not.toThrow();
    expect(() => new ReliableRoute(stack, 'B', { eventPattern: PATTERN, retryAttempts: 185, maxEventAge: Duration.hours(24) })).not.toThrow();
  });

  test('does not validate a token retryAttempts', () => {
    const stack = newStack();
    const attempts = new CfnParameter(stack, 'Attempts', { type: 'Number' }).valueAsNumber;
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, retryAttempts: attempts })).not.toThrow();
  });

  test('throws when a target brings an out-of-range retry policy', () => {
    const stack = newStack();
    const [q] = queues(stack, 1);
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, targets: [new targets.SqsQueue(q, { maxEventAge: Duration.hours(48) })] }))
      .toThrow(/target Target0 maxEventAge must be between 1 minute and 24 hours/);
  });

  test('throws when neither a pattern nor a schedule is given', () => {
    const stack = newStack();
    expect(() => new ReliableRoute(stack, 'Route', {}))
      .toThrow("ReliableRoute 'Test/Route': eventPattern or schedule must be given: a rule needs an event pattern, a schedule, or both");
  });

  test('throws on an empty pattern', () => {
    const stack = newStack();
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: {} }))
      .toThrow(/eventPattern must not be empty/);
  });

  test('throws when a schedule is used on a custom bus', () => {
    const stack = newStack();
    const bus = new SecureEventBus(stack, 'Bus');
    expect(() => new ReliableRoute(stack, 'Route', { eventBus: bus, schedule: events.Schedule.rate(Duration.hours(1)) }))
      .toThrow(/schedule cannot be used with a custom event bus \(Test\/Bus\)/);
  });

  test('throws when the dead-letter queue is FIFO', () => {
    const stack = newStack();
    const fifo = new sqs.Queue(stack, 'Fifo', { fifo: true });
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, deadLetterQueue: fifo }))
      .toThrow(/ReliableRoute 'Test\/Route': deadLetterQueue must be a standard SQS queue/);
  });

  test('throws when a target\'s own dead-letter queue is a FIFO queue given by ARN', () => {
    const stack = newStack();
    const [q] = queues(stack, 1);
    const fifo = sqs.Queue.fromQueueArn(stack, 'Fifo', 'arn:aws:sqs:eu-west-1:111111111111:dlq.fifo');
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, targets: [new targets.SqsQueue(q, { deadLetterQueue: fifo })] }))
      .toThrow(/target Target0 deadLetterQueue must be a standard SQS queue/);
  });

  test('throws when the dead-letter queue is in another region', () => {
    const app = new App();
    const stack = newStack(app);
    const far = sqs.Queue.fromQueueArn(stack, 'Far', 'arn:aws:sqs:us-east-1:111111111111:far');
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, deadLetterQueue: far }))
      .toThrow(/deadLetterQueue must be a queue in the rule's region \(eu-west-1\), got a queue in us-east-1/);
  });

  test('throws on an invalid rule name', () => {
    const stack = newStack();
    expect(() => new ReliableRoute(stack, 'Route', { eventPattern: PATTERN, ruleName: 'no spaces allowed' }))
      .toThrow(/ruleName must be 1 to 60 characters .*got "no spaces allowed"/);
  });

  test('an invalid pattern fails synthesis with the rule and the path', () => {
    const app = new App();
    const stack = newStack(app);
    new ReliableRoute(stack, 'Route', { eventPattern: { source: ['a'], detail: { price: 5 } as any } });
    expect(() => app.synth()).toThrow(/\[Test\/Route\/Rule\] invalid event pattern at detail\.price: "price" must be an object or an array/);
  });

  test('operator mistakes fail synthesis in EventBridge\'s wording (pattern engine)', () => {
    const app = new App();
    const stack = newStack(app);
    new ReliableRoute(stack, 'Route', {
      eventPattern: { source: ['a'], detail: { price: [{ numeric: ['<', 20, '>=', 10] }], ip: [{ cidr: 'not-an-ip/8' }] } },
    });
    expect(() => app.synth()).toThrow(/detail\.price\[0\]: Too many elements in numeric expression/);
    expect(() => app.synth()).toThrow(/detail\.ip\[0\]: Nonstandard IP address: not-an-ip/);
  });

  test('a pattern with tokens validates', () => {
    const app = new App();
    const stack = new Stack(app, 'Agnostic');
    new ReliableRoute(stack, 'Route', { eventPattern: { account: [stack.account], source: ['a'] } });
    expect(() => app.synth()).not.toThrow();
  });
});
