import { ChildProcess, spawn } from 'child_process';
import jsonata from 'jsonata';
import { FastJsonata, FastJsonataFallback, fastJsonata, unsafeJsonataReason } from './safe-jsonata';

/**
 * The hard bounds of one JSONata evaluation in the offline router. jsonata's own options (`timeout`, `stack`,
 * `sequence`) are checked between steps of an evaluation only, so a built-in function can escape them: a regular
 * expression that backtracks for ever (`$match`), a `$pad` of a billion characters. So evaluations run in a child
 * process with a heap of its own; one that runs too long is killed (a worker thread would not do: V8 cannot interrupt
 * a backtracking regular expression, and the process could then not even exit), one that runs out of memory dies,
 * and either is reported as the subscriber's transform error while the router goes on with a new child.
 * Only an expression PROVED of bounded cost by a walk of its syntax tree (safe-jsonata.ts: paths of field names,
 * constructors, literals, operators of bounded cost, a fixed list of built-ins; no regular expression, no `$pad`, no
 * function definition) is evaluated in this process, under the same output bound.
 */
export const JSONATA_BOUNDS = {
  /** Wall time of one evaluation, in milliseconds. */
  timeoutMs: 5_000,
  /** The child's old-generation heap, in MiB. */
  maxHeapMb: 256,
  /** The evaluation's result as JSON text, in bytes: the largest event a Custom Event Bus takes is 1 MB. */
  maxOutputBytes: 1024 * 1024,
  /** jsonata's own bounds, checked between steps: milliseconds, call depth, items in one sequence. */
  jsonata: { timeout: 2_000, stack: 500, sequence: 100_000 },
  /** The most evaluations sent to the child in one message (one round trip). */
  maxBatchEvaluations: 512,
  /** The most input JSON text sent to the child in one message, in bytes (one larger input goes alone). */
  maxBatchInputBytes: 4 * 1024 * 1024,
  /** The child reports the results it has every so often (milliseconds of work) during a long batch. */
  progressMs: 100,
} as const;

/*
 * Batching. Evaluations asked for in the same turn of the event loop (the router asks for every matching subscriber
 * of a window of events at once) go to the child in one message, one batch in flight at a time:
 * - each expression is sent once per child and then named by its id; the child keeps it compiled;
 * - each distinct input (and binding value) is serialized once per batch, however many evaluations read it: the
 *   router binds `$events` to the input itself, and several subscribers read the same event;
 * - the message is one JSON text, sent with V8's serializer (a string is copied, not re-escaped).
 * The child evaluates the batch in order and sends its results at the end, and every `progressMs` of work before
 * that. The time bound runs from the last message: when the child is silent for `timeoutMs`, or dies (out of memory),
 * the evaluations it has not answered are sent again one at a time, each to a new child with the full bounds (a batch
 * of one is not sent again: it had them); so
 * the offending evaluation fails alone with the reason, exactly as an evaluation sent alone always has, and the
 * others are unaffected.
 */

/** The child: compiles (and keeps) expressions by id, evaluates a batch, returns each result as bounded JSON text. */
const CHILD_SOURCE = `
const bounds = JSON.parse(process.env.BOUNDED_JSONATA_BOUNDS);
const jsonata = require(process.env.BOUNDED_JSONATA_MODULE);
let compiled = new Map();
function message(e) { return String((e && e.message) || e).slice(0, 500); }
process.on('message', async (text) => {
  const batch = JSON.parse(text);
  if (batch.reset) compiled = new Map();
  for (const [id, expression] of batch.define) {
    try { compiled.set(id, { program: jsonata(expression, bounds.jsonata) }); } catch (e) { compiled.set(id, { error: message(e) }); }
  }
  let results = [];
  let from = 0;
  let last = Date.now();
  for (const [id, inputIndex, bindingIndexes] of batch.evaluations) {
    try {
      const entry = compiled.get(id);
      if (entry.error !== undefined) throw new Error(entry.error);
      const bindings = {};
      for (const [name, index] of bindingIndexes) bindings[name] = index < 0 ? undefined : batch.inputs[index];
      const value = await entry.program.evaluate(inputIndex < 0 ? undefined : batch.inputs[inputIndex], bindings);
      const out = value === undefined ? undefined : JSON.stringify(value);
      if (out !== undefined && Buffer.byteLength(out, 'utf8') > bounds.maxOutputBytes) {
        throw new Error('the result is larger than ' + bounds.maxOutputBytes + ' bytes');
      }
      results.push(out === undefined ? [1] : [1, out]);
    } catch (e) {
      results.push([0, message(e)]);
    }
    if (Date.now() - last >= bounds.progressMs) {
      process.send({ from, results });
      from += results.length;
      results = [];
      last = Date.now();
    }
  }
  process.send({ from, results, done: true });
});
process.on('disconnect', () => process.exit(0));
`;

interface Job {
  readonly expression: string;
  readonly input: unknown;
  readonly bindings: Record<string, unknown>;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  /** Sent alone: it was unanswered in a batch whose child was stopped. */
  solo: boolean;
  done: boolean;
}

interface Batch {
  readonly jobs: Job[];
  timer?: NodeJS.Timeout;
}

type ChildResult = [0, string] | [1] | [1, string];

let child: ChildProcess | undefined;
/** The ids of the expressions the current child has compiled. */
let childExpressions = new Map<string, number>();
let nextExpressionId = 0;
let queue: Job[] = [];
let inFlight: Batch | undefined;
let flushScheduled = false;

/** What went to the child so far (for the tests): messages, evaluations, expressions compiled, inputs serialized. */
export const childTraffic = { batches: 0, evaluations: 0, definitions: 0, inputs: 0, restarts: 0 };

/** Most expressions a child keeps compiled (then it starts over). */
const MAX_CHILD_EXPRESSIONS = 1000;

/** Kills the child (if it still runs); the evaluations it had not answered fail with `reason`, or go again alone. */
function stop(reason: string): void {
  const c = child;
  child = undefined;
  childExpressions = new Map();
  if (c !== undefined) childTraffic.restarts++;
  const batch = inFlight;
  inFlight = undefined;
  c?.kill('SIGKILL');
  if (batch !== undefined) {
    clearTimeout(batch.timer);
    const unanswered = batch.jobs.filter((j) => !j.done);
    if (batch.jobs.length === 1) {
      // It ran alone with the full bounds: it is the offender.
      finish(batch.jobs[0], undefined, reason);
    } else {
      for (const j of unanswered) {
        j.solo = true;
      }
      queue = [...unanswered, ...queue];
    }
  }
  scheduleFlush();
}

function finish(job: Job, text: string | undefined, error?: string): void {
  if (job.done) return;
  job.done = true;
  if (error !== undefined) {
    job.reject(new Error(error));
  } else {
    job.resolve(text === undefined ? undefined : JSON.parse(text));
  }
}

function ensureChild(): ChildProcess {
  if (child !== undefined) {
    return child;
  }
  const c = spawn(process.execPath, [`--max-old-space-size=${JSONATA_BOUNDS.maxHeapMb}`, '-e', CHILD_SOURCE], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    serialization: 'advanced',
    env: {
      PATH: process.env.PATH ?? '',
      BOUNDED_JSONATA_MODULE: require.resolve('jsonata'),
      BOUNDED_JSONATA_BOUNDS: JSON.stringify(JSONATA_BOUNDS),
    },
  });
  // An idle child never keeps the process alive; a batch in flight's timer does.
  c.unref();
  (c.channel as { unref?: () => void } | undefined)?.unref?.();
  c.on('message', (message: { from: number; results: ChildResult[]; done?: boolean }) => {
    const batch = inFlight;
    if (child !== c || batch === undefined) return;
    message.results.forEach((r, k) => {
      const job = batch.jobs[message.from + k];
      if (job !== undefined) finish(job, r[0] === 1 ? r[1] : undefined, r[0] === 1 ? undefined : r[1]);
    });
    clearTimeout(batch.timer);
    if (message.done) {
      inFlight = undefined;
      scheduleFlush();
    } else {
      batch.timer = deadline();
    }
  });
  c.on('exit', (code, signal) => {
    if (child !== c) return;
    // V8 ends a process whose heap is full with a fatal error (SIGABRT or exit code 134).
    stop(signal === 'SIGABRT' || code === 134
      ? `the evaluation ran out of its ${JSONATA_BOUNDS.maxHeapMb} MiB of memory and was stopped`
      : `the evaluation was stopped (its process exited${signal ? ` on ${signal}` : ` with code ${code}`})`);
  });
  c.on('error', (e) => {
    if (child === c) stop(`the evaluation could not run: ${String(e.message).slice(0, 200)}`);
  });
  child = c;
  return c;
}

function deadline(): NodeJS.Timeout {
  return setTimeout(() => stop(`the evaluation took longer than ${JSONATA_BOUNDS.timeoutMs} ms and was stopped`), JSONATA_BOUNDS.timeoutMs);
}

function scheduleFlush(): void {
  if (!flushScheduled && queue.length > 0) {
    flushScheduled = true;
    // After the current turn's I/O callbacks: the evaluations asked for meanwhile join the batch.
    setImmediate(flush);
  }
}

/** Sends the next batch: a job that must go alone, or as many jobs as the batch bounds allow. */
function flush(): void {
  flushScheduled = false;
  if (inFlight !== undefined || queue.length === 0) {
    return;
  }
  const c = ensureChild();
  let reset = false;
  if (childExpressions.size >= MAX_CHILD_EXPRESSIONS) {
    childExpressions = new Map();
    reset = true;
  }
  const jobs: Job[] = [];
  const define: Array<[number, string]> = [];
  const evaluations: Array<[number, number, Array<[string, number]>]> = [];
  const inputs: string[] = [];
  let inputBytes = 0;
  const byObject = new Map<unknown, number>();
  const byText = new Map<string, number>();
  const inputIndex = (value: unknown): number => {
    if (value === undefined) return -1;
    const known = typeof value === 'object' && value !== null ? byObject.get(value) : undefined;
    if (known !== undefined) return known;
    const text = JSON.stringify(value);
    if (text === undefined) return -1;
    let index = byText.get(text);
    if (index === undefined) {
      index = inputs.push(text) - 1;
      inputBytes += text.length;
      byText.set(text, index);
    }
    if (typeof value === 'object' && value !== null) byObject.set(value, index);
    return index;
  };
  let taken = 0;
  for (; taken < queue.length; taken++) {
    const job = queue[taken];
    if (jobs.length > 0 && (job.solo || jobs[0].solo || jobs.length >= JSONATA_BOUNDS.maxBatchEvaluations
      || inputBytes >= JSONATA_BOUNDS.maxBatchInputBytes)) {
      break;
    }
    if (job.done) continue;
    let id = childExpressions.get(job.expression);
    if (id === undefined) {
      id = ++nextExpressionId;
      childExpressions.set(job.expression, id);
      define.push([id, job.expression]);
    }
    let evaluation: [number, number, Array<[string, number]>];
    try {
      evaluation = [id, inputIndex(job.input), Object.entries(job.bindings).map(([name, value]) => [name, inputIndex(value)])];
    } catch (e) {
      finish(job, undefined, `the input cannot be serialized: ${String((e as Error)?.message ?? e).slice(0, 200)}`);
      continue;
    }
    jobs.push(job);
    evaluations.push(evaluation);
  }
  queue = queue.slice(taken);
  if (jobs.length === 0) {
    scheduleFlush();
    return;
  }
  const batch: Batch = { jobs };
  batch.timer = deadline();
  inFlight = batch;
  const text = `{"reset":${reset},"define":${JSON.stringify(define)},"evaluations":${JSON.stringify(evaluations)},"inputs":[${inputs.join(',')}]}`;
  childTraffic.batches++;
  childTraffic.evaluations += jobs.length;
  childTraffic.definitions += define.length;
  childTraffic.inputs += inputs.length;
  c.send(text);
}

/** An expression proved safe (see safe-jsonata.ts): jsonata's program, and the synchronous one when it has one. */
interface SafeProgram {
  readonly program: jsonata.Expression;
  readonly fast?: FastJsonata;
}

/** In-process programs of the expressions proved safe; `null` for those that are not. */
const inProcess = new Map<string, SafeProgram | null>();
const MAX_IN_PROCESS_EXPRESSIONS = 1000;

/** The compiled program when the expression is proved of bounded cost, else undefined (it goes to the child). */
function safeProgram(expression: string): SafeProgram | undefined {
  let safe = inProcess.get(expression);
  if (safe === undefined) {
    try {
      const program = jsonata(expression, JSONATA_BOUNDS.jsonata as any);
      const ast = program.ast();
      safe = unsafeJsonataReason(ast) === undefined ? { program, fast: fastJsonata(ast, JSONATA_BOUNDS.jsonata.sequence) } : null;
    } catch {
      // It does not parse: the child reports the parser's error, as for any other.
      safe = null;
    }
    if (inProcess.size >= MAX_IN_PROCESS_EXPRESSIONS) inProcess.clear();
    inProcess.set(expression, safe);
  }
  return safe ?? undefined;
}

/** Evaluates a safe program here, with the child's output bound and the same JSON result. */
async function evaluateHere(safe: SafeProgram, input: unknown, bindings: Record<string, unknown>): Promise<unknown> {
  let value: unknown;
  try {
    value = fastValue(safe, input, bindings);
    if (value === FALLBACK) {
      value = await safe.program.evaluate(input, bindings);
    }
  } catch (e: any) {
    throw new Error(String((e && e.message) || e).slice(0, 500));
  }
  const text = value === undefined ? undefined : JSON.stringify(value);
  if (text !== undefined && Buffer.byteLength(text, 'utf8') > JSONATA_BOUNDS.maxOutputBytes) {
    throw new Error(`the result is larger than ${JSONATA_BOUNDS.maxOutputBytes} bytes`);
  }
  return text === undefined ? undefined : JSON.parse(text);
}

const FALLBACK = Symbol('evaluate with jsonata');

/** The synchronous evaluator's value, or FALLBACK when jsonata must evaluate (no fast form, an array input, a bound). */
function fastValue(safe: SafeProgram, input: unknown, bindings: Record<string, unknown>): unknown {
  if (safe.fast === undefined || Array.isArray(input)) {
    return FALLBACK;
  }
  try {
    return safe.fast(input, Object.prototype.hasOwnProperty.call(bindings, 'events') ? bindings.events : undefined);
  } catch (e) {
    if (e instanceof FastJsonataFallback) return FALLBACK;
    throw e;
  }
}

/**
 * Evaluates a JSONata expression under JSONATA_BOUNDS. Resolves with the result as plain JSON (sequences become
 * arrays), or `undefined` when the expression yields nothing; rejects with the reason when a bound is reached or the
 * expression fails. An expression proved of bounded cost (safe-jsonata.ts) is evaluated in this process; any other
 * in the bounded child, batched with the evaluations asked for in the same turn.
 */
export function evaluateJsonataBounded(expression: string, input: unknown, bindings: Record<string, unknown>): Promise<unknown> {
  const safe = safeProgram(expression);
  if (safe !== undefined) {
    return evaluateHere(safe, input, bindings);
  }
  return evaluateInChild(expression, input, bindings);
}

/** Evaluates in the bounded child, whatever the expression (the tests use it to check the child's bounds). */
export function evaluateInChild(expression: string, input: unknown, bindings: Record<string, unknown>): Promise<unknown> {
  return new Promise((resolve, reject) => {
    queue.push({ expression, input, bindings, resolve, reject, solo: false, done: false });
    scheduleFlush();
  });
}
