/**
 * Input validation for the blueprint handlers.
 *
 * Events are checked against their contract's JSON Schema (draft 4, as the schema registry stores it) with Ajv
 * ({@link validateAgainstSchema}); the few rules JSON Schema cannot say (UTF-8 byte lengths of DynamoDB keys,
 * distinct-SKU counts) are checked after it with a {@link Checker}, which also reads the handlers' environment.
 *
 * A malformed event is a producer bug: retrying cannot fix it. {@link InvalidEventError} says so in its
 * message, so that whoever reads the DLQ or the logs does not wait for a retry to succeed.
 */
import Ajv from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv-draft-04';

export class InvalidEventError extends Error {
  /** Every problem found, e.g. `detail.items[0].quantity must be a positive integer, got -1`. */
  public readonly problems: string[];
  /** Always false: retrying the same input fails the same way. */
  public readonly retryable = false;

  constructor(what: string, problems: string[]) {
    super(`Invalid ${what} (non-retryable, fix the producer): ${problems.join('; ')}`);
    this.name = 'InvalidEventError';
    this.problems = problems;
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a problem message (and so a log line or an error) keeps of a bad value from outside: its JSON type and size,
 * never its content. Numbers, booleans and null are kept as they are (a quantity of -1 says what is wrong and
 * carries nothing); a string keeps its length, an array its number of items, an object its number of keys. A
 * producer's malformed field can hold a token, an email address or a whole payload, and none of it is written.
 */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (value === null || typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'a non-finite number';
  if (typeof value === 'string') return `a string of ${value.length} character${value.length === 1 ? '' : 's'}`;
  if (Array.isArray(value)) return `an array of ${value.length} item${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'object') {
    const keys = Object.keys(value).length;
    return `an object with ${keys} key${keys === 1 ? '' : 's'}`;
  }
  return `a ${typeof value}`;
}

const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;

/** Strict RFC 3339 date-time: fixed shape (linear regex, bounded input), and the date and time exist. */
export function isIsoTimestamp(text: string): boolean {
  if (text.length > 64) return false;
  const m = ISO_TIMESTAMP.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= days && hour <= 23 && minute <= 59 && second <= 60
    && !Number.isNaN(Date.parse(text));
}

/**
 * Collects the problems JSON Schema cannot express (checked after {@link validateAgainstSchema}), then throws them
 * together.
 */
export class Checker {
  public readonly problems: string[] = [];

  public problem(message: string): void {
    this.problems.push(message);
  }

  /** DynamoDB limits keys in UTF-8 bytes, not characters: one character can take up to 4 bytes. */
  public maxUtf8Bytes(value: string, path: string, maxBytes: number): void {
    // A string of n characters has at most 3n UTF-8 bytes (4 per surrogate pair of 2 characters): skip the count.
    if (value.length * 3 <= maxBytes) return;
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > maxBytes) this.problem(`${path} must be at most ${maxBytes} bytes in UTF-8, got ${bytes}`);
  }

  /** Throw an {@link InvalidEventError} if any problem was found. */
  public done(what: string): void {
    if (this.problems.length > 0) throw new InvalidEventError(what, this.problems);
  }
}


/** At most this many problems are listed in one error (a 10,000-line order with every line wrong stays readable). */
export const MAX_REPORTED_PROBLEMS = 10;

/** An email address: no spaces, one `@`, a dot in the domain (linear: three runs of disjoint character classes). */
const EMAIL = /^[^\s@<>()",;:\\]+@[^\s@<>()",;:\\]+\.[^\s@<>()",;:\\]+$/;

let ajv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function compiler(): Ajv {
  if (ajv === undefined) {
    // allErrors: a producer sees every problem at once (Ajv's cost stays linear in the input). Formats are asserted
    // with our own strict checks; unknown formats and keywords (e.g. `description`) are accepted, as the registry does.
    ajv = new Ajv({ allErrors: true, strict: false, verbose: true, logger: false });
    ajv.addFormat('date-time', { type: 'string', validate: isIsoTimestamp });
    ajv.addFormat('email', { type: 'string', validate: (text: string) => text.length <= 254 && EMAIL.test(text) });
  }
  return ajv;
}

/** The compiled validator of a schema, compiled once per schema object for the life of the execution environment. */
function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    validate = compiler().compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** `/items/0/quantity` under `detail` -> `detail.items[0].quantity`. */
function pathOf(root: string, instancePath: string): string {
  let path = root;
  if (instancePath === '') return path;
  for (const raw of instancePath.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(segment)) path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment.length > 40 ? `${segment.slice(0, 37)}...` : segment)}]`;
  }
  return path;
}

function describe(root: string, error: ErrorObject): string {
  const path = pathOf(root, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return `${pathOf(path, `/${String(params.missingProperty)}`)} is required`;
    case 'format':
      if (params.format === 'date-time') return `${path} must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got ${show(error.data)}`;
      if (params.format === 'email') return `${path} must be an email address, got ${show(error.data)}`;
      break;
    case 'pattern': {
      if (params.pattern === '\\S') return `${path} must not be blank, got ${show(error.data)}`;
      const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
      const hint = typeof description === 'string' ? ` (${description})` : '';
      return `${path} must match "${String(params.pattern)}"${hint}, got ${show(error.data)}`;
    }
    case 'minLength':
    case 'maxLength':
      return `${path} must have ${error.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} character(s), `
        + `got ${typeof error.data === 'string' ? error.data.length : show(error.data)}`;
    case 'minItems':
    case 'maxItems':
      return `${path} must have ${error.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} item(s), `
        + `got ${Array.isArray(error.data) ? error.data.length : show(error.data)}`;
    case 'enum':
      // The allowed values are the contract's own, written as they are.
      return `${path} must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}, got ${show(error.data)}`;
    default:
      break;
  }
  return `${path} ${error.message ?? 'is invalid'}, got ${show(error.data)}`;
}

/**
 * The problems of `value` against a JSON Schema (draft 4), at most {@link MAX_REPORTED_PROBLEMS} of them, each like
 * `detail.items[0].quantity must be <= 1000000, got 2000000`; empty when `value` is valid.
 */
export function schemaProblems(schema: object, value: unknown, root: string): string[] {
  const validate = validatorFor(schema);
  if (validate(value)) return [];
  // An empty string breaks both `minLength: 1` and the "not blank" pattern `\S`: report it once.
  const tooShort = new Set((validate.errors ?? []).filter((e) => e.keyword === 'minLength').map((e) => e.instancePath));
  const errors = (validate.errors ?? []).filter((e) => !(e.keyword === 'pattern' && e.params.pattern === '\\S' && tooShort.has(e.instancePath)));
  const problems = errors.slice(0, MAX_REPORTED_PROBLEMS).map((e) => describe(root, e));
  if (errors.length > MAX_REPORTED_PROBLEMS) problems.push(`and ${errors.length - MAX_REPORTED_PROBLEMS} more problem(s)`);
  return problems.length > 0 ? problems : [`${root} does not match its schema`];
}

/**
 * Check `value` against a contract's JSON Schema (draft 4, Ajv) and return it typed.
 * @param what the input's name in the error message, e.g. `OrderPlaced event`
 * @param root the value's path in problem messages, e.g. `detail`
 * @throws InvalidEventError listing the problems
 */
export function validateAgainstSchema<T>(schema: object, value: unknown, what: string, root: string): T {
  const problems = schemaProblems(schema, value, root);
  if (problems.length > 0) throw new InvalidEventError(what, problems);
  return value as T;
}

/** `value` as a JSON object. @throws InvalidEventError `<path> must be an object, got ...` otherwise */
export function requireObject(value: unknown, path: string, what: string): JsonObject {
  if (!isObject(value)) throw new InvalidEventError(what, [`${path} must be an object, got ${show(value)}`]);
  return value;
}

/** The `detail` of an EventBridge event envelope. @throws InvalidEventError when the event or its detail is not an object */
export function eventDetail(event: unknown, what: string): JsonObject {
  return requireObject(requireObject(event, 'event', what).detail, 'detail', what);
}

/** A copy of `obj` without the given keys where they are `null` (producers often send null for "absent"). */
export function nullAsAbsent(obj: JsonObject, keys: readonly string[]): JsonObject {
  if (!keys.some((k) => obj[k] === null)) return obj;
  const copy: JsonObject = { ...obj };
  for (const k of keys) if (copy[k] === null) delete copy[k];
  return copy;
}
