/**
 * Which JSONata expressions the offline router may evaluate in its own process instead of the bounded child
 * (private/bounded-jsonata.ts): those whose cost is PROVED bounded by a walk of the parsed expression's syntax tree.
 *
 * The rule ("safe"): every node of the tree is one of
 * - a literal (string, number, `true`, `false`, `null`);
 * - the context `$`, the root `$$`, or the `$events` binding, alone or as the first step of a path;
 * - a path whose other steps are plain field names, each with at most a `[]` (keep array) suffix — no predicate or
 *   index, no wildcard `*` or descendant `**`, no parent `%`, no `@` / `#` binding, no grouping `{...}` on a path, and
 *   no constructor, block or function as a step (a step that builds a value per item can double the result at every
 *   step: `x.[$, $].[$, $]...` grows exponentially with the expression);
 * - an object constructor `{ key: value, ... }` or array constructor `[a, b, ...]` (not used as a path step);
 * - parentheses `(a; b; ...)` (a block: each expression evaluated once, the last one's value);
 * - a unary minus, a condition `a ? b : c`, or a binary operator from SAFE_OPERATORS (no range `..`, which builds
 *   an array as long as its operands say; no `~>` chain, which applies functions);
 * - a call of a built-in from SAFE_FUNCTIONS, by name, with arguments that are themselves safe.
 * Refused: regular expressions, variables other than `$`, `$$` and `$events`, function definitions, bindings (`:=`),
 * sorting, transforms, partial application, and any node or property this list does not name (an
 * allow-list: a construct a later jsonata release adds is refused until it is reviewed here).
 *
 * Why that bounds the cost: no node is evaluated more than once per evaluation except a field-name step, which visits
 * each item of the value it navigates once; so the time is linear in (nodes × input size). Each node's result is
 * no larger than its operands' results plus its own literal text (a built-in in SAFE_FUNCTIONS returns at most its
 * argument's size: `$string` of one argument is its JSON text), so the result is at most
 * (path leaves × input size + expression length); leaves are capped at MAX_PATHS and nodes at MAX_NODES. The result
 * is still measured against JSONATA_BOUNDS.maxOutputBytes as in the child.
 */

/** Binary operators of bounded cost: arithmetic, comparison (deep equality is linear), `&`, `and`, `or`, `in`. */
const SAFE_OPERATORS = new Set(['+', '-', '*', '/', '%', '=', '!=', '<', '<=', '>', '>=', '&', 'and', 'or', 'in']);

/**
 * Built-ins whose cost is linear in their argument and whose result is no larger than it, with the most arguments
 * accepted. `$string` takes one argument only (its second, `prettify`, indents every line: larger than its input).
 */
const SAFE_FUNCTIONS: { readonly [name: string]: number } = {
  string: 1, number: 1, boolean: 1, not: 1, exists: 1, count: 1, length: 1, uppercase: 1, lowercase: 1, trim: 1,
};

/** The most path leaves and nodes of a safe expression. */
const MAX_PATHS = 32;
const MAX_NODES = 256;

/** Variables a safe expression may read: `$` (context, parsed as ""), `$$` (root, parsed as "$"), `$events`. */
const SAFE_VARIABLES = new Set(['', '$', 'events']);

/** The properties each node type may carry; any other property (predicate, group, focus, ...) refuses the tree. */
const KEYS: { readonly [type: string]: ReadonlySet<string> } = {
  literal: new Set(['type', 'value', 'position']),
  variable: new Set(['type', 'value', 'position']),
  path: new Set(['type', 'steps', 'keepSingletonArray', 'position']),
  name: new Set(['type', 'value', 'position', 'keepArray']),
  object: new Set(['type', 'value', 'position', 'lhs']),
  array: new Set(['type', 'value', 'position', 'expressions']),
  minus: new Set(['type', 'value', 'position', 'expression']),
  binary: new Set(['type', 'value', 'position', 'lhs', 'rhs']),
  condition: new Set(['type', 'position', 'condition', 'then', 'else']),
  block: new Set(['type', 'position', 'expressions']),
  function: new Set(['type', 'value', 'position', 'arguments', 'procedure', 'name']),
};

class Walk {
  public nodes = 0;
  public paths = 0;

  /** Why `node` is not provably safe, or undefined when it is. */
  public refusal(node: any): string | undefined {
    if (node === null || typeof node !== 'object' || Array.isArray(node)) {
      return 'an unexpected syntax tree';
    }
    if (++this.nodes > MAX_NODES) {
      return `more than ${MAX_NODES} syntax nodes`;
    }
    switch (node.type) {
      case 'string':
      case 'number':
      case 'value':
        return this.keys(node, 'literal');
      case 'variable':
        return this.keys(node, 'variable') ?? this.variable(node);
      case 'path':
        return this.keys(node, 'path') ?? this.path(node);
      case 'unary':
        if (node.value === '{') {
          return this.keys(node, 'object') ?? (Array.isArray(node.lhs)
            ? this.all(node.lhs.flatMap((pair: any) => (Array.isArray(pair) && pair.length === 2 ? pair : [undefined])))
            : 'an unexpected object constructor');
        }
        if (node.value === '[') {
          return this.keys(node, 'array') ?? (Array.isArray(node.expressions) ? this.all(node.expressions) : 'an unexpected array constructor');
        }
        if (node.value === '-') {
          return this.keys(node, 'minus') ?? this.refusal(node.expression);
        }
        return `the operator "${node.value}"`;
      case 'binary':
        if (!SAFE_OPERATORS.has(node.value)) {
          return `the operator "${node.value}"`;
        }
        return this.keys(node, 'binary') ?? this.refusal(node.lhs) ?? this.refusal(node.rhs);
      case 'condition':
        return this.keys(node, 'condition') ?? this.refusal(node.condition) ?? this.refusal(node.then)
          ?? (node.else === undefined ? undefined : this.refusal(node.else));
      case 'block':
        // Parentheses: `(a; b)` evaluates each once and yields the last (a binding in it is refused as a "bind").
        return this.keys(node, 'block') ?? (Array.isArray(node.expressions) ? this.all(node.expressions) : 'an unexpected block');
      case 'function': {
        const procedure = node.procedure;
        const name = procedure?.type === 'variable' && Object.keys(procedure).every((k) => KEYS.variable.has(k)) ? procedure.value : undefined;
        const arity = typeof name === 'string' && Object.prototype.hasOwnProperty.call(SAFE_FUNCTIONS, name) ? SAFE_FUNCTIONS[name] : undefined;
        if (arity === undefined) {
          return `a call of ${typeof name === 'string' ? `$${name}` : 'a computed function'}`;
        }
        if (!Array.isArray(node.arguments) || node.arguments.length > arity) {
          return `$${name} with more than ${arity} argument(s)`;
        }
        return this.keys(node, 'function') ?? this.all(node.arguments);
      }
      default:
        return `an expression of type "${String(node.type)}"`;
    }
  }

  private all(nodes: any[]): string | undefined {
    for (const n of nodes) {
      const r = this.refusal(n);
      if (r !== undefined) {
        return r;
      }
    }
    return undefined;
  }

  private keys(node: any, kind: string): string | undefined {
    const extra = Object.keys(node).find((k) => !KEYS[kind].has(k));
    return extra === undefined ? undefined : `a ${kind} with "${extra}"`;
  }

  private variable(node: any): string | undefined {
    return SAFE_VARIABLES.has(node.value) ? undefined : `the variable $${node.value}`;
  }

  private path(node: any): string | undefined {
    if (++this.paths > MAX_PATHS) {
      return `more than ${MAX_PATHS} paths`;
    }
    if (!Array.isArray(node.steps) || node.steps.length === 0) {
      return 'an unexpected path';
    }
    for (const [i, step] of node.steps.entries()) {
      if (++this.nodes > MAX_NODES) {
        return `more than ${MAX_NODES} syntax nodes`;
      }
      if (step?.type === 'variable' && i === 0) {
        const r = this.keys(step, 'variable') ?? this.variable(step);
        if (r !== undefined) return r;
      } else if (step?.type === 'name' && typeof step.value === 'string') {
        const r = this.keys(step, 'name');
        if (r !== undefined) return r;
      } else {
        return `a path step of type "${String(step?.type)}"${step?.value === undefined ? '' : ` (${JSON.stringify(step.value)})`}`;
      }
    }
    return undefined;
  }
}

/**
 * Why the expression (its parsed syntax tree, `jsonata(text).ast()`) is not provably of bounded cost, or undefined
 * when it is and may be evaluated in-process. See the rule above.
 */
export function unsafeJsonataReason(ast: unknown): string | undefined {
  return new Walk().refusal(ast);
}

/*
 * A synchronous evaluator for the commonest safe expressions: literals, `$`, `$$`, `$events`, paths of field names,
 * object constructors with distinct literal keys, parentheses, and `$exists(x)` alone or as a condition. jsonata's
 * evaluator is asynchronous at every node, which costs more than the routing itself for a simple reshaping of the
 * event; this one gives jsonata's results for that subset (the tests compare them over many inputs), following the
 * semantics of JSONata paths (https://docs.jsonata.org/path-operators, https://docs.jsonata.org/sequences): a field
 * step maps over arrays and flattens one level, a one-item sequence is its item and an empty one is nothing, and the
 * last step keeps an array the input holds as it is. None of these can fail; a sequence past jsonata's `sequence`
 * bound makes the caller evaluate with jsonata instead (which reports it).
 */

/** An evaluator of the fast subset: (context, root, `$events`) to the value. */
export type FastJsonata = (input: unknown, events: unknown) => unknown;

/** Thrown by the fast evaluator when jsonata must decide (a sequence past its bound). */
export class FastJsonataFallback extends Error {}

const SEQUENCE = Symbol('jsonata sequence');
type Sequence = unknown[] & { [SEQUENCE]?: true };

function sequence(maxItems: number): Sequence & { bound: number } {
  const s = [] as unknown as Sequence & { bound: number };
  s[SEQUENCE] = true;
  s.bound = maxItems;
  return s;
}

function isSequence(value: unknown): value is Sequence {
  return Array.isArray(value) && (value as Sequence)[SEQUENCE] === true;
}

function push(s: Sequence & { bound: number }, value: unknown): void {
  if (s.length >= s.bound) {
    throw new FastJsonataFallback('sequence bound');
  }
  s.push(value);
}

/** A node's value as jsonata hands it on: an empty sequence is nothing, a one-item sequence its item. */
function single(value: unknown): unknown {
  if (isSequence(value)) {
    if (value.length === 0) return undefined;
    if (value.length === 1) return value[0];
  }
  return value;
}

function lookup(value: unknown, key: string, bound: number): unknown {
  if (Array.isArray(value)) {
    const out = sequence(bound);
    for (const item of value) {
      const r = lookup(item, key, bound);
      if (r === undefined) continue;
      if (Array.isArray(r)) {
        for (const x of r) push(out, x);
      } else {
        push(out, r);
      }
    }
    return out;
  }
  if (value !== null && typeof value === 'object' && Object.prototype.hasOwnProperty.call(value, key)) {
    return (value as any)[key];
  }
  return undefined;
}

type Evaluator = (context: unknown, root: unknown, events: unknown) => unknown;

function fastNode(node: any, bound: number): Evaluator | undefined {
  switch (node?.type) {
    case 'string':
    case 'number':
    case 'value': {
      const value = node.value;
      return () => value;
    }
    case 'variable':
      return fastVariable(node.value);
    case 'path':
      return node.keepSingletonArray ? undefined : fastPath(node.steps, bound);
    case 'block': {
      const parts = (node.expressions as any[]).map((e) => fastNode(e, bound));
      if (parts.length === 0 || parts.some((p) => p === undefined)) return undefined;
      return (c, r, e) => {
        let value: unknown;
        for (const p of parts) value = p!(c, r, e);
        return value;
      };
    }
    case 'function': {
      if (node.procedure?.value !== 'exists' || node.arguments?.length !== 1) return undefined;
      const arg = fastNode(node.arguments[0], bound);
      return arg && ((c, r, e) => arg(c, r, e) !== undefined);
    }
    case 'condition': {
      const test = node.condition?.type === 'function' ? fastNode(node.condition, bound) : undefined;
      const then = fastNode(node.then, bound);
      const otherwise = node.else === undefined ? () => undefined : fastNode(node.else, bound);
      if (!test || !then || !otherwise) return undefined;
      return (c, r, e) => (test(c, r, e) ? then(c, r, e) : otherwise(c, r, e));
    }
    case 'unary': {
      if (node.value !== '{') return undefined;
      const keys = new Set<string>();
      const pairs: Array<[string, Evaluator]> = [];
      for (const [k, v] of node.lhs as any[][]) {
        const value = fastNode(v, bound);
        if (k?.type !== 'string' || keys.has(k.value) || k.value === '_jsonata_lambda' || k.value === '_jsonata_function' || !value) {
          return undefined;
        }
        keys.add(k.value);
        pairs.push([k.value, value]);
      }
      return (c, r, e) => {
        const out: Record<string, unknown> = Object.create(null);
        for (const [k, v] of pairs) {
          const value = v(c, r, e);
          if (value !== undefined) out[k] = value;
        }
        return out;
      };
    }
    default:
      return undefined;
  }
}

function fastVariable(name: unknown): Evaluator | undefined {
  switch (name) {
    case '': return (c) => c;
    case '$': return (_c, r) => r;
    case 'events': return (_c, _r, e) => e;
    default: return undefined;
  }
}

function fastPath(steps: any[], bound: number): Evaluator | undefined {
  const first = steps[0]?.type === 'variable' ? fastVariable(steps[0].value) : undefined;
  const names: string[] = [];
  for (const [i, step] of steps.entries()) {
    if (i === 0 && step.type === 'variable') {
      if (!first) return undefined;
      continue;
    }
    if (step.type !== 'name' || step.keepArray || typeof step.value !== 'string') return undefined;
    names.push(step.value);
  }
  const last = steps.length - 1;
  return (c, r, e) => {
    let input: unknown[] = Array.isArray(c) && !first ? c : [c];
    let result: unknown[] | undefined;
    for (let i = 0; i <= last; i++) {
      const collected = sequence(bound);
      for (const item of input) {
        const value = i === 0 && first ? single(first(item, r, e)) : single(lookup(item, names[first ? i - 1 : i], bound));
        if (value !== undefined) push(collected, value);
      }
      if (i === last && collected.length === 1 && Array.isArray(collected[0]) && !isSequence(collected[0])) {
        result = collected[0] as unknown[];
      } else {
        const flat = sequence(bound);
        for (const value of collected) {
          if (Array.isArray(value)) {
            for (const x of value) push(flat, x);
          } else {
            push(flat, value);
          }
        }
        result = flat;
      }
      if (result.length === 0) break;
      input = result;
    }
    return single(result);
  };
}

/**
 * A synchronous evaluator of a safe expression (see unsafeJsonataReason) in the fast subset above, or undefined.
 * It takes a context that is not an array (an array input is wrapped by jsonata: left to jsonata).
 *
 * @param maxSequence jsonata's `sequence` bound (items in one sequence)
 */
export function fastJsonata(ast: unknown, maxSequence: number): FastJsonata | undefined {
  if (unsafeJsonataReason(ast) !== undefined) return undefined;
  const evaluator = fastNode(ast, maxSequence);
  return evaluator && ((input, events) => evaluator(input, input, events));
}
