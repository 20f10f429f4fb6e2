import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { propError } from './errors';

/**
 * A range of whole days a retention (or time-to-live) prop accepts. `max` absent: no upper bound.
 */
export interface DayRange {
  readonly min: number;
  readonly max?: number;
}

/**
 * `SecureEventBus` `archiveRetention`: an archive's `RetentionDays` is 0 or more, 0 keeping events indefinitely; AWS
 * documents no upper bound. https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateArchive.html
 */
export const ARCHIVE_RETENTION_DAYS: DayRange = { min: 0 };

/**
 * `CustomEventBus` `retention`: a Custom Event Bus retains events 1 to 365 days.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-custom-bus-what-is.html
 */
export const CUSTOM_BUS_RETENTION_DAYS: DayRange = { min: 1, max: 365 };

/**
 * The one home of "a Duration as whole days": the number of days of `duration`, or a synth error that names the
 * construct, the prop, the value and the allowed range (`<prop> must be a whole number of days between <min> and
 * <max>, got 1 day 12 hours`).
 *
 * A token amount is not checked (it is resolved at deploy) and is returned as the token, but only from
 * `Duration.days(token)`: a token in another unit cannot be converted to days at synth, which is an error too.
 */
export function wholeDays(scope: IConstruct, type: string, prop: string, duration: Duration, range: DayRange): number {
  let days: number;
  try {
    days = duration.toDays({ integral: false });
  } catch {
    throw propError(scope, type, prop, `must be given with Duration.days() when its amount is a token, got a token amount of ${duration.unitLabel()}`);
  }
  if (Token.isUnresolved(days)) {
    return days;
  }
  if (!Number.isInteger(days) || days < range.min || (range.max !== undefined && days > range.max)) {
    const allowed = range.max === undefined
      ? (range.min === 0 ? '' : ` of at least ${range.min}`)
      : ` between ${range.min} and ${range.max}`;
    throw propError(scope, type, prop, `must be a whole number of days${allowed}, got ${duration.toHumanString()}`);
  }
  return days;
}
