/**
 * A small strict JSON parser used for patterns and events given as JSON text.
 *
 * Differences from `JSON.parse` that matter for event patterns:
 * - numbers whose text does not round-trip through a double (`300.0`, `1e400`,
 *   `12345678901234567890`) are kept as a {@link JsonNumber} holding the raw text,
 *   because event-ruler matches number literals by their text as well as by value;
 * - errors carry the position, line and column;
 * - nesting is limited so that hostile input cannot overflow the stack;
 * - duplicate keys: the last one wins (like `JSON.parse` and EventBridge).
 */

/** A JSON number together with its original spelling. */
export class JsonNumber {
  constructor(public readonly value: number, public readonly raw: string) {}
}

/** Thrown for text that is not valid JSON. */
export class JsonSyntaxError extends Error {
  constructor(message: string, public readonly position: number) {
    super(message);
    this.name = 'JsonSyntaxError';
  }
}

/** Maximum nesting of arrays and objects accepted by {@link parseJson}. */
export const MAX_JSON_DEPTH = 1000;

const NUMBER_RE = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;

/** Sets a property safely (a `__proto__` key becomes an own property, as with JSON.parse). */
function setOwn(obj: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    obj[key] = value;
  }
}

/**
 * Parses JSON text. Numbers that `String(Number(raw))` would respell are
 * returned as {@link JsonNumber}; all other values are plain JS values.
 */
export function parseJson(text: string): any {
  let pos = 0;
  const len = text.length;

  function describe(at: number): string {
    if (at >= len) {
      return 'end of input';
    }
    const cp = text.codePointAt(at)!;
    return `'${String.fromCodePoint(cp)}'`;
  }

  function fail(message: string, at: number): never {
    let line = 1;
    let col = 1;
    for (let i = 0; i < at && i < len; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    throw new JsonSyntaxError(`${message} at position ${at} (line ${line}, column ${col})`, at);
  }

  function ws(): void {
    while (pos < len) {
      const c = text.charCodeAt(pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        pos++;
      } else {
        break;
      }
    }
  }

  function parseString(): string {
    // assumes text[pos] === '"'
    const start = pos;
    pos++;
    let out = '';
    let chunkStart = pos;
    while (true) {
      if (pos >= len) {
        fail('Unterminated string', start);
      }
      const c = text.charCodeAt(pos);
      if (c === 34) {
        out += text.slice(chunkStart, pos);
        pos++;
        return out;
      }
      if (c < 0x20) {
        fail('Unescaped control character in string', pos);
      }
      if (c === 92) {
        out += text.slice(chunkStart, pos);
        const e = text.charCodeAt(pos + 1);
        switch (e) {
          case 34: out += '"'; break;
          case 92: out += '\\'; break;
          case 47: out += '/'; break;
          case 98: out += '\b'; break;
          case 102: out += '\f'; break;
          case 110: out += '\n'; break;
          case 114: out += '\r'; break;
          case 116: out += '\t'; break;
          case 117: {
            const hex = text.slice(pos + 2, pos + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) {
              fail('Invalid \\u escape in string', pos);
            }
            out += String.fromCharCode(parseInt(hex, 16));
            pos += 4;
            break;
          }
          default:
            fail('Invalid escape character in string', pos);
        }
        pos += 2;
        chunkStart = pos;
        continue;
      }
      pos++;
    }
  }

  function parseValue(depth: number): any {
    ws();
    if (pos >= len) {
      fail('Unexpected end of input', pos);
    }
    const c = text.charCodeAt(pos);
    if (c === 123) { // {
      if (depth >= MAX_JSON_DEPTH) {
        fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, pos);
      }
      pos++;
      const obj: Record<string, unknown> = {};
      ws();
      if (text.charCodeAt(pos) === 125) {
        pos++;
        return obj;
      }
      while (true) {
        ws();
        if (text.charCodeAt(pos) !== 34) {
          fail(`Expected a string key but found ${describe(pos)}`, pos);
        }
        const key = parseString();
        ws();
        if (text.charCodeAt(pos) !== 58) {
          fail(`Expected ':' but found ${describe(pos)}`, pos);
        }
        pos++;
        setOwn(obj, key, parseValue(depth + 1));
        ws();
        const d = text.charCodeAt(pos);
        if (d === 44) {
          pos++;
          continue;
        }
        if (d === 125) {
          pos++;
          return obj;
        }
        fail(`Expected ',' or '}' but found ${describe(pos)}`, pos);
      }
    }
    if (c === 91) { // [
      if (depth >= MAX_JSON_DEPTH) {
        fail(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`, pos);
      }
      pos++;
      const arr: unknown[] = [];
      ws();
      if (text.charCodeAt(pos) === 93) {
        pos++;
        return arr;
      }
      while (true) {
        arr.push(parseValue(depth + 1));
        ws();
        const d = text.charCodeAt(pos);
        if (d === 44) {
          pos++;
          continue;
        }
        if (d === 93) {
          pos++;
          return arr;
        }
        fail(`Expected ',' or ']' but found ${describe(pos)}`, pos);
      }
    }
    if (c === 34) {
      return parseString();
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      NUMBER_RE.lastIndex = pos;
      const m = NUMBER_RE.exec(text);
      if (!m) {
        fail(`Invalid number starting with ${describe(pos)}`, pos);
      }
      const raw = m[0];
      const next = text.charCodeAt(pos + raw.length);
      if ((next >= 48 && next <= 57) || next === 46 || next === 101 || next === 69) {
        fail(`Invalid number starting with ${describe(pos)}`, pos);
      }
      pos += raw.length;
      const value = Number(raw);
      return String(value) === raw ? value : new JsonNumber(value, raw);
    }
    if (text.startsWith('true', pos)) {
      pos += 4;
      return true;
    }
    if (text.startsWith('false', pos)) {
      pos += 5;
      return false;
    }
    if (text.startsWith('null', pos)) {
      pos += 4;
      return null;
    }
    return fail(`Unexpected ${describe(pos)}`, pos);
  }

  const result = parseValue(0);
  ws();
  if (pos < len) {
    fail(`Unexpected ${describe(pos)} after the JSON value`, pos);
  }
  return result;
}
