import { JsonNumber } from './json-text';

/** True for JS numbers and {@link JsonNumber}s. */
export function isJsonNumber(v: unknown): v is number | JsonNumber {
  return typeof v === 'number' || v instanceof JsonNumber;
}

/** The numeric value of a number or JsonNumber. */
export function numberValue(v: number | JsonNumber): number {
  return typeof v === 'number' ? v : v.value;
}

/** The JSON spelling of a number or JsonNumber. */
export function numberText(v: number | JsonNumber): string {
  return typeof v === 'number' ? String(v) : v.raw;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Canonical decimal form (sign, significant digits, exponent) of a JSON
 * number spelling, so that two spellings of the same decimal value compare
 * equal. Linear in the length of the text (no backtracking).
 */
function canonicalDecimal(text: string): string | undefined {
  const n = text.length;
  let i = text.charCodeAt(0) === 45 ? 1 : 0;
  const sign = i === 1 ? '-' : '';
  const intStart = i;
  while (isDigit(text.charCodeAt(i))) {
    i++;
  }
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (intEnd === intStart) {
    return undefined;
  }
  if (text.charCodeAt(i) === 46) {
    fracStart = ++i;
    while (isDigit(text.charCodeAt(i))) {
      i++;
    }
    fracEnd = i;
    if (fracEnd === fracStart) {
      return undefined;
    }
  }
  let exp = 0;
  if (i < n) {
    const e = text.charCodeAt(i);
    if (e !== 101 && e !== 69) {
      return undefined;
    }
    const expText = text.slice(i + 1);
    if (!/^[+-]?[0-9]+$/.test(expText)) {
      return undefined;
    }
    exp = parseInt(expText, 10);
  }
  const digits = text.slice(intStart, intEnd) + text.slice(fracStart, fracEnd);
  let first = 0;
  while (first < digits.length && digits.charCodeAt(first) === 48) {
    first++;
  }
  if (first === digits.length) {
    return '0';
  }
  let last = digits.length;
  while (digits.charCodeAt(last - 1) === 48) {
    last--;
  }
  exp += digits.length - last - (fracEnd - fracStart);
  return `${sign}${digits.slice(first, last)}e${exp}`;
}

/**
 * Whether event-ruler's ComparableNumber accepts this number: its decimal
 * value must survive a decimal -> double -> decimal round trip exactly.
 * (`1e400` and `0.30000000000000000001` do not; `300.0` and `1e-6` do.)
 */
export function isComparable(v: number | JsonNumber): boolean {
  const value = numberValue(v);
  if (!Number.isFinite(value)) {
    return false;
  }
  if (typeof v === 'number') {
    return true;
  }
  return canonicalDecimal(v.raw) === canonicalDecimal(String(value));
}

/**
 * The value of an event number from its JSON spelling when event-ruler
 * compares it as a number (a Java double holds it exactly, as for
 * {@link isComparable}); NaN otherwise, so that no numeric condition or
 * numeric exact value matches it (`9007199254740993`, `1e309`).
 */
export function comparableValue(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    return NaN;
  }
  return String(value) === raw || canonicalDecimal(raw) === canonicalDecimal(String(value)) ? value : NaN;
}
