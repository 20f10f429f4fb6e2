/**
 * Internal model of a compiled pattern and a flattened event.
 */

/**
 * Where a value lies in one array: the array (numbered in the order the event
 * is read), the element index, and the same for the array around that one.
 */
export interface Membership {
  readonly array: number;
  readonly index: number;
  readonly up: Membership | undefined;
}

/** One leaf value of an event, with its array membership. */
export interface Leaf {
  /** The value: string, number, boolean or null. */
  readonly v: string | number | boolean | null;
  /** Original spelling of a number from JSON text, when it differs from `String(v)`. */
  readonly raw: string | undefined;
  /**
   * Array membership, innermost array first, or undefined when the leaf is
   * not inside any array. Values of one array element share the object.
   */
  readonly m: Membership | undefined;
  /** Cached hex form if the value is an IP literal (null: it is not; undefined: not computed yet). */
  ip: string | null | undefined;
  /** Cached id of the value in the rule index reading the event (-1: not looked up yet; see RuleIndex.visitLeaf). */
  k: number;
}

/*
 * Kinds of condition the rule index evaluates from numbers alone, without
 * calling the condition's test (see rule-index.ts).
 */
/** `{"exists": true}`: any leaf. */
export const INLINE_EXISTS = 2;
/** `{"exists": false}` alone: no leaf. */
export const INLINE_ABSENT = 3;
/** A numeric range `[lo, hi]`; add 1 if the lower bound is open and 2 if the upper one is. */
export const INLINE_RANGE = 4;

/** An inline condition: its kind and operands (for a range, the lower and upper bounds). */
export type Inline = readonly [number, number, number];

/** A test of one leaf value. */
export interface Matcher {
  readonly test: (leaf: Leaf) => boolean;
  /**
   * Set for matchers that can be looked up in a hash index: exact values
   * (`s`tring, `n`umber, `r`aw number text, `t`rue, `f`alse, null `z`) and
   * string `p`refixes.
   */
  readonly key?: string;
  /** `{"exists": false}`. */
  readonly absence?: boolean;
  /** Set if the rule index can evaluate the matcher from numbers: its kind and bounds (lower, upper). */
  readonly inline?: Inline;
}

/** The ORed match values of one field path. */
export interface Condition {
  readonly path: string;
  /** True if one of the matchers is `{"exists": false}`. */
  readonly absence: boolean;
  /** Index keys when every matcher is indexable (an exact value or a prefix). */
  readonly keys: string[] | undefined;
  /** Whether a leaf satisfies one of the matchers. */
  readonly test: (leaf: Leaf) => boolean;
  /** See {@link Matcher.inline} (only for a single matcher). */
  readonly inline: Inline | undefined;
  /**
   * The path and the match values as JSON text: conditions with the same text
   * behave the same. Only kept for conditions that are neither indexable nor
   * inline (the ones the rule index calls and shares).
   */
  readonly text: string | undefined;
}

/** A conjunction of conditions: one branch of the `$or` expansion. */
export interface SubRule {
  readonly conditions: Condition[];
}

/** A compiled pattern: its `$or` branches, and all field paths it reads. */
export interface CompiledPattern {
  readonly subRules: SubRule[];
  readonly paths: string[];
}
