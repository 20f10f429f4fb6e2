import { App, Lazy, Stack, aws_events as events, aws_iam as iam } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { EventContract, EventContractProps } from '../../src/core/event-contract';
import { EventSchema } from '../../src/core/event-schema';
import { SchemaRegistry } from '../../src/core/schema-registry';

const ENV = { account: '111111111111', region: 'eu-west-1' };

const DETAIL_SCHEMA = {
  type: 'object',
  required: ['orderId', 'total'],
  properties: {
    orderId: { type: 'string' },
    total: { type: 'number' },
    status: { type: 'string', enum: ['NEW', 'PAID'] },
  },
};

function setup(overrides: Partial<EventContractProps> = {}): { stack: Stack; contract: EventContract } {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const registry = new SchemaRegistry(stack, 'Registry', { registryName: 'orders' });
  const contract = new EventContract(stack, 'OrderCreated', {
    registry,
    source: 'com.example.orders',
    detailType: 'Order Created',
    detailSchema: DETAIL_SCHEMA,
    ...overrides,
  });
  return { stack, contract };
}

describe('EventContract defaults', () => {
  let stack: Stack;
  let contract: EventContract;
  let template: Template;
  let content: any;

  beforeAll(() => {
    ({ stack, contract } = setup());
    template = Template.fromStack(stack);
    const [resource] = Object.values(template.findResources('AWS::EventSchemas::Schema'));
    content = JSON.parse(resource.Properties.Content);
  });

  test('publishes one JSONSchemaDraft4 schema in the registry, named <source>@<DetailTypeWithoutSpaces>', () => {
    template.resourceCountIs('AWS::EventSchemas::Schema', 1);
    const [resource] = Object.values(template.findResources('AWS::EventSchemas::Schema'));
    expect(resource.Properties).toEqual({
      RegistryName: { 'Fn::GetAtt': [expect.stringMatching(/^Registry/), 'RegistryName'] },
      SchemaName: 'com.example.orders@OrderCreated',
      Type: 'JSONSchemaDraft4',
      Content: expect.any(String),
    });
  });

  test('the schema describes the whole event envelope', () => {
    expect(content.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(content.type).toBe('object');
    expect(content.title).toBe('OrderCreated');
    expect(content.required).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(Object.keys(content.properties)).toEqual(['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail']);
    expect(content.properties.time).toEqual({ type: 'string', format: 'date-time' });
    expect(content.properties.resources).toEqual({ type: 'array', items: { type: 'string' } });
  });

  test('fixes source and detail-type with enums and extension keys', () => {
    expect(content.properties.source).toEqual({ type: 'string', enum: ['com.example.orders'] });
    expect(content.properties['detail-type']).toEqual({ type: 'string', enum: ['Order Created'] });
    expect(content['x-amazon-events-source']).toBe('com.example.orders');
    expect(content['x-amazon-events-detail-type']).toBe('Order Created');
  });

  test('embeds the detail schema as properties.detail', () => {
    expect(content.properties.detail).toEqual(DETAIL_SCHEMA);
  });

  test('exposes source, detailType, detailSchema, registry and the schema', () => {
    expect(contract.source).toBe('com.example.orders');
    expect(contract.detailType).toBe('Order Created');
    expect(contract.detailSchema).toBe(DETAIL_SCHEMA);
    expect(contract.schema).toBeInstanceOf(EventSchema);
    expect(contract.schema.node.id).toBe('Schema');
    expect(contract.registry.registryName).toBeDefined();
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('EventContract overrides', () => {
  test('schemaName wins over the convention', () => {
    const { stack } = setup({ schemaName: 'orders@Created.v2' });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'orders@Created.v2' });
  });

  test('description is stored on the schema', () => {
    const { stack } = setup({ description: 'A customer placed an order' });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', { Description: 'A customer placed an order' });
  });

  test('the convention strips characters a schema name cannot hold', () => {
    const { stack } = setup({ source: 'com.example/orders', detailType: 'Order: Created (v2)' });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', { SchemaName: 'com.exampleorders@OrderCreatedv2' });
  });

  test('a $schema in the detail schema is not repeated inside the envelope', () => {
    const { stack } = setup({ detailSchema: { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' } });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::EventSchemas::Schema'));
    expect(JSON.parse(resource.Properties.Content).properties.detail).toEqual({ type: 'object' });
  });

  test('token source and detailType skip validation and leave the name to CloudFormation', () => {
    const { stack } = setup({
      source: Lazy.string({ produce: () => 'aws.not-checked' }),
      detailType: Lazy.string({ produce: () => 'Order Created' }),
    });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::EventSchemas::Schema'));
    expect(resource.Properties.SchemaName).toBeUndefined();
  });
});

describe('EventContract validation', () => {
  test('throws when source starts with aws.', () => {
    expect(() => setup({ source: 'aws.orders' }))
      .toThrow(/EventContract 'Stack\/OrderCreated': source must not start with "aws\.", which EventBridge reserves for events from AWS services, got "aws\.orders"/);
  });

  test('accepts a source that merely contains aws', () => {
    expect(() => setup({ source: 'com.aws.orders' })).not.toThrow();
  });

  test('throws when source is empty', () => {
    expect(() => setup({ source: '' })).toThrow(/source must be 1-256 characters long, got 0 characters/);
  });

  test('throws when source is longer than 256 characters', () => {
    expect(() => setup({ source: 's'.repeat(257), schemaName: 'x' })).toThrow(/source must be 1-256 characters long, got 257 characters/);
  });

  test('throws when detailType is empty', () => {
    expect(() => setup({ detailType: '' })).toThrow(/detailType must be 1-128 characters long, got 0 characters/);
  });

  test('throws when detailType is longer than 128 characters', () => {
    expect(() => setup({ detailType: 'd'.repeat(129) })).toThrow(/detailType must be 1-128 characters long, got 129 characters/);
  });

  test('accepts a 128-character detailType', () => {
    expect(() => setup({ detailType: 'd'.repeat(128) })).not.toThrow();
  });

  test('throws when detailSchema is not an object', () => {
    expect(() => setup({ detailSchema: [] as any })).toThrow(/detailSchema must be a JSON Schema draft 4 object, got \[\]/);
  });

  test('throws when detailSchema is not valid draft 4, naming the path', () => {
    expect(() => setup({ detailSchema: { properties: { total: { type: 'decimal' } } } }))
      .toThrow(/EventContract 'Stack\/OrderCreated': detailSchema is not a valid JSON Schema draft 4:\n {2}- detailSchema properties.total.type: must be equal to one of the allowed values \(array, boolean, integer, null, number, object, string\) or must be array, got "decimal"/);
  });

  test('throws when description is longer than 256 characters', () => {
    expect(() => setup({ description: 'x'.repeat(257) })).toThrow(/EventContract 'Stack\/OrderCreated': description must be at most 256 characters long/);
  });

  test('throws when no schema name can be derived', () => {
    expect(() => setup({ detailType: '???' }))
      .toThrow(/cannot derive a schema name from source "com.example.orders" and detailType "\?\?\?" \(got "com.example.orders@"\); set schemaName/);
  });

  test('the longest source and detail-type give a 385-character name, the schema name maximum', () => {
    const { stack } = setup({ source: 's'.repeat(256), detailType: 'd'.repeat(128) });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::EventSchemas::Schema'));
    expect(resource.Properties.SchemaName).toHaveLength(385);
  });
});

describe('EventContract.pattern', () => {
  let contract: EventContract;
  let stack: Stack;

  beforeAll(() => {
    ({ stack, contract } = setup());
  });

  test('without options matches the contract source and detail-type', () => {
    expect(contract.pattern()).toEqual({ source: ['com.example.orders'], detailType: ['Order Created'] });
  });

  test('merges the caller detail filter and account/region/resources', () => {
    expect(contract.pattern({
      detail: { status: ['PAID'], total: [{ numeric: ['>', 100] }] },
      account: ['111111111111'],
      region: ['eu-west-1'],
      resources: [{ prefix: 'arn:aws:' } as any],
    })).toEqual({
      source: ['com.example.orders'],
      detailType: ['Order Created'],
      detail: { status: ['PAID'], total: [{ numeric: ['>', 100] }] },
      account: ['111111111111'],
      region: ['eu-west-1'],
      resources: [{ prefix: 'arn:aws:' }],
    });
  });

  test('accepts source and detailType equal to the contract', () => {
    expect(contract.pattern({ source: ['com.example.orders'], detailType: ['Order Created'] }))
      .toEqual({ source: ['com.example.orders'], detailType: ['Order Created'] });
  });

  test('throws when options set another source', () => {
    expect(() => contract.pattern({ source: ['com.example.billing'] }))
      .toThrow(/EventContract 'Stack\/OrderCreated'.pattern\(\): source \["com.example.billing"\] conflicts with the contract's source "com.example.orders"\. A contract's pattern always matches exactly its own source; omit source/);
  });

  test('throws when options add a second source', () => {
    expect(() => contract.pattern({ source: ['com.example.orders', 'com.example.billing'] })).toThrow(/source .* conflicts with the contract's source/);
  });

  test('throws when options set another detail-type', () => {
    expect(() => contract.pattern({ detailType: ['Order Paid'] }))
      .toThrow(/detailType \["Order Paid"\] conflicts with the contract's detailType "Order Created"/);
  });

  test('throws when detail is not an object', () => {
    expect(() => contract.pattern({ detail: ['x'] as any })).toThrow(/pattern\(\): detail must be an object of field filters, got \["x"\]/);
  });

  test('does not mutate the options', () => {
    const options: events.EventPattern = { detail: { status: ['NEW'] } };
    contract.pattern(options);
    expect(options).toEqual({ detail: { status: ['NEW'] } });
  });

  test('the pattern works on a rule', () => {
    const rule = new events.Rule(stack, 'Rule', { eventPattern: contract.pattern({ detail: { status: ['PAID'] } }) });
    expect(rule).toBeDefined();
    Template.fromStack(stack).hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['com.example.orders'], 'detail-type': ['Order Created'], 'detail': { status: ['PAID'] } },
    });
  });
});

describe('EventContract.pattern warnings', () => {
  test('warns when filtering on a detail field the schema does not declare', () => {
    const { stack, contract } = setup();
    contract.pattern({ detail: { staus: ['PAID'] } });
    Annotations.fromStack(stack).hasWarning('/Stack/OrderCreated', Match.stringLikeRegexp('filters on detail field\\(s\\) "staus" that detailSchema does not declare \\(declared: "orderId", "total", "status"\\)'));
  });

  test('does not warn for declared fields', () => {
    const { stack, contract } = setup();
    contract.pattern({ detail: { status: ['PAID'] } });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });

  test('does not warn when the schema declares no properties', () => {
    const { stack, contract } = setup({ detailSchema: { type: 'object' } });
    contract.pattern({ detail: { anything: ['x'] } });
    Annotations.fromStack(stack).hasNoWarning('*', Match.anyValue());
  });
});

describe('EventContract.grantRead', () => {
  test('grants read on the contract schema', () => {
    const { stack, contract } = setup();
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    contract.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: Match.arrayWith(['schemas:DescribeSchema', 'schemas:ExportSchema']),
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrderCreatedSchema'), 'SchemaArn'] },
        }],
      },
    });
  });
});
