/**
 * Ingest benchmark (`npm run bench:ingest`): synthetic postings end to end – staged batches, BullMQ `ingest` jobs,
 * normalisation, cross-source dedupe, the database, outbox, and the embedded search index following the outbox –
 * until the index holds every open vacancy. Checks the dedupe result (every re-listing linked to a vacancy of the
 * careers site, none stored as a vacancy of its own) and that every batch was processed exactly once.
 * Baseline in the same run: the same path with one posting per batch (one transaction and one job per posting).
 * Options: --postings N (default 50000), --baseline N (default 2000), --backend with the database it goes with:
 * `embedded` (default: PGlite on disk holding data and queues), `redis` (PGlite on disk, queues on a private
 * redis-server), `postgres` (a fresh database on the PostgreSQL server at --postgres-url holding data and queues).
 * --workers N (postgres only): the scale-out mode. N worker processes, each this script started again with
 * `--role worker`, a container of its own (bin/container.ts) running the worker role's queue workers and
 * processors against the shared database and queues; this process stages, enqueues and follows the outbox into its
 * index as the API process does. Without it, the workers run in this process.
 * Prints the load average with the figures, and one JSON line last.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { eq, isNotNull, isNull, sql } from 'drizzle-orm';
import pg from 'pg';
import { createContainer } from '../bin/container.ts';
import { openQueueBackend, type QueueBackendKind } from '../queues/backend.ts';
import { createQueues } from '../queues/queues.ts';
import { type ProcessorRegistry, startWorkers } from '../queues/workers.ts';
import { loadConfig } from '../src/config.ts';
import { type Database, openPglite, openPostgres } from '../src/db/client.ts';
import { ingestBatches, sources, vacancies } from '../src/db/schema.ts';
import { generateVacancies, type SyntheticVacancy } from '../src/demo/synthetic-vacancies.ts';
import type { RawPostingInput } from '../src/domain/posting.ts';
import { createLogger } from '../src/logging.ts';
import { memoryCursor } from '../src/outbox/cursor.ts';
import { createEmbeddedSearchEngine } from '../src/search/embedded.ts';
import { createIndexFollower } from '../src/search/index-sync.ts';
import { codeOccupation } from '../src/taxonomy/coder.ts';
import { ingestBatch } from '../src/vacancies/ingest/ingest-batch.ts';
import { type RedisServerHandle, startRedisServer } from '../tests/helpers/redis-server.ts';

const { values } = parseArgs({
  options: {
    postings: { type: 'string', default: '50000' },
    baseline: { type: 'string', default: '2000' },
    backend: { type: 'string', default: 'embedded' },
    workers: { type: 'string', default: '0' },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
    role: { type: 'string', default: 'bench' },
    'database-url': { type: 'string' },
  },
});

/** What a worker process tells the bench: ready to take jobs, and at the end what it did. */
type WorkerMessage = { ready: true } | WorkerReport;
interface WorkerReport {
  done: number;
  skipped: number;
  /** Wall time inside the ingest verb, and the process's CPU time, from ready to stop. */
  ingestSeconds: number;
  cpuSeconds: number;
}

const cpuSince = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return Math.round((used.user + used.system) / 10_000) / 100;
};

if (values.role === 'worker') {
  await workerRole(values['database-url']!);
} else {
  await bench();
}

/**
 * One worker process of the scale-out mode: the production worker role's queue workers and processors, built by its
 * own container against the shared PostgreSQL database and queues. Relays and the expiry sweep are left out, so
 * that no `match` job joins the measured work (the in-process mode skips them too).
 */
async function workerRole(databaseUrl: string): Promise<void> {
  const dataDir = mkdtempSync(join(os.tmpdir(), 'jobbruecke-bench-worker-'));
  const config = loadConfig({ DATABASE_URL: databaseUrl, QUEUE_BACKEND: 'postgres', DATA_DIR: dataDir });
  const log = createLogger('warn');
  const container = createContainer(config, log, { api: false });
  const queues = await container.queues();
  const processors = await container.processors();
  const report: WorkerReport = { done: 0, skipped: 0, ingestSeconds: 0, cpuSeconds: 0 };
  const counted: ProcessorRegistry = {
    ...processors,
    async ingest(payload, job, token) {
      const start = performance.now();
      const outcome = await processors.ingest(payload, job, token);
      report.ingestSeconds += (performance.now() - start) / 1000;
      if (outcome.status === 'done') report.done += 1;
      else report.skipped += 1;
      return outcome;
    },
  };
  // A running service has coded titles before: the coder's one-off start-up is not part of the figure.
  codeOccupation({ title: 'Lagerhelfer' });
  const workers = startWorkers({ backend: queues.backend, processors: counted, log });
  const cpu = process.cpuUsage();
  process.send?.({ ready: true } satisfies WorkerMessage);
  process.once('message', async () => {
    report.cpuSeconds = cpuSince(cpu);
    report.ingestSeconds = Math.round(report.ingestSeconds * 100) / 100;
    await workers.close();
    await container.close();
    rmSync(dataDir, { recursive: true, force: true });
    process.send?.(report satisfies WorkerMessage, () => process.exit(0));
  });
}

async function bench(): Promise<void> {
  const POSTINGS = Number(values.postings);
  const BASELINE = Number(values.baseline);
  const WORKERS = Number(values.workers);
  const BACKENDS = ['embedded', 'redis', 'postgres'] as const;
  if (!BACKENDS.includes(values.backend as QueueBackendKind))
    throw new Error(`--backend: one of ${BACKENDS.join(', ')}`);
  const BACKEND = values.backend as QueueBackendKind;
  if (!Number.isInteger(WORKERS) || WORKERS < 0) throw new Error('--workers: a number of worker processes');
  if (WORKERS > 0 && BACKEND !== 'postgres') throw new Error('--workers needs --backend postgres');
  const MODES: Record<QueueBackendKind, string> = {
    embedded: 'embedded (PGlite on disk holding data and queues, embedded search)',
    redis: 'PGlite on disk, queues on a private redis-server, embedded search',
    postgres:
      WORKERS > 0
        ? `PostgreSQL server holding data and queues, ${WORKERS} worker processes, embedded search in this process`
        : 'PostgreSQL server holding data and queues, embedded search',
  };
  const DUPLICATE_SHARE = 0.1;
  const FOLLOW_MS = 200;
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');

  /** The database and queue backend of one run, and how to remove both afterwards. */
  async function openStores(label: string, dir: string) {
    const log = createLogger('warn');
    if (BACKEND === 'postgres') {
      const name = `jobbruecke_bench_${label}_${process.pid}`;
      const admin = new pg.Client({ connectionString: values['postgres-url'] });
      await admin.connect();
      await admin.query(`drop database if exists ${name}`);
      await admin.query(`create database ${name}`);
      const url = new URL(values['postgres-url']!);
      url.pathname = `/${name}`;
      const database = await openPostgres(url.toString());
      await database.migrate();
      const backend = await openQueueBackend({ kind: 'postgres', url: url.toString() }, { log });
      return {
        database,
        backend,
        url: url.toString(),
        async remove() {
          await admin.query(`drop database if exists ${name} with (force)`);
          await admin.end();
        },
      };
    }
    const database: Database = await openPglite(join(dir, 'db'));
    await database.migrate();
    let redis: RedisServerHandle | undefined;
    if (BACKEND === 'redis') redis = await startRedisServer({ dir: join(dir, 'redis') });
    const backend = await openQueueBackend(redis ? { kind: 'redis', url: redis.url } : { kind: 'embedded' }, {
      database,
      log,
      prefix: `bench-${label}`,
    });
    return { database, backend, url: undefined, remove: async () => redis?.stop() };
  }

  const WORKING_TIME_WORDS: Record<string, string> = {
    vollzeit: 'FULL_TIME',
    teilzeit: 'PART_TIME',
    minijob: 'PART_TIME',
    schicht_nacht_wochenende: 'FULL_TIME',
    heim_telearbeit: 'FULL_TIME',
  };

  function toPosting(v: SyntheticVacancy, externalId: string, host: string, variant = false): RawPostingInput {
    return {
      externalId,
      url: `https://${host}/jobs/${externalId}`,
      // A re-listing on another board words the title a little differently.
      title: variant ? v.title.replace('(m/w/d)', '(w/m/d)') : v.title,
      description: v.description,
      employerName: variant ? v.employerName.replace(/ GmbH$/, ' GmbH.') : v.employerName,
      locations: [{ plz: v.plz, city: v.place }],
      employmentTypes: [...new Set(v.workingTimes.map((w) => WORKING_TIME_WORDS[w] ?? 'OTHER'))],
      datePosted: v.publishedAt.toISOString(),
    };
  }

  /** Worker processes on the run's database, ready to take jobs; `stop` returns the batches each processed. */
  async function startWorkerProcesses(url: string, count: number) {
    const children: ChildProcess[] = [];
    for (let i = 0; i < count; i++) {
      children.push(
        fork(process.argv[1]!, ['--role', 'worker', '--database-url', url], {
          execArgv: process.execArgv,
          stdio: 'inherit',
        }),
      );
    }
    const next = (child: ChildProcess) =>
      new Promise<WorkerMessage>((resolve, reject) => {
        child.once('message', (m) => resolve(m as WorkerMessage));
        child.once('exit', (code) => reject(new Error(`worker process exited (${code})`)));
      });
    await Promise.all(children.map(next));
    return {
      async stop() {
        const counts = await Promise.all(
          children.map((child) => {
            const answer = next(child);
            child.send('stop');
            return answer as Promise<WorkerReport>;
          }),
        );
        await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
        return counts;
      },
    };
  }

  async function runPipeline(label: string, postingCount: number, batchSize: number, seed: number) {
    const dir = mkdtempSync(join(os.tmpdir(), `jobbruecke-bench-ingest-${label}-`));
    const { database, backend, url, remove } = await openStores(label, dir);
    const log = createLogger('warn');
    const ctx = { db: database.db, log, now: () => new Date('2026-11-20T09:00:00Z') };
    const search = createEmbeddedSearchEngine();
    await search.init();
    const indexFollower = createIndexFollower(search, memoryCursor(0));

    const [careers, board] = await database.db
      .insert(sources)
      .values([
        { name: 'Bench careers', type: 'jsonld', url: 'https://careers.bench.invalid/', legalBasis: 'benchmark' },
        { name: 'Bench board', type: 'feed', url: 'https://board.bench.invalid/', legalBasis: 'benchmark' },
      ])
      .returning({ id: sources.id });
    const generated = generateVacancies(Math.ceil(postingCount / (1 + DUPLICATE_SHARE)), seed, Date.UTC(2026, 10, 20));
    const careersPostings = generated.map((v, i) => toPosting(v, `c-${i}`, 'careers.bench.invalid'));
    const every = Math.round(1 / DUPLICATE_SHARE);
    // Board posting b-i re-lists careers posting c-(every × i).
    const boardPostings = generated
      .filter((_, i) => i % every === 0)
      .map((v, i) => toPosting(v, `b-${i}`, 'board.bench.invalid', true));
    const all: Array<{ sourceId: string; postings: RawPostingInput[] }> = [];
    for (let i = 0; i < careersPostings.length; i += batchSize)
      all.push({ sourceId: careers!.id, postings: careersPostings.slice(i, i + batchSize) });
    for (let i = 0; i < boardPostings.length; i += batchSize)
      all.push({ sourceId: board!.id, postings: boardPostings.slice(i, i + batchSize) });
    const total = careersPostings.length + boardPostings.length;

    const queues = createQueues(backend, log);
    const outcomes = { done: 0, skipped: 0 };
    // Where the time goes, for workers in this process: inside the ingest verb, and following the outbox.
    const spent = { ingest: 0, index: 0 };
    const timed = async <T>(part: keyof typeof spent, work: () => Promise<T>): Promise<T> => {
      const start = performance.now();
      try {
        return await work();
      } finally {
        spent[part] += performance.now() - start;
      }
    };
    const processors: ProcessorRegistry = {
      crawl: async () => ({ status: 'skipped' }),
      match: async () => ({ status: 'skipped' }),
      ingest: async ({ batchId }) => {
        const r = await timed('ingest', () => ingestBatch(ctx, batchId));
        outcomes[r.status] += 1;
        if (r.status === 'done') await queues.index();
        return { status: r.status };
      },
      index: async () => ({
        status: 'done',
        detail: { applied: await timed('index', () => indexFollower.sync(ctx)) },
      }),
      'sla-milestone': async () => ({ status: 'skipped' }),
      'reaction-reminders': async () => ({ status: 'skipped' }),
      'purge-idempotency-keys': async () => ({ status: 'skipped' }),
      'deliver-notifications': async () => ({ status: 'skipped' }),
    };
    // Worker processes start before the clock, as a running service's workers would be waiting.
    const processes = WORKERS > 0 ? await startWorkerProcesses(url!, WORKERS) : undefined;
    const loadBefore = load();

    const started = performance.now();
    const cpu = process.cpuUsage();
    // Staging is part of the pipeline: a crawl run writes its batches to the DB before queueing them.
    const batchIds: string[] = [];
    for (const b of all) {
      const [row] = await database.db
        .insert(ingestBatches)
        .values({ sourceId: b.sourceId, postings: b.postings })
        .returning({ id: ingestBatches.id });
      batchIds.push(row!.id);
    }
    const workers = processes ? undefined : startWorkers({ backend, processors, log });
    for (const id of batchIds) await queues.ingest(id);

    const count = async (query: Promise<Array<{ n: number }>>) => (await query)[0]?.n ?? 0;
    const openVacancies = () =>
      count(database.db.select({ n: sql<number>`count(*)::int` }).from(vacancies).where(eq(vacancies.status, 'open')));
    let followed = 0;
    for (;;) {
      // With worker processes this process keeps the index, as the API process does: it follows the outbox itself,
      // a few times a second (the API's timer: once a second).
      if (processes && performance.now() - followed >= FOLLOW_MS) {
        followed = performance.now();
        await timed('index', () => indexFollower.sync(ctx));
      }
      const pending = await count(
        database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(ingestBatches)
          .where(isNull(ingestBatches.processedAt)),
      );
      if (pending === 0 && (await search.count()) === (await openVacancies())) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (performance.now() - started) / 1000;
    const benchCpu = cpuSince(cpu);
    const loadAfter = load();

    const open = await openVacancies();
    // Every re-listing joins a vacancy of the careers site. The generator makes a few ads that differ only in their
    // text (same employer, title and place); a re-listing of one of them may join its twin, so the posting it
    // re-lists is counted apart.
    const [relinked] = (
      (await database.db.execute(
        sql`select count(*)::int as linked,
            count(*) filter (where exists (select 1 from vacancy_sources own where own.vacancy_id = relisting.vacancy_id
              and own.source_id = ${careers!.id}
              and own.external_id = 'c-' || (substr(relisting.external_id, 3)::int * ${every})))::int as own
            from vacancy_sources relisting
            where relisting.source_id = ${board!.id}
              and exists (select 1 from vacancy_sources original where original.vacancy_id = relisting.vacancy_id
                and original.source_id = ${careers!.id})`,
      )) as unknown as { rows: Array<{ linked: number; own: number }> }
    ).rows;
    // A batch processed twice would have counted its postings again, as unchanged the second time.
    const [recorded] = await database.db
      .select({
        batches: sql<number>`count(*)::int`,
        counted: sql<number>`coalesce(sum((stats->>'new')::int + (stats->>'duplicates')::int + (stats->>'closed')::int), 0)::int`,
        unchanged: sql<number>`coalesce(sum((stats->>'unchanged')::int), 0)::int`,
      })
      .from(ingestBatches)
      .where(isNotNull(ingestBatches.processedAt));
    await workers?.close();
    const perProcess = processes
      ? await processes.stop()
      : [{ ...outcomes, ingestSeconds: spent.ingest / 1000, cpuSeconds: benchCpu }];
    const done = perProcess.reduce((a, p) => a + p.done, 0);
    const result = {
      postings: total,
      vacancies: open,
      linkedDuplicates: total - open,
      relistings: boardPostings.length,
      relistingsLinked: relinked?.linked ?? 0,
      relistingsLinkedToTheirOwn: relinked?.own ?? 0,
      batches: batchIds.length,
      batchesDone: done,
      batchesDonePerProcess: perProcess.map((p) => p.done),
      processedOnce:
        done === batchIds.length &&
        recorded?.batches === batchIds.length &&
        recorded.counted === total &&
        recorded.unchanged === 0,
      seconds: Math.round(seconds * 100) / 100,
      perSecond: Math.round(total / seconds),
      ingestSeconds: Math.round(perProcess.reduce((a, p) => a + p.ingestSeconds, 0) * 100) / 100,
      cpuSeconds: { bench: benchCpu, workers: processes ? perProcess.map((p) => p.cpuSeconds) : [] },
      indexSeconds: Math.round(spent.index / 10) / 100,
      load: `${loadBefore} → ${loadAfter}`,
    };

    await queues.close();
    await backend.close();
    await search.close();
    await database.close();
    await remove();
    rmSync(dir, { recursive: true, force: true });
    return result;
  }

  const baseline = await runPipeline('baseline', BASELINE, 1, 11);
  console.log(
    `baseline (one posting per batch): ${baseline.postings} postings in ${baseline.seconds} s = ${baseline.perSecond}/s (load average ${baseline.load})`,
  );
  const batched = await runPipeline('batched', POSTINGS, 500, 42);
  console.log(
    `batched (500 per batch): ${batched.postings} postings → ${batched.vacancies} vacancies (${batched.relistingsLinked} of ${batched.relistings} re-listings linked, ${batched.relistingsLinkedToTheirOwn} of them to the very posting they re-list) in ${batched.seconds} s = ${batched.perSecond}/s (load average ${batched.load})`,
  );
  const inWorkers = WORKERS > 0 ? ` (summed over the ${WORKERS} worker processes)` : '';
  const workerCpu = WORKERS > 0 ? `, ${batched.cpuSeconds.workers.join(' + ')} s in the workers` : '';
  console.log(
    `time inside the ingest verb: ${batched.ingestSeconds} s${inWorkers}; following the outbox into the index: ${batched.indexSeconds} s; CPU: ${batched.cpuSeconds.bench} s in this process${workerCpu}`,
  );
  console.log(
    `batches: ${batched.batches}, processed ${batched.batchesDone} times (${batched.batchesDonePerProcess.join(' + ')} by process), each exactly once: ${batched.processedOnce ? 'yes' : 'NO'}`,
  );
  const ok = (r: typeof batched) => r.processedOnce && r.relistingsLinked === r.relistings;
  console.log(
    JSON.stringify({
      bench: 'ingest',
      backend: BACKEND,
      workers: WORKERS,
      mode: MODES[BACKEND],
      postings: batched.postings,
      vacancies: batched.vacancies,
      linkedDuplicates: batched.linkedDuplicates,
      relistingsLinked: batched.relistingsLinked,
      relistingsLinkedToTheirOwn: batched.relistingsLinkedToTheirOwn,
      processedOnce: batched.processedOnce,
      seconds: batched.seconds,
      ingestSeconds: batched.ingestSeconds,
      indexSeconds: batched.indexSeconds,
      cpuSeconds: batched.cpuSeconds,
      postingsPerSecond: batched.perSecond,
      loadAverage: batched.load,
      baselinePostings: baseline.postings,
      baselinePerSecond: baseline.perSecond,
      baselineLoadAverage: baseline.load,
      ratioToBaseline: Math.round((batched.perSecond / baseline.perSecond) * 10) / 10,
      targetPerSecond: WORKERS > 0 ? 5000 : BACKEND === 'embedded' ? 3000 : null,
      node: process.version,
      cpus: os.availableParallelism(),
    }),
  );
  if (!ok(batched) || !ok(baseline)) {
    console.error('dedupe or exactly-once check failed');
    process.exitCode = 1;
  }
}
