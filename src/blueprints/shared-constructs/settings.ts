import { Duration, Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propError, show } from '../../private/errors';

/** The largest PutEvents entry EventBridge accepts (1 MiB); the handlers' publisher refuses more. */
const MAX_ENTRY_BYTES = 1024 * 1024;

/**
 * The one policy for bring-your-own handlers, shared by every blueprint: your function receives what the default
 * one would, and the same permissions when it has a role, but no environment variables, no on-failure queue and no
 * alarm from the blueprint (it is yours to configure). A setting that only configures the default function is
 * therefore refused (thrown) when given together with your own function: it would silently do nothing.
 */
export function checkDefaultFunctionOnly(
  scope: Construct,
  constructType: string,
  handlerProp: string,
  handlerGiven: boolean,
  settings: { [prop: string]: any },
): void {
  if (!handlerGiven) {
    return;
  }
  const given = Object.keys(settings).filter((k) => settings[k] !== undefined);
  if (given.length > 0) {
    throw propError(scope, constructType, given[0],
      `configures the default function only and cannot be combined with ${handlerProp} (your own function gets no `
      + `environment from the blueprint); set it on your function instead, or omit ${handlerProp}`);
  }
}

/**
 * The environment entry (`envName`, the handlers' `EVENT_MAX_ENTRY_BYTES`) for `maxEventEntrySize`, validated (1 byte to 1 MiB).
 */
export function maxEntryBytesEnv(scope: Construct, constructType: string, size: Size | undefined, envName: string): { [key: string]: string } {
  if (size === undefined) {
    return {};
  }
  const bytes = size.toBytes();
  if (!Token.isUnresolved(bytes) && (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_ENTRY_BYTES)) {
    throw propError(scope, constructType, 'maxEventEntrySize',
      `must be between 1 byte and 1 MiB (${MAX_ENTRY_BYTES} bytes), the largest entry EventBridge accepts, got ${show(bytes)} bytes`);
  }
  return { [envName]: numberToEnv(scope, bytes) };
}

/**
 * A number as an environment variable value (a string): literal numbers directly, tokens (a `Lazy` or a
 * parameter) rendered as a string once resolved.
 */
export function numberToEnv(scope: Construct, value: number): string {
  if (!Token.isUnresolved(value)) {
    return String(value);
  }
  return Lazy.string({
    produce: () => {
      const resolved = Stack.of(scope).resolve(value);
      return typeof resolved === 'number' ? String(resolved) : resolved;
    },
  });
}

/**
 * Checks the `httpTimeout` of a blueprint's Lambda delivery (the prop is `delivery httpTimeout`): between `min` and
 * `max` milliseconds; `maxText` says `max` in words (e.g. `10 minutes`).
 */
export function checkHttpTimeout(scope: Construct, constructType: string, httpTimeout: Duration | undefined,
  limits: { readonly min: number; readonly max: number }, maxText: string): void {
  const ms = httpTimeout?.toMilliseconds();
  if (ms !== undefined && !Token.isUnresolved(ms) && (ms < limits.min || ms > limits.max)) {
    throw propError(scope, constructType, 'delivery httpTimeout',
      `must be between ${limits.min} ms (1 second) and ${limits.max} ms (${maxText}), got ${ms} ms`);
  }
}
