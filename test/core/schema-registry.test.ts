import { App, Lazy, RemovalPolicy, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventSchema } from '../../src/core/event-schema';
import { SchemaDefinition } from '../../src/core/schema-definition';
import { SchemaRegistry } from '../../src/core/schema-registry';

const ENV = { account: '111111111111', region: 'eu-west-1' };

const READ_ACTIONS = [
  'schemas:DescribeRegistry',
  'schemas:ListSchemas',
  'schemas:SearchSchemas',
  'schemas:DescribeSchema',
  'schemas:ListSchemaVersions',
  'schemas:ExportSchema',
  'schemas:DescribeCodeBinding',
  'schemas:GetCodeBindingSource',
];

function newStack(): Stack {
  return new Stack(new App(), 'Stack', { env: ENV });
}

describe('SchemaRegistry defaults', () => {
  let stack: Stack;
  let registry: SchemaRegistry;
  let template: Template;

  beforeAll(() => {
    // GIVEN / WHEN
    stack = newStack();
    registry = new SchemaRegistry(stack, 'Registry');
    template = Template.fromStack(stack);
  });

  test('creates exactly one registry', () => {
    template.resourceCountIs('AWS::EventSchemas::Registry', 1);
  });

  test('leaves the name to CloudFormation and sets no description', () => {
    const [resource] = Object.values(template.findResources('AWS::EventSchemas::Registry'));
    expect(resource.Properties ?? {}).toEqual({});
  });

  test('is deleted with the stack by default', () => {
    template.hasResource('AWS::EventSchemas::Registry', {
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
    });
  });

  test('the L1 child has id Resource and is exposed', () => {
    expect(registry.node.defaultChild).toBe(registry.cfnRegistry);
    expect(registry.cfnRegistry.node.id).toBe('Resource');
  });

  test('registryArn and registryName come from the resource attributes', () => {
    expect(stack.resolve(registry.registryArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Registry/), 'RegistryArn'] });
    expect(stack.resolve(registry.registryName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Registry/), 'RegistryName'] });
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('SchemaRegistry overrides', () => {
  test('registryName is passed through', () => {
    const stack = newStack();
    new SchemaRegistry(stack, 'Registry', { registryName: 'orders.events_v1-prod' });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'orders.events_v1-prod' });
  });

  test('description is passed through', () => {
    const stack = newStack();
    new SchemaRegistry(stack, 'Registry', { description: 'Order events' });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Registry', { Description: 'Order events' });
  });

  test('removalPolicy RETAIN wins over the default', () => {
    const stack = newStack();
    new SchemaRegistry(stack, 'Registry', { removalPolicy: RemovalPolicy.RETAIN });
    Template.fromStack(stack).hasResource('AWS::EventSchemas::Registry', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  test('createResource can be overridden by a subclass', () => {
    class CustomRegistry extends SchemaRegistry {
      protected createResource(props: any) {
        const cfn = super.createResource(props);
        cfn.addPropertyOverride('Description', 'overridden');
        return cfn;
      }
    }
    const stack = newStack();
    new CustomRegistry(stack, 'Registry');
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Registry', { Description: 'overridden' });
  });
});

describe('SchemaRegistry validation', () => {
  test('throws when registryName has a forbidden character', () => {
    expect(() => new SchemaRegistry(newStack(), 'Registry', { registryName: 'orders events' }))
      .toThrow(/SchemaRegistry 'Stack\/Registry': registryName may contain only letters, digits, '\.', '-' and '_', got "orders events"/);
  });

  test('throws when registryName is longer than 64 characters', () => {
    expect(() => new SchemaRegistry(newStack(), 'Registry', { registryName: 'a'.repeat(65) }))
      .toThrow(/registryName must be 1-64 characters long, got 65 characters/);
  });

  test('throws when registryName is empty', () => {
    expect(() => new SchemaRegistry(newStack(), 'Registry', { registryName: '' }))
      .toThrow(/registryName must be 1-64 characters long, got 0 characters/);
  });

  test('accepts a 64-character registryName', () => {
    expect(() => new SchemaRegistry(newStack(), 'Registry', { registryName: 'a'.repeat(64) })).not.toThrow();
  });

  test('throws when description is longer than 256 characters', () => {
    expect(() => new SchemaRegistry(newStack(), 'Registry', { description: 'x'.repeat(257) }))
      .toThrow(/SchemaRegistry 'Stack\/Registry': description must be at most 256 characters long, got 257/);
  });

  test('skips validation for token registryName and description', () => {
    const stack = newStack();
    const tokenName = Lazy.string({ produce: () => 'not valid!' });
    const tokenDescription = Lazy.string({ produce: () => 'x'.repeat(300) });
    expect(() => new SchemaRegistry(stack, 'Registry', { registryName: tokenName, description: tokenDescription })).not.toThrow();
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Registry', { RegistryName: 'not valid!' });
  });
});

describe('SchemaRegistry imports', () => {
  test('fromRegistryName builds the ARN in the stack environment', () => {
    const stack = newStack();
    const registry = SchemaRegistry.fromRegistryName(stack, 'Imported', 'orders');
    expect(registry.registryName).toBe('orders');
    expect(stack.resolve(registry.registryArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':schemas:eu-west-1:111111111111:registry/orders']],
    });
  });

  test('fromRegistryName throws on an invalid name', () => {
    expect(() => SchemaRegistry.fromRegistryName(newStack(), 'Imported', 'bad/name'))
      .toThrow(/SchemaRegistry.fromRegistryName 'Stack\/Imported': registryName may contain only/);
  });

  test('fromRegistryName accepts a token name', () => {
    const stack = newStack();
    const registry = SchemaRegistry.fromRegistryName(stack, 'Imported', Lazy.string({ produce: () => 'x' }));
    expect(stack.resolve(registry.registryName)).toBe('x');
  });

  test('fromRegistryArn parses name, account and region', () => {
    const stack = newStack();
    const registry = SchemaRegistry.fromRegistryArn(stack, 'Imported', 'arn:aws:schemas:us-east-1:222222222222:registry/shared');
    expect(registry.registryName).toBe('shared');
    expect(registry.registryArn).toBe('arn:aws:schemas:us-east-1:222222222222:registry/shared');
    expect(registry.env.account).toBe('222222222222');
    expect(registry.env.region).toBe('us-east-1');
  });

  test('fromRegistryArn throws on an ARN of another resource type', () => {
    expect(() => SchemaRegistry.fromRegistryArn(newStack(), 'Imported', 'arn:aws:schemas:us-east-1:222222222222:schema/shared/x'))
      .toThrow(/registryArn must look like arn:<partition>:schemas:<region>:<account>:registry\/<name>, got "arn:aws:schemas:us-east-1:222222222222:schema\/shared\/x"/);
  });

  test('fromRegistryArn throws on an ARN of another service', () => {
    expect(() => SchemaRegistry.fromRegistryArn(newStack(), 'Imported', 'arn:aws:events:us-east-1:222222222222:registry/shared'))
      .toThrow(/registryArn must look like/);
  });

  test('fromRegistryArn is token-safe', () => {
    const stack = newStack();
    const arn = Lazy.string({ produce: () => 'arn:aws:schemas:us-east-1:222222222222:registry/shared' });
    const registry = SchemaRegistry.fromRegistryArn(stack, 'Imported', arn);
    expect(stack.resolve(registry.registryName)).toEqual({
      'Fn::Select': [1, { 'Fn::Split': ['/', { 'Fn::Select': [5, { 'Fn::Split': [':', 'arn:aws:schemas:us-east-1:222222222222:registry/shared'] }] }] }],
    });
  });
});

describe('SchemaRegistry.grantRead', () => {
  test('grants the read actions on the registry and its schemas', () => {
    const stack = newStack();
    const registry = new SchemaRegistry(stack, 'Registry', { registryName: 'orders' });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    registry.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: READ_ACTIONS,
          Resource: [
            { 'Fn::GetAtt': [Match.stringLikeRegexp('^Registry'), 'RegistryArn'] },
            {
              'Fn::Join': ['', [
                'arn:', { Ref: 'AWS::Partition' }, ':schemas:eu-west-1:111111111111:schema/',
                { 'Fn::GetAtt': [Match.stringLikeRegexp('^Registry'), 'RegistryName'] }, '/*',
              ]],
            },
          ],
        }],
      },
    });
  });

  test('grants on an imported registry use its own account and region', () => {
    const stack = newStack();
    const registry = SchemaRegistry.fromRegistryArn(stack, 'Imported', 'arn:aws:schemas:us-east-1:222222222222:registry/shared');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    registry.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Action: READ_ACTIONS,
          Resource: [
            'arn:aws:schemas:us-east-1:222222222222:registry/shared',
            { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':schemas:us-east-1:222222222222:schema/shared/*']] },
          ],
        }],
      },
    });
  });

  test('does not grant GetDiscoveredSchema, which cannot be scoped to a registry', () => {
    const stack = newStack();
    const registry = new SchemaRegistry(stack, 'Registry');
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    registry.grantRead(role);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).not.toContain('GetDiscoveredSchema');
  });
});

describe('SchemaRegistry.addSchema', () => {
  test('creates a schema in the registry, scoped under it', () => {
    const stack = newStack();
    const registry = new SchemaRegistry(stack, 'Registry', { registryName: 'orders' });
    const schema = registry.addSchema('OrderCreated', {
      schemaName: 'com.example@OrderCreated',
      definition: SchemaDefinition.jsonSchemaDraft4({ type: 'object' }),
    });
    expect(schema).toBeInstanceOf(EventSchema);
    expect(schema.node.scope).toBe(registry);
    expect(schema.registry).toBe(registry);
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', {
      RegistryName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Registry'), 'RegistryName'] },
      SchemaName: 'com.example@OrderCreated',
    });
  });

  test('works on an imported registry', () => {
    const stack = newStack();
    const registry = SchemaRegistry.fromRegistryName(stack, 'Imported', 'shared');
    registry.addSchema('S', { definition: SchemaDefinition.jsonSchemaDraft4({}) });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', { RegistryName: 'shared' });
  });
});
