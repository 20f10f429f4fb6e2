import {
  App,
  Duration,
  Lazy,
  RemovalPolicy,
  SecretValue,
  Stack,
  aws_cloudwatch_actions as actions,
  aws_events as events,
  aws_lambda as lambda,
  aws_secretsmanager as secretsmanager,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ErrorToTicket, ErrorToTicketProps, TicketDelivery } from '../../../src/blueprints/error-to-ticket';
import { SchemaRegistry, SecureEventBus } from '../../../src/core';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}

function secretOf(stack: Stack): secretsmanager.ISecret {
  return secretsmanager.Secret.fromSecretCompleteArn(stack, 'Secret',
    'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ticketing-AbCdEf');
}

function synth(props: (stack: Stack) => ErrorToTicketProps): { stack: Stack; blueprint: ErrorToTicket; template: Template } {
  const stack = newStack();
  const blueprint = new ErrorToTicket(stack, 'ErrorToTicket', props(stack));
  return { stack, blueprint, template: Template.fromStack(stack) };
}

const apiKey = () => events.Authorization.apiKey('X-Api-Key', SecretValue.unsafePlainText('not-a-secret'));

describe('ErrorToTicket with its defaults (Lambda delivery)', () => {
  let blueprint: ErrorToTicket;
  let template: Template;
  beforeAll(() => {
    ({ blueprint, template } = synth((stack) => ({ ticketingSecret: secretOf(stack) })));
  });

  test('creates a SecureEventBus and a SchemaRegistry', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    expect(blueprint.eventBus).toBeInstanceOf(SecureEventBus);
  });

  test('publishes the ErrorReported contract with source com.example.app', () => {
    expect(blueprint.errorReportedContract.source).toBe('com.example.app');
    expect(blueprint.errorReportedContract.detailType).toBe('ErrorReported');
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.example.app@ErrorReported' });
    expect(blueprint.errorReportedContract.detailSchema.required).toEqual(['service', 'errorType', 'message']);
  });

  test('routes ErrorReported events from the blueprint bus to the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('EventBus') },
      EventPattern: { 'source': ['com.example.app'], 'detail-type': ['ErrorReported'] },
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('OpenTicket'), 'Arn'] },
        DeadLetterConfig: Match.anyValue(),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      })],
    });
  });

  test('routes CloudWatch alarms going into ALARM from the DEFAULT bus to the function', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'default',
      EventPattern: {
        'source': ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        'detail': { state: { value: ['ALARM'] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('OpenTicket'), 'Arn'] } })],
    });
    expect(blueprint.alarmRoute).toBeDefined();
  });

  test('each route has a dead-letter queue and an alarm on it', () => {
    expect(blueprint.errorRoute.deadLetterQueueAlarm).toBeDefined();
    expect(blueprint.alarmRoute!.deadLetterQueueAlarm).toBeDefined();
  });

  test('creates the deduplication table: pk fingerprint, TTL expiresAt, on demand, PITR, AWS-managed key, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'fingerprint', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'fingerprint', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  test('the function gets its configuration from the environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 30,
      MemorySize: 256,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: {
          TICKETING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ticketing-AbCdEf',
          DEDUP_TABLE_NAME: { Ref: Match.stringLikeRegexp('DedupTable') },
          DEDUP_WINDOW_SECONDS: '3600',
          HTTP_TIMEOUT_MS: '5000',
          CLAIM_LEASE_SECONDS: '60',
          POWERTOOLS_SERVICE_NAME: 'error-to-ticket',
        },
      },
    });
  });

  test('the function may read the secret and write the table, nothing more', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('OpenTicketRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'],
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('DedupTable'), 'Arn'] },
          }),
          Match.objectLike({
            Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
            Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:ticketing-AbCdEf',
          }),
        ]),
      },
    });
  });

  test('an alarm watches the function\'s on-failure queue', () => {
    expect(blueprint.defaultTicketFunction?.onFailureAlarm).toBeDefined();
    expect(blueprint.defaultTicketFunction?.onFailureQueue).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('OpenTicketOnFailureQueue'), 'Arn'] } } },
    });
  });

  test('the function depends on its role policy only (no redundant DependsOn on the role)', () => {
    const fns = template.findResources('AWS::Lambda::Function');
    const fn = Object.values(fns)[0] as any;
    expect(fn.DependsOn).toEqual([expect.stringMatching(/OpenTicketRoleDefaultPolicy/)]);
  });

  test('no API destination', () => {
    template.resourceCountIs('AWS::Events::ApiDestination', 0);
    template.resourceCountIs('AWS::Events::Connection', 0);
    expect(blueprint.apiDestination).toBeUndefined();
  });
});

describe('ErrorToTicket overrides', () => {
  test('uses the given bus, registry and error source', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'MyBus');
    const registry = new SchemaRegistry(stack, 'MyRegistry');
    const blueprint = new ErrorToTicket(stack, 'E', { eventBus: bus, registry, errorSource: 'com.acme.shop', ticketingSecret: secretOf(stack) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('MyBus') },
      EventPattern: { 'source': ['com.acme.shop'], 'detail-type': ['ErrorReported'] },
    });
    expect(blueprint.eventBus).toBe(bus);
    expect(blueprint.registry).toBe(registry);
  });

  test('dedupWindow, httpTimeout and table removal policy', () => {
    const { template } = synth((stack) => ({
      ticketingSecret: secretOf(stack),
      dedupWindow: Duration.minutes(10),
      dedupTableRemovalPolicy: RemovalPolicy.DESTROY,
      delivery: TicketDelivery.lambda({ httpTimeout: Duration.seconds(20) }),
    }));
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 40,
      Environment: { Variables: Match.objectLike({ DEDUP_WINDOW_SECONDS: '600', HTTP_TIMEOUT_MS: '20000', CLAIM_LEASE_SECONDS: '70' }) },
    });
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
  });

  test('alarmTickets: false creates no alarm route', () => {
    const { blueprint, template } = synth((stack) => ({ ticketingSecret: secretOf(stack), alarmTickets: false }));
    expect(blueprint.alarmRoute).toBeUndefined();
    template.resourceCountIs('AWS::Events::Rule', 1);
  });

  test('alarmNamePrefixes filter the alarms by name prefix', () => {
    const { template } = synth((stack) => ({ ticketingSecret: secretOf(stack), alarmNamePrefixes: ['prod-', 'ops-'] }));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { state: { value: ['ALARM'] }, alarmName: [{ prefix: 'prod-' }, { prefix: 'ops-' }] },
      }),
    });
  });

  test('alarmEventBus moves the alarm route to another bus', () => {
    const { template } = synth((stack) => ({
      ticketingSecret: secretOf(stack),
      alarmEventBus: events.EventBus.fromEventBusName(stack, 'Ops', 'ops'),
    }));
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'ops',
      EventPattern: Match.objectLike({ source: ['aws.cloudwatch'] }),
    });
  });

  test('retryAttempts, maxEventAge and alarmActions reach the routes', () => {
    const { template } = synth((stack) => ({
      ticketingSecret: secretOf(stack),
      retryAttempts: 3,
      maxEventAge: Duration.hours(1),
      alarmActions: [new actions.SnsAction(new sns.Topic(stack, 'Ops', { enforceSSL: true }))],
    }));
    const rules = template.findResources('AWS::Events::Rule');
    for (const rule of Object.values(rules) as any[]) {
      expect(rule.Properties.Targets[0].RetryPolicy).toEqual({ MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 });
    }
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms.length).toBeGreaterThanOrEqual(5);
    for (const alarm of alarms) {
      expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
    }
  });

  test('your own function: no default function, grants on its role, no environment set', () => {
    const stack = newStack();
    const own = new lambda.Function(stack, 'Own', {
      runtime: lambda.Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => {}'),
    });
    const blueprint = new ErrorToTicket(stack, 'E', { ticketingSecret: secretOf(stack), delivery: TicketDelivery.lambda({ handler: own }) });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    expect(blueprint.ticketFunction).toBe(own);
    expect(blueprint.defaultTicketFunction).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: Match.absent() });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('OwnServiceRole') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem'] }),
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'] }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Own'), 'Arn'] } })],
    });
  });

  test('your own function does not need a ticketing secret', () => {
    const stack = newStack();
    const own = lambda.Function.fromFunctionArn(stack, 'Own', 'arn:aws:lambda:eu-west-1:111111111111:function:own');
    expect(() => new ErrorToTicket(stack, 'E', { delivery: TicketDelivery.lambda({ handler: own }) })).not.toThrow();
  });

  // One bring-your-own-handler policy for every blueprint: a default-function-only setting is refused, not ignored.
  test('throws when dedupWindow is given with your own function', () => {
    const stack = newStack();
    const own = lambda.Function.fromFunctionArn(stack, 'Own', 'arn:aws:lambda:eu-west-1:111111111111:function:own');
    expect(() => new ErrorToTicket(stack, 'E', { dedupWindow: Duration.hours(2), delivery: TicketDelivery.lambda({ handler: own }) }))
      .toThrow("ErrorToTicket 'Test/E': dedupWindow configures the default function only and cannot be combined with delivery handler");
  });

  test('throws when httpTimeout is given with your own function', () => {
    const stack = newStack();
    const own = lambda.Function.fromFunctionArn(stack, 'Own', 'arn:aws:lambda:eu-west-1:111111111111:function:own');
    expect(() => new ErrorToTicket(stack, 'E', { delivery: TicketDelivery.lambda({ handler: own, httpTimeout: Duration.seconds(9) }) }))
      .toThrow("ErrorToTicket 'Test/E': delivery httpTimeout configures the default function only and cannot be combined with delivery handler");
  });
});

describe('ErrorToTicket with TicketDelivery.apiDestination()', () => {
  let blueprint: ErrorToTicket;
  let template: Template;
  beforeAll(() => {
    ({ blueprint, template } = synth(() => ({
      delivery: TicketDelivery.apiDestination({ endpoint: 'https://tickets.example.com/api/tickets', authorization: apiKey() }),
    })));
  });

  test('creates a connection and an API destination (POST, 10 per second)', () => {
    template.resourceCountIs('AWS::Events::Connection', 1);
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://tickets.example.com/api/tickets',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
    });
    expect(blueprint.connection).toBeDefined();
    expect(blueprint.apiDestination).toBeDefined();
  });

  test('no function and no deduplication table', () => {
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(blueprint.dedupTable).toBeUndefined();
  });

  test('shapes the ticket body of errors with an input transformer', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({ 'detail-type': ['ErrorReported'] }),
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiDestination'), 'Arn'] },
        DeadLetterConfig: Match.anyValue(),
        RetryPolicy: Match.anyValue(),
        InputTransformer: {
          InputPathsMap: Match.objectLike({ 'detail-service': '$.detail.service', 'detail-message': '$.detail.message', 'id': '$.id' }),
          InputTemplate: Match.stringLikeRegexp('"title":"<detail-service>: <detail-errorType>".*"kind":"error"'),
        },
      })],
    });
  });

  test('shapes the ticket body of alarms with an input transformer', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: 'default',
      Targets: [Match.objectLike({
        InputTransformer: {
          InputPathsMap: Match.objectLike({ 'detail-alarmName': '$.detail.alarmName' }),
          InputTemplate: Match.stringLikeRegexp('"fingerprint":"alarm:<account>:<region>:<detail-alarmName>".*"kind":"alarm"'),
        },
      })],
    });
  });

  test('uses your connection, method, rate limit and headers', () => {
    const { template: t } = synth((stack) => ({
      delivery: TicketDelivery.apiDestination({
        endpoint: 'https://tickets.example.com/api',
        connection: events.Connection.fromEventBusArn(stack, 'Conn',
          'arn:aws:events:eu-west-1:111111111111:connection/tickets/abc', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:events!connection/tickets-AbCdEf'),
        httpMethod: events.HttpMethod.PUT,
        rateLimitPerSecond: 0 + 1,
        headers: { 'X-Project': 'OPS' },
      }),
    }));
    t.resourceCountIs('AWS::Events::Connection', 0);
    t.hasResourceProperties('AWS::Events::ApiDestination', {
      ConnectionArn: 'arn:aws:events:eu-west-1:111111111111:connection/tickets/abc',
      HttpMethod: 'PUT',
      InvocationRateLimitPerSecond: 1,
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ HttpParameters: { HeaderParameters: { 'X-Project': 'OPS' } } })],
    });
  });
});

describe('ErrorToTicket errors', () => {
  const api = (options: Partial<Parameters<typeof TicketDelivery.apiDestination>[0]> = {}) => TicketDelivery.apiDestination({
    endpoint: 'https://tickets.example.com', authorization: apiKey(), ...options,
  });

  test.each<[string, (stack: Stack) => ErrorToTicketProps, RegExp]>([
    ['the Lambda delivery has no ticketing secret', () => ({}), /ticketingSecret is required with the default Lambda delivery/],
    ['a ticketing secret is given with the API destination', (s) => ({ ticketingSecret: secretOf(s), delivery: api() }), /ticketingSecret cannot be used with TicketDelivery.apiDestination/],
    ['dedupWindow is given with the API destination', () => ({ dedupWindow: Duration.hours(1), delivery: api() }), /dedupWindow cannot be used with TicketDelivery.apiDestination\(\): EventBridge API destinations do not deduplicate/],
    ['dedupTableRemovalPolicy is given with the API destination', () => ({ dedupTableRemovalPolicy: RemovalPolicy.DESTROY, delivery: api() }), /dedupTableRemovalPolicy cannot be used/],
    ['the API destination has both connection and authorization', (s) => ({
      delivery: api({ connection: events.Connection.fromConnectionAttributes(s, 'C', { connectionName: 'c', connectionArn: 'arn:aws:events:eu-west-1:111111111111:connection/c/x', connectionSecretArn: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:c' }) }),
    }), /takes `connection` or `authorization`, not both/],
    ['the API destination has neither connection nor authorization', () => ({ delivery: TicketDelivery.apiDestination({ endpoint: 'https://x.example.com' }) }), /needs `connection` or `authorization`/],
    ['the endpoint is not https', () => ({ delivery: api({ endpoint: 'http://tickets.example.com' }) }), /delivery endpoint must be an https:\/\/ URL .*got "http:\/\/tickets.example.com"/],
    ['the rate limit is 0', () => ({ delivery: api({ rateLimitPerSecond: 0 }) }), /rateLimitPerSecond must be a whole number between 1 and 300, got 0/],
    ['the rate limit is 301', () => ({ delivery: api({ rateLimitPerSecond: 301 }) }), /got 301/],
    ['dedupWindow is under a minute', (s) => ({ ticketingSecret: secretOf(s), dedupWindow: Duration.seconds(30) }), /dedupWindow must be a whole number of seconds between 60 \(1 minute\) and 31622400 \(366 days\), got 30 seconds/],
    ['httpTimeout is over 10 minutes', (s) => ({ ticketingSecret: secretOf(s), delivery: TicketDelivery.lambda({ httpTimeout: Duration.minutes(11) }) }), /delivery httpTimeout must be between 1000 ms \(1 second\) and 600000 ms \(10 minutes\), got 660000 ms/],
    ['alarmNamePrefixes is given with alarmTickets: false', (s) => ({ ticketingSecret: secretOf(s), alarmTickets: false, alarmNamePrefixes: ['x'] }), /alarmNamePrefixes cannot be used with alarmTickets: false/],
    ['alarmNamePrefixes is empty', (s) => ({ ticketingSecret: secretOf(s), alarmNamePrefixes: [] }), /alarmNamePrefixes must not be empty/],
    ['an alarm name prefix is empty', (s) => ({ ticketingSecret: secretOf(s), alarmNamePrefixes: [''] }), /alarmNamePrefixes must hold non-empty strings, got ""/],
  ])('throws when %s', (_name, props, message) => {
    const stack = newStack();
    expect(() => new ErrorToTicket(stack, 'E', props(stack))).toThrow(message);
  });

  test('error messages name the construct', () => {
    const stack = newStack();
    expect(() => new ErrorToTicket(stack, 'E', {})).toThrow(/^ErrorToTicket 'Test\/E': /);
  });

  test('does not validate tokens', () => {
    const stack = newStack();
    expect(() => new ErrorToTicket(stack, 'E', {
      delivery: TicketDelivery.apiDestination({
        endpoint: Lazy.string({ produce: () => 'https://x.example.com' }),
        authorization: apiKey(),
        rateLimitPerSecond: Lazy.number({ produce: () => 5 }),
      }),
    })).not.toThrow();
  });
});
