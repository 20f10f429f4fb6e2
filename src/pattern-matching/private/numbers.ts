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

/**
 * Canonical decimal form (sign, significant digits, exponent) of a JSON
 * number spelling, so that two spellings of the same decimal value compare equal.
 */
function canonicalDecimal(text: string): string | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!m) {
    return undefined;
  }
  const frac = m[3] ?? '';
  let digits = m[2] + frac;
  let exp = (m[4] ? parseInt(m[4], 10) : 0) - frac.length;
  digits = digits.replace(/^0+/, '');
  if (digits === '') {
    return '0';
  }
  const trimmed = digits.replace(/0+$/, '');
  exp += digits.length - trimmed.length;
  return `${m[1]}${trimmed}e${exp}`;
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
