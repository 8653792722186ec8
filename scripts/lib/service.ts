/**
 * The real service as a child process for the HTTP benchmarks (`node bin/jobbruecke.js start`, as an operator runs
 * it), with its log in a file rather than a pipe: at thousands of requests a second the access log is megabytes, and
 * a pipe would make the load generator's process read it on the same two cores it measures with.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { MATCH_SNAPSHOT_FILE } from '../../matchers/service/match-start.ts';
import { SNAPSHOT_FILE } from '../../src/search/index-start.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'bin', 'jobbruecke.js');
const POLL_MS = 100;

/** Load average (1, 5, 15 min), one decimal: printed beside every figure, since the machine is shared. */
export const loadAverage = () => loadavg().map((n) => Math.round(n * 10) / 10);

export interface ServiceOptions {
  dataDir: string;
  port: number;
  /** Variables on top of the embedded defaults (rate limits, queues …); the external backends are unset otherwise. */
  env?: Record<string, string>;
  /** Node.js options for the service process, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
  /** Options of `jobbruecke start`, e.g. `--api` for the API role alone (the scale-out mode). */
  args?: string[];
  logFile: string;
}

export interface Service {
  child: ChildProcess;
  baseUrl: string;
  /** Where the service logs, the access log included. */
  logFile: string;
  exited: Promise<number | null>;
  /** Resident set size of the service process in MiB, from /proc. */
  rssMiB(): Promise<number>;
  /** CPU time (user + system) the service process has used so far, in ms, from /proc. */
  cpuMs(): Promise<number>;
  /** The end of the service's log, for error messages. */
  logTail(chars?: number): string;
  /** SIGTERM (a graceful stop), SIGKILL after `timeoutMs`. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export function startService(options: ServiceOptions): Service {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: options.dataDir,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
  // Only what the caller asks for: a developer's own backends must not change what is measured.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'MEILI_URL', 'QUEUE_BACKEND', 'QUEUE_PREFIX']) delete env[name];
  Object.assign(env, options.env);
  const log = openSync(options.logFile, 'a');
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'start', ...(options.args ?? [])], {
    cwd: ROOT,
    env,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const logTail = (chars = 4000) => {
    try {
      return readFileSync(options.logFile, 'utf8').slice(-chars);
    } catch {
      return '';
    }
  };
  return {
    child,
    baseUrl: `http://127.0.0.1:${options.port}`,
    logFile: options.logFile,
    exited,
    logTail,
    async rssMiB() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? Number.NaN);
      return Math.round(kb / 1024);
    },
    async cpuMs() {
      // Fields 14 and 15 after the command name (which may hold spaces, hence from its closing parenthesis on); the
      // kernel reports them in USER_HZ, which is 100 on every Linux architecture Node.js runs on.
      const stat = await readFile(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return (Number(fields[11]) + Number(fields[12])) * 10;
    },
    async stop(timeoutMs = 60_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/**
 * Waits until /health answers 200 with nothing loading any more (the matcher loads while the service already serves)
 * and a kiosk search has hits (the index is loaded); resolves with the ms it took.
 */
export async function serviceReady(service: Service, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (service.child.exitCode !== null) {
      throw new Error(`service exited with ${service.child.exitCode}:\n${service.logTail()}`);
    }
    try {
      const health = await fetch(`${service.baseUrl}/health`);
      const loading = ((await health.json()) as { loading?: string[] }).loading;
      if (health.ok && !loading) {
        const search = await fetch(`${service.baseUrl}/api/v1/vacancies?q=Lager`);
        const body = (await search.json()) as { total?: number };
        if (search.ok && (body.total ?? 0) > 0) return performance.now() - started;
      }
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(`service not ready within ${timeoutMs} ms:\n${service.logTail()}`);
}

/**
 * Waits until the search index and matcher snapshots are on disk. A first start builds both indexes and then writes
 * the snapshots in the background, which holds the event loop for seconds at a time at 100,000 vacancies: load
 * measured before that would measure the start, not the service.
 */
export async function snapshotsWritten(service: Service, dataDir: string, timeoutMs: number): Promise<number> {
  const started = performance.now();
  const written = async (file: string) => (await stat(join(dataDir, file)).catch(() => undefined)) !== undefined;
  while (performance.now() - started < timeoutMs) {
    if (service.child.exitCode !== null) {
      throw new Error(`service exited with ${service.child.exitCode}:\n${service.logTail()}`);
    }
    if ((await written(SNAPSHOT_FILE)) && (await written(MATCH_SNAPSHOT_FILE))) return performance.now() - started;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`no index snapshots within ${timeoutMs} ms:\n${service.logTail()}`);
}
