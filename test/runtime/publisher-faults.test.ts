import { FaultyEventBridge, faultTestEvents } from './faulty-event-bridge';
import { EventPublisher, MAX_ENTRIES_PER_REQUEST, DEFAULT_MAX_ENTRY_BYTES } from '../../src/runtime/publisher';

// The fault test of the issue: 10,000 events, 30% of entries failing (27% with retryable codes, 3% rejected for
// good), 10% of whole requests throttled. Nothing may be lost silently: every event is either published exactly
// once or reported, by index and error code.
describe('EventPublisher under faults', () => {
  const client = new FaultyEventBridge({ throttledRequests: 0.1, retryableEntries: 0.27, rejectedEntries: 0.03 });
  const events = faultTestEvents();
  const sleeps: number[] = [];
  const publisher = new EventPublisher({
    client,
    eventBusName: 'bus',
    source: 'com.example.faults',
    maxAttempts: 5,
    sleep: async (ms) => { sleeps.push(ms); },
    random: () => 0.5,
  });
  let result: Awaited<ReturnType<EventPublisher['send']>>;
  beforeAll(async () => {
    result = await publisher.send(events);
  });

  test('every event is published exactly once or reported', () => {
    const reported = new Set(result.unpublished.map((f) => f.index));
    const wrong: string[] = [];
    for (let n = 0; n < events.length; n++) {
      const published = result.eventIds[n] !== '';
      if (published === reported.has(n)) wrong.push(`#${n}: published ${published}, reported ${reported.has(n)}`);
      if ((client.accepted.get(n) ?? 0) !== (published ? 1 : 0)) wrong.push(`#${n}: accepted ${client.accepted.get(n) ?? 0} times`);
    }
    expect(wrong).toEqual([]);
    expect(result.eventIds.filter((id) => id !== '').length + result.unpublished.length).toBe(10_000);
  });

  test('each unpublished entry carries the error code it last got, and retryable ones used every attempt', () => {
    expect(result.unpublished.length).toBeGreaterThan(0);
    for (const failure of result.unpublished) {
      expect(failure.errorCode).toBe(client.lastError.get(failure.index));
      if (failure.errorCode === 'InvalidArgument') {
        expect(failure.attempts).toBeLessThanOrEqual(5);
      } else {
        expect(failure.attempts).toBe(5);
      }
    }
  });

  test('requests respect 10 entries and the 256 KB entry-size sum; retries back off', () => {
    expect(client.largestRequest).toBeLessThanOrEqual(MAX_ENTRIES_PER_REQUEST);
    expect(client.largestRequestBytes).toBeLessThanOrEqual(DEFAULT_MAX_ENTRY_BYTES);
    expect(client.throttled).toBeGreaterThan(0);
    expect(sleeps.length).toBeGreaterThanOrEqual(4);
    expect(sleeps).toEqual([...sleeps].sort((a, b) => a - b));
  });
});
