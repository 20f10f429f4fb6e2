/**
 * Evaluates a compiled sub-rule against a flattened event, enforcing array
 * consistency: all leaves chosen to satisfy the fields must come from the same
 * element of any array they share (event-ruler's ArrayMembership).
 */
import { EventLeaves } from './event-reader';
import { Condition, Leaf, Membership } from './model';

/**
 * The leaves satisfying one condition, arranged by array membership: a node
 * per array element on the way to them, so that the leaves consistent with
 * the elements chosen so far are found without trying the others (an array
 * of n objects, or an array nested in one element of another, costs O(n),
 * not O(n^2), when no element satisfies every condition).
 */
class LeafTrie {
  /** The leaves whose innermost array element is this node's. */
  public readonly leaves: Leaf[] = [];
  /** The child nodes, by array and element index (a sparse list). */
  public children: Map<number, LeafTrie[]> | undefined;

  public child(array: number, index: number): LeafTrie {
    const byArray = (this.children ??= new Map());
    let byIndex = byArray.get(array);
    if (byIndex === undefined) {
      byIndex = [];
      byArray.set(array, byIndex);
    }
    return (byIndex[index] ??= new LeafTrie());
  }
}

function trieOf(leaves: Leaf[]): LeafTrie {
  const root = new LeafTrie();
  // leaves of one element share their membership object: each is placed once
  const placed = new Map<Membership, LeafTrie>();
  const chain: Membership[] = [];
  for (const leaf of leaves) {
    const m = leaf.m!;
    if (m.up === undefined) {
      root.child(m.array, m.index).leaves.push(leaf); // in one array only: the usual case
      continue;
    }
    let node = root;
    for (let up: Membership | undefined = m; up !== undefined; up = up.up) {
      const known = placed.get(up);
      if (known !== undefined) {
        node = known;
        break;
      }
      chain.push(up);
    }
    for (let k = chain.length - 1; k >= 0; k--) {
      node = node.child(chain[k].array, chain[k].index);
      placed.set(chain[k], node);
    }
    chain.length = 0;
    node.leaves.push(leaf);
  }
  return root;
}

/** The leaves of the trie consistent with the chosen elements (array -> index). */
function consistentLeaves(trie: LeafTrie, chosen: Map<number, number>): Leaf[] {
  const out: Leaf[] = [];
  const stack = [trie];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    for (const leaf of node.leaves) {
      out.push(leaf);
    }
    if (node.children !== undefined) {
      for (const [array, byIndex] of node.children) {
        const index = chosen.get(array);
        if (index === undefined) {
          byIndex.forEach((child) => stack.push(child)); // skips the holes
        } else {
          const child = byIndex[index];
          if (child !== undefined) {
            stack.push(child);
          }
        }
      }
    }
  }
  return out;
}

/**
 * Whether every leaf lies directly in one and the same array (the usual array
 * of objects), that array being in the same place (the same element of any
 * arrays around it).
 */
function inOneArray(lists: Leaf[][]): boolean {
  const first = lists[0][0].m!;
  for (const list of lists) {
    for (const leaf of list) {
      const m = leaf.m!;
      if (m.array !== first.array || m.up !== first.up) {
        return false;
      }
    }
  }
  return true;
}

/**
 * For leaves directly in one array: whether some element has a leaf of every
 * list (an element's leaves share one membership object, and the array's
 * place is the same for all). Linear.
 */
function sameElement(lists: Leaf[][]): boolean {
  // how many lists, taken in order, have a leaf in the element
  let counts = new Map<Membership, number>();
  for (const leaf of lists[0]) {
    counts.set(leaf.m!, 1);
  }
  for (let k = 1; k < lists.length; k++) {
    const next = new Map<Membership, number>();
    for (const leaf of lists[k]) {
      if (counts.get(leaf.m!) === k) {
        next.set(leaf.m!, k + 1);
      }
    }
    if (next.size === 0) {
      return false;
    }
    counts = next;
  }
  return true;
}

/**
 * Backtracking over the conditions (iterative: one frame per condition on an
 * explicit stack), each given the leaves in arrays that satisfy it.
 */
function search(lists: Leaf[][]): boolean {
  lists.sort((a, b) => a.length - b.length);
  if (inOneArray(lists)) {
    return sameElement(lists);
  }
  const tries: Array<LeafTrie | undefined> = new Array(lists.length);
  const chosen = new Map<number, number>();
  const n = lists.length;
  const options: Leaf[][] = new Array(n);
  const next: number[] = new Array(n).fill(0);
  const added: number[][] = new Array(n);
  const optionsAt = (at: number): Leaf[] => {
    if (at === 0) {
      return lists[0];
    }
    const trie = (tries[at] ??= trieOf(lists[at]));
    return consistentLeaves(trie, chosen);
  };
  let at = 0;
  options[0] = optionsAt(0);
  added[0] = [];
  while (at >= 0) {
    // undo what this level bound for its previous choice
    for (const array of added[at]) {
      chosen.delete(array);
    }
    added[at] = [];
    const opts = options[at];
    if (next[at] >= opts.length) {
      at--;
      continue;
    }
    // the leaf is consistent with the choices so far; bind its elements not bound yet
    // (when an array is bound, so are the arrays around it)
    const bound = added[at];
    for (let m = opts[next[at]++].m; m !== undefined && !chosen.has(m.array); m = m.up) {
      chosen.set(m.array, m.index);
      bound.push(m.array);
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
  let constrained: Leaf[][] | undefined;
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
    (constrained ??= []).push(inArrays);
  }
  if (constrained === undefined || constrained.length === 1) {
    return true;
  }
  return search(constrained);
}
