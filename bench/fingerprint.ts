/**
 * Benchmark of error-to-ticket's message normalization on hostile input: runs of digits, hex and letters of
 * 4K and 64K characters. Reported as the ratio of the 64K time to the 4K time, measured in the same run: a linear
 * normalization gives about 16, a quadratic one about 256 (the former hex pattern took 5.1 s for 64K digits).
 */
import { performance } from 'perf_hooks';
import { normalizeMessage } from '../src/blueprints/error-to-ticket/runtime/fingerprint';

function best(fn: () => void, runs: number): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
}

export async function run(_args: string[]): Promise<void> {
  const inputs: Array<[string, (n: number) => string]> = [
    ['digits', (n) => '1'.repeat(n)],
    ['hex', (n) => 'ab12'.repeat(n / 4)],
    ['digits then letter', (n) => `${'7'.repeat(n - 1)}g`],
  ];
  console.log('input               4K (ms)   64K (ms)   ratio 64K/4K (linear ~16, quadratic ~256)');
  for (const [name, make] of inputs) {
    const small = make(4096);
    const large = make(65_536);
    const t4 = best(() => normalizeMessage(small), 20);
    const t64 = best(() => normalizeMessage(large), 5);
    console.log(`${name.padEnd(18)} ${t4.toFixed(3).padStart(8)} ${t64.toFixed(3).padStart(10)} ${(t64 / t4).toFixed(1).padStart(9)}`);
  }
}
