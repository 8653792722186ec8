/**
 * Soak test (`npm run soak`, issue 15; not part of CI): the real service on Redis queues for --minutes (30) with
 * everything at once, to show that nothing piles up over time:
 * - crawls: a local fixture job board (tests/helpers/job-feed-server.ts) whose listing moves on by a tenth of its
 *   postings before every crawl (so each crawl adds, closes and reopens vacancies, within a bounded set of 2 ×
 *   --feed-size postings), crawled every --crawl-every-sec through the CLI, as an operator would;
 * - kiosk searches: the kiosk query mix at --kiosk-rate requests/s from 50 kiosk PCs behind the proxy;
 * - caseworker match lists: vacancy and customer lists of branch 1 at --caseworker-rate requests/s;
 * - employer submissions: a placement order every --submit-every-sec seconds through the employer API, each
 *   withdrawn again once 30 newer ones exist, so open orders stay about constant.
 * The service runs on a fresh data directory with the demo city at --docs open vacancies, its queues on a private
 * `redis-server` (AOF on, `noeviction`, as docs/architecture.md recommends).
 *
 * Load starts once the service has written its index snapshots. Every --sample-sec (30) the soak samples: errors, the
 * service's RSS and V8 heap, Redis `used_memory` and keys, and the jobs per state (from /metrics). Errors are answers
 * outside 2xx, requests without an answer within 30 s, failed crawl triggers, newly failed jobs, and 5xx in the
 * service's access log. Once the load stops, the backlog must drain within --drain-minutes and the service must stop
 * with exit code 0.
 *
 * The summary compares the mean of the first third of the samples with the last third. Judged (exit code 1 when one
 * grew by more than --tolerance, a share of the first third): RSS, heap, the Redis keys that are not jobs (the
 * queues' bookkeeping; 50 keys of slack), Redis dataset bytes per key, and the backlog (jobs waiting or running plus
 * crawled batches not yet ingested; 20 of slack, as a crawl in flight fills it briefly). Reported only: Redis memory,
 * keys and finished jobs kept, which grow by design until BullMQ's retention is full (1,000 completed jobs per queue,
 * for an hour), and delayed jobs (SLA milestones and schedules). Server-side time per route comes from the access
 * log, apart from the load generator's view, which includes the wait for a CPU. One JSON line last.
 *
 * Options: --minutes N (30), --docs N (100000), --sample-sec N (30), --kiosk-rate N (20), --caseworker-rate N (5),
 * --submit-every-sec N (5), --crawl-every-sec N (60), --feed-size N (1000), --tolerance X (0.15),
 * --drain-minutes N (5), --keep (keep the data directory with the service log and Redis's AOF).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type { Ctx } from '../src/context.ts';
import { demoBranches } from '../src/demo/branches.ts';
import { addSource, setSourceEnabled } from '../src/sources/sources.ts';
import { startJobFeedServer } from '../tests/helpers/job-feed-server.ts';
import { freePort } from '../tests/helpers/ports.ts';
import { type RedisServerHandle, startRedisServer } from '../tests/helpers/redis-server.ts';
import { accessLogFigures } from './lib/access-log.ts';
import { demoToken, type MatchSubjects, matchSubjects, prepareDemoCity } from './lib/demo-city.ts';
import { kioskApiPath, kioskQueries } from './lib/kiosk-requests.ts';
import { cycle, type LoadFigures, type LoadRequest, startLoad } from './lib/load.ts';
import { loadAverage, type Service, serviceReady, snapshotsWritten, startService } from './lib/service.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    docs: { type: 'string', default: '100000' },
    'sample-sec': { type: 'string', default: '30' },
    'kiosk-rate': { type: 'string', default: '20' },
    'caseworker-rate': { type: 'string', default: '5' },
    'submit-every-sec': { type: 'string', default: '5' },
    'crawl-every-sec': { type: 'string', default: '60' },
    'feed-size': { type: 'string', default: '1000' },
    tolerance: { type: 'string', default: '0.15' },
    'drain-minutes': { type: 'string', default: '5' },
    keep: { type: 'boolean', default: false },
  },
});
const number = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number of at least 0`);
  return value;
};
const MINUTES = number('minutes');
const DOCS = number('docs');
const SAMPLE_SEC = number('sample-sec');
const KIOSK_RATE = number('kiosk-rate');
const CASEWORKER_RATE = number('caseworker-rate');
const SUBMIT_EVERY_SEC = number('submit-every-sec');
const CRAWL_EVERY_SEC = number('crawl-every-sec');
const FEED_SIZE = number('feed-size');
const TOLERANCE = number('tolerance');
const DRAIN_MS = number('drain-minutes') * 60_000;
if (MINUTES * 60 < SAMPLE_SEC * 3) throw new Error('--minutes must cover at least three samples (--sample-sec)');
/** Slack besides the tolerance, for figures that are small and move with the work in hand. */
const SLACK = { backlogJobs: 20, redisKeys: 50 };
const OPEN_ORDERS = 30;
const KIOSKS = 50;
const CASEWORKER_CONNECTIONS = 10;
/** An answer later than this counts as none: an error of the run. */
const TIMEOUT_SEC = 30;
const QUEUE_PREFIX = 'soak';
const START_TIMEOUT_MS = 10 * 60_000;
const CLI = resolve(import.meta.dirname, '..', 'bin', 'jobbruecke.js');
const API = '/api/v1';

/** Errors by kind, each failing the soak, with the first few of each kind as examples. */
const errors = { kiosk: 0, caseworker: 0, employer: 0, crawlTrigger: 0, failedJobs: 0, serverErrors: 0 };
const examples: Record<string, string[]> = {};
function error(kind: keyof typeof errors, what: string) {
  errors[kind] += 1;
  const list = examples[kind] ?? [];
  examples[kind] = list;
  if (list.length < 5) list.push(`${new Date().toISOString()} ${what}`);
}
const totalErrors = () => Object.values(errors).reduce((a, b) => a + b, 0);

/** Latencies of one sampling interval, per stream, as the load generator sees them. */
class Interval {
  private ms: number[] = [];
  add(ms: number) {
    this.ms.push(ms);
  }
  take(seconds: number): { perSec: number; p50Ms: number; p99Ms: number } {
    const sorted = this.ms.sort((a, b) => a - b);
    this.ms = [];
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
    return {
      perSec: Math.round((sorted.length / seconds) * 10) / 10,
      p50Ms: Math.round(at(0.5)),
      p99Ms: Math.round(at(0.99)),
    };
  }
}

function kioskRequests(): () => LoadRequest {
  const paths = cycle(kioskQueries().map(kioskApiPath));
  const kiosks = cycle(Array.from({ length: KIOSKS }, (_, i) => `10.20.0.${i + 1}`));
  return () => ({ path: paths(), headers: { 'x-forwarded-for': kiosks() } });
}

function caseworkerRequests(subjects: MatchSubjects): () => LoadRequest {
  const paths = cycle(
    subjects.vacancyIds.flatMap((vacancyId, i) => [
      `${API}/vacancies/${vacancyId}/matches?limit=20`,
      `${API}/customers/${subjects.customerIds[i % subjects.customerIds.length]}/matches?limit=20`,
    ]),
  );
  const headers = { authorization: `Bearer ${demoToken('caseworker')}` };
  return () => ({ path: paths(), headers });
}

/** Employers order and withdraw: a placement order per tick, the oldest withdrawn once OPEN_ORDERS newer exist. */
function employerOrders(service: Service, latencies: Interval) {
  const headers = { authorization: `Bearer ${demoToken('employer')}`, 'content-type': 'application/json' };
  // Postcodes the demo branches serve, so every order is a placement order with a caseworker and a clock.
  const postcodes = cycle(demoBranches().flatMap((b) => b.catchmentPlz.slice(0, 3)));
  const titles = cycle(['Koch / Köchin (m/w/d)', 'Fachkraft für Lagerlogistik (m/w/d)', 'Verkäufer (m/w/d)']);
  const open: string[] = [];
  let n = 0;
  const call = async (path: string, body: unknown, extra: Record<string, string> = {}) => {
    const started = performance.now();
    const response = await fetch(`${service.baseUrl}${API}${path}`, {
      method: 'POST',
      headers: { ...headers, ...extra },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(TIMEOUT_SEC * 1000),
    });
    const text = await response.text();
    latencies.add(performance.now() - started);
    return { status: response.status, text };
  };
  return async function tick() {
    n += 1;
    try {
      const order = {
        title: titles(),
        description: `Soak-Test (synthetisch), Auftrag Nr. ${n}: Muster GmbH (Demo) sucht Verstärkung im Team.`,
        plz: postcodes(),
        working_times: ['vollzeit'],
        contract_type: 'unbefristet',
        placement_order: true,
      };
      const submitted = await call('/employer/vacancies', order, { 'idempotency-key': randomUUID() });
      if (submitted.status !== 201)
        return error('employer', `submit ${submitted.status} ${submitted.text.slice(0, 300)}`);
      open.push((JSON.parse(submitted.text) as { vacancy_id: string }).vacancy_id);
      if (open.length > OPEN_ORDERS) {
        const oldest = open.shift() as string;
        const withdrawn = await call(`/employer/vacancies/${oldest}/withdraw`, { reason: 'Soak-Test: Stelle besetzt' });
        if (withdrawn.status !== 200) error('employer', `withdraw ${withdrawn.status} ${withdrawn.text.slice(0, 300)}`);
      }
    } catch (err) {
      error('employer', (err as Error).message);
    }
  };
}

/** `jobbruecke crawl --source ID`, sent to the running service through the data directory's service link. */
function triggerCrawl(dataDir: string, sourceId: string): Promise<void> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [CLI, 'crawl', '--source', sourceId], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      if (code !== 0) error('crawlTrigger', `exit ${code}: ${output.trim().slice(0, 300)}`);
      done();
    });
  });
}

interface Scraped {
  heapMiB: number;
  queues: Record<string, Record<string, number>>;
  ingestPending: number;
}

/** What the soak follows of /metrics: the V8 heap, jobs per queue and state, crawled batches not yet ingested. */
async function scrape(service: Service): Promise<Scraped> {
  const text = await (await fetch(`${service.baseUrl}/metrics`)).text();
  const queues: Record<string, Record<string, number>> = {};
  let heap = 0;
  let ingestPending = 0;
  for (const line of text.split('\n')) {
    const job = /^jobbruecke_queue_jobs\{queue="([^"]+)",state="([^"]+)"\} (\S+)$/.exec(line);
    if (job) {
      const [, queue, state, n] = job as unknown as [string, string, string, string];
      queues[queue] ??= {};
      (queues[queue] as Record<string, number>)[state] = Number(n);
    }
    heap = Number(/^nodejs_heap_size_used_bytes (\S+)$/.exec(line)?.[1] ?? heap);
    ingestPending = Number(/^jobbruecke_ingest_pending_batches (\S+)$/.exec(line)?.[1] ?? ingestPending);
  }
  return { heapMiB: Math.round(heap / 1024 / 1024), queues, ingestPending };
}

const sumState = (queues: Record<string, Record<string, number>>, state: string) =>
  Object.values(queues).reduce((sum, states) => sum + (states[state] ?? 0), 0);

/** Jobs waiting or running, and crawled batches not yet ingested: work the service has not caught up with. */
const backlogOf = (m: Scraped) =>
  sumState(m.queues, 'waiting') + sumState(m.queues, 'prioritized') + sumState(m.queues, 'active') + m.ingestPending;

interface Sample {
  t: number;
  errors: number;
  kiosk: ReturnType<Interval['take']>;
  caseworker: ReturnType<Interval['take']>;
  employer: ReturnType<Interval['take']>;
  rssMiB: number;
  heapMiB: number;
  redisUsedMiB: number;
  redisKeys: number;
  /** Bytes of Redis's dataset per key: rises when keys grow inside (a stream or list without a cap). */
  redisDatasetBytesPerKey: number;
  /** Finished jobs BullMQ keeps on purpose (completed: up to 1,000 per queue for an hour; failed: a week). */
  retainedJobs: number;
  /** Redis keys that are not a job (kept, queued or running): the queues' own bookkeeping, which must not grow. */
  redisKeysBesideJobs: number;
  backlog: number;
  delayed: number;
  failed: number;
  load: number[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/** Mean of the first third of the samples against the last third; steady when within the tolerance plus `slack`. */
function trend(samples: Sample[], pick: (s: Sample) => number, slack = 0) {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const first = mean(samples.slice(0, third).map(pick));
  const last = mean(samples.slice(-third).map(pick));
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    first: round(first),
    last: round(last),
    growth: first > 0 ? Math.round(((last - first) / first) * 1000) / 1000 : 0,
    steady: last <= first * (1 + TOLERANCE) + slack,
  };
}

const report: Record<string, unknown> = {
  bench: 'soak',
  minutes: MINUTES,
  docs: DOCS,
  rates: {
    kioskPerSec: KIOSK_RATE,
    caseworkerPerSec: CASEWORKER_RATE,
    submitEverySec: SUBMIT_EVERY_SEC,
    crawlEverySec: CRAWL_EVERY_SEC,
    feedSize: FEED_SIZE,
  },
  tolerance: TOLERANCE,
  node: process.version,
  cpus: availableParallelism(),
  loadGenerator: 'autocannon 8 and fetch, in this process, on the same cores as the service and Redis',
  loadAverageAtStart: loadAverage(),
};
const dataDir = await mkdtemp(join(tmpdir(), 'soak-'));
const logFile = join(dataDir, 'service.log');
const board = await startJobFeedServer({ count: FEED_SIZE });
let redis: RedisServerHandle | undefined;
let redisClient: Redis | undefined;
let service: Service | undefined;
let failed = true;
const timers: NodeJS.Timeout[] = [];
/** The load generators, stopped in any case at the end: a run that fails half-way must not keep them going. */
const loads: Array<{ stop(): void }> = [];
try {
  let subjects: MatchSubjects = { customerIds: [], vacancyIds: [] };
  let sourceId = '';
  const prepareStart = performance.now();
  report.city = await prepareDemoCity(dataDir, DOCS, async (ctx: Ctx) => {
    subjects = await matchSubjects(ctx, 1, 200);
    const source = await addSource({
      ctx,
      input: { type: 'feed', url: board.feedUrl, name: 'Soak-Testbörse (synthetisch)', legalBasis: 'Testdaten' },
    });
    await setSourceEnabled(ctx, source.id, true);
    sourceId = source.id;
  });
  report.prepareMs = Math.round(performance.now() - prepareStart);
  console.log(`demo city ${JSON.stringify(report.city)} in ${report.prepareMs} ms`);

  redis = await startRedisServer({ dir: join(dataDir, 'redis'), appendOnly: true });
  redisClient = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redisClient.connect();
  service = startService({
    dataDir,
    port: await freePort(),
    logFile,
    env: {
      REDIS_URL: redis.url,
      QUEUE_PREFIX,
      CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(board.origin).host,
      TRUST_PROXY: '127.0.0.1',
      KIOSK_NETWORKS: '10.20.0.0/16',
      KIOSK_REQUESTS_PER_MINUTE: '100000',
    },
  });
  report.readyMs = Math.round(await serviceReady(service, START_TIMEOUT_MS));
  report.snapshotsWrittenMs = Math.round(await snapshotsWritten(service, dataDir, START_TIMEOUT_MS));
  const running = service;
  const client = redisClient;

  const durationSec = Math.round(MINUTES * 60);
  const intervals = { kiosk: new Interval(), caseworker: new Interval(), employer: new Interval() };
  const streams: Record<string, Promise<LoadFigures>> = {};
  for (const [name, rate, connections, next] of [
    ['kiosk', KIOSK_RATE, KIOSKS, kioskRequests()],
    ['caseworker', CASEWORKER_RATE, CASEWORKER_CONNECTIONS, caseworkerRequests(subjects)],
  ] as const) {
    if (rate <= 0) continue;
    const { instance, figures } = startLoad({
      baseUrl: running.baseUrl,
      connections,
      durationSec,
      overallRate: rate,
      timeoutSec: TIMEOUT_SEC,
      next,
    });
    instance.on('response', (_client, status, _bytes, ms) => {
      intervals[name].add(ms);
      if (status < 200 || status > 299) error(name, `HTTP ${status}`);
    });
    instance.on('reqError', (err: Error) => error(name, err.message));
    loads.push(instance);
    streams[name] = figures;
  }
  const submit = employerOrders(running, intervals.employer);
  if (SUBMIT_EVERY_SEC > 0) timers.push(setInterval(() => void submit(), SUBMIT_EVERY_SEC * 1000));
  // The listing moves on by a tenth before each crawl, around a ring of twice its size: postings leave (closed after
  // two crawls without them), come back (reopened) and are new, while the set of postings stays bounded.
  let offset = 0;
  const step = Math.max(1, Math.round(FEED_SIZE / 10));
  const crawl = () => {
    offset += step;
    board.setItems(Array.from({ length: FEED_SIZE }, (_, i) => (offset + i) % (2 * FEED_SIZE)));
    void triggerCrawl(dataDir, sourceId);
  };
  if (CRAWL_EVERY_SEC > 0) {
    crawl();
    timers.push(setInterval(crawl, CRAWL_EVERY_SEC * 1000));
  }

  const started = performance.now();
  let sampledAt = started;
  let failedAtStart: number | undefined;
  const sample = async (): Promise<Sample> => {
    if (running.child.exitCode !== null || running.child.signalCode !== null) {
      throw new Error(
        `the service exited during the soak (${running.child.exitCode ?? running.child.signalCode}):\n${running.logTail()}`,
      );
    }
    const [rssMiB, metrics, memory, keys] = await Promise.all([
      running.rssMiB(),
      scrape(running),
      client.info('memory'),
      client.dbsize(),
    ]);
    let completed = 0;
    for (const queue of Object.keys(metrics.queues))
      completed += await client.zcard(`${QUEUE_PREFIX}:${queue}:completed`);
    // Failed jobs are kept by BullMQ; each new one is an error of the run.
    const failedJobs = sumState(metrics.queues, 'failed');
    failedAtStart ??= failedJobs;
    const newFailures = failedJobs - failedAtStart - errors.failedJobs;
    for (let i = 0; i < newFailures; i++) error('failedJobs', 'a job failed (see /admin/queues)');
    const now = performance.now();
    const seconds = Math.max(1, (now - sampledAt) / 1000);
    sampledAt = now;
    const info = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(memory)?.[1] ?? 0);
    return {
      t: Math.round((now - started) / 1000),
      errors: totalErrors(),
      kiosk: intervals.kiosk.take(seconds),
      caseworker: intervals.caseworker.take(seconds),
      employer: intervals.employer.take(seconds),
      rssMiB,
      heapMiB: metrics.heapMiB,
      redisUsedMiB: Math.round((info('used_memory') / 1024 / 1024) * 10) / 10,
      redisKeys: keys,
      redisDatasetBytesPerKey: Math.round(info('used_memory_dataset') / Math.max(1, keys)),
      retainedJobs: completed + failedJobs,
      redisKeysBesideJobs:
        keys -
        completed -
        failedJobs -
        ['waiting', 'prioritized', 'active', 'delayed'].reduce((n, state) => n + sumState(metrics.queues, state), 0),
      backlog: backlogOf(metrics),
      delayed: sumState(metrics.queues, 'delayed'),
      failed: failedJobs,
      load: loadAverage(),
    };
  };
  const print = (s: Sample) =>
    console.log(
      `t=${s.t}s errors=${s.errors} | req/s, p99 ms: kiosk ${s.kiosk.perSec} ${s.kiosk.p99Ms}, caseworker ` +
        `${s.caseworker.perSec} ${s.caseworker.p99Ms}, employer ${s.employer.perSec} ${s.employer.p99Ms} | RSS ` +
        `${s.rssMiB} MiB heap ${s.heapMiB} MiB | Redis ${s.redisUsedMiB} MiB, ${s.redisKeys} keys, ` +
        `${s.retainedJobs} finished jobs kept | backlog ${s.backlog} delayed ${s.delayed} failed ${s.failed} | ` +
        `load ${s.load.join(' ')}`,
    );
  const samples: Sample[] = [];
  const end = started + durationSec * 1000;
  // On a fixed grid; a sample that took longer than the grid skips the slots it missed rather than bunching up.
  for (let slot = 1; started + slot * SAMPLE_SEC * 1000 <= end; ) {
    await new Promise((r) => setTimeout(r, Math.max(0, started + slot * SAMPLE_SEC * 1000 - performance.now())));
    const s = await sample();
    samples.push(s);
    print(s);
    slot = Math.floor((performance.now() - started) / (SAMPLE_SEC * 1000)) + 1;
  }
  for (const t of timers) clearInterval(t);
  const totals: Record<string, LoadFigures> = {};
  for (const [name, figures] of Object.entries(streams)) totals[name] = await figures;
  report.loadGeneratorView = totals;

  // The load has stopped: whatever is still queued must drain, and the service must stop cleanly.
  const drainStart = performance.now();
  let drained = false;
  while (performance.now() - drainStart < DRAIN_MS) {
    if (backlogOf(await scrape(running)) === 0) {
      drained = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  report.drain = { drained, ms: Math.round(performance.now() - drainStart) };
  report.afterDrain = await sample();

  const trends = {
    rssMiB: trend(samples, (s) => s.rssMiB),
    heapMiB: trend(samples, (s) => s.heapMiB),
    // Jobs are judged as backlog, and finished ones are kept by BullMQ's retention (which fills during the first hour).
    redisKeysBesideJobs: trend(samples, (s) => s.redisKeysBesideJobs, SLACK.redisKeys),
    redisDatasetBytesPerKey: trend(samples, (s) => s.redisDatasetBytesPerKey),
    backlog: trend(samples, (s) => s.backlog, SLACK.backlogJobs),
  };
  const reported = {
    redisUsedMiB: trend(samples, (s) => s.redisUsedMiB),
    redisKeys: trend(samples, (s) => s.redisKeys),
    retainedJobs: trend(samples, (s) => s.retainedJobs),
    delayedJobs: trend(samples, (s) => s.delayed),
  };
  report.trends = { judged: trends, reported };
  report.samples = samples;
  console.log('trend: mean of the first third of the samples against the last third (judged, then reported only)');
  console.table({ ...trends, ...reported });
  report.serviceExit = await running.stop();
  service = undefined;
  const serverSide = await accessLogFigures(logFile);
  for (const [route, figures] of Object.entries(serverSide)) {
    for (const [status, n] of Object.entries(figures.statuses)) {
      if (Number(status) >= 500) for (let i = 0; i < n; i++) error('serverErrors', `${route} answered ${status}`);
    }
  }
  report.serverSide = serverSide;
  console.log('server-side time per route (access log), ms');
  console.table(serverSide);
  report.errors = { ...errors, total: totalErrors(), examples };
  console.log(`errors: ${JSON.stringify(report.errors)}`);
  console.log(`drain after the load: ${JSON.stringify(report.drain)}, service exit code ${report.serviceExit}`);
  failed = totalErrors() > 0 || Object.values(trends).some((t) => !t.steady) || !drained || report.serviceExit !== 0;
  report.verdict = failed ? 'failed' : 'passed';
} catch (err) {
  report.error = (err as Error).message;
  console.error(err);
} finally {
  for (const t of timers) clearInterval(t);
  for (const load of loads) load.stop();
  if (service) report.serviceExit = await service.stop();
  redisClient?.disconnect();
  await redis?.stop();
  await board.close();
  if (values.keep) console.log(`data directory kept: ${dataDir}`);
  else await rm(dataDir, { recursive: true, force: true });
}
report.loadAverageAtEnd = loadAverage();
console.log(JSON.stringify(report));
process.exitCode = failed ? 1 : 0;
