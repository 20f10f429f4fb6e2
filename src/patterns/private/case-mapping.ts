/**
 * Case-insensitive comparison the way event-ruler compiles `equals-ignore-case`
 * (and the equals-ignore-case forms of `prefix`, `suffix` and `anything-but`):
 * each UTF-16 character of the *pattern* accepts its lower-case and its
 * upper-case form, with the full (locale-independent) mappings, which may be
 * longer than one character: pattern `ß` accepts `ß` and `SS`, `ﬀ` accepts `ﬀ`
 * and `FF`, `İ` accepts `İ` and `i̇`. The mapping goes one way: pattern `SS`
 * does not accept `ß`, and pattern `İ` does not accept a plain `i`.
 *
 * Two deliberate differences from event-ruler 2.0.1, both listed in
 * docs/event-ruler-differences.md: a character also accepts itself (event-ruler
 * does not accept a title-case letter such as `ǅ` in the event when it is in
 * the pattern), and a character outside the Basic Multilingual Plane accepts
 * itself and its simple case mappings (event-ruler turns each half of its
 * surrogate pair into `?`, so that `😀` never matches itself).
 */

/**
 * The forms one pattern character accepts. When each is a single UTF-16 unit
 * (nearly always), they are `a`, `b` and `c` and `alts` is undefined;
 * otherwise `alts` lists them and `a` is -1.
 */
export interface CaseSet {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly alts: readonly string[] | undefined;
}

function setOf(forms: string[]): CaseSet {
  const unique = [...new Set(forms)];
  if (unique.every((f) => f.length === 1)) {
    const codes = unique.map((f) => f.charCodeAt(0));
    return { a: codes[0], b: codes[1] ?? codes[0], c: codes[2] ?? codes[0], alts: undefined };
  }
  return { a: -1, b: -1, c: -1, alts: unique };
}

/** Simple (one code point) case mapping of an astral code point: its full mapping when that is one code point. */
function simpleAstral(ch: string, upper: boolean): string {
  const mapped = upper ? ch.toUpperCase() : ch.toLowerCase();
  return [...mapped].length === 1 ? mapped : ch;
}

/** The sets of the ASCII characters, computed once. */
const ASCII_SETS: CaseSet[] = Array.from({ length: 128 }, (_, u) => {
  const ch = String.fromCharCode(u);
  return setOf([ch.toLowerCase(), ch.toUpperCase(), ch]);
});

/** Compiles a pattern string into per-character accepted forms. */
export function compileIgnoreCase(pattern: string): CaseSet[] {
  const out: CaseSet[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const u = pattern.charCodeAt(i);
    if (u < 128) {
      out.push(ASCII_SETS[u]);
      continue;
    }
    const next = pattern.charCodeAt(i + 1);
    if (u >= 0xd800 && u <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
      const ch = pattern.slice(i, i + 2);
      out.push(setOf([ch, simpleAstral(ch, false), simpleAstral(ch, true)]));
      i++;
      continue;
    }
    const ch = pattern[i];
    out.push(setOf([ch.toLowerCase(), ch.toUpperCase(), ch]));
  }
  return out;
}

/**
 * Where in `value` a run of the sets' forms, read forwards from 0, can end:
 * -1 for nowhere, else one position, or a list when a form longer than one
 * unit makes several runs possible (each set has at most three forms and the
 * positions are kept distinct, so the cost is linear in the pattern). The
 * usual case, single-unit forms only, allocates nothing.
 */
function endsFrom(sets: readonly CaseSet[], value: string): number | number[] {
  let p = 0;
  let k = 0;
  for (; k < sets.length; k++) {
    const set = sets[k];
    if (set.alts !== undefined) {
      break;
    }
    if (p >= value.length) {
      return -1;
    }
    const u = value.charCodeAt(p);
    if (u !== set.a && u !== set.b && u !== set.c) {
      return -1;
    }
    p++;
  }
  if (k === sets.length) {
    return p;
  }
  let positions = [p];
  for (; k < sets.length; k++) {
    const set = sets[k];
    const next: number[] = [];
    for (const q of positions) {
      if (set.alts === undefined) {
        if (q < value.length) {
          const u = value.charCodeAt(q);
          if ((u === set.a || u === set.b || u === set.c) && !next.includes(q + 1)) {
            next.push(q + 1);
          }
        }
        continue;
      }
      for (const form of set.alts) {
        if (value.startsWith(form, q) && !next.includes(q + form.length)) {
          next.push(q + form.length);
        }
      }
    }
    if (next.length === 0) {
      return -1;
    }
    positions = next;
  }
  return positions;
}

/** Whole-string case-insensitive equality. */
export function equalsIgnoreCase(sets: readonly CaseSet[], value: string): boolean {
  const ends = endsFrom(sets, value);
  return typeof ends === 'number' ? ends === value.length : ends.includes(value.length);
}

/** Case-insensitive prefix test. */
export function startsWithIgnoreCase(sets: readonly CaseSet[], value: string): boolean {
  return endsFrom(sets, value) !== -1;
}

/** Case-insensitive suffix test: the value ends with a run of the sets' forms (read backwards from its end). */
export function endsWithIgnoreCase(sets: readonly CaseSet[], value: string): boolean {
  let positions = [value.length];
  for (let k = sets.length - 1; k >= 0; k--) {
    const set = sets[k];
    const next: number[] = [];
    for (const p of positions) {
      if (set.alts === undefined) {
        if (p > 0) {
          const u = value.charCodeAt(p - 1);
          if ((u === set.a || u === set.b || u === set.c) && !next.includes(p - 1)) {
            next.push(p - 1);
          }
        }
        continue;
      }
      for (const form of set.alts) {
        if (p >= form.length && value.startsWith(form, p - form.length) && !next.includes(p - form.length)) {
          next.push(p - form.length);
        }
      }
    }
    if (next.length === 0) {
      return false;
    }
    positions = next;
  }
  return true;
}
