/**
 * Ingest benchmark (`npm run bench:ingest`): synthetic postings end to end – staged batches, BullMQ `ingest` jobs,
 * normalisation, cross-source dedupe, the database, outbox, and the `index` queue feeding the embedded search engine –
 * until the index holds every open vacancy.
 * Baseline in the same run: the same path with one posting per batch (one transaction and one job per posting).
 * Options: --postings N (default 50000), --baseline N (default 2000), --backend with the database it goes with:
 * `embedded` (default: PGlite on disk holding data and queues), `redis` (PGlite on disk, queues on a private
 * redis-server), `postgres` (a fresh database on the PostgreSQL server at --postgres-url holding data and queues).
 * Prints one JSON line last.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { eq, isNull, sql } from 'drizzle-orm';
import pg from 'pg';
import { openQueueBackend, type QueueBackendKind } from '../queues/backend.ts';
import { createQueues } from '../queues/queues.ts';
import { type ProcessorRegistry, startWorkers } from '../queues/workers.ts';
import { type Database, openPglite, openPostgres } from '../src/db/client.ts';
import { ingestBatches, sources, vacancies } from '../src/db/schema.ts';
import { generateVacancies, type SyntheticVacancy } from '../src/demo/synthetic-vacancies.ts';
import type { RawPostingInput } from '../src/domain/posting.ts';
import { createLogger } from '../src/logging.ts';
import { memoryCursor } from '../src/outbox/cursor.ts';
import { createEmbeddedSearchEngine } from '../src/search/embedded.ts';
import { createIndexFollower } from '../src/search/index-sync.ts';
import { ingestBatch } from '../src/vacancies/ingest/ingest-batch.ts';
import { type RedisServerHandle, startRedisServer } from '../tests/helpers/redis-server.ts';

const { values } = parseArgs({
  options: {
    postings: { type: 'string', default: '50000' },
    baseline: { type: 'string', default: '2000' },
    backend: { type: 'string', default: 'embedded' },
    'postgres-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/test' },
  },
});
const POSTINGS = Number(values.postings);
const BASELINE = Number(values.baseline);
const BACKENDS = ['embedded', 'redis', 'postgres'] as const;
if (!BACKENDS.includes(values.backend as QueueBackendKind)) throw new Error(`--backend: one of ${BACKENDS.join(', ')}`);
const BACKEND = values.backend as QueueBackendKind;
const MODES: Record<QueueBackendKind, string> = {
  embedded: 'embedded (PGlite on disk holding data and queues, embedded search)',
  redis: 'PGlite on disk, queues on a private redis-server, embedded search',
  postgres: 'PostgreSQL server holding data and queues, embedded search',
};

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
  return { database, backend, remove: async () => redis?.stop() };
}
const DUPLICATE_SHARE = 0.1;

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

async function runPipeline(label: string, postingCount: number, batchSize: number, seed: number) {
  const dir = mkdtempSync(join(os.tmpdir(), `jobbruecke-bench-ingest-${label}-`));
  const { database, backend, remove } = await openStores(label, dir);
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
  const boardPostings = generated
    .filter((_, i) => i % Math.round(1 / DUPLICATE_SHARE) === 0)
    .map((v, i) => toPosting(v, `b-${i}`, 'board.bench.invalid', true));
  const all: Array<{ sourceId: string; postings: RawPostingInput[] }> = [];
  for (let i = 0; i < careersPostings.length; i += batchSize)
    all.push({ sourceId: careers!.id, postings: careersPostings.slice(i, i + batchSize) });
  for (let i = 0; i < boardPostings.length; i += batchSize)
    all.push({ sourceId: board!.id, postings: boardPostings.slice(i, i + batchSize) });
  const total = careersPostings.length + boardPostings.length;

  const queues = createQueues(backend, log);
  const processors: ProcessorRegistry = {
    crawl: async () => ({ status: 'skipped' }),
    match: async () => ({ status: 'skipped' }),
    ingest: async ({ batchId }) => {
      const r = await ingestBatch(ctx, batchId);
      if (r.status === 'done') await queues.index();
      return { status: r.status };
    },
    index: async () => ({ status: 'done', detail: { applied: await indexFollower.sync(ctx) } }),
    'sla-milestone': async () => ({ status: 'skipped' }),
    'reaction-reminders': async () => ({ status: 'skipped' }),
    'purge-idempotency-keys': async () => ({ status: 'skipped' }),
    'deliver-notifications': async () => ({ status: 'skipped' }),
  };

  const started = performance.now();
  // Staging is part of the pipeline: a crawl run writes its batches to the DB before queueing them.
  const batchIds: string[] = [];
  for (const b of all) {
    const [row] = await database.db
      .insert(ingestBatches)
      .values({ sourceId: b.sourceId, postings: b.postings })
      .returning({ id: ingestBatches.id });
    batchIds.push(row!.id);
  }
  const workers = startWorkers({ backend, processors, log });
  for (const id of batchIds) await queues.ingest(id);

  for (;;) {
    const [pending] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(ingestBatches)
      .where(isNull(ingestBatches.processedAt));
    if (pending?.n === 0) {
      const [open] = await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(vacancies)
        .where(eq(vacancies.status, 'open'));
      if ((await search.count()) === open?.n) break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const [open] = await database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(vacancies)
    .where(eq(vacancies.status, 'open'));
  const result = {
    postings: total,
    vacancies: open?.n ?? 0,
    linkedDuplicates: total - (open?.n ?? 0),
    seconds: Math.round(seconds * 100) / 100,
    perSecond: Math.round(total / seconds),
  };

  await workers.close();
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
  `baseline (one posting per batch): ${baseline.postings} postings in ${baseline.seconds} s = ${baseline.perSecond}/s`,
);
const batched = await runPipeline('batched', POSTINGS, 500, 42);
console.log(
  `batched (500 per batch): ${batched.postings} postings → ${batched.vacancies} vacancies (${batched.linkedDuplicates} duplicates linked) in ${batched.seconds} s = ${batched.perSecond}/s`,
);
console.log(
  JSON.stringify({
    bench: 'ingest',
    backend: BACKEND,
    mode: MODES[BACKEND],
    postings: batched.postings,
    vacancies: batched.vacancies,
    linkedDuplicates: batched.linkedDuplicates,
    seconds: batched.seconds,
    postingsPerSecond: batched.perSecond,
    baselinePostings: baseline.postings,
    baselinePerSecond: baseline.perSecond,
    ratioToBaseline: Math.round((batched.perSecond / baseline.perSecond) * 10) / 10,
    targetPerSecond: 1000,
    node: process.version,
    cpus: os.availableParallelism(),
  }),
);
