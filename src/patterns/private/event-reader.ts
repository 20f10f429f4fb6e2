/**
 * Reads the leaf values of an event that some pattern looks at, by field.
 *
 * A {@link FieldSchema} holds the field paths of the patterns as a tree (one
 * node per path prefix, children by key) and gives each field path a small
 * integer id. Reading an event yields, for each field id, the leaves found at
 * that path ({@link EventLeaves}), each with its array membership (for array
 * consistency). Only the keys in the tree are visited.
 *
 * Events given as JSON text are not parsed into objects: a scanner checks the
 * whole text is valid JSON while it decodes only the keys and values on the
 * patterns' paths. Whatever it does not handle itself (invalid text, a
 * top-level value that is not an object, a key repeated within one object on
 * a pattern path) goes to the full parser, so errors and answers are the same.
 *
 * Numbers a double cannot hold exactly (`9007199254740993`, `1e309`,
 * `0.99999999999999994`) are not compared as numbers, as in event-ruler: their
 * leaf value is NaN (no numeric condition or numeric value matches it) and
 * their text is kept for literal matches.
 */
import { JsonNumber, MAX_JSON_DEPTH } from './json-text';
import { Leaf, Membership } from './model';
import { comparableValue, javaSpellsAsJs } from './numbers';
import { prepareEvent } from './prepare';

/** Nesting limit while walking an event given as an object (guards against cycles). */
const MAX_EVENT_DEPTH = 1000;

/** The leaves of an event by field id (undefined: the event has no leaf there). */
export type EventLeaves = Array<Leaf[] | undefined>;

/** Every path prefix of `path` at a `.` (`a`, `a.b`, `a.b.c` for `a.b.c`). */
function prefixesOf(path: string): string[] {
  const out: string[] = [];
  let i = path.indexOf('.');
  while (i !== -1) {
    out.push(path.slice(0, i));
    i = path.indexOf('.', i + 1);
  }
  out.push(path);
  return out;
}

/** The last segment of prefixes[j] (prefixes as returned by {@link prefixesOf}). */
function segment(prefixes: string[], j: number): string {
  return j === 0 ? prefixes[0] : prefixes[j].slice(prefixes[j - 1].length + 1);
}

/** Child nodes looked up by comparing keys in place when at most this many have the key's length. */
const SMALL_CHILDREN = 8;

/**
 * A path prefix: the children by key (one path segment each), and the field id
 * when a pattern reads this path.
 */
class PathNode {
  public readonly children = new Map<string, PathNode>();
  /** The keys of `children`, for lookups without slicing the event text. */
  public keys: string[] = [];
  public nodes: PathNode[] = [];
  /** Indexes into `keys` by key length (sparse). */
  public byLength: number[][] = [];
  public id = -1;
  /** How many registered paths have this prefix. */
  public refs = 0;
  /** How many registered paths end here (this node has an id while > 0). */
  public fieldRefs = 0;
  /**
   * How many registered paths go on for two or more segments below this node:
   * only then can a key with a dot in it (`{"a.b":..}`) lead to a field.
   */
  public deepRefs = 0;
  /** The nodes from the first path segment down to this one, and the last segment (set when created). */
  public chain: PathNode[] = [];
  public key = '';
  /** The last object (numbered per scanner) in which the text scanner met this key. */
  public seenIn = 0;

  /** @param path the path of this prefix (undefined for the root) */
  constructor(public readonly path: string | undefined) {}

  public link(key: string, child: PathNode): void {
    this.children.set(key, child);
    this.relist();
  }

  public unlink(key: string): void {
    this.children.delete(key);
    this.relist();
  }

  private relist(): void {
    this.keys = [...this.children.keys()];
    this.nodes = [...this.children.values()];
    this.byLength = [];
    this.keys.forEach((k, i) => (this.byLength[k.length] ??= []).push(i));
  }
}

/** A character JSON text may hold only escaped in strings (a text without any needs no per-character check). */
const CONTROL = /[\u0000-\u001f]/;

/**
 * Objects read by text scanners so far: each object gets a new number, so
 * PathNode.seenIn tells a repeated key (numbers up to 2^53 are exact).
 */
let objects = 0;

/** Thrown by the scanner for anything it leaves to the full parser. */
const FALLBACK = new Error('fallback to the full parser');

function hasOwnEnumerable(obj: object, key: string): boolean {
  return Object.prototype.propertyIsEnumerable.call(obj, key);
}

/** The field paths some pattern reads, as a tree with an id per path. */
export class FieldSchema {
  private readonly root = new PathNode(undefined);
  private readonly byPath = new Map<string, PathNode>();
  private readonly freeIds: number[] = [];
  private nextId = 0;

  /** One more than the largest field id in use. */
  public get width(): number {
    return this.nextId;
  }

  /** Registers a field path (counted) and returns its id. */
  public add(path: string): number {
    const leaf = this.byPath.get(path) ?? this.create(path);
    const chain = leaf.chain;
    const n = chain.length;
    if (n >= 2) {
      this.root.deepRefs++;
    }
    for (let j = 0; j < n; j++) {
      const node = chain[j];
      node.refs++;
      if (j <= n - 3) {
        node.deepRefs++;
      }
    }
    if (leaf.fieldRefs++ === 0) {
      leaf.id = this.freeIds.pop() ?? this.nextId++;
    }
    return leaf.id;
  }

  /** Unregisters a field path (counted). */
  public remove(path: string): void {
    const leaf = this.byPath.get(path);
    if (leaf === undefined) {
      return;
    }
    if (--leaf.fieldRefs === 0) {
      this.freeIds.push(leaf.id);
      leaf.id = -1;
    }
    const chain = leaf.chain;
    const n = chain.length;
    if (n >= 2) {
      this.root.deepRefs--;
    }
    let parent = this.root;
    for (let j = 0; j < n; j++) {
      const node = chain[j];
      if (j <= n - 3) {
        node.deepRefs--;
      }
      if (--node.refs === 0) {
        this.byPath.delete(node.path!);
        parent.unlink(node.key);
      }
      parent = node;
    }
  }

  /** Creates the missing nodes of a path (with no counts) and returns its last. */
  private create(path: string): PathNode {
    const prefixes = prefixesOf(path);
    let parent = this.root;
    for (let j = 0; j < prefixes.length; j++) {
      const prefix = prefixes[j];
      let node = this.byPath.get(prefix);
      if (node === undefined) {
        node = new PathNode(prefix);
        node.chain = [...parent.chain, node];
        node.key = segment(prefixes, j);
        this.byPath.set(prefix, node);
        parent.link(node.key, node);
      }
      parent = node;
    }
    return parent;
  }

  /**
   * The child of `node` for an event key containing a dot: event-ruler joins
   * keys with dots, so `{"a.b":..}` and `{"a":{"b":..}}` are the same path.
   */
  public dotted(node: PathNode, key: string): PathNode | undefined {
    return this.byPath.get(node.path === undefined ? key : `${node.path}.${key}`);
  }

  /**
   * The leaves of an event (an object, or JSON text) by field id.
   *
   * @throws Error if the event is not valid JSON text or not a JSON object
   */
  public read(event: unknown): EventLeaves {
    const leaves: EventLeaves = new Array(this.nextId);
    if (typeof event === 'string') {
      try {
        new TextScanner(this, event, leaves).event(this.root);
        return leaves;
      } catch (e) {
        if (e !== FALLBACK) {
          throw e;
        }
        leaves.fill(undefined);
      }
    }
    new ObjectWalker(this, leaves).event(prepareEvent(event), this.root);
    return leaves;
  }
}

function addLeaf(leaves: EventLeaves, id: number, leaf: Leaf): void {
  const list = leaves[id];
  if (list === undefined) {
    leaves[id] = [leaf];
  } else {
    list.push(leaf);
  }
}

function member(m: Membership | undefined, array: number, index: number): Membership {
  return { array, index, up: m };
}

/** Walks an event given as an object (numbers may be {@link JsonNumber}s). */
class ObjectWalker {
  private arrays = 0;

  constructor(private readonly schema: FieldSchema, private readonly leaves: EventLeaves) {}

  public event(obj: Record<string, unknown>, root: PathNode): void {
    this.object(obj, root, undefined, 0);
  }

  private object(obj: Record<string, unknown>, node: PathNode, m: Membership | undefined, depth: number): void {
    const keys = node.keys;
    for (let i = 0; i < keys.length; i++) {
      if (hasOwnEnumerable(obj, keys[i])) {
        this.value(obj[keys[i]], node.nodes[i], m, depth);
      }
    }
    if (node.deepRefs > 0) {
      for (const key in obj) {
        if (key.includes('.') && hasOwnEnumerable(obj, key)) {
          const child = this.schema.dotted(node, key);
          if (child !== undefined) {
            this.value(obj[key], child, m, depth);
          }
        }
      }
    }
  }

  private value(v: unknown, node: PathNode, m: Membership | undefined, depth: number): void {
    if (depth > MAX_EVENT_DEPTH) {
      throw new Error(`Event is nested deeper than ${MAX_EVENT_DEPTH} levels (or is circular)`);
    }
    const id = node.id;
    switch (typeof v) {
      case 'string':
      case 'boolean':
        if (id >= 0) {
          addLeaf(this.leaves, id, { v, raw: undefined, m, ip: undefined, k: -1 });
        }
        return;
      case 'number':
        if (id >= 0) {
          const comparable = Number.isFinite(v) && javaSpellsAsJs(v);
          addLeaf(this.leaves, id, { v: comparable ? v : NaN, raw: comparable ? undefined : String(v), m, ip: undefined, k: -1 });
        }
        return;
      case 'bigint':
        if (id >= 0) {
          const raw = v.toString();
          addLeaf(this.leaves, id, { v: comparableValue(raw), raw, m, ip: undefined, k: -1 });
        }
        return;
      case 'object':
        if (v === null) {
          if (id >= 0) {
            addLeaf(this.leaves, id, { v: null, raw: undefined, m, ip: undefined, k: -1 });
          }
        } else if (v instanceof JsonNumber) {
          if (id >= 0) {
            addLeaf(this.leaves, id, { v: comparableValue(v.raw), raw: v.raw, m, ip: undefined, k: -1 });
          }
        } else if (Array.isArray(v)) {
          const arrayId = this.arrays++;
          for (let i = 0; i < v.length; i++) {
            this.value(v[i], node, member(m, arrayId, i), depth + 1);
          }
        } else if (node.keys.length > 0) {
          this.object(v as Record<string, unknown>, node, m, depth + 1);
        }
        return;
      default:
        // undefined, functions and symbols are not JSON values: ignored.
        return;
    }
  }
}

/**
 * A validating JSON scanner that decodes only what lies on the patterns'
 * paths. Throws {@link FALLBACK} for anything left to the full parser.
 */
class TextScanner {
  private pos = 0;
  private arrays = 0;
  private readonly len: number;

  /** No control character anywhere in the text: string contents need no check for them. */
  private readonly plain: boolean;
  /** The first backslash at or after the current string's start (-1: none in the rest of the text). */
  private escape: number;

  constructor(private readonly schema: FieldSchema, private readonly text: string, private readonly leaves: EventLeaves) {
    this.len = text.length;
    this.plain = !CONTROL.test(text);
    this.escape = this.plain ? text.indexOf('\\') : -1;
  }

  public event(root: PathNode): void {
    if (this.ws() !== 123) {
      throw FALLBACK; // not an object, or not JSON: the full parser says which
    }
    this.object(root, undefined, 0);
    this.ws();
    if (this.pos < this.len) {
      throw FALLBACK; // text after the value
    }
  }

  /**
   * Skips whitespace; returns the code of the next character (NaN at the end).
   * Never reads past the end: V8 would then stop inlining charCodeAt here, in
   * every event (the end of the text is reached at the end of every event).
   */
  private ws(): number {
    const t = this.text;
    const len = this.len;
    let p = this.pos;
    let c = p < len ? t.charCodeAt(p) : NaN;
    while (c === 32 || c === 10 || c === 13 || c === 9) {
      c = ++p < len ? t.charCodeAt(p) : NaN;
    }
    this.pos = p;
    return c;
  }

  /** At `"`: moves past the closing quote; returns the end position of the content, negated if it has escapes. */
  private string(): number {
    const t = this.text;
    let p = this.pos + 1;
    if (this.plain) {
      const q = t.indexOf('"', p);
      let e = this.escape;
      if (e !== -1 && e < p) {
        e = this.escape = t.indexOf('\\', p);
      }
      if (q !== -1 && (e === -1 || e > q)) {
        this.pos = q + 1;
        return q;
      }
    }
    let escaped = false;
    for (;;) {
      let c = t.charCodeAt(p);
      while (c >= 35 && c !== 92) { // the usual characters: one loop with two tests
        c = t.charCodeAt(++p);
      }
      if (c === 34) {
        break;
      }
      if (c === 92) {
        escaped = true;
        const e = t.charCodeAt(p + 1);
        if (e === 117) {
          for (let k = p + 2; k < p + 6; k++) {
            const h = t.charCodeAt(k);
            if (!((h >= 48 && h <= 57) || (h >= 65 && h <= 70) || (h >= 97 && h <= 102))) {
              throw FALLBACK;
            }
          }
          p += 6;
        } else if (e === 34 || e === 92 || e === 47 || e === 98 || e === 102 || e === 110 || e === 114 || e === 116) {
          p += 2;
        } else {
          throw FALLBACK;
        }
      } else if (c === 32 || c === 33) {
        p++;
      } else {
        throw FALLBACK; // control character, or the end of the text (NaN)
      }
    }
    this.pos = p + 1;
    return escaped ? -p : p;
  }

  private decode(start: number, end: number): string {
    return end >= 0 ? this.text.slice(start, end) : JSON.parse(this.text.slice(start - 1, 1 - end)) as string;
  }

  /** At `"` of a key in an object at `node`: the child node for the key, if any. */
  private key(node: PathNode | undefined): PathNode | undefined {
    const start = this.pos + 1;
    const end = this.string();
    if (node === undefined) {
      return undefined;
    }
    if (end >= 0) {
      const same = node.byLength[end - start];
      if (same !== undefined) {
        if (same.length <= SMALL_CHILDREN) {
          for (let i = 0; i < same.length; i++) {
            if (this.text.startsWith(node.keys[same[i]], start)) {
              return node.nodes[same[i]];
            }
          }
        } else {
          const child = node.children.get(this.text.slice(start, end));
          if (child !== undefined) {
            return child;
          }
        }
      }
      if (node.deepRefs === 0 || !this.hasDot(start, end)) {
        return undefined;
      }
    }
    const key = this.decode(start, end);
    return node.children.get(key) ?? (node.deepRefs > 0 && key.includes('.') ? this.schema.dotted(node, key) : undefined);
  }

  private hasDot(start: number, end: number): boolean {
    const t = this.text;
    for (let i = start; i < end; i++) {
      if (t.charCodeAt(i) === 46) {
        return true;
      }
    }
    return false;
  }

  private object(node: PathNode | undefined, m: Membership | undefined, depth: number): void {
    if (depth >= MAX_JSON_DEPTH) {
      throw FALLBACK;
    }
    this.pos++;
    let c = this.ws();
    if (c === 125) {
      this.pos++;
      return;
    }
    // a key on a pattern path met twice in one object: the last one wins, which the full parser handles
    const self = ++objects;
    for (;;) {
      if (c !== 34) {
        throw FALLBACK;
      }
      const child = this.key(node);
      if (child !== undefined) {
        if (child.seenIn === self) {
          throw FALLBACK;
        }
        child.seenIn = self;
      }
      if (this.ws() !== 58) {
        throw FALLBACK;
      }
      this.pos++;
      this.value(child, m, depth + 1);
      c = this.ws();
      if (c === 44) {
        this.pos++;
        c = this.ws();
        continue;
      }
      if (c === 125) {
        this.pos++;
        return;
      }
      throw FALLBACK;
    }
  }

  private array(node: PathNode | undefined, m: Membership | undefined, depth: number): void {
    if (depth >= MAX_JSON_DEPTH) {
      throw FALLBACK;
    }
    this.pos++;
    let c = this.ws();
    if (c === 93) {
      this.pos++;
      return;
    }
    const arrayId = node === undefined ? -1 : this.arrays++;
    for (let i = 0; ; i++) {
      this.value(node, node === undefined ? undefined : member(m, arrayId, i), depth + 1);
      c = this.ws();
      if (c === 44) {
        this.pos++;
        continue;
      }
      if (c === 93) {
        this.pos++;
        return;
      }
      throw FALLBACK;
    }
  }

  /** Moves past the digits at `p`; throws unless there is at least one. */
  private digits(p: number): number {
    const t = this.text;
    let c = t.charCodeAt(p);
    if (!(c >= 48 && c <= 57)) {
      throw FALLBACK;
    }
    do {
      c = t.charCodeAt(++p);
    } while (c >= 48 && c <= 57);
    return p;
  }

  private number(node: PathNode | undefined, m: Membership | undefined): void {
    const t = this.text;
    const start = this.pos;
    let p = start;
    if (t.charCodeAt(p) === 45) {
      p++;
    }
    if (t.charCodeAt(p) === 48) {
      p++;
    } else {
      p = this.digits(p);
    }
    // an integer of up to 15 digits (other than -0) is exactly a double, spelt as JavaScript spells it
    let simple = p - start <= 15 && !(t.charCodeAt(start) === 45 && t.charCodeAt(start + 1) === 48);
    if (t.charCodeAt(p) === 46) {
      p = this.digits(p + 1);
      simple = false;
    }
    const e = t.charCodeAt(p);
    if (e === 101 || e === 69) {
      p++;
      const s = t.charCodeAt(p);
      if (s === 43 || s === 45) {
        p++;
      }
      p = this.digits(p);
      simple = false;
    }
    this.pos = p;
    if (node !== undefined && node.id >= 0) {
      if (simple) {
        let v = 0;
        for (let i = t.charCodeAt(start) === 45 ? start + 1 : start; i < p; i++) {
          v = v * 10 + (t.charCodeAt(i) - 48);
        }
        addLeaf(this.leaves, node.id, { v: t.charCodeAt(start) === 45 ? -v : v, raw: undefined, m, ip: undefined, k: -1 });
        return;
      }
      const raw = t.slice(start, p);
      const v = Number(raw);
      const exact = String(v) === raw && javaSpellsAsJs(v);
      addLeaf(this.leaves, node.id, { v: exact ? v : comparableValue(raw), raw: exact ? undefined : raw, m, ip: undefined, k: -1 });
    }
  }

  private literal(word: string, value: boolean | null, node: PathNode | undefined, m: Membership | undefined): void {
    if (!this.text.startsWith(word, this.pos)) {
      throw FALLBACK;
    }
    this.pos += word.length;
    if (node !== undefined && node.id >= 0) {
      addLeaf(this.leaves, node.id, { v: value, raw: undefined, m, ip: undefined, k: -1 });
    }
  }

  private value(node: PathNode | undefined, m: Membership | undefined, depth: number): void {
    const c = this.ws();
    switch (c) {
      case 34: { // "
        const start = this.pos + 1;
        const end = this.string();
        if (node !== undefined && node.id >= 0) {
          addLeaf(this.leaves, node.id, { v: this.decode(start, end), raw: undefined, m, ip: undefined, k: -1 });
        }
        return;
      }
      case 123: // {
        this.object(node !== undefined && node.keys.length > 0 ? node : undefined, m, depth);
        return;
      case 91: // [
        this.array(node, m, depth);
        return;
      case 116: // t
        this.literal('true', true, node, m);
        return;
      case 102: // f
        this.literal('false', false, node, m);
        return;
      case 110: // n
        this.literal('null', null, node, m);
        return;
      default:
        if (c === 45 || (c >= 48 && c <= 57)) {
          this.number(node, m);
          return;
        }
        throw FALLBACK;
    }
  }
}
