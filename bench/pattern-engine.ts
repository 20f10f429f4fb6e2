/**
 * Benchmark of the EventBridge pattern engine on seeded workloads
 * (bench/pattern-workload.ts: the wide one, with the field and operator mix of
 * real buses, and the original narrow one), with events given as JSON text,
 * side by side with aws/event-ruler itself (tools/event-ruler-harness: a JVM
 * started fresh for each rule count, warmed up, timed on the same event texts;
 * both engines must give the same rule names for every event, or the benchmark
 * fails).
 *
 * For each rule count it reports `PatternRuleSet.matchingRules(text)` as a share
 * of plain `JSON.parse(text)` throughput over the same event texts, measured in
 * the same run (chunks of events timed alternately with both, median of the
 * paired ratios), and a naive loop
 * calling `EventPatternEngine.matches(pattern, text)` rule by rule for
 * reference (its answers are compared with the rule set's). For the largest
 * rule count it reports the build time and the heap the rule set retains.
 *
 * Environment: PATTERN_BENCH_WARMUP_S (event-ruler's warm-up per rule count; default 20 s from 1,000 rules up,
 * 5 s below: the JVM reaches full speed after 8-15 s at 1,000-10,000 rules), PATTERN_BENCH_TIME_S (event-ruler's
 * timed loop, default 5 s), PATTERN_BENCH_RULER=0 (leave event-ruler out). A quick run:
 * `PATTERN_BENCH_WARMUP_S=2 PATTERN_BENCH_TIME_S=1 npm run bench -- pattern-engine --events 2000 --rounds 2`.
 *
 * Options:
 *   --write-workload <dir>   also write rules-<n>.json and events-<n>.json to <dir> (bench/out/ is gitignored)
 *   --events <n>             events per rule count (default 10000)
 *   --seed <n>               workload seed (default 2026)
 *   --rounds <n>             timed rounds per rule count (default 7)
 *   --rules <n,n,...>        rule counts (default 1,100,300,1000,10000)
 *   --workload wide|narrow|both   (default both)
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { generateWideWorkload, generateWorkload, Workload } from './pattern-workload';
import { EventPatternEngine, PatternRuleSet } from '../src/patterns';
import { classify, Disagreement, numberTokens } from '../test/patterns/differential/excluded-classes';
import { EventRulerClient } from '../test/patterns/event-ruler/event-ruler-client';

const RULE_COUNTS = [1, 100, 300, 1000, 10000];
/** Rule evaluations the naive loop may spend per rule count; beyond that, events are sampled. */
const NAIVE_BUDGET = 1_000_000;
/** Events per timed chunk. */
const CHUNK = 500;

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i === -1 ? undefined : args[i + 1];
}

function gc(): void {
  const g = (global as any).gc as (() => void) | undefined;
  if (g) {
    g();
    g();
  }
}

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function timeIt(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

interface Row {
  readonly rules: number;
  readonly jsonParseEps: number;
  readonly ruleSetEps: number;
  /** Median of the paired per-chunk ratios (JSON.parse time / rule set time). */
  readonly share: number;
  /** Naive loop (narrow workload only). */
  readonly naiveEps?: number;
  readonly naiveSampled?: number;
  readonly events: number;
  readonly matchedFraction: number;
  readonly avgMatches: number;
  /** event-ruler, same event texts. */
  readonly ruler?: {
    readonly eps: number;
    readonly paired: number;
    readonly warmupS: number;
    readonly timedS: number;
    /** Events on which both gave the same rule names; the other events differ only in excluded classes (counted). */
    readonly identical: number;
    readonly excluded: Map<string, number>;
  };
}

/** Keeps results alive so that no pass can be optimized away. */
let sink = 0;

function envSeconds(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

function measure(rules: Workload['rules'], texts: string[], rounds: number, naiveLoop: boolean): { row: Row; results: string[][]; set: PatternRuleSet } {
  const set = new PatternRuleSet();
  for (const r of rules) {
    set.add(r.name, r.pattern);
  }
  const results: string[][] = new Array(texts.length);
  const parseChunk = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      sink += JSON.parse(texts[i]) === null ? 1 : 0;
    }
  };
  const ruleSetChunk = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      results[i] = set.matchingRules(texts[i]);
    }
  };
  // warm up (untimed passes for at least a second, so the JIT has compiled the hot paths), then time chunks of
  // events alternately with both: each chunk gives a paired ratio, and the median of those is robust against the
  // machine's load changing during the run
  const warmUntil = performance.now() + 1000;
  do {
    parseChunk(0, texts.length);
    ruleSetChunk(0, texts.length);
  } while (performance.now() < warmUntil);
  const parseTimes: number[] = [];
  const ruleSetTimes: number[] = [];
  const shares: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (let from = 0; from < texts.length; from += CHUNK) {
      const to = Math.min(texts.length, from + CHUNK);
      const p = timeIt(() => parseChunk(from, to)) / (to - from);
      const r = timeIt(() => ruleSetChunk(from, to)) / (to - from);
      parseTimes.push(p);
      ruleSetTimes.push(r);
      shares.push(p / r);
    }
  }
  let matchedEvents = 0;
  let totalMatches = 0;
  for (const r of results) {
    totalMatches += r.length;
    if (r.length > 0) {
      matchedEvents++;
    }
  }

  let naive: { naiveEps: number; naiveSampled: number } | undefined;
  if (naiveLoop) {
    // naive loop: EventPatternEngine.matches(pattern, text) for every rule (validates and compiles each time)
    const sample = Math.max(1, Math.min(texts.length, Math.floor(NAIVE_BUDGET / rules.length)));
    const answers: string[][] = [];
    const naiveMs = timeIt(() => {
      for (let i = 0; i < sample; i++) {
        const out: string[] = [];
        for (const r of rules) {
          if (EventPatternEngine.matches(r.pattern, texts[i])) {
            out.push(r.name);
          }
        }
        answers.push(out);
      }
    });
    for (let i = 0; i < sample; i++) {
      if (JSON.stringify(answers[i]) !== JSON.stringify(results[i])) {
        throw new Error(`rule set and naive loop disagree on event ${i}: ${JSON.stringify(results[i])} vs ${JSON.stringify(answers[i])}`);
      }
    }
    naive = { naiveEps: sample / (naiveMs / 1000), naiveSampled: sample };
  }

  return {
    row: {
      rules: rules.length,
      jsonParseEps: 1000 / median(parseTimes),
      ruleSetEps: 1000 / median(ruleSetTimes),
      share: median(shares),
      ...naive,
      events: texts.length,
      matchedFraction: matchedEvents / texts.length,
      avgMatches: totalMatches / texts.length,
    },
    results,
    set,
  };
}

/** Time slices of event-ruler and of ours, taken in turns after the warm-up. */
const SLICE_MS = 500;

/**
 * event-ruler on the same rules and event texts, in a JVM of its own (started for this rule count, stopped by PID):
 * warmed up, then timed in slices taken in turns with slices of our rule set on the same texts, so that both meet the
 * same machine load; returns event-ruler's speed (median slice), the median of the paired speed ratios (ours ÷
 * event-ruler) and event-ruler's answers (rule names, sorted).
 */
async function measureRuler(rules: Workload['rules'], texts: string[], set: PatternRuleSet, ours: string[][], label: string):
Promise<{ eps: number; paired: number; warmupS: number; timedS: number; identical: number; excluded: Map<string, number> }> {
  const warmupS = envSeconds('PATTERN_BENCH_WARMUP_S', rules.length >= 1000 ? 20 : 5);
  const timedS = envSeconds('PATTERN_BENCH_TIME_S', 5);
  const ruler = EventRulerClient.start(['-Xms1g', '-Xmx2g']);
  try {
    await ruler.ruleSet('bench', rules.map((r) => [r.name, JSON.stringify(r.pattern)] as const));
    const first = await ruler.bench('bench', texts, warmupS * 1000, 1);
    const theirs: number[] = [];
    const ratios: number[] = [];
    const slices = Math.max(3, Math.round((timedS * 1000) / SLICE_MS));
    for (let slice = 0; slice < slices; slice++) {
      const b = await ruler.bench('bench', undefined, 0, SLICE_MS, false);
      const rulerEps = b.events / (b.nanos / 1e9);
      // the same loop as the harness's: round-robin over the texts, the clock read every 64 events
      let n = 0;
      let i = 0;
      const t0 = performance.now();
      do {
        for (let k = 0; k < 64; k++) {
          sink += set.matchingRules(texts[i]).length;
          i = i + 1 === texts.length ? 0 : i + 1;
        }
        n += 64;
      } while (performance.now() - t0 < SLICE_MS);
      const oursEps = n / ((performance.now() - t0) / 1000);
      theirs.push(rulerEps);
      ratios.push(oursEps / rulerEps);
    }
    const answers = await compareAnswers(ruler, rules, first.results!, ours, texts, label);
    return { eps: median(theirs), paired: median(ratios), warmupS, timedS, ...answers };
  } finally {
    await ruler.close();
  }
}

/**
 * Compares event-ruler's answers with ours (sorted rule names) on every event, while its JVM still runs. A rule on
 * which they differ must fall in a class of docs/event-ruler-differences.md (an event-ruler bug: the same classes
 * the differential test leaves out); any other difference throws. Returns the number of events answered alike and
 * the excluded differences per class.
 */
async function compareAnswers(ruler: EventRulerClient, rules: Workload['rules'], theirs: Array<string[] | string>, ours: string[][],
  texts: string[], label: string): Promise<{ identical: number; excluded: Map<string, number> }> {
  const byName = new Map(rules.map((r) => [r.name, JSON.stringify(r.pattern)]));
  const excluded = new Map<string, number>();
  let identical = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = theirs[i];
    if (typeof t === 'string') {
      throw new Error(`${label}: event-ruler could not read event ${i}: ${t}`);
    }
    const mine = new Set(ours[i]);
    const their = new Set(t);
    const differing = [...new Set([...mine, ...their])].filter((name) => mine.has(name) !== their.has(name));
    if (differing.length === 0) {
      identical++;
      continue;
    }
    for (const name of differing) {
      const pattern = byName.get(name)!;
      const alone = await ruler.match(pattern, [texts[i]]);
      const d: Disagreement = {
        kind: 'ruleset',
        pattern,
        event: texts[i],
        ours: mine.has(name),
        ruler: their.has(name),
        rulerAlone: alone.results?.[0] === true,
        oursAlone: EventPatternEngine.matches(pattern, texts[i]),
      };
      const numbers = [...numberTokens(pattern), ...numberTokens(texts[i])];
      const spelled = numbers.length === 0 ? [] : await ruler.doubles(numbers);
      const cls = classify(d, { doubleToString: (n) => spelled[numbers.indexOf(n)] })
        ?? (d.rulerAlone === d.ruler ? classify({ ...d, kind: 'match' }, { doubleToString: (n) => spelled[numbers.indexOf(n)] }) : undefined);
      if (!cls) {
        throw new Error(`${label}: our engine and event-ruler disagree on event ${i}, rule ${name}: ours ${d.ours}, event-ruler ${d.ruler} `
          + `(rule alone: ours ${d.oursAlone}, event-ruler ${d.rulerAlone})\n  pattern: ${pattern}\n  event: ${texts[i]}`);
      }
      excluded.set(cls.id, (excluded.get(cls.id) ?? 0) + 1);
    }
  }
  return { identical, excluded };
}

/** Build time (best of `times` builds, against the machine's load) and heap retained by the last rule set. */
function buildCost(rules: Workload['rules'], times: number): { ms: number; heapMb: number } {
  let ms = Infinity;
  let heapMb = 0;
  for (let k = 0; k < times; k++) {
    gc();
    const before = process.memoryUsage().heapUsed;
    let set: PatternRuleSet | undefined = new PatternRuleSet();
    ms = Math.min(ms, timeIt(() => {
      for (const r of rules) {
        set!.add(r.name, r.pattern);
      }
    }));
    gc();
    heapMb = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
    if (set.size !== rules.length) {
      throw new Error('rule count mismatch');
    }
    set = undefined;
  }
  return { ms, heapMb };
}

/** event-ruler's build time (best of `times`, in a fresh JVM) and the heap its Machine retains. */
async function rulerBuildCost(rules: Workload['rules'], times: number): Promise<{ ms: number; heapMb: number }> {
  const ruler = EventRulerClient.start(['-Xms1g', '-Xmx2g']);
  try {
    const built = await ruler.ruleSet('build', rules.map((r) => [r.name, JSON.stringify(r.pattern)] as const), times);
    return { ms: built.buildNanos / 1e6, heapMb: built.heapBytes / (1024 * 1024) };
  } finally {
    await ruler.close();
  }
}

function printTable(label: string, rows: Row[], naive: boolean): void {
  console.log('');
  console.log(`${label}:`);
  console.log('rules   | ours ev/s | event-ruler ev/s | ours ÷ event-ruler | ours share of JSON.parse | JSON.parse ev/s | events matched | matches/event | same answers'
    + (naive ? ' | naive matches() ev/s (events)' : ''));
  console.log('--------|-----------|------------------|--------------------|--------------------------|-----------------|----------------|---------------|-------------'
    + (naive ? '|-------------------------------' : ''));
  for (const r of rows) {
    console.log([
      fmt(r.rules).padStart(7),
      fmt(r.ruleSetEps).padStart(9),
      (r.ruler ? fmt(r.ruler.eps) : '-').padStart(16),
      (r.ruler ? `${r.ruler.paired.toFixed(2)}x` : '-').padStart(18),
      `${(r.share * 100).toFixed(1)}%`.padStart(24),
      fmt(r.jsonParseEps).padStart(15),
      `${(r.matchedFraction * 100).toFixed(1)}%`.padStart(14),
      r.avgMatches.toFixed(2).padStart(13),
      (r.ruler ? `${fmt(r.ruler.identical)} of ${fmt(r.events)}` : '-').padStart(12),
      ...(naive && r.naiveEps !== undefined ? [`${fmt(r.naiveEps).padStart(11)} (${fmt(r.naiveSampled!)})`] : []),
    ].join(' | '));
  }
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const eventCount = Number(option(args, '--events') ?? 10000);
  const seed = Number(option(args, '--seed') ?? 2026);
  const rounds = Number(option(args, '--rounds') ?? 7);
  const counts = option(args, '--rules')?.split(',').map(Number) ?? RULE_COUNTS;
  const outDir = option(args, '--write-workload');
  const which = option(args, '--workload') ?? 'both';
  const withRuler = process.env.PATTERN_BENCH_RULER !== '0';
  if (!(global as any).gc) {
    console.log('(run with node --expose-gc for heap figures)');
  }
  const workloads = [
    { name: 'wide', label: 'Wide workload (the field and operator mix of real buses: 2-7 detail fields of 30, every operator, $or, arrays of objects)', generate: generateWideWorkload, naive: false },
    { name: 'narrow', label: 'Narrow workload (the original: source, detail-type and 0-3 detail filters)', generate: generateWorkload, naive: true },
  ].filter((w) => which === 'both' || which === w.name);

  console.log(`Node ${process.version}; seed ${seed}; ${fmt(eventCount)} event texts per rule count; ${rounds} rounds of ${CHUNK}-event chunks`
    + (withRuler ? `; event-ruler 2.0.1 in a fresh JVM per rule count (${process.env.PATTERN_BENCH_WARMUP_S ?? '5 / 20'} s warm-up, ${process.env.PATTERN_BENCH_TIME_S ?? 5} s timed)` : '; event-ruler left out'));
  for (const w of workloads) {
    const rows: Row[] = [];
    let largest: Workload | undefined;
    let bytes = 0;
    for (const n of counts) {
      const workload = w.generate(seed + n, n, eventCount);
      const texts = workload.events.map((e) => JSON.stringify(e));
      bytes = texts.reduce((sum, t) => sum + t.length, 0) / texts.length;
      if (outDir) {
        fs.mkdirSync(outDir, { recursive: true });
        fs.writeFileSync(path.join(outDir, `${w.name}-rules-${n}.json`), JSON.stringify(workload.rules, null, 1));
        fs.writeFileSync(path.join(outDir, `${w.name}-events-${n}.json`), JSON.stringify(workload.events));
      }
      const { row, results, set } = measure(workload.rules, texts, rounds, w.naive);
      const ruler = withRuler ? await measureRuler(workload.rules, texts, set, results, `${w.name} workload, ${fmt(n)} rules`) : undefined;
      rows.push({ ...row, ruler });
      largest = workload;
    }
    printTable(`${w.label}; ${fmt(bytes)} characters per event on average`, rows, w.naive);
    for (const r of rows.filter((x) => x.ruler && x.ruler.excluded.size > 0)) {
      console.log(`  ${fmt(r.rules)} rules: answers differ on ${fmt(r.events - r.ruler!.identical)} events, only in classes of `
        + `docs/event-ruler-differences.md (rule × event pairs): ${[...r.ruler!.excluded].map(([id, k]) => `${id} ${k}`).join(', ')}`);
    }
    const build = buildCost(largest!.rules, 3);
    const rulerBuild = withRuler ? await rulerBuildCost(largest!.rules, 3) : undefined;
    console.log(`Build ${fmt(largest!.rules.length)}-rule set (best of 3 builds; heap retained after full GCs): ours ${build.ms.toFixed(0)} ms, `
      + `${build.heapMb.toFixed(1)} MB` + (rulerBuild ? `; event-ruler ${rulerBuild.ms.toFixed(0)} ms, ${rulerBuild.heapMb.toFixed(1)} MB` : ''));
  }
  console.log('');
  console.log('(ours and JSON.parse: after a second of untimed passes, chunks of events timed alternately with both; ev/s from the');
  console.log(' median chunk times, share = median of the paired chunk ratios. event-ruler: rulesForJSONEvent on the same texts in');
  console.log(` its JVM after the warm-up, in ${SLICE_MS} ms slices taken in turns with ${SLICE_MS} ms slices of ours; event-ruler ev/s = median slice,`);
  console.log(' ours ÷ event-ruler = median of the paired slice ratios. Answers compared on every event: same answers = events on');
  console.log(' which both give the same rule names; any other difference must be of a class of docs/event-ruler-differences.md');
  console.log(' (event-ruler bugs; listed under the table) or the benchmark fails.');
  console.log(' Naive loop: events sampled to ~1M rule evaluations per row; its answers equal the rule set\'s.)');
  if (outDir) {
    console.log(`Workload written to ${outDir}`);
  }
  if (sink < 0) {
    console.log(sink);
  }
}
