/**
 * Benchmark dispatcher, run by `npx projen bench`
 * (`node --expose-gc -r ts-node/register/transpile-only bench/index.ts [name] [options]`).
 *
 * With no name, every benchmark runs. Add a benchmark by adding an entry to BENCHMARKS.
 */
import { run as fingerprint } from './fingerprint';
import { run as flowDiff } from './flow-diff';
import { run as marketIndicators } from './market-indicators';
import { run as patternEngine } from './pattern-engine';
import { run as publisher } from './publisher';
import { run as router } from './router';
import { run as thumbnail } from './thumbnail';

type Benchmark = (args: string[]) => Promise<void>;

const BENCHMARKS: Record<string, Benchmark> = {
  'fingerprint': fingerprint,
  'flow-diff': flowDiff,
  'market-indicators': marketIndicators,
  'pattern-engine': patternEngine,
  'publisher': publisher,
  'router': router,
  'thumbnail': thumbnail,
};

async function main(argv: string[]): Promise<void> {
  const [first, ...rest] = argv;
  const named = first !== undefined && !first.startsWith('-');
  if (named && !(first in BENCHMARKS)) {
    throw new Error(`Unknown benchmark "${first}". Available: ${Object.keys(BENCHMARKS).join(', ')}`);
  }
  const names = named ? [first] : Object.keys(BENCHMARKS);
  const args = named ? rest : argv;
  for (const name of names) {
    console.log(`\n=== ${name} ===`);
    await BENCHMARKS[name](args);
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
