/**
 * Entry points shared by the public classes: turning user input (object or
 * JSON text) into problems and a compiled pattern, and events into objects.
 */
import { compilePattern } from './compiler';
import { JsonSyntaxError, parseJson } from './json-text';
import { CompiledPattern } from './model';
import { checkPattern, isPlainObject, Problem } from './validator';

/** Default maximum pattern length (EventBridge quota). */
const DEFAULT_MAX_LENGTH = 2048;
/** Default maximum number of `$or` combinations (EventBridge quota). */
const DEFAULT_MAX_OR_COMBINATIONS = 1000;
/**
 * The most `$or` combinations accepted whatever the options say: a pattern
 * compiles to one sub-rule per combination, so this bounds the time and memory
 * one pattern can take.
 */
const HARD_MAX_OR_COMBINATIONS = 100_000;

/** Limits applied by validation. */
export interface Limits {
  readonly maxLength?: number;
  readonly maxOrCombinations?: number;
}

/** Result of validating (and, if valid, compiling) a pattern. */
export interface PreparedPattern {
  readonly problems: Problem[];
  readonly compiled?: CompiledPattern;
}

function patternLength(input: unknown): number | undefined {
  if (typeof input === 'string') {
    return input.length;
  }
  try {
    const text = JSON.stringify(input);
    return typeof text === 'string' ? text.length : undefined;
  } catch {
    return undefined; // cycles and BigInts: reported by the structural checks instead
  }
}

/**
 * Validates a pattern and, if `compile` and it has no problems, compiles it.
 * Never throws.
 */
export function preparePattern(input: unknown, limits: Limits = {}, compile = true): PreparedPattern {
  const problems: Problem[] = [];
  let pattern: unknown = input;
  if (typeof input === 'string') {
    try {
      pattern = parseJson(input);
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        return { problems: [{ path: '', message: `Invalid JSON: ${e.message}` }] };
      }
      throw e;
    }
  }
  let combos: number;
  try {
    combos = checkPattern(pattern, problems);
  } catch (e) {
    // Defensive: hostile objects (throwing getters, proxies) must not crash validation.
    return { problems: [...problems, { path: '', message: `Pattern could not be read: ${(e as Error)?.message ?? String(e)}` }] };
  }
  const maxLength = limits.maxLength ?? DEFAULT_MAX_LENGTH;
  const length = patternLength(input);
  if (length !== undefined && length > maxLength) {
    problems.push({ path: '', message: `Event pattern is ${length} characters long; the maximum is ${maxLength}` });
  }
  const maxCombos = Math.min(limits.maxOrCombinations ?? DEFAULT_MAX_OR_COMBINATIONS, HARD_MAX_OR_COMBINATIONS);
  if (combos > maxCombos) {
    problems.push({
      path: '',
      message: `Event pattern has ${combos} $or combinations (the product of the $or arities); the maximum is ${maxCombos}`,
    });
  }
  if (problems.length > 0 || !compile) {
    return { problems };
  }
  try {
    return { problems, compiled: compilePattern(pattern as Record<string, unknown>) };
  } catch (e) {
    // Defensive, as above: a valid pattern always compiles.
    return { problems: [{ path: '', message: `Pattern could not be compiled: ${(e as Error)?.message ?? String(e)}` }] };
  }
}

/** Renders problems for an error message. */
function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  - ${p.path === '' ? '(root)' : p.path}: ${p.message}`).join('\n');
}

/** Throws an Error listing the problems of an invalid pattern, or returns the compiled pattern. */
export function compileOrThrow(input: unknown, limits: Limits = {}, what = 'event pattern'): CompiledPattern {
  const prepared = preparePattern(input, limits);
  if (!prepared.compiled) {
    const n = prepared.problems.length;
    throw new Error(`Invalid ${what} (${n} problem${n === 1 ? '' : 's'}):\n${formatProblems(prepared.problems)}`);
  }
  return prepared.compiled;
}

/** Turns an event (object or JSON text) into an object; throws a clear Error otherwise. */
export function prepareEvent(input: unknown): Record<string, unknown> {
  let event = input;
  if (typeof input === 'string') {
    try {
      event = parseJson(input);
    } catch (e) {
      if (e instanceof JsonSyntaxError) {
        throw new Error(`Invalid event JSON: ${e.message}`);
      }
      throw e;
    }
  }
  if (!isPlainObject(event)) {
    const kind = event === null ? 'null' : Array.isArray(event) ? 'an array' : typeof event;
    throw new Error(`Event must be a JSON object, got ${kind}`);
  }
  return event;
}
