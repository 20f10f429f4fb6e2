/**
 * Flattens an event into leaf values keyed by dotted path, recording for each
 * leaf which element of which array it came from (for array consistency).
 */
import { JsonNumber } from './json-text';
import { Leaf } from './model';

/** Nesting limit while walking an event given as an object (guards against cycles). */
export const MAX_EVENT_DEPTH = 1000;

/** Leaf values of an event by path. */
export type FlatEvent = Map<string, Leaf[]>;

/**
 * Every prefix of each path (`a`, `a.b`, `a.b.c` for `a.b.c`): the event is
 * only walked along these.
 */
export function pathPrefixes(paths: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const p of paths) {
    let i = p.indexOf('.');
    while (i !== -1) {
      out.add(p.slice(0, i));
      i = p.indexOf('.', i + 1);
    }
    out.add(p);
  }
  return [...out];
}

/**
 * Flattens `event` (a JS object; numbers may be {@link JsonNumber}s). Only keys
 * whose path is in `relevant` are visited.
 */
export function flattenEvent(event: Record<string, unknown>, relevant: ReadonlySet<string>): FlatEvent {
  const flat: FlatEvent = new Map();
  let arrayIds = 0;

  const add = (path: string, leaf: Leaf): void => {
    const list = flat.get(path);
    if (list) {
      list.push(leaf);
    } else {
      flat.set(path, [leaf]);
    }
  };

  const walkValue = (v: unknown, path: string, m: number[] | undefined, depth: number): void => {
    if (depth > MAX_EVENT_DEPTH) {
      throw new Error(`Event is nested deeper than ${MAX_EVENT_DEPTH} levels (or is circular)`);
    }
    switch (typeof v) {
      case 'string':
      case 'boolean':
        add(path, { v, raw: undefined, m });
        return;
      case 'number':
        add(path, { v, raw: undefined, m });
        return;
      case 'bigint':
        add(path, { v: Number(v), raw: v.toString(), m });
        return;
      case 'object':
        if (v === null) {
          add(path, { v: null, raw: undefined, m });
        } else if (v instanceof JsonNumber) {
          add(path, { v: v.value, raw: v.raw, m });
        } else if (Array.isArray(v)) {
          const id = arrayIds++;
          for (let i = 0; i < v.length; i++) {
            walkValue(v[i], path, m ? [...m, id, i] : [id, i], depth + 1);
          }
        } else {
          walkObject(v as Record<string, unknown>, path, m, depth + 1);
        }
        return;
      default:
        // undefined, functions and symbols are not JSON values: ignored.
        return;
    }
  };

  const walkObject = (obj: Record<string, unknown>, prefix: string, m: number[] | undefined, depth: number): void => {
    for (const key in obj) {
      if (!Object.prototype.hasOwnProperty.call(obj, key)) {
        continue;
      }
      const path = prefix === '' ? key : prefix + '.' + key;
      if (relevant.has(path)) {
        walkValue(obj[key], path, m, depth);
      }
    }
  };

  walkObject(event, '', undefined, 0);
  return flat;
}
