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
 *    --connections connections (target ≥ 2,000 requests/s, p99 ≤ 50 ms);
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
 * one: minutes saved when profiling, but its lists and audit trail are no longer fresh). Prints a table per run and
 * one JSON line with every figure last; exits 1 when a target is missed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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
  },
});
const DOCS = Number(values.docs);
const DURATION = Number(values.duration);
const CONNECTIONS = Number(values.connections);
const CASEWORKER_CONNECTIONS = Number(values['caseworker-connections']);
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

/** The runs with their time windows, so the service's CPU profile (written when it stops) can be split by run. */
const profiled: Array<{ label: string; window: { fromUs: number; toUs: number } }> = [];

/** One measured run, with the service's RSS sampled every second. */
async function measure(
  service: Service,
  label: string,
  connections: number,
  durationSec: number,
  next: () => LoadRequest,
): Promise<RunFigures> {
  const samples: number[] = [await service.rssMiB()];
  const serviceCpu = await service.cpuMs();
  const ownCpu = process.cpuUsage();
  const fromUs = monotonicUs();
  const from = new Date();
  const timer = setInterval(() => {
    service.rssMiB().then(
      (mib) => samples.push(mib),
      () => {},
    );
  }, 1000);
  const { figures } = startLoad({ baseUrl: service.baseUrl, connections, durationSec, next });
  const result = await figures;
  const toUs = monotonicUs();
  clearInterval(timer);
  samples.push(await service.rssMiB());
  const own = process.cpuUsage(ownCpu);
  const perRequest = (ms: number) => Math.round((ms / Math.max(1, result.requests)) * 1000) / 1000;
  const cpuMsPerRequest = {
    service: perRequest((await service.cpuMs()) - serviceCpu),
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
    serverSide: await accessLogFigures(service.logFile, { from, to: new Date() }),
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

function kioskRequests(): () => LoadRequest {
  const paths = cycle(kioskQueries().map(kioskApiPath));
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

const report: Record<string, unknown> = {
  bench: 'api',
  docs: DOCS,
  durationSec: DURATION,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cpus: availableParallelism(),
  loadGenerator: 'autocannon 8, in this process, on the same cores as the service',
  loadAverageAtStart: loadAverage(),
};
const dataDir = values['data-dir'] ?? (await mkdtemp(join(tmpdir(), 'bench-api-')));
let service: Service | undefined;
let failed = false;
try {
  const prepareStart = performance.now();
  let subjects: MatchSubjects = { customerIds: [], vacancyIds: [] };
  const pickSubjects = async (ctx: Ctx) => {
    subjects = await matchSubjects(ctx, 1, SUBJECTS);
  };
  if (values['data-dir']) await withDemoCity(dataDir, pickSubjects);
  else report.city = await prepareDemoCity(dataDir, DOCS, pickSubjects);
  if (subjects.customerIds.length === 0 || subjects.vacancyIds.length === 0) throw new Error('no match subjects');
  report.prepareMs = Math.round(performance.now() - prepareStart);
  report.subjects = { vacancies: subjects.vacancyIds.length, customers: subjects.customerIds.length };
  console.log(`demo city: ${JSON.stringify(report.city ?? dataDir)}, prepared in ${report.prepareMs} ms`);

  service = startService({
    dataDir,
    port: await freePort(),
    logFile: join(dataDir, 'service.log'),
    nodeArgs: values.profile ? ['--cpu-prof', '--cpu-prof-dir', join(dataDir, 'profile')] : [],
    env: { TRUST_PROXY: '127.0.0.1', KIOSK_NETWORKS: KIOSK_NETWORK, KIOSK_REQUESTS_PER_MINUTE: '100000' },
  });
  report.readyMs = Math.round(await serviceReady(service, START_TIMEOUT_MS));
  report.snapshotsWrittenMs = Math.round(await snapshotsWritten(service, dataDir, START_TIMEOUT_MS));

  const running = service;
  const warmUp = async (connections: number, next: () => LoadRequest) => {
    const warm = await startLoad({ baseUrl: running.baseUrl, connections, durationSec: WARMUP_SEC, next }).figures;
    if (warm.errors > 0 || warm.non2xx > 0) throw new Error(`warm-up failed: ${JSON.stringify(warm.statusCodes)}`);
  };
  const asset = () => ({ path: '/assets/kiosk.css' });
  await warmUp(CONNECTIONS, asset);
  const baseline = await measure(service, 'baseline (static asset)', CONNECTIONS, DURATION, asset);
  await warmUp(CONNECTIONS, kioskRequests());
  const kiosk = await measure(service, 'kiosk search', CONNECTIONS, DURATION, kioskRequests());
  // Right before their run, so every list is stored and fresh (younger than STORED_MAX_AGE_MS) whatever --duration.
  await readEveryList(service, subjects);
  await warmUp(CASEWORKER_CONNECTIONS, caseworkerRequests(subjects));
  const caseworker = await measure(
    service,
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
  if (service) {
    report.serviceExit = await service.stop();
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
  if (values.keep || values.profile || values['data-dir']) console.log(`data directory kept: ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
}
report.loadAverageAtEnd = loadAverage();
console.log(JSON.stringify(report));
process.exitCode = failed ? 1 : 0;
