import { Duration, Lazy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Construct } from 'constructs';
import { OrderToInventory } from '../src/blueprints';
import { CustomEventBus, SecureEventBus } from '../src/core';

/**
 * The three props that take a number of whole days (`src/private/retention.ts`): one parser, one message shape, each
 * with its own range (#20: three parsers with three rules and three messages before).
 */
type Make = (scope: Construct, days: Duration) => void;

const CASES: Array<[string, string, Make, { min: number; max?: number }]> = [
  ['SecureEventBus', 'archiveRetention', (s, d) => new SecureEventBus(s, 'It', { archiveRetention: d }), { min: 0 }],
  ['CustomEventBus', 'retention', (s, d) => new CustomEventBus(s, 'It', { retention: d }), { min: 1, max: 365 }],
  ['OrderToInventory', 'reservationGuardTtl', (s, d) => new OrderToInventory(s, 'It', { reservationGuardTtl: d }), { min: 1, max: 3650 }],
];

function stack(): Stack {
  return new Stack(undefined, 'Test', { env: { account: '111122223333', region: 'eu-west-1' } });
}

describe.each(CASES)('%s %s', (type, prop, make, range) => {
  const allowed = range.max === undefined ? '' : ` between ${range.min} and ${range.max}`;

  test('throws for a part of a day, naming the construct, the prop, the value and the range', () => {
    expect(() => make(stack(), Duration.hours(36)))
      .toThrow(`${type} 'Test/It': ${prop} must be a whole number of days${allowed}, got 1 day 12 hours`);
  });

  test('throws for a millisecond (not rounded to 0 days)', () => {
    expect(() => make(stack(), Duration.millis(1))).toThrow(`${prop} must be a whole number of days${allowed}, got 1 milli`);
  });

  test('accepts the lowest and the highest day of its range', () => {
    expect(() => make(stack(), Duration.days(range.min))).not.toThrow();
    expect(() => make(stack(), Duration.days(range.max ?? 100_000))).not.toThrow();
  });

  test('accepts whole days given in another unit', () => {
    expect(() => make(stack(), Duration.hours(48))).not.toThrow();
  });

  if (range.max !== undefined) {
    test('throws one day outside the range, on either side', () => {
      expect(() => make(stack(), Duration.days(range.max! + 1)))
        .toThrow(`${type} 'Test/It': ${prop} must be a whole number of days${allowed}, got ${range.max! + 1} days`);
      expect(() => make(stack(), Duration.days(range.min - 1)))
        .toThrow(`${type} 'Test/It': ${prop} must be a whole number of days${allowed}, got ${range.min - 1} days`);
    });
  }

  test('does not check a token amount in days', () => {
    expect(() => make(stack(), Duration.days(Lazy.number({ produce: () => 100_000 })))).not.toThrow();
  });

  test('throws for a token amount in another unit, which cannot be converted at synth', () => {
    expect(() => make(stack(), Duration.hours(Lazy.number({ produce: () => 48 }))))
      .toThrow(`${type} 'Test/It': ${prop} must be given with Duration.days() when its amount is a token, got a token amount of hours`);
  });
});

test('the days reach the templates: archive RetentionDays, bus RetentionPeriodInDays', () => {
  const s = stack();
  new SecureEventBus(s, 'Classic', { archiveRetention: Duration.hours(72) });
  new CustomEventBus(s, 'V2', { retention: Duration.hours(48) });
  const template = Template.fromStack(s);
  template.hasResourceProperties('AWS::Events::Archive', { RetentionDays: 3 });
  template.hasResourceProperties('AWS::EventsV2::EventBus', { StorageConfiguration: { RetentionPeriodInDays: 2 } });
});
