import * as fs from 'fs';
import * as path from 'path';
import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { show } from '../private/errors';
import {
  SCHEMA_CONTENT_MAX_LENGTH,
  isPlainObject,
  jsonSchemaDraft4Problems,
  openApi3Problems,
  parseJson,
} from '../private/schema-validation';

/**
 * The format of an EventBridge schema.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-eventschemas-schema.html#cfn-eventschemas-schema-type
 */
export enum SchemaType {
  /** OpenAPI 3, the format EventBridge uses for discovered and AWS service schemas. */
  OPEN_API_3 = 'OpenApi3',
  /** JSON Schema draft 4. */
  JSON_SCHEMA_DRAFT_4 = 'JSONSchemaDraft4',
}

/**
 * The result of binding a `SchemaDefinition` to a construct.
 */
export interface SchemaDefinitionConfig {
  /**
   * The schema format, written to the schema's `Type`.
   */
  readonly schemaType: SchemaType;

  /**
   * The schema document as a JSON string, written to the schema's `Content`.
   *
   * May contain tokens when the document did.
   */
  readonly content: string;
}

/**
 * The content of an EventBridge schema: a JSON Schema draft 4 or an OpenAPI 3 document,
 * given inline or read from a JSON file.
 *
 * The document is checked when the schema construct is created (synth time), so mistakes are
 * reported with the construct path instead of failing the CloudFormation deployment.
 */
export abstract class SchemaDefinition {
  /**
   * A JSON Schema draft 4 document given as an object.
   *
   * @param schema the JSON Schema document; `$schema`, if present, must be the draft-04 URI
   */
  public static jsonSchemaDraft4(schema: { [key: string]: any }): SchemaDefinition {
    return new InlineSchemaDefinition(SchemaType.JSON_SCHEMA_DRAFT_4, schema);
  }

  /**
   * A JSON Schema draft 4 document read from a JSON file when the app is synthesized.
   *
   * @param filePath path to the JSON file, absolute or relative to the working directory
   */
  public static jsonSchemaDraft4FromFile(filePath: string): SchemaDefinition {
    return new FileSchemaDefinition(SchemaType.JSON_SCHEMA_DRAFT_4, filePath);
  }

  /**
   * An OpenAPI 3 document (EventBridge's format: `openapi`, `info`, `paths`,
   * `components.schemas`) given as an object.
   *
   * @param document the OpenAPI 3 document
   */
  public static openApi3(document: { [key: string]: any }): SchemaDefinition {
    return new InlineSchemaDefinition(SchemaType.OPEN_API_3, document);
  }

  /**
   * An OpenAPI 3 document read from a JSON file when the app is synthesized.
   *
   * @param filePath path to the JSON file, absolute or relative to the working directory
   */
  public static openApi3FromFile(filePath: string): SchemaDefinition {
    return new FileSchemaDefinition(SchemaType.OPEN_API_3, filePath);
  }

  /**
   * The schema format.
   */
  public abstract readonly schemaType: SchemaType;

  /**
   * Produce the schema's type and content, validating the document.
   *
   * @param scope the construct that uses the definition; named in error messages
   * @throws when the document cannot be read, is not valid JSON, does not match its format, or
   * is longer than EventBridge's 100,000-character limit
   */
  public abstract bind(scope: IConstruct): SchemaDefinitionConfig;
}

function fail(scope: IConstruct, origin: string, problems: string[]): never {
  const list = problems.map((p) => `\n  - ${p}`).join('');
  throw new Error(`${scope.constructor.name} '${scope.node.path}': definition (${origin}) is not valid:${list}`);
}

function render(scope: IConstruct, schemaType: SchemaType, document: { [key: string]: any }, origin: string): SchemaDefinitionConfig {
  const problems = schemaType === SchemaType.JSON_SCHEMA_DRAFT_4
    ? jsonSchemaDraft4Problems(document)
    : openApi3Problems(document);
  if (problems.length > 0) {
    fail(scope, origin, problems);
  }
  const plain = JSON.stringify(document);
  if (Token.isUnresolved(plain)) {
    // The document holds tokens: let the stack render them; its size is only known at deploy time.
    return { schemaType, content: Stack.of(scope).toJsonString(document) };
  }
  if (plain.length > SCHEMA_CONTENT_MAX_LENGTH) {
    fail(scope, origin, [
      `the content is ${plain.length} characters long; EventBridge accepts at most ${SCHEMA_CONTENT_MAX_LENGTH} characters per schema. Split the event into several schemas or remove descriptions and examples`,
    ]);
  }
  return { schemaType, content: plain };
}

class InlineSchemaDefinition extends SchemaDefinition {
  constructor(public readonly schemaType: SchemaType, private readonly document: { [key: string]: any }) {
    super();
  }

  public bind(scope: IConstruct): SchemaDefinitionConfig {
    const origin = `inline ${this.schemaType}`;
    if (!isPlainObject(this.document)) {
      fail(scope, origin, [`top level: must be a JSON object, got ${show(this.document)}`]);
    }
    return render(scope, this.schemaType, this.document, origin);
  }
}

class FileSchemaDefinition extends SchemaDefinition {
  constructor(public readonly schemaType: SchemaType, private readonly filePath: string) {
    super();
  }

  public bind(scope: IConstruct): SchemaDefinitionConfig {
    const resolved = path.resolve(this.filePath);
    const origin = `${this.schemaType} file ${resolved}`;
    let text: string;
    try {
      text = fs.readFileSync(resolved, 'utf-8');
    } catch (e: any) {
      fail(scope, origin, [`the file cannot be read: ${e?.code ?? e?.message ?? e}`]);
    }
    const parsed = parseJson(text);
    if (parsed.problem !== undefined) {
      fail(scope, origin, [parsed.problem]);
    }
    if (!isPlainObject(parsed.value)) {
      fail(scope, origin, [`top level: must be a JSON object, got ${show(parsed.value)}`]);
    }
    return render(scope, this.schemaType, parsed.value, origin);
  }
}
