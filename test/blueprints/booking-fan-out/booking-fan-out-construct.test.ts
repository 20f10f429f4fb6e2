import {
  App,
  Duration,
  Lazy,
  RemovalPolicy,
  Size,
  Stack,
  aws_cloudwatch_actions as actions,
  aws_dynamodb as dynamodb,
  aws_events as events,
  aws_events_targets as targets,
  aws_lambda as lambda,
  aws_sns as sns,
  aws_sqs as sqs,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BookingFanOut, BookingFanOutProps } from '../../../src/blueprints/booking-fan-out';
import { EventContract } from '../../../src/core/event-contract';
import { SchemaRegistry } from '../../../src/core/schema-registry';
import { SecureEventBus } from '../../../src/core/secure-event-bus';
import { nagFindings } from '../../nag';

const ENV = { account: '111111111111', region: 'eu-west-1' };
const SENDER = 'bookings@example.com';
const DESCRIPTIONS = {
  ticketing: 'Issues the e-tickets of a booking (booking fan-out blueprint)',
  email: 'Sends the booking confirmation email (booking fan-out blueprint)',
  loyalty: 'Awards the loyalty points of a booking (booking fan-out blueprint)',
};

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}

function build(props: Partial<BookingFanOutProps> = {}, stack: Stack = newStack()): { stack: Stack; blueprint: BookingFanOut; template: Template } {
  const blueprint = new BookingFanOut(stack, 'Booking', { senderAddress: SENDER, ...props });
  return { stack, blueprint, template: Template.fromStack(stack) };
}

function statementsOf(template: Template, rolePrefix: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => typeof r.Ref === 'string' && r.Ref.startsWith(rolePrefix)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function environmentOf(template: Template, description: string): Record<string, any> {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Description: description } })) as any[];
  return fn.Properties.Environment.Variables;
}

/** The targets of the rules of a route whose logical IDs start with `routePrefix`, in rule order. */
function targetsOf(template: Template, routePrefix: string): any[] {
  return Object.entries(template.findResources('AWS::Events::Rule'))
    .filter(([id]) => id.startsWith(routePrefix))
    // `<route>Rule<hash>` before `<route>Rule2<hash>`, `<route>Rule3<hash>`...
    .sort(([a], [b]) => a.length - b.length || a.localeCompare(b))
    .flatMap(([, rule]: [string, any]) => rule.Properties.Targets);
}

function inputOf(target: any): { paths: Record<string, string>; template: any } {
  const transformer = target.InputTransformer;
  const paths: Record<string, string> = transformer.InputPathsMap;
  // Substitute each placeholder with a marker naming its path, so the template can be compared as JSON.
  const json = transformer.InputTemplate.replace(/<([^>]+)>/g, (_: string, key: string) => JSON.stringify(`path:${paths[key]}`));
  return { paths, template: JSON.parse(json) };
}

function userFunction(stack: Stack, id: string): lambda.Function {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
}

describe('BookingFanOut defaults', () => {
  let stack: Stack;
  let blueprint: BookingFanOut;
  let template: Template;
  beforeAll(() => {
    ({ stack, blueprint, template } = build());
  });

  test('creates a SecureEventBus and a schema registry with the BookingConfirmed and TicketsIssued contracts', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.resourceCountIs('AWS::EventSchemas::Schema', 2);
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.example.bookings@BookingConfirmed' });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.example.ticketing@TicketsIssued' });
    expect(blueprint.eventBus).toBeInstanceOf(SecureEventBus);
    expect(blueprint.registry).toBeInstanceOf(SchemaRegistry);
    expect(blueprint.bookingConfirmed.detailSchema.properties.customer.required).toEqual(['id', 'email', 'name']);
  });

  test('the main route sends every BookingConfirmed to ticketing and email; the loyalty route only members', () => {
    template.resourceCountIs('AWS::Events::Rule', 2);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['com.example.bookings'], 'detail-type': ['BookingConfirmed'] },
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BookingIssueTicket[0-9A-F]{8}$'), 'Arn'] } }),
        Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BookingSendConfirmationEmail[0-9A-F]{8}$'), 'Arn'] } }),
      ],
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        'source': ['com.example.bookings'],
        'detail-type': ['BookingConfirmed'],
        'detail': { customer: { loyaltyId: [{ exists: true }] } },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^BookingAwardLoyaltyPoints[0-9A-F]{8}$'), 'Arn'] } })],
    });
    expect(blueprint.route.targetCount).toBe(2);
    expect(blueprint.loyaltyRoute.targetCount).toBe(1);
  });

  test('every target has its route dead-letter queue and explicit retries; each route alarms', () => {
    for (const [prefix, count] of [['BookingBookingConfirmedRoute', 2], ['BookingLoyaltyRoute', 1]] as const) {
      const ts = targetsOf(template, prefix);
      expect(ts).toHaveLength(count);
      for (const t of ts) {
        expect(t.DeadLetterConfig).toEqual({ Arn: { 'Fn::GetAtt': [expect.stringMatching(new RegExp(`^${prefix}DeadLetterQueue`)), 'Arn'] } });
        expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 });
      }
    }
    expect(blueprint.route.deadLetterQueueAlarm).toBeDefined();
    expect(blueprint.loyaltyRoute.deadLetterQueueAlarm).toBeDefined();
  });

  test('ticketing receives only { bookingId, flight, passengers }', () => {
    const [ticketing] = targetsOf(template, 'BookingBookingConfirmedRoute');
    expect(inputOf(ticketing).template).toEqual({
      bookingId: 'path:$.detail.bookingId',
      flight: 'path:$.detail.flight',
      passengers: 'path:$.detail.passengers',
    });
  });

  test('email receives only { bookingId, email, name, flight }', () => {
    const [, email] = targetsOf(template, 'BookingBookingConfirmedRoute');
    expect(inputOf(email).template).toEqual({
      bookingId: 'path:$.detail.bookingId',
      email: 'path:$.detail.customer.email',
      name: 'path:$.detail.customer.name',
      flight: 'path:$.detail.flight',
    });
  });

  test('loyalty receives only { bookingId, memberId, fareAmount, currency }', () => {
    const [loyalty] = targetsOf(template, 'BookingLoyaltyRoute');
    expect(inputOf(loyalty).template).toEqual({
      bookingId: 'path:$.detail.bookingId',
      memberId: 'path:$.detail.customer.loyaltyId',
      fareAmount: 'path:$.detail.fare.amount',
      currency: 'path:$.detail.fare.currency',
    });
  });

  test('values are inserted as JSON (placeholders unquoted), so objects and numbers keep their type', () => {
    for (const t of [...targetsOf(template, 'BookingBookingConfirmedRoute'), ...targetsOf(template, 'BookingLoyaltyRoute')]) {
      expect(t.InputTransformer.InputTemplate).not.toMatch(/"</);
    }
  });

  test('tables: tickets (bookingId, ticketNumber), loyalty (memberId), idempotency (id, TTL expiration); all with the defaults', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 3);
    const common = {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true },
    };
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { ...common, KeySchema: [{ AttributeName: 'bookingId', KeyType: 'HASH' }, { AttributeName: 'ticketNumber', KeyType: 'RANGE' }] },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { ...common, KeySchema: [{ AttributeName: 'memberId', KeyType: 'HASH' }], TimeToLiveSpecification: Match.absent() },
      DeletionPolicy: 'Retain',
    });
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: { ...common, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true } },
      DeletionPolicy: 'Retain',
    });
  });

  test('the functions get the environment their handlers read', () => {
    expect(environmentOf(template, DESCRIPTIONS.ticketing)).toEqual({
      POWERTOOLS_SERVICE_NAME: 'booking-fan-out',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      TICKETS_TABLE_NAME: { Ref: expect.stringMatching(/^BookingTicketsTable/) },
      IDEMPOTENCY_TABLE_NAME: { Ref: expect.stringMatching(/^BookingIdempotencyTable/) },
      EVENT_BUS_NAME: { 'Fn::GetAtt': [expect.stringMatching(/^BookingEventBus/), 'Arn'] },
      EVENT_SOURCE: 'com.example.ticketing',
    });
    expect(environmentOf(template, DESCRIPTIONS.email)).toEqual({
      POWERTOOLS_SERVICE_NAME: 'booking-fan-out',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      SENDER_ADDRESS: SENDER,
      IDEMPOTENCY_TABLE_NAME: { Ref: expect.stringMatching(/^BookingIdempotencyTable/) },
    });
    expect(environmentOf(template, DESCRIPTIONS.loyalty)).toEqual({
      POWERTOOLS_SERVICE_NAME: 'booking-fan-out',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      LOYALTY_TABLE_NAME: { Ref: expect.stringMatching(/^BookingLoyaltyTable/) },
      POINTS_PER_CURRENCY_UNIT: '1',
    });
    template.resourcePropertiesCountIs('AWS::Lambda::Function', { Runtime: 'nodejs24.x', MemorySize: 256, Timeout: 30, TracingConfig: { Mode: 'Active' } }, 3);
    template.resourceCountIs('AWS::Lambda::EventInvokeConfig', 3);
  });

  test('ticketing may update tickets, use the idempotency table and put events on the bus only', () => {
    const statements = statementsOf(template, 'BookingIssueTicketRole');
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^BookingTicketsTable/), 'Arn'] }] },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^BookingIdempotencyTable/), 'Arn'] }],
      },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BookingEventBus/), 'Arn'] } },
    ]));
    expect(statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('ses:'))).toEqual([]);
  });

  test('email may send as the sender address and its domain identity only, and use the idempotency table', () => {
    const statements = statementsOf(template, 'BookingSendConfirmationEmailRole');
    const ses = statements.filter((s) => s.Action === 'ses:SendEmail');
    expect(ses).toEqual([{
      Effect: 'Allow',
      Action: 'ses:SendEmail',
      Resource: [
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-west-1:111111111111:identity/bookings@example.com']] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ses:eu-west-1:111111111111:identity/example.com']] },
      ],
    }]);
    expect(statements.flatMap((s) => [s.Action].flat())).not.toContain('events:PutEvents');
    expect(statements.map((s) => s.Action)).toContainEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
  });

  test('loyalty may only update the loyalty table', () => {
    const statements = statementsOf(template, 'BookingAwardLoyaltyPointsRole');
    const granted = statements.flatMap((s) => [s.Action].flat()).filter((a: string) => a.startsWith('dynamodb:') || a.startsWith('events:'));
    expect(granted).toEqual(['dynamodb:UpdateItem']);
    expect(statements).toContainEqual(
      { Effect: 'Allow', Action: 'dynamodb:UpdateItem', Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^BookingLoyaltyTable/), 'Arn'] }] });
  });

  test('exposes every created child', () => {
    for (const child of [
      blueprint.ticketingFunction, blueprint.defaultTicketingFunction?.onFailureAlarm,
      blueprint.emailFunction, blueprint.defaultEmailFunction?.onFailureAlarm,
      blueprint.loyaltyFunction, blueprint.defaultLoyaltyFunction?.onFailureAlarm,
      blueprint.ticketsTable, blueprint.loyaltyTable, blueprint.idempotencyTable, blueprint.ticketsIssued,
    ]) {
      expect(child).toBeDefined();
    }
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('BookingFanOut consumers', () => {
  test('4 extra consumers share the main route: 6 targets make 2 rules with the same pattern', () => {
    const stack = newStack();
    const queues = Array.from({ length: 4 }, (_, i) => new sqs.Queue(stack, `Extra${i}`, { enforceSSL: true }));
    const { blueprint, template } = build({ extraConsumers: queues.map((q) => new targets.SqsQueue(q)) }, stack);
    expect(blueprint.route.rules).toHaveLength(2);
    expect(blueprint.route.targetCount).toBe(6);
    template.resourceCountIs('AWS::Events::Rule', 3);
    const main = Object.entries(template.findResources('AWS::Events::Rule')).filter(([id]) => id.startsWith('BookingBookingConfirmedRoute'));
    expect(main).toHaveLength(2);
    expect(main.map(([, r]: [string, any]) => r.Properties.Targets.length).sort()).toEqual([1, 5]);
    for (const [, rule] of main as Array<[string, any]>) {
      expect(rule.Properties.EventPattern).toEqual({ 'source': ['com.example.bookings'], 'detail-type': ['BookingConfirmed'] });
    }
    // Extras get the whole event and the route's dead-letter queue.
    const extras = targetsOf(template, 'BookingBookingConfirmedRoute').slice(2);
    expect(extras).toHaveLength(4);
    for (const t of extras) {
      expect(t.InputTransformer).toBeUndefined();
      expect(t.DeadLetterConfig.Arn['Fn::GetAtt'][0]).toMatch(/^BookingBookingConfirmedRouteDeadLetterQueue/);
    }
  });

  test('addConsumer adds a target to the main route, not the loyalty route', () => {
    const stack = newStack();
    const blueprint = new BookingFanOut(stack, 'Booking', { senderAddress: SENDER });
    blueprint.addConsumer(new targets.SqsQueue(new sqs.Queue(stack, 'Audit', { enforceSSL: true })));
    expect(blueprint.route.targetCount).toBe(3);
    expect(blueprint.loyaltyRoute.targetCount).toBe(1);
    const template = Template.fromStack(stack);
    expect(targetsOf(template, 'BookingBookingConfirmedRoute')[2].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Audit/), 'Arn'] });
  });
});

describe('BookingFanOut overrides', () => {
  test('an existing bus and registry are used, none is created', () => {
    const stack = newStack();
    const eventBus = new events.EventBus(stack, 'Shared');
    const registry = new SchemaRegistry(stack, 'SharedRegistry');
    const { blueprint, template } = build({ eventBus, registry }, stack);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.allResourcesProperties('AWS::Events::Rule', { EventBusName: { Ref: Match.stringLikeRegexp('^Shared') } });
    expect(blueprint.eventBus).toBe(eventBus);
    expect(blueprint.registry).toBe(registry);
  });

  test('bookingSource, eventSource and pointsPerCurrencyUnit', () => {
    const { template } = build({ bookingSource: 'com.acme.bookings', eventSource: 'com.acme.tickets', pointsPerCurrencyUnit: 0 });
    template.allResourcesProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['com.acme.bookings'] }) });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.acme.tickets@TicketsIssued' });
    expect(environmentOf(template, DESCRIPTIONS.ticketing).EVENT_SOURCE).toBe('com.acme.tickets');
    expect(environmentOf(template, DESCRIPTIONS.loyalty).POINTS_PER_CURRENCY_UNIT).toBe('0');
  });

  test('an existing BookingConfirmed contract is used and not published again', () => {
    const stack = newStack();
    const registry = new SchemaRegistry(stack, 'Registry');
    const contract = new EventContract(stack, 'Bookings', {
      registry, source: 'com.acme.bookings', detailType: 'BookingConfirmed', detailSchema: { type: 'object', properties: { customer: { type: 'object' } } },
    });
    const { blueprint, template } = build({ registry, bookingConfirmedContract: contract }, stack);
    template.resourceCountIs('AWS::EventSchemas::Schema', 2);
    template.allResourcesProperties('AWS::Events::Rule', { EventPattern: Match.objectLike({ source: ['com.acme.bookings'] }) });
    expect(blueprint.bookingConfirmed).toBe(contract);
  });

  test('a display name is kept in SENDER_ADDRESS and stripped for the identities; a configuration set is granted', () => {
    const { template } = build({ senderAddress: 'Example Air <no-reply@mail.example.com>', configurationSetName: 'transactional' });
    expect(environmentOf(template, DESCRIPTIONS.email)).toMatchObject({
      SENDER_ADDRESS: 'Example Air <no-reply@mail.example.com>',
      CONFIGURATION_SET_NAME: 'transactional',
    });
    const [ses] = statementsOf(template, 'BookingSendConfirmationEmailRole').filter((s) => s.Action === 'ses:SendEmail');
    expect(JSON.stringify(ses.Resource)).toContain(':identity/no-reply@mail.example.com"');
    expect(JSON.stringify(ses.Resource)).toContain(':identity/mail.example.com"');
    expect(JSON.stringify(ses.Resource)).toContain(':configuration-set/transactional"');
    expect(ses.Resource).toHaveLength(3);
  });

  test('a token senderAddress is not validated; the domain is cut out in CloudFormation', () => {
    const { template } = build({ senderAddress: Lazy.string({ produce: () => 'a@example.org' }) });
    expect(environmentOf(template, DESCRIPTIONS.email).SENDER_ADDRESS).toBe('a@example.org');
    const [ses] = statementsOf(template, 'BookingSendConfirmationEmailRole').filter((s) => s.Action === 'ses:SendEmail');
    expect(JSON.stringify(ses.Resource)).toContain('Fn::Split');
  });

  test('your own tables are used and granted', () => {
    const stack = newStack();
    const ticketsTable = new dynamodb.Table(stack, 'Tickets', {
      partitionKey: { name: 'bookingId', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'ticketNumber', type: dynamodb.AttributeType.STRING },
    });
    const loyaltyTable = dynamodb.Table.fromTableName(stack, 'Members', 'members');
    const { blueprint, template } = build({ ticketsTable, loyaltyTable }, stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 2); // yours and the idempotency table
    expect(environmentOf(template, DESCRIPTIONS.ticketing).TICKETS_TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^Tickets[0-9A-F]{8}$/) });
    expect(environmentOf(template, DESCRIPTIONS.loyalty).LOYALTY_TABLE_NAME).toBe('members');
    expect(statementsOf(template, 'BookingAwardLoyaltyPointsRole')).toContainEqual(expect.objectContaining({
      Action: 'dynamodb:UpdateItem',
      Resource: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':dynamodb:eu-west-1:111111111111:table/members']] }],
    }));
    expect(blueprint.ticketsTable).toBe(ticketsTable);
    expect(blueprint.loyaltyTable).toBe(loyaltyTable);
  });

  test('your own functions replace the defaults, keep the input transformers and get the grants, but no environment', () => {
    const stack = newStack();
    const ticketingHandler = userFunction(stack, 'MyTicketing');
    const emailHandler = userFunction(stack, 'MyEmail');
    const loyaltyHandler = userFunction(stack, 'MyLoyalty');
    const { blueprint, template } = build({ ticketingHandler, emailHandler, loyaltyHandler }, stack);
    template.resourceCountIs('AWS::Lambda::Function', 3);
    template.allResourcesProperties('AWS::Lambda::Function', { Environment: Match.absent() });
    const [ticketing, email] = targetsOf(template, 'BookingBookingConfirmedRoute');
    expect(ticketing.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MyTicketing/), 'Arn'] });
    expect(Object.keys(inputOf(ticketing).template)).toEqual(['bookingId', 'flight', 'passengers']);
    expect(email.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MyEmail/), 'Arn'] });
    const [loyalty] = targetsOf(template, 'BookingLoyaltyRoute');
    expect(loyalty.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^MyLoyalty/), 'Arn'] });
    expect(statementsOf(template, 'MyTicketingServiceRole').map((s) => s.Action)).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'events:PutEvents']));
    expect(statementsOf(template, 'MyEmailServiceRole').map((s) => s.Action)).toContain('ses:SendEmail');
    expect(statementsOf(template, 'MyLoyaltyServiceRole').map((s) => s.Action)).toEqual(['dynamodb:UpdateItem']);
    expect(blueprint.ticketingFunction).toBe(ticketingHandler);
    expect(blueprint.defaultTicketingFunction).toBeUndefined();
    expect(blueprint.defaultEmailFunction).toBeUndefined();
    expect(blueprint.defaultLoyaltyFunction).toBeUndefined();
  });

  test('removalPolicy, maxEventEntrySize and the route options', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Ops', { enforceSSL: true });
    const { blueprint, template } = build({
      removalPolicy: RemovalPolicy.DESTROY,
      maxEventEntrySize: Size.kibibytes(512),
      retryAttempts: 10,
      maxEventAge: Duration.hours(2),
      alarmActions: [new actions.SnsAction(topic)],
    }, stack);
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table')) as any[]) {
      expect(table.DeletionPolicy).toBe('Delete');
    }
    expect(environmentOf(template, DESCRIPTIONS.ticketing).EVENT_MAX_ENTRY_BYTES).toBe('524288');
    for (const t of [...targetsOf(template, 'BookingBookingConfirmedRoute'), ...targetsOf(template, 'BookingLoyaltyRoute')]) {
      expect(t.RetryPolicy).toEqual({ MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 7200 });
    }
    // Two route dead-letter-queue alarms, the two alarms of the bus the blueprint created and the on-failure alarms
    // of the three default functions.
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', { AlarmActions: [{ Ref: Match.stringLikeRegexp('^Ops') }] }, 7);
    expect(blueprint.loyaltyRoute.retryAttempts).toBe(10);
    const quiet = build({ alarms: false });
    expect(quiet.blueprint.route.deadLetterQueueAlarm).toBeUndefined();
    expect((quiet.blueprint.eventBus as SecureEventBus).failedInvocationsAlarm).toBeUndefined();
  });
});

describe('BookingFanOut errors', () => {
  test.each([
    ['no @', 'bookings.example.com'],
    ['no domain dot', 'bookings@example'],
    ['empty', ''],
    ['display name without address', 'Example Air <>'],
  ])('throws when senderAddress is not an email address (%s)', (_, senderAddress) => {
    expect(() => build({ senderAddress })).toThrow(/BookingFanOut 'Test\/Booking': senderAddress must be an email address such as/);
  });

  test('throws when the configuration set name is invalid', () => {
    expect(() => build({ configurationSetName: 'has spaces' })).toThrow(/configurationSetName must be 1 to 64 letters, digits, "_" or "-", got "has spaces"/);
  });

  test('throws when the tickets table has the wrong keys', () => {
    const stack = newStack();
    const ticketsTable = new dynamodb.Table(stack, 'T', { partitionKey: { name: 'bookingId', type: dynamodb.AttributeType.STRING } });
    expect(() => build({ ticketsTable }, stack)).toThrow(
      /ticketsTable must have partition key "bookingId" \(S\) and sort key "ticketNumber" \(S\), got partition key "bookingId" \(S\) and sort key none/);
  });

  test('throws when the loyalty table has the wrong key type', () => {
    const stack = newStack();
    const loyaltyTable = new dynamodb.Table(stack, 'L', { partitionKey: { name: 'memberId', type: dynamodb.AttributeType.NUMBER } });
    expect(() => build({ loyaltyTable }, stack)).toThrow(/loyaltyTable must have partition key "memberId" \(S\).*got partition key "memberId" \(N\)/);
  });

  test('throws when a default-function setting comes with your own function', () => {
    const stack = newStack();
    expect(() => build({ loyaltyHandler: userFunction(stack, 'L'), pointsPerCurrencyUnit: 2 }, stack)).toThrow(
      /pointsPerCurrencyUnit configures the default function only and cannot be combined with loyaltyHandler/);
    const stack2 = newStack();
    expect(() => build({ ticketingHandler: userFunction(stack2, 'T'), maxEventEntrySize: Size.kibibytes(100) }, stack2)).toThrow(
      /maxEventEntrySize configures the default function only and cannot be combined with ticketingHandler/);
  });

  test('throws when bookingSource comes with bookingConfirmedContract', () => {
    const stack = newStack();
    const registry = new SchemaRegistry(stack, 'R');
    const contract = new EventContract(stack, 'C', { registry, source: 'com.acme.bookings', detailType: 'BookingConfirmed', detailSchema: { type: 'object' } });
    expect(() => build({ registry, bookingConfirmedContract: contract, bookingSource: 'x.y' }, stack)).toThrow(
      /bookingSource cannot be combined with bookingConfirmedContract/);
  });

  test.each([-1, 1_000_001, Number.NaN])('throws when pointsPerCurrencyUnit is %p', (value) => {
    expect(() => build({ pointsPerCurrencyUnit: value })).toThrow(/pointsPerCurrencyUnit must be a number between 0 and 1000000/);
  });

  test('throws when maxEventEntrySize is above 1 MiB', () => {
    expect(() => build({ maxEventEntrySize: Size.mebibytes(4) })).toThrow(/maxEventEntrySize must be between 1 byte and 1 MiB/);
  });
});
