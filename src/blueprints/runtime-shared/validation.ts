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

  public string(value: unknown, path: string, opts: { maxLength?: number; pattern?: RegExp; patternText?: string } = {}): string | undefined {
    if (typeof value !== 'string' || value.trim() === '') {
      this.problem(`${path} must be a non-empty string, got ${show(value)}`);
      return undefined;
    }
    const maxLength = opts.maxLength ?? 1024;
    if (value.length > maxLength) {
      this.problem(`${path} must be at most ${maxLength} characters, got ${value.length}`);
      return undefined;
    }
    if (opts.pattern && !opts.pattern.test(value)) {
      this.problem(`${path} must be ${opts.patternText ?? `match ${opts.pattern}`}, got ${show(value)}`);
      return undefined;
    }
    return value;
  }

  public optionalString(value: unknown, path: string, opts: { maxLength?: number; pattern?: RegExp; patternText?: string } = {}): string | undefined {
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

  public nonNegativeNumber(value: unknown, path: string): number | undefined {
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      this.problem(`${path} must be a finite number >= 0, got ${show(value)}`);
      return undefined;
    }
    return value;
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
