/**
 * Benchmark of the market-data indicator code: ticks per second of
 * - `JSON.parse` of the same ticks' event JSON (the baseline: the least a consumer must do per record);
 * - the indicators alone (`SymbolIndicators.apply`: VWAP over the window and EMA, per symbol), on parsed ticks;
 * - the consumer's whole per-record path (`readTick`: base64 decode, JSON.parse, validation; then `apply`).
 * 200,000 ticks over 100 symbols, window 50 (`--ticks N`, `--window N`). Each figure is the best of 5 rounds (the three
 * paths interleaved in each round), after a warm-up; ratios are against the baseline measured in the same run.
 */
import { performance } from 'perf_hooks';
import { SymbolIndicators } from '../src/blueprints/market-data/runtime/indicators';
import type { Tick } from '../src/blueprints/market-data/runtime/indicators';
import { readTick } from '../src/blueprints/market-data/runtime/ticks';
import type { StreamRecord } from '../src/blueprints/market-data/runtime/ticks';

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? Number(args[i + 1]) : fallback;
}

function workload(count: number) {
  const t0 = Date.UTC(2026, 10, 30, 14, 0, 0);
  const json: string[] = [];
  const records: StreamRecord[] = [];
  const ticks: Tick[] = [];
  for (let i = 0; i < count; i++) {
    const symbol = `SYM${i % 100}`;
    const detail = {
      symbol,
      instrumentClass: 'equity',
      price: 100 + Math.sin(i / 97) * 3 + (i % 17) / 100,
      size: 1 + (i * 7919) % 500,
      timestamp: new Date(t0 + i).toISOString(),
      sequence: i,
    };
    const text = JSON.stringify({ 'version': '0', 'id': `e-${i}`, 'detail-type': 'MarketTick', 'source': 'com.example.market-data', 'detail': detail });
    json.push(text);
    records.push({ sequenceNumber: String(i), data: Buffer.from(text).toString('base64') });
    ticks.push({ symbol, instrumentClass: 'equity', price: detail.price, size: detail.size, timeMs: t0 + i, sequence: i });
  }
  return { json, records, ticks };
}

/**
 * The best time of each function over `rounds` rounds, the functions interleaved within a round so that a busy
 * machine slows all of them alike.
 */
function interleavedBest(rounds: number, fns: Array<() => number>): Array<{ ms: number; check: number }> {
  const out = fns.map(() => ({ ms: Infinity, check: 0 }));
  for (let r = 0; r < rounds; r++) {
    fns.forEach((fn, i) => {
      const t0 = performance.now();
      const check = fn();
      out[i] = { ms: Math.min(out[i].ms, performance.now() - t0), check };
    });
  }
  return out;
}

export async function run(args: string[]): Promise<void> {
  const count = option(args, 'ticks', 200_000);
  const window = option(args, 'window', 50);
  const { json, records, ticks } = workload(count);

  const parseOnly = () => {
    let sum = 0;
    for (const text of json) sum += (JSON.parse(text) as { detail: { size: number } }).detail.size;
    return sum;
  };
  const indicatorsOnly = () => {
    const bySymbol = new Map<string, SymbolIndicators>();
    let applied = 0;
    for (const tick of ticks) {
      let ind = bySymbol.get(tick.symbol);
      if (!ind) bySymbol.set(tick.symbol, ind = SymbolIndicators.from(tick.symbol, tick.instrumentClass, window));
      if (ind.apply(tick)) applied++;
    }
    return applied;
  };
  const wholePath = () => {
    const bySymbol = new Map<string, SymbolIndicators>();
    let applied = 0;
    for (const record of records) {
      const read = readTick(record);
      if (!read.ok) continue;
      let ind = bySymbol.get(read.tick.symbol);
      if (!ind) bySymbol.set(read.tick.symbol, ind = SymbolIndicators.from(read.tick.symbol, read.tick.instrumentClass, window));
      if (ind.apply(read.tick)) applied++;
    }
    return applied;
  };

  // Warm-up, then the measured runs.
  parseOnly(); indicatorsOnly(); wholePath();
  const [baseline, indicators, whole] = interleavedBest(5, [parseOnly, indicatorsOnly, wholePath]);
  if (indicators.check !== count || whole.check !== count) {
    throw new Error(`expected every tick applied, got ${indicators.check} and ${whole.check} of ${count}`);
  }
  const rate = (ms: number) => (count / (ms / 1000));
  console.log(`${count} ticks, 100 symbols, window ${window}; best of 5`);
  console.log('path                                         time (ms)     ticks/s   vs JSON.parse');
  for (const [name, r] of [
    ['JSON.parse of the event (baseline)', baseline],
    ['indicators only (SymbolIndicators.apply)', indicators],
    ['whole record (decode, parse, validate, apply)', whole],
  ] as const) {
    console.log(`${name.padEnd(45)} ${r.ms.toFixed(1).padStart(9)} ${Math.round(rate(r.ms)).toLocaleString('en-US').padStart(11)} ${(baseline.ms / r.ms).toFixed(2).padStart(9)}x`);
  }
}
