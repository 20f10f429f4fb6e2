/**
 * Wildcard patterns (`*` matches any run of characters, `\*` is a literal star,
 * `\\` a literal backslash), with event-ruler's parse errors (WildcardParser.java).
 * event-ruler parses the *quoted* value, so reported positions are UTF-8 byte
 * offsets counted from the opening quote.
 */

/** A parsed wildcard: the literal pieces between the stars. */
export interface Wildcard {
  /** Literal segments; a star sits between each consecutive pair. */
  readonly segments: string[];
}

/** Parses a wildcard pattern; returns an event-ruler error message on failure. */
export function parseWildcard(text: string): Wildcard | string {
  const segments: string[] = [];
  let current = '';
  let bytePos = 1; // the opening quote
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '*') {
      if (text[i + 1] === '*') {
        return `Consecutive wildcard characters at pos ${bytePos}`;
      }
      segments.push(current);
      current = '';
      bytePos += 1;
    } else if (ch === '\\') {
      const next = text[i + 1];
      if (next === '*' || next === '\\') {
        current += next;
        i++;
        bytePos += 2;
        continue;
      }
      return `Invalid escape character at pos ${bytePos}`;
    } else {
      current += ch;
      const c = ch.charCodeAt(0);
      bytePos += c < 0x80 ? 1 : c < 0x800 ? 2 : c >= 0xd800 && c <= 0xdbff ? 4 : c >= 0xdc00 && c <= 0xdfff ? 0 : 3;
    }
  }
  segments.push(current);
  return { segments };
}

/** Anchored wildcard match. */
export function matchWildcard(w: Wildcard, value: string): boolean {
  const segs = w.segments;
  if (segs.length === 1) {
    return value === segs[0];
  }
  const first = segs[0];
  const last = segs[segs.length - 1];
  if (value.length < first.length + last.length || !value.startsWith(first) || !value.endsWith(last)) {
    return false;
  }
  let pos = first.length;
  const end = value.length - last.length;
  for (let i = 1; i < segs.length - 1; i++) {
    const s = segs[i];
    if (s === '') {
      continue;
    }
    const at = value.indexOf(s, pos);
    if (at === -1 || at + s.length > end) {
      return false;
    }
    pos = at + s.length;
  }
  return true;
}
