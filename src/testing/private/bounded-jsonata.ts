import { ChildProcess, spawn } from 'child_process';

/**
 * The hard bounds of one JSONata evaluation in the offline router. jsonata's own options (`timeout`, `stack`,
 * `sequence`) are checked between steps of an evaluation only, so a built-in function can escape them: a regular
 * expression that backtracks for ever (`$match`), a `$pad` of a billion characters. So evaluations run in a child
 * process with a heap of its own; one that runs too long is killed (a worker thread would not do: V8 cannot interrupt
 * a backtracking regular expression, and the process could then not even exit), one that runs out of memory dies,
 * and either is reported as the subscriber's transform error while the router goes on with a new child.
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
} as const;

/** The child: compiles (and caches) expressions, evaluates, and returns the result as bounded JSON text. */
const CHILD_SOURCE = `
const bounds = JSON.parse(process.env.BOUNDED_JSONATA_BOUNDS);
const jsonata = require(process.env.BOUNDED_JSONATA_MODULE);
const compiled = new Map();
process.on('message', async ({ id, expression, input, bindings }) => {
  try {
    let program = compiled.get(expression);
    if (program === undefined) {
      if (compiled.size >= 1000) compiled.clear();
      program = jsonata(expression, bounds.jsonata);
      compiled.set(expression, program);
    }
    const value = await program.evaluate(input, bindings);
    const text = value === undefined ? undefined : JSON.stringify(value);
    if (text !== undefined && Buffer.byteLength(text, 'utf8') > bounds.maxOutputBytes) {
      throw new Error('the result is larger than ' + bounds.maxOutputBytes + ' bytes');
    }
    process.send({ id, ok: true, text });
  } catch (e) {
    process.send({ id, ok: false, message: String((e && e.message) || e).slice(0, 500) });
  }
});
process.on('disconnect', () => process.exit(0));
`;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: NodeJS.Timeout;
}

let child: ChildProcess | undefined;
const pending = new Map<number, Pending>();
let nextId = 0;

/** Kills the child (if it still runs) and fails every evaluation it had with `reason`. */
function stop(reason: string): void {
  const c = child;
  child = undefined;
  for (const [id, p] of pending) {
    clearTimeout(p.timer);
    p.reject(new Error(reason));
    pending.delete(id);
  }
  c?.kill('SIGKILL');
}

function ensureChild(): ChildProcess {
  if (child !== undefined) {
    return child;
  }
  const c = spawn(process.execPath, [`--max-old-space-size=${JSONATA_BOUNDS.maxHeapMb}`, '-e', CHILD_SOURCE], {
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    env: {
      PATH: process.env.PATH ?? '',
      BOUNDED_JSONATA_MODULE: require.resolve('jsonata'),
      BOUNDED_JSONATA_BOUNDS: JSON.stringify(JSONATA_BOUNDS),
    },
  });
  // An idle child never keeps the process alive; a pending evaluation's timer does.
  c.unref();
  (c.channel as { unref?: () => void } | undefined)?.unref?.();
  c.on('message', (message: { id: number; ok: boolean; text?: string; message?: string }) => {
    const p = pending.get(message.id);
    if (p === undefined) return;
    pending.delete(message.id);
    clearTimeout(p.timer);
    if (message.ok) p.resolve(message.text === undefined ? undefined : JSON.parse(message.text));
    else p.reject(new Error(message.message));
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

/**
 * Evaluates a JSONata expression under JSONATA_BOUNDS. Resolves with the result as plain JSON (sequences become
 * arrays), or `undefined` when the expression yields nothing; rejects with the reason when a bound is reached or the
 * expression fails.
 */
export function evaluateJsonataBounded(expression: string, input: unknown, bindings: Record<string, unknown>): Promise<unknown> {
  const c = ensureChild();
  const id = ++nextId;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => stop(`the evaluation took longer than ${JSONATA_BOUNDS.timeoutMs} ms and was stopped`), JSONATA_BOUNDS.timeoutMs);
    pending.set(id, { resolve, reject, timer });
    c.send({ id, expression, input, bindings });
  });
}
