import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Aws, Lazy, RemovalPolicy, Stack, aws_iam as iam } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { EventSchema } from '../../src/core/event-schema';
import { SchemaDefinition, SchemaType } from '../../src/core/schema-definition';
import { SchemaRegistry } from '../../src/core/schema-registry';

const ENV = { account: '111111111111', region: 'eu-west-1' };

// EventBridge's OpenAPI 3 format, as in the AWS docs' custom schema example.
const OPENAPI_DOC = {
  openapi: '3.0.0',
  info: { version: '1.0.0', title: 'OrderCreated' },
  paths: {},
  components: {
    schemas: {
      AWSEvent: { type: 'object', properties: { detail: { $ref: '#/components/schemas/OrderCreated' } } },
      OrderCreated: { type: 'object', properties: { orderId: { type: 'string' } } },
    },
  },
};

const DRAFT4_DOC = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  type: 'object',
  required: ['orderId'],
  properties: { orderId: { type: 'string' }, total: { type: ['number', 'null'] } },
};

let tmpDir: string;
function writeFile(name: string, content: string): string {
  const file = path.join(tmpDir, name);
  fs.writeFileSync(file, content);
  return file;
}

beforeAll(() => {
  tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'schema-test-'));
});
afterAll(() => {
  fs.rmSync(tmpDir, { recursive: true, force: true });
});

function setup(): { stack: Stack; registry: SchemaRegistry } {
  const stack = new Stack(new App(), 'Stack', { env: ENV });
  const registry = new SchemaRegistry(stack, 'Registry', { registryName: 'orders' });
  return { stack, registry };
}

function schemaWith(definition: SchemaDefinition): () => EventSchema {
  return () => {
    const { registry } = setup();
    return new EventSchema(registry.stack, 'Schema', { registry, definition });
  };
}

describe('EventSchema defaults', () => {
  let stack: Stack;
  let schema: EventSchema;
  let template: Template;

  beforeAll(() => {
    const s = setup();
    stack = s.stack;
    schema = new EventSchema(stack, 'Schema', { registry: s.registry, definition: SchemaDefinition.jsonSchemaDraft4(DRAFT4_DOC) });
    new EventSchema(stack, 'OpenApi', { registry: s.registry, schemaName: 'com.example@OrderCreated', definition: SchemaDefinition.openApi3(OPENAPI_DOC) });
    template = Template.fromStack(stack);
  });

  test('writes the registry name, type and compact JSON content; no name or description', () => {
    const resources = template.findResources('AWS::EventSchemas::Schema', { Properties: { Type: 'JSONSchemaDraft4' } });
    const [resource] = Object.values(resources);
    expect(resource.Properties).toEqual({
      RegistryName: { 'Fn::GetAtt': [expect.stringMatching(/^Registry/), 'RegistryName'] },
      Type: 'JSONSchemaDraft4',
      Content: JSON.stringify(DRAFT4_DOC),
    });
  });

  test('openApi3 writes Type OpenApi3', () => {
    template.hasResourceProperties('AWS::EventSchemas::Schema', {
      Type: 'OpenApi3',
      SchemaName: 'com.example@OrderCreated',
      Content: JSON.stringify(OPENAPI_DOC),
    });
  });

  test('is deleted with the stack by default', () => {
    template.hasResource('AWS::EventSchemas::Schema', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('exposes attributes from the resource', () => {
    expect(stack.resolve(schema.schemaArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Schema/), 'SchemaArn'] });
    expect(stack.resolve(schema.schemaName)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Schema/), 'SchemaName'] });
    expect(stack.resolve(schema.schemaVersion)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Schema/), 'SchemaVersion'] });
    expect(schema.schemaType).toBe(SchemaType.JSON_SCHEMA_DRAFT_4);
    expect(schema.node.defaultChild).toBe(schema.cfnSchema);
    expect(schema.cfnSchema.node.id).toBe('Resource');
  });

  test('matches the snapshot', () => {
    expect(template.toJSON()).toMatchSnapshot();
  });
});

describe('EventSchema overrides', () => {
  test('schemaName and description are passed through', () => {
    const { stack, registry } = setup();
    new EventSchema(stack, 'Schema', {
      registry,
      schemaName: 'com.example.orders@OrderCreated',
      description: 'An order was created',
      definition: SchemaDefinition.jsonSchemaDraft4({}),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', {
      SchemaName: 'com.example.orders@OrderCreated',
      Description: 'An order was created',
    });
  });

  test('removalPolicy RETAIN wins over the default', () => {
    const { stack, registry } = setup();
    new EventSchema(stack, 'Schema', { registry, removalPolicy: RemovalPolicy.RETAIN, definition: SchemaDefinition.jsonSchemaDraft4({}) });
    Template.fromStack(stack).hasResource('AWS::EventSchemas::Schema', { DeletionPolicy: 'Retain' });
  });

  test('tokens inside the document are rendered by the stack', () => {
    const { stack, registry } = setup();
    new EventSchema(stack, 'Schema', {
      registry,
      definition: SchemaDefinition.jsonSchemaDraft4({ type: 'object', description: `events in ${Aws.REGION}` }),
    });
    const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::EventSchemas::Schema'));
    expect(resource.Properties.Content).toEqual({ 'Fn::Join': ['', ['{"type":"object","description":"events in ', { Ref: 'AWS::Region' }, '"}']] });
  });
});

describe('EventSchema validation of names', () => {
  test('throws when schemaName has a forbidden character', () => {
    const { stack, registry } = setup();
    expect(() => new EventSchema(stack, 'Schema', { registry, schemaName: 'Order Created', definition: SchemaDefinition.jsonSchemaDraft4({}) }))
      .toThrow(/EventSchema 'Stack\/Schema': schemaName may contain only letters, digits, '@', '\.', '-' and '_', got "Order Created"/);
  });

  test('throws when schemaName is longer than 385 characters', () => {
    const { stack, registry } = setup();
    expect(() => new EventSchema(stack, 'Schema', { registry, schemaName: 'a'.repeat(386), definition: SchemaDefinition.jsonSchemaDraft4({}) }))
      .toThrow(/schemaName must be 1-385 characters long, got 386 characters/);
  });

  test('throws when description is longer than 256 characters', () => {
    const { stack, registry } = setup();
    expect(() => new EventSchema(stack, 'Schema', { registry, description: 'd'.repeat(257), definition: SchemaDefinition.jsonSchemaDraft4({}) }))
      .toThrow(/EventSchema 'Stack\/Schema': description must be at most 256 characters long, got 257/);
  });

  test('skips name and description validation for tokens', () => {
    const { stack, registry } = setup();
    expect(() => new EventSchema(stack, 'Schema', {
      registry,
      schemaName: Lazy.string({ produce: () => 'bad name' }),
      description: Lazy.string({ produce: () => 'd'.repeat(300) }),
      definition: SchemaDefinition.jsonSchemaDraft4({}),
    })).not.toThrow();
  });
});

describe('SchemaDefinition.jsonSchemaDraft4 validation', () => {
  test.each([
    [{ $schema: 'http://json-schema.org/draft-07/schema#' }, /\$schema: must be "http:\/\/json-schema.org\/draft-04\/schema#" for a JSONSchemaDraft4 schema, got "http:\/\/json-schema.org\/draft-07\/schema#"/],
    // Checked by Ajv against the draft-04 meta-schema.
    [{ type: 'float' }, /type: must be equal to one of the allowed values \(array, boolean, integer, null, number, object, string\) or must be array, got "float"/],
    [{ type: ['string', 'date'] }, /type\[1\]: must be equal to one of the allowed values .*, got "date"/],
    [{ type: ['string', 'string'] }, /type: must NOT have duplicate items/],
    [{ type: [] }, /type: must NOT have fewer than 1 items, got \[\]/],
    [{ properties: [] }, /properties: must be object, got \[\]/],
    [{ properties: { id: 'string' } }, /properties.id: must be object, got "string"/],
    [{ properties: { a: { properties: { b: { type: 'text' } } } } }, /properties.a.properties.b.type: must be equal to one of the allowed values/],
    [{ required: 'id' }, /required: must be array, got "id"/],
    [{ required: [] }, /required: must NOT have fewer than 1 items, got \[\]/],
    [{ required: ['id', 1] }, /required\[1\]: must be string, got 1/],
    [{ required: ['id', 'id'] }, /required: must NOT have duplicate items/],
    [{ items: [{ type: 'string' }, 5] }, /items\[1\]: must be object, got 5/],
    [{ additionalProperties: 'no' }, /additionalProperties: must be boolean or must be object, got "no"/],
    [{ oneOf: [] }, /oneOf: must NOT have fewer than 1 items/],
    [{ enum: [] }, /enum: must NOT have fewer than 1 items/],
    [{ definitions: { a: { type: 'nope' } } }, /definitions.a.type/],
  ])('throws for %j', (doc, message) => {
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4(doc))).toThrow(message);
  });

  test('names the construct, the prop and the format in the error', () => {
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4({ type: 'float' })))
      .toThrow(/^EventSchema 'Stack\/Schema': definition \(inline JSONSchemaDraft4\) is not valid:\n {2}- type: /);
  });

  test('lists every problem', () => {
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4({ type: 'float', required: [] })))
      .toThrow(/- required: .*\n {2}- type: /);
  });

  test('throws when the top level is an array', () => {
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4([] as any))).toThrow(/top level: must be a JSON object, got \[\]/);
  });

  test('accepts additionalProperties false, nested items and the draft-04 URI without #', () => {
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4({
      $schema: 'http://json-schema.org/draft-04/schema',
      type: 'object',
      additionalProperties: false,
      properties: { lines: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' } } } } },
    }))).not.toThrow();
  });

  test('throws when the content is longer than 100,000 characters', () => {
    const big = { type: 'object', description: 'x'.repeat(100_000) };
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4(big)))
      .toThrow(/the content is 100034 characters long; EventBridge accepts at most 100000 characters per schema/);
  });

  test('accepts content of exactly 100,000 characters', () => {
    const prefix = JSON.stringify({ description: '' }).length;
    const doc = { description: 'x'.repeat(100_000 - prefix) };
    expect(JSON.stringify(doc).length).toBe(100_000);
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4(doc))).not.toThrow();
  });
});

describe('SchemaDefinition.openApi3 validation', () => {
  const withOut = (key: string) => {
    const copy: any = JSON.parse(JSON.stringify(OPENAPI_DOC));
    delete copy[key];
    return copy;
  };

  test.each([
    [{ ...OPENAPI_DOC, openapi: '2.0' }, /openapi: must be a version string of the form "3.x.y" \(EventBridge uses "3.0.0"\), got "2.0"/],
    [withOut('openapi'), /openapi: must be a version string .* got undefined/],
    [withOut('info'), /info: must be an object with "title" and "version" strings, got undefined/],
    [{ ...OPENAPI_DOC, info: { title: 'T' } }, /info.version: must be a non-empty string, got undefined/],
    [{ ...OPENAPI_DOC, info: { version: '1' } }, /info.title: must be a non-empty string/],
    [{ ...OPENAPI_DOC, paths: [] }, /paths: must be an object \(EventBridge uses \{\}\), got \[\]/],
    [withOut('components'), /components: must be an object with a "schemas" object/],
    [{ ...OPENAPI_DOC, components: { schemas: {} } }, /components.schemas: must be a non-empty object/],
    [{ ...OPENAPI_DOC, components: { schemas: { A: true } } }, /components.schemas.A: must be a schema object, got true/],
  ])('throws for case %#', (doc, message) => {
    expect(schemaWith(SchemaDefinition.openApi3(doc))).toThrow(message);
  });

  test('names the format in the error', () => {
    expect(schemaWith(SchemaDefinition.openApi3({}))).toThrow(/definition \(inline OpenApi3\) is not valid/);
  });
});

describe('SchemaDefinition from files', () => {
  test('jsonSchemaDraft4FromFile reads and re-serializes the file', () => {
    const file = writeFile('draft4.json', JSON.stringify(DRAFT4_DOC, null, 2));
    const { stack, registry } = setup();
    new EventSchema(stack, 'Schema', { registry, definition: SchemaDefinition.jsonSchemaDraft4FromFile(file) });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', {
      Type: 'JSONSchemaDraft4',
      Content: JSON.stringify(DRAFT4_DOC),
    });
  });

  test('openApi3FromFile reads the file', () => {
    const file = writeFile('openapi.json', JSON.stringify(OPENAPI_DOC));
    const { stack, registry } = setup();
    new EventSchema(stack, 'Schema', { registry, definition: SchemaDefinition.openApi3FromFile(file) });
    Template.fromStack(stack).hasResourceProperties('AWS::EventSchemas::Schema', { Type: 'OpenApi3', Content: JSON.stringify(OPENAPI_DOC) });
  });

  test('throws when the file does not exist', () => {
    const missing = path.join(tmpDir, 'missing.json');
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4FromFile(missing)))
      .toThrow(new RegExp(`EventSchema 'Stack/Schema': definition \\(JSONSchemaDraft4 file ${missing.replace(/[/.]/g, '\\$&')}\\) is not valid:\\n {2}- the file cannot be read: ENOENT`));
  });

  test('throws with line and column when the file is not valid JSON', () => {
    const file = writeFile('broken.json', '{\n  "type": "object",\n  "properties": {,}\n}');
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4FromFile(file)))
      .toThrow(/invalid JSON at line 3, column 18 \(position 39\)/);
  });

  test('throws when the file is empty', () => {
    const file = writeFile('empty.json', '');
    expect(schemaWith(SchemaDefinition.openApi3FromFile(file))).toThrow(/invalid JSON: Unexpected end of JSON input/);
  });

  test('throws when the file holds an array', () => {
    const file = writeFile('array.json', '[1, 2]');
    expect(schemaWith(SchemaDefinition.jsonSchemaDraft4FromFile(file))).toThrow(/top level: must be a JSON object, got \[1,2\]/);
  });

  test('validates the file content', () => {
    const file = writeFile('bad-openapi.json', JSON.stringify({ ...OPENAPI_DOC, openapi: '3.1' }));
    expect(schemaWith(SchemaDefinition.openApi3FromFile(file))).toThrow(/OpenApi3 file .*bad-openapi.json\) is not valid:\n {2}- openapi: /);
  });
});

describe('EventSchema imports', () => {
  test('fromSchemaArn parses the schema name and environment', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const schema = EventSchema.fromSchemaArn(stack, 'Imported', 'arn:aws:schemas:us-east-1:222222222222:schema/shared/com.example@OrderCreated');
    expect(schema.schemaName).toBe('com.example@OrderCreated');
    expect(schema.schemaArn).toBe('arn:aws:schemas:us-east-1:222222222222:schema/shared/com.example@OrderCreated');
    expect(schema.schemaVersion).toBeUndefined();
    expect(schema.env.account).toBe('222222222222');
  });

  test('fromSchemaArn throws on a registry ARN', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    expect(() => EventSchema.fromSchemaArn(stack, 'Imported', 'arn:aws:schemas:us-east-1:222222222222:registry/shared'))
      .toThrow(/EventSchema.fromSchemaArn 'Stack\/Imported': schemaArn must look like arn:<partition>:schemas:<region>:<account>:schema\/<registry>\/<name>/);
  });

  test('fromSchemaArn throws when the schema name is missing', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    expect(() => EventSchema.fromSchemaArn(stack, 'Imported', 'arn:aws:schemas:us-east-1:222222222222:schema/shared/'))
      .toThrow(/schemaArn must look like/);
  });

  test('fromSchemaArn is token-safe', () => {
    const stack = new Stack(new App(), 'Stack', { env: ENV });
    const arn = Lazy.string({ produce: () => 'arn:aws:schemas:us-east-1:222222222222:schema/shared/x' });
    const schema = EventSchema.fromSchemaArn(stack, 'Imported', arn);
    expect(stack.resolve(schema.schemaName)).toEqual({ 'Fn::Select': [2, { 'Fn::Split': ['/', 'arn:aws:schemas:us-east-1:222222222222:schema/shared/x'] }] });
  });

  test('fromSchemaName builds the ARN from the registry', () => {
    const { stack } = setup();
    const registry = SchemaRegistry.fromRegistryName(stack, 'Shared', 'shared');
    const schema = EventSchema.fromSchemaName(stack, 'Imported', registry, 'com.example@OrderCreated');
    expect(schema.schemaName).toBe('com.example@OrderCreated');
    expect(stack.resolve(schema.schemaArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':schemas:eu-west-1:111111111111:schema/shared/com.example@OrderCreated']],
    });
  });

  test('fromSchemaName throws on an invalid name', () => {
    const { stack, registry } = setup();
    expect(() => EventSchema.fromSchemaName(stack, 'Imported', registry, 'has space'))
      .toThrow(/EventSchema.fromSchemaName 'Stack\/Imported': schemaName may contain only/);
  });
});

describe('EventSchema.grantRead', () => {
  test('grants the schema read actions on the schema ARN only', () => {
    const { stack, registry } = setup();
    const schema = new EventSchema(stack, 'Schema', { registry, definition: SchemaDefinition.jsonSchemaDraft4({}) });
    const role = new iam.Role(stack, 'Role', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    schema.grantRead(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{
          Effect: 'Allow',
          Action: ['schemas:DescribeSchema', 'schemas:ListSchemaVersions', 'schemas:ExportSchema', 'schemas:DescribeCodeBinding', 'schemas:GetCodeBindingSource'],
          Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Schema'), 'SchemaArn'] },
        }],
      },
    });
  });
});
