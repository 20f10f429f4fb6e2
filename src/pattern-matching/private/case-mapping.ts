/**
 * Case-insensitive comparison the way event-ruler compiles `equals-ignore-case`:
 * each code point of the *pattern* accepts itself, its simple lower-case
 * mapping and its simple upper-case mapping. There is no full case folding
 * (`ß` does not match `SS`) and no context (`Σ` does not match final `ς`).
 */

function simpleMapping(cp: number, upper: boolean): number {
  const ch = String.fromCodePoint(cp);
  const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
  const first = mapped.codePointAt(0)!;
  if (mapped.length === String.fromCodePoint(first).length) {
    return first;
  }
  // Multi-code-point (full) mappings have a simple mapping to a single code point
  // only for U+0130 (lower-case i); all others map to themselves.
  return cp === 0x130 && !upper ? 0x69 : cp;
}

/** One pattern code point and the code points it accepts. */
export interface CaseSet {
  readonly a: number;
  readonly b: number;
  readonly c: number;
}

/** The sets of the ASCII code points, computed once. */
const ASCII_SETS: CaseSet[] = Array.from({ length: 128 }, (_, cp) => ({ a: cp, b: simpleMapping(cp, false), c: simpleMapping(cp, true) }));

/** Compiles a pattern string into per-code-point accepted sets. */
export function compileIgnoreCase(pattern: string): CaseSet[] {
  const out: CaseSet[] = [];
  for (const ch of pattern) {
    const cp = ch.codePointAt(0)!;
    out.push(cp < 128 ? ASCII_SETS[cp] : { a: cp, b: simpleMapping(cp, false), c: simpleMapping(cp, true) });
  }
  return out;
}

function accepts(set: CaseSet, cp: number): boolean {
  return cp === set.a || cp === set.b || cp === set.c;
}

/**
 * Whether the code points of `value` from UTF-16 index `at` on are accepted
 * by `sets`, in order; returns the index after them, or -1. Reads at most
 * `sets.length` code points: the cost never depends on the value's length.
 */
function acceptsFrom(sets: readonly CaseSet[], value: string, at: number): number {
  let i = at;
  for (let k = 0; k < sets.length; k++) {
    if (i >= value.length) {
      return -1;
    }
    const cp = value.codePointAt(i)!;
    if (!accepts(sets[k], cp)) {
      return -1;
    }
    i += cp > 0xffff ? 2 : 1;
  }
  return i;
}

/** Whole-string case-insensitive equality. */
export function equalsIgnoreCase(sets: readonly CaseSet[], value: string): boolean {
  // each code point is 1 or 2 UTF-16 units: rule out impossible lengths before reading
  if (value.length < sets.length || value.length > 2 * sets.length) {
    return false;
  }
  return acceptsFrom(sets, value, 0) === value.length;
}

/** Case-insensitive prefix test. */
export function startsWithIgnoreCase(sets: readonly CaseSet[], value: string): boolean {
  return acceptsFrom(sets, value, 0) !== -1;
}

/** Case-insensitive suffix test. */
export function endsWithIgnoreCase(sets: readonly CaseSet[], value: string): boolean {
  // walk back over the last sets.length code points, then compare forwards
  let at = value.length;
  for (let k = 0; k < sets.length; k++) {
    if (at <= 0) {
      return false;
    }
    const low = value.charCodeAt(at - 1);
    const high = at >= 2 ? value.charCodeAt(at - 2) : 0;
    at -= low >= 0xdc00 && low <= 0xdfff && high >= 0xd800 && high <= 0xdbff ? 2 : 1;
  }
  return acceptsFrom(sets, value, at) === value.length;
}
