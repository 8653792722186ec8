/**
 * Restart benchmark (`npm run bench:start`): how long from SIGTERM until the service answers `/health` with 200 and
 * a kiosk search with hits, with N open vacancies in the embedded database; and, beside it, until `/health` names no
 * part as loading any more (the matcher loads while the service already serves, answering 503 on its routes until
 * then). Three kinds of restart alternate in the same run:
 * - `snapshots`: both snapshots in the data directory (the search index's and the matcher's vacancies), as every
 *   restart after the first finds them;
 * - `search snapshot only`: the matcher's snapshot removed before the start, so the matcher reads everything from the
 *   DB (every restart before the matcher had a snapshot);
 * - `rebuild`: both removed, so both are built from the DB (a first start, and every restart before snapshots).
 *
 * Setup: a fresh data directory with the demo city (`seedDemo`) plus synthetic vacancies up to --docs. Then the
 * service is started once (a first start: rebuild, then the snapshots are written in the background), and restarted
 * --runs times each way, alternating. Each restart is timed from the signal: shutdown (HTTP drain, workers, the
 * snapshots written when they changed, DB closed) plus start (process, DB, indexes, listening).
 * Options: --docs N (default 100000), --runs N (default 3), --keep (leave the data directory), --data-dir DIR (use a
 * directory an earlier run prepared and kept, instead of preparing one; it is left in place).
 * Prints a table and one JSON line with all figures last, each with the load average when it was taken.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { MATCH_SNAPSHOT_FILE } from '../matchers/service/match-start.ts';
import { SNAPSHOT_FILE } from '../src/search/index-start.ts';
import { prepareDemoCity } from './lib/demo-city.ts';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`npm run bench:start [-- --docs N] [-- --runs N] [-- --keep] [-- --data-dir DIR]
  --docs N        open vacancies in the prepared database (default 100000)
  --runs N        restarts of each kind (default 3): both snapshots, search snapshot only, rebuild
  --keep          leave the prepared data directory in place (its path is printed)
  --data-dir DIR  use a directory an earlier --keep run prepared, instead of preparing one
Prints each restart as it happens, a table of medians and one JSON line with every figure and the load average.`);
  process.exit(0);
}
const DOCS = Number(values.docs);
const RUNS = Number(values.runs);
const ROOT = resolve(import.meta.dirname, '..');
const CLI = join(ROOT, 'bin', 'jobbruecke.js');
const START_TIMEOUT_MS = 15 * 60_000;
const POLL_MS = 50;

const load = () => loadavg().map((n) => Math.round(n * 10) / 10);

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Service {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: string[];
}

function startService(dataDir: string, port: number): Service {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  };
  // The embedded modes only: nothing external may change what is measured.
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'MEILI_URL', 'QUEUE_BACKEND']) delete env[name];
  const child = spawn(process.execPath, [CLI, 'start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
  return { child, exited, output };
}

/**
 * Waits until /health answers 200 and a kiosk search has hits (searchable: what the kiosk needs), and then until
 * /health names no part as loading (the matcher, which loads while the service already serves); resolves with the
 * times both took.
 */
async function ready(service: Service, port: number, since: number): Promise<{ searchable: number; loaded: number }> {
  const base = `http://127.0.0.1:${port}`;
  let exitCode: number | null | undefined;
  void service.exited.then((code) => {
    exitCode = code;
  });
  let searchable: number | undefined;
  while (performance.now() - since < START_TIMEOUT_MS) {
    if (exitCode !== undefined) throw new Error(`service exited with ${exitCode}:\n${service.output.join('')}`);
    try {
      const health = await fetch(`${base}/health`);
      const report = (await health.json()) as { loading?: string[] };
      if (health.ok && searchable === undefined) {
        const search = await fetch(`${base}/api/v1/vacancies?q=Lager`);
        const body = (await search.json()) as { total?: number };
        if (search.ok && (body.total ?? 0) > 0) searchable = performance.now() - since;
      }
      if (searchable !== undefined && !report.loading) return { searchable, loaded: performance.now() - since };
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error('service did not become ready in time');
}

/** SIGTERM, then start again; both times from the signal. */
async function restart(
  running: Service,
  dataDir: string,
  port: number,
  beforeStart: () => Promise<void>,
): Promise<{ service: Service; shutdownMs: number; totalMs: number; loadedMs: number; log: string }> {
  const signalled = performance.now();
  running.child.kill('SIGTERM');
  await running.exited;
  const shutdownMs = performance.now() - signalled;
  await beforeStart();
  const service = startService(dataDir, port);
  const { searchable, loaded } = await ready(service, port, signalled);
  return { service, shutdownMs, totalMs: searchable, loadedMs: loaded, log: timedSteps(service.output.join('')) };
}

/** What the service logged with a duration (index loaded or built, matcher indexes, …): where the start went. */
function timedSteps(output: string): string {
  const steps: string[] = [];
  for (const line of output.split('\n')) {
    try {
      const { msg, ms, steps: parts } = JSON.parse(line) as { msg?: string; ms?: number; steps?: object };
      if (typeof ms === 'number') steps.push(`${msg}: ${ms} ms${parts ? ` ${JSON.stringify(parts)}` : ''}`);
    } catch {
      // Not a log line.
    }
  }
  return steps.join('; ');
}

/** Waits until the service has written the snapshots `files` after `since` (a `performance.now()` instant). */
async function snapshotsWritten(dataDir: string, since: number, files: readonly string[]): Promise<void> {
  const sinceEpoch = Date.now() - (performance.now() - since);
  const writtenSince = async (file: string) => {
    const written = await stat(join(dataDir, file)).catch(() => undefined);
    return written !== undefined && written.mtimeMs >= sinceEpoch;
  };
  while (performance.now() - since < START_TIMEOUT_MS) {
    if ((await Promise.all(files.map(writtenSince))).every(Boolean)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${files.join(' and ')} not written after the rebuild`);
}

/** What each kind of restart removes from the data directory before the start. */
const KINDS = {
  snapshots: [],
  'search snapshot only': [MATCH_SNAPSHOT_FILE],
  rebuild: [SNAPSHOT_FILE, MATCH_SNAPSHOT_FILE],
} as const satisfies Record<string, readonly string[]>;
type Kind = keyof typeof KINDS;

const round = (ms: number) => Math.round(ms);
const dataDir = values['data-dir'] ? resolve(values['data-dir']) : await mkdtemp(join(tmpdir(), 'bench-start-'));
const port = await freePort();
const report: Record<string, unknown> = { docs: DOCS, runs: RUNS, node: process.version, loadAverageAtStart: load() };
let service: Service | undefined;
try {
  if (values['data-dir']) {
    report.preparedEarlier = dataDir;
  } else {
    const prepareStart = performance.now();
    report.openVacancies = (await prepareDemoCity(dataDir, DOCS)).openVacancies;
    report.prepareMs = round(performance.now() - prepareStart);
  }

  const firstStart = performance.now();
  service = startService(dataDir, port);
  const first = await ready(service, port, firstStart);
  report.firstStart = { ms: round(first.searchable), loadedMs: round(first.loaded), load: load() };
  // The snapshots after the first build are written in the background; let them land so every restart finds them.
  if (!values['data-dir']) await snapshotsWritten(dataDir, firstStart, KINDS.rebuild);

  const figures = Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, []])) as unknown as Record<
    Kind,
    Array<Record<string, unknown>>
  >;
  for (let run = 0; run < RUNS; run++) {
    for (const kind of Object.keys(KINDS) as Kind[]) {
      const result = await restart(service, dataDir, port, async () => {
        for (const file of KINDS[kind]) await rm(join(dataDir, file), { force: true });
      });
      service = result.service;
      const figure = {
        totalMs: round(result.totalMs),
        matcherLoadedMs: round(result.loadedMs),
        shutdownMs: round(result.shutdownMs),
        steps: result.log,
        load: load(),
      };
      figures[kind].push(figure);
      console.log(kind, JSON.stringify(figure));
      // After a rebuild the snapshots are written in the background; the next restart should find them.
      await snapshotsWritten(dataDir, performance.now() - result.totalMs, KINDS[kind]);
    }
  }
  const median = (runs: Array<Record<string, unknown>>) =>
    runs.map((r) => r.totalMs as number).sort((a, b) => a - b)[Math.floor(runs.length / 2)] as number;
  report.restarts = Object.fromEntries(
    Object.entries(figures).map(([kind, runs]) => [kind, { medianMs: median(runs), runs }]),
  );
  console.table({
    [`first start (${values['data-dir'] ? 'prepared directory' : 'fresh data directory, rebuild'})`]: {
      ms: (report.firstStart as { ms: number }).ms,
    },
    ...Object.fromEntries(
      Object.entries(figures).map(([kind, runs]) => [`restart, ${kind} (median)`, { ms: median(runs) }]),
    ),
  });
} finally {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
  if (!values.keep && !values['data-dir']) await rm(dataDir, { recursive: true, force: true });
  else console.log(`data directory kept: ${dataDir}`);
}
report.loadAverageAtEnd = load();
console.log(JSON.stringify(report));
