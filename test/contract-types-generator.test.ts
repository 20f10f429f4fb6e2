import { ContractTypeError, pascalCase, renderContractModule, typedSchemas } from '../projenrc/contract-types';

/**
 * The generator of the handler types (projenrc/contract-types.ts): what each draft-4 keyword becomes, which exports
 * are typed under which name, and the refusals.
 */

const FILE = 'src/blueprints/x/contract.ts';

/** The generated module of one ContractData `X` with `schema` as its detail schema, without the header. */
function detailType(schema: unknown): string {
  const source = renderContractModule({ X: { detailType: 'Thing', description: 'A thing.', detailSchema: schema } }, FILE);
  return source.slice(source.indexOf('export '));
}

function objectWith(properties: Record<string, unknown>, required: string[] = Object.keys(properties)) {
  return { type: 'object', required, properties };
}

describe('types', () => {
  test.each([
    ['string', { type: 'string', minLength: 1, maxLength: 9, pattern: '^a', format: 'email' }, 'string'],
    ['number', { type: 'number', minimum: 0, exclusiveMinimum: true, maximum: 5, multipleOf: 0.5 }, 'number'],
    ['integer', { type: 'integer' }, 'number'],
    ['boolean', { type: 'boolean' }, 'boolean'],
    ['null', { type: 'null' }, 'null'],
    ['a list of types', { type: ['string', 'null'] }, 'string | null'],
    ['integer and number once', { type: ['integer', 'number'] }, 'number'],
    ['no type', { description: 'anything' }, 'unknown'],
    ['a string enum', { type: 'string', enum: ['low', 'high', "it's"] }, "'low' | 'high' | 'it\\'s'"],
    ['a mixed enum without type', { enum: ['a', 1, true, null] }, "'a' | 1 | true | null"],
    ['an integer enum of a number', { type: 'number', enum: [1, 2.5] }, '1 | 2.5'],
    ['an array', { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 3, uniqueItems: true }, 'ReadonlyArray<string>'],
    ['an array without items', { type: 'array' }, 'ReadonlyArray<unknown>'],
    ['an array of enums', { type: 'array', items: { enum: ['A', 'B'] } }, "ReadonlyArray<'A' | 'B'>"],
    ['an object without properties', { type: 'object' }, '{ readonly [key: string]: unknown }'],
    ['a closed empty object', { type: 'object', additionalProperties: false }, '{ readonly [key: string]: never }'],
    ['a map', { type: 'object', additionalProperties: { type: 'number' } }, '{ readonly [key: string]: number }'],
    ['validation-only allOf', { type: 'string', allOf: [{ pattern: '\\S', description: 'not blank' }, { maxLength: 3 }] }, 'string'],
  ])('%s', (_, schema, expected) => {
    expect(detailType(objectWith({ value: schema }))).toContain(`  readonly value: ${expected};\n`);
  });

  test('required properties are plain, the others optional, in schema order', () => {
    expect(detailType(objectWith({ a: { type: 'string' }, b: { type: 'number' } }, ['b']))).toBe([
      'export interface ThingDetail {',
      '  readonly a?: string;',
      '  readonly b: number;',
      '}',
      '',
    ].join('\n'));
  });

  test('a required property the schema does not describe is unknown', () => {
    expect(detailType(objectWith({ a: { type: 'string' } }, ['a', 'b']))).toContain('  readonly a: string;\n  readonly b: unknown;\n');
  });

  test('additionalProperties true or false next to properties changes nothing (TypeScript object types are open)', () => {
    const open = detailType(objectWith({ a: { type: 'string' } }));
    expect(detailType({ ...objectWith({ a: { type: 'string' } }), additionalProperties: false })).toBe(open);
    expect(detailType({ ...objectWith({ a: { type: 'string' } }), additionalProperties: true })).toBe(open);
  });

  test('nested objects are inline and indented; descriptions become TSDoc, their */ defused', () => {
    expect(detailType(objectWith({
      inner: { ...objectWith({ leaf: { type: 'string', description: 'a */ leaf' } }, []), description: 'The inner one.' },
    }))).toBe([
      'export interface ThingDetail {',
      '  /** The inner one. */',
      '  readonly inner: {',
      '    /** a *\\/ leaf */',
      '    readonly leaf?: string;',
      '  };',
      '}',
      '',
    ].join('\n'));
  });

  test('property names that are not identifiers are quoted', () => {
    expect(detailType(objectWith({ 'detail-type': { type: 'string' }, "it's": { type: 'string' } }))).toContain(
      "  readonly 'detail-type': string;\n  readonly 'it\\'s': string;\n");
  });

  test('a union with an object type parenthesizes the object', () => {
    expect(detailType(objectWith({ v: { type: ['object', 'null'], properties: { a: { type: 'string' } } } }))).toContain(
      '  readonly v: ({\n    readonly a?: string;\n  }) | null;\n');
  });

  test('an object schema used in several places becomes one named interface, after the first type that uses it', () => {
    const line = objectWith({ sku: { type: 'string' } });
    const source = renderContractModule({
      A: { detailType: 'OrderPlaced', description: 'd', detailSchema: objectWith({ items: { type: 'array', items: line } }) },
      B: { detailType: 'Reserved', description: 'd', detailSchema: objectWith({ line }) },
    }, FILE);
    expect(source).toContain('  readonly items: ReadonlyArray<OrderPlacedDetailItemsItem>;\n');
    expect(source).toContain('  readonly line: OrderPlacedDetailItemsItem;\n');
    expect(source).toContain('the same schema is at `B.detailSchema.properties.line`');
    expect(source.indexOf('export interface OrderPlacedDetailItemsItem')).toBeGreaterThan(source.indexOf('export interface OrderPlacedDetail '));
    expect(source.indexOf('export interface OrderPlacedDetailItemsItem')).toBeLessThan(source.indexOf('export interface ReservedDetail'));
    expect(source.match(/readonly sku: string;/g)).toHaveLength(1);
  });

  test('a top-level schema used inside another keeps its own name', () => {
    const ticket = objectWith({ id: { type: 'string' } });
    const source = renderContractModule({
      A: { detailType: 'TicketOpened', description: 'd', detailSchema: ticket },
      B: { detailType: 'Escalated', description: 'd', detailSchema: objectWith({ ticket }) },
    }, FILE);
    expect(source).toContain('  readonly ticket: TicketOpenedDetail;\n');
    expect(source.match(/export interface TicketOpenedDetail /g)).toHaveLength(1);
  });

  test('the module says it is generated, by what and from which contract', () => {
    expect(renderContractModule({ X: { detailType: 'Thing', description: 'd', detailSchema: { type: 'object' } } }, FILE)).toMatch(
      /^\/\/ Generated by projenrc\/contract-types\.ts from src\/blueprints\/x\/contract\.ts: do not edit\.\n\/\/ Change the contract, then run `npx projen gen:contract-types`/);
  });

  test('a type that is not an object is a type alias', () => {
    expect(renderContractModule({ LEVEL_SCHEMA: { type: 'string', enum: ['a', 'b'] } }, FILE)).toContain("export type Level = 'a' | 'b';\n");
  });
});

describe('which exports are typed, and their names', () => {
  test('ContractData, registry schemas, *_SCHEMA and *_SCHEMAS; nothing else', () => {
    const schema = { type: 'object' };
    expect(typedSchemas({
      ORDER_PLACED: { detailType: 'OrderPlaced', description: 'Placed.', detailSchema: schema },
      ALARM: { detailType: 'CloudWatch Alarm State Change', description: 'x', detailSchema: schema },
      PHOTO_UPLOADED_NOTIFICATION: { schemaName: 'photo@Uploaded', description: 'Sent.', schema },
      OBJECT_CREATED_SCHEMA: { schemaName: 'aws.s3@ObjectCreated', description: 'x', schema },
      UPLOAD_INPUT_SCHEMA: schema,
      CONSUMER_INPUT_SCHEMAS: { issueTicket: schema, loyalty: schema },
      LIMITS: { max: 1 },
      ENV: { table: 'TABLE' },
      ID_PATTERN: '^a$',
      SEVERITIES: ['low'],
    }).map((t) => [t.typeName, t.source])).toEqual([
      ['OrderPlacedDetail', 'ORDER_PLACED.detailSchema'],
      ['CloudWatchAlarmStateChangeDetail', 'ALARM.detailSchema'],
      ['PhotoUploadedNotification', 'PHOTO_UPLOADED_NOTIFICATION.schema'],
      ['ObjectCreated', 'OBJECT_CREATED_SCHEMA.schema'],
      ['UploadInput', 'UPLOAD_INPUT_SCHEMA'],
      ['IssueTicketConsumerInput', 'CONSUMER_INPUT_SCHEMAS.issueTicket'],
      ['LoyaltyConsumerInput', 'CONSUMER_INPUT_SCHEMAS.loyalty'],
    ]);
  });

  test('a ContractData type carries the detail-type and description as TSDoc', () => {
    expect(renderContractModule({ P: { detailType: 'OrderPlaced', description: 'A customer placed an order.', detailSchema: { type: 'object' } } }, FILE))
      .toContain('/**\n * The `detail` of `OrderPlaced` events: A customer placed an order.\n *\n * Generated from `P.detailSchema`.\n */\n');
  });

  test.each([
    ['ORDER_PLACED', 'OrderPlaced'],
    ['issueTicket', 'IssueTicket'],
    ['CloudWatch Alarm State Change', 'CloudWatchAlarmStateChange'],
  ])('pascalCase(%j) is %j', (name, expected) => {
    expect(pascalCase(name)).toBe(expected);
  });

  test('two exports with the same type name are refused', () => {
    expect(() => typedSchemas({ A: { detailType: 'Same', description: 'd', detailSchema: {} }, B: { detailType: 'Same', description: 'd', detailSchema: {} } }))
      .toThrow('contract-types: B.detailSchema: its type name SameDetail is also the name of A.detailSchema\'s type; rename one export');
  });

  test('a name that cannot be a type name is refused', () => {
    expect(() => typedSchemas({ A: { detailType: '123', description: 'd', detailSchema: {} } }))
      .toThrow('contract-types: 123: cannot make a TypeScript type name of "123"');
  });

  test('a contract without schemas is refused', () => {
    expect(() => renderContractModule({ LIMITS: { max: 1 } }, FILE))
      .toThrow(`contract-types: ${FILE}: exports no schema to type`);
  });
});

describe('refusals: keywords the generator cannot express, named with their place', () => {
  const where = `contract-types: ${FILE} X.detailSchema.properties.value`;

  test.each([
    ['$ref', { $ref: '#/definitions/a' }, '"$ref" cannot be expressed by the generator: write the referenced schema inline'],
    ['definitions', { type: 'string', definitions: {} }, '"definitions" cannot be expressed by the generator'],
    ['anyOf', { anyOf: [{ type: 'string' }, { type: 'number' }] }, '"anyOf" cannot be expressed by the generator: a union of schemas is not supported'],
    ['oneOf', { oneOf: [{ type: 'string' }] }, '"oneOf" cannot be expressed by the generator'],
    ['not', { not: { type: 'string' } }, '"not" cannot be expressed by the generator: a negated schema has no TypeScript type'],
    ['patternProperties', { type: 'object', patternProperties: { '^a': {} } }, '"patternProperties" cannot be expressed by the generator'],
    ['dependencies', { type: 'object', dependencies: { a: ['b'] } }, '"dependencies" cannot be expressed by the generator'],
    ['additionalItems', { type: 'array', additionalItems: false }, '"additionalItems" cannot be expressed by the generator: tuples are not supported'],
  ])('%s', (_, schema, message) => {
    expect(() => detailType(objectWith({ value: schema }))).toThrow(ContractTypeError);
    expect(() => detailType(objectWith({ value: schema }))).toThrow(`${where}: ${message}`);
  });

  test('an unknown keyword (a misspelt one) is refused, not ignored', () => {
    expect(() => detailType(objectWith({ value: { type: 'object', require: ['a'] } })))
      .toThrow(`${where}: "require" is not a JSON Schema draft-4 keyword the generator knows (known: type, properties, required,`);
  });

  test.each([
    ['tuple items', { type: 'array', items: [{ type: 'string' }] }, '.items: the tuple form (an array of schemas) cannot be expressed by the generator: give one schema'],
    ['a type that is not draft 4', { type: 'date' }, '.type: "date" is not a draft-4 type (string, number, integer, boolean, null, object, array)'],
    ['an empty type list', { type: [] }, '.type: must not be an empty array'],
    ['an enum value of another type', { type: 'string', enum: ['a', 1] }, '.enum: value 1 is not of the declared type string'],
    ['an object enum value', { enum: [{ a: 1 }] }, '.enum: enum value {"a":1} is not a string, number, boolean or null'],
    ['an empty enum', { enum: [] }, '.enum: must be a non-empty array'],
    ['properties without type', { properties: { a: { type: 'string' } } }, ': "properties" without "type": the value could be of any JSON type; add "type": "object"'],
    ['items without type', { items: { type: 'string' } }, ': "items" without "type": the value could be of any JSON type; add "type": "array"'],
    ['additionalProperties as a schema next to properties', { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } },
      '.additionalProperties: a schema next to "properties" cannot be expressed by the generator'],
    ['allOf that changes the type', { type: 'string', allOf: [{ type: 'number' }] }, '.allOf[0]: "type" inside allOf would change the type; only validation keywords'],
    ['allOf with a refused keyword', { type: 'string', allOf: [{ anyOf: [] }] }, '.allOf[0]: "anyOf" cannot be expressed by the generator'],
    ['required that is not a list of names', { type: 'object', properties: { a: { type: 'string' } }, required: 'a' }, '.required: must be an array of property names'],
    ['a schema that is not an object', 'string', ': a schema must be an object, got string'],
    ['a description that is not text', { type: 'string', description: 5 }, '.description: must be a string'],
  ])('%s', (_, schema, message) => {
    expect(() => detailType(objectWith({ value: schema }))).toThrow(`${where}${message}`);
  });

  test('a schema that contains itself is refused', () => {
    const cyclic: Record<string, unknown> = { type: 'object', properties: {} };
    (cyclic.properties as Record<string, unknown>).self = cyclic;
    expect(() => detailType(cyclic)).toThrow(`contract-types: ${FILE} X.detailSchema.properties.self: the schema contains itself (a cycle)`);
  });

  test('nesting is bounded', () => {
    let schema: unknown = { type: 'string' };
    for (let i = 0; i < 40; i++) schema = objectWith({ a: schema });
    expect(() => detailType(schema)).toThrow('schemas nested deeper than 32 levels are not supported');
  });
});
