/**
 * Fault injection: 10,000 seeded events through the booking fan-out blueprint with EventRouter.simulate(), every
 * target failing 30% of its attempts (seeded). Nothing may be lost or counted twice: every (event, target) pair the
 * rules match gets exactly one outcome, every attempt stays within the target's retry policy on the simulated
 * clock, and the handlers' successful calls are exactly the deliveries.
 *
 * With the blueprint's defaults (185 retries, 24 hours) every delivery succeeds; a short variant (2 retries,
 * 1 minute) dead-letters some, and a plain aws-cdk-lib rule without dead-letter queue (1 retry) drops some.
 */
import { App, Duration, Stack, aws_events as events, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { addBookingFanOutExamples } from '../../examples/booking-fan-out-stack';
import { BookingFanOutStack } from '../../src/blueprints';
import { mulberry32 } from '../../src/private/random';
import { DeliveryAttempt, DeliveryOutcome, EventRouter, ITargetHandler, SimulationReport } from '../../src/testing';

const EVENTS = 10_000;
const FAILURE_RATE = 0.3;

/** A seeded PRNG, independent of the simulator's own (same algorithm, its own seeds). */
const rng = mulberry32;

interface Generated {
  readonly events: any[];
  /** How many (event, target) pairs the rules must match, computed from the generator's own choices. */
  readonly expectedPairs: number;
  readonly members: number;
  readonly bookings: number;
}

/**
 * A seeded mix: 80% BookingConfirmed (half of them from loyalty members), 10% another detail-type, 10% another
 * source. `targetsPerBooking` and `targetsPerMember` say how many targets a booking (and a member's booking) reach.
 */
function generate(seed: number, targetsPerBooking: number, targetsPerMember: number): Generated {
  const random = rng(seed);
  const out: any[] = [];
  let expectedPairs = 0;
  let members = 0;
  let bookings = 0;
  for (let i = 0; i < EVENTS; i++) {
    const kind = random();
    const member = random() < 0.5;
    const bookingId = `BK-${String(i).padStart(5, '0')}`;
    const detail = {
      bookingId,
      customer: { id: `C-${i % 997}`, email: `c${i % 997}@example.com`, name: `Customer ${i % 997}`, ...(member ? { loyaltyId: `LY-${i % 331}` } : {}) },
      flight: { number: `LH${100 + (i % 900)}`, origin: 'FRA', destination: ['JFK', 'SFO', 'NRT', 'GRU'][i % 4], departure: '2026-12-24T10:30:00Z' },
      passengers: Array.from({ length: 1 + Math.floor(random() * 4) }, (_, p) => ({ firstName: `P${p}`, lastName: `L${i}` })),
      fare: { amount: Math.round(random() * 200_000) / 100, currency: 'EUR' },
    };
    let source = 'com.example.bookings';
    let detailType = 'BookingConfirmed';
    if (kind >= 0.9) {
      source = 'com.example.partner';
    } else if (kind >= 0.8) {
      detailType = 'BookingCancelled';
    } else {
      bookings++;
      if (member) members++;
      expectedPairs += targetsPerBooking + (member ? targetsPerMember : 0);
    }
    out.push({
      'version': '0',
      'id': `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      'detail-type': detailType,
      source,
      'account': '123456789012',
      'time': '2026-11-26T12:00:00Z',
      'region': 'us-east-1',
      'resources': [],
      detail,
    });
  }
  return { events: out, expectedPairs, members, bookings };
}

/** A handler failing FAILURE_RATE of the attempts (seeded), recording every call. */
class FlakyHandler implements ITargetHandler {
  public calls = 0;
  public successes = new Map<string, number>();
  public readonly attempts = new Map<string, DeliveryAttempt[]>();
  private readonly random: () => number;

  constructor(seed: number) {
    this.random = rng(seed);
  }

  public handle(_input: any, attempt: DeliveryAttempt): void {
    this.calls++;
    const key = pairKey(attempt.event.id, attempt.rule.logicalId, attempt.target.id);
    const list = this.attempts.get(key) ?? [];
    list.push(attempt);
    this.attempts.set(key, list);
    if (this.random() < FAILURE_RATE) {
      const error: any = new Error('injected failure');
      error.code = 'INJECTED';
      throw error;
    }
    const target = `${attempt.rule.logicalId}/${attempt.target.id}`;
    this.successes.set(target, (this.successes.get(target) ?? 0) + 1);
  }
}

const pairKey = (eventId: string, rule: string, target: string) => `${eventId}|${rule}|${target}`;

interface Checked {
  readonly delivered: number;
  readonly deadLettered: number;
  readonly dropped: number;
  readonly attempts: number;
  readonly byCondition: Record<string, number>;
}

/**
 * The invariants of one simulation. Violations are collected and compared once (40,000 `expect` calls would
 * take longer than the simulation).
 */
function check(report: SimulationReport, generated: Generated, handler: FlakyHandler): Checked {
  const violations: string[] = [];
  const fail = (what: string) => {
    if (violations.length < 20) violations.push(what);
  };

  // Every matched (event, target) pair has exactly one outcome.
  expect(report.deliveries).toHaveLength(generated.expectedPairs);
  expect(report.delivered + report.deadLettered + report.dropped).toBe(generated.expectedPairs);
  expect(report.unmatchedEvents).toBe(EVENTS - generated.bookings);
  const seen = new Set<string>();

  // Attempts within the retry policy, on the simulated clock; the handler saw exactly the attempts reported.
  const byCondition: Record<string, number> = {};
  const successesByTarget = new Map<string, number>();
  let attempts = 0;
  for (const d of report.deliveries) {
    const key = pairKey(d.event.id, d.rule.logicalId, d.target.id);
    if (seen.has(key)) fail(`${key}: two outcomes`);
    seen.add(key);
    const policy = d.target.retryPolicy;
    const calls = handler.attempts.get(key) ?? [];
    if (calls.length !== d.attempts || calls.some((c, i) => c.attempt !== i + 1)) {
      fail(`${key}: ${d.attempts} attempts reported, the handler saw ${calls.map((c) => c.attempt).join(',')}`);
    }
    if (d.attempts < 1 || d.attempts > 1 + policy.maximumRetryAttempts) fail(`${key}: ${d.attempts} attempts, policy ${JSON.stringify(policy)}`);
    calls.forEach((c, i) => {
      if (c.elapsedSeconds > policy.maximumEventAgeInSeconds) fail(`${key}: attempt ${c.attempt} at ${c.elapsedSeconds} s`);
      if (i > 0 && !(c.elapsedSeconds > calls[i - 1].elapsedSeconds)) fail(`${key}: attempt ${c.attempt} not after the previous one`);
    });
    if (d.elapsedSeconds > policy.maximumEventAgeInSeconds) fail(`${key}: outcome at ${d.elapsedSeconds} s`);
    attempts += d.attempts;
    if (d.outcome === DeliveryOutcome.DELIVERED) {
      const target = `${d.rule.logicalId}/${d.target.id}`;
      successesByTarget.set(target, (successesByTarget.get(target) ?? 0) + 1);
      if (d.deadLetter !== undefined) fail(`${key}: delivered and dead-lettered`);
      continue;
    }
    const condition = d.exhaustedRetryCondition ?? 'none';
    byCondition[condition] = (byCondition[condition] ?? 0) + 1;
    if (condition === 'MaximumRetryAttempts') {
      if (d.attempts !== 1 + policy.maximumRetryAttempts) fail(`${key}: retries exhausted after ${d.attempts} attempts`);
    } else if (condition !== 'MaximumEventAgeInSeconds') {
      fail(`${key}: exhausted retry condition ${condition}`);
    }
    if (d.outcome === DeliveryOutcome.DEAD_LETTERED) {
      if (d.target.deadLetterQueue === undefined) fail(`${key}: dead-lettered without a dead-letter queue`);
      const a = d.deadLetter?.attributes;
      if (a?.RETRY_ATTEMPTS !== String(d.attempts - 1) || a?.ERROR_CODE !== 'INJECTED' || a?.EXHAUSTED_RETRY_CONDITION !== condition) {
        fail(`${key}: dead-letter attributes ${JSON.stringify(a)}`);
      }
      if (JSON.parse(d.deadLetter?.body ?? '{}').id !== d.event.id) fail(`${key}: dead-letter body is another event`);
    } else if (d.outcome !== DeliveryOutcome.DROPPED || d.target.deadLetterQueue !== undefined) {
      fail(`${key}: outcome ${d.outcome} with dead-letter queue ${JSON.stringify(d.target.deadLetterQueue)}`);
    }
  }
  expect(violations).toEqual([]);
  expect(seen.size).toBe(generated.expectedPairs);
  expect(report.totalAttempts).toBe(attempts);
  expect(handler.calls).toBe(attempts);
  expect(report.deadLetters).toHaveLength(report.deadLettered);
  // The handlers' successful calls are exactly the deliveries, target by target.
  expect(Object.fromEntries(handler.successes)).toEqual(Object.fromEntries(successesByTarget));
  return { delivered: report.delivered, deadLettered: report.deadLettered, dropped: report.dropped, attempts, byCondition };
}

const results: Record<string, Checked> = {};

afterAll(() => {
  console.log(`fault injection (${EVENTS} events each, ${FAILURE_RATE * 100}% of attempts fail):\n${Object.entries(results)
    .map(([name, r]) => `  ${name}: delivered ${r.delivered}, dead-lettered ${r.deadLettered}, dropped ${r.dropped}, attempts ${r.attempts}`
      + `${Object.keys(r.byCondition).length ? `, retries exhausted by ${JSON.stringify(r.byCondition)}` : ''}`)
    .join('\n')}`);
});

test('the example booking fan-out (185 retries, 24 hours): nothing lost, nothing dead-lettered', () => {
  const stack = addBookingFanOutExamples(new App());
  const router = EventRouter.fromStack(stack);
  const busName = router.buses.find((b) => b.logicalId !== undefined)!.name;
  // ticketing, email, analytics; loyalty for members
  const generated = generate(2026, 3, 1);
  const handler = new FlakyHandler(7);
  const report = router.simulate(generated.events, { eventBus: busName, defaultHandler: handler, seed: 11 });
  const r = check(report, generated, handler);
  expect(r.delivered).toBe(generated.expectedPairs);
  expect(r.attempts).toBeGreaterThan(generated.expectedPairs);
  results['BookingFanOutExample (defaults)'] = r;
});

test('a short retry policy dead-letters, a rule without dead-letter queue drops', () => {
  const stack = new BookingFanOutStack(new App(), 'ShortPolicy', {
    senderAddress: 'bookings@example.com',
    retryAttempts: 2,
    maxEventAge: Duration.minutes(1),
  });
  // A plain aws-cdk-lib rule on the same bus: one retry, no dead-letter queue.
  const queue = new sqs.Queue(stack, 'Audit');
  new events.Rule(stack, 'PlainRule', {
    eventBus: stack.blueprint.eventBus,
    eventPattern: { source: ['com.example.bookings'], detailType: ['BookingConfirmed'] },
    targets: [new targets.SqsQueue(queue, { retryAttempts: 1, maxEventAge: Duration.minutes(2) })],
  });
  const router = EventRouter.fromStack(stack as Stack);
  const busName = router.buses.find((b) => b.logicalId !== undefined)!.name;
  // ticketing, email and the plain rule's queue; loyalty for members
  const generated = generate(4242, 3, 1);
  const handler = new FlakyHandler(99);
  // With a 30 s base delay (retries after 15-30 s, then 30-60 s more), the 1-minute age limit ends some
  // deliveries before their 2 retries are spent.
  const report = router.simulate(generated.events, { eventBus: busName, defaultHandler: handler, seed: 5, retryBaseDelaySeconds: 30 });
  const r = check(report, generated, handler);
  expect(r.delivered).toBeGreaterThan(0);
  expect(r.deadLettered).toBeGreaterThan(0);
  expect(r.dropped).toBeGreaterThan(0);
  expect(r.byCondition.MaximumRetryAttempts).toBeGreaterThan(0);
  expect(r.byCondition.MaximumEventAgeInSeconds).toBeGreaterThan(0);
  // Only the plain rule's target drops; only the blueprint's targets dead-letter.
  for (const d of report.deliveries) {
    if (d.outcome === DeliveryOutcome.DROPPED) expect(d.rule.logicalId).toMatch(/^PlainRule/);
    if (d.outcome === DeliveryOutcome.DEAD_LETTERED) expect(d.rule.logicalId).not.toMatch(/^PlainRule/);
  }
  results['ShortPolicy (2 retries, 1 minute) + plain rule without DLQ (1 retry)'] = r;
});
