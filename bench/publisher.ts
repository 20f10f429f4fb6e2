/**
 * Benchmark of the EventPublisher: 10,000 events against an in-process PutEvents stand-in, without faults (the
 * baseline) and with the fault test's rates (30% of entries failing, 10% of requests throttled). Backoff sleeps
 * are skipped (counted, not waited), so the time is the publisher's own work. Reported: requests, published,
 * unpublished, time, and the faulty/clean ratios measured in the same run.
 */
import { performance } from 'perf_hooks';
import { EventPublisher } from '../src/runtime/publisher';
import { FaultyEventBridge, faultTestEvents } from '../test/runtime/faulty-event-bridge';

async function once(rates: ConstructorParameters<typeof FaultyEventBridge>[0]) {
  const client = new FaultyEventBridge(rates);
  let sleeps = 0;
  const publisher = new EventPublisher({ client, eventBusName: 'bus', source: 'bench', sleep: async () => { sleeps++; } });
  const events = faultTestEvents();
  const t0 = performance.now();
  const result = await publisher.send(events);
  const ms = performance.now() - t0;
  return { ms, requests: client.requests, published: result.eventIds.filter((id) => id !== '').length, unpublished: result.unpublished.length, sleeps };
}

export async function run(_args: string[]): Promise<void> {
  await once({ throttledRequests: 0, retryableEntries: 0, rejectedEntries: 0 }); // warm-up
  const clean = await once({ throttledRequests: 0, retryableEntries: 0, rejectedEntries: 0 });
  const faulty = await once({ throttledRequests: 0.1, retryableEntries: 0.27, rejectedEntries: 0.03 });
  console.log('scenario            requests  published  unpublished  backoffs   time (ms)');
  for (const [name, r] of [['clean (baseline)', clean], ['30% entries, 10% requests', faulty]] as const) {
    console.log(`${name.padEnd(26)} ${String(r.requests).padStart(6)} ${String(r.published).padStart(10)} ${String(r.unpublished).padStart(12)} ${String(r.sleeps).padStart(9)} ${r.ms.toFixed(1).padStart(11)}`);
  }
  console.log(`ratio faulty/clean: requests ${(faulty.requests / clean.requests).toFixed(2)}, time ${(faulty.ms / clean.ms).toFixed(2)}`);
}
