import type { Logger } from '@aws-lambda-powertools/logger';

/** A Powertools Logger stand-in that prints nothing, for handler unit tests. */
export const silentLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  debug: () => undefined,
  appendKeys: () => undefined,
  removeKeys: () => undefined,
  addContext: () => undefined,
} as unknown as Logger;
