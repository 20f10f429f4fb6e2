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

/** Compiles a pattern string into per-code-point accepted sets. */
export function compileIgnoreCase(pattern: string): CaseSet[] {
  const out: CaseSet[] = [];
  for (const ch of pattern) {
    const cp = ch.codePointAt(0)!;
    out.push({ a: cp, b: simpleMapping(cp, false), c: simpleMapping(cp, true) });
  }
  return out;
}

function codePoints(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const cp = s.codePointAt(i)!;
    out.push(cp);
    if (cp > 0xffff) {
      i++;
    }
  }
  return out;
}

function accepts(set: CaseSet, cp: number): boolean {
  return cp === set.a || cp === set.b || cp === set.c;
}

/** Whole-string case-insensitive equality. */
export function equalsIgnoreCase(sets: CaseSet[], value: string): boolean {
  const cps = codePoints(value);
  if (cps.length !== sets.length) {
    return false;
  }
  for (let i = 0; i < sets.length; i++) {
    if (!accepts(sets[i], cps[i])) {
      return false;
    }
  }
  return true;
}

/** Case-insensitive prefix test. */
export function startsWithIgnoreCase(sets: CaseSet[], value: string): boolean {
  const cps = codePoints(value);
  if (cps.length < sets.length) {
    return false;
  }
  for (let i = 0; i < sets.length; i++) {
    if (!accepts(sets[i], cps[i])) {
      return false;
    }
  }
  return true;
}

/** Case-insensitive suffix test. */
export function endsWithIgnoreCase(sets: CaseSet[], value: string): boolean {
  const cps = codePoints(value);
  const off = cps.length - sets.length;
  if (off < 0) {
    return false;
  }
  for (let i = 0; i < sets.length; i++) {
    if (!accepts(sets[i], cps[off + i])) {
      return false;
    }
  }
  return true;
}
