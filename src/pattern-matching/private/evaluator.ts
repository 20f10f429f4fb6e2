/**
 * Evaluates a compiled sub-rule against a flattened event, enforcing array
 * consistency: all leaves chosen to satisfy the fields must come from the same
 * element of any array they share (event-ruler's ArrayMembership).
 */
import { EventLeaves } from './event-reader';
import { Condition, Leaf } from './model';

/** Whether one leaf's membership agrees with the constraints chosen so far. */
function consistent(m: number[], chosen: Map<number, number>): boolean {
  for (let i = 0; i < m.length; i += 2) {
    const idx = chosen.get(m[i]);
    if (idx !== undefined && idx !== m[i + 1]) {
      return false;
    }
  }
  return true;
}

/**
 * The leaves satisfying one condition, all inside arrays. When they all lie in
 * the same outermost array (the usual case: one path crosses one first
 * array), they are also grouped by element, so that once that element is
 * chosen only its leaves are tried: an array of n objects costs O(n), not
 * O(n^2), when no element satisfies every condition.
 */
interface Candidates {
  readonly leaves: Leaf[];
  /** The id of the outermost array of every leaf, or -1 if they differ. */
  readonly array: number;
  readonly byElement: Map<number, Leaf[]> | undefined;
}

function candidates(leaves: Leaf[]): Candidates {
  const array = leaves[0].m![0];
  for (let i = 1; i < leaves.length; i++) {
    if (leaves[i].m![0] !== array) {
      return { leaves, array: -1, byElement: undefined };
    }
  }
  if (leaves.length < 8) {
    return { leaves, array, byElement: undefined };
  }
  const byElement = new Map<number, Leaf[]>();
  for (const leaf of leaves) {
    const idx = leaf.m![1];
    const list = byElement.get(idx);
    if (list === undefined) {
      byElement.set(idx, [leaf]);
    } else {
      list.push(leaf);
    }
  }
  return { leaves, array, byElement };
}

/** Backtracking over the conditions (iterative: one frame per condition on an explicit stack). */
function search(lists: Candidates[]): boolean {
  lists.sort((a, b) => a.leaves.length - b.leaves.length);
  const chosen = new Map<number, number>();
  const n = lists.length;
  const options: Leaf[][] = new Array(n);
  const next: number[] = new Array(n).fill(0);
  const added: number[][] = new Array(n);
  const optionsAt = (at: number): Leaf[] => {
    const c = lists[at];
    if (c.byElement !== undefined) {
      const idx = chosen.get(c.array);
      if (idx !== undefined) {
        return c.byElement.get(idx) ?? [];
      }
    }
    return c.leaves;
  };
  let at = 0;
  options[0] = optionsAt(0);
  while (at >= 0) {
    // undo what this level bound for its previous choice
    if (added[at] !== undefined) {
      for (const id of added[at]) {
        chosen.delete(id);
      }
      added[at] = [];
    }
    const opts = options[at];
    let found = false;
    while (next[at] < opts.length) {
      const m = opts[next[at]++].m!;
      if (!consistent(m, chosen)) {
        continue;
      }
      const bound: number[] = [];
      for (let i = 0; i < m.length; i += 2) {
        if (!chosen.has(m[i])) {
          chosen.set(m[i], m[i + 1]);
          bound.push(m[i]);
        }
      }
      added[at] = bound;
      found = true;
      break;
    }
    if (!found) {
      added[at] = [];
      at--;
      continue;
    }
    if (at === n - 1) {
      return true;
    }
    at++;
    options[at] = optionsAt(at);
    next[at] = 0;
    added[at] = [];
  }
  return false;
}

/**
 * Whether the event satisfies every condition (one sub-rule); `ids[i]` is the
 * field id of `conditions[i]`.
 */
export function evaluateConditions(conditions: readonly Condition[], ids: readonly number[], event: EventLeaves): boolean {
  let constrained: Candidates[] | undefined;
  for (let ci = 0; ci < conditions.length; ci++) {
    const c = conditions[ci];
    const leaves = event[ids[ci]];
    if (leaves === undefined) {
      if (c.absence) {
        continue;
      }
      return false;
    }
    let inArrays: Leaf[] | undefined;
    let free = false;
    for (let i = 0; i < leaves.length; i++) {
      const leaf = leaves[i];
      if (c.test(leaf)) {
        if (leaf.m === undefined) {
          free = true;
          break;
        }
        (inArrays ??= []).push(leaf);
      }
    }
    if (free) {
      continue;
    }
    if (inArrays === undefined) {
      return false;
    }
    (constrained ??= []).push(candidates(inArrays));
  }
  if (constrained === undefined || constrained.length === 1) {
    return true;
  }
  return search(constrained);
}
