import { EventPatternEngine, PatternProblem, PatternRuleSet } from '../patterns';

/**
 * The subscriber filter rules of the Custom Event Bus, as pure functions (no aws-cdk-lib), shared by the
 * `Subscriber` construct (synth-time checks) and the offline router.
 *
 * Sources: EventBridge user guide, "Filtering events for a subscriber" (eb-custom-bus-filtering): subscriber filters
 * do not support wildcard matching; `METADATA` filters match exact values only (each value a JSON array of exact
 * values; `$or`, `prefix`, `numeric`, `exists` and the other operators are not supported); at most one filter per
 * scope (eb-custom-bus-subscribers). API reference, `Filter`: `Pattern` is at most 4096 characters.
 */

/** The largest `Filter.Pattern`, in characters (API reference, Filter). */
const MAX_FILTER_PATTERN_LENGTH = 4096;

/**
 * Every problem of one subscriber filter, as "path: message" strings (empty when the filter is valid).
 *
 * @param scope DATA, METADATA or SYSTEM_METADATA
 * @param pattern the parsed pattern
 */
export function filterProblems(scope: string, pattern: any): string[] {
  const problems: string[] = [];
  for (const p of EventPatternEngine.validate(pattern, { maxLength: MAX_FILTER_PATTERN_LENGTH })) {
    problems.push(showProblem(p));
  }
  if (problems.length > 0) {
    return problems;
  }
  walkMatchers(pattern, '', (path, matcher) => {
    if (matcher !== null && typeof matcher === 'object' && containsWildcard(matcher)) {
      problems.push(`${path}: subscriber filters do not support wildcard matching`);
    }
    if (scope === 'METADATA' && matcher !== null && typeof matcher === 'object') {
      problems.push(`${path}: a METADATA filter matches exact values only, got the operator ${JSON.stringify(Object.keys(matcher)[0] ?? '')}`);
    }
  }, (path) => {
    if (scope === 'METADATA') {
      problems.push(`${path}: a METADATA filter matches exact values only; "$or" is not supported`);
    }
  });
  return problems;
}

/** Whether an operator object is `wildcard` or contains one (`anything-but: { wildcard: ... }`). */
function containsWildcard(matcher: { [key: string]: any }): boolean {
  for (const [key, value] of Object.entries(matcher)) {
    if (key === 'wildcard') {
      return true;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value) && containsWildcard(value)) {
      return true;
    }
  }
  return false;
}

/**
 * Visits every matcher (array element) of a valid pattern, with the dotted path of its field, and every `$or`.
 * Iterative, so that a deeply nested pattern cannot exhaust the stack.
 */
function walkMatchers(pattern: any, root: string, onMatcher: (path: string, matcher: any) => void, onOr: (path: string) => void): void {
  const stack: Array<{ node: any; path: string }> = [{ node: pattern, path: root }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (node === null || typeof node !== 'object') {
      continue;
    }
    if (Array.isArray(node)) {
      for (const element of node) {
        onMatcher(path, element);
      }
      continue;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === '$or' && Array.isArray(value)) {
        onOr(path === '' ? '$or' : `${path}.$or`);
        for (const branch of value) {
          stack.push({ node: branch, path });
        }
        continue;
      }
      stack.push({ node: value, path: path === '' ? key : `${path}.${key}` });
    }
  }
}

/**
 * Compiles a subscriber filter pattern (object or JSON text, up to 4096 characters) into a matcher of documents:
 * the event data, the metadata or the system metadata, per scope. A document that is not a JSON object (raw bytes,
 * a string, an absent metadata) matches nothing.
 *
 * @throws Error listing the problems of an invalid pattern
 */
export function compileFilter(pattern: any): (document: any) => boolean {
  // Through the engine's public API only (docs/ARCHITECTURE.md): validate with the filter's length limit, then one
  // rule in a rule set compiled with the same limit.
  const limits = { maxLength: MAX_FILTER_PATTERN_LENGTH };
  const problems = EventPatternEngine.validate(pattern, limits);
  if (problems.length > 0) {
    const n = problems.length;
    throw new Error(`Invalid subscriber filter pattern (${n} problem${n === 1 ? '' : 's'}):\n${problems.map((p) => `  - ${showProblem(p)}`).join('\n')}`);
  }
  const rules = new PatternRuleSet(limits);
  rules.add('filter', pattern);
  return (document: any) => {
    if (document === null || typeof document !== 'object' || Array.isArray(document)) {
      return false;
    }
    return rules.matchingRules(document).length > 0;
  };
}

/** "path: message", with `(root)` for the pattern itself. */
function showProblem(p: PatternProblem): string {
  return `${p.path === '' ? '(root)' : p.path}: ${p.message}`;
}
