/**
 * The handler types of the blueprints, generated from their contracts: the `src/blueprints/<name>/contract.ts` of each
 * blueprint with handlers (a `runtime/` folder) is loaded, its JSON Schemas (draft 4) become TypeScript interfaces in
 * the committed `src/blueprints/<name>/runtime/contract.generated.ts`, and the handlers import them instead of
 * declaring the shapes a second time.
 *
 * Run by `npx projen gen:contract-types` (spawned by `bundle`, so by `build`, `synth:example` and the integ tasks, and
 * by `test` before its type-check). `test/blueprints/contract-types.test.ts` compares the committed files with a
 * fresh generation and type-checks the handlers against contracts with a field renamed.
 *
 * Which exports of a contract module are typed, and the name each gets:
 * - a `ContractData` (`detailType`, `detailSchema`): `<DetailType>Detail`, e.g. `ORDER_PLACED` → `OrderPlacedDetail`;
 * - a registry schema (`schemaName`, `schema`): the export's name in PascalCase, e.g. `PHOTO_UPLOADED_NOTIFICATION` →
 *   `PhotoUploadedNotification` (a trailing `_SCHEMA` dropped);
 * - a schema exported as `<NAME>_SCHEMA`: `<Name>`, e.g. `UPLOAD_INPUT_SCHEMA` → `UploadInput`;
 * - an object of schemas exported as `<NAME>_SCHEMAS`: `<Key><Name>` per key, e.g. `CONSUMER_INPUT_SCHEMAS.loyalty` →
 *   `LoyaltyConsumerInput`.
 * Every other export (limits, environment variable names, patterns) is left alone.
 *
 * The generator knows the part of draft 4 the contracts use, and refuses every other keyword with an error naming the
 * export, the place in the schema and the keyword, rather than emitting a type that is wrong:
 * - `type` (one or several of string, number, integer, boolean, null, object, array; integer is `number`);
 * - `properties` and `required` (a required property the schema does not describe is `unknown`);
 * - `items` (one schema; the tuple form is refused);
 * - `enum` of strings, numbers, booleans and null (a union of literals; each must have the declared `type`);
 * - `additionalProperties`: `false`/`true` or absent change nothing next to `properties` (a TypeScript object type is
 *   open anyway, and the handlers may read only what the contract names); a schema is typed only on an object
 *   without `properties` (`{ [key: string]: T }`) and refused next to them;
 * - `allOf` whose members only validate (patterns, lengths, formats): they narrow values, not the type;
 * - validation and annotation keywords that do not change the type: `minLength`, `maxLength`, `pattern`, `format`,
 *   `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `minItems`, `maxItems`,
 *   `uniqueItems`, `minProperties`, `maxProperties`, `$schema`, `id`, `title`, `default`; `description` becomes the
 *   TSDoc of the property.
 * Refused: `$ref`, `definitions`, `anyOf`, `oneOf`, `not`, `patternProperties`, `dependencies`, `additionalItems`,
 * tuple `items`, and any keyword it does not know (a misspelt `require` is an error, not a silent `any`).
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

/** Keywords that validate or annotate a value without changing its TypeScript type. */
const NO_TYPE_EFFECT = new Set([
  '$schema', 'id', 'title', 'description', 'default', 'format',
  'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf',
  'minItems', 'maxItems', 'uniqueItems', 'minProperties', 'maxProperties',
]);
/** Keywords the generator turns into types. */
const TYPED = new Set(['type', 'properties', 'required', 'items', 'enum', 'additionalProperties', 'allOf']);
/** Draft-4 keywords it cannot express, with what to do instead. */
const REFUSED: Record<string, string> = {
  $ref: 'write the referenced schema inline (a shared constant in contract.ts)',
  definitions: 'use shared constants in contract.ts instead of definitions',
  anyOf: 'a union of schemas is not supported',
  oneOf: 'a union of schemas is not supported',
  not: 'a negated schema has no TypeScript type',
  patternProperties: 'property names by pattern are not supported',
  dependencies: 'dependent properties are not supported',
  additionalItems: 'tuples are not supported',
};
const TYPES = ['string', 'number', 'integer', 'boolean', 'null', 'object', 'array'] as const;
type JsonType = (typeof TYPES)[number];
/** Deeper than any contract; bounds the recursion on hostile or cyclic input. */
const MAX_DEPTH = 32;

/** A schema the generator cannot type: names the place and the keyword. */
export class ContractTypeError extends Error {
  constructor(where: string, message: string) {
    super(`contract-types: ${where}: ${message}`);
    this.name = 'ContractTypeError';
  }
}

/** One generated type: its name, the export it comes from and its schema. */
export interface TypedSchema {
  readonly typeName: string;
  /** Where it comes from, e.g. `ORDER_PLACED.detailSchema`. */
  readonly source: string;
  readonly description?: string;
  readonly schema: unknown;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `ORDER_PLACED` → `OrderPlaced`, `issueTicket` → `IssueTicket`, `CloudWatch Alarm State Change` → `CloudWatchAlarmStateChange`. */
export function pascalCase(name: string): string {
  const words = /^[A-Z0-9_]+$/.test(name)
    ? name.toLowerCase().split('_')
    : name.split(/[^A-Za-z0-9]+/);
  const result = words.filter((w) => w !== '').map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  if (!/^[A-Z][A-Za-z0-9]*$/.test(result)) {
    throw new ContractTypeError(name, `cannot make a TypeScript type name of ${JSON.stringify(name)}`);
  }
  return result;
}

/**
 * The schemas of a contract module's exports that get a type, in export order (see the module comment for the
 * naming rules).
 * @throws ContractTypeError on two types of the same name
 */
export function typedSchemas(exports: Record<string, unknown>): TypedSchema[] {
  const found: TypedSchema[] = [];
  for (const [name, value] of Object.entries(exports)) {
    if (!isPlainObject(value)) continue;
    if (typeof value.detailType === 'string' && isPlainObject(value.detailSchema)) {
      found.push({
        typeName: `${pascalCase(value.detailType)}Detail`,
        source: `${name}.detailSchema`,
        description: `The \`detail\` of \`${value.detailType}\` events${typeof value.description === 'string' ? `: ${value.description}` : '.'}`,
        schema: value.detailSchema,
      });
    } else if (typeof value.schemaName === 'string' && isPlainObject(value.schema)) {
      found.push({
        typeName: pascalCase(name.replace(/_SCHEMA$/, '')),
        source: `${name}.schema`,
        description: `\`${value.schemaName}\`${typeof value.description === 'string' ? `: ${value.description}` : ''}`,
        schema: value.schema,
      });
    } else if (name.endsWith('_SCHEMA')) {
      found.push({ typeName: pascalCase(name.slice(0, -'_SCHEMA'.length)), source: name, schema: value });
    } else if (name.endsWith('_SCHEMAS')) {
      const suffix = pascalCase(name.slice(0, -'_SCHEMAS'.length));
      for (const [key, schema] of Object.entries(value)) {
        found.push({ typeName: `${pascalCase(key)}${suffix}`, source: `${name}.${key}`, schema });
      }
    }
  }
  const seen = new Map<string, string>();
  for (const t of found) {
    const other = seen.get(t.typeName);
    if (other !== undefined) throw new ContractTypeError(t.source, `its type name ${t.typeName} is also the name of ${other}'s type; rename one export`);
    seen.set(t.typeName, t.source);
  }
  return found;
}

/** A TSDoc comment (its `*\/` defused, lines wrapped at 120 characters), or nothing. */
function docComment(text: string | undefined, indent: string): string {
  if (text === undefined || text === '') return '';
  const width = 120 - indent.length - 3;
  const lines = text.replace(/\*\//g, '*\\/').split('\n').flatMap((line) => wrap(line, width));
  return lines.length === 1 && lines[0].length <= width - 3
    ? `${indent}/** ${lines[0]} */\n`
    : `${indent}/**\n${lines.map((l) => `${indent} * ${l}`.trimEnd()).join('\n')}\n${indent} */\n`;
}

/** Words of `line` in lines of at most `width` characters (a longer word gets a line of its own). */
function wrap(line: string, width: number): string[] {
  const out: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    if (current !== '' && current.length + 1 + word.length > width) {
      out.push(current);
      current = word;
    } else {
      current = current === '' ? word : `${current} ${word}`;
    }
  }
  out.push(current);
  return out;
}

function propertyKey(name: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(name) ? name : `'${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

function literal(value: unknown, where: string): string {
  if (typeof value === 'string') return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value === 'boolean' || value === null) return String(value);
  throw new ContractTypeError(where, `enum value ${JSON.stringify(value) ?? String(value)} is not a string, number, boolean or null`);
}

function typeOfValue(value: unknown): JsonType {
  if (value === null) return 'null';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value as JsonType;
}

function checkKeywords(schema: Record<string, unknown>, where: string): void {
  for (const key of Object.keys(schema)) {
    if (key in REFUSED) throw new ContractTypeError(where, `"${key}" cannot be expressed by the generator: ${REFUSED[key]}`);
    if (!TYPED.has(key) && !NO_TYPE_EFFECT.has(key)) {
      throw new ContractTypeError(where, `"${key}" is not a JSON Schema draft-4 keyword the generator knows (known: ${[...TYPED, ...NO_TYPE_EFFECT].join(', ')})`);
    }
  }
  if (schema.description !== undefined && typeof schema.description !== 'string') {
    throw new ContractTypeError(`${where}.description`, 'must be a string');
  }
}

function declaredTypes(schema: Record<string, unknown>, where: string): JsonType[] | undefined {
  if (schema.type === undefined) return undefined;
  const list = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (list.length === 0) throw new ContractTypeError(`${where}.type`, 'must not be an empty array');
  for (const t of list) {
    if (!(TYPES as readonly unknown[]).includes(t)) {
      throw new ContractTypeError(`${where}.type`, `${JSON.stringify(t)} is not a draft-4 type (${TYPES.join(', ')})`);
    }
  }
  return list as JsonType[];
}

/** An object schema (`type: 'object'`) rendered once as a named interface, because the module uses it in several places. */
interface SharedObject {
  readonly name: string;
  readonly places: string[];
}

/** Object schemas that occur in several places of a module's types (by identity: a shared constant in contract.ts). */
function sharedObjects(types: readonly TypedSchema[]): Map<object, SharedObject> {
  const seen = new Map<object, SharedObject>();
  const visit = (schema: unknown, name: string, place: string, stack: unknown[]): void => {
    if (!isPlainObject(schema) || stack.includes(schema) || stack.length >= MAX_DEPTH) return;
    if (schema.type === 'object' && schema.enum === undefined) {
      const known = seen.get(schema);
      if (known !== undefined) {
        known.places.push(place);
        return;
      }
      seen.set(schema, { name, places: [place] });
    }
    const inner = [...stack, schema];
    if (isPlainObject(schema.properties)) {
      for (const [key, value] of Object.entries(schema.properties)) {
        visit(value, `${name}${safePascalCase(key)}`, `${place}.properties.${key}`, inner);
      }
    }
    if (isPlainObject(schema.items)) visit(schema.items, `${name}Item`, `${place}.items`, inner);
    if (isPlainObject(schema.additionalProperties)) visit(schema.additionalProperties, `${name}Value`, `${place}.additionalProperties`, inner);
  };
  for (const t of types) visit(t.schema, t.typeName, t.source, []);
  return new Map([...seen].filter(([, shared]) => shared.places.length > 1));
}

/** A property name as part of a type name (`detail-type` → `DetailType`); `Property` when it has no letters. */
function safePascalCase(name: string): string {
  const words = name.split(/[^A-Za-z0-9]+/).filter((w) => w !== '');
  const result = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return /^[A-Z][A-Za-z0-9]*$/.test(result) ? result : 'Property';
}

/** Renders the types of one contract module: the exported types, and the shared object schemas as named interfaces. */
class ModuleRenderer {
  private readonly shared: Map<object, SharedObject>;
  /** Shared interfaces referenced but not written yet. */
  private readonly queue: Array<{ readonly schema: Record<string, unknown>; readonly shared: SharedObject }> = [];
  private readonly queued = new Set<object>();

  constructor(private readonly file: string, private readonly types: readonly TypedSchema[]) {
    this.shared = sharedObjects(types);
    // A top-level schema used again inside another keeps its own name.
    for (const t of types) {
      const shared = isPlainObject(t.schema) ? this.shared.get(t.schema) : undefined;
      if (shared !== undefined) {
        this.shared.set(t.schema as object, { name: t.typeName, places: shared.places });
        this.queued.add(t.schema as object);
      }
    }
    const names = new Set(types.map((t) => t.typeName));
    for (const [schema, shared] of this.shared) {
      if (!this.queued.has(schema) && names.has(shared.name)) {
        throw new ContractTypeError(`${file} ${shared.places[0]}`, `the name of its shared interface, ${shared.name}, is taken by another type; rename one export`);
      }
      names.add(shared.name);
    }
  }

  /** The module's source, types in export order, each followed by the shared interfaces it introduced. */
  public render(): string {
    const blocks: string[] = [];
    for (const t of this.types) {
      const description = `${t.description ? `${t.description}\n\n` : ''}Generated from \`${t.source}\`.`;
      blocks.push(this.declaration(t.typeName, description, this.renderSchema(t.schema, `${this.file} ${t.source}`, '', [], true)));
      while (this.queue.length > 0) {
        const { schema, shared } = this.queue.shift()!;
        const [first, ...others] = shared.places;
        const doc = `${typeof schema.description === 'string' ? `${schema.description}\n\n` : ''}Generated from \`${first}\`; the same schema is at ${others.map((o) => `\`${o}\``).join(', ')}.`;
        blocks.push(this.declaration(shared.name, doc, this.renderSchema(schema, `${this.file} ${first}`, '', [], true)));
      }
    }
    return blocks.join('\n');
  }

  private declaration(name: string, description: string, type: string): string {
    const doc = docComment(description, '');
    return type.startsWith('{\n') ? `${doc}export interface ${name} ${type}\n` : `${doc}export type ${name} = ${type};\n`;
  }

  /** The TypeScript type of `schema`; `indent` is the indentation of the line the type starts on. */
  private renderSchema(schema: unknown, where: string, indent: string, stack: unknown[], defining = false): string {
    if (!isPlainObject(schema)) throw new ContractTypeError(where, `a schema must be an object, got ${schema === null ? 'null' : Array.isArray(schema) ? 'an array' : typeof schema}`);
    if (stack.includes(schema)) throw new ContractTypeError(where, 'the schema contains itself (a cycle)');
    if (stack.length >= MAX_DEPTH) throw new ContractTypeError(where, `schemas nested deeper than ${MAX_DEPTH} levels are not supported`);
    const shared = defining ? undefined : this.shared.get(schema);
    if (shared !== undefined) {
      if (!this.queued.has(schema)) {
        this.queued.add(schema);
        this.queue.push({ schema, shared });
      }
      return shared.name;
    }
    checkKeywords(schema, where);
    const inner = [...stack, schema];

    if (schema.allOf !== undefined) checkAllOf(schema.allOf, where);
    const types = declaredTypes(schema, where);
    if (schema.enum !== undefined) return enumType(schema.enum, types, where);
    if (types === undefined) {
      for (const structural of ['properties', 'required', 'items', 'additionalProperties']) {
        if (schema[structural] !== undefined) {
          throw new ContractTypeError(where, `"${structural}" without "type": the value could be of any JSON type; add "type": "${structural === 'items' ? 'array' : 'object'}"`);
        }
      }
      return 'unknown';
    }
    const rendered = [...new Set(types.map((t) => this.renderType(t, schema, where, indent, inner)))];
    return rendered.length === 1 ? rendered[0] : rendered.map((r) => (r.includes('\n') ? `(${r})` : r)).join(' | ');
  }

  private renderType(type: JsonType, schema: Record<string, unknown>, where: string, indent: string, stack: unknown[]): string {
    switch (type) {
      case 'string': return 'string';
      case 'number':
      case 'integer': return 'number';
      case 'boolean': return 'boolean';
      case 'null': return 'null';
      case 'array': {
        if (schema.items === undefined) return 'ReadonlyArray<unknown>';
        if (Array.isArray(schema.items)) throw new ContractTypeError(`${where}.items`, 'the tuple form (an array of schemas) cannot be expressed by the generator: give one schema');
        return `ReadonlyArray<${this.renderSchema(schema.items, `${where}.items`, indent, stack)}>`;
      }
      case 'object': return this.renderObject(schema, where, indent, stack);
    }
  }

  private renderObject(schema: Record<string, unknown>, where: string, indent: string, stack: unknown[]): string {
    const properties = schema.properties ?? {};
    if (!isPlainObject(properties)) throw new ContractTypeError(`${where}.properties`, 'must be an object of schemas');
    const required = schema.required ?? [];
    if (!Array.isArray(required) || required.some((r) => typeof r !== 'string')) {
      throw new ContractTypeError(`${where}.required`, 'must be an array of property names');
    }
    const additional = schema.additionalProperties;
    if (additional !== undefined && typeof additional !== 'boolean' && !isPlainObject(additional)) {
      throw new ContractTypeError(`${where}.additionalProperties`, 'must be a boolean or a schema');
    }
    const names = [...Object.keys(properties), ...(required as string[]).filter((r) => !(r in properties))];
    if (names.length === 0) {
      if (additional === false) return '{ readonly [key: string]: never }';
      const value = isPlainObject(additional) ? this.renderSchema(additional, `${where}.additionalProperties`, indent, stack) : 'unknown';
      return `{ readonly [key: string]: ${value} }`;
    }
    if (isPlainObject(additional)) {
      throw new ContractTypeError(`${where}.additionalProperties`,
        'a schema next to "properties" cannot be expressed by the generator (an index signature would have to admit every named property\'s type)');
    }
    const inner = `${indent}  `;
    const lines = names.map((name) => {
      const propertySchema = properties[name];
      const type = propertySchema === undefined ? 'unknown' : this.renderSchema(propertySchema, `${where}.properties.${name}`, inner, stack);
      const description = isPlainObject(propertySchema) && typeof propertySchema.description === 'string' ? propertySchema.description : undefined;
      const optional = (required as string[]).includes(name) ? '' : '?';
      return `${docComment(description, inner)}${inner}readonly ${propertyKey(name)}${optional}: ${type};`;
    });
    return `{\n${lines.join('\n')}\n${indent}}`;
  }
}

/** `allOf` members may only validate: they narrow values, not the type. */
function checkAllOf(allOf: unknown, where: string): void {
  if (!Array.isArray(allOf) || allOf.length === 0) throw new ContractTypeError(`${where}.allOf`, 'must be a non-empty array of schemas');
  allOf.forEach((member, i) => {
    const at = `${where}.allOf[${i}]`;
    if (!isPlainObject(member)) throw new ContractTypeError(at, 'a schema must be an object');
    checkKeywords(member, at);
    const typed = Object.keys(member).filter((k) => !NO_TYPE_EFFECT.has(k));
    if (typed.length > 0) {
      throw new ContractTypeError(at, `"${typed[0]}" inside allOf would change the type; only validation keywords (${[...NO_TYPE_EFFECT].filter((k) => !k.startsWith('$')).join(', ')}) may be combined there`);
    }
  });
}

/** A union of the enum's literals, each of the declared type. */
function enumType(values: unknown, types: JsonType[] | undefined, where: string): string {
  if (!Array.isArray(values) || values.length === 0) throw new ContractTypeError(`${where}.enum`, 'must be a non-empty array');
  if (types !== undefined) {
    for (const v of values) {
      const t = typeOfValue(v);
      if (!types.includes(t) && !(t === 'integer' && types.includes('number'))) {
        throw new ContractTypeError(`${where}.enum`, `value ${JSON.stringify(v)} is not of the declared type ${types.join(' or ')}`);
      }
    }
  }
  return [...new Set(values.map((v) => literal(v, `${where}.enum`)))].join(' | ');
}

/**
 * The whole generated module of one contract (`file` is the contract's path, as named in the header).
 * @throws ContractTypeError naming the export, the place in the schema and the keyword it cannot express
 */
export function renderContractModule(exports: Record<string, unknown>, file: string): string {
  const types = typedSchemas(exports);
  if (types.length === 0) throw new ContractTypeError(file, 'exports no schema to type (see projenrc/contract-types.ts for what is typed)');
  return [
    `// Generated by projenrc/contract-types.ts from ${file}: do not edit.`,
    '// Change the contract, then run `npx projen gen:contract-types` (the build runs it before bundling the handlers).',
    '',
    new ModuleRenderer(file, types).render(),
  ].join('\n');
}

/** A contract module and where its generated types go. */
export interface ContractModule {
  /** The contract, relative to the repository, e.g. `src/blueprints/order-to-inventory/contract.ts`. */
  readonly contract: string;
  /** The generated file, relative to the repository. */
  readonly generated: string;
}

/** Every `src/blueprints/<name>/contract.ts` of the repository at `root` that has handlers (a `runtime/` folder), sorted. */
export function contractModules(root: string): ContractModule[] {
  const blueprints = join(root, 'src', 'blueprints');
  return readdirSync(blueprints, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(blueprints, d.name, 'contract.ts')) && existsSync(join(blueprints, d.name, 'runtime')))
    .map((d) => d.name)
    .sort()
    .map((name) => ({
      contract: `src/blueprints/${name}/contract.ts`,
      generated: `src/blueprints/${name}/runtime/contract.generated.ts`,
    }));
}

/** The generated source of each contract module of `root` (loaded with `require`: run under ts-node or jest). */
export function generateAll(root: string, load: (path: string) => Record<string, unknown> = require): Map<ContractModule, string> {
  const out = new Map<ContractModule, string>();
  for (const module of contractModules(root)) {
    out.set(module, renderContractModule(load(join(root, module.contract)), module.contract));
  }
  return out;
}

/** Writes the files whose content changed; returns the paths written. */
export function writeAll(root: string): string[] {
  const written: string[] = [];
  for (const [module, source] of generateAll(root)) {
    const path = join(root, module.generated);
    if (existsSync(path) && readFileSync(path, 'utf8') === source) continue;
    writeFileSync(path, source);
    written.push(module.generated);
  }
  return written;
}

if (require.main === module) {
  const started = Date.now();
  const root = join(__dirname, '..');
  try {
    const written = writeAll(root);
    const count = contractModules(root).length;
    console.log(`contract-types: ${count} contract modules, ${written.length === 0 ? 'nothing changed' : `wrote ${written.join(', ')}`} (${Date.now() - started} ms)`);
  } catch (err) {
    console.error(err instanceof ContractTypeError ? err.message : err);
    process.exit(1);
  }
}
