import { Lazy, Size, Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { propError, show } from '../../private/errors';

/** The largest PutEvents entry EventBridge accepts (1 MiB); the handlers' publisher refuses more. */
const MAX_ENTRY_BYTES = 1024 * 1024;

/**
 * Throws when a setting that only configures a blueprint's default function is given together with the user's own
 * function, which the blueprint does not configure.
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
 * The `EVENT_MAX_ENTRY_BYTES` environment entry for `maxEventEntrySize`, validated (1 byte to 1 MiB).
 */
export function maxEntryBytesEnv(scope: Construct, constructType: string, size: Size | undefined): { [key: string]: string } {
  if (size === undefined) {
    return {};
  }
  const bytes = size.toBytes();
  if (!Token.isUnresolved(bytes) && (!Number.isInteger(bytes) || bytes < 1 || bytes > MAX_ENTRY_BYTES)) {
    throw propError(scope, constructType, 'maxEventEntrySize',
      `must be between 1 byte and 1 MiB (${MAX_ENTRY_BYTES} bytes), the largest entry EventBridge accepts, got ${show(bytes)} bytes`);
  }
  return { EVENT_MAX_ENTRY_BYTES: numberToEnv(scope, bytes) };
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
