/**
 * Client of tools/event-ruler-harness: aws/event-ruler (EventBridge's matching engine, Java) in a JVM started once,
 * spoken to over stdin/stdout, one JSON request and one JSON response per line, answered in order. Requests may be
 * pipelined (many sent before the first answer arrives). Test and benchmark code only: nothing in src/ depends on it.
 *
 * Build the harness first: `npm run build:event-ruler-harness` (Maven; the test and bench tasks do it).
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

/** The harness's folder. */
export const HARNESS_DIR = path.join(__dirname, '..', '..', '..', 'tools', 'event-ruler-harness');
/** The harness's jar (its dependencies are in target/lib/, named by the jar's manifest). */
export const HARNESS_JAR = path.join(HARNESS_DIR, 'target', 'event-ruler-harness.jar');

/** The java command: EVENT_RULER_JAVA if set (to compare JDKs), else java on the PATH. */
const JAVA = process.env.EVENT_RULER_JAVA ?? 'java';

/** event-ruler's verdict on a pattern. */
export interface RulerVerdict {
  readonly ok: boolean;
  /** event-ruler's exact message when it refuses the pattern. */
  readonly error?: string;
}

/** event-ruler's answers for one pattern and some events: `results[i]` is a boolean, or `"error: ..."`. */
export interface RulerMatch extends RulerVerdict {
  readonly results?: Array<boolean | string>;
}

/** A rule set built in the harness. */
export interface RulerRuleSet {
  readonly buildNanos: number;
  readonly heapBytes: number;
}

/** A timed matching loop in the harness. */
export interface RulerBench {
  /** Events matched in the timed part. */
  readonly events: number;
  readonly nanos: number;
  /** For each event, the names of the matching rules, sorted, or `"error: ..."` (unless answers were left out). */
  readonly results?: Array<string[] | string>;
}

interface Pending {
  readonly resolve: (value: any) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Throws unless `java` can be run and the harness jar exists: the differential test and the benchmark fail, rather
 * than skip, without them.
 */
export function requireHarness(): void {
  const java = spawnSync(JAVA, ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) {
    throw new Error(`event-ruler harness: cannot run "java" (${java.error?.message ?? java.stderr}); install a JDK 17 and Maven`);
  }
  if (!fs.existsSync(HARNESS_JAR)) {
    throw new Error(`event-ruler harness: ${path.relative(process.cwd(), HARNESS_JAR)} is missing; run "npm run build:event-ruler-harness"`);
  }
}

/** One JVM running the harness. Stop it with {@link EventRulerClient.close} (it is killed by its PID). */
export class EventRulerClient {
  /** Starts the harness JVM. */
  public static start(jvmArgs: string[] = []): EventRulerClient {
    requireHarness();
    return new EventRulerClient(jvmArgs);
  }

  private readonly child: ChildProcess;
  private readonly pending: Pending[] = [];
  private buffer = '';
  private stderr = '';
  private exited: Error | undefined;

  private constructor(jvmArgs: string[]) {
    this.child = spawn(JAVA, [...jvmArgs, '-jar', HARNESS_JAR], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    this.child.on('error', (e) => this.fail(e));
    this.child.on('exit', (code, signal) => this.fail(new Error(`event-ruler harness exited (code ${code}, signal ${signal}): ${this.stderr}`)));
  }

  /** The JVM's process id. */
  public get pid(): number {
    return this.child.pid!;
  }

  /** event-ruler's verdict on a pattern (JSON text). */
  public validate(pattern: string): Promise<RulerVerdict> {
    return this.request({ op: 'validate', pattern });
  }

  /** Whether each event (JSON text) matches the pattern (JSON text), in a fresh `new Machine()`. */
  public match(pattern: string, events: readonly string[]): Promise<RulerMatch> {
    return this.request({ op: 'match', pattern, events });
  }

  /**
   * Builds a `new Machine()` holding the named rules (patterns as JSON text), kept under `id`; with `builds` > 1 it
   * is built that many times and the fastest build is reported.
   */
  public async ruleSet(id: string, rules: ReadonlyArray<readonly [string, string]>, builds = 1): Promise<RulerRuleSet> {
    return this.ok(await this.request({ op: 'ruleset', id, rules, builds }), `rule set ${id}`);
  }

  /** For each event (JSON text), the names of the rules of rule set `id` that match it, sorted, or `"error: ..."`. */
  public async query(id: string, events: readonly string[]): Promise<Array<string[] | string>> {
    return this.ok(await this.request({ op: 'query', id, events }), `query ${id}`).results;
  }

  /**
   * Matches the events in a loop for `warmupMillis`, then times a loop over them (round-robin) of at least `timeMillis`.
   * `events` undefined reuses the previous call's events; `answers` false leaves out the rule names.
   */
  public async bench(
    id: string, events: readonly string[] | undefined, warmupMillis: number, timeMillis: number, answers = true,
  ): Promise<RulerBench> {
    return this.ok(await this.request({ op: 'bench', id, events, warmupMillis, timeMillis, answers }), `bench ${id}`);
  }

  /** This JVM's `Double.toString` of each number (JSON number text). */
  public async doubles(numbers: readonly string[]): Promise<string[]> {
    return this.ok(await this.request({ op: 'doubles', numbers }), 'doubles').results;
  }

  /** Forgets rule set `id`. */
  public async drop(id: string): Promise<void> {
    this.ok(await this.request({ op: 'drop', id }), `drop ${id}`);
  }

  /** Stops the JVM (by its PID) and waits for it to exit. */
  public async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) {
      return;
    }
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.stdin!.end();
    process.kill(this.child.pid!, 'SIGTERM');
    await exited;
  }

  private ok(response: any, what: string): any {
    if (!response.ok) {
      throw new Error(`event-ruler harness: ${what} failed: ${response.error}`);
    }
    return response;
  }

  private request(body: object): Promise<any> {
    if (this.exited) {
      return Promise.reject(this.exited);
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ resolve, reject });
      this.child.stdin!.write(JSON.stringify(body) + '\n');
    });
  }

  private onData(chunk: string): void {
    this.buffer += chunk;
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) !== -1) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      const next = this.pending.shift();
      if (!next) {
        this.fail(new Error(`event-ruler harness: unexpected output: ${line.slice(0, 200)}`));
        return;
      }
      next.resolve(JSON.parse(line));
    }
  }

  private fail(error: Error): void {
    this.exited = this.exited ?? error;
    for (const p of this.pending.splice(0)) {
      p.reject(this.exited);
    }
  }
}
