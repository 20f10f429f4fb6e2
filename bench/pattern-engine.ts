/**
 * Benchmark of the EventBridge pattern engine: PatternRuleSet (indexed) against
 * a naive loop calling EventPatternEngine.matches rule by rule, on a seeded,
 * realistic workload.
 *
 * Options:
 *   --write-workload <dir>   also write rules-<n>.json and events-<n>.json to <dir> (bench/out/ is gitignored)
 *   --events <n>             events per rule count (default 10000)
 *   --seed <n>               workload seed (default 2026)
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { generateWorkload, Workload } from './pattern-workload';
import { EventPatternEngine, PatternRuleSet } from '../src/pattern-matching';
import { evaluatePattern } from '../src/pattern-matching/private/evaluator';
import { flattenEvent, pathPrefixes } from '../src/pattern-matching/private/event-flattener';
import { CompiledPattern } from '../src/pattern-matching/private/model';
import { compileOrThrow } from '../src/pattern-matching/private/prepare';

const RULE_COUNTS = [1, 100, 1000, 10000];
/** Rule evaluations the naive loops may spend per rule count; beyond that, events are sampled. */
const NAIVE_BUDGET = 1_000_000;

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

function timeIt(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

interface Row {
  readonly rules: number;
  readonly ruleSetEps: number;
  readonly naiveEps: number;
  readonly naiveSampled: number;
  readonly precompiledEps: number;
  readonly matchedFraction: number;
  readonly avgMatches: number;
}

function measure(workload: Workload): Row {
  const { rules, events } = workload;
  const set = new PatternRuleSet();
  for (const r of rules) {
    set.add(r.name, r.pattern);
  }
  // warm up (one untimed pass, so the JIT has compiled the hot paths), then time the rule set over every event
  for (let i = 0; i < events.length; i++) {
    set.matchingRules(events[i]);
  }
  let matchedEvents = 0;
  let totalMatches = 0;
  const results: string[][] = new Array(events.length);
  const ms = timeIt(() => {
    for (let i = 0; i < events.length; i++) {
      results[i] = set.matchingRules(events[i]);
    }
  });
  for (const r of results) {
    totalMatches += r.length;
    if (r.length > 0) {
      matchedEvents++;
    }
  }

  // naive loop: EventPatternEngine.matches(pattern, event) for every rule (validates and compiles each time)
  const sample = Math.max(1, Math.min(events.length, Math.floor(NAIVE_BUDGET / rules.length)));
  const naive: string[][] = [];
  const naiveMs = timeIt(() => {
    for (let i = 0; i < sample; i++) {
      const out: string[] = [];
      for (const r of rules) {
        if (EventPatternEngine.matches(r.pattern, events[i])) {
          out.push(r.name);
        }
      }
      naive.push(out);
    }
  });
  for (let i = 0; i < sample; i++) {
    if (JSON.stringify(naive[i]) !== JSON.stringify(results[i])) {
      throw new Error(`rule set and naive loop disagree on event ${i}: ${JSON.stringify(results[i])} vs ${JSON.stringify(naive[i])}`);
    }
  }

  // fairer baseline: every pattern compiled once, then evaluated rule by rule
  const compiled: Array<[string, CompiledPattern, Set<string>]> = rules.map((r) => {
    const c = compileOrThrow(r.pattern);
    return [r.name, c, new Set(pathPrefixes(c.paths))];
  });
  const preMs = timeIt(() => {
    for (let i = 0; i < sample; i++) {
      for (const [, c, relevant] of compiled) {
        evaluatePattern(c, flattenEvent(events[i], relevant));
      }
    }
  });

  return {
    rules: rules.length,
    ruleSetEps: events.length / (ms / 1000),
    naiveEps: sample / (naiveMs / 1000),
    naiveSampled: sample,
    precompiledEps: sample / (preMs / 1000),
    matchedFraction: matchedEvents / events.length,
    avgMatches: totalMatches / events.length,
  };
}

function buildCost(workload: Workload): { ms: number; heapMb: number } {
  gc();
  const before = process.memoryUsage().heapUsed;
  let set: PatternRuleSet | undefined = new PatternRuleSet();
  const ms = timeIt(() => {
    for (const r of workload.rules) {
      set!.add(r.name, r.pattern);
    }
  });
  gc();
  const heapMb = (process.memoryUsage().heapUsed - before) / (1024 * 1024);
  if (set.size !== workload.rules.length) {
    throw new Error('rule count mismatch');
  }
  set = undefined;
  return { ms, heapMb };
}

/** Runs the benchmark. */
export async function run(args: string[]): Promise<void> {
  const eventCount = Number(option(args, '--events') ?? 10000);
  const seed = Number(option(args, '--seed') ?? 2026);
  const outDir = option(args, '--write-workload');
  if (!(global as any).gc) {
    console.log('(run with node --expose-gc for heap figures)');
  }
  console.log(`Node ${process.version}; seed ${seed}; ${fmt(eventCount)} events per rule count`);

  const rows: Row[] = [];
  let largest: Workload | undefined;
  for (const n of RULE_COUNTS) {
    const workload = generateWorkload(seed + n, n, eventCount);
    if (outDir) {
      fs.mkdirSync(outDir, { recursive: true });
      fs.writeFileSync(path.join(outDir, `rules-${n}.json`), JSON.stringify(workload.rules, null, 1));
      fs.writeFileSync(path.join(outDir, `events-${n}.json`), JSON.stringify(workload.events));
    }
    rows.push(measure(workload));
    largest = workload;
  }

  console.log('');
  console.log('rules   | rule set ev/s | naive matches() ev/s (events sampled) | ratio   | precompiled loop ev/s | ratio  | events matched | matches/event');
  console.log('--------|---------------|--------------------------------------|---------|-----------------------|--------|----------------|--------------');
  for (const r of rows) {
    console.log([
      fmt(r.rules).padStart(7),
      fmt(r.ruleSetEps).padStart(13),
      `${fmt(r.naiveEps).padStart(12)} (${fmt(r.naiveSampled)}${r.naiveSampled < eventCount ? ', extrapolated' : ''})`.padEnd(36),
      `${(r.ruleSetEps / r.naiveEps).toFixed(1)}x`.padStart(7),
      fmt(r.precompiledEps).padStart(21),
      `${(r.ruleSetEps / r.precompiledEps).toFixed(1)}x`.padStart(6),
      `${(r.matchedFraction * 100).toFixed(1)}%`.padStart(14),
      r.avgMatches.toFixed(2).padStart(12),
    ].join(' | '));
  }
  console.log('(rule set: steady state after one untimed pass; naive loops: events sampled to ~1M rule evaluations per row,');
  console.log(' extrapolated to events/s; rule set and naive loop results were compared on every sampled event: they agree)');

  const build = buildCost(largest!);
  console.log('');
  console.log(`Build ${fmt(largest!.rules.length)}-rule set: ${build.ms.toFixed(0)} ms, heap retained ${build.heapMb.toFixed(1)} MB`);
  if (outDir) {
    console.log(`Workload written to ${outDir}`);
  }
}
