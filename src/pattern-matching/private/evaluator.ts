/**
 * Evaluates a compiled sub-rule against a flattened event, enforcing array
 * consistency: all leaves chosen to satisfy the fields must come from the same
 * element of any array they share (event-ruler's ArrayMembership).
 */
import { EventLeaves } from './event-reader';
import { Condition, Leaf } from './model';

function conditionTest(c: Condition, leaf: Leaf): boolean {
  const ms = c.matchers;
  for (let i = 0; i < ms.length; i++) {
    if (ms[i].test(leaf)) {
      return true;
    }
  }
  return false;
}

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

function search(lists: Leaf[][], at: number, chosen: Map<number, number>): boolean {
  if (at === lists.length) {
    return true;
  }
  for (const leaf of lists[at]) {
    const m = leaf.m!;
    if (!consistent(m, chosen)) {
      continue;
    }
    const added: number[] = [];
    for (let i = 0; i < m.length; i += 2) {
      if (!chosen.has(m[i])) {
        chosen.set(m[i], m[i + 1]);
        added.push(m[i]);
      }
    }
    if (search(lists, at + 1, chosen)) {
      return true;
    }
    for (const id of added) {
      chosen.delete(id);
    }
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
      if (conditionTest(c, leaf)) {
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
  return search(constrained, 0, new Map());
}
