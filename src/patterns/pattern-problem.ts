/**
 * A problem found while validating an EventBridge event pattern.
 *
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
 */
export interface PatternProblem {
  /**
   * Where the problem is, as a JSON path into the pattern: object keys joined
   * with `.`, array positions in brackets, `$or` branches as `$or[i]`.
   * For example `detail.price`, `detail.state[0]`, `$or[1].source`.
   *
   * The empty string `""` means the pattern as a whole (the top level: not an
   * object, invalid JSON, too long, too many `$or` combinations).
   */
  readonly path: string;

  /**
   * What is wrong. Uses the wording of EventBridge's engine (aws/event-ruler)
   * where it has one, e.g. `prefix match pattern must be a string` or
   * `Bottom must be less than top`; otherwise a plain English description.
   */
  readonly message: string;
}

/**
 * Options for validating an event pattern.
 */
export interface PatternValidationOptions {
  /**
   * Maximum length of the pattern in characters: the length of the JSON text
   * when the pattern is given as a string, else of its compact `JSON.stringify`
   * form.
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html
   * @default 2048
   */
  readonly maxLength?: number;

  /**
   * Maximum number of `$or` combinations: the number of alternatives the
   * pattern expands to (the product of the arities of its `$or` arrays).
   * EventBridge rejects patterns above 1,000. Whatever this option says, at
   * most 100,000 are accepted (each combination is compiled).
   *
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
   * @default 1000
   */
  readonly maxOrCombinations?: number;
}
