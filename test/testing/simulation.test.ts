import { App, Duration, Stack, aws_events as events, aws_events_targets as targets, aws_sqs as sqs } from 'aws-cdk-lib';
import { ReliableRoute } from '../../src/core';
import { DeliveryOutcome, EventRouter, ITargetHandler, TargetHandlers } from '../../src/testing';

const EVENT = { 'source': 'com.example.orders', 'detail-type': 'OrderPlaced', 'detail': { orderId: 'o-1' } };

// Synthesized once: a reliable route (3 retries, 1 hour, with a DLQ) and a plain rule without DLQ or retry policy.
const stack = new Stack(new App(), 'Sim', { env: { account: '111111111111', region: 'eu-west-1' } });
const reliableQueue = new sqs.Queue(stack, 'Reliable');
const shortQueue = new sqs.Queue(stack, 'Short');
const plainQueue = new sqs.Queue(stack, 'Plain');
const route = new ReliableRoute(stack, 'Route', {
  eventPattern: { source: ['com.example.orders'] },
  retryAttempts: 3,
  maxEventAge: Duration.hours(1),
  targets: [new targets.SqsQueue(reliableQueue), new targets.SqsQueue(shortQueue, { retryAttempts: 185, maxEventAge: Duration.minutes(1) })],
});
new events.Rule(stack, 'PlainRule', { eventPattern: { source: ['com.example.orders'] }, targets: [new targets.SqsQueue(plainQueue)] });
const router = EventRouter.fromStack(stack);
const id = (c: any) => EventRouter.logicalIdOf(c);

describe('simulate', () => {
  test('every target accepts by default: one attempt each, no time passes', () => {
    const report = router.simulate([EVENT, { ...EVENT, source: 'other' }]);
    expect(report).toMatchObject({ delivered: 3, deadLettered: 0, dropped: 0, totalAttempts: 3, unmatchedEvents: 1, simulatedSeconds: 0 });
    expect(report.deliveries.every((d) => d.outcome === DeliveryOutcome.DELIVERED && d.attempts === 1)).toBe(true);
  });

  test('a handler receives the exact input and the attempt', () => {
    const recorder = TargetHandlers.recorder();
    router.simulate([EVENT], { handlers: { [id(reliableQueue)]: recorder } });
    expect(recorder.inputs).toHaveLength(1);
    expect(recorder.inputs[0]).toMatchObject(EVENT);
    expect(recorder.attempts[0]).toMatchObject({ attempt: 1, elapsedSeconds: 0 });
  });

  test('retries as many times as the policy allows, then dead-letters with EventBridge\'s attributes', () => {
    const report = router.simulate([EVENT], { handlers: { [id(reliableQueue)]: TargetHandlers.fail('throttled', 'THROTTLING') } });
    const d = report.deliveries.find((x) => x.target.logicalId === id(reliableQueue))!;
    expect(d.outcome).toBe(DeliveryOutcome.DEAD_LETTERED);
    expect(d.attempts).toBe(4);
    expect(d.exhaustedRetryCondition).toBe('MaximumRetryAttempts');
    expect(d.deadLetter!.queueLogicalId).toBe(id(route.deadLetterQueue));
    expect(JSON.parse(d.deadLetter!.body)).toMatchObject(EVENT);
    expect(d.deadLetter!.attributes).toEqual({
      ERROR_CODE: 'THROTTLING',
      ERROR_MESSAGE: 'throttled',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: '3',
      RULE_ARN: d.rule.arn,
      TARGET_ARN: d.target.arn,
    });
    expect(report.deadLetters).toHaveLength(1);
    // equal jitter on a 1 s base: delays in [0.5,1] + [1,2] + [2,4]
    expect(d.elapsedSeconds).toBeGreaterThanOrEqual(3.5);
    expect(d.elapsedSeconds).toBeLessThanOrEqual(7);
  });

  test('stops at the maximum event age', () => {
    const report = router.simulate([EVENT], { handlers: { [id(shortQueue)]: TargetHandlers.fail() } });
    const d = report.deliveries.find((x) => x.target.logicalId === id(shortQueue))!;
    expect(d.outcome).toBe(DeliveryOutcome.DEAD_LETTERED);
    expect(d.exhaustedRetryCondition).toBe('MaximumEventAgeInSeconds');
    expect(d.elapsedSeconds).toBeLessThanOrEqual(60);
    expect(d.attempts).toBeGreaterThan(4);
    expect(d.attempts).toBeLessThan(186);
    expect(d.deadLetter!.attributes.RETRY_ATTEMPTS).toBe(String(d.attempts - 1));
    expect(d.deadLetter!.attributes.ERROR_CODE).toBe('SDK_CLIENT_ERROR');
  });

  test('without a dead-letter queue the event is dropped, after EventBridge\'s default 185 retries', () => {
    const report = router.simulate([EVENT], { handlers: { [id(plainQueue)]: TargetHandlers.fail() } });
    const d = report.deliveries.find((x) => x.target.logicalId === id(plainQueue))!;
    expect(d.outcome).toBe(DeliveryOutcome.DROPPED);
    expect(d.attempts).toBe(186);
    expect(d.deadLetter).toBeUndefined();
    expect(d.elapsedSeconds).toBeGreaterThan(18 * 3600);
    expect(d.elapsedSeconds).toBeLessThan(24 * 3600);
    expect(report).toMatchObject({ dropped: 1, delivered: 2 });
  });

  test('a target that recovers is delivered after retries', () => {
    const report = router.simulate([EVENT], { defaultHandler: TargetHandlers.failFirst(2) });
    expect(report.deliveries.map((d) => [d.outcome, d.attempts])).toEqual([
      [DeliveryOutcome.DELIVERED, 3], [DeliveryOutcome.DELIVERED, 3], [DeliveryOutcome.DELIVERED, 3],
    ]);
  });

  test('every matched target has exactly one outcome per event', () => {
    const flaky: ITargetHandler = { handle: (input: any) => { if (input.detail.orderId === 'bad') throw new Error('rejected'); } };
    const report = router.simulate([EVENT, { ...EVENT, detail: { orderId: 'bad' } }], { defaultHandler: flaky });
    expect(report.deliveries).toHaveLength(6);
    expect(report.delivered + report.deadLettered + report.dropped).toBe(6);
    expect(report).toMatchObject({ delivered: 3, deadLettered: 2, dropped: 1 });
  });

  test('is deterministic for a seed and changes with it', () => {
    const run = (seed: number) => router.simulate([EVENT], { seed, defaultHandler: TargetHandlers.fail() }).deliveries.map((d) => d.elapsedSeconds);
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  test('throws on an invalid delay model', () => {
    expect(() => router.simulate([EVENT], { retryBaseDelaySeconds: 0 })).toThrow('retryBaseDelaySeconds must be > 0');
  });
});
