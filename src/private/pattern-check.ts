import { Stack, Token, aws_events as events } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { EventPatternEngine } from '../patterns';

/** Stands in for a CloudFormation intrinsic (Ref, Fn::*) inside a pattern: an opaque string value. */
const TOKEN_PLACEHOLDER = '${Token}';

/**
 * Resolves a rule's event pattern as it will be synthesized, replacing CloudFormation intrinsics with an opaque
 * string so that the pattern can be validated. Returns undefined when the rule has no pattern.
 */
function resolvedRulePattern(rule: events.CfnRule): any {
  if (rule.eventPattern === undefined) {
    return undefined;
  }
  const resolved = Stack.of(rule).resolve(rule.eventPattern);
  if (resolved === undefined) {
    return undefined;
  }
  const parsed = typeof resolved === 'string' && !Token.isUnresolved(resolved) ? safeParse(resolved) : resolved;
  return replaceIntrinsics(parsed);
}

function safeParse(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** Replaces CloudFormation intrinsics (`Ref`, `Fn::*`) in a resolved value with an opaque string. */
export function replaceIntrinsics(value: any): any {
  if (Array.isArray(value)) {
    return value.map(replaceIntrinsics);
  }
  if (value !== null && typeof value === 'object') {
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::'))) {
      return TOKEN_PLACEHOLDER;
    }
    const out: { [key: string]: any } = {};
    for (const key of keys) {
      out[key] = replaceIntrinsics(value[key]);
    }
    return out;
  }
  return value;
}

/**
 * Every problem in the synthesized pattern of `rule`, as "path: message" strings.
 */
export function rulePatternProblems(rule: events.CfnRule): string[] {
  const pattern = resolvedRulePattern(rule);
  if (pattern === undefined) {
    return [];
  }
  return EventPatternEngine.validate(pattern).map((p) => `${p.path === '' ? '(root)' : p.path}: ${p.message}`);
}

/**
 * Adds a synth-time validation to `scope` that checks the pattern of `rule`.
 */
export function addPatternValidation(scope: IConstruct, rule: events.CfnRule): void {
  scope.node.addValidation({
    validate: () => rulePatternProblems(rule).map((p) => `invalid event pattern at ${p}`),
  });
}
