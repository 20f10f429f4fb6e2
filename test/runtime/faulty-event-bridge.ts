import type { PutEventsCommand, PutEventsCommandOutput, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import { mulberry32 } from '../../src/private/random';
import type { PutEventsClient } from '../../src/runtime/publisher';
import { entrySize } from '../../src/runtime/publisher';

export interface FaultRates {
  /** Share of whole requests answered with a ThrottlingException. */
  readonly throttledRequests: number;
  /** Share of entries (of requests not throttled) answered with a retryable error code. */
  readonly retryableEntries: number;
  /** Share of entries answered with a non-retryable error code. */
  readonly rejectedEntries: number;
}

/**
 * A PutEvents stand-in that fails on a seeded schedule and records what it accepted, for the publisher's fault
 * test and benchmark. Entries carry their index as `detail.n`.
 */
export class FaultyEventBridge implements PutEventsClient {
  /** How many times each index was accepted (must never exceed 1). */
  public readonly accepted = new Map<number, number>();
  /** The last error code answered for each index. */
  public readonly lastError = new Map<number, string>();
  public requests = 0;
  public throttled = 0;
  public largestRequest = 0;
  public largestRequestBytes = 0;
  private readonly random: () => number;

  constructor(private readonly rates: FaultRates, seed = 2026) {
    this.random = mulberry32(seed);
  }

  public async send(command: PutEventsCommand): Promise<PutEventsCommandOutput> {
    const entries: PutEventsRequestEntry[] = command.input.Entries ?? [];
    this.requests++;
    this.largestRequest = Math.max(this.largestRequest, entries.length);
    this.largestRequestBytes = Math.max(this.largestRequestBytes, entries.reduce((sum, e) => sum + entrySize(e), 0));
    if (this.random() < this.rates.throttledRequests) {
      this.throttled++;
      for (const entry of entries) this.lastError.set(JSON.parse(entry.Detail ?? '{}').n, 'ThrottlingException');
      throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $retryable: { throttling: true }, $metadata: { httpStatusCode: 400 } });
    }
    const results = entries.map((entry) => {
      const n = JSON.parse(entry.Detail ?? '{}').n as number;
      const roll = this.random();
      if (roll < this.rates.rejectedEntries) {
        this.lastError.set(n, 'InvalidArgument');
        return { ErrorCode: 'InvalidArgument', ErrorMessage: 'rejected' };
      }
      if (roll < this.rates.rejectedEntries + this.rates.retryableEntries) {
        const code = roll < this.rates.rejectedEntries + this.rates.retryableEntries / 2 ? 'ThrottlingException' : 'InternalFailure';
        this.lastError.set(n, code);
        return { ErrorCode: code, ErrorMessage: 'try again' };
      }
      this.accepted.set(n, (this.accepted.get(n) ?? 0) + 1);
      return { EventId: `evt-${n}` };
    });
    return { Entries: results, FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length, $metadata: {} };
  }
}

/** 10,000 events with details of varied sizes (up to about 60 KB), so that batches are cut by size too. */
export function faultTestEvents(count = 10_000, seed = 7): Array<{ detailType: string; detail: { n: number; pad: string } }> {
  const random = mulberry32(seed);
  return Array.from({ length: count }, (_, n) => ({
    detailType: 'FaultTest',
    detail: { n, pad: 'x'.repeat(random() < 0.02 ? 60_000 : Math.floor(random() * 400)) },
  }));
}
