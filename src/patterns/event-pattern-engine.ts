import { PatternProblem, PatternValidationOptions } from './pattern-problem';
import { evaluateConditions } from './private/evaluator';
import { FieldSchema } from './private/event-reader';
import { compileOrThrow, preparePattern } from './private/prepare';

/**
 * Validates Amazon EventBridge event patterns and matches events against them,
 * offline, with the semantics of EventBridge's open-source engine
 * (aws/event-ruler).
 *
 * Patterns and events may be given as objects or as JSON text. JSON text keeps
 * the exact spelling of numbers, which event-ruler uses for numbers that a
 * double cannot hold exactly (numbers have the precision and range of a Java
 * double): such a number in a pattern (`[12345678901234567890]`) only matches
 * that literal, and such a number in an event (`9007199254740993`, `1e309`,
 * `0.99999999999999994`) is not compared as a number, so no `numeric`
 * condition and no numeric value but its own literal matches it. Events given
 * as JSON text are read without being parsed whole: only the fields some
 * pattern names are decoded (the whole text is still checked to be JSON).
 *
 * Supported: exact values (strings, numbers, `true`, `false`, `null`), `prefix`,
 * `suffix` (both also with `equals-ignore-case`), `equals-ignore-case`,
 * `wildcard`, `anything-but` (values, lists, `prefix`, `suffix`, `wildcard`,
 * `equals-ignore-case`), `numeric`, `exists`, `cidr`, `exactly`, `$or`, arrays
 * in events (with array consistency for arrays of objects) and nested fields.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 * @see https://github.com/aws/event-ruler
 */
export class EventPatternEngine {
  /**
   * Returns every problem in the pattern, each with its JSON path; an empty
   * array when the pattern is valid. Never throws, whatever the input.
   *
   * @param pattern the event pattern, as an object or as JSON text
   * @param options limits on size and on `$or` combinations
   */
  public static validate(pattern: any, options?: PatternValidationOptions): PatternProblem[] {
    return preparePattern(pattern, options, false).problems.map((p) => ({ path: p.path, message: p.message }));
  }

  /**
   * Whether the pattern is valid (has no problems).
   *
   * @param pattern the event pattern, as an object or as JSON text
   * @param options limits on size and on `$or` combinations
   */
  public static isValid(pattern: any, options?: PatternValidationOptions): boolean {
    return preparePattern(pattern, options, false).problems.length === 0;
  }

  /**
   * Whether the event matches the pattern.
   *
   * The pattern is validated with the default limits (2,048 characters, 1,000
   * `$or` combinations).
   *
   * @param pattern the event pattern, as an object or as JSON text
   * @param event the event, as an object or as JSON text
   * @throws Error listing every problem if the pattern is invalid; Error if the
   * event is not valid JSON text or not a JSON object
   */
  public static matches(pattern: any, event: any): boolean {
    const compiled = compileOrThrow(pattern);
    const schema = new FieldSchema();
    const ids = new Map(compiled.paths.map((p) => [p, schema.add(p)]));
    const leaves = schema.read(event);
    return compiled.subRules.some((sub) => evaluateConditions(sub.conditions, sub.conditions.map((c) => ids.get(c.path)!), leaves));
  }

  private constructor() {}
}
