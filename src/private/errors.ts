import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Builds the error our constructs throw for bad input: it names the construct (type and path),
 * the prop, and says what is wrong and what is allowed.
 */
export function propError(scope: IConstruct, constructType: string, prop: string, message: string): Error {
  return new Error(`${constructType} '${scope.node.path}': ${prop} ${message}`);
}

/** A short, bounded rendering of a value for error messages. */
export function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value);
  } catch {
    text = String(value);
  }
  if (text === undefined) {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * Throws `<what>: <prop> <problems>` when `value` is a resolved string with problems.
 */
export function assertNoProblems(what: string, prop: string, value: string, problemsOf: (value: string) => string[]): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  const problems = problemsOf(value);
  if (problems.length > 0) {
    throw new Error(`${what}: ${prop} ${problems.join('; ')}`);
  }
}
