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
  aws_iam as iam,
  aws_lambda as lambda,
  aws_sns as sns,
} from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { OrderToInventory, OrderToInventoryProps } from '../../../src/blueprints/order-to-inventory';
import { EventContract } from '../../../src/core/event-contract';
import { SchemaRegistry } from '../../../src/core/schema-registry';
import { SecureEventBus } from '../../../src/core/secure-event-bus';
import { nagFindings } from '../../nag';

const ENV = { account: '111111111111', region: 'eu-west-1' };

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: ENV });
}

function build(props: OrderToInventoryProps = {}, stack: Stack = newStack()): { stack: Stack; blueprint: OrderToInventory; template: Template } {
  const blueprint = new OrderToInventory(stack, 'Inventory', props);
  return { stack, blueprint, template: Template.fromStack(stack) };
}

/** The statements of the IAM policies attached to a role whose logical ID starts with `rolePrefix`. */
function statementsOf(template: Template, rolePrefix: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p: any) => p.Properties.Roles.some((r: any) => typeof r.Ref === 'string' && r.Ref.startsWith(rolePrefix)))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement);
}

function environmentOf(template: Template): Record<string, any> {
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', {
    Properties: { Description: 'Reserves the stock of OrderPlaced events (order-to-inventory blueprint)' },
  })) as any[];
  return fn.Properties.Environment.Variables;
}

function userFunction(stack: Stack): lambda.Function {
  return new lambda.Function(stack, 'MyReserve', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => {};'),
  });
}

describe('OrderToInventory defaults', () => {
  let stack: Stack;
  let blueprint: OrderToInventory;
  let template: Template;
  beforeAll(() => {
    ({ stack, blueprint, template } = build());
  });

  test('creates a SecureEventBus and a schema registry', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::Events::Archive', 1);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    expect(blueprint.eventBus).toBeInstanceOf(SecureEventBus);
    expect(blueprint.registry).toBeInstanceOf(SchemaRegistry);
  });

  test('publishes the contracts of OrderPlaced, InventoryReserved and InventoryShortage', () => {
    template.resourceCountIs('AWS::EventSchemas::Schema', 3);
    for (const name of ['com.example.orders@OrderPlaced', 'com.example.inventory@InventoryReserved', 'com.example.inventory@InventoryShortage']) {
      template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: name, Type: 'JSONSchemaDraft4' });
    }
    expect(blueprint.orderPlaced.detailSchema.required).toEqual(['orderId', 'items']);
    expect(blueprint.inventoryReserved.source).toBe('com.example.inventory');
    expect(blueprint.inventoryShortage.detailType).toBe('InventoryShortage');
  });

  test('routes OrderPlaced events from the orders source to the function with a dead-letter queue and explicit retries', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^InventoryEventBus') },
      EventPattern: { 'source': ['com.example.orders'], 'detail-type': ['OrderPlaced'] },
      Targets: [{
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InventoryReserveInventory[0-9A-F]{8}$'), 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InventoryOrderPlacedRouteDeadLetterQueue'), 'Arn'] } },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 86400 },
        Id: 'Target0',
      }],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InventoryOrderPlacedRouteRule'), 'Arn'] },
    });
    expect(blueprint.route.targetCount).toBe(1);
  });

  test('the whole event goes to the function (no input transformer)', () => {
    const [rule] = Object.values(template.findResources('AWS::Events::Rule')) as any[];
    expect(rule.Properties.Targets[0].InputTransformer).toBeUndefined();
    expect(rule.Properties.Targets[0].Input).toBeUndefined();
  });

  test('alarms when the route dead-letter queue holds an event', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InventoryOrderPlacedRouteDeadLetterQueue'), 'QueueName'] } }],
      Threshold: 1,
    });
    expect(blueprint.route.deadLetterQueueAlarm).toBeDefined();
  });

  test('the stock table: partition key sku, on-demand, point-in-time recovery, AWS managed encryption, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'sku', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'sku', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: Match.absent(),
      },
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
    expect(blueprint.stockTable).toBeInstanceOf(dynamodb.Table);
  });

  test('the idempotency table: partition key id, TTL attribute expiration, same defaults', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('the function: blueprint defaults and the environment of the handler', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      MemorySize: 256,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^InventoryReserveInventoryLogGroup') } },
    });
    expect(environmentOf(template)).toEqual({
      POWERTOOLS_SERVICE_NAME: 'order-to-inventory',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      STOCK_TABLE_NAME: { Ref: expect.stringMatching(/^InventoryStockTable/) },
      IDEMPOTENCY_TABLE_NAME: { Ref: expect.stringMatching(/^InventoryIdempotencyTable/) },
      EVENT_BUS_NAME: { 'Fn::GetAtt': [expect.stringMatching(/^InventoryEventBus/), 'Arn'] },
      EVENT_SOURCE: 'com.example.inventory',
    });
    // No RESERVATION_GUARD_TTL_DAYS: the guards are kept for ever.
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^InventoryReserveInventoryOnFailureQueue'), 'Arn'] } } },
    });
    expect(blueprint.defaultReserveInventoryFunction?.role).toBeDefined();
    expect(blueprint.defaultReserveInventoryFunction?.logGroup).toBeDefined();
    expect(blueprint.defaultReserveInventoryFunction?.onFailureQueue).toBeDefined();
    expect(blueprint.defaultReserveInventoryFunction?.onFailureAlarm).toBeDefined();
  });

  test('the function depends on its policy but not redundantly on its role', () => {
    const [fn] = Object.values(template.findResources('AWS::Lambda::Function', {
      Properties: { Description: 'Reserves the stock of OrderPlaced events (order-to-inventory blueprint)' },
    })) as any[];
    expect(fn.DependsOn).toEqual([expect.stringMatching(/^InventoryReserveInventoryRoleDefaultPolicy/)]);
  });

  test('the role may do exactly what the handler does: stock, idempotency, PutEvents on the bus', () => {
    const statements = statementsOf(template, 'InventoryReserveInventoryRole');
    expect(statements).toEqual(expect.arrayContaining([
      { Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^InventoryStockTable/), 'Arn'] }] },
      {
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^InventoryIdempotencyTable/), 'Arn'] }],
      },
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^InventoryEventBus/), 'Arn'] } },
    ]));
    const actionsGranted = statements.flatMap((s) => [s.Action].flat());
    expect(actionsGranted.filter((a: string) => a.startsWith('events:'))).toEqual(['events:PutEvents']);
    expect(actionsGranted).not.toContain('dynamodb:Scan');
    template.resourcePropertiesCountIs('AWS::IAM::Role', { ManagedPolicyArns: Match.anyValue() }, 0);
  });

  test('cdk-nag AwsSolutions and Serverless find nothing', () => {
    expect(nagFindings(stack)).toEqual([]);
  });
});

describe('OrderToInventory overrides', () => {
  test('an existing bus and registry are used, none is created', () => {
    const stack = newStack();
    const eventBus = new events.EventBus(stack, 'Shared', { eventBusName: 'shared' });
    const registry = new SchemaRegistry(stack, 'SharedRegistry', { registryName: 'shared' });
    const { blueprint, template } = build({ eventBus, registry }, stack);
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: { Ref: Match.stringLikeRegexp('^Shared') } });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { RegistryName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SharedRegistry'), 'RegistryName'] } });
    expect(environmentOf(template).EVENT_BUS_NAME).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Shared/), 'Arn'] });
    expect(blueprint.eventBus).toBe(eventBus);
    expect(blueprint.registry).toBe(registry);
  });

  test('an imported bus (by ARN) is used for the rule and PutEvents', () => {
    const stack = newStack();
    const eventBus = events.EventBus.fromEventBusArn(stack, 'Imported', 'arn:aws:events:eu-west-1:111111111111:event-bus/orders');
    const { template } = build({ eventBus }, stack);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.hasResourceProperties('AWS::Events::Rule', { EventBusName: 'orders' });
    expect(environmentOf(template).EVENT_BUS_NAME).toBe('arn:aws:events:eu-west-1:111111111111:event-bus/orders');
    expect(statementsOf(template, 'InventoryReserveInventoryRole')).toContainEqual(
      { Effect: 'Allow', Action: 'events:PutEvents', Resource: 'arn:aws:events:eu-west-1:111111111111:event-bus/orders' });
  });

  test('orderSource and eventSource change the pattern, the contracts and EVENT_SOURCE', () => {
    const { blueprint, template } = build({ orderSource: 'com.acme.shop', eventSource: 'com.acme.warehouse' });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['com.acme.shop'], 'detail-type': ['OrderPlaced'] } });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.acme.shop@OrderPlaced' });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.acme.warehouse@InventoryReserved' });
    template.hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.acme.warehouse@InventoryShortage' });
    expect(environmentOf(template).EVENT_SOURCE).toBe('com.acme.warehouse');
    expect(blueprint.inventoryReserved.source).toBe('com.acme.warehouse');
  });

  test('an existing OrderPlaced contract is used and not published again', () => {
    const stack = newStack();
    const registry = new SchemaRegistry(stack, 'OrdersRegistry');
    const contract = new EventContract(stack, 'OrderPlacedByShop', {
      registry,
      source: 'com.acme.shop',
      detailType: 'OrderPlaced',
      detailSchema: { type: 'object', properties: { orderId: { type: 'string' } } },
    });
    const { blueprint, template } = build({ registry, orderPlacedContract: contract }, stack);
    template.resourceCountIs('AWS::EventSchemas::Schema', 3);
    template.resourcePropertiesCountIs('AWS::EventSchemas::Schema', { SchemaName: 'com.acme.shop@OrderPlaced' }, 1);
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { 'source': ['com.acme.shop'], 'detail-type': ['OrderPlaced'] } });
    expect(blueprint.orderPlaced).toBe(contract);
  });

  test('your own stock table is used and granted; no stock table is created', () => {
    const stack = newStack();
    const stockTable = new dynamodb.Table(stack, 'Stock', { partitionKey: { name: 'sku', type: dynamodb.AttributeType.STRING } });
    const { blueprint, template } = build({ stockTable }, stack);
    template.resourceCountIs('AWS::DynamoDB::Table', 2); // yours and the idempotency table
    expect(environmentOf(template).STOCK_TABLE_NAME).toEqual({ Ref: expect.stringMatching(/^Stock[0-9A-F]{8}$/) });
    expect(statementsOf(template, 'InventoryReserveInventoryRole')).toContainEqual({
      Effect: 'Allow', Action: ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'], Resource: [{ 'Fn::GetAtt': [expect.stringMatching(/^Stock[0-9A-F]{8}$/), 'Arn'] }],
    });
    expect(blueprint.stockTable).toBe(stockTable);
  });

  test('an imported stock table is used without a key check', () => {
    const stack = newStack();
    const stockTable = dynamodb.Table.fromTableName(stack, 'ImportedStock', 'stock');
    const { template } = build({ stockTable }, stack);
    expect(environmentOf(template).STOCK_TABLE_NAME).toBe('stock');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
  });

  test('your own function gets the whole event and the grants, but no environment', () => {
    const stack = newStack();
    const handler = userFunction(stack);
    const { blueprint, template } = build({ handler }, stack);
    template.resourceCountIs('AWS::Lambda::Function', 1);
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: Match.absent() });
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^MyReserve'), 'Arn'] } })],
    });
    const statements = statementsOf(template, 'MyReserveServiceRole');
    expect(statements.map((s) => s.Action)).toEqual(expect.arrayContaining([
      ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem'],
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      'events:PutEvents',
    ]));
    expect(blueprint.reserveInventoryFunction).toBe(handler);
    expect(blueprint.defaultReserveInventoryFunction).toBeUndefined();
  });

  test('an imported function with a role gets the grants on that role', () => {
    const stack = newStack();
    const role = iam.Role.fromRoleArn(stack, 'ImportedRole', 'arn:aws:iam::111111111111:role/reserve', { mutable: true });
    const handler = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
      functionArn: 'arn:aws:lambda:eu-west-1:111111111111:function:reserve', role, sameEnvironment: true,
    });
    const { template } = build({ handler }, stack);
    template.resourceCountIs('AWS::Lambda::Function', 0);
    template.hasResourceProperties('AWS::IAM::Policy', { Roles: ['reserve'] });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: 'arn:aws:lambda:eu-west-1:111111111111:function:reserve' });
  });

  test('removalPolicy applies to the tables', () => {
    const { template } = build({ removalPolicy: RemovalPolicy.DESTROY });
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table')) as any[];
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table.DeletionPolicy).toBe('Delete');
    }
  });

  test('reservationGuardTtl and maxEventEntrySize set the handler environment', () => {
    const { template } = build({ reservationGuardTtl: Duration.days(7), maxEventEntrySize: Size.mebibytes(1) });
    expect(environmentOf(template)).toMatchObject({ RESERVATION_GUARD_TTL_DAYS: '7', EVENT_MAX_ENTRY_BYTES: '1048576' });
  });

  test('a token reservationGuardTtl is not checked', () => {
    const { template } = build({ reservationGuardTtl: Duration.days(Lazy.number({ produce: () => 12 })) });
    expect(environmentOf(template).RESERVATION_GUARD_TTL_DAYS).toBe('12');
  });

  test('retryAttempts, maxEventAge, alarms and alarmActions reach the route', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Ops', { enforceSSL: true });
    const { blueprint, template } = build({
      retryAttempts: 0, maxEventAge: Duration.minutes(5), alarmActions: [new actions.SnsAction(topic)],
    }, stack);
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 } })],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Ops') }],
      Dimensions: [Match.objectLike({ Name: 'QueueName' })],
    });
    expect(blueprint.route.retryAttempts).toBe(0);
    // The bus the blueprint created alarms to the same actions.
    expect((blueprint.eventBus as SecureEventBus).failedInvocationsAlarm).toBeDefined();
    template.resourcePropertiesCountIs('AWS::CloudWatch::Alarm', {
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^Ops') }],
      Metrics: Match.anyValue(),
    }, 2);

    const noAlarms = build({ alarms: false });
    expect(noAlarms.blueprint.route.deadLetterQueueAlarm).toBeUndefined();
    expect((noAlarms.blueprint.eventBus as SecureEventBus).failedInvocationsAlarm).toBeUndefined();
  });
});

describe('OrderToInventory errors', () => {
  test('throws when the stock table does not have partition key sku', () => {
    const stack = newStack();
    const stockTable = new dynamodb.Table(stack, 'Wrong', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
    expect(() => new OrderToInventory(stack, 'Inventory', { stockTable })).toThrow(
      /OrderToInventory 'Test\/Inventory': stockTable must have partition key "sku" \(S\) and sort key none, got partition key "id" \(S\) and sort key none/);
  });

  test('throws when the stock table has a sort key', () => {
    const stack = newStack();
    const stockTable = new dynamodb.Table(stack, 'Wrong', {
      partitionKey: { name: 'sku', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'warehouse', type: dynamodb.AttributeType.STRING },
    });
    expect(() => new OrderToInventory(stack, 'Inventory', { stockTable })).toThrow(/sort key none, got partition key "sku" \(S\) and sort key "warehouse" \(S\)/);
  });

  test('throws when settings of the default function come with your own function', () => {
    const stack = newStack();
    const handler = userFunction(stack);
    expect(() => new OrderToInventory(stack, 'Inventory', { handler, reservationGuardTtl: Duration.days(3) })).toThrow(
      /reservationGuardTtl configures the default function only and cannot be combined with handler/);
  });

  test('throws when orderSource comes with orderPlacedContract', () => {
    const stack = newStack();
    const registry = new SchemaRegistry(stack, 'R');
    const contract = new EventContract(stack, 'C', { registry, source: 'com.acme.shop', detailType: 'OrderPlaced', detailSchema: { type: 'object' } });
    expect(() => new OrderToInventory(stack, 'Inventory', { registry, orderPlacedContract: contract, orderSource: 'com.example.orders' })).toThrow(
      /orderSource cannot be combined with orderPlacedContract, whose source \("com.acme.shop"\) is used/);
  });

  test.each([
    ['36 hours', Duration.hours(36)],
    ['0 days', Duration.days(0)],
    ['3651 days', Duration.days(3651)],
  ])('throws when reservationGuardTtl is %s', (_, ttl) => {
    expect(() => build({ reservationGuardTtl: ttl })).toThrow(/reservationGuardTtl must be a whole number of days between 1 and 3650, got/);
  });

  test('throws when maxEventEntrySize is above 1 MiB', () => {
    expect(() => build({ maxEventEntrySize: Size.mebibytes(2) })).toThrow(/maxEventEntrySize must be between 1 byte and 1 MiB \(1048576 bytes\).*got 2097152 bytes/);
  });

  test('throws when eventSource is reserved for AWS', () => {
    expect(() => build({ eventSource: 'aws.inventory' })).toThrow(/source must not start with "aws."/);
  });

  test('throws when retryAttempts is out of range (checked by the route)', () => {
    expect(() => build({ retryAttempts: 200 })).toThrow(/retryAttempts must be a whole number between 0 and 185, got 200/);
  });
});
