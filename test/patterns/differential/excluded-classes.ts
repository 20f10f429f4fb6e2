/**
 * The classes of disagreement with aws/event-ruler that the differential test leaves out of the comparison, each with
 * its reason. docs/event-ruler-differences.md is the written list; this is the data the test uses (keep both in step).
 * Any disagreement that no class here explains fails the test. Each class is as narrow as the test can tell: it
 * looks at the pattern and event of the disagreement, and at which side said yes.
 */
import { JsonNumber, parseJson } from '../../../src/patterns/private/json-text';
import { canonicalDecimal, javaDoubleText } from '../../../src/patterns/private/numbers';

/** One disagreement between our engine and event-ruler. */
export interface Disagreement {
  /** What was compared: accept/refuse of a pattern, one pattern against one event, or a rule set's answer for one rule. */
  readonly kind: 'validate' | 'match' | 'ruleset';
  /** The pattern's JSON text. */
  readonly pattern: string;
  /** The event's JSON text (match and ruleset). */
  readonly event?: string;
  /** Our answer: accepted / matched. */
  readonly ours: boolean;
  /** event-ruler's answer: accepted / matched. */
  readonly ruler: boolean;
  /** Our problems, when we refuse the pattern. */
  readonly ourProblems?: readonly string[];
  /** event-ruler's message, when it refuses the pattern. */
  readonly rulerError?: string;
  /** ruleset: event-ruler's answer for the same rule and event in a Machine holding that rule alone. */
  readonly rulerAlone?: boolean;
  /** ruleset: our answer for the same rule and event from `EventPatternEngine.matches` (the rule alone). */
  readonly oursAlone?: boolean;
}

/** Facts about the JVM the harness runs on, which some classes need. */
export interface JvmFacts {
  /** The JVM's `Double.toString` of a number text (all numbers of the disagreements are looked up first). */
  readonly doubleToString: (numberText: string) => string | undefined;
}

/** Why a class is left out. */
export type ExclusionKind = 'eventbridge-docs' | 'jdk-dependent' | 'event-ruler-bug' | 'undocumented';

/** A class of disagreement left out of the comparison. */
export interface ExcludedClass {
  readonly id: string;
  readonly kind: ExclusionKind;
  /** What differs, and why we do not follow event-ruler here. */
  readonly reason: string;
  /** The page or file that says so. */
  readonly source: string;
  /** Whether a disagreement belongs to this class. */
  readonly applies: (d: Disagreement, jvm: JvmFacts) => boolean;
  /**
   * A pattern (and event) on which event-ruler 2.0.1 and we disagree in this way: the differential test checks that
   * the disagreement is real and that the class claims it (none for rule-set-interference, which needs a rule set).
   */
  readonly example?: { readonly pattern: string; readonly event?: string };
}

// ---------------------------------------------------------------------------------------------------------------------
// reading patterns and events

const OPERATORS = new Set(['prefix', 'suffix', 'equals-ignore-case', 'wildcard', 'anything-but', 'numeric', 'exists', 'cidr', 'exactly']);

/** One match expression of a pattern: the field path (array levels dropped) and the expression. */
interface Expression {
  readonly path: string;
  readonly name: string;
  readonly operand: unknown;
}

function tryParse(text: string | undefined): unknown {
  if (text === undefined) {
    return undefined;
  }
  try {
    return parseJson(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber);
}

/** Every match expression of a pattern, `$or` branches included. */
function expressions(pattern: unknown): Expression[] {
  const out: Expression[] = [];
  const walk = (obj: unknown, path: string): void => {
    if (!isObject(obj)) {
      return;
    }
    for (const [key, value] of Object.entries(obj)) {
      if (key === '$or' && Array.isArray(value)) {
        value.forEach((branch) => walk(branch, path));
        continue;
      }
      const p = path === '' ? key : `${path}.${key}`;
      if (Array.isArray(value)) {
        for (const v of value) {
          const name = isObject(v) ? Object.keys(v)[0] : undefined;
          out.push(name !== undefined && OPERATORS.has(name)
            ? { path: p, name, operand: (v as Record<string, unknown>)[name] }
            : { path: p, name: 'value', operand: v });
        }
      } else {
        walk(value, p);
      }
    }
  };
  walk(pattern, '');
  return out;
}

/** The branch lists of every `$or` in a pattern (at any level). */
function orGroups(pattern: unknown): unknown[][] {
  const out: unknown[][] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$or' && Array.isArray(x)) {
          out.push(x);
        }
        walk(x);
      }
    }
  };
  walk(pattern);
  return out;
}

/** The strings of the equals-ignore-case family: `equals-ignore-case`, and that form inside prefix, suffix, anything-but. */
function ignoreCaseOperands(pattern: unknown): string[] {
  const out: string[] = [];
  const add = (v: unknown) => (Array.isArray(v) ? v : [v]).forEach((s) => typeof s === 'string' && out.push(s));
  for (const e of expressions(pattern)) {
    if (e.name === 'equals-ignore-case') {
      add(e.operand);
    } else if ((e.name === 'prefix' || e.name === 'suffix' || e.name === 'anything-but') && isObject(e.operand)) {
      add(e.operand['equals-ignore-case']);
    }
  }
  return out;
}

/** Every leaf of an event, by path (array levels dropped). */
function leaves(event: unknown): Array<{ path: string; value: unknown }> {
  const out: Array<{ path: string; value: unknown }> = [];
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      v.forEach((x) => walk(x, path));
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        walk(x, path === '' ? k : `${path}.${k}`);
      }
    } else {
      out.push({ path, value: v });
    }
  };
  walk(event, '');
  return out;
}

/** The paths (array levels dropped) of the event's arrays that hold an object. */
function objectArrayPaths(event: unknown): Set<string> {
  const out = new Set<string>();
  const walk = (v: unknown, path: string): void => {
    if (Array.isArray(v)) {
      if (v.some(isObject)) {
        out.add(path);
      }
      v.forEach((x) => walk(x, path));
    } else if (isObject(v)) {
      for (const [k, x] of Object.entries(v)) {
        walk(x, path === '' ? k : `${path}.${k}`);
      }
    }
  };
  walk(event, '');
  return out;
}

/** Every number token (its spelling) of a JSON text. */
export function numberTokens(text: string | undefined): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (v instanceof JsonNumber) {
      out.push(v.raw);
    } else if (typeof v === 'number') {
      out.push(String(v));
    } else if (Array.isArray(v)) {
      v.forEach(walk);
    } else if (isObject(v)) {
      Object.values(v).forEach(walk);
    }
  };
  walk(tryParse(text));
  return out;
}

function ipFamily(s: string): 4 | 6 | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) {
    return 4;
  }
  return s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s) ? 6 : undefined;
}

function numberValue(v: unknown): number | undefined {
  return v instanceof JsonNumber ? v.value : typeof v === 'number' ? v : undefined;
}

// ---------------------------------------------------------------------------------------------------------------------
// the classes

const QUOTA_MESSAGE = /^Event pattern (is \d+ characters long|has \d+ \$or combinations)/;

/** The excluded classes. */
export const EXCLUDED_CLASSES: readonly ExcludedClass[] = [
  {
    id: 'eventbridge-quotas',
    kind: 'eventbridge-docs',
    reason: 'EventBridge refuses patterns longer than 2,048 characters and patterns with more than 1,000 $or combinations; '
      + 'event-ruler (a library) has no such limits. We refuse; event-ruler accepts.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html, '
      + 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html',
    example: { pattern: `{"a":["${'x'.repeat(2100)}"]}` },
    applies: (d) => d.kind === 'validate' && !d.ours && d.ruler
      && (d.ourProblems ?? []).length > 0 && (d.ourProblems ?? []).every((m) => QUOTA_MESSAGE.test(m)),
  },
  {
    id: 'jdk-double-to-string',
    kind: 'jdk-dependent',
    reason: 'event-ruler compares a number only if BigDecimal.valueOf(double) — Java\'s Double.toString — gives back the '
      + 'same decimal. Double.toString changed in JDK 19 (JDK-4511638): JDK 17 spells some doubles with extra or other '
      + 'digits (1e23 as 9.999999999999999E22, 1e-323 as 1.0E-323 where JDK 19+ says 9.9E-324). We follow the JDK 19+ specification; a '
      + 'disagreement on a number this JVM spells otherwise is the JDK\'s.',
    source: 'https://bugs.openjdk.org/browse/JDK-4511638, '
      + 'https://docs.oracle.com/en/java/javase/21/docs/api/java.base/java/lang/Double.html#toString(double)',
    example: { pattern: '{"n":[{"numeric":[">",1e-323]}]}' },
    applies: (d, jvm) => {
      const differs = (n: string): boolean => {
        const jdk = jvm.doubleToString(n);
        const v = Number(n);
        return jdk !== undefined && Number.isFinite(v) && Number(jdk) === v && !sameDecimal(jdk, javaDoubleText(v));
      };
      if (d.kind === 'validate') {
        const messages = [d.rulerError ?? '', ...(d.ourProblems ?? [])];
        return messages.some((m) => /Cannot compare number : (\S+)/.test(m) && differs(/Cannot compare number : (\S+)/.exec(m)![1]));
      }
      // a number the JVM spells otherwise, where numbers are compared: a number operand, or an event number at a field
      // that has one
      const exprs = expressions(tryParse(d.pattern));
      const numberFields = new Set<string>();
      for (const e of exprs) {
        const operands = e.name === 'numeric' || e.name === 'value' || e.name === 'anything-but'
          ? (Array.isArray(e.operand) ? e.operand : [e.operand]) : [];
        for (const o of operands) {
          if (numberValue(o) !== undefined) {
            numberFields.add(e.path);
            if (differs(o instanceof JsonNumber ? o.raw : String(o))) {
              return true;
            }
          }
        }
      }
      return leaves(tryParse(d.event)).some((l) => numberFields.has(l.path)
        && (l.value instanceof JsonNumber || typeof l.value === 'number')
        && differs(l.value instanceof JsonNumber ? l.value.raw : String(l.value)));
    },
  },
  {
    id: 'cidr-matches-non-addresses',
    kind: 'event-ruler-bug',
    reason: 'A cidr range in event-ruler 2.0.1 also matches values that are not IP addresses of its family when their '
      + 'first characters fall in the range\'s hexadecimal bounds: {"cidr":"10.0.0.0/1"} matches the number 5 and '
      + '"2001:db8::1"; "0.0.0.0/0" and "::/0" match every number and every address. EventBridge documents cidr as '
      + 'matching IP addresses in the range; we match only those.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-ip-matching',
    example: { pattern: '{"n":[{"cidr":"10.0.0.0/1"}]}', event: '{"n":5}' },
    applies: (d) => {
      if (d.kind === 'validate' || d.ours || !d.ruler) {
        return false;
      }
      const cidrs = expressions(tryParse(d.pattern)).filter((e) => e.name === 'cidr' && typeof e.operand === 'string');
      const values = leaves(tryParse(d.event));
      return cidrs.some((c) => {
        const family = ipFamily((c.operand as string).split('/')[0]);
        return values.some((l) => l.path === c.path
          && (numberValue(l.value) !== undefined || (typeof l.value === 'string' && ipFamily(l.value) !== family)));
      });
    },
  },
  {
    id: 'numeric-bound-at-double-max',
    kind: 'event-ruler-bug',
    reason: 'A numeric lower bound of 1.7976931348623157e308 (Double.MAX_VALUE) with > or >=, or an upper bound of '
      + '-1.7976931348623157e308 with < or <=, makes event-ruler 2.0.1 throw ArrayIndexOutOfBoundsException ("Index 10 '
      + 'out of bounds for length 10") instead of accepting or refusing the pattern. The docs allow the full range of '
      + 'a double; we accept the pattern.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-numeric-matching',
    example: { pattern: '{"n":[{"numeric":[">=",1.7976931348623157e308]}]}' },
    applies: (d) => d.kind === 'validate' && d.ours && !d.ruler
      && /Index \d+ out of bounds|ArrayIndexOutOfBoundsException/.test(d.rulerError ?? '')
      && expressions(tryParse(d.pattern)).some((e) => e.name === 'numeric' && Array.isArray(e.operand)
        && e.operand.some((x) => Math.abs(numberValue(x) ?? 0) === Number.MAX_VALUE)),
  },
  {
    id: 'ignore-case-astral',
    kind: 'event-ruler-bug',
    reason: 'event-ruler 2.0.1 case-maps an equals-ignore-case operand (also in prefix, suffix, anything-but) one UTF-16 '
      + 'unit at a time and encodes each half of a surrogate pair as "?": an operand with a character outside the '
      + 'Basic Multilingual Plane (emoji, 𐐀) never matches that character and matches "?" instead. We compare such '
      + 'characters as characters (themselves and their simple case mappings).',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-equals-ignore-case-matching',
    example: { pattern: '{"n":[{"equals-ignore-case":"😀"}]}', event: '{"n":"😀"}' },
    applies: (d) => d.kind !== 'validate' && ignoreCaseOperands(tryParse(d.pattern)).some((s) => /[\ud800-\udfff]/.test(s)),
  },
  {
    id: 'ignore-case-titlecase',
    kind: 'event-ruler-bug',
    reason: 'event-ruler 2.0.1 lets a pattern character of equals-ignore-case accept only its lower-case and upper-case '
      + 'forms. For a title-case letter (ǅ, ǈ, ǋ, ǲ, ᾈ...) neither is the letter itself, so the operand "ǅ" does not '
      + 'match "ǅ". We also accept the letter itself.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-equals-ignore-case-matching',
    example: { pattern: '{"n":[{"equals-ignore-case":"ǅ"}]}', event: '{"n":"ǅ"}' },
    applies: (d) => d.kind !== 'validate'
      && ignoreCaseOperands(tryParse(d.pattern)).some((s) => [...s].some((c) => c !== c.toLowerCase() && c !== c.toUpperCase())),
  },
  {
    id: 'wildcard-star-with-ignore-case',
    kind: 'event-ruler-bug',
    reason: 'In event-ruler 2.0.1 a wildcard starting with * next to an equals-ignore-case form in the same field\'s '
      + 'list breaks the field\'s matching: {"b":[{"wildcard":"*b"},{"equals-ignore-case":"x"}]} matches every string '
      + '("detail", "A", "10.1.2.3"), and {"b":[{"wildcard":"*ß"},{"anything-but":{"equals-ignore-case":["é"]}}]} '
      + 'matches no string but "...ß". The docs give the list the meaning "any of the values"; we match what one of '
      + 'them matches.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-wildcard-matching',
    example: { pattern: '{"b":[{"wildcard":"*b"},{"equals-ignore-case":"x"}]}', event: '{"b":"A"}' },
    applies: (d) => {
      if (d.kind === 'validate') {
        return false;
      }
      const exprs = expressions(tryParse(d.pattern));
      const starPaths = new Set(exprs.filter((e) => e.name === 'wildcard' && typeof e.operand === 'string' && e.operand.startsWith('*'))
        .map((e) => e.path));
      return exprs.some((e) => starPaths.has(e.path) && ignoreCaseOperands({ x: [{ [e.name]: e.operand }] }).length > 0);
    },
  },
  {
    id: 'numeric-range-with-string-operators',
    kind: 'event-ruler-bug',
    reason: 'In event-ruler 2.0.1 a numeric range next to prefix, suffix or wildcard in the same field\'s list can hide '
      + 'a string value of the list: {"k":["false",{"numeric":[">=",-5,"<=",1]},{"wildcard":"O*"}]} does not match '
      + '"false" (it does without the range). With prefix instead of wildcard the answer depends on what the JVM matched '
      + 'before, even in another Machine: in a fresh JVM it matches, after {"k":[{"exactly":"false"},{"numeric":[">=",'
      + '-5e9,"<=",1e-7]},{"wildcard":"Order *"}]} has been used it no longer does (event-ruler keeps state across '
      + 'Machines). The docs give the list the meaning "any of the values"; we match what one of them matches.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-numeric-matching',
    example: { pattern: '{"k":["false",{"numeric":[">=",-5,"<=",1]},{"wildcard":"O*"}]}', event: '{"k":"false"}' },
    applies: (d) => {
      if (d.kind === 'validate') {
        return false;
      }
      const exprs = expressions(tryParse(d.pattern));
      const numericPaths = new Set(exprs.filter((e) => e.name === 'numeric').map((e) => e.path));
      const mixed = new Set(exprs.filter((e) => numericPaths.has(e.path) && ['prefix', 'suffix', 'wildcard'].includes(e.name))
        .map((e) => e.path));
      return leaves(tryParse(d.event)).some((l) => mixed.has(l.path) && typeof l.value === 'string');
    },
  },
  {
    id: 'or-branches-sharing-a-value',
    kind: 'event-ruler-bug',
    reason: 'In event-ruler 2.0.1, $or branches that list values for the same field and share one of them lose some of '
      + 'the others: {"$or":[{"s":["A","F"]},{"s":["A","S"]}]} does not match {"s":"S"} (it matches "A" and "F"). The '
      + 'docs give $or the meaning "any of the branches"; we match what one of them matches.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-complex-example-or',
    example: { pattern: '{"$or":[{"s":["A","F"]},{"s":["A","S"]}]}', event: '{"s":"S"}' },
    applies: (d) => {
      if (d.kind === 'validate' || !d.ours || d.ruler) {
        return false;
      }
      return orGroups(tryParse(d.pattern)).some((branches) => {
        const seen = new Map<string, Set<string>>();
        for (const branch of branches) {
          for (const e of expressions(branch)) {
            if (e.name !== 'value') {
              continue;
            }
            const key = JSON.stringify(e.operand instanceof JsonNumber ? e.operand.value : e.operand);
            const values = seen.get(e.path) ?? new Set<string>();
            seen.set(e.path, values);
            values.add(`${branches.indexOf(branch)}:${key}`);
          }
        }
        // some path with the same value in two branches
        return [...seen.values()].some((values) => {
          const byValue = new Map<string, Set<string>>();
          for (const v of values) {
            const [b, ...rest] = v.split(':');
            const k = rest.join(':');
            byValue.set(k, (byValue.get(k) ?? new Set()).add(b));
          }
          return [...byValue.values()].some((b) => b.size > 1);
        });
      });
    },
  },
  {
    id: 'exists-false-per-array-element',
    kind: 'undocumented',
    reason: 'For {"exists": false} on a field inside an array of objects, event-ruler checks absence against the array '
      + 'elements already chosen by the pattern\'s fields whose names sort before it (so the answer depends on the '
      + 'field names\' order); we count the field as present if any element has it. The EventBridge docs do not say how '
      + 'exists:false and arrays of objects combine.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html',
    example: { pattern: '{"items":{"x":[{"anything-but":["false"]}],"y":[{"exists":false}]}}', event: '{"items":[{"x":"a"},{"y":"b"}]}' },
    applies: (d) => {
      if (d.kind === 'validate' || d.ours || !d.ruler) {
        return false;
      }
      const exprs = expressions(tryParse(d.pattern));
      const absent = exprs.filter((e) => e.name === 'exists' && e.operand === false).map((e) => e.path);
      const arrays = [...objectArrayPaths(tryParse(d.event))];
      return absent.some((p) => arrays.some((a) => p.startsWith(a + '.')
        && exprs.some((e) => e.path !== p && e.path.startsWith(a + '.'))));
    },
  },
  {
    id: 'trailing-text-after-json',
    kind: 'undocumented',
    reason: 'event-ruler reads a pattern with Jackson\'s readTree, which stops after the first JSON value and ignores what '
      + 'follows ({"a":["b"]} x is accepted). EventBridge documents a pattern as a JSON object; we refuse text that is '
      + 'not exactly one JSON value.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html',
    example: { pattern: '{"a":["b"]} x' },
    applies: (d) => d.kind === 'validate' && !d.ours && d.ruler
      && (d.ourProblems ?? []).some((m) => /^Invalid JSON: .* after the JSON value/.test(m)),
  },
  {
    id: 'rule-set-interference',
    kind: 'event-ruler-bug',
    reason: 'event-ruler 2.0.1 sometimes answers differently for a rule when other rules share its Machine: the same '
      + 'rule and event give our answer in a Machine holding that rule alone, and the other answer in the shared one '
      + '(its answers can even depend on patterns used before in other Machines of the same JVM). '
      + 'A rule\'s match cannot depend on the other rules on the bus; we answer as for the rule alone.',
    source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html',
    applies: (d) => d.kind === 'ruleset' && d.rulerAlone === d.ours && d.oursAlone === d.ours,
  },
];

function sameDecimal(a: string, b: string): boolean {
  return canonicalDecimal(a) !== undefined && canonicalDecimal(a) === canonicalDecimal(b);
}

/** The first class that explains a disagreement, if any. */
export function classify(d: Disagreement, jvm: JvmFacts): ExcludedClass | undefined {
  return EXCLUDED_CLASSES.find((c) => c.applies(d, jvm));
}
