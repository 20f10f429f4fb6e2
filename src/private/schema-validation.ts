import Ajv from 'ajv-draft-04';
import type { ErrorObject } from 'ajv-draft-04';
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
const DESCRIPTION_MAX_LENGTH = 256;

/** Registry names: 1-64 characters from `A-Z a-z 0-9 . - _`. */
const REGISTRY_NAME_MAX_LENGTH = 64;
const REGISTRY_NAME_REGEX = /^[A-Za-z0-9._-]+$/;

/** Schema names: 1-385 characters from `A-Z a-z 0-9 . - _ @`. */
const SCHEMA_NAME_MAX_LENGTH = 385;
const SCHEMA_NAME_REGEX = /^[A-Za-z0-9@._-]+$/;

/** Event source: 1-256 characters, must not start with `aws.` (PutEventsRequestEntry). */
export const EVENT_SOURCE_MAX_LENGTH = 256;
/** Event detail-type: 1-128 characters (PutEventsRequestEntry). */
export const DETAIL_TYPE_MAX_LENGTH = 128;

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

function where(path: string): string {
  return path === '' ? 'top level' : path;
}

/** Ajv with the draft-04 meta-schema, shared by every check (compiling the meta-schema once). */
let draft4: Ajv | undefined;

/** A JSON pointer (`/properties/total/type`) as a dotted path (`properties.total.type`), under `path`. */
function dotted(path: string, pointer: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  const tail = parts.map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`)).join('');
  const joined = `${path}${tail}`;
  return joined.startsWith('.') ? joined.slice(1) : joined;
}

/**
 * Problems with a JSON Schema draft 4 document (empty when valid): the document is validated against the draft-04
 * meta-schema by Ajv (`ajv-draft-04`, the Ajv project's own draft-04 class), so every keyword is checked, recursively
 * (`type`, `required` non-empty and unique, `enum`, `properties`, `items`, `allOf`...). A `$schema` at the root must
 * be the draft-04 URI (EventBridge stores the schema as `JSONSchemaDraft4`).
 *
 * @param schema the document
 * @param path where the document sits, used as a prefix in messages
 */
export function jsonSchemaDraft4Problems(schema: any, path: string = ''): string[] {
  if (!isPlainObject(schema)) {
    return [`${where(path)}: a JSON Schema must be an object, got ${show(schema)}`];
  }
  if (path === '' && schema.$schema !== undefined
    && (typeof schema.$schema !== 'string' || !DRAFT4_SCHEMA_URI_REGEX.test(schema.$schema))) {
    return [`$schema: must be "http://json-schema.org/draft-04/schema#" for a JSONSchemaDraft4 schema, got ${show(schema.$schema)}`];
  }
  draft4 ??= new Ajv({ allErrors: true, strict: false, validateFormats: false });
  if (draft4.validateSchema(schema) as boolean) {
    return [];
  }
  return describeErrors(draft4.errors ?? [], schema, path);
}

/**
 * One problem per place. The meta-schema's `anyOf`s (a `type` is a name or an array of names; `items` a schema or
 * an array of schemas) report a failure for each alternative: the deepest places win, and at one place the
 * specific errors (`minItems`, `uniqueItems`...) win over "wrong type" ones, which are otherwise joined with "or".
 */
function describeErrors(errors: ErrorObject[], schema: any, path: string): string[] {
  const generic = new Set(['type', 'enum', 'anyOf', 'oneOf']);
  const byPlace = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    if (error.keyword === 'anyOf') continue;
    byPlace.set(error.instancePath, [...(byPlace.get(error.instancePath) ?? []), error]);
  }
  const places = [...byPlace.keys()];
  const problems: string[] = [];
  for (const [place, list] of byPlace) {
    const deeper = places.some((other) => other.startsWith(`${place}/`));
    const specific = list.filter((e) => !generic.has(e.keyword));
    if (specific.length === 0 && deeper) continue;
    const chosen = specific.length > 0 ? specific : list;
    const messages = [...new Set(chosen.map((e) => {
      const allowed = (e.params as { allowedValues?: unknown[] }).allowedValues;
      return `${e.message ?? 'is not valid'}${allowed ? ` (${allowed.join(', ')})` : ''}`;
    }))];
    const at = where(dotted(path, place));
    problems.push(`${at}: ${messages.join(' or ')}, got ${show(valueAt(schema, place))}`);
  }
  return problems.slice(0, 20);
}

/** The value at a JSON pointer. */
function valueAt(document: any, pointer: string): any {
  let value = document;
  for (const part of pointer.split('/').slice(1)) {
    value = value?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return value;
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
