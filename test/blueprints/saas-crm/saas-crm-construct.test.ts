import {
  Duration,
  Lazy,
  RemovalPolicy,
  SecretValue,
  Size,
  Stack,
  aws_events as events,
  aws_lambda as lambda,
} from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { SALESFORCE, newStack, secret } from './fixtures';
import { LeadEventFormat, MarketingDelivery, SaasCrmToMarketing, SaasCrmToMarketingProps } from '../../../src/blueprints/saas-crm';
import { SecureEventBus } from '../../../src/core';


const apiKey = () => events.Authorization.apiKey('X-Api-Key', SecretValue.secretsManager('marketing/api-key'));
const apiDelivery = (extra: object = {}) => MarketingDelivery.apiDestination({ endpoint: 'https://marketing.example.com/contacts', authorization: apiKey(), ...extra });

function synth(props: (stack: Stack) => SaasCrmToMarketingProps): { stack: Stack; blueprint: SaasCrmToMarketing; template: Template } {
  const stack = newStack();
  const blueprint = new SaasCrmToMarketing(stack, 'Crm', props(stack));
  return { stack, blueprint, template: Template.fromStack(stack) };
}

function expectThrow(props: (stack: Stack) => SaasCrmToMarketingProps, message: string | RegExp) {
  const stack = newStack();
  expect(() => new SaasCrmToMarketing(stack, 'Crm', props(stack))).toThrow(message);
}

describe('partner event source', () => {
  let blueprint: SaasCrmToMarketing;
  let template: Template;
  beforeAll(() => {
    ({ blueprint, template } = synth(() => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: apiDelivery() })));
  });

  test('creates the partner bus named after the source, matched to it', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: SALESFORCE, EventSourceName: SALESFORCE });
    expect(blueprint.partnerEventBus).toBeInstanceOf(SecureEventBus);
  });

  test('archives the partner bus for 30 days, so that leads can be replayed', () => {
    template.hasResourceProperties('AWS::Events::Archive', {
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PartnerEventBus'), 'Arn'] },
      RetentionDays: 30,
    });
  });

  test('a Salesforce source gets the Salesforce Change Data Capture preset: Lead creations, updates and undeletions', () => {
    expect(blueprint.partnerFormat!.name).toBe('salesforce-cdc');
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('PartnerEventBus') },
      EventPattern: {
        'source': [SALESFORCE],
        'detail-type': ['LeadChangeEvent'],
        'detail': { payload: { ChangeEventHeader: { changeType: ['CREATE', 'UPDATE', 'UNDELETE'] } } },
      },
    });
  });

  test('alarms on failed and dead-lettered deliveries of the partner bus (the SecureEventBus alarms)', () => {
    const bus = blueprint.partnerEventBus as SecureEventBus;
    expect(bus.failedInvocationsAlarm).toBeDefined();
    expect(bus.deadLetteredInvocationsAlarm).toBeDefined();
    expect(blueprint.partnerRoute!.deadLetterQueueAlarm).toBeDefined();
    // The bus's alarms cover the route: no second pair.
    expect(blueprint.deliveryAlarms).toEqual([]);
  });

  test('another partner gets the generic preset', () => {
    const { blueprint: other, template: t } = synth(() => ({ partnerEventSource: { eventSourceName: 'aws.partner/crm.example.com/acme/leads' }, delivery: apiDelivery() }));
    expect(other.partnerFormat!.name).toBe('generic');
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['aws.partner/crm.example.com/acme/leads'], 'detail-type': ['LeadUpdated'] } });
  });

  test('archiveRetention overrides the default', () => {
    const { template: t } = synth(() => ({
      partnerEventSource: { eventSourceName: SALESFORCE, archiveRetention: Duration.days(90) },
      delivery: apiDelivery(),
    }));
    t.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 90 });
  });

  test.each([
    ['salesforce.com/org/channel', 'not under aws.partner/'],
    ['aws.partner/salesforce.com', 'only one segment'],
    ['aws.partner/sales force/org', 'a space'],
    [`aws.partner/x/${'a'.repeat(260)}`, 'longer than 256'],
  ])('throws when the source name is %s (%s), with EventBridge\'s pattern', (name) => {
    expectThrow(() => ({ partnerEventSource: { eventSourceName: name }, delivery: apiDelivery() }),
      'SaasCrmToMarketing \'Test/Crm\': partnerEventSource.eventSourceName must be the name of a partner event source: 1 to 256 characters matching aws\\.partner(/[\\.\\-_A-Za-z0-9]+){2,}');
  });

  test('skips the source name check for a token', () => {
    const { template: t } = synth(() => ({
      partnerEventSource: { eventSourceName: Lazy.string({ produce: () => SALESFORCE }), format: LeadEventFormat.generic() },
      delivery: apiDelivery(),
    }));
    t.hasResourceProperties('AWS::Events::EventBus', { EventSourceName: SALESFORCE });
  });

  test('throws when an existing partner bus is not named after the source, in EventBridge\'s words', () => {
    expectThrow((stack) => ({
      partnerEventSource: { eventSourceName: SALESFORCE, eventBus: events.EventBus.fromEventBusName(stack, 'Bus', 'salesforce-leads') },
      delivery: apiDelivery(),
    }), `partnerEventSource.eventBus is named "salesforce-leads", but for partner event buses, the name must exactly match the name of the partner event source that this event bus is matched to ("${SALESFORCE}")`);
  });

  test('an existing partner bus named after the source gets per-route alarms instead of an archive', () => {
    const { blueprint: b, template: t } = synth((stack) => ({
      partnerEventSource: { eventSourceName: SALESFORCE, eventBus: events.EventBus.fromEventBusName(stack, 'Bus', SALESFORCE) },
      delivery: apiDelivery(),
    }));
    t.resourceCountIs('AWS::Events::EventBus', 0);
    t.resourceCountIs('AWS::Events::Archive', 0);
    expect(b.deliveryAlarms).toHaveLength(2);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/Events',
      MetricName: 'FailedInvocations',
      Dimensions: Match.arrayWith([{ Name: 'EventBusName', Value: SALESFORCE }]),
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Events', MetricName: 'InvocationsSentToDlq' });
  });

  test('throws when archiveRetention comes with an existing bus', () => {
    expectThrow((stack) => ({
      partnerEventSource: { eventSourceName: SALESFORCE, eventBus: events.EventBus.fromEventBusName(stack, 'Bus', SALESFORCE), archiveRetention: Duration.days(7) },
      delivery: apiDelivery(),
    }), 'partnerEventSource.archiveRetention cannot be used with partnerEventSource.eventBus');
  });

  test('a custom format routes its detail-types and reads its paths', () => {
    const format = LeadEventFormat.custom({
      detailTypes: ['lead.updated'],
      fieldPaths: { leadId: '$.detail.lead.id', email: '$.detail.lead.emails[0]' },
      detailPattern: { object: ['lead'] },
    });
    const { template: t } = synth(() => ({ partnerEventSource: { eventSourceName: 'aws.partner/crm.example.com/acme/leads', format }, delivery: apiDelivery() }));
    t.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'detail-type': ['lead.updated'], 'detail': { object: ['lead'] } } });
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ InputTransformer: { InputPathsMap: Match.objectEquals({ 'detail-lead-id': '$.detail.lead.id', 'detail-lead-emails-0-': '$.detail.lead.emails[0]', 'id': '$.id' }), InputTemplate: Match.anyValue() } })],
    });
  });

  test.each([
    [{ detailTypes: [], fieldPaths: { leadId: '$.detail.id' } }, 'detailTypes must name at least one detail-type'],
    [{ detailTypes: ['x'], fieldPaths: { email: '$.detail.email' } }, 'fieldPaths must give the path of leadId'],
    [{ detailTypes: ['x'], fieldPaths: { leadId: '$.detail.id', shoeSize: '$.detail.shoe' } }, 'fieldPaths has unknown lead fields "shoeSize"'],
    [{ detailTypes: ['x'], fieldPaths: { leadId: 'detail.id' } }, 'fieldPaths.leadId must be a JSON path like "$.detail.leadId"'],
  ])('throws for an invalid custom format (%#)', (props, message) => {
    expectThrow(() => ({ partnerEventSource: { eventSourceName: SALESFORCE, format: LeadEventFormat.custom(props) }, delivery: apiDelivery() }),
      `SaasCrmToMarketing 'Test/Crm': partnerEventSource.format (custom) is invalid: ${message}`);
  });
});

describe('API destination delivery', () => {
  let blueprint: SaasCrmToMarketing;
  let template: Template;
  beforeAll(() => {
    ({ blueprint, template } = synth(() => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: apiDelivery() })));
  });

  test('creates a connection with the API key from Secrets Manager', () => {
    template.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'API_KEY',
      AuthParameters: { ApiKeyAuthParameters: { ApiKeyName: 'X-Api-Key', ApiKeyValue: '{{resolve:secretsmanager:marketing/api-key:SecretString:::}}' } },
    });
  });

  test('limits the invocation rate to 10 per second by default', () => {
    template.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://marketing.example.com/contacts',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 10,
    });
  });

  test('grants events:InvokeApiDestination itself (aws/aws-cdk#30386), on the ARN in resource format', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: 'events:InvokeApiDestination',
          Effect: 'Allow',
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiDestination'), 'ArnForPolicy'] },
        }],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('DeliveryRole') }],
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'events.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '111111111111' } } })] },
    });
  });

  test('the target has the role, the dead-letter queue, the retry policy and the contact transformer', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('ApiDestination'), 'Arn'] },
        RoleArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeliveryRole'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('PartnerRouteDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        InputTransformer: Match.anyValue(),
      })],
    });
    expect(blueprint.apiDestination).toBeDefined();
    expect(blueprint.deliveryRole).toBeDefined();
  });

  test('only the allowlisted fields are extracted: the default list', () => {
    const rule = Object.values(template.findResources('AWS::Events::Rule'))[0];
    const paths = Object.values(rule.Properties.Targets[0].InputTransformer.InputPathsMap).sort();
    expect(paths).toEqual([
      '$.detail.payload.ChangeEventHeader.recordIds[0]', '$.detail.payload.Company', '$.detail.payload.Email',
      '$.detail.payload.HasOptedOutOfEmail', '$.detail.payload.LastModifiedDate', '$.detail.payload.Name.FirstName',
      '$.detail.payload.Name.LastName', '$.detail.payload.Status', '$.id',
    ]);
    expect(blueprint.allowedFields).toEqual(['leadId', 'email', 'firstName', 'lastName', 'company', 'leadStatus', 'emailOptOut', 'updatedAt']);
  });

  test('allowedFields overrides the list', () => {
    const { template: t } = synth(() => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: apiDelivery(), allowedFields: ['leadId', 'phone'] }));
    const rule = Object.values(t.findResources('AWS::Events::Rule'))[0];
    expect(Object.values(rule.Properties.Targets[0].InputTransformer.InputPathsMap).sort())
      .toEqual(['$.detail.payload.ChangeEventHeader.recordIds[0]', '$.detail.payload.Phone', '$.id']);
  });

  test('a "*" in the endpoint takes the lead id as path parameter, and headers and method are passed on', () => {
    const { template: t } = synth(() => ({
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: apiDelivery({ endpoint: 'https://marketing.example.com/contacts/*', httpMethod: events.HttpMethod.PUT, rateLimitPerSecond: 3, headers: { 'X-Source': 'crm' } }),
    }));
    t.hasResourceProperties('AWS::Events::ApiDestination', { HttpMethod: 'PUT', InvocationRateLimitPerSecond: 3 });
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        HttpParameters: { PathParameterValues: ['$.detail.payload.ChangeEventHeader.recordIds[0]'], HeaderParameters: { 'X-Source': 'crm' } },
      })],
    });
  });

  test('OAuth client credentials from Secrets Manager', () => {
    const { template: t } = synth(() => ({
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: MarketingDelivery.apiDestination({
        endpoint: 'https://marketing.example.com/contacts',
        authorization: events.Authorization.oauth({
          authorizationEndpoint: 'https://auth.example.com/oauth/token',
          clientId: 'crm-sync',
          clientSecret: SecretValue.secretsManager('marketing/oauth', { jsonField: 'clientSecret' }),
          httpMethod: events.HttpMethod.POST,
        }),
      }),
    }));
    t.hasResourceProperties('AWS::Events::Connection', {
      AuthorizationType: 'OAUTH_CLIENT_CREDENTIALS',
      AuthParameters: { OAuthParameters: Match.objectLike({ ClientParameters: { ClientID: 'crm-sync', ClientSecret: '{{resolve:secretsmanager:marketing/oauth:SecretString:clientSecret::}}' } }) },
    });
  });

  test('warns about a credential in plain text', () => {
    const { stack } = synth(() => ({
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: MarketingDelivery.apiDestination({ endpoint: 'https://m.example.com', authorization: events.Authorization.apiKey('X-Api-Key', SecretValue.unsafePlainText('abc')) }),
    }));
    Annotations.fromStack(stack).hasWarning('/Test/Crm/Connection', Match.stringLikeRegexp('apiKeyAuthParameters.apiKeyValue is plain text in the template'));
  });

  test('no warning for Secrets Manager credentials', () => {
    const { stack } = synth(() => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: apiDelivery() }));
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('plain text'));
  });

  test('uses an existing connection', () => {
    const { blueprint: b, template: t } = synth((stack) => ({
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: MarketingDelivery.apiDestination({
        endpoint: 'https://m.example.com',
        connection: events.Connection.fromEventBusArn(stack, 'Conn', 'arn:aws:events:eu-west-1:111111111111:connection/marketing/abc',
          'arn:aws:secretsmanager:eu-west-1:111111111111:secret:events!connection/marketing/abc-AbCdEf'),
      }),
    }));
    t.resourceCountIs('AWS::Events::Connection', 0);
    expect(b.connection).toBeDefined();
  });

  test.each<[string, (stack: Stack) => MarketingDelivery, string]>([
    ['both connection and authorization', (stack) => MarketingDelivery.apiDestination({
      endpoint: 'https://m.example.com',
      authorization: apiKey(),
      connection: events.Connection.fromEventBusArn(stack, 'C', 'arn:aws:events:eu-west-1:111111111111:connection/x/y', 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:x-AbCdEf'),
    }), 'delivery takes `connection` or `authorization`, not both'],
    ['neither', () => MarketingDelivery.apiDestination({ endpoint: 'https://m.example.com' }), 'delivery needs `connection` or `authorization`'],
    ['an http endpoint', () => MarketingDelivery.apiDestination({ endpoint: 'http://m.example.com', authorization: apiKey() }), 'delivery endpoint must be an https:// URL (EventBridge only calls HTTPS endpoints), got "http://m.example.com"'],
    ['two wildcards', () => MarketingDelivery.apiDestination({ endpoint: 'https://m.example.com/*/*', authorization: apiKey() }), 'delivery endpoint may hold at most one "*"'],
    ['rate 0', () => MarketingDelivery.apiDestination({ endpoint: 'https://m.example.com', authorization: apiKey(), rateLimitPerSecond: 0 }), 'delivery rateLimitPerSecond must be a whole number between 1 and 300, got 0'],
    ['rate 301', () => MarketingDelivery.apiDestination({ endpoint: 'https://m.example.com', authorization: apiKey(), rateLimitPerSecond: 301 }), 'got 301'],
  ])('throws with %s', (_name, delivery, message) => {
    expectThrow((stack) => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: delivery(stack) }), message);
  });

  test('throws when removalPolicy comes with the API destination (no table to remove)', () => {
    expectThrow(() => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: apiDelivery(), removalPolicy: RemovalPolicy.DESTROY }),
      'removalPolicy cannot be used with MarketingDelivery.apiDestination()');
  });
});

describe('Lambda delivery', () => {
  let blueprint: SaasCrmToMarketing;
  let template: Template;
  beforeAll(() => {
    ({ blueprint, template } = synth((stack) => ({
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: MarketingDelivery.lambda({ marketingSecret: secret(stack, 'marketing') }),
    })));
  });

  test('creates the upsert function with the allowlist, the secret and the idempotency table in its environment', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Timeout: 65,
      Environment: {
        Variables: Match.objectLike({
          MARKETING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:marketing-AbCdEf',
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('IdempotencyTable') },
          ALLOWED_FIELDS: 'leadId,email,firstName,lastName,company,leadStatus,emailOptOut,updatedAt',
          HTTP_TIMEOUT_MS: '5000',
          MAX_RETRY_AFTER_SECONDS: '20',
        }),
      },
    });
    expect(blueprint.defaultUpsertFunction!.onFailureAlarm).toBeDefined();
  });

  test('the function may read the secret and use the idempotency table', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'] }),
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:marketing-AbCdEf' }),
        ]),
      },
    });
  });

  test('the function target gets the contact transformer, the dead-letter queue and the retry policy', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('UpsertContact'), 'Arn'] },
        InputTransformer: Match.objectLike({ InputPathsMap: Match.objectLike({ id: '$.id' }) }),
        DeadLetterConfig: Match.anyValue(),
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
      })],
    });
  });

  test('httpTimeout and maxRetryAfter set the environment and the function timeout', () => {
    const { template: t } = synth((stack) => ({
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: MarketingDelivery.lambda({ marketingSecret: secret(stack, 'marketing'), httpTimeout: Duration.seconds(2), maxRetryAfter: Duration.seconds(0) }),
    }));
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 30,
      Environment: { Variables: Match.objectLike({ HTTP_TIMEOUT_MS: '2000', MAX_RETRY_AFTER_SECONDS: '0' }) },
    });
  });

  test('your own function gets the contact and the grants, and no default function is created', () => {
    const { blueprint: b, template: t } = synth((stack) => ({
      partnerEventSource: { eventSourceName: SALESFORCE },
      delivery: MarketingDelivery.lambda({
        handler: new lambda.Function(stack, 'Mine', { runtime: lambda.Runtime.NODEJS_24_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=async()=>{}') }),
      }),
    }));
    expect(b.defaultUpsertFunction).toBeUndefined();
    t.resourceCountIs('AWS::Lambda::Function', 1);
    t.hasResourceProperties('AWS::Events::Rule', { Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('Mine'), 'Arn'] } })] });
  });

  test.each<[string, (stack: Stack) => MarketingDelivery, string]>([
    ['no secret', () => MarketingDelivery.lambda({}), 'delivery marketingSecret is required with the default upsert function'],
    ['httpTimeout with your function', (stack) => MarketingDelivery.lambda({
      handler: lambda.Function.fromFunctionArn(stack, 'F', 'arn:aws:lambda:eu-west-1:111111111111:function:mine'), httpTimeout: Duration.seconds(3),
    }), 'delivery httpTimeout configures the default function only'],
    ['httpTimeout 500 ms', (stack) => MarketingDelivery.lambda({ marketingSecret: secret(stack, 's'), httpTimeout: Duration.millis(500) }), 'delivery httpTimeout must be between 1000 ms (1 second) and 60000 ms (60 seconds), got 500 ms'],
    ['maxRetryAfter 10 minutes', (stack) => MarketingDelivery.lambda({ marketingSecret: secret(stack, 's'), maxRetryAfter: Duration.minutes(10) }), 'delivery maxRetryAfter must be between 0 and 300 seconds, got 600 seconds'],
  ])('throws with %s', (_name, delivery, message) => {
    expectThrow((stack) => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: delivery(stack) }), message);
  });
});

describe('webhook receiver', () => {
  let blueprint: SaasCrmToMarketing;
  let template: Template;
  beforeAll(() => {
    ({ blueprint, template } = synth((stack) => ({ webhook: { signingSecret: secret(stack, 'signing') }, delivery: apiDelivery() })));
  });

  test('a function URL without IAM auth (the HMAC signature is the authentication)', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'NONE', TargetFunctionArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('WebhookReceiver'), 'Arn'] } });
    expect(blueprint.webhookUrl).toBeDefined();
  });

  test('the receiver is configured with the defaults', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 10,
      Environment: {
        Variables: Match.objectLike({
          SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:signing-AbCdEf',
          EVENT_BUS_NAME: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventBus'), 'Arn'] },
          EVENT_SOURCE: 'com.example.crm.webhook',
          MAX_BODY_BYTES: '65536',
          TIMESTAMP_TOLERANCE_SECONDS: '300',
        }),
      },
    });
  });

  test('a replay table (TTL expiration) in which the receiver claims each signed request once', () => {
    const tableId = Stack.of(blueprint).resolve((blueprint.webhookReplayTable!.node.defaultChild as any).logicalId);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REPLAY_TABLE_NAME: { Ref: tableId } }) },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
          Resource: Match.arrayWith([{ 'Fn::GetAtt': [tableId, 'Arn'] }]),
        })]),
      },
    });
  });

  test('the receiver may read the signing secret and put events on the bus', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: 'arn:aws:secretsmanager:eu-west-1:111111111111:secret:signing-AbCdEf' }),
          Match.objectLike({ Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('EventBus'), 'Arn'] } }),
        ]),
      },
    });
  });

  test('publishes the LeadUpdated contract and routes it with the generic preset', () => {
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.example.crm.webhook@LeadUpdated' });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['com.example.crm.webhook'], 'detail-type': ['LeadUpdated'] },
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputPathsMap: Match.objectLike({ 'detail-leadId': '$.detail.leadId' }) }) })],
    });
  });

  test('options reach the receiver', () => {
    const { template: t } = synth((stack) => ({
      webhook: {
        signingSecret: secret(stack, 'signing'),
        source: 'com.acme.hubspot',
        signatureHeader: 'X-Hub-Signature',
        timestampHeader: 'X-Hub-Timestamp',
        timestampTolerance: Duration.minutes(1),
        maxBodySize: Size.kibibytes(16),
      },
      delivery: apiDelivery(),
    }));
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          EVENT_SOURCE: 'com.acme.hubspot',
          SIGNATURE_HEADER: 'x-hub-signature',
          TIMESTAMP_HEADER: 'x-hub-timestamp',
          TIMESTAMP_TOLERANCE_SECONDS: '60',
          MAX_BODY_BYTES: '16384',
        }),
      },
    });
  });

  test('your own bus gets per-route alarms on failed and dead-lettered deliveries', () => {
    const { blueprint: b, template: t } = synth((stack) => ({
      webhook: { signingSecret: secret(stack, 'signing') },
      eventBus: new events.EventBus(stack, 'Mine', { eventBusName: 'crm' }),
      delivery: apiDelivery(),
    }));
    expect(b.deliveryAlarms.map((a) => a.node.id)).toEqual(['FailedInvocationsAlarm', 'DeadLetteredInvocationsAlarm']);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FailedInvocations',
      Dimensions: [{ Name: 'EventBusName', Value: { Ref: Match.stringLikeRegexp('Mine') } }, { Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('WebhookRouteRule') } }],
      Threshold: 1,
    });
  });

  test('alarms: false creates no delivery alarm', () => {
    const { blueprint: b, template: t } = synth((stack) => ({
      webhook: { signingSecret: secret(stack, 'signing') },
      eventBus: new events.EventBus(stack, 'Mine'),
      delivery: apiDelivery(),
      alarms: false,
    }));
    expect(b.deliveryAlarms).toEqual([]);
    t.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  test.each<[string, object, string]>([
    ['an aws. source', { source: 'aws.crm' }, 'webhook.source must be 1 to 256 characters and must not start with "aws."'],
    ['a header name with a space', { signatureHeader: 'x signature' }, 'webhook.signatureHeader must be an HTTP header name'],
    ['the same header twice', { signatureHeader: 'X-Crm-Timestamp' }, 'webhook.signatureHeader must differ from webhook.timestampHeader'],
    ['a tolerance of 0', { timestampTolerance: Duration.seconds(0) }, 'webhook.timestampTolerance must be a whole number of seconds between 1 and 900 (15 minutes), got 0 seconds'],
    ['a tolerance of an hour', { timestampTolerance: Duration.hours(1) }, 'got 1 hour'],
    ['a body limit of 1 MiB', { maxBodySize: Size.mebibytes(1) }, 'webhook.maxBodySize must be between 1 KiB and 240 KiB (1024 to 245760 bytes; a PutEvents entry takes at most 256 KiB with its envelope), got 1048576 bytes'],
  ])('throws with %s', (_name, options, message) => {
    expectThrow((stack) => ({ webhook: { signingSecret: secret(stack, 'signing'), ...options }, delivery: apiDelivery() }), message);
  });
});

describe('properties', () => {
  test('throws without any inbound', () => {
    expectThrow(() => ({ delivery: apiDelivery() }),
      "SaasCrmToMarketing 'Test/Crm': partnerEventSource or webhook must be given: the blueprint needs at least one way for leads to come in");
  });

  test('throws when eventBus is given without webhook', () => {
    expectThrow((stack) => ({ partnerEventSource: { eventSourceName: SALESFORCE }, eventBus: new events.EventBus(stack, 'B'), delivery: apiDelivery() }),
      'eventBus is only used with webhook');
  });

  test('throws for an unknown allowed field', () => {
    expectThrow(() => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: apiDelivery(), allowedFields: ['leadId', 'ssn'] }),
      'allowedFields must hold lead fields (leadId, email, firstName, lastName, company, jobTitle, phone, country, leadStatus, leadSource, emailOptOut, updatedAt), got "ssn"');
  });

  test('throws when allowedFields lacks leadId', () => {
    expectThrow(() => ({ partnerEventSource: { eventSourceName: SALESFORCE }, delivery: apiDelivery(), allowedFields: ['email'] }),
      'allowedFields must include "leadId"');
  });

  test('both inbounds share one delivery', () => {
    const { template: t } = synth((stack) => ({ partnerEventSource: { eventSourceName: SALESFORCE }, webhook: { signingSecret: secret(stack, 'signing') }, delivery: apiDelivery() }));
    t.resourceCountIs('AWS::Events::Rule', 2);
    t.resourceCountIs('AWS::Events::ApiDestination', 1);
    t.resourceCountIs('AWS::Events::EventBus', 2);
  });
});
