/**
 * The index behind PatternRuleSet.
 *
 * Each compiled sub-rule (one `$or` branch) is placed in a trie keyed by its
 * exact-value and prefix fields, taken in a fixed field order: a node holds,
 * per field, a table from value (or prefix) to child node, with one hash map
 * per value type, so a lookup uses the event value itself as the key.
 * Matching walks the trie along the event's own values, collects the
 * sub-rules stored on the nodes it reaches, and verifies only their other
 * conditions, laid out as numbers in the node (see IndexNode): existence and
 * numeric ranges are tested inline, other operators through their compiled
 * test, and the full evaluator decides only where array consistency matters.
 * Sub-rules without indexable fields sit at the root and are verified for
 * every event.
 *
 * Events are read with a {@link FieldSchema} holding the fields of all rules,
 * so only those fields are decoded (see event-reader.ts).
 */
import { evaluateConditions } from './evaluator';
import { EventLeaves, FieldSchema } from './event-reader';
import { CompiledPattern, Condition, INLINE_ABSENT, INLINE_EXISTS, INLINE_RANGE, Leaf } from './model';

/** How many trie nodes one sub-rule may be copied into (multi-value fields fan out). */
const MAX_PLACEMENTS = 64;
/** Prefixes of one table tested with startsWith when there are at most this many; beyond, looked up by length. */
const FEW_PREFIXES = 16;
/** Match calls are numbered (stamps) up to this, then numbered afresh. */
const MAX_GEN = 0x3fffffff;

interface RuleEntry {
  readonly name: string;
  readonly seq: number;
  /** Index into the rule index's per-rule arrays (reused after removal). */
  readonly slot: number;
  readonly compiled: CompiledPattern;
  readonly subs: SubEntry[];
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
  /** Global ids of the residual conditions the code calls (see RuleIndex.tests). */
  testIds: number[];
  readonly nodes: IndexNode[];
}

/*
 * Kinds of residual condition in a node's code besides the INLINE_* kinds of
 * model.ts: a call of the condition's test, without or with `{"exists": false}`
 * among its matchers.
 */
const CALL = 0;
const CALL_OR_ABSENT = 1;
/** Numbers per residual condition in the code: field id, kind, two operands. */
const STEP = 4;

/** The outcome of a node's code for one entry. */
const NO = 0;
const YES = 1;
/** Some leaf satisfying a condition lies in an array: the evaluator decides (array consistency). */
const UNDECIDED = 2;

/** What a called condition found among an event's leaves: none satisfying it, one outside arrays, only some in arrays. */
const NONE = 0;
const FREE = 1;
const IN_ARRAYS = 2;

/** Shared empty lists, replaced by a fresh array on the first push (most nodes and tables never need one). */
const NO_ENTRIES: SubEntry[] = [];
const NO_CODE: number[] = [];
const NO_STRINGS: string[] = [];
const NO_NODES: IndexNode[] = [];
const NO_NUMBERS: number[] = [];

/**
 * A trie node. The sub-rules stored here are also laid out as numbers in
 * `code` (one run per entry, in the order of `entries`): the rule's slot, the
 * count of residual conditions, then per condition its field id, kind and two
 * operands (numeric bounds, or the id of the condition's test). Matching
 * reads that one array instead of several objects per entry: at thousands of
 * rules the walk is bound by memory access, not by computation.
 */
class IndexNode {
  public entries: SubEntry[] = NO_ENTRIES;
  public code: number[] = NO_CODE;
  public tables: Table[] | undefined;
  /** The last match call that visited this node. */
  public stamp = 0;
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

  /** Calls `f` with every child node. */
  public forEachChild(f: (node: IndexNode) => void): void {
    this.strings?.forEach(f);
    this.numbers?.forEach(f);
    this.raws?.forEach(f);
    this.prefixes?.forEach(f);
    for (const node of [this.trueNode, this.falseNode, this.nullNode]) {
      if (node !== undefined) {
        f(node);
      }
    }
  }

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

/** Appends the entry's code (see IndexNode) to a node's code. */
function appendCode(code: number[], entry: SubEntry): void {
  const residual = entry.residual;
  code.push(entry.rule.slot, residual.length);
  let t = 0;
  for (let i = 0; i < residual.length; i++) {
    const c = residual[i];
    code.push(entry.residualIds[i]);
    if (c.inline !== undefined) {
      code.push(c.inline[0], c.inline[1], c.inline[2]);
    } else {
      code.push(c.absence ? CALL_OR_ABSENT : CALL, entry.testIds[t++], 0);
    }
  }
}

/** The rule index. */
export class RuleIndex {
  private readonly root = new IndexNode();
  private readonly rules = new Map<string, RuleEntry>();
  private readonly schema = new FieldSchema();
  private seq = 0;
  private gen = 0;
  /** Per rule slot: name, order of addition and the last match call it matched in. */
  private readonly slotNames: string[] = [];
  private readonly slotSeqs: number[] = [];
  private ruleStamps = new Int32Array(64);
  private readonly freeSlots: number[] = [];
  /**
   * The residual conditions called from node code, by id (reused after
   * removal): one per distinct condition (see Condition.text), so that rules
   * sharing a condition share its id, and its outcome is computed once per
   * match call (`testStamps`, `testOutcomes`).
   */
  private readonly tests: Array<Condition | undefined> = [];
  private readonly testIds = new Map<string, number>();
  private readonly testRefs: number[] = [];
  private readonly freeTests: number[] = [];
  private testStamps = new Int32Array(64);
  private testOutcomes = new Uint8Array(64);

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
    const slot = this.freeSlots.pop() ?? this.slotNames.length;
    const rule: RuleEntry = { name, seq: this.seq++, slot, compiled, subs: new Array(subRules.length) };
    this.slotNames[slot] = name;
    this.slotSeqs[slot] = rule.seq;
    if (slot >= this.ruleStamps.length) {
      const grown = new Int32Array(this.ruleStamps.length * 2);
      grown.set(this.ruleStamps);
      this.ruleStamps = grown;
    }
    this.ruleStamps[slot] = 0;
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
      const entry: SubEntry = {
        rule, conditions, ids: entryIds, residual: conditions, residualIds: entryIds, testIds: NO_NUMBERS, nodes: [],
      };
      const indexedIds: number[] = new Array(indexed.length);
      for (let i = 0; i < indexed.length; i++) {
        indexedIds[i] = entryIds[conditions.indexOf(indexed[i])];
      }
      const nodes: IndexNode[] = [];
      const depth = this.place(this.root, indexed, indexedIds, 0, MAX_PLACEMENTS, nodes);
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
      this.registerTests(entry);
      for (const node of nodes) {
        if (node.entries === NO_ENTRIES) {
          node.entries = [];
          node.code = [];
        }
        node.entries.push(entry);
        appendCode(node.code, entry);
        entry.nodes.push(node);
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
        node.entries = node.entries.filter((e) => e !== entry);
        const code: number[] = [];
        for (const e of node.entries) {
          appendCode(code, e);
        }
        node.code = code;
      }
      this.releaseTests(entry);
    }
    for (const path of rule.compiled.paths) {
      this.schema.remove(path);
    }
    this.slotNames[rule.slot] = '';
    this.freeSlots.push(rule.slot);
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
    if (this.gen === MAX_GEN) {
      this.restamp();
    }
    const gen = ++this.gen;
    const out: number[] = [];
    this.visit(this.root, leaves, false, gen, out);
    return this.namesInOrder(out);
  }

  /** Gives each residual condition that the code calls (not inline) an id in `tests`, shared by equal conditions. */
  private registerTests(entry: SubEntry): void {
    const ids: number[] = [];
    for (const c of entry.residual) {
      if (c.inline === undefined) {
        let id = c.text === undefined ? undefined : this.testIds.get(c.text);
        if (id === undefined) {
          id = this.freeTests.pop() ?? this.tests.length;
          this.tests[id] = c;
          if (c.text !== undefined) {
            this.testIds.set(c.text, id);
          }
          this.testRefs[id] = 0;
          if (id >= this.testStamps.length) {
            const stamps = new Int32Array(this.testStamps.length * 2);
            stamps.set(this.testStamps);
            this.testStamps = stamps;
            this.testOutcomes = new Uint8Array(stamps.length);
          }
          this.testStamps[id] = 0;
        }
        this.testRefs[id]++;
        ids.push(id);
      }
    }
    entry.testIds = ids;
  }

  private releaseTests(entry: SubEntry): void {
    for (const id of entry.testIds) {
      if (--this.testRefs[id] === 0) {
        const text = this.tests[id]!.text;
        if (text !== undefined) {
          this.testIds.delete(text);
        }
        this.tests[id] = undefined;
        this.freeTests.push(id);
      }
    }
  }

  /** Starts the stamps (of match calls) afresh, before the counter leaves the small integers. */
  private restamp(): void {
    this.gen = 0;
    this.ruleStamps.fill(0);
    this.testStamps.fill(0);
    const stack = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      node.stamp = 0;
      for (const table of node.tables ?? []) {
        table.forEachChild((child) => stack.push(child));
      }
    }
  }

  /** The names of the rule slots, in the order the rules were added (insertion sort: usually few and nearly sorted). */
  private namesInOrder(slots: number[]): string[] {
    const seqs = this.slotSeqs;
    if (slots.length > 64) {
      slots.sort((a, b) => seqs[a] - seqs[b]);
    } else {
      for (let i = 1; i < slots.length; i++) {
        const r = slots[i];
        const seq = seqs[r];
        let j = i - 1;
        while (j >= 0 && seqs[slots[j]] > seq) {
          slots[j + 1] = slots[j];
          j--;
        }
        slots[j + 1] = r;
      }
    }
    const names: string[] = new Array(slots.length);
    for (let i = 0; i < slots.length; i++) {
      names[i] = this.slotNames[slots[i]];
    }
    return names;
  }

  /**
   * Places an entry under `node` along conds[i..] (`ids`: their field ids), collecting the nodes
   * to store it on in `nodes`; returns how many conditions placed it (the same on every branch).
   */
  private place(node: IndexNode, conds: Condition[], ids: number[], i: number, budget: number, nodes: IndexNode[]): number {
    if (i === conds.length || conds[i].keys!.length > budget) {
      nodes.push(node);
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
      depth = this.place(table.child(keys[k]), conds, ids, i + 1, share, nodes);
    }
    return depth;
  }

  /**
   * Evaluates the node's entries and walks on along the event's values. A node
   * is visited once per match call (a later visit would give the same answers).
   * `inArray`: some event value on the way to `node` lies inside an array.
   */
  private visit(node: IndexNode, leaves: EventLeaves, inArray: boolean, gen: number, out: number[]): void {
    if (node.stamp === gen) {
      return;
    }
    node.stamp = gen;
    const code = node.code;
    const stamps = this.ruleStamps;
    for (let p = 0, e = 0; p < code.length; e++) {
      const slot = code[p];
      const n = code[p + 1];
      const start = p + 2;
      p = start + n * STEP;
      if (stamps[slot] === gen) {
        continue;
      }
      let yes: boolean;
      if (inArray) {
        const entry = node.entries[e];
        yes = evaluateConditions(entry.conditions, entry.ids, leaves);
      } else if (n === 0) {
        yes = true;
      } else {
        const outcome = this.run(code, start, p, leaves);
        if (outcome === UNDECIDED) {
          const entry = node.entries[e];
          yes = evaluateConditions(entry.residual, entry.residualIds, leaves);
        } else {
          yes = outcome === YES;
        }
      }
      if (yes) {
        stamps[slot] = gen;
        out.push(slot);
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

  /** Runs the residual conditions in code[from..to) on the event: YES, NO or UNDECIDED. */
  private run(code: number[], from: number, to: number, leaves: EventLeaves): number {
    let outcome = YES;
    for (let p = from; p < to; p += STEP) {
      const list = leaves[code[p]];
      const kind = code[p + 1];
      if (list === undefined) {
        if (kind === INLINE_ABSENT || kind === CALL_OR_ABSENT) {
          continue;
        }
        return NO;
      }
      let free = false;
      let arrays = false;
      if (kind === INLINE_EXISTS) {
        for (let i = 0; i < list.length && !free; i++) {
          free = list[i].m === undefined;
        }
        arrays = !free;
      } else if (kind === INLINE_ABSENT) {
        return NO;
      } else if (kind >= INLINE_RANGE) {
        const lo = code[p + 2];
        const hi = code[p + 3];
        const open = kind - INLINE_RANGE;
        const loOpen = open === 1 || open === 3;
        const hiOpen = open >= 2;
        for (let i = 0; i < list.length; i++) {
          const leaf = list[i];
          const v = leaf.v;
          if (typeof v === 'number' && (loOpen ? v > lo : v >= lo) && (hiOpen ? v < hi : v <= hi)) {
            if (leaf.m === undefined) {
              free = true;
              break;
            }
            arrays = true;
          }
        }
      } else {
        // a condition shared by rules: its outcome for this event is computed once
        const id = code[p + 2];
        if (this.testStamps[id] === this.gen) {
          const known = this.testOutcomes[id];
          free = known === FREE;
          arrays = known === IN_ARRAYS;
        } else {
          const test = this.tests[id]!.test;
          for (let i = 0; i < list.length; i++) {
            const leaf = list[i];
            if (test(leaf)) {
              if (leaf.m === undefined) {
                free = true;
                break;
              }
              arrays = true;
            }
          }
          this.testStamps[id] = this.gen;
          this.testOutcomes[id] = free ? FREE : arrays ? IN_ARRAYS : NONE;
        }
      }
      if (!free) {
        if (!arrays) {
          return NO;
        }
        outcome = UNDECIDED;
      }
    }
    return outcome;
  }

  private visitLeaf(leaf: Leaf, table: Table, leaves: EventLeaves, inArray: boolean, gen: number, out: number[]): void {
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

  private visitPrefixes(v: string, table: Table, leaves: EventLeaves, inArray: boolean, gen: number, out: number[]): void {
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
