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
export function canonicalDecimal(text: string): string | undefined {
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

/** The smallest positive normal double. */
const MIN_NORMAL = 2.2250738585072014e-308;

/**
 * How Java spells a double (`Double.toString`, as specified from JDK 19 on): the
 * shortest decimal that rounds to it, except that a one-digit decimal gives way
 * to the two-digit decimal closest to the double. That differs from
 * JavaScript's shortest form only for the smallest subnormals: Java spells
 * `5e-324` (Double.MIN_VALUE) `4.9E-324`, a different decimal value.
 */
export function javaDoubleText(v: number): string {
  const s = String(v);
  if (v === 0 || !Number.isFinite(v) || Math.abs(v) >= MIN_NORMAL) {
    return s; // a normal double lies so close to its one-digit form that the closest two-digit one is d.0
  }
  const canonical = canonicalDecimal(s)!;
  const digits = canonical.slice(canonical.charCodeAt(0) === 45 ? 1 : 0, canonical.indexOf('e'));
  return digits.length === 1 ? v.toPrecision(2) : s;
}

/** Whether Java spells the double as JavaScript does (true for every double but the smallest subnormals). */
export function javaSpellsAsJs(v: number): boolean {
  return v === 0 || Math.abs(v) >= MIN_NORMAL || javaDoubleText(v) === String(v);
}

/**
 * Whether event-ruler's ComparableNumber accepts this number: its decimal
 * value must survive a decimal -> double -> decimal round trip exactly, the
 * way back being Java's spelling of the double (`BigDecimal.valueOf(double)`,
 * see {@link javaDoubleText}). (`1e400`, `0.30000000000000000001` and `5e-324`
 * do not; `300.0` and `1e-6` do.)
 */
export function isComparable(v: number | JsonNumber): boolean {
  const value = numberValue(v);
  if (!Number.isFinite(value)) {
    return false;
  }
  if (typeof v === 'number') {
    return javaSpellsAsJs(v);
  }
  return canonicalDecimal(v.raw) === canonicalDecimal(javaDoubleText(value));
}

/**
 * The value of an event number from its JSON spelling when event-ruler
 * compares it as a number (the round trip of {@link isComparable} keeps it);
 * NaN otherwise, so that no numeric condition or numeric exact value matches
 * it (`9007199254740993`, `1e309`, `5e-324`).
 */
export function comparableValue(raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    return NaN;
  }
  const java = javaDoubleText(value);
  return java === raw || canonicalDecimal(raw) === canonicalDecimal(java) ? value : NaN;
}
