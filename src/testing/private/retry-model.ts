import { mulberry32 } from '../../private/random';

/**
 * The retry schedule of the delivery simulations: EventBridge retries "with exponential back off and jitter" without
 * publishing the schedule, so the delay before retry n (n ≥ 1) is drawn uniformly from [d/2, d] where
 * d = min(base × 2^(n-1), cap) ("equal jitter"), from a seeded generator (mulberry32). Shared by the Classic
 * simulation (`private/simulator.ts`) and the Custom Event Bus simulation.
 */
export class RetryModel {
  private readonly random: () => number;

  constructor(seed: number, private readonly base: number, private readonly cap: number) {
    if (!(base > 0) || !(cap >= base)) {
      throw new Error(`retryBaseDelaySeconds must be > 0 and retryMaxDelaySeconds >= retryBaseDelaySeconds, got ${base} and ${cap}`);
    }
    this.random = mulberry32(seed);
  }

  /** The delay, in seconds, before retry `retry` (1 for the first retry). */
  public delayBefore(retry: number): number {
    const d = Math.min(this.base * Math.pow(2, retry - 1), this.cap);
    return d / 2 + this.random() * (d / 2);
  }
}
