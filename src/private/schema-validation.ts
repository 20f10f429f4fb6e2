import { show } from './errors';

/**
 * Pure validation helpers for EventBridge schema registry names and schema documents.
 *
 * Nothing here depends on constructs or aws-cdk-lib, so it can be tested as plain values.
 * Every function returns a list of problems (empty when valid) instead of throwing, so callers
 * can prefix the messages with the construct path and prop name.
 */

/**
 * Maximum length of a schema's `Content`, in characters.
 *
 * Source: Amazon EventBridge Schemas API model, `CreateSchemaRequest.Content` is
 * `__stringMin1Max100000` (botocore `schemas/2019-12-02/service-2.json`).
 */
export const SCHEMA_CONTENT_MAX_LENGTH = 100_000;

/**
 * Maximum length of a registry, schema or discoverer description (`__stringMin0Max256`).
 */
export const DESCRIPTION_MAX_LENGTH = 256;

/** Registry names: 1-64 characters from `A-Z a-z 0-9 . - _`. */
export const REGISTRY_NAME_MAX_LENGTH = 64;
const REGISTRY_NAME_REGEX = /^[A-Za-z0-9._-]+$/;

/** Schema names: 1-385 characters from `A-Z a-z 0-9 . - _ @`. */
export const SCHEMA_NAME_MAX_LENGTH = 385;
const SCHEMA_NAME_REGEX = /^[A-Za-z0-9@._-]+$/;

/** Event source: 1-256 characters, must not start with `aws.` (PutEventsRequestEntry). */
export const EVENT_SOURCE_MAX_LENGTH = 256;
/** Event detail-type: 1-128 characters (PutEventsRequestEntry). */
export const DETAIL_TYPE_MAX_LENGTH = 128;

/** The seven primitive types of JSON Schema draft 4 (draft-fge-json-schema-validation-00 §5.5.2). */
export const JSON_SCHEMA_TYPES = ['array', 'boolean', 'integer', 'null', 'number', 'object', 'string'];

const DRAFT4_SCHEMA_URI_REGEX = /^https?:\/\/json-schema\.org\/draft-04\/schema#?$/;
const OPENAPI3_VERSION_REGEX = /^3\.\d+\.\d+$/;

/** `true` for a non-null, non-array object. */
export function isPlainObject(value: any): value is { [key: string]: any } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Problems with a schema registry name (empty when valid). */
export function registryNameProblems(name: string): string[] {
  if (name.length < 1 || name.length > REGISTRY_NAME_MAX_LENGTH) {
    return [`must be 1-${REGISTRY_NAME_MAX_LENGTH} characters long, got ${name.length} characters (${show(name)})`];
  }
  if (!REGISTRY_NAME_REGEX.test(name)) {
    return [`may contain only letters, digits, '.', '-' and '_', got ${show(name)}`];
  }
  return [];
}

/** Problems with a schema name (empty when valid). */
export function schemaNameProblems(name: string): string[] {
  if (name.length < 1 || name.length > SCHEMA_NAME_MAX_LENGTH) {
    return [`must be 1-${SCHEMA_NAME_MAX_LENGTH} characters long, got ${name.length} characters (${show(name.slice(0, 40))})`];
  }
  if (!SCHEMA_NAME_REGEX.test(name)) {
    return [`may contain only letters, digits, '@', '.', '-' and '_', got ${show(name)}`];
  }
  return [];
}

/** Problems with a description (empty when valid). */
export function descriptionProblems(description: string): string[] {
  if (description.length > DESCRIPTION_MAX_LENGTH) {
    return [`must be at most ${DESCRIPTION_MAX_LENGTH} characters long, got ${description.length}`];
  }
  return [];
}

/**
 * Parse JSON text, turning a syntax error into a message that shows the line and column.
 *
 * @returns the parsed value, or a problem string
 */
export function parseJson(text: string): { value?: any; problem?: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e: any) {
    const message = String(e?.message ?? e);
    const position = jsonErrorPosition(message);
    if (position !== undefined) {
      const { line, column } = lineAndColumn(text, position);
      return { problem: `invalid JSON at line ${line}, column ${column} (position ${position}): ${message}` };
    }
    return { problem: `invalid JSON: ${message}` };
  }
}

function jsonErrorPosition(message: string): number | undefined {
  const byPosition = /position (\d+)/.exec(message);
  return byPosition ? Number(byPosition[1]) : undefined;
}

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lines = before.split('\n');
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

function join(path: string, key: string | number): string {
  if (typeof key === 'number') {
    return `${path}[${key}]`;
  }
  return path === '' ? key : `${path}.${key}`;
}

function where(path: string): string {
  return path === '' ? 'top level' : path;
}

/**
 * Problems with a JSON Schema draft 4 document (empty when valid).
 *
 * Checks the keywords EventBridge relies on, recursively through sub-schemas:
 * `$schema` (root only: must be the draft-04 URI), `type` (one of the seven types, or a
 * non-empty array of unique types), `properties`/`patternProperties`/`definitions` (objects of
 * schemas), `required` (non-empty array of unique strings, as draft 4 demands), `items`,
 * `additionalProperties`, `additionalItems`, `allOf`/`anyOf`/`oneOf`, `not` and `enum`.
 *
 * @param schema the document
 * @param path where the document sits, used as a prefix in messages
 */
export function jsonSchemaDraft4Problems(schema: any, path: string = ''): string[] {
  const problems: string[] = [];
  if (!isPlainObject(schema)) {
    problems.push(`${where(path)}: a JSON Schema must be an object, got ${show(schema)}`);
    return problems;
  }
  if (path === '' && schema.$schema !== undefined) {
    if (typeof schema.$schema !== 'string' || !DRAFT4_SCHEMA_URI_REGEX.test(schema.$schema)) {
      problems.push(`$schema: must be "http://json-schema.org/draft-04/schema#" for a JSONSchemaDraft4 schema, got ${show(schema.$schema)}`);
    }
  }
  checkSubschema(schema, path, problems);
  return problems;
}

function checkSubschema(schema: { [key: string]: any }, path: string, problems: string[]): void {
  if (schema.type !== undefined) {
    checkType(schema.type, join(path, 'type'), problems);
  }
  for (const keyword of ['properties', 'patternProperties', 'definitions']) {
    const value = schema[keyword];
    if (value === undefined) {
      continue;
    }
    const at = join(path, keyword);
    if (!isPlainObject(value)) {
      problems.push(`${at}: must be an object mapping names to schemas, got ${show(value)}`);
      continue;
    }
    for (const [name, sub] of Object.entries(value)) {
      checkNested(sub, join(at, name), problems);
    }
  }
  if (schema.required !== undefined) {
    checkRequired(schema.required, join(path, 'required'), problems);
  }
  if (schema.items !== undefined) {
    const at = join(path, 'items');
    if (Array.isArray(schema.items)) {
      schema.items.forEach((sub: any, i: number) => checkNested(sub, join(at, i), problems));
    } else {
      checkNested(schema.items, at, problems);
    }
  }
  for (const keyword of ['additionalProperties', 'additionalItems']) {
    const value = schema[keyword];
    if (value === undefined || typeof value === 'boolean') {
      continue;
    }
    checkNested(value, join(path, keyword), problems, 'must be a boolean or a schema object');
  }
  for (const keyword of ['allOf', 'anyOf', 'oneOf']) {
    const value = schema[keyword];
    if (value === undefined) {
      continue;
    }
    const at = join(path, keyword);
    if (!Array.isArray(value) || value.length === 0) {
      problems.push(`${at}: must be a non-empty array of schemas, got ${show(value)}`);
      continue;
    }
    value.forEach((sub: any, i: number) => checkNested(sub, join(at, i), problems));
  }
  if (schema.not !== undefined) {
    checkNested(schema.not, join(path, 'not'), problems);
  }
  if (schema.enum !== undefined && (!Array.isArray(schema.enum) || schema.enum.length === 0)) {
    problems.push(`${join(path, 'enum')}: must be a non-empty array, got ${show(schema.enum)}`);
  }
}

function checkNested(sub: any, at: string, problems: string[], expectation: string = 'must be a schema object'): void {
  if (!isPlainObject(sub)) {
    problems.push(`${at}: ${expectation}, got ${show(sub)}`);
    return;
  }
  checkSubschema(sub, at, problems);
}

function checkType(type: any, at: string, problems: string[]): void {
  const allowed = JSON_SCHEMA_TYPES.join(', ');
  if (typeof type === 'string') {
    if (!JSON_SCHEMA_TYPES.includes(type)) {
      problems.push(`${at}: must be one of ${allowed} (or an array of them), got ${show(type)}`);
    }
    return;
  }
  if (Array.isArray(type) && type.length > 0) {
    const bad = type.filter((t) => typeof t !== 'string' || !JSON_SCHEMA_TYPES.includes(t));
    if (bad.length > 0) {
      problems.push(`${at}: every entry must be one of ${allowed}, got ${show(bad)}`);
    } else if (new Set(type).size !== type.length) {
      problems.push(`${at}: entries must be unique, got ${show(type)}`);
    }
    return;
  }
  problems.push(`${at}: must be one of ${allowed} or a non-empty array of them, got ${show(type)}`);
}

function checkRequired(required: any, at: string, problems: string[]): void {
  if (!Array.isArray(required) || required.length === 0) {
    problems.push(`${at}: must be a non-empty array of property names (draft 4 forbids an empty array; omit the keyword instead), got ${show(required)}`);
    return;
  }
  const notStrings = required.filter((r) => typeof r !== 'string');
  if (notStrings.length > 0) {
    problems.push(`${at}: every entry must be a string, got ${show(notStrings)}`);
    return;
  }
  if (new Set(required).size !== required.length) {
    problems.push(`${at}: entries must be unique, got ${show(required)}`);
  }
}

/**
 * Problems with an OpenAPI 3 document in EventBridge's format (empty when valid).
 *
 * EventBridge schemas in OpenAPI 3 format carry `openapi: "3.0.0"`, an `info` object with a
 * `title` and a `version`, an (empty) `paths` object and the event shapes under
 * `components.schemas`.
 */
export function openApi3Problems(document: any): string[] {
  const problems: string[] = [];
  if (!isPlainObject(document)) {
    return [`top level: an OpenAPI 3 document must be an object, got ${show(document)}`];
  }
  if (typeof document.openapi !== 'string' || !OPENAPI3_VERSION_REGEX.test(document.openapi)) {
    problems.push(`openapi: must be a version string of the form "3.x.y" (EventBridge uses "3.0.0"), got ${show(document.openapi)}`);
  }
  if (!isPlainObject(document.info)) {
    problems.push(`info: must be an object with "title" and "version" strings, got ${show(document.info)}`);
  } else {
    for (const key of ['title', 'version']) {
      const value = document.info[key];
      if (typeof value !== 'string' || value.length === 0) {
        problems.push(`info.${key}: must be a non-empty string, got ${show(value)}`);
      }
    }
  }
  if (document.paths !== undefined && !isPlainObject(document.paths)) {
    problems.push(`paths: must be an object (EventBridge uses {}), got ${show(document.paths)}`);
  }
  const components = document.components;
  if (!isPlainObject(components)) {
    problems.push(`components: must be an object with a "schemas" object holding the event shapes, got ${show(components)}`);
  } else if (!isPlainObject(components.schemas) || Object.keys(components.schemas).length === 0) {
    problems.push(`components.schemas: must be a non-empty object mapping names to schema objects, got ${show(components.schemas)}`);
  } else {
    for (const [name, sub] of Object.entries(components.schemas)) {
      if (!isPlainObject(sub)) {
        problems.push(`components.schemas.${name}: must be a schema object, got ${show(sub)}`);
      }
    }
  }
  return problems;
}
