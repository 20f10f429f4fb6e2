/**
 * Differential test: our pattern engine against aws/event-ruler itself (tools/event-ruler-harness, a JVM).
 *
 * - Seeded random patterns (every operator and their combinations, `$or`, nested fields, arrays of objects, Unicode,
 *   numbers of every spelling, invalid parts) and events aimed at them: the accept/refuse decision of every pattern
 *   and the answer for every pattern × event pair, from `EventPatternEngine` and from event-ruler's `new Machine()`.
 * - The same patterns in batches as one `PatternRuleSet` and one event-ruler Machine: the rule names each event matches.
 * - Every case of the conformance suite (test/patterns/data).
 *
 * Disagreements of the classes in ./excluded-classes.ts (docs/event-ruler-differences.md) are counted and left out;
 * any other disagreement fails, printed with the seed, the pattern and the event.
 *
 * Run by `npm run test:differential` (builds the harness with Maven first), not by `npm test`: it needs a JDK.
 * Environment: DIFFERENTIAL_SEED (default 20261206; "random" for a new one), DIFFERENTIAL_PAIRS (default 24000).
 */
import * as fs from 'fs';
import { performance } from 'perf_hooks';
import { classify, Disagreement, EXCLUDED_CLASSES, JvmFacts, numberTokens } from './excluded-classes';
import { generateEvents, generatePattern, GeneratedPattern } from './generator';
import { Random } from '../../../bench/pattern-workload';
import { EventPatternEngine, PatternRuleSet } from '../../../src/patterns';
import { loadCases } from '../conformance-cases';
import { EventRulerClient } from '../event-ruler/event-ruler-client';

const SEED = process.env.DIFFERENTIAL_SEED === 'random'
  ? Math.floor(Math.random() * 2 ** 31)
  : Number(process.env.DIFFERENTIAL_SEED ?? 20261206);
const PAIRS = Number(process.env.DIFFERENTIAL_PAIRS ?? 24000);
const EVENTS_PER_PATTERN = 16;
const BATCH = 250;
/** The quota checks are EventBridge's, not event-ruler's: the random patterns are compared without them. */
const NO_QUOTAS = { maxLength: 1_000_000, maxOrCombinations: 100_000 };

jest.setTimeout(600_000);

let ruler: EventRulerClient;
beforeAll(() => {
  ruler = EventRulerClient.start(['-Xss4m']);
});
afterAll(async () => {
  await ruler?.close();
});

/**
 * Collects disagreements; `settle` asks event-ruler what the classes need (its answer for a rule alone, the JVM's
 * spelling of the numbers involved), then counts the excluded ones per class and keeps the others for the failure
 * message.
 */
class Tally {
  public readonly excluded = new Map<string, number>();
  public readonly unexplained: string[] = [];
  public unexplainedCount = 0;
  private readonly pending: Array<{ d: Disagreement; context: string }> = [];

  constructor(private readonly label: string) {}

  public add(d: Disagreement, context: string): void {
    this.pending.push({ d, context });
  }

  public async settle(): Promise<void> {
    const items = await Promise.all(this.pending.splice(0).map(async ({ d, context }) => {
      if (d.kind !== 'ruleset') {
        return { d, context };
      }
      const alone = await ruler.match(d.pattern, [d.event!]);
      return { d: { ...d, rulerAlone: alone.results?.[0] === true, oursAlone: ourMatch(d.pattern, d.event!) === true }, context };
    }));
    const numbers = [...new Set(items.flatMap(({ d }) => [...numberTokens(d.pattern), ...numberTokens(d.event)]))]
      .filter((n) => Number.isFinite(Number(n)));
    const spelled = numbers.length === 0 ? [] : await ruler.doubles(numbers);
    const jvm: JvmFacts = { doubleToString: (n) => { const k = numbers.indexOf(n); return k === -1 ? undefined : spelled[k]; } };
    for (const { d, context } of items) {
      this.classify(d, context, jvm);
    }
  }

  public report(): string {
    const excluded = [...this.excluded].map(([id, n]) => `${id}: ${n}`).join(', ') || 'none';
    return `${this.label}: excluded disagreements (${excluded}); unexplained: ${this.unexplainedCount}`;
  }

  public failure(): string {
    return this.unexplainedCount === 0 ? '' : `${this.unexplainedCount} unexplained disagreement(s) with event-ruler, seed ${SEED}:\n\n${this.unexplained.join('\n\n')}`;
  }

  private classify(d: Disagreement, context: string, jvm: JvmFacts): void {
    const cls = classify(d, jvm);
    if (cls) {
      this.excluded.set(cls.id, (this.excluded.get(cls.id) ?? 0) + 1);
      return;
    }
    this.unexplainedCount++;
    if (process.env.DIFFERENTIAL_DUMP) {
      fs.appendFileSync(process.env.DIFFERENTIAL_DUMP, JSON.stringify({ ...d, context }) + '\n');
    }
    if (this.unexplained.length < 25) {
      this.unexplained.push([
        `${d.kind}: ours ${d.ours}, event-ruler ${d.ruler}${d.rulerAlone !== undefined ? ` (rule alone: ours ${d.oursAlone}, event-ruler ${d.rulerAlone})` : ''} (${context})`,
        `  pattern: ${d.pattern}`,
        ...(d.event !== undefined ? [`  event:   ${d.event}`] : []),
        ...(d.ourProblems?.length ? [`  our problems: ${d.ourProblems.join(' | ')}`] : []),
        ...(d.rulerError ? [`  event-ruler: ${d.rulerError}`] : []),
      ].join('\n'));
    }
  }
}

function ourMatch(pattern: string, event: string): boolean | string {
  try {
    return EventPatternEngine.matches(pattern, event);
  } catch (e) {
    return `error: ${(e as Error).message}`;
  }
}

describe('our engine against event-ruler', () => {
  test(`seeded random patterns and events (seed ${SEED}, at least ${PAIRS} pairs)`, async () => {
    const t0 = performance.now();
    const r = new Random(SEED);
    const tally = new Tally('random');
    let pairs = 0;
    let refused = 0;
    let matched = 0;
    let ruleSetAnswers = 0;
    let batchNo = 0;
    while (pairs < PAIRS) {
      const batch: Array<{ p: GeneratedPattern; events: string[] }> = [];
      for (let i = 0; i < BATCH; i++) {
        const p = generatePattern(r);
        batch.push({ p, events: generateEvents(r, p, EVENTS_PER_PATTERN) });
      }
      const answers = await Promise.all(batch.map(({ p, events }) => ruler.match(p.text, events)));
      const accepted: Array<{ name: string; text: string }> = [];
      batch.forEach(({ p, events }, i) => {
        const answer = answers[i];
        const problems = EventPatternEngine.validate(p.text, NO_QUOTAS).map((x) => x.message);
        const oursOk = problems.length === 0;
        pairs++;
        if (oursOk !== answer.ok) {
          tally.add({ kind: 'validate', pattern: p.text, ours: oursOk, ruler: answer.ok, ourProblems: problems, rulerError: answer.error }, `batch ${batchNo}`);
          return;
        }
        if (!oursOk) {
          refused++;
          return;
        }
        accepted.push({ name: `r${i}`, text: p.text });
        events.forEach((event, j) => {
          pairs++;
          const theirs = answer.results![j];
          const ours = ourMatch(p.text, event);
          if (ours === true) {
            matched++;
          }
          const bothErrors = typeof ours === 'string' && typeof theirs === 'string';
          if (!bothErrors && ours !== theirs) {
            tally.add({
              kind: 'match',
              pattern: p.text,
              event,
              ours: ours === true,
              ruler: theirs === true,
              rulerError: typeof theirs === 'string' ? theirs : undefined,
              ourProblems: typeof ours === 'string' ? [ours] : undefined,
            }, `batch ${batchNo}`);
          }
        });
      });

      // the accepted patterns of the batch as one rule set on both sides, asked about every event of the batch
      const set = new PatternRuleSet(NO_QUOTAS);
      accepted.forEach((a) => set.add(a.name, a.text));
      const id = `batch${batchNo}`;
      await ruler.ruleSet(id, accepted.map((a) => [a.name, a.text] as const));
      const events = batch.flatMap((b) => b.events);
      const theirs = await ruler.query(id, events);
      await ruler.drop(id);
      const byName = new Map(accepted.map((a) => [a.name, a.text]));
      events.forEach((event, j) => {
        const t = theirs[j];
        if (typeof t === 'string') {
          return; // an event event-ruler cannot read: compared pair by pair above
        }
        ruleSetAnswers++;
        const ours = new Set(set.matchingRules(event));
        const their = new Set(t);
        for (const name of new Set([...ours, ...their])) {
          if (ours.has(name) !== their.has(name)) {
            tally.add({ kind: 'ruleset', pattern: byName.get(name)!, event, ours: ours.has(name), ruler: their.has(name) }, `${id}, rule ${name}`);
          }
        }
      });
      batchNo++;
    }
    await tally.settle();
    const seconds = (performance.now() - t0) / 1000;
    console.log(`differential (seed ${SEED}): ${pairs} pairs (patterns compared on accept/refuse plus pattern × event answers), `
      + `${refused} patterns refused by both, ${matched} pairs matched, ${ruleSetAnswers} rule-set answers (${batchNo} rule sets); `
      + `${seconds.toFixed(1)} s\n${tally.report()}`);
    expect(pairs).toBeGreaterThanOrEqual(PAIRS);
    expect(tally.failure()).toBe('');
  });

  test('every conformance case', async () => {
    const tally = new Tally('conformance');
    const cases = loadCases();
    const texts = cases.map((c) => ({
      c,
      pattern: c.pattern_raw ?? JSON.stringify(c.pattern),
      event: c.valid === false ? undefined : (c.event_raw ?? JSON.stringify(c.event)),
    }));
    const answers = await Promise.all(texts.map((t) => ruler.match(t.pattern, t.event === undefined ? [] : [t.event])));
    let compared = 0;
    texts.forEach(({ c, pattern, event }, i) => {
      const answer = answers[i];
      const problems = EventPatternEngine.validate(pattern).map((x) => x.message);
      compared++;
      if ((problems.length === 0) !== answer.ok) {
        tally.add({ kind: 'validate', pattern, ours: problems.length === 0, ruler: answer.ok, ourProblems: problems, rulerError: answer.error }, c.id);
        return;
      }
      if (event !== undefined && answer.ok) {
        const ours = ourMatch(pattern, event);
        if (ours !== answer.results![0]) {
          tally.add({ kind: 'match', pattern, event, ours: ours === true, ruler: answer.results![0] === true }, c.id);
        }
      }
    });
    await tally.settle();
    console.log(`conformance: ${compared} cases compared with event-ruler\n${tally.report()}`);
    expect(compared).toBe(cases.length);
    expect(tally.failure()).toBe('');
  });

  test('every excluded class says why and where', () => {
    for (const c of EXCLUDED_CLASSES) {
      expect(c.reason.length).toBeGreaterThan(20);
      expect(c.source).toMatch(/https:\/\//);
    }
  });

  // each example in a JVM of its own: event-ruler keeps state across Machines, so what ran before could change its answer
  test.each(EXCLUDED_CLASSES.filter((c) => c.example).map((c) => [c.id, c] as const))('%s: event-ruler really answers otherwise, and the class says so', async (id, c) => {
    const fresh = EventRulerClient.start();
    try {
      await checkExample(fresh, id, c.example!);
    } finally {
      await fresh.close();
    }
  });
});

async function checkExample(jvm: EventRulerClient, id: string, example: { readonly pattern: string; readonly event?: string }): Promise<void> {
  {
    const { pattern, event } = example;
    let d: Disagreement;
    if (event === undefined) {
      const quotas = id === 'eventbridge-quotas' ? {} : NO_QUOTAS;
      const problems = EventPatternEngine.validate(pattern, quotas).map((p) => p.message);
      const verdict = await jvm.validate(pattern);
      d = { kind: 'validate', pattern, ours: problems.length === 0, ruler: verdict.ok, ourProblems: problems, rulerError: verdict.error };
    } else {
      const answer = await jvm.match(pattern, [event]);
      d = { kind: 'match', pattern, event, ours: ourMatch(pattern, event) === true, ruler: answer.results?.[0] === true };
    }
    const numbers = [...numberTokens(pattern), ...numberTokens(event)];
    const spelled = numbers.length === 0 ? [] : await jvm.doubles(numbers);
    const facts: JvmFacts = { doubleToString: (n) => spelled[numbers.indexOf(n)] };
    if (id === 'jdk-double-to-string' && spelled[0] !== '1.0E-323') {
      // a JDK 19+ spells the double of 1e-323 9.9E-324, as we do: no disagreement there
      expect(d.ours).toBe(d.ruler);
      return;
    }
    expect(d.ours).not.toBe(d.ruler);
    expect(classify(d, facts)?.id).toBe(id);
  }
}
