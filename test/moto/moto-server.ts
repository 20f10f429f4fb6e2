/**
 * Start and stop a local moto server (Python) for integration tests.
 *
 * - binds to 127.0.0.1 on a free port (loopback only);
 * - runs `test/moto/moto_server.py` with the .venv Python (or MOTO_PYTHON, else python3), which patches a moto CloudFormation bug first (found in 5.2.1, still in 5.2.6);
 * - waits until `GET /moto-api/` answers;
 * - is addressed as `http://localhost:PORT`: moto treats `127.0.0.1` in an S3 URL as a
 *   virtual-hosted bucket name, `localhost` keeps path-style addressing working;
 * - `stop()` kills the child by its PID and waits for it to exit.
 *
 * Usage in a jest file (`*.moto.ts`), at the top level before the file's own hooks:
 *
 *   const moto = useMoto();          // or useMoto({ pythonPath: [...] })
 *   beforeEach(() => moto.reset());
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer } from 'node:net';
import * as path from 'node:path';

export interface MotoServer {
  /** `http://localhost:PORT` */
  readonly endpoint: string;
  readonly port: number;
  /** Kill the server (by PID) and wait until it has exited. Safe to call twice. */
  stop(): Promise<void>;
  /** Wipe every moto backend (`POST /moto-api/reset`). */
  reset(): Promise<void>;
}

export interface StartMotoOptions {
  /** Python interpreter. @default process.env.MOTO_PYTHON, else the repository's .venv (npm run install:python), else 'python3' */
  readonly python?: string;
  /** How long to wait for the server to answer. @default 30000 */
  readonly startTimeoutMs?: number;
  /** Forward the server's output to this process's stderr. @default process.env.MOTO_DEBUG === '1' */
  readonly verbose?: boolean;
  /** Folders put first on the server's PYTHONPATH, e.g. one holding a `sitecustomize.py` that patches moto. @default - none */
  readonly pythonPath?: string[];
}

const WRAPPER = path.join(__dirname, 'moto_server.py');
/** The virtual environment `npm run install:python` makes from requirements-dev.txt. */
const VENV_PYTHON = path.join(__dirname, '..', '..', '.venv', 'bin', 'python');

/** A free TCP port on 127.0.0.1, chosen by the OS. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.ok;
  } catch {
    return false;
  }
}

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const python = options.python ?? process.env.MOTO_PYTHON ?? (fs.existsSync(VENV_PYTHON) ? VENV_PYTHON : 'python3');
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const verbose = options.verbose ?? process.env.MOTO_DEBUG === '1';

  let lastError: unknown;
  // Another process may grab the port between freePort() and the bind: try a few ports.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(python, port, startTimeoutMs, verbose, options.pythonPath ?? []);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError;
}

async function launch(python: string, port: number, startTimeoutMs: number, verbose: boolean, pythonPath: string[]): Promise<MotoServer> {
  const child: ChildProcess = spawn(python, [WRAPPER, '-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      PYTHONUNBUFFERED: '1',
      ...(pythonPath.length > 0 ? { PYTHONPATH: [...pythonPath, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter) } : {}),
    },
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
    if (verbose) process.stderr.write(chunk);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  let exitCode: number | null | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitCode = code ?? (signal ? -1 : 0);
      resolve();
    });
    child.once('error', (err) => {
      output += `\n${err.message}`;
      exitCode = -1;
      resolve();
    });
  });

  const stop = async () => {
    if (exitCode === undefined && child.pid !== undefined) {
      try {
        process.kill(child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        if (exitCode === undefined && child.pid !== undefined) {
          try {
            process.kill(child.pid, 'SIGKILL');
          } catch {
            // already gone
          }
        }
      }, 10_000);
      await exited;
      clearTimeout(timer);
    }
  };

  const probe = `http://127.0.0.1:${port}/moto-api/`;
  const deadline = Date.now() + startTimeoutMs;
  while (!(await answers(probe))) {
    if (exitCode !== undefined) {
      throw new Error(`moto server exited (code ${exitCode}) before answering on port ${port}:\n${output}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`moto server did not answer on port ${port} within ${startTimeoutMs} ms:\n${output}`);
    }
    await delay(200);
  }

  const endpoint = `http://localhost:${port}`;
  return {
    endpoint,
    port,
    stop,
    reset: async () => {
      const res = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
      await res.arrayBuffer();
      if (!res.ok) throw new Error(`moto reset failed: HTTP ${res.status}`);
    },
  };
}

/**
 * Point the AWS SDK v3 at moto through environment variables (fake credentials, us-east-1).
 * Returns a function that restores the previous values.
 */
export function useMotoEnvironment(moto: Pick<MotoServer, 'endpoint'>): () => void {
  const values: Record<string, string> = {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_SESSION_TOKEN: 'testing',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
  };
  const previous: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(values)) {
    previous[key] = process.env[key];
    process.env[key] = value;
  }
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/**
 * Starts a moto server before the file's tests (with the AWS SDK environment pointed at it) and stops it after
 * them. Call it at the top level of a test file, before the hooks that use the server: jest runs `beforeAll`
 * hooks in the order they are registered.
 *
 * @returns the server, usable in hooks and tests once started
 */
export function useMoto(options: StartMotoOptions = {}): MotoServer {
  let server: MotoServer | undefined;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    server = await startMoto(options);
    restoreEnv = useMotoEnvironment(server);
  });
  afterAll(async () => {
    restoreEnv?.();
    await server?.stop();
  });
  const started = (): MotoServer => {
    if (server === undefined) {
      throw new Error('moto is not started yet: use the server returned by useMoto() in hooks and tests only');
    }
    return server;
  };
  return {
    get endpoint() {
      return started().endpoint;
    },
    get port() {
      return started().port;
    },
    stop: () => started().stop(),
    reset: () => started().reset(),
  };
}

/** The account id moto uses by default. */
export const MOTO_ACCOUNT_ID = '123456789012';
