import {
  App,
  Duration,
  Lazy,
  Stack,
  aws_cloudwatch_actions as actions,
  aws_lambda as lambda,
  aws_logs as logs,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { addExampleStacks } from '../../../examples/stacks';
import { BlueprintFunction, BlueprintFunctionProps } from '../../../src/blueprints/kit';
import { nagFindings } from '../../nag';

const CODE = lambda.Code.fromInline('exports.handler = async () => {};');

function build(props: Partial<BlueprintFunctionProps> = {}): { stack: Stack; fn: BlueprintFunction; template: Template } {
  const stack = new Stack(new App(), 'Test', { env: { account: '111111111111', region: 'eu-west-1' } });
  const fn = new BlueprintFunction(stack, 'Consumer', { code: CODE, serviceName: 'orders', ...props });
  return { stack, fn, template: Template.fromStack(stack) };
}

describe('BlueprintFunction defaults', () => {
  const { stack, fn, template } = build();

  test('Node.js 24, 256 MB, 30 s, X-Ray, JSON logs, Powertools settings, no reserved concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'orders', POWERTOOLS_LOG_LEVEL: 'INFO' } },
      ReservedConcurrentExecutions: Match.absent(),
    });
  });

  test('its own role without managed policies, and a log group kept one year', () => {
    template.hasResourceProperties('AWS::IAM::Role', { ManagedPolicyArns: Match.absent() });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
    expect(fn.grantPrincipal).toBe(fn.role);
  });

  test('failed asynchronous invocations go to an encrypted on-failure queue after 2 retries', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerOnFailureQueue'), 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
  });

  test('an alarm fires as soon as the on-failure queue holds a message', () => {
    expect(fn.onFailureAlarm).toBeDefined();
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Threshold: 1,
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ConsumerOnFailureQueue'), 'QueueName'] } }],
    });
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('BlueprintFunction overrides', () => {
  test('reserved concurrency, retries, event age, memory, timeout, retention and environment', () => {
    const { template } = build({
      reservedConcurrentExecutions: 5,
      retryAttempts: 0,
      maxEventAge: Duration.minutes(5),
      memorySize: 512,
      timeout: Duration.seconds(10),
      logRetention: logs.RetentionDays.ONE_MONTH,
      environment: { TABLE: 't' },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 5,
      MemorySize: 512,
      Timeout: 10,
      Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'orders', POWERTOOLS_LOG_LEVEL: 'INFO', TABLE: 't' } },
    });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('alarmActions are added to the on-failure alarm', () => {
    const stack = new Stack();
    const topic = new sns.Topic(stack, 'Ops');
    new BlueprintFunction(stack, 'Consumer', { code: CODE, serviceName: 's', alarmActions: [new actions.SnsAction(topic)] });
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Ops') }] });
  });

  test('alarms: false creates no alarm', () => {
    const { fn, template } = build({ alarms: false });
    expect(fn.onFailureAlarm).toBeUndefined();
    template.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test('tokens are not validated', () => {
    const token = Lazy.number({ produce: () => 0 });
    expect(() => build({ reservedConcurrentExecutions: token, retryAttempts: token, memorySize: token })).not.toThrow();
  });

  test('a token retryAttempts reaches MaximumRetryAttempts', () => {
    const { template } = build({ retryAttempts: Lazy.number({ produce: () => 1 }) });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 1 });
  });
});

describe('BlueprintFunction errors', () => {
  test.each<[string, Partial<BlueprintFunctionProps>, string]>([
    ['reservedConcurrentExecutions is 0', { reservedConcurrentExecutions: 0 }, 'reservedConcurrentExecutions must be a whole number of 1 or more (0 would throttle every invocation into the on-failure queue), got 0'],
    ['retryAttempts is 3', { retryAttempts: 3 }, "retryAttempts must be 0, 1 or 2 (Lambda's asynchronous retries), got 3"],
    ['maxEventAge is 7 hours', { maxEventAge: Duration.hours(7) }, 'maxEventAge must be between 1 minute and 6 hours, got 25200 seconds'],
    ['memorySize is 64', { memorySize: 64 }, 'memorySize must be a whole number of MB between 128 and 10240, got 64'],
    ['logRetention is 2 days', { logRetention: 2 as logs.RetentionDays }, "logRetention must be one of CloudWatch Logs' retention periods (logs.RetentionDays: 1, 3, 5, 7, 14, 30, ... 3653 days), got 2"],
    ['serviceName is blank', { serviceName: ' ' }, 'serviceName must not be empty'],
  ])('throws when %s', (_name, props, message) => {
    expect(() => build(props)).toThrow(`BlueprintFunction 'Test/Consumer': ${message}`);
  });

  test('throws when alarmActions are given with alarms: false', () => {
    const stack = new Stack();
    const topic = new sns.Topic(stack, 'Ops');
    expect(() => new BlueprintFunction(stack, 'Consumer', { code: CODE, serviceName: 's', alarms: false, alarmActions: [new actions.SnsAction(topic)] }))
      .toThrow("BlueprintFunction 'Default/Consumer': alarmActions cannot be used with alarms: false, which creates no alarm to act on");
  });
});

describe('every function of the example app', () => {
  test('sends failed invocations to an on-failure queue that has an alarm', () => {
    const app = new App();
    addExampleStacks(app);
    let functions = 0;
    for (const stack of app.node.children.filter((c): c is Stack => c instanceof Stack)) {
      const template = Template.fromStack(stack).toJSON();
      const resources: Record<string, any> = template.Resources ?? {};
      const alarmedQueues = new Set(Object.values(resources)
        .filter((r) => r.Type === 'AWS::CloudWatch::Alarm')
        .flatMap((r) => (r.Properties.Dimensions ?? []).map((d: any) => d.Value?.['Fn::GetAtt']?.[0])));
      for (const [id, r] of Object.entries(resources)) {
        if (r.Type !== 'AWS::Lambda::Function') continue;
        functions++;
        const config = Object.values(resources).find((c) => c.Type === 'AWS::Lambda::EventInvokeConfig' && c.Properties.FunctionName?.Ref === id);
        const queue = config?.Properties.DestinationConfig?.OnFailure?.Destination?.['Fn::GetAtt']?.[0];
        expect({ stack: stack.stackName, id, alarmed: queue !== undefined && alarmedQueues.has(queue) })
          .toEqual({ stack: stack.stackName, id, alarmed: true });
      }
    }
    expect(functions).toBeGreaterThanOrEqual(9);
  });
});
