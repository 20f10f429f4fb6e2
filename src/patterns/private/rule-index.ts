/**
 * The index behind PatternRuleSet.
 *
 * Each compiled sub-rule (one `$or` branch) is placed in a trie keyed by its
 * exact-value and prefix fields, taken in a fixed field order: a node holds,
 * per field, a table from value (or prefix) to child node. The values rules
 * look for are numbered once, so a child is found by hashing two small
 * integers (table and value id) in one hash table for the whole trie.
 * Matching walks the trie along the event's own values, collects the
 * sub-rules stored on the nodes it reaches, and verifies only their other
 * conditions, laid out as numbers (see RuleIndex): existence and
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
/** Removals of stored entries after which the trie may be built afresh (see RuleIndex.rebuild). */
const REBUILD_AFTER = 4096;
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
  /** Global ids of the numeric bounds of the residual ranges (see RuleIndex.bounds). */
  boundIds: number[];
  /** The trie nodes the entry is stored on. */
  readonly nodes: number[];
}

/*
 * Kinds of residual condition in a node's code besides the INLINE_* kinds of
 * model.ts: a call of the condition's test, without or with `{"exists": false}`
 * among its matchers.
 */
const CALL = 0;
const CALL_OR_ABSENT = 1;
/** Numbers per residual condition in the code: field id, kind, operand (the id of its test or of its bounds). */
const STEP = 3;

/** The outcome of a node's code for one entry. */
const NO = 0;
const YES = 1;
/** Some leaf satisfying a condition lies in an array: the evaluator decides (array consistency). */
const UNDECIDED = 2;

/** What a called condition found among an event's leaves: none satisfying it, one outside arrays, only some in arrays. */
const NONE = 0;
const FREE = 1;
const IN_ARRAYS = 2;

/*
 * Layout of a trie node in `nodeData` (NODE numbers per node): the last match
 * call that visited it, where its code lies in the code arena (start, length,
 * capacity), and its first table (-1: none).
 */
const NODE = 8;
const N_STAMP = 0;
const N_CODE = 1;
const N_LENGTH = 2;
const N_CAPACITY = 3;
const N_TABLE = 4;

/*
 * Layout of a table in `tableData` (TABLE numbers per table): the field id of
 * its path, the next table of the same node (-1: none), its prefixes (an index
 * into `prefixSets`, -1: none), and while they are few, where they lie in the
 * prefix arena (-1: not there): their count, then per prefix its id (see
 * RuleIndex.prefixStrings) and child node.
 */
const TABLE = 4;
const T_FIELD = 0;
const T_NEXT = 1;
const T_PREFIXES = 2;
const T_FEW = 3;

/** Value ids of the constants (see RuleIndex.valueId). */
const TRUE_ID = 0;
const FALSE_ID = 1;
const NULL_ID = 2;
/** The id of a value no table has a child for. */
const NO_VALUE = -2;
/** Numbers per slot of the child hash table: table id + 1 (0: empty slot), value id, child node. */
const SLOT = 4;

const NO_NUMBERS: number[] = [];

/** The string prefixes of one table, and their child nodes. */
class PrefixSet {
  public readonly byPrefix = new Map<string, number>();
  /** The keys of `byPrefix`, and their nodes (parallel arrays). */
  public readonly list: string[] = [];
  public readonly nodes: number[] = [];
  /** Distinct lengths of the prefixes. */
  public readonly lengths: number[] = [];
}

/* eslint-disable no-bitwise */
/** Hash of a child's key (table and value id): both small integers, mixed so that linear probing stays short. */
function hashOf(table: number, value: number): number {
  let h = Math.imul(table, 0x9e3779b1) ^ Math.imul(value + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  return Math.imul(h, 0x2c1b3c6d) ^ (h >>> 13);
}
/* eslint-enable no-bitwise */

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

/** The conditions that place a sub-rule in the trie (exact values and prefixes), in field order. */
function placingConditions(conditions: Condition[]): Condition[] {
  const indexed: Condition[] = [];
  for (const c of conditions) {
    if (c.keys !== undefined && !c.absence) {
      indexed.push(c);
    }
  }
  if (indexed.length > 1) {
    indexed.sort(byField);
  }
  return indexed;
}

/** The field ids of an entry's conditions in `indexed` (a subset of its conditions). */
function placingIds(entry: SubEntry, indexed: Condition[]): number[] {
  const ids: number[] = new Array(indexed.length);
  for (let i = 0; i < indexed.length; i++) {
    ids[i] = entry.ids[entry.conditions.indexOf(indexed[i])];
  }
  return ids;
}

/** Appends the entry's code (see RuleIndex) to `code`. */
function encode(code: number[], entry: SubEntry): void {
  const residual = entry.residual;
  code.push(entry.rule.slot, residual.length);
  let t = 0;
  let b = 0;
  for (let i = 0; i < residual.length; i++) {
    const c = residual[i];
    code.push(entry.residualIds[i]);
    if (c.inline === undefined) {
      code.push(c.absence ? CALL_OR_ABSENT : CALL, entry.testIds[t++]);
    } else {
      code.push(c.inline[0], c.inline[0] >= INLINE_RANGE ? entry.boundIds[b++] : 0);
    }
  }
}

/** A typed array twice as long (at least `min`), holding the old one's numbers. */
function grownInt32(a: Int32Array, min: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(min, a.length * 2));
  b.set(a);
  return b;
}

/**
 * The rule index.
 *
 * What matching reads lies in a few flat arrays rather than in objects per
 * node: at thousands of rules the walk is bound by memory access, and the
 * arrays keep what one node needs on one or two cache lines.
 * - `nodeData`: per trie node (by number, the root is 0) its stamp, the place
 *   of its code in the code arena, and its first table (see N_*).
 * - `code`: per node, the sub-rules stored there laid out as 32-bit integers,
 *   one run per entry in the order of the node's entries: the rule's slot, the
 *   count of residual conditions, then per condition its field id, kind and
 *   operand (the id of the condition's test, or of its bounds in `bounds`).
 * - `tableData`: per table (the children of a node for one field) its field
 *   id and the next table of the node (see T_*).
 * - `slots`: one hash table of children for all tables, keyed by table and
 *   value id; the values rules look for are numbered once (`stringIds`,
 *   `numberIds`, `rawIds`), so a lookup hashes two small integers.
 */
export class RuleIndex {
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
  /**
   * The bounds of the residual numeric ranges, by id (lower at 2 × id, upper
   * at 2 × id + 1), shared by ranges with the same bounds like `tests`.
   */
  private bounds = new Float64Array(128);
  private readonly boundIds = new Map<string, number>();
  private readonly boundKeys: string[] = [];
  private readonly boundRefs: number[] = [];
  private readonly freeBounds: number[] = [];

  /** Trie nodes (see N_*); node 0 is the root. */
  private nodeData = new Int32Array(NODE * 64);
  private nodeCount = 0;
  /** Per node, the sub-rules stored there (in the order of their code). */
  private readonly nodeEntries: SubEntry[][] = [];
  /** The code arena: every node's code lies in [start, start + capacity). */
  private code = new Int32Array(256);
  private codeTop = 0;
  /** Capacity left behind by code that moved (compacted away when it outgrows the live code). */
  private codeGarbage = 0;

  /** Tables (see T_*), and the path of each. */
  private tableData = new Int32Array(TABLE * 64);
  private readonly tablePaths: string[] = [];
  private readonly prefixSets: PrefixSet[] = [];
  /** The prefix arena (see T_FEW); blocks are rewritten at its end when a prefix is added. */
  private prefixArena = new Int32Array(64);
  private prefixTop = 0;
  /** The distinct prefixes of all tables, by id: few, and read by every table that has them. */
  private readonly prefixStrings: string[] = [];
  private readonly prefixIds = new Map<string, number>();

  /** Children of all tables (see SLOT), open addressing with linear probing. */
  private slots = new Int32Array(SLOT * 256);
  private slotMask = 255;
  private slotsUsed = 0;

  /** Ids of the values that some table has a child for (ids 0-2: true, false, null). */
  private readonly stringIds = new Map<string, number>();
  private readonly numberIds = new Map<number, number>();
  private readonly rawIds = new Map<string, number>();
  private nextValueId = NULL_ID + 1;

  /** Entries stored on nodes (counted once per node), and entries removed from nodes since the trie was built. */
  private storedEntries = 0;
  private removedEntries = 0;

  constructor() {
    this.newNode();
  }

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
      this.ruleStamps = grownInt32(this.ruleStamps, slot + 1);
    }
    this.ruleStamps[slot] = 0;
    const paths = compiled.paths;
    const pathIds: number[] = new Array(paths.length);
    for (let i = 0; i < paths.length; i++) {
      pathIds[i] = this.schema.add(paths[i]);
    }
    const code: number[] = [];
    for (let s = 0; s < subRules.length; s++) {
      const conditions = subRules[s].conditions;
      const entryIds: number[] = new Array(conditions.length);
      for (let i = 0; i < conditions.length; i++) {
        entryIds[i] = pathIds[paths.indexOf(conditions[i].path)];
      }
      const entry: SubEntry = {
        rule,
        conditions,
        ids: entryIds,
        residual: conditions,
        residualIds: entryIds,
        testIds: NO_NUMBERS,
        boundIds: NO_NUMBERS,
        nodes: [],
      };
      const indexed = placingConditions(conditions);
      const nodes: number[] = [];
      const depth = this.place(0, indexed, placingIds(entry, indexed), 0, MAX_PLACEMENTS, nodes);
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
      this.registerBounds(entry);
      this.attach(entry, nodes, code);
      rule.subs[s] = entry;
    }
    this.rules.set(name, rule);
  }

  /** Stores an entry on the nodes that place it (`code`: a scratch list). */
  private attach(entry: SubEntry, nodes: number[], code: number[]): void {
    code.length = 0;
    encode(code, entry);
    for (const node of nodes) {
      this.nodeEntries[node].push(entry);
      this.appendCode(node, code);
      entry.nodes.push(node);
    }
    this.storedEntries += nodes.length;
  }

  /**
   * Builds the trie afresh from the rules present, once removals have taken
   * away more stored entries than are left: nodes, tables and value ids that
   * only removed rules used are then dropped (amortized, a removal costs what
   * its addition did).
   */
  private rebuild(): void {
    this.nodeData = new Int32Array(NODE * 64);
    this.nodeCount = 0;
    this.nodeEntries.length = 0;
    this.code = new Int32Array(256);
    this.codeTop = 0;
    this.codeGarbage = 0;
    this.tableData = new Int32Array(TABLE * 64);
    this.tablePaths.length = 0;
    this.prefixSets.length = 0;
    this.prefixArena = new Int32Array(64);
    this.prefixTop = 0;
    this.prefixStrings.length = 0;
    this.prefixIds.clear();
    this.slots = new Int32Array(SLOT * 256);
    this.slotMask = 255;
    this.slotsUsed = 0;
    this.stringIds.clear();
    this.numberIds.clear();
    this.rawIds.clear();
    this.nextValueId = NULL_ID + 1;
    this.storedEntries = 0;
    this.removedEntries = 0;
    this.newNode();
    const code: number[] = [];
    const nodes: number[] = [];
    for (const rule of [...this.rules.values()].sort((a, b) => a.seq - b.seq)) {
      for (const entry of rule.subs) {
        nodes.length = 0;
        entry.nodes.length = 0;
        const indexed = placingConditions(entry.conditions);
        this.place(0, indexed, placingIds(entry, indexed), 0, MAX_PLACEMENTS, nodes);
        this.attach(entry, nodes, code);
      }
    }
  }

  public remove(name: string): boolean {
    const rule = this.rules.get(name);
    if (!rule) {
      return false;
    }
    const code: number[] = [];
    for (const entry of rule.subs) {
      for (const node of entry.nodes) {
        const entries = this.nodeEntries[node].filter((e) => e !== entry);
        this.nodeEntries[node] = entries;
        code.length = 0;
        for (const e of entries) {
          encode(code, e);
        }
        // the shorter code fits where the node's code was
        const base = node * NODE;
        this.code.set(code, this.nodeData[base + N_CODE]);
        this.nodeData[base + N_LENGTH] = code.length;
      }
      this.releaseTests(entry);
      this.releaseBounds(entry);
      this.storedEntries -= entry.nodes.length;
      this.removedEntries += entry.nodes.length;
    }
    for (const path of rule.compiled.paths) {
      this.schema.remove(path);
    }
    this.slotNames[rule.slot] = '';
    this.freeSlots.push(rule.slot);
    this.rules.delete(name);
    if (this.removedEntries > Math.max(REBUILD_AFTER, this.storedEntries)) {
      this.rebuild();
    }
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
    this.visit(0, leaves, false, gen, out);
    return this.namesInOrder(out);
  }

  /** Adds a node with no code and no tables; returns its number. */
  private newNode(): number {
    const node = this.nodeCount++;
    if (this.nodeCount * NODE > this.nodeData.length) {
      this.nodeData = grownInt32(this.nodeData, this.nodeCount * NODE);
    }
    const base = node * NODE;
    this.nodeData[base + N_STAMP] = 0;
    this.nodeData[base + N_CODE] = 0;
    this.nodeData[base + N_LENGTH] = 0;
    this.nodeData[base + N_CAPACITY] = 0;
    this.nodeData[base + N_TABLE] = -1;
    this.nodeEntries[node] = [];
    return node;
  }

  /** Appends numbers to a node's code, moving the code to the arena's end when it does not fit. */
  private appendCode(node: number, numbers: number[]): void {
    const nd = this.nodeData;
    const base = node * NODE;
    const length = nd[base + N_LENGTH];
    let start = nd[base + N_CODE];
    if (length + numbers.length > nd[base + N_CAPACITY]) {
      const capacity = Math.max(8, 2 * (length + numbers.length));
      if (this.codeTop + capacity > this.code.length) {
        this.growCode(capacity); // moves every node's code, this one's too
        start = nd[base + N_CODE];
      }
      const moved = this.codeTop;
      this.code.copyWithin(moved, start, start + length);
      this.codeGarbage += nd[base + N_CAPACITY];
      this.codeTop += capacity;
      start = moved;
      nd[base + N_CODE] = start;
      nd[base + N_CAPACITY] = capacity;
    }
    this.code.set(numbers, start + length);
    nd[base + N_LENGTH] = length + numbers.length;
  }

  /** Makes room for `more` numbers at the arena's end: a new arena, twice the live code, with the code compacted. */
  private growCode(more: number): void {
    const nd = this.nodeData;
    const old = this.code;
    const code = new Int32Array(Math.max(256, 2 * (this.codeTop - this.codeGarbage + more)));
    let top = 0;
    for (let node = 0; node < this.nodeCount; node++) {
      const base = node * NODE;
      const capacity = nd[base + N_CAPACITY];
      if (capacity > 0) {
        const start = nd[base + N_CODE];
        code.set(old.subarray(start, start + nd[base + N_LENGTH]), top);
        nd[base + N_CODE] = top;
        top += capacity;
      }
    }
    this.code = code;
    this.codeTop = top;
    this.codeGarbage = 0;
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
            this.testStamps = grownInt32(this.testStamps, id + 1);
            this.testOutcomes = new Uint8Array(this.testStamps.length);
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

  /** Gives the bounds of each residual range an id in `bounds`, shared by equal bounds. */
  private registerBounds(entry: SubEntry): void {
    const ids: number[] = [];
    for (const c of entry.residual) {
      if (c.inline !== undefined && c.inline[0] >= INLINE_RANGE) {
        const key = `${c.inline[1]} ${c.inline[2]}`;
        let id = this.boundIds.get(key);
        if (id === undefined) {
          id = this.freeBounds.pop() ?? this.boundKeys.length;
          if (2 * id + 2 > this.bounds.length) {
            const grown = new Float64Array(2 * this.bounds.length);
            grown.set(this.bounds);
            this.bounds = grown;
          }
          this.bounds[2 * id] = c.inline[1];
          this.bounds[2 * id + 1] = c.inline[2];
          this.boundIds.set(key, id);
          this.boundKeys[id] = key;
          this.boundRefs[id] = 0;
        }
        this.boundRefs[id]++;
        ids.push(id);
      }
    }
    entry.boundIds = ids;
  }

  private releaseBounds(entry: SubEntry): void {
    for (const id of entry.boundIds) {
      if (--this.boundRefs[id] === 0) {
        this.boundIds.delete(this.boundKeys[id]);
        this.freeBounds.push(id);
      }
    }
  }

  /** Starts the stamps (of match calls) afresh, before the counter leaves the small integers. */
  private restamp(): void {
    this.gen = 0;
    this.ruleStamps.fill(0);
    this.testStamps.fill(0);
    for (let node = 0; node < this.nodeCount; node++) {
      this.nodeData[node * NODE + N_STAMP] = 0;
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
  private place(node: number, conds: Condition[], ids: number[], i: number, budget: number, nodes: number[]): number {
    if (i === conds.length || conds[i].keys!.length > budget) {
      nodes.push(node);
      return i;
    }
    const c = conds[i];
    const keys = c.keys!;
    const table = this.tableFor(node, c.path);
    // A table left empty by removals keeps its path; field ids of paths no longer used are reused.
    this.tableData[table * TABLE + T_FIELD] = ids[i];
    const share = Math.floor(budget / keys.length);
    let depth = i;
    for (let k = 0; k < keys.length; k++) {
      depth = this.place(this.child(table, keys[k]), conds, ids, i + 1, share, nodes);
    }
    return depth;
  }

  /** The node's table for a path, created if missing. */
  private tableFor(node: number, path: string): number {
    const td = this.tableData;
    const base = node * NODE;
    for (let t = this.nodeData[base + N_TABLE]; t !== -1; t = td[t * TABLE + T_NEXT]) {
      if (this.tablePaths[t] === path) {
        return t;
      }
    }
    const table = this.tablePaths.length;
    this.tablePaths.push(path);
    if ((table + 1) * TABLE > this.tableData.length) {
      this.tableData = grownInt32(this.tableData, (table + 1) * TABLE);
    }
    // appended after the node's last table: tables are visited in the order they were made
    const tb = table * TABLE;
    this.tableData[tb + T_FIELD] = -1;
    this.tableData[tb + T_NEXT] = -1;
    this.tableData[tb + T_PREFIXES] = -1;
    this.tableData[tb + T_FEW] = -1;
    let last = this.nodeData[base + N_TABLE];
    if (last === -1) {
      this.nodeData[base + N_TABLE] = table;
    } else {
      while (this.tableData[last * TABLE + T_NEXT] !== -1) {
        last = this.tableData[last * TABLE + T_NEXT];
      }
      this.tableData[last * TABLE + T_NEXT] = table;
    }
    return table;
  }

  /** The id of a value some table has a child for (see Matcher.key), numbered if new. */
  private keyValueId(kind: string, rest: string): number {
    switch (kind) {
      case 't':
        return TRUE_ID;
      case 'f':
        return FALSE_ID;
      case 'z':
        return NULL_ID;
      default: {
        const map: Map<any, number> = kind === 's' ? this.stringIds : kind === 'n' ? this.numberIds : this.rawIds;
        const key = kind === 'n' ? Number(rest) : rest;
        let id = map.get(key);
        if (id === undefined) {
          id = this.nextValueId++;
          map.set(key, id);
        }
        return id;
      }
    }
  }

  /** The child of a table for a compiled index key (see Matcher.key), created if missing. */
  private child(table: number, key: string): number {
    const kind = key[0];
    const rest = key.slice(1);
    if (kind === 'p') {
      return this.prefixChild(table, rest);
    }
    const value = this.keyValueId(kind, rest);
    const found = this.lookup(table, value);
    if (found !== -1) {
      return found;
    }
    const node = this.newNode();
    this.insertSlot(table, value, node);
    return node;
  }

  private prefixChild(table: number, prefix: string): number {
    const tb = table * TABLE;
    let set: PrefixSet;
    if (this.tableData[tb + T_PREFIXES] === -1) {
      set = new PrefixSet();
      this.tableData[tb + T_PREFIXES] = this.prefixSets.length;
      this.prefixSets.push(set);
    } else {
      set = this.prefixSets[this.tableData[tb + T_PREFIXES]];
    }
    let node = set.byPrefix.get(prefix);
    if (node === undefined) {
      node = this.newNode();
      set.byPrefix.set(prefix, node);
      set.list.push(prefix);
      set.nodes.push(node);
      if (!set.lengths.includes(prefix.length)) {
        set.lengths.push(prefix.length);
      }
      this.layOutPrefixes(table, set);
    }
    return node;
  }

  /** Writes a table's prefixes at the prefix arena's end while they are few (see T_FEW). */
  private layOutPrefixes(table: number, set: PrefixSet): void {
    const count = set.list.length;
    if (count > FEW_PREFIXES) {
      this.tableData[table * TABLE + T_FEW] = -1;
      return;
    }
    const size = 1 + 2 * count;
    if (this.prefixTop + size > this.prefixArena.length) {
      this.compactPrefixes(size);
    }
    const arena = this.prefixArena;
    const start = this.prefixTop;
    arena[start] = count;
    for (let i = 0; i < count; i++) {
      const prefix = set.list[i];
      let id = this.prefixIds.get(prefix);
      if (id === undefined) {
        id = this.prefixStrings.length;
        this.prefixStrings.push(prefix);
        this.prefixIds.set(prefix, id);
      }
      arena[start + 1 + 2 * i] = id;
      arena[start + 2 + 2 * i] = set.nodes[i];
    }
    this.prefixTop += size;
    this.tableData[table * TABLE + T_FEW] = start;
  }

  /** Makes room for `more` numbers at the prefix arena's end: a new arena with the blocks in use, twice their size. */
  private compactPrefixes(more: number): void {
    const td = this.tableData;
    const old = this.prefixArena;
    let live = more;
    for (let t = 0; t < this.tablePaths.length; t++) {
      const start = td[t * TABLE + T_FEW];
      if (start !== -1) {
        live += 1 + 2 * old[start];
      }
    }
    const arena = new Int32Array(Math.max(64, 2 * live));
    let top = 0;
    for (let t = 0; t < this.tablePaths.length; t++) {
      const start = td[t * TABLE + T_FEW];
      if (start !== -1) {
        const size = 1 + 2 * old[start];
        arena.set(old.subarray(start, start + size), top);
        td[t * TABLE + T_FEW] = top;
        top += size;
      }
    }
    this.prefixArena = arena;
    this.prefixTop = top;
  }

  /* eslint-disable no-bitwise */
  /** The child of a table for a value id, or -1. */
  private lookup(table: number, value: number): number {
    const slots = this.slots;
    const mask = this.slotMask;
    const key = table + 1;
    for (let i = hashOf(table, value) & mask; ; i = (i + 1) & mask) {
      const s = i * SLOT;
      const k = slots[s];
      if (k === key && slots[s + 1] === value) {
        return slots[s + 2];
      }
      if (k === 0) {
        return -1;
      }
    }
  }

  private insertSlot(table: number, value: number, node: number): void {
    if (2 * (this.slotsUsed + 1) > this.slotMask + 1) {
      const old = this.slots;
      const capacity = 2 * (this.slotMask + 1);
      this.slots = new Int32Array(SLOT * capacity);
      this.slotMask = capacity - 1;
      for (let s = 0; s < old.length; s += SLOT) {
        if (old[s] !== 0) {
          this.placeSlot(old[s] - 1, old[s + 1], old[s + 2]);
        }
      }
    }
    this.placeSlot(table, value, node);
    this.slotsUsed++;
  }

  private placeSlot(table: number, value: number, node: number): void {
    const slots = this.slots;
    const mask = this.slotMask;
    let i = hashOf(table, value) & mask;
    while (slots[i * SLOT] !== 0) {
      i = (i + 1) & mask;
    }
    const s = i * SLOT;
    slots[s] = table + 1;
    slots[s + 1] = value;
    slots[s + 2] = node;
  }
  /* eslint-enable no-bitwise */

  /**
   * Evaluates the node's entries and walks on along the event's values. A node
   * is visited once per match call (a later visit would give the same answers).
   * `inArray`: some event value on the way to `node` lies inside an array.
   */
  private visit(node: number, leaves: EventLeaves, inArray: boolean, gen: number, out: number[]): void {
    const nd = this.nodeData;
    const base = node * NODE;
    if (nd[base + N_STAMP] === gen) {
      return;
    }
    nd[base + N_STAMP] = gen;
    const length = nd[base + N_LENGTH];
    if (length > 0) {
      this.runEntries(node, nd[base + N_CODE], length, leaves, inArray, gen, out);
    }
    const td = this.tableData;
    for (let t = nd[base + N_TABLE]; t !== -1; t = td[t * TABLE + T_NEXT]) {
      const list = leaves[td[t * TABLE + T_FIELD]];
      if (list !== undefined) {
        for (let i = 0; i < list.length; i++) {
          const leaf = list[i];
          this.visitLeaf(leaf, t, leaves, inArray || leaf.m !== undefined, gen, out);
        }
      }
    }
  }

  /** Runs the code of a node's entries (code[from..from+length)), collecting the slots of the rules that match. */
  private runEntries(node: number, from: number, length: number, leaves: EventLeaves, inArray: boolean, gen: number, out: number[]): void {
    const code = this.code;
    const stamps = this.ruleStamps;
    const end = from + length;
    for (let p = from, e = 0; p < end; e++) {
      const slot = code[p];
      const n = code[p + 1];
      const start = p + 2;
      p = start + n * STEP;
      if (stamps[slot] === gen) {
        continue;
      }
      let yes: boolean;
      if (inArray) {
        const entry = this.nodeEntries[node][e];
        yes = evaluateConditions(entry.conditions, entry.ids, leaves);
      } else if (n === 0) {
        yes = true;
      } else {
        const outcome = this.run(code, start, p, leaves);
        if (outcome === UNDECIDED) {
          const entry = this.nodeEntries[node][e];
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
  }

  /** Runs the residual conditions in code[from..to) on the event: YES, NO or UNDECIDED. */
  private run(code: Int32Array, from: number, to: number, leaves: EventLeaves): number {
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
        const bound = 2 * code[p + 2];
        const lo = this.bounds[bound];
        const hi = this.bounds[bound + 1];
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

  private visitLeaf(leaf: Leaf, table: number, leaves: EventLeaves, inArray: boolean, gen: number, out: number[]): void {
    const v = leaf.v;
    let value: number;
    switch (typeof v) {
      case 'string': {
        // the leaf's value id is looked up once per event, however many tables read the leaf
        value = leaf.k;
        if (value === -1) {
          value = leaf.k = this.stringIds.get(v) ?? NO_VALUE;
        }
        const tb = table * TABLE;
        const few = this.tableData[tb + T_FEW];
        if (few !== -1) {
          const arena = this.prefixArena;
          const strings = this.prefixStrings;
          const end = few + 1 + 2 * arena[few];
          for (let p = few + 1; p < end; p += 2) {
            if (v.startsWith(strings[arena[p]])) {
              this.visit(arena[p + 1], leaves, inArray, gen, out);
            }
          }
        } else if (this.tableData[tb + T_PREFIXES] !== -1) {
          this.visitPrefixes(v, this.prefixSets[this.tableData[tb + T_PREFIXES]], leaves, inArray, gen, out);
        }
        break;
      }
      case 'number':
        value = leaf.k;
        if (value === -1) {
          value = leaf.k = this.numberIds.get(v) ?? NO_VALUE; // NaN (a number not compared as a number) is never a key
        }
        if (leaf.raw !== undefined) {
          const raw = this.rawIds.get(leaf.raw);
          if (raw !== undefined) {
            const other = this.lookup(table, raw);
            if (other !== -1) {
              this.visit(other, leaves, inArray, gen, out);
            }
          }
        }
        break;
      case 'boolean':
        value = v ? TRUE_ID : FALSE_ID;
        break;
      default:
        value = NULL_ID;
    }
    if (value !== NO_VALUE) {
      const child = this.lookup(table, value);
      if (child !== -1) {
        this.visit(child, leaves, inArray, gen, out);
      }
    }
  }

  /** Visits the children of a table with many prefixes for those that `v` starts with (few: see visitLeaf). */
  private visitPrefixes(v: string, set: PrefixSet, leaves: EventLeaves, inArray: boolean, gen: number, out: number[]): void {
    const lengths = set.lengths;
    for (let i = 0; i < lengths.length; i++) {
      if (lengths[i] <= v.length) {
        const p = set.byPrefix.get(v.slice(0, lengths[i]));
        if (p !== undefined) {
          this.visit(p, leaves, inArray, gen, out);
        }
      }
    }
  }
}
