/**
 * The index behind PatternRuleSet.
 *
 * Each compiled sub-rule (one `$or` branch) is placed in a trie keyed by its
 * exact-value and prefix fields, taken in a fixed field order: a node holds,
 * per field, a table from value (or prefix) to child node, with one hash map
 * per value type, so a lookup uses the event value itself as the key.
 * Matching walks the trie along the event's own values, collects the
 * sub-rules stored on the nodes it reaches, and verifies only those with the
 * full evaluator (other operators, array consistency). Sub-rules without such
 * fields sit at the root and are verified for every event.
 *
 * Events are read with a {@link FieldSchema} holding the fields of all rules,
 * so only those fields are decoded (see event-reader.ts).
 */
import { evaluateConditions } from './evaluator';
import { EventLeaves, FieldSchema } from './event-reader';
import { CompiledPattern, Condition, Leaf } from './model';

/** How many trie nodes one sub-rule may be copied into (multi-value fields fan out). */
const MAX_PLACEMENTS = 64;
/** Prefixes of one table tested with startsWith when there are at most this many; beyond, looked up by length. */
const FEW_PREFIXES = 16;

interface RuleEntry {
  readonly name: string;
  readonly seq: number;
  readonly compiled: CompiledPattern;
  readonly subs: SubEntry[];
  stamp: number;
}

interface SubEntry {
  readonly rule: RuleEntry;
  readonly conditions: Condition[];
  /** The field id of each condition. */
  readonly ids: number[];
  /**
   * The conditions not used to place the entry in the trie (and their ids):
   * enough to evaluate when the event values that led to the entry lie
   * outside arrays, since those satisfy the placing conditions by themselves.
   */
  residual: Condition[];
  residualIds: number[];
  readonly nodes: IndexNode[];
  stamp: number;
}

/** Shared empty lists, replaced by a fresh array on the first push (most nodes and tables never need one). */
const NO_ENTRIES: SubEntry[] = [];
const NO_STRINGS: string[] = [];
const NO_NODES: IndexNode[] = [];
const NO_NUMBERS: number[] = [];

class IndexNode {
  public rules: SubEntry[] = NO_ENTRIES;
  public tables: Table[] | undefined;
}

/** Children of a node for one field, by value. */
class Table {
  public strings: Map<string, IndexNode> | undefined;
  public numbers: Map<number, IndexNode> | undefined;
  /** Number literals a double cannot hold, by spelling. */
  public raws: Map<string, IndexNode> | undefined;
  public trueNode: IndexNode | undefined;
  public falseNode: IndexNode | undefined;
  public nullNode: IndexNode | undefined;
  public prefixes: Map<string, IndexNode> | undefined;
  /** The keys of `prefixes`, and their nodes (parallel arrays). */
  public prefixList: string[] = NO_STRINGS;
  public prefixNodes: IndexNode[] = NO_NODES;
  /** Distinct lengths of the prefixes. */
  public prefixLengths: number[] = NO_NUMBERS;

  /** The field id of the path (kept current by RuleIndex.place). */
  public id = -1;

  constructor(public readonly path: string) {}

  /** The child for a compiled index key (see Matcher.key), created if missing. */
  public child(key: string): IndexNode {
    const kind = key[0];
    const rest = key.slice(1);
    switch (kind) {
      case 's':
        return getOrAdd((this.strings ??= new Map()), rest);
      case 'n':
        return getOrAdd((this.numbers ??= new Map()), Number(rest));
      case 'r':
        return getOrAdd((this.raws ??= new Map()), rest);
      case 't':
        return (this.trueNode ??= new IndexNode());
      case 'f':
        return (this.falseNode ??= new IndexNode());
      case 'z':
        return (this.nullNode ??= new IndexNode());
      default: {
        if (this.prefixes === undefined) {
          this.prefixes = new Map();
          this.prefixList = [];
          this.prefixNodes = [];
          this.prefixLengths = [];
        }
        const prefixes = this.prefixes;
        let node = prefixes.get(rest);
        if (node === undefined) {
          node = new IndexNode();
          prefixes.set(rest, node);
          this.prefixList.push(rest);
          this.prefixNodes.push(node);
          if (!this.prefixLengths.includes(rest.length)) {
            this.prefixLengths.push(rest.length);
          }
        }
        return node;
      }
    }
  }
}

function getOrAdd<K>(map: Map<K, IndexNode>, key: K): IndexNode {
  let node = map.get(key);
  if (node === undefined) {
    node = new IndexNode();
    map.set(key, node);
  }
  return node;
}

/** Field order in the trie: the envelope fields most rules filter on first, then by path. */
function fieldRank(path: string): number {
  return path === 'source' ? 0 : path === 'detail-type' ? 1 : 2;
}

function byField(a: Condition, b: Condition): number {
  const ra = fieldRank(a.path);
  const rb = fieldRank(b.path);
  if (ra !== rb) {
    return ra - rb;
  }
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** The names of the rules, in the order they were added (insertion sort: usually few and nearly sorted). */
function namesInOrder(rules: RuleEntry[]): string[] {
  if (rules.length > 64) {
    rules.sort((a, b) => a.seq - b.seq);
  } else {
    for (let i = 1; i < rules.length; i++) {
      const r = rules[i];
      let j = i - 1;
      while (j >= 0 && rules[j].seq > r.seq) {
        rules[j + 1] = rules[j];
        j--;
      }
      rules[j + 1] = r;
    }
  }
  const names: string[] = new Array(rules.length);
  for (let i = 0; i < rules.length; i++) {
    names[i] = rules[i].name;
  }
  return names;
}

/** The rule index. */
export class RuleIndex {
  private readonly root = new IndexNode();
  private readonly rules = new Map<string, RuleEntry>();
  private readonly schema = new FieldSchema();
  private seq = 0;
  private gen = 0;

  public get size(): number {
    return this.rules.size;
  }

  public has(name: string): boolean {
    return this.rules.has(name);
  }

  public names(): string[] {
    return [...this.rules.values()].sort((a, b) => a.seq - b.seq).map((r) => r.name);
  }

  public add(name: string, compiled: CompiledPattern): void {
    this.remove(name);
    const subRules = compiled.subRules;
    const rule: RuleEntry = { name, seq: this.seq++, compiled, subs: new Array(subRules.length), stamp: 0 };
    const paths = compiled.paths;
    const pathIds: number[] = new Array(paths.length);
    for (let i = 0; i < paths.length; i++) {
      pathIds[i] = this.schema.add(paths[i]);
    }
    for (let s = 0; s < subRules.length; s++) {
      const conditions = subRules[s].conditions;
      const entryIds: number[] = new Array(conditions.length);
      const indexed: Condition[] = [];
      for (let i = 0; i < conditions.length; i++) {
        const c = conditions[i];
        entryIds[i] = pathIds[paths.indexOf(c.path)];
        if (c.keys !== undefined && !c.absence) {
          indexed.push(c);
        }
      }
      if (indexed.length > 1) {
        indexed.sort(byField);
      }
      const entry: SubEntry = { rule, conditions, ids: entryIds, residual: conditions, residualIds: entryIds, nodes: [], stamp: 0 };
      const indexedIds: number[] = new Array(indexed.length);
      for (let i = 0; i < indexed.length; i++) {
        indexedIds[i] = entryIds[conditions.indexOf(indexed[i])];
      }
      const depth = this.place(this.root, indexed, indexedIds, 0, MAX_PLACEMENTS, entry);
      if (depth > 0) {
        const residual: Condition[] = [];
        const residualIds: number[] = [];
        for (let i = 0; i < conditions.length; i++) {
          const k = indexed.indexOf(conditions[i]);
          if (k === -1 || k >= depth) {
            residual.push(conditions[i]);
            residualIds.push(entryIds[i]);
          }
        }
        entry.residual = residual;
        entry.residualIds = residualIds;
      }
      rule.subs[s] = entry;
    }
    this.rules.set(name, rule);
  }

  public remove(name: string): boolean {
    const rule = this.rules.get(name);
    if (!rule) {
      return false;
    }
    for (const entry of rule.subs) {
      for (const node of entry.nodes) {
        node.rules = node.rules.filter((e) => e !== entry);
      }
    }
    for (const path of rule.compiled.paths) {
      this.schema.remove(path);
    }
    this.rules.delete(name);
    return true;
  }

  /**
   * The names of the rules matching the event (an object or JSON text), in the order they were added.
   *
   * @throws Error if the event is not valid JSON text or not a JSON object
   */
  public match(event: unknown): string[] {
    const leaves = this.schema.read(event); // also when empty: what is not an event is rejected
    if (this.rules.size === 0) {
      return [];
    }
    const gen = ++this.gen;
    const out: RuleEntry[] = [];
    this.visit(this.root, leaves, false, gen, out);
    return namesInOrder(out);
  }

  /**
   * Places the entry under `node` along conds[i..] (`ids`: their field ids); returns how many
   * conditions placed it (the same on every branch).
   */
  private place(node: IndexNode, conds: Condition[], ids: number[], i: number, budget: number, entry: SubEntry): number {
    if (i === conds.length || conds[i].keys!.length > budget) {
      if (node.rules === NO_ENTRIES) {
        node.rules = [];
      }
      node.rules.push(entry);
      entry.nodes.push(node);
      return i;
    }
    const c = conds[i];
    const keys = c.keys!;
    const tables = (node.tables ??= []);
    let table: Table | undefined;
    for (let t = 0; t < tables.length; t++) {
      if (tables[t].path === c.path) {
        table = tables[t];
        break;
      }
    }
    if (!table) {
      table = new Table(c.path);
      tables.push(table);
    }
    // A table left empty by removals keeps its path; field ids of paths no longer used are reused.
    table.id = ids[i];
    const share = Math.floor(budget / keys.length);
    let depth = i;
    for (let k = 0; k < keys.length; k++) {
      depth = this.place(table.child(keys[k]), conds, ids, i + 1, share, entry);
    }
    return depth;
  }

  /** `inArray`: some event value on the way to `node` lies inside an array. */
  private visit(node: IndexNode, leaves: EventLeaves, inArray: boolean, gen: number, out: RuleEntry[]): void {
    const rules = node.rules;
    for (let i = 0; i < rules.length; i++) {
      const e = rules[i];
      if (e.stamp === gen) {
        continue;
      }
      e.stamp = gen;
      if (e.rule.stamp !== gen
        && (inArray
          ? evaluateConditions(e.conditions, e.ids, leaves)
          : e.residual.length === 0 || evaluateConditions(e.residual, e.residualIds, leaves))) {
        e.rule.stamp = gen;
        out.push(e.rule);
      }
    }
    const tables = node.tables;
    if (tables === undefined) {
      return;
    }
    for (let t = 0; t < tables.length; t++) {
      const table = tables[t];
      const list = leaves[table.id];
      if (list !== undefined) {
        for (let i = 0; i < list.length; i++) {
          const leaf = list[i];
          this.visitLeaf(leaf, table, leaves, inArray || leaf.m !== undefined, gen, out);
        }
      }
    }
  }

  private visitLeaf(leaf: Leaf, table: Table, leaves: EventLeaves, inArray: boolean, gen: number, out: RuleEntry[]): void {
    const v = leaf.v;
    let child: IndexNode | undefined;
    switch (typeof v) {
      case 'string': {
        child = table.strings?.get(v);
        if (table.prefixes !== undefined) {
          this.visitPrefixes(v, table, leaves, inArray, gen, out);
        }
        break;
      }
      case 'number':
        child = table.numbers?.get(v); // NaN (a number not compared as a number) is never a key
        if (leaf.raw !== undefined && table.raws !== undefined) {
          const other = table.raws.get(leaf.raw);
          if (other) {
            this.visit(other, leaves, inArray, gen, out);
          }
        }
        break;
      case 'boolean':
        child = v ? table.trueNode : table.falseNode;
        break;
      default:
        child = table.nullNode;
    }
    if (child) {
      this.visit(child, leaves, inArray, gen, out);
    }
  }

  private visitPrefixes(v: string, table: Table, leaves: EventLeaves, inArray: boolean, gen: number, out: RuleEntry[]): void {
    const list = table.prefixList;
    if (list.length <= FEW_PREFIXES) {
      for (let i = 0; i < list.length; i++) {
        if (v.startsWith(list[i])) {
          this.visit(table.prefixNodes[i], leaves, inArray, gen, out);
        }
      }
      return;
    }
    const lengths = table.prefixLengths;
    const prefixes = table.prefixes!;
    for (let i = 0; i < lengths.length; i++) {
      if (lengths[i] <= v.length) {
        const p = prefixes.get(v.slice(0, lengths[i]));
        if (p) {
          this.visit(p, leaves, inArray, gen, out);
        }
      }
    }
  }
}
