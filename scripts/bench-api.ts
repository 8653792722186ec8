/**
 * HTTP benchmark (`npm run bench:api`, issue 14 target 5): the real service over HTTP, driven by autocannon.
 *
 * Setup: a fresh data directory with the demo city at --docs open vacancies (scripts/lib/demo-city.ts), the service
 * started as an operator starts it (`node bin/jobbruecke.js start`, embedded database and queues, access log on) on a
 * free port. The kiosk budget is lifted by configuration only, as a job centre with kiosk PCs behind its reverse
 * proxy would set it: `TRUST_PROXY=127.0.0.1`, `KIOSK_NETWORKS=10.20.0.0/16`, `KIOSK_REQUESTS_PER_MINUTE=100000`, and
 * each request names one of --connections kiosk PCs in `X-Forwarded-For`. Caseworkers have no request budget.
 *
 * Load starts once the service is ready and has written its index snapshots (a first start writes them in the
 * background, holding the event loop for seconds). Runs, each --duration seconds after a 5-second warm-up of its own:
 * 1. baseline: a static asset (`/assets/kiosk.css`) through the same middleware, the same load generator and
 *    --connections connections: what this machine serves at most right now;
 * 2. kiosk search: the kiosk query mix (scripts/lib/kiosk-requests.ts) through `GET /api/v1/vacancies`,
 *    --connections connections (target ≥ 2,000 requests/s, p99 ≤ 50 ms). The mix repeats its 100 queries, so after
 *    the warm-up the engine's answer cache serves them (src/search/answer-cache.ts); the next run asks the same mix
 *    with every answer computed, reported beside it (no target);
 * 3. caseworker match lists: vacancy and customer lists of branch 1 in turn with the demo caseworker's token,
 *    --caseworker-connections connections (target ≥ 500 requests/s, p99 ≤ 100 ms); every list is read once right
 *    before, so each is stored and fresh, as the match jobs keep them in service.
 * Every run: 0 errors and 0 non-2xx answers, and the service's resident memory steady (RSS at the end within 10 % of
 * the middle, the first half being warm-up of heaps and caches). The load generator runs on the same machine, so it
 * takes part of the cores the service has: figures are a floor for a dedicated server. Beside throughput, each run
 * reports CPU time per request of the service and of the load generator, which a busy machine bends far less.
 *
 * Options: --docs N (100000), --duration S (60), --connections N (50), --caseworker-connections N (10),
 * --profile (the service runs with --cpu-prof; where its CPU went is printed per run and the data directory kept),
 * --keep (keep the data directory), --data-dir DIR (use a data directory kept by an earlier run instead of preparing
 * one: minutes saved when profiling, but its lists and audit trail are no longer fresh), --postgres-url URL (the
 * scale-out mode: the demo city goes into a fresh database on that PostgreSQL server and --api-processes N (2) API
 * processes, `jobbruecke start --api` each with its own embedded search index, share the load, which the load
 * generator spreads evenly over them as a reverse proxy would; the database is dropped afterwards unless --keep).
 * Prints a table per run and one JSON line with every figure last; exits 1 when a target is missed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { Config } from '../src/config.ts';
import type { Ctx } from '../src/context.ts';
import { freePort } from '../tests/helpers/ports.ts';
import { accessLogFigures, type RouteFigures } from './lib/access-log.ts';
import { monotonicUs, summariseProfiles } from './lib/cpu-profile.ts';
import { demoToken, type MatchSubjects, matchSubjects, prepareDemoCity, withDemoCity } from './lib/demo-city.ts';
import { kioskApiPath, kioskQueries } from './lib/kiosk-requests.ts';
import { cycle, type LoadFigures, type LoadRequest, startLoad } from './lib/load.ts';
import { loadAverage, type Service, serviceReady, snapshotsWritten, startService } from './lib/service.ts';

const { values } = parseArgs({
  options: {
    docs: { type: 'string', default: '100000' },
    duration: { type: 'string', default: '60' },
    connections: { type: 'string', default: '50' },
    'caseworker-connections': { type: 'string', default: '10' },
    profile: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'postgres-url': { type: 'string' },
    'api-processes': { type: 'string', default: '2' },
  },
});
const DOCS = Number(values.docs);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const CASEWORKER_CONNECTIONS = Number(values['caseworker-connections']);
const POSTGRES_URL = values['postgres-url'];
const API_PROCESSES = POSTGRES_URL ? Number(values['api-processes']) : 1;
if (!Number.isInteger(API_PROCESSES) || API_PROCESSES < 1) throw new Error('--api-processes: a number of processes');
if (POSTGRES_URL && values['data-dir']) throw new Error('--data-dir reuses an embedded database; leave it out');
const WARMUP_SEC = 5;
const SUBJECTS = 200;
const START_TIMEOUT_MS = 10 * 60_000;
/** RSS at the end may exceed RSS at the middle of a run by this share and still count as steady. */
const RSS_TOLERANCE = 0.1;
const KIOSK_NETWORK = '10.20.0.0/16';
const TARGETS = {
  kiosk: { requestsPerSec: 2000, p99Ms: 50 },
  caseworker: { requestsPerSec: 500, p99Ms: 100 },
};

interface RunFigures extends LoadFigures {
  connections: number;
  rssMiB: { start: number; middle: number; end: number; max: number };
  rssSteady: boolean;
  /**
   * CPU time per answered request: the service's (user + system, from /proc) and the load generator's. Less bent by
   * a busy machine than throughput; `1000 / service` is what one dedicated core would serve.
   */
  cpuMsPerRequest: { service: number; loadGenerator: number };
  /** The handlers' own time per route from the access log: what is left once the wait for a CPU is taken out. */
  serverSide: Record<string, RouteFigures>;
  load: number[];
}

/** The processes a run loads: the one embedded service, or the API processes of the scale-out mode. */
interface Fleet {
  services: Service[];
  /** Summed over the processes. */
  rssMiB(): Promise<number>;
  cpuMs(): Promise<number>;
}

function fleetOf(services: Service[]): Fleet {
  const sum = async (each: (s: Service) => Promise<number>) =>
    (await Promise.all(services.map(each))).reduce((a, b) => a + b, 0);
  return { services, rssMiB: () => sum((s) => s.rssMiB()), cpuMs: () => sum((s) => s.cpuMs()) };
}

/**
 * The connections spread evenly over the processes, as a reverse proxy in front of them would; counts are summed and
 * latencies are the slowest process's (percentiles of separate runs cannot be merged exactly, so this is an upper
 * bound).
 */
async function loadFleet(
  fleet: Fleet,
  connections: number,
  durationSec: number,
  next: () => LoadRequest,
): Promise<LoadFigures> {
  const each = Math.max(1, Math.round(connections / fleet.services.length));
  const runs = await Promise.all(
    fleet.services.map((s) => startLoad({ baseUrl: s.baseUrl, connections: each, durationSec, next }).figures),
  );
  if (runs.length === 1) return runs[0] as LoadFigures;
  const total = (pick: (f: LoadFigures) => number) => runs.reduce((sum, f) => sum + pick(f), 0);
  const worst = (pick: (f: LoadFigures) => number) => Math.max(...runs.map(pick));
  const statusCodes: Record<string, number> = {};
  for (const run of runs) {
    for (const [code, n] of Object.entries(run.statusCodes)) statusCodes[code] = (statusCodes[code] ?? 0) + n;
  }
  return {
    requests: total((f) => f.requests),
    requestsPerSec: total((f) => f.requestsPerSec),
    p50Ms: worst((f) => f.p50Ms),
    p90Ms: worst((f) => f.p90Ms),
    p99Ms: worst((f) => f.p99Ms),
    maxMs: worst((f) => f.maxMs),
    errors: total((f) => f.errors),
    non2xx: total((f) => f.non2xx),
    statusCodes,
  };
}

/** The runs with their time windows, so the service's CPU profile (written when it stops) can be split by run. */
const profiled: Array<{ label: string; window: { fromUs: number; toUs: number } }> = [];

/** One measured run, with the service's RSS sampled every second. */
async function measure(
  fleet: Fleet,
  label: string,
  connections: number,
  durationSec: number,
  next: () => LoadRequest,
): Promise<RunFigures> {
  const samples: number[] = [await fleet.rssMiB()];
  const serviceCpu = await fleet.cpuMs();
  const ownCpu = process.cpuUsage();
  const fromUs = monotonicUs();
  const from = new Date();
  const timer = setInterval(() => {
    fleet.rssMiB().then(
      (mib) => samples.push(mib),
      () => {},
    );
  }, 1000);
  const result = await loadFleet(fleet, connections, durationSec, next);
  const toUs = monotonicUs();
  clearInterval(timer);
  samples.push(await fleet.rssMiB());
  const own = process.cpuUsage(ownCpu);
  const perRequest = (ms: number) => Math.round((ms / Math.max(1, result.requests)) * 1000) / 1000;
  const cpuMsPerRequest = {
    service: perRequest((await fleet.cpuMs()) - serviceCpu),
    loadGenerator: perRequest((own.user + own.system) / 1000),
  };
  const rssMiB = {
    start: samples[0] as number,
    middle: samples[Math.floor(samples.length / 2)] as number,
    end: samples.at(-1) as number,
    max: Math.max(...samples),
  };
  const run = {
    ...result,
    connections,
    rssMiB,
    rssSteady: rssMiB.end <= rssMiB.middle * (1 + RSS_TOLERANCE),
    cpuMsPerRequest,
    serverSide: await accessLogFigures(
      fleet.services.map((s) => s.logFile),
      { from, to: new Date() },
    ),
    load: loadAverage(),
  };
  profiled.push({ label, window: { fromUs, toUs } });
  console.log(
    `${label}: ${run.requestsPerSec} req/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, max ${run.maxMs} ms, ` +
      `errors ${run.errors}, non-2xx ${run.non2xx}, RSS ${rssMiB.start}/${rssMiB.middle}/${rssMiB.end} MiB ` +
      `(start/middle/end), CPU ms/request service ${cpuMsPerRequest.service} load generator ` +
      `${cpuMsPerRequest.loadGenerator}, load ${run.load.join(' ')}; server-side (access log) ` +
      Object.entries(run.serverSide)
        .map(([route, f]) => `${route}: p50 ${f.p50Ms} ms, p99 ${f.p99Ms} ms`)
        .join('; '),
  );
  return run;
}

/**
 * The kiosk query mix. `computed`: each bounded by `published_since_days=3650`, which excludes nothing here but which
 * the engine's answer cache never keeps (the bound moves with the clock), so every answer is computed: the mix's
 * cost without repeats.
 */
function kioskRequests(computed = false): () => LoadRequest {
  const paths = cycle(
    kioskQueries().map((q) => (computed ? `${kioskApiPath(q)}&published_since_days=3650` : kioskApiPath(q))),
  );
  const kiosks = cycle(Array.from({ length: CONNECTIONS }, (_, i) => `10.20.${Math.floor(i / 250)}.${(i % 250) + 1}`));
  return () => ({ path: paths(), headers: { 'x-forwarded-for': kiosks() } });
}

function caseworkerRequests(subjects: MatchSubjects): () => LoadRequest {
  const paths = cycle(
    subjects.vacancyIds.flatMap((vacancyId, i) => {
      const customerId = subjects.customerIds[i % subjects.customerIds.length];
      return [`/api/v1/vacancies/${vacancyId}/matches?limit=20`, `/api/v1/customers/${customerId}/matches?limit=20`];
    }),
  );
  const headers = { authorization: `Bearer ${demoToken('caseworker')}` };
  return () => ({ path: paths(), headers });
}

/** Reads every list once, as the match jobs would have stored them in service, and checks they answer 200. */
async function readEveryList(service: Service, subjects: MatchSubjects): Promise<void> {
  const next = caseworkerRequests(subjects);
  for (let i = 0; i < subjects.vacancyIds.length * 2; i++) {
    const request = next();
    const response = await fetch(`${service.baseUrl}${request.path}`, { headers: request.headers });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${request.path} answered ${response.status}`);
  }
}

/** A fresh database on the server for this run; `drop` removes it again. */
async function createBenchDatabase(serverUrl: string, name: string) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

const report: Record<string, unknown> = {
  bench: 'api',
  docs: DOCS,
  durationSec: DURATION,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: availableParallelism(),
  loadGenerator: 'autocannon 8, in this process, on the same cores as the service',
  loadAverageAtStart: loadAverage(),
  mode: POSTGRES_URL
    ? `scale-out: PostgreSQL server, ${API_PROCESSES} API processes (start --api), embedded search in each`
    : 'embedded: one process (start), PGlite, embedded queues and search',
};
const dataDir = values['data-dir'] ?? (await mkdtemp(join(tmpdir(), 'bench-api-')));
/** The run's own database on the PostgreSQL server, dropped at the end unless --keep. */
const postgres = POSTGRES_URL
  ? await createBenchDatabase(POSTGRES_URL, `jobbruecke_bench_api_${process.pid}`)
  : undefined;
let fleet: Fleet | undefined;
let failed = false;
try {
  const prepareStart = performance.now();
  let subjects: MatchSubjects = { customerIds: [], vacancyIds: [] };
  const pickSubjects = async (ctx: Ctx) => {
    subjects = await matchSubjects(ctx, 1, SUBJECTS);
  };
  const db: Config['db'] = postgres
    ? { kind: 'postgres', url: postgres.url }
    : { kind: 'pglite', dir: join(dataDir, 'db') };
  if (values['data-dir']) await withDemoCity(dataDir, pickSubjects);
  else report.city = await prepareDemoCity(dataDir, DOCS, pickSubjects, db);
  if (subjects.customerIds.length === 0 || subjects.vacancyIds.length === 0) throw new Error('no match subjects');
  report.prepareMs = Math.round(performance.now() - prepareStart);
  report.subjects = { vacancies: subjects.vacancyIds.length, customers: subjects.customerIds.length };
  console.log(`demo city: ${JSON.stringify(report.city ?? dataDir)}, prepared in ${report.prepareMs} ms`);

  const env: Record<string, string> = {
    TRUST_PROXY: '127.0.0.1',
    KIOSK_NETWORKS: KIOSK_NETWORK,
    KIOSK_REQUESTS_PER_MINUTE: '100000',
    ...(postgres ? { DATABASE_URL: postgres.url } : {}),
  };
  const services: Service[] = [];
  for (let i = 0; i < API_PROCESSES; i++) {
    services.push(
      startService({
        // Each process keeps its index snapshots in a data directory of its own.
        dataDir: postgres ? join(dataDir, `api-${i}`) : dataDir,
        port: await freePort(),
        logFile: join(dataDir, postgres ? `service-${i}.log` : 'service.log'),
        nodeArgs: values.profile ? ['--cpu-prof', '--cpu-prof-dir', join(dataDir, 'profile')] : [],
        args: postgres ? ['--api'] : [],
        env,
      }),
    );
  }
  const running = fleetOf(services);
  fleet = running;
  const each = (wait: (s: Service, i: number) => Promise<number>) =>
    Promise.all(services.map(wait)).then((ms) => Math.round(Math.max(...ms)));
  report.readyMs = await each((s) => serviceReady(s, START_TIMEOUT_MS));
  report.snapshotsWrittenMs = await each((s, i) =>
    snapshotsWritten(s, postgres ? join(dataDir, `api-${i}`) : dataDir, START_TIMEOUT_MS),
  );

  const warmUp = async (connections: number, next: () => LoadRequest) => {
    const warm = await loadFleet(running, connections, WARMUP_SEC, next);
    if (warm.errors > 0 || warm.non2xx > 0) throw new Error(`warm-up failed: ${JSON.stringify(warm.statusCodes)}`);
  };
  const asset = () => ({ path: '/assets/kiosk.css' });
  await warmUp(CONNECTIONS, asset);
  const baseline = await measure(running, 'baseline (static asset)', CONNECTIONS, DURATION, asset);
  await warmUp(CONNECTIONS, kioskRequests());
  const kiosk = await measure(running, 'kiosk search', CONNECTIONS, DURATION, kioskRequests());
  await warmUp(CONNECTIONS, kioskRequests(true));
  const kioskComputed = await measure(
    running,
    'kiosk search, every answer computed',
    CONNECTIONS,
    DURATION,
    kioskRequests(true),
  );
  // Right before their run, so every list is stored and fresh (younger than STORED_MAX_AGE_MS) whatever --duration.
  await readEveryList(services[0] as Service, subjects);
  await warmUp(CASEWORKER_CONNECTIONS, caseworkerRequests(subjects));
  const caseworker = await measure(
    running,
    'caseworker match lists',
    CASEWORKER_CONNECTIONS,
    DURATION,
    caseworkerRequests(subjects),
  );
  const verdict = (run: RunFigures, target?: { requestsPerSec: number; p99Ms: number }) => ({
    met:
      run.errors === 0 &&
      run.non2xx === 0 &&
      run.rssSteady &&
      (!target || (run.requestsPerSec >= target.requestsPerSec && run.p99Ms <= target.p99Ms)),
    ...(target ? { target } : {}),
  });
  const results = {
    baseline: { ...baseline, ...verdict(baseline) },
    kiosk: {
      ...kiosk,
      ...verdict(kiosk, TARGETS.kiosk),
      ofBaseline: Math.round((kiosk.requestsPerSec / baseline.requestsPerSec) * 100) / 100,
    },
    // Reported beside the target run, judged only on errors and memory: the same mix without the answer cache.
    kioskComputed: {
      ...kioskComputed,
      ...verdict(kioskComputed),
      ofBaseline: Math.round((kioskComputed.requestsPerSec / baseline.requestsPerSec) * 100) / 100,
    },
    caseworker: {
      ...caseworker,
      ...verdict(caseworker, TARGETS.caseworker),
      ofBaseline: Math.round((caseworker.requestsPerSec / baseline.requestsPerSec) * 100) / 100,
    },
  };
  report.runs = results;
  console.table(
    Object.fromEntries(
      Object.entries(results).map(([name, r]) => [
        name,
        {
          conns: r.connections,
          'req/s': r.requestsPerSec,
          'p50 ms': r.p50Ms,
          'p99 ms': r.p99Ms,
          errors: r.errors,
          'non-2xx': r.non2xx,
          'RSS MiB start/mid/end': `${r.rssMiB.start}/${r.rssMiB.middle}/${r.rssMiB.end}`,
          'CPU ms/req': r.cpuMsPerRequest.service,
          'of baseline': 'ofBaseline' in r ? r.ofBaseline : 1,
          met: r.met,
          load: r.load.join(' '),
        },
      ]),
    ),
  );
  failed = !Object.values(results).every((r) => r.met);
} catch (err) {
  failed = true;
  report.error = (err as Error).message;
  console.error(err);
} finally {
  if (fleet) {
    report.serviceExit = await Promise.all(fleet.services.map((s) => s.stop()));
    if (values.profile) {
      const dir = join(dataDir, 'profile');
      const profiles: Record<string, unknown> = {};
      for (const { label, window } of profiled) {
        const profile = await summariseProfiles(dir, window, 15);
        profiles[label] = profile;
        console.log(`\n${label}: service CPU by function and by file (self time), ${profile.totalMs} ms sampled`);
        console.table(profile.functions);
        console.table(profile.files);
      }
      report.profiles = { dir, ...profiles };
    }
  }
  if (postgres) {
    if (values.keep || values.profile) console.log(`database kept: ${postgres.url}`);
    else await postgres.drop();
  }
  if (values.keep || values.profile || values['data-dir']) console.log(`data directory kept: ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
}
report.loadAverageAtEnd = loadAverage();
console.log(JSON.stringify(report));
process.exitCode = failed ? 1 : 0;
