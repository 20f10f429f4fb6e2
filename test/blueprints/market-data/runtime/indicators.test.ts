import { SymbolIndicators, comparePositions } from '../../../../src/blueprints/market-data/runtime/indicators';
import type { Tick } from '../../../../src/blueprints/market-data/runtime/indicators';
import { mulberry32 } from '../../../../src/private/random';

const T0 = Date.parse('2026-11-30T14:00:00Z');
const tick = (i: number, price: number, size: number, sequence = 0): Tick => ({
  symbol: 'AAPL', instrumentClass: 'equity', price, size, timeMs: T0 + i * 1000, sequence,
});

/** The definitions, computed the slow way: VWAP = sum(p*v)/sum(v) over the last n ticks; EMA with alpha 2/(n+1), seeded with the first price. */
function reference(ticks: Tick[], n: number): { vwap: number; ema: number } {
  const last = ticks.slice(-n);
  const vwap = last.reduce((s, t) => s + t.price * t.size, 0) / last.reduce((s, t) => s + t.size, 0);
  const alpha = 2 / (n + 1);
  let ema = ticks[0].price;
  for (const t of ticks.slice(1)) ema = alpha * t.price + (1 - alpha) * ema;
  return { vwap, ema };
}

test('VWAP over a window of 3 and EMA with period 3 (alpha 0.5), by hand', () => {
  const ind = SymbolIndicators.from('AAPL', 'equity', 3);
  [tick(1, 10, 1), tick(2, 20, 1), tick(3, 30, 2), tick(4, 40, 1)].forEach((t) => expect(ind.apply(t)).toBe(true));
  // Window: (20,1), (30,2), (40,1) -> (20 + 60 + 40) / 4 = 30.
  expect(ind.vwap).toBeCloseTo(30, 12);
  // EMA: 10 -> 15 -> 22.5 -> 31.25.
  expect(ind.toState().ema).toBeCloseTo(31.25, 12);
  expect(ind.toState()).toMatchObject({ prices: [20, 30, 40], sizes: [1, 2, 1], lastPrice: 40, tickCount: 4, lastTimeMs: T0 + 4000 });
});

test('matches the reference definitions over many ticks and window turns', () => {
  const ticks = Array.from({ length: 1000 }, (_, i) => tick(i, 100 + Math.sin(i / 7) * 5 + (i % 13) / 10, 1 + (i * 7919) % 50));
  const ind = SymbolIndicators.from('AAPL', 'equity', 37);
  ticks.forEach((t) => ind.apply(t));
  const expected = reference(ticks, 37);
  expect(ind.vwap).toBeCloseTo(expected.vwap, 9);
  expect(ind.toState().ema).toBeCloseTo(expected.ema, 9);
});

test('a late or replayed tick changes nothing', () => {
  const ind = SymbolIndicators.from('AAPL', 'equity', 5);
  ind.apply(tick(2, 10, 1));
  ind.apply(tick(3, 11, 1));
  const before = ind.toState();
  expect(ind.apply(tick(1, 99, 100))).toBe(false); // late
  expect(ind.apply(tick(3, 11, 1))).toBe(false); // replayed
  expect(ind.toState()).toEqual(before);
});

test('the sequence number orders ticks with the same timestamp', () => {
  const ind = SymbolIndicators.from('AAPL', 'equity', 5);
  expect(ind.apply(tick(1, 10, 1, 7))).toBe(true);
  expect(ind.apply(tick(1, 11, 1, 6))).toBe(false);
  expect(ind.apply(tick(1, 12, 1, 8))).toBe(true);
  expect(comparePositions({ timeMs: 1, sequence: 9 }, { timeMs: 2, sequence: 0 })).toBeLessThan(0);
});

test('continues from a stored state exactly as if it had never stopped, and trims it to a smaller window', () => {
  const ticks = Array.from({ length: 30 }, (_, i) => tick(i, 50 + i, 1 + (i % 4)));
  const straight = SymbolIndicators.from('AAPL', 'equity', 8);
  ticks.forEach((t) => straight.apply(t));
  const first = SymbolIndicators.from('AAPL', 'equity', 8);
  ticks.slice(0, 17).forEach((t) => first.apply(t));
  const resumed = SymbolIndicators.from('AAPL', 'equity', 8, first.toState());
  expect(resumed.apply(tick(16, 1, 1))).toBe(false);
  ticks.slice(17).forEach((t) => resumed.apply(t));
  expect(resumed.toState().vwap).toBeCloseTo(straight.toState().vwap, 12);
  expect(resumed.toState().ema).toBeCloseTo(straight.toState().ema, 12);

  const smaller = SymbolIndicators.from('AAPL', 'equity', 3, straight.toState());
  expect(smaller.toState().prices).toEqual([77, 78, 79]);
});

test('a stored state without a tick count continues its EMA', () => {
  const state = { ...SymbolIndicators.from('AAPL', 'equity', 3).toState(), prices: [10], sizes: [1], ema: 10, lastPrice: 10, lastTimeMs: T0, tickCount: undefined as unknown as number };
  const resumed = SymbolIndicators.from('AAPL', 'equity', 3, state);
  resumed.apply(tick(1, 20, 1));
  expect(resumed.toState()).toMatchObject({ ema: 15, tickCount: 2 });
});

test('an extreme but in-contract tick that leaves the window leaves no trace in VWAP', () => {
  const ind = SymbolIndicators.from('AAPL', 'equity', 5);
  const ticks: Tick[] = [];
  const seen: Array<[number, number]> = [];
  const add = (t: Tick) => {
    ticks.push(t);
    ind.apply(t);
    seen.push([ind.vwap, reference(ticks, 5).vwap]);
  };
  for (let i = 0; i < 6; i++) add(tick(i, 100 + i, 1));
  add(tick(6, 1e12, 1e12)); // price and size at the contract's maximum
  for (let i = 7; i < 20; i++) add(tick(i, 100 + (i % 3), 1 + (i % 2)));
  // Every tick, the one right after the extreme tick left the window (index 11) included.
  for (const [got, expected] of seen) {
    expect(Math.abs(got - expected) / expected).toBeLessThan(1e-12);
  }
  expect(seen[11][0]).toBeGreaterThan(100);
  expect(seen[11][0]).toBeLessThan(103);
});

test('stays accurate against a straightforward recomputation over long random sequences with extremes', () => {
  // Log-uniform between 1e-6 and 1e12 one time in 50, else near an ordinary quote.
  const value = (next: () => number) => (next() < 0.02 ? 10 ** (-6 + 18 * next()) : 50 + 100 * next());
  for (const [seed, window] of [[1, 2], [2, 7], [3, 50], [4, 1000]]) {
    const next = mulberry32(seed); // seeded, so a failure can be replayed
    const ind = SymbolIndicators.from('AAPL', 'equity', window);
    const ticks: Tick[] = [];
    let worst = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = tick(i, value(next), value(next));
      ticks.push(t);
      ind.apply(t);
      const last = ticks.slice(-window);
      const expected = last.reduce((s, x) => s + x.price * x.size, 0) / last.reduce((s, x) => s + x.size, 0);
      worst = Math.max(worst, Math.abs(ind.vwap - expected) / expected);
    }
    expect({ seed, window, worst: worst < 1e-9 }).toEqual({ seed, window, worst: true });
  }
});
