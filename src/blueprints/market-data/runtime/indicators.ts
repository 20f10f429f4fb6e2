/**
 * Pure indicator logic of the market-data blueprint: per-symbol VWAP over the last N ticks and an EMA of the price
 * with period N, updated in O(1) amortized per tick (a ring buffer of the window with running sums).
 *
 * The running sums subtract the tick that leaves the window. Every term is positive, so adding is well conditioned;
 * subtracting is not when the leaving term dwarfs what remains (an extreme but in-contract tick, price and size up to
 * 1e12 each): the remainder would keep the rounding error of the big sum (VWAP 2.02 where 100.98 is right). So the
 * sums are recomputed from the window whenever a leaving term is more than CANCELLATION_RATIO times the sum that
 * remains, and once per full turn of the ring. Between recomputations each subtraction adds a relative error of at
 * most (1 + CANCELLATION_RATIO) * 2^-53, so after at most 1,000 of them the error stays below 2^-33.
 */

/** A leaving term this many times larger than what remains makes the sums be recomputed (see the module comment). */
const CANCELLATION_RATIO = 1024;

/** One validated tick. */
export interface Tick {
  readonly symbol: string;
  readonly instrumentClass: string;
  readonly price: number;
  readonly size: number;
  /** The trade time, epoch milliseconds. */
  readonly timeMs: number;
  /** The provider's per-symbol sequence number (0 when absent): orders ticks with the same time. */
  readonly sequence: number;
}

/** The position of a tick in its symbol's history: time first, then sequence. */
export interface TickPosition {
  readonly timeMs: number;
  readonly sequence: number;
}

/** Negative when `a` is older than `b`, 0 when they are the same position, positive when newer. */
export function comparePositions(a: TickPosition, b: TickPosition): number {
  return a.timeMs !== b.timeMs ? a.timeMs - b.timeMs : a.sequence - b.sequence;
}

/** The stored state of a symbol: what the parameters table holds (besides the key). */
export interface IndicatorState {
  readonly symbol: string;
  readonly instrumentClass: string;
  readonly window: number;
  /** Prices of the ticks in the window, oldest first. */
  readonly prices: number[];
  /** Sizes of the same ticks. */
  readonly sizes: number[];
  readonly ema: number;
  readonly vwap: number;
  readonly lastPrice: number;
  readonly lastTimeMs: number;
  readonly lastSequence: number;
  /** Ticks applied since the state was created. */
  readonly tickCount: number;
}

/**
 * The indicators of one symbol. `apply()` takes ticks in any order and applies only those newer than the newest
 * one applied so far, so a late or replayed tick never changes the state.
 */
export class SymbolIndicators {
  /**
   * Starts from a stored state (trimmed to `window`), or from nothing. With `restorePosition: false` the stored
   * window and EMA are kept but not the newest position, so ticks older than it apply again (a state dated in the
   * future by a tick from before the clock-skew bound).
   */
  public static from(symbol: string, instrumentClass: string, window: number, state?: IndicatorState,
    restorePosition = true): SymbolIndicators {
    const indicators = new SymbolIndicators(symbol, instrumentClass, window);
    if (state) {
      const start = Math.max(0, state.prices.length - window);
      for (let i = start; i < state.prices.length; i++) {
        indicators.push(state.prices[i], state.sizes[i]);
      }
      indicators.ema = state.ema;
      indicators.lastPrice = state.lastPrice;
      indicators.last = restorePosition ? { timeMs: state.lastTimeMs, sequence: state.lastSequence } : undefined;
      // An item without a count (written by other code) still continues its EMA instead of restarting it.
      indicators.tickCount = state.tickCount ?? state.prices.length;
    }
    return indicators;
  }

  private readonly alpha: number;
  private readonly prices: Float64Array;
  private readonly sizes: Float64Array;
  /** Index of the oldest entry. */
  private head = 0;
  private count = 0;
  private sumPriceSize = 0;
  private sumSize = 0;
  private ema = 0;
  private lastPrice = 0;
  private last: TickPosition | undefined;
  private tickCount = 0;

  private constructor(public readonly symbol: string, public instrumentClass: string, public readonly window: number) {
    this.alpha = 2 / (window + 1);
    this.prices = new Float64Array(window);
    this.sizes = new Float64Array(window);
  }

  /** The newest position applied, if any. */
  public get position(): TickPosition | undefined {
    return this.last;
  }

  /** Applies a tick if it is newer than every tick applied so far; returns whether it was applied. */
  public apply(tick: Tick): boolean {
    if (this.last !== undefined && comparePositions(tick, this.last) <= 0) {
      return false;
    }
    this.push(tick.price, tick.size);
    this.ema = this.tickCount === 0 ? tick.price : this.alpha * tick.price + (1 - this.alpha) * this.ema;
    this.lastPrice = tick.price;
    this.last = { timeMs: tick.timeMs, sequence: tick.sequence };
    this.instrumentClass = tick.instrumentClass;
    this.tickCount += 1;
    return true;
  }

  /** The volume-weighted average price of the ticks in the window. */
  public get vwap(): number {
    return this.sumSize > 0 ? this.sumPriceSize / this.sumSize : this.lastPrice;
  }

  /** The state to store. */
  public toState(): IndicatorState {
    const prices: number[] = [];
    const sizes: number[] = [];
    for (let i = 0; i < this.count; i++) {
      const at = (this.head + i) % this.window;
      prices.push(this.prices[at]);
      sizes.push(this.sizes[at]);
    }
    return {
      symbol: this.symbol,
      instrumentClass: this.instrumentClass,
      window: this.window,
      prices,
      sizes,
      ema: this.ema,
      vwap: this.vwap,
      lastPrice: this.lastPrice,
      lastTimeMs: this.last?.timeMs ?? 0,
      lastSequence: this.last?.sequence ?? 0,
      tickCount: this.tickCount,
    };
  }

  private push(price: number, size: number): void {
    let leavingPriceSize = 0;
    let leavingSize = 0;
    if (this.count === this.window) {
      // The window is full: the oldest tick leaves it.
      leavingPriceSize = this.prices[this.head] * this.sizes[this.head];
      leavingSize = this.sizes[this.head];
      this.sumPriceSize -= leavingPriceSize;
      this.sumSize -= leavingSize;
      this.prices[this.head] = price;
      this.sizes[this.head] = size;
      this.head = (this.head + 1) % this.window;
    } else {
      const at = (this.head + this.count) % this.window;
      this.prices[at] = price;
      this.sizes[at] = size;
      this.count += 1;
    }
    this.sumPriceSize += price * size;
    this.sumSize += size;
    const cancelled = leavingPriceSize > CANCELLATION_RATIO * this.sumPriceSize || leavingSize > CANCELLATION_RATIO * this.sumSize;
    if (cancelled || (this.head === 0 && this.count === this.window)) {
      this.recomputeSums();
    }
  }

  /** The sums from the window itself (positive terms: the plain sum is accurate to count * 2^-53). */
  private recomputeSums(): void {
    this.sumPriceSize = 0;
    this.sumSize = 0;
    for (let i = 0; i < this.count; i++) {
      const at = (this.head + i) % this.window;
      this.sumPriceSize += this.prices[at] * this.sizes[at];
      this.sumSize += this.sizes[at];
    }
  }
}
