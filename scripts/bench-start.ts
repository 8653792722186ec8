/**
 * Restart benchmark (`npm run bench:start`): how long from SIGTERM until the service answers `/health` with 200 and
 * a kiosk search with hits, with N open vacancies in the embedded database. Compared in the same run with the
 * baseline, a restart that rebuilds the search index from the DB (the snapshot file removed before the start, which
 * is what every start did before snapshots).
 *
 * Setup: a fresh data directory with the demo city (`seedDemo`) plus synthetic vacancies up to --docs. Then the
 * service is started once (a first start: rebuild, then the snapshot is written in the background), and restarted
 * --runs times each way, alternating. Each restart is timed from the signal: shutdown (HTTP drain, workers, the
 * snapshot written when the index changed, DB closed) plus start (process, DB, indexes, listening).
 * Options: --docs N (default 100000), --runs N (default 3), --keep (leave the data directory).
 * Prints a table and one JSON line with all figures last, each with the load average when it was taken.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { count, eq } from 'drizzle-orm';
import { withTransaction } from '../src/context.ts';
import { bulkInsert } from '../src/db/bulk-insert.ts';
import { openDatabase } from '../src/db/client.ts';
import { vacancies } from '../src/db/schema.ts';
import { seedDemo } from '../src/demo/seed.ts';
import { generateVacancies, normaliseSynthetic } from '../src/demo/synthetic-vacancies.ts';
import { createLogger } from '../src/logging.ts';
import { SNAPSHOT_FILE } from '../src/search/index-start.ts';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
  },
});
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

/** The demo city plus synthetic open vacancies up to `docs`, in a fresh embedded database. */
async function prepare(dataDir: string, docs: number): Promise<number> {
  const database = await openDatabase({ kind: 'pglite', dir: join(dataDir, 'db') });
  try {
    await database.migrate();
    const ctx = { db: database.db, log: createLogger('warn'), now: () => new Date() };
    await seedDemo(ctx);
    const [{ open } = { open: 0 }] = await database.db
      .select({ open: count() })
      .from(vacancies)
      .where(eq(vacancies.status, 'open'));
    const extra = Math.max(0, docs - open);
    const now = Date.now();
    const generated = generateVacancies(extra, 4242, now);
    for (let i = 0; i < generated.length; i += 10_000) {
      const rows = generated.slice(i, i + 10_000).map((v) => ({
        id: randomUUID(),
        status: 'open' as const,
        ...normaliseSynthetic(v),
        createdAt: v.publishedAt,
        updatedAt: v.publishedAt,
      }));
      await withTransaction(ctx, (tx) => bulkInsert(tx.db, vacancies, rows));
    }
    return open + extra;
  } finally {
    await database.close();
  }
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

/** Waits until /health answers 200 and a kiosk search has hits; resolves with the time that took. */
async function ready(service: Service, port: number, since: number): Promise<number> {
  const base = `http://127.0.0.1:${port}`;
  let exitCode: number | null | undefined;
  void service.exited.then((code) => {
    exitCode = code;
  });
  while (performance.now() - since < START_TIMEOUT_MS) {
    if (exitCode !== undefined) throw new Error(`service exited with ${exitCode}:\n${service.output.join('')}`);
    try {
      const health = await fetch(`${base}/health`);
      if (health.ok) {
        const search = await fetch(`${base}/api/v1/vacancies?q=Lager`);
        const body = (await search.json()) as { total?: number };
        if (search.ok && (body.total ?? 0) > 0) return performance.now() - since;
      }
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
): Promise<{ service: Service; shutdownMs: number; totalMs: number; log: string }> {
  const signalled = performance.now();
  running.child.kill('SIGTERM');
  await running.exited;
  const shutdownMs = performance.now() - signalled;
  await beforeStart();
  const service = startService(dataDir, port);
  const totalMs = await ready(service, port, signalled);
  return { service, shutdownMs, totalMs, log: timedSteps(service.output.join('')) };
}

/** What the service logged with a duration (index loaded or built, matcher indexes, …): where the start went. */
function timedSteps(output: string): string {
  const steps: string[] = [];
  for (const line of output.split('\n')) {
    try {
      const { msg, ms } = JSON.parse(line) as { msg?: string; ms?: number };
      if (typeof ms === 'number') steps.push(`${msg}: ${ms} ms`);
    } catch {
      // Not a log line.
    }
  }
  return steps.join('; ');
}

/** Waits until the service has written a snapshot after `since` (a `performance.now()` instant). */
async function snapshotWritten(dataDir: string, since: number): Promise<void> {
  const sinceEpoch = Date.now() - (performance.now() - since);
  while (performance.now() - since < START_TIMEOUT_MS) {
    const written = await stat(join(dataDir, SNAPSHOT_FILE)).catch(() => undefined);
    if (written && written.mtimeMs >= sinceEpoch) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error('no snapshot written after the rebuild');
}

const round = (ms: number) => Math.round(ms);
const dataDir = await mkdtemp(join(tmpdir(), 'bench-start-'));
const port = await freePort();
const report: Record<string, unknown> = { docs: DOCS, runs: RUNS, node: process.version, loadAverageAtStart: load() };
let service: Service | undefined;
try {
  const prepareStart = performance.now();
  report.openVacancies = await prepare(dataDir, DOCS);
  report.prepareMs = round(performance.now() - prepareStart);

  const firstStart = performance.now();
  service = startService(dataDir, port);
  report.firstStart = { ms: round(await ready(service, port, firstStart)), load: load() };
  // The snapshot after the first build is written in the background; let it land so every restart finds one.
  await snapshotWritten(dataDir, firstStart);

  const snapshot: Array<Record<string, unknown>> = [];
  const rebuild: Array<Record<string, unknown>> = [];
  for (let run = 0; run < RUNS; run++) {
    for (const kind of ['snapshot', 'rebuild'] as const) {
      const result = await restart(service, dataDir, port, async () => {
        if (kind === 'rebuild') await rm(join(dataDir, SNAPSHOT_FILE), { force: true });
      });
      service = result.service;
      const figure = {
        totalMs: round(result.totalMs),
        shutdownMs: round(result.shutdownMs),
        steps: result.log,
        load: load(),
      };
      (kind === 'snapshot' ? snapshot : rebuild).push(figure);
      console.log(kind, JSON.stringify(figure));
      // After a rebuild the snapshot is written in the background; the next restart should find it.
      if (kind === 'rebuild') await snapshotWritten(dataDir, performance.now() - result.totalMs);
    }
  }
  const median = (runs: Array<Record<string, unknown>>) =>
    runs.map((r) => r.totalMs as number).sort((a, b) => a - b)[Math.floor(runs.length / 2)] as number;
  report.restartWithSnapshot = { medianMs: median(snapshot), runs: snapshot };
  report.restartWithRebuild = { medianMs: median(rebuild), runs: rebuild };
  console.table({
    'first start (fresh data directory, rebuild)': { ms: (report.firstStart as { ms: number }).ms },
    'restart, snapshot (median)': { ms: median(snapshot) },
    'restart, rebuild from DB (median)': { ms: median(rebuild) },
  });
} finally {
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGTERM');
    await service.exited;
  }
  if (!values.keep) await rm(dataDir, { recursive: true, force: true });
  else console.log(`data directory kept: ${dataDir}`);
}
report.loadAverageAtEnd = load();
console.log(JSON.stringify(report));
