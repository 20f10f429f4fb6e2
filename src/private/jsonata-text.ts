import jsonata from 'jsonata';

/**
 * JSONata helpers shared by the constructs (parse checks at synth) and the offline router (evaluation).
 *
 * The Custom Event Bus writes a JSONata expression between `{%` and `%}` delimiters, in `Transformer` and in every
 * target parameter that accepts one (EventBridge user guide, eb-custom-bus-transform and eb-custom-bus-targets).
 */

/**
 * The longest `JsonataConfiguration.Expression`, with its `{% %}` delimiters:
 * https://docs.aws.amazon.com/eventbridgev2/latest/APIReference/API_JsonataConfiguration.html
 */
export const MAX_JSONATA_EXPRESSION_LENGTH = 8192;

const OPEN = '{%';
const CLOSE = '%}';

/**
 * The expression inside `{% ... %}` when `text` is fully delimited, else undefined (a literal).
 */
export function delimitedExpression(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith(OPEN) && trimmed.endsWith(CLOSE) && trimmed.length >= OPEN.length + CLOSE.length) {
    return trimmed.slice(OPEN.length, trimmed.length - CLOSE.length);
  }
  return undefined;
}

/** Wraps an expression in `{% %}` delimiters (unless it already is). */
export function delimit(expression: string): string {
  return delimitedExpression(expression) === undefined ? `${OPEN} ${expression.trim()} ${CLOSE}` : expression.trim();
}

/**
 * The syntax error of a JSONata expression, or undefined when it parses. The message is the parser's own, with the
 * character position.
 */
export function jsonataSyntaxError(expression: string): string | undefined {
  try {
    jsonata(expression);
    return undefined;
  } catch (e: any) {
    const position = typeof e?.position === 'number' ? ` at character ${e.position}` : '';
    return `${String(e?.message ?? e)}${position}`;
  }
}

/**
 * Bounds of an evaluation, so that a hostile expression (an endless recursion, a huge range) fails fast instead of
 * hanging: jsonata's own `timeout` (milliseconds), `stack` (call depth) and `sequence` (items in one sequence).
 */
const EVALUATION_BOUNDS = { timeout: 2_000, stack: 500, sequence: 100_000 };

/** Compiles an expression with bounded evaluation; throws the parser's error. */
export function compileJsonata(expression: string): jsonata.Expression {
  return jsonata(expression, EVALUATION_BOUNDS);
}
