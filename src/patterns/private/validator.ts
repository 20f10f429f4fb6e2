/**
 * Validation of event patterns, with aws/event-ruler's error wording
 * (JsonRuleCompiler.java, CIDR.java, WildcardParser.java) where it has one.
 *
 * Unlike event-ruler, which stops at the first error, this reports every problem
 * it can find; within one match expression it reports the first problem
 * event-ruler would report.
 */
import { parseCidr } from './ip-address';
import { JsonNumber } from './json-text';
import { isComparable, isJsonNumber, numberText, numberValue } from './numbers';
import { parseWildcard } from './wildcard';

/** A problem found in a pattern. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Field names that cannot appear inside `$or` (event-ruler Constants.java). */
const RESERVED_IN_OR = new Set([
  'exactly', 'equals-ignore-case', 'prefix', 'suffix', 'anything-but', 'exists', 'wildcard', 'numeric', 'cidr',
  '=', '<', '<=', '>', '>=', 'regex', 'not-wildcard', 'not-equals-ignore-case',
  'date-after', 'date-on-or-after', 'date-before', 'date-on-or-before', 'in-date-range',
  'ip-address-in-range', 'ip-address-not-in-range',
]);

/** Nesting limit for patterns given as objects (guards against cycles). */
const MAX_PATTERN_DEPTH = 1000;

/** True for a JSON object (not null, not an array, not a number wrapper). */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** Keys of an object as JSON sees them (undefined/function/symbol values are dropped). */
export function jsonKeys(obj: Record<string, unknown>): string[] {
  return Object.keys(obj).filter((k) => {
    const v = obj[k];
    return v !== undefined && typeof v !== 'function' && typeof v !== 'symbol';
  });
}

/** Joins a path and a key. */
export function joinPath(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** How event-ruler's parser would print a token (used in numeric errors). */
function tokenText(v: unknown): string {
  if (v === undefined) {
    return ']';
  }
  if (isJsonNumber(v)) {
    return numberText(v);
  }
  if (Array.isArray(v)) {
    return '[';
  }
  if (typeof v === 'object' && v !== null) {
    return '{';
  }
  return String(v);
}

function comparableError(v: number | JsonNumber): string | undefined {
  return isComparable(v) ? undefined : `Cannot compare number : ${numberText(v)}`;
}

const TOO_MANY_ELEMENTS = 'Too many elements in numeric expression';
const ONLY_ONE_KEY = 'Only one key allowed in match expression';

/** Checks the operand array of `numeric`. */
function checkNumeric(arr: unknown[]): string | undefined {
  const op = arr[0];
  if (typeof op !== 'string') {
    return `Invalid member in numeric match: ${tokenText(op)}`;
  }
  const v1 = arr[1];
  if (op === '=') {
    if (!isJsonNumber(v1)) {
      return 'Value of equals must be numeric';
    }
    if (arr.length > 2) {
      return TOO_MANY_ELEMENTS;
    }
    return comparableError(v1);
  }
  if (op === '>' || op === '>=') {
    if (!isJsonNumber(v1)) {
      return `Value of ${op} must be numeric`;
    }
    if (arr.length === 2) {
      return comparableError(v1);
    }
    const op2 = arr[2];
    if (typeof op2 !== 'string') {
      return `Bad value in numeric range: ${tokenText(op2)}`;
    }
    if (op2 !== '<' && op2 !== '<=') {
      return `Bad numeric range operator: ${op2}`;
    }
    const v2 = arr[3];
    if (!isJsonNumber(v2)) {
      return `Value of ${op2} must be numeric`;
    }
    if (arr.length > 4) {
      return 'Too many terms in numeric range expression';
    }
    const err = comparableError(v1) ?? comparableError(v2);
    if (err) {
      return err;
    }
    if (!(numberValue(v1) < numberValue(v2))) {
      return 'Bottom must be less than top';
    }
    return undefined;
  }
  if (op === '<' || op === '<=') {
    if (!isJsonNumber(v1)) {
      return `Value of ${op} must be numeric`;
    }
    if (arr.length > 2) {
      return TOO_MANY_ELEMENTS;
    }
    return comparableError(v1);
  }
  return `Unrecognized numeric range operator: ${op}`;
}

const ANYTHING_BUT_KINDS = new Set(['equals-ignore-case', 'prefix', 'suffix', 'wildcard']);

function anythingButNonString(kind: string): string {
  if (kind === 'equals-ignore-case') {
    return 'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
  }
  if (kind === 'wildcard') {
    return 'wildcard match pattern must be a string';
  }
  return 'prefix/suffix match pattern must be a string';
}

function anythingButString(kind: string, s: string): string | undefined {
  if ((kind === 'prefix' || kind === 'suffix') && s === '') {
    return 'Null prefix/suffix not allowed';
  }
  if (kind === 'wildcard') {
    const w = parseWildcard(s);
    if (typeof w === 'string') {
      return w;
    }
  }
  return undefined;
}

/** Checks the operand of `anything-but`. */
function checkAnythingBut(operand: unknown): string | undefined {
  let kind = '';
  let value = operand;
  let innerExtra = false;
  if (isPlainObject(operand)) {
    const keys = jsonKeys(operand);
    if (keys.length === 0) {
      return 'Anything-But expression name not found';
    }
    kind = keys[0];
    if (!ANYTHING_BUT_KINDS.has(kind)) {
      return `Unsupported anything-but pattern: ${kind}`;
    }
    value = operand[kind];
    innerExtra = keys.length > 1;
  }
  if (!Array.isArray(value) && typeof value !== 'string' && !isJsonNumber(value)) {
    return 'Value of anything-but must be an array or single string/number value.';
  }
  let err: string | undefined;
  if (Array.isArray(value)) {
    if (kind === '') {
      let hasNumber = false;
      let hasString = false;
      for (const el of value) {
        if (typeof el === 'string') {
          hasString = true;
        } else if (isJsonNumber(el)) {
          hasNumber = true;
          const e = comparableError(el);
          if (e) {
            return e;
          }
        } else {
          return 'Inside anything but list, start|null|boolean is not supported.';
        }
      }
      if (hasNumber === hasString) {
        return 'Inside anything but list, either all values are number or string, mixed type is not supported';
      }
    } else {
      for (const el of value) {
        err = typeof el === 'string' ? anythingButString(kind, el) : anythingButNonString(kind);
        if (err) {
          return err;
        }
      }
    }
  } else if (kind === '') {
    if (isJsonNumber(value)) {
      err = comparableError(value);
    }
  } else {
    err = typeof value === 'string' ? anythingButString(kind, value) : anythingButNonString(kind);
  }
  if (err) {
    return err;
  }
  return innerExtra ? TOO_MANY_ELEMENTS : undefined;
}

function checkAffix(name: string, operand: unknown, extra: boolean): string | undefined {
  if (isPlainObject(operand)) {
    const keys = jsonKeys(operand);
    const Name = name === 'prefix' ? 'Prefix' : 'Suffix';
    if (keys.length === 0) {
      return `${Name} expression name not found`;
    }
    if (keys[0] !== 'equals-ignore-case') {
      return `Unsupported ${name} pattern: ${keys[0]}`;
    }
    if (typeof operand[keys[0]] !== 'string') {
      return 'equals-ignore-case match pattern must be a string';
    }
    return keys.length > 1 || extra ? ONLY_ONE_KEY : undefined;
  }
  if (typeof operand !== 'string') {
    return `${name} match pattern must be a string`;
  }
  return extra ? ONLY_ONE_KEY : undefined;
}

/** Checks one match expression (an object inside a match array). */
function checkMatchExpression(expr: Record<string, unknown>): string | undefined {
  const keys = jsonKeys(expr);
  if (keys.length === 0) {
    return 'Match expression name not found';
  }
  const name = keys[0];
  const operand = expr[name];
  const extra = keys.length > 1;
  const single = (err: string | undefined): string | undefined => err ?? (extra ? ONLY_ONE_KEY : undefined);
  switch (name) {
    case 'exactly':
      return single(typeof operand === 'string' ? undefined : 'exact match pattern must be a string');
    case 'prefix':
    case 'suffix':
      return checkAffix(name, operand, extra);
    case 'equals-ignore-case':
      return single(typeof operand === 'string' ? undefined : 'equals-ignore-case match pattern must be a string');
    case 'wildcard': {
      if (typeof operand !== 'string') {
        return 'wildcard match pattern must be a string';
      }
      const w = parseWildcard(operand);
      return single(typeof w === 'string' ? w : undefined);
    }
    case 'exists':
      return single(typeof operand === 'boolean' ? undefined : 'exists match pattern must be either true or false.');
    case 'cidr': {
      if (typeof operand !== 'string') {
        return 'prefix match pattern must be a string';
      }
      const c = parseCidr(operand);
      return single('error' in c ? c.error : undefined);
    }
    case 'numeric': {
      if (!Array.isArray(operand)) {
        return 'Value of numeric must be an array.';
      }
      return checkNumeric(operand) ?? (extra ? TOO_MANY_ELEMENTS : undefined);
    }
    case 'anything-but':
      return checkAnythingBut(operand) ?? (extra ? TOO_MANY_ELEMENTS : undefined);
    default:
      return `Unrecognized match type ${name}`;
  }
}

/**
 * Walks a pattern (already parsed into JS values), collecting problems.
 * Returns the number of `$or` combinations (sub-rules) the pattern expands to.
 */
export function checkPattern(pattern: unknown, problems: Problem[]): number {
  if (!isPlainObject(pattern)) {
    problems.push({ path: '', message: 'Filter is not an object' });
    return 1;
  }
  return checkObject(pattern, '', false, 0, problems);
}

function checkObject(obj: Record<string, unknown>, path: string, insideOr: boolean, depth: number, problems: Problem[]): number {
  if (depth > MAX_PATTERN_DEPTH) {
    problems.push({ path, message: `Pattern is nested deeper than ${MAX_PATTERN_DEPTH} levels` });
    return 1;
  }
  const keys = jsonKeys(obj);
  if (keys.length === 0) {
    problems.push({ path, message: 'Empty objects are not allowed' });
    return 1;
  }
  let combos = 1;
  for (const key of keys) {
    const value = obj[key];
    const keyPath = joinPath(path, key);
    // event-ruler 2.0.1 refuses "$or" with any value but an array (older releases took "$or": {...} as a field name)
    if (key === '$or') {
      if (!Array.isArray(value)) {
        problems.push({ path: keyPath, message: 'It must be an Array followed with $or.' });
        continue;
      }
      combos *= checkOr(value, keyPath, depth, problems);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      problems.push({ path: keyPath, message: `${key} is Ruler reserved fieldName which cannot be used inside $or.` });
      continue;
    }
    if (isPlainObject(value)) {
      combos *= checkObject(value, keyPath, insideOr, depth + 1, problems);
    } else if (Array.isArray(value)) {
      checkMatchArray(value, keyPath, problems);
    } else {
      problems.push({ path: keyPath, message: `"${key}" must be an object or an array` });
    }
  }
  return combos;
}

function checkOr(arr: unknown[], path: string, depth: number, problems: Problem[]): number {
  let sum = 0;
  arr.forEach((branch, i) => {
    const branchPath = `${path}[${i}]`;
    if (!isPlainObject(branch)) {
      problems.push({ path: branchPath, message: 'Only JSON object is allowed in array of $or relationship.' });
      return;
    }
    sum += checkObject(branch, branchPath, true, depth + 1, problems);
  });
  if (arr.length < 2) {
    problems.push({ path, message: 'There must have at least 2 Objects in $or relationship.' });
  }
  return Math.max(sum, 1);
}

function checkMatchArray(arr: unknown[], path: string, problems: Problem[]): void {
  if (arr.length === 0) {
    problems.push({ path, message: 'Empty arrays are not allowed' });
    return;
  }
  arr.forEach((el, i) => {
    const elPath = `${path}[${i}]`;
    if (typeof el === 'string' || typeof el === 'boolean' || el === null || el instanceof JsonNumber) {
      return;
    }
    if (typeof el === 'number') {
      if (!Number.isFinite(el)) {
        problems.push({ path: elPath, message: `${el} is not a JSON number` });
      }
      return;
    }
    if (isPlainObject(el)) {
      const err = checkMatchExpression(el);
      if (err) {
        problems.push({ path: elPath, message: err });
      }
      return;
    }
    problems.push({ path: elPath, message: 'Match value must be String, number, true, false, or null' });
  });
}
