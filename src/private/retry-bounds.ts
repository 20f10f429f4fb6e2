import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError, show } from './errors';

/**
 * EventBridge's retry policy of a target (Classic rule targets, and what our Custom Event Bus subscribers write):
 * `MaximumRetryAttempts` 0 to 185 and `MaximumEventAgeInSeconds` 60 to 86,400; without a policy, 185 retries over 24
 * hours. The one home of these numbers: `ReliableRoute`, `Subscriber` and the offline router's template checks use it.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html
 */
export const RETRY_ATTEMPTS_MIN = 0;
export const RETRY_ATTEMPTS_MAX = 185;
export const EVENT_AGE_SECONDS_MIN = 60;
export const EVENT_AGE_SECONDS_MAX = 86_400;

/** EventBridge's defaults for a target without a retry policy, which our constructs write out. */
export const DEFAULT_RETRY_ATTEMPTS = RETRY_ATTEMPTS_MAX;
export const DEFAULT_MAX_EVENT_AGE_SECONDS = EVENT_AGE_SECONDS_MAX;
export const DEFAULT_MAX_EVENT_AGE = Duration.seconds(DEFAULT_MAX_EVENT_AGE_SECONDS);

/** Refuses, at synth, a retry count EventBridge would refuse (a token passes: it is checked at deploy). */
export function checkRetryAttempts(scope: IConstruct, type: string, prop: string, value: any): void {
  if (Token.isUnresolved(value)) {
    return;
  }
  if (!Number.isInteger(value) || value < RETRY_ATTEMPTS_MIN || value > RETRY_ATTEMPTS_MAX) {
    throw propError(scope, type, prop, `must be a whole number between ${RETRY_ATTEMPTS_MIN} and ${RETRY_ATTEMPTS_MAX}, got ${show(value)}`);
  }
}

/** Refuses, at synth, a maximum event age (in seconds) EventBridge would refuse (a token passes). */
export function checkMaxEventAge(scope: IConstruct, type: string, prop: string, seconds: any): void {
  if (Token.isUnresolved(seconds)) {
    return;
  }
  if (typeof seconds !== 'number' || seconds < EVENT_AGE_SECONDS_MIN || seconds > EVENT_AGE_SECONDS_MAX) {
    throw propError(scope, type, prop,
      `must be between 1 minute and 24 hours (${EVENT_AGE_SECONDS_MIN} to ${EVENT_AGE_SECONDS_MAX} seconds), got ${typeof seconds === 'number' ? `${seconds} seconds` : show(seconds)}`);
  }
}
