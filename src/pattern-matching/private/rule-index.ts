/**
 * The index behind PatternRuleSet.
 *
 * Each compiled sub-rule (one `$or` branch) is placed in a trie keyed by its
 * exact-value and prefix fields, taken in path order: a node maps a field path
 * to a hash table from value (or prefix) to child node; prefixes are looked up
 * by slicing the event value to each distinct prefix length. Matching walks the trie along the event's own
 * values (hash lookups, no scan of rules), collects the sub-rules stored on the
 * nodes it reaches, and verifies only those with the full evaluator (other
 * operators, array consistency). Sub-rules without such fields sit at
 * the root and are verified for every event.
 */
import { evaluateSubRule } from './evaluator';
import { FlatEvent, flattenEvent, pathPrefixes } from './event-flattener';
import { CompiledPattern, Condition, Leaf, SubRule } from './model';

/** How many trie nodes one sub-rule may be copied into (multi-value fields fan out). */
const MAX_PLACEMENTS = 64;

interface RuleEntry {
  readonly name: string;
  readonly seq: number;
  readonly compiled: CompiledPattern;
  readonly subs: SubEntry[];
  readonly prefixes: string[];
  stamp: number;
}

interface SubEntry {
  readonly rule: RuleEntry;
  readonly sub: SubRule;
  readonly nodes: IndexNode[];
  stamp: number;
}

class IndexNode {
  public rules: SubEntry[] = [];
  public children: Map<string, Table> | undefined;
}

/** Children of a node for one field path, by index key. */
class Table {
  public readonly nodes = new Map<string, IndexNode>();
  /** Distinct lengths of the prefixes (`p` keys) in `nodes`, for lookups. */
  public prefixLengths: number[] = [];
}

/** The rule index. */
export class RuleIndex {
  private readonly root = new IndexNode();
  private readonly rules = new Map<string, RuleEntry>();
  private readonly prefixCounts = new Map<string, number>();
  private readonly relevant = new Set<string>();
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
    const rule: RuleEntry = { name, seq: this.seq++, compiled, subs: [], prefixes: pathPrefixes(compiled.paths), stamp: 0 };
    for (const sub of compiled.subRules) {
      const entry: SubEntry = { rule, sub, nodes: [], stamp: 0 };
      const conds = sub.conditions
        .filter((c) => c.keys !== undefined && !c.absence)
        .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
      this.place(this.root, conds, 0, MAX_PLACEMENTS, entry);
      rule.subs.push(entry);
    }
    for (const p of rule.prefixes) {
      const n = this.prefixCounts.get(p) ?? 0;
      this.prefixCounts.set(p, n + 1);
      this.relevant.add(p);
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
    for (const p of rule.prefixes) {
      const n = (this.prefixCounts.get(p) ?? 1) - 1;
      if (n === 0) {
        this.prefixCounts.delete(p);
        this.relevant.delete(p);
      } else {
        this.prefixCounts.set(p, n);
      }
    }
    this.rules.delete(name);
    return true;
  }

  public match(event: Record<string, unknown>): string[] {
    if (this.rules.size === 0) {
      return [];
    }
    const flat = flattenEvent(event, this.relevant);
    const gen = ++this.gen;
    const out: RuleEntry[] = [];
    this.visit(this.root, flat, gen, out);
    if (out.length > 1) {
      out.sort((a, b) => a.seq - b.seq);
    }
    return out.map((r) => r.name);
  }

  private place(node: IndexNode, conds: Condition[], i: number, budget: number, entry: SubEntry): void {
    if (i === conds.length || conds[i].keys!.length > budget) {
      node.rules.push(entry);
      entry.nodes.push(node);
      return;
    }
    const c = conds[i];
    const keys = c.keys!;
    const children = (node.children ??= new Map());
    let table = children.get(c.path);
    if (!table) {
      table = new Table();
      children.set(c.path, table);
    }
    const share = Math.floor(budget / keys.length);
    for (const key of keys) {
      let child = table.nodes.get(key);
      if (!child) {
        child = new IndexNode();
        table.nodes.set(key, child);
        if (key[0] === 'p' && !table.prefixLengths.includes(key.length - 1)) {
          table.prefixLengths.push(key.length - 1);
        }
      }
      this.place(child, conds, i + 1, share, entry);
    }
  }

  private visit(node: IndexNode, flat: FlatEvent, gen: number, out: RuleEntry[]): void {
    const rules = node.rules;
    for (let i = 0; i < rules.length; i++) {
      const e = rules[i];
      if (e.stamp === gen) {
        continue;
      }
      e.stamp = gen;
      if (e.rule.stamp !== gen && evaluateSubRule(e.sub, flat)) {
        e.rule.stamp = gen;
        out.push(e.rule);
      }
    }
    if (node.children === undefined) {
      return;
    }
    for (const [path, table] of node.children) {
      const leaves = flat.get(path);
      if (leaves === undefined) {
        continue;
      }
      for (let i = 0; i < leaves.length; i++) {
        this.visitLeaf(leaves[i], table, flat, gen, out);
      }
    }
  }

  private visitLeaf(leaf: Leaf, table: Table, flat: FlatEvent, gen: number, out: RuleEntry[]): void {
    const v = leaf.v;
    const nodes = table.nodes;
    let child: IndexNode | undefined;
    switch (typeof v) {
      case 'string': {
        child = nodes.get('s' + v);
        const lengths = table.prefixLengths;
        for (let i = 0; i < lengths.length; i++) {
          if (lengths[i] <= v.length) {
            const p = nodes.get('p' + v.slice(0, lengths[i]));
            if (p) {
              this.visit(p, flat, gen, out);
            }
          }
        }
        break;
      }
      case 'number':
        child = nodes.get('n' + String(v));
        if (leaf.raw !== undefined) {
          const other = nodes.get('r' + leaf.raw);
          if (other) {
            this.visit(other, flat, gen, out);
          }
        }
        break;
      case 'boolean':
        child = nodes.get(v ? 't' : 'f');
        break;
      default:
        child = nodes.get('z');
    }
    if (child) {
      this.visit(child, flat, gen, out);
    }
  }
}
