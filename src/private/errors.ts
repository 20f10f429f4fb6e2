import { IConstruct } from 'constructs';

/**
 * Builds the error our constructs throw for bad input: it names the construct (type and path),
 * the prop, and says what is wrong and what is allowed.
 */
export function propError(scope: IConstruct, constructType: string, prop: string, message: string): Error {
  return new Error(`${constructType} '${scope.node.path}': ${prop} ${message}`);
}

/** A readable rendering of a value for error messages. */
export function show(value: unknown): string {
  if (typeof value === 'string') {
    return JSON.stringify(value);
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
