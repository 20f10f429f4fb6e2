/**
 * Small, dependency-free input validation for the blueprint handlers.
 *
 * A malformed event is a producer bug: retrying cannot fix it. {@link InvalidEventError} says so in its
 * message, so that whoever reads the DLQ or the logs does not wait for a retry to succeed.
 */

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

/** Short, log-safe rendering of a bad value. */
export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Collects problems while reading an untrusted object. */
export interface StringOptions {
  /** @default 1024 */
  readonly maxLength?: number;
  /** A limit in UTF-8 bytes (for DynamoDB keys). @default - none */
  readonly maxBytes?: number;
  readonly pattern?: RegExp;
  readonly patternText?: string;
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

export class Checker {
  public readonly problems: string[] = [];

  public problem(message: string): void {
    this.problems.push(message);
  }

  public object(value: unknown, path: string): JsonObject | undefined {
    if (isObject(value)) return value;
    this.problem(`${path} must be an object, got ${show(value)}`);
    return undefined;
  }

  public string(value: unknown, path: string, opts: StringOptions = {}): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(`${path} must be a non-empty string, got ${show(value)}`);
      return undefined;
    }
    const maxLength = opts.maxLength ?? 1024;
    if (value.length > maxLength) {
      this.problem(`${path} must be at most ${maxLength} characters, got ${value.length}`);
      return undefined;
    }
    // DynamoDB limits keys in UTF-8 bytes, not characters: one character can take up to 4 bytes.
    if (opts.maxBytes !== undefined && Buffer.byteLength(value, 'utf8') > opts.maxBytes) {
      this.problem(`${path} must be at most ${opts.maxBytes} bytes in UTF-8, got ${Buffer.byteLength(value, 'utf8')}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.problem(`${path} must be ${opts.patternText ?? `match ${opts.pattern}`}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  public optionalString(value: unknown, path: string, opts: StringOptions = {}): string | undefined {
    if (value === undefined || value === null) return undefined;
    return this.string(value, path, opts);
  }

  public positiveInteger(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0 || value > max) {
      this.problem(`${path} must be a positive integer${max < Number.MAX_SAFE_INTEGER ? ` up to ${max}` : ''}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  public nonNegativeNumber(value: unknown, path: string, max = Number.MAX_SAFE_INTEGER): number | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > max) {
      this.problem(`${path} must be a number between 0 and ${max}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  /** A strict ISO 8601 / RFC 3339 timestamp (`2026-05-01T10:00:00Z`, offset or `Z` required). */
  public isoTimestamp(value: unknown, path: string): string | undefined {
    const text = this.string(value, path, { maxLength: 64 });
    if (text === undefined) return undefined;
    if (!isIsoTimestamp(text)) {
      this.problem(`${path} must be an ISO 8601 timestamp like "2026-05-01T10:00:00Z", got ${show(text)}`);
      return undefined;
    }
    return text;
  }

  public array(value: unknown, path: string, minItems = 1, maxItems = Number.MAX_SAFE_INTEGER): unknown[] | undefined {
    if (!Array.isArray(value)) {
      this.problem(`${path} must be an array, got ${show(value)}`);
      return undefined;
    }
    if (value.length < minItems || value.length > maxItems) {
      this.problem(`${path} must have ${minItems === maxItems ? minItems : `${minItems} to ${maxItems}`} item(s), got ${value.length}`);
      return undefined;
    }
    return value;
  }

  public oneOf<T extends string>(value: unknown, path: string, allowed: readonly T[]): T | undefined {
    if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
    this.problem(`${path} must be one of ${allowed.join(', ')}, got ${show(value)}`);
    return undefined;
  }

  /** Throw an {@link InvalidEventError} if any problem was found. */
  public done(what: string): void {
    if (this.problems.length > 0) throw new InvalidEventError(what, this.problems);
  }
}

/** Identifiers used in keys and ticket numbers: letters, digits, `-`, `_`, `.`, `:`; 1 to 128 characters. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const ID_PATTERN_TEXT = '1-128 characters of letters, digits, ".", "_", ":" or "-", starting with a letter or digit';
