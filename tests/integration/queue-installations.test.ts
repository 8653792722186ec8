/**
 * Two installations on one queue backend (issue 15): a test and a live system, or two job centres, sharing a Redis.
 * Each keeps its queues under a prefix of its own, so neither's workers take the other's jobs; an upgraded
 * installation takes its own jobs from the prefix all used to share, and leaves the other's; and a job that names a
 * source, batch, vacancy or customer the installation does not know fails at once, named in its reason and the log,
 * on every backend. Redis here is a private redis-server of this file's own, so the legacy prefix is nobody else's.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MatchService } from '../../matchers/service/match-service.ts';
import { openQueueBackend, type QueueBackend } from '../../queues/backend.ts';
import { type JobName, QueueName } from '../../queues/jobs.ts';
import { LEGACY_ADOPTED_KEY, LEGACY_PREFIX } from '../../queues/legacy-prefix.ts';
import { createProcessors } from '../../queues/processors/registry.ts';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { relayOnce } from '../../queues/relays.ts';
import { startWorkers, type Workers } from '../../queues/workers.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Ctx } from '../../src/context.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { appMeta, auditLog, crawlRuns, ingestBatches, sources, vacancies } from '../../src/db/schema.ts';
import { installationId, resetInstallationId } from '../../src/installation.ts';
import type { Logger } from '../../src/logging.ts';
import { createLogger } from '../../src/logging.ts';
import { testContext } from '../helpers/context.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type QueueTestSetup, testQueueBackends } from '../helpers/queue-backends.ts';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.ts';

const silent = createLogger('silent');

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A logger whose lines the test reads. */
function capturingLog(): { log: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

function crawlConfig(boards: JobFeedServer[] = []): Config {
  return loadConfig({
    DATA_DIR: tmpdir(),
    CRAWL_ALLOWED_PRIVATE_HOSTS: boards.map((b) => new URL(b.origin).host).join(','),
  });
}

/** One installation: its database, its queue backend, the real processors, and workers once started. */
interface Installation {
  database: Database;
  ctx: Ctx;
  backend: QueueBackend;
  queues: Queues;
  startWorkers(log?: Logger): void;
  close(): Promise<void>;
}

async function installation(database: Database, backend: QueueBackend, config: Config): Promise<Installation> {
  const ctx = testContext(database.db, new Date());
  const queues = createQueues(backend, silent);
  const processors = createProcessors({
    config,
    ctx,
    queues,
    indexFollower: undefined,
    matchService: await MatchService.load(ctx),
    mail: undefined,
    log: silent,
  });
  let workers: Workers | undefined;
  return {
    database,
    ctx,
    backend,
    queues,
    startWorkers(log = silent) {
      workers = startWorkers({ backend, processors, log });
    },
    async close() {
      await workers?.close();
      await queues.close();
      await backend.close();
    },
  };
}

async function freshPglite(): Promise<Database> {
  const database = await openPglite(undefined);
  await database.migrate();
  return database;
}

async function addSource(db: Database['db'], url: string): Promise<string> {
  const [row] = await db
    .insert(sources)
    .values({ name: 'Testbörse', type: 'feed', url, legalBasis: 'test fixture', everyMinutes: 1440 })
    .returning({ id: sources.id });
  return row!.id;
}

async function addBatch(db: Database['db'], sourceId: string): Promise<string> {
  const [row] = await db.insert(ingestBatches).values({ sourceId, postings: [] }).returning({ id: ingestBatches.id });
  return row!.id;
}

describe('two installations sharing one Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-installations-'));
  let redis: RedisServerHandle;
  let client: Redis;
  const opened: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    redis = await startRedisServer({ dir });
    client = new Redis(redis.url);
  });

  afterAll(async () => {
    client.disconnect();
    await redis.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await client.flushall();
  });

  afterEach(async () => {
    for (const part of opened.splice(0).reverse()) await part.close();
  });

  async function open(database: Database, config: Config = crawlConfig(), queue?: Config['queue']) {
    const backend = await openQueueBackend(queue ?? { kind: 'redis', url: redis.url }, { database, log: silent });
    const inst = await installation(database, backend, config);
    opened.push(inst);
    return inst;
  }

  it('gives each installation the prefix of its id, kept across restarts; QUEUE_PREFIX overrides it', async () => {
    const a = await freshPglite();
    const b = await freshPglite();
    opened.push(a, b);
    const first = await open(a);
    const idA = await installationId(a.db);
    expect(idA).toMatch(/^[0-9a-f]{12}$/);
    expect(first.backend.prefix).toBe(`jobbruecke:${idA}`);
    await first.close();
    opened.splice(opened.indexOf(first), 1);
    // A restart (a second process of the same installation) finds the same id.
    expect((await open(a)).backend.prefix).toBe(`jobbruecke:${idA}`);
    const other = await open(b);
    expect(other.backend.prefix).toMatch(/^jobbruecke:[0-9a-f]{12}$/);
    expect(other.backend.prefix).not.toBe(`jobbruecke:${idA}`);

    const config = loadConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: 'jobbruecke:test-system', DATA_DIR: tmpdir() });
    expect((await open(b, config, config.queue)).backend.prefix).toBe('jobbruecke:test-system');
    expect(() => loadConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: 'jobbruecke:' })).toThrow(
      /QUEUE_PREFIX: must not end with ":"/,
    );
    expect(() => loadConfig({ REDIS_URL: redis.url, QUEUE_PREFIX: 'job centre' })).toThrow(/QUEUE_PREFIX: must be/);

    // A clone given a new id (docs/operations.md) gets a new prefix.
    const { previous, current } = await resetInstallationId(a.db);
    expect(previous).toBe(idA);
    expect(current).not.toBe(idA);
    expect((await open(a)).backend.prefix).toBe(`jobbruecke:${current}`);
  });

  it('crawls and ingests only its own batches; the other’s job waits for its owner', async () => {
    const boardA = await startJobFeedServer({ count: 3 });
    const boardB = await startJobFeedServer({ count: 5 });
    opened.push(boardA, boardB);
    const config = crawlConfig([boardA, boardB]);
    const dbA = await freshPglite();
    const dbB = await freshPglite();
    opened.push(dbA, dbB);
    const a = await open(dbA, config);
    const b = await open(dbB, config);
    const sourceA = await addSource(dbA.db, boardA.feedUrl);
    const sourceB = await addSource(dbB.db, boardB.feedUrl);

    // Only B's workers run: before the fix they took A's crawl, found no such source and completed it.
    b.startWorkers();
    await a.queues.crawl(sourceA, 'test');
    await b.queues.crawl(sourceB, 'test');
    await until('B’s vacancies', async () => ((await dbB.db.$count(vacancies)) === 5 ? true : undefined));
    await pause(1_000);
    const [waitingA] = await a.queues.byName.crawl.getJobs(['waiting']);
    expect(waitingA?.data).toEqual({ sourceId: sourceA });
    expect(await dbA.db.$count(crawlRuns)).toBe(0);
    expect(await b.queues.byName.crawl.getJobCounts('completed', 'failed')).toEqual({ completed: 1, failed: 0 });

    a.startWorkers();
    await until('A’s vacancies', async () => ((await dbA.db.$count(vacancies)) === 3 ? true : undefined));
    for (const inst of [a, b]) {
      expect(await inst.queues.drained('ingest', 15_000)).toBe(true);
      const batches = await inst.database.db
        .select({ id: ingestBatches.id, at: ingestBatches.processedAt })
        .from(ingestBatches);
      expect(batches.length).toBeGreaterThan(0);
      expect(batches.every((batch) => batch.at !== null)).toBe(true);
      // Every ingest job this installation's workers completed is one of its own batches, and each batch had one.
      const completed = await inst.queues.byName.ingest.getJobs(['completed']);
      expect(completed.map((j) => j.id).sort()).toEqual(batches.map((batch) => `ingest_${batch.id}`).sort());
      expect(completed.every((j) => (j.returnvalue as { status: string }).status === 'done')).toBe(true);
      expect(await inst.queues.byName.ingest.getJobCounts('failed')).toEqual({ failed: 0 });
    }
    expect(await dbB.db.$count(vacancies)).toBe(5);

    // Every key in Redis belongs to one of the two; nothing under the prefix they used to share.
    const keys = await client.keys('*');
    expect(keys.length).toBeGreaterThan(0);
    const foreign = keys.filter((k) => !k.startsWith(`${a.backend.prefix}:`) && !k.startsWith(`${b.backend.prefix}:`));
    expect(foreign).toEqual([]);
    for (const queue of Object.values(QueueName)) {
      expect(keys.some((k) => k.startsWith(`${LEGACY_PREFIX}:${queue}:`))).toBe(false);
    }
  });

  it('takes its own jobs from the old shared prefix once and leaves the other installation’s', async () => {
    const database = await freshPglite();
    opened.push(database);
    const source = await addSource(database.db, 'http://127.0.0.1:9/feed.rss');
    const batch = await addBatch(database.db, source);
    const strangerSource = randomUUID();
    const strangerBatch = randomUUID();

    // What the previous version left under the shared prefix: this installation's and another one's jobs.
    const connection = new Redis(redis.url);
    const legacy = Object.fromEntries(
      Object.values(QueueName).map((q) => [q, new Queue(q, { connection, prefix: LEGACY_PREFIX })]),
    ) as Record<QueueName, Queue>;
    opened.push({
      close: async () => {
        for (const q of Object.values(legacy)) await q.close();
        connection.disconnect();
      },
    });
    await legacy.crawl.add(
      'crawl',
      { sourceId: source },
      { jobId: `crawl_${source}_cli-1`, delay: 60_000, attempts: 2 },
    );
    await legacy.crawl.upsertJobScheduler(
      `source_${source}`,
      { every: 3_600_000 },
      { name: 'crawl', data: { sourceId: source } },
    );
    await legacy.ingest.add('ingest', { batchId: batch }, { jobId: `ingest_${batch}` });
    await legacy.crawl.add('crawl', { sourceId: strangerSource }, { jobId: `crawl_${strangerSource}_cli-1` });
    await legacy.crawl.upsertJobScheduler(
      `source_${strangerSource}`,
      { every: 3_600_000 },
      { name: 'crawl', data: { sourceId: strangerSource } },
    );
    await legacy.ingest.add('ingest', { batchId: strangerBatch }, { jobId: `ingest_${strangerBatch}` });
    await legacy.index.add('index', {});

    const { log, lines } = capturingLog();
    const backend = await openQueueBackend({ kind: 'redis', url: redis.url }, { database, log });
    const inst = await installation(database, backend, crawlConfig());
    opened.push(inst);
    expect(backend.prefix).toBe(`jobbruecke:${await installationId(database.db)}`);

    // The one-off crawl moved, still delayed by what was left of its minute; the rest is re-derived by the relay.
    const moved = await inst.queues.byName.crawl.getJob(`crawl_${source}_cli-1`);
    expect(moved?.data).toEqual({ sourceId: source });
    expect(await moved?.getState()).toBe('delayed');
    expect(moved?.delay).toBeGreaterThan(50_000);
    expect(lines).toContainEqual(
      expect.objectContaining({ from: LEGACY_PREFIX, to: backend.prefix, moved: 1, removed: 1, schedulers: 1 }),
    );

    // Under the old prefix only the other installation's jobs and the ones naming nothing are left.
    expect(await legacy.crawl.getJob(`crawl_${source}_cli-1`)).toBeUndefined();
    expect(await legacy.ingest.getJob(`ingest_${batch}`)).toBeUndefined();
    expect((await legacy.crawl.getJobSchedulers()).map((s) => s.key)).toEqual([`source_${strangerSource}`]);
    expect((await legacy.crawl.getJob(`crawl_${strangerSource}_cli-1`))?.data).toEqual({ sourceId: strangerSource });
    expect((await legacy.ingest.getJob(`ingest_${strangerBatch}`))?.data).toEqual({ batchId: strangerBatch });
    expect(await legacy.index.getJobCounts('waiting')).toEqual({ waiting: 1 });

    // Nothing is lost: the relay's pass enqueues the pending batch and the source's scheduler under the new prefix.
    await relayOnce(inst.ctx, inst.queues, { schedulers: '' });
    expect((await inst.queues.byName.ingest.getJob(`ingest_${batch}`))?.data).toEqual({ batchId: batch });
    expect((await inst.queues.byName.crawl.getJobSchedulers()).map((s) => s.key)).toEqual([`source_${source}`]);

    // Once per database: a later start leaves the old prefix alone.
    const [marker] = await database.db.select().from(appMeta).where(eq(appMeta.key, LEGACY_ADOPTED_KEY));
    expect(marker?.value).toMatch(/^\d{4}-\d{2}-\d{2}T/);
    await legacy.crawl.add('crawl', { sourceId: source }, { jobId: `crawl_${source}_cli-2` });
    const again = await openQueueBackend({ kind: 'redis', url: redis.url }, { database, log: silent });
    await again.close();
    expect(await legacy.crawl.getJob(`crawl_${source}_cli-2`)).toBeDefined();
  });
});

/** The jobs that name something, each with an id nobody knows, and the kind the reason must name. */
function strangers(): Array<{
  name: JobName;
  queue: QueueName;
  data: Record<string, unknown>;
  id: string;
  kind: string;
}> {
  const id = () => randomUUID();
  const [source, batch, vacancy, customer, milestone] = [id(), id(), id(), id(), id()];
  return [
    { name: 'crawl', queue: 'crawl', data: { sourceId: source }, id: source, kind: 'source' },
    { name: 'ingest', queue: 'ingest', data: { batchId: batch }, id: batch, kind: 'batch' },
    { name: 'match', queue: 'match', data: { kind: 'vacancy', id: vacancy }, id: vacancy, kind: 'vacancy' },
    { name: 'match', queue: 'match', data: { kind: 'customer', id: customer }, id: customer, kind: 'customer' },
    {
      name: 'sla-milestone',
      queue: 'sla',
      data: { vacancyId: milestone, kind: 'reminder' },
      id: milestone,
      kind: 'vacancy',
    },
  ];
}

describe.each(testQueueBackends())('on the $name backend', (backendUnderTest) => {
  let setup: QueueTestSetup;
  let inst: Installation;

  beforeEach(async () => {
    setup = await backendUnderTest.open();
    inst = await installation(setup.database, setup.backend, crawlConfig());
  });

  afterEach(async () => {
    await inst.close();
    await setup.database.close();
  });

  it('fails a job that names a source, batch, vacancy or customer this installation does not know', async () => {
    const { log, lines } = capturingLog();
    inst.startWorkers(log);
    const cases = strangers();
    // As the producers add them: ingest and milestone jobs ask to be removed when they fail.
    const jobs: Job[] = [];
    for (const c of cases) {
      const removeOnFail = c.name === 'ingest' || c.name === 'sla-milestone';
      jobs.push(await inst.queues.byName[c.queue].add(c.name, c.data, { jobId: `stranger_${c.id}`, removeOnFail }));
    }
    for (const [i, c] of cases.entries()) {
      const queue = inst.queues.byName[c.queue];
      const failed = await until(`the ${c.name} job naming ${c.kind} ${c.id} to fail`, async () => {
        const job = await queue.getJob(jobs[i]!.id!);
        return job?.finishedOn ? job : undefined;
      });
      expect(await failed.getState()).toBe('failed');
      expect(failed.failedReason).toContain(`names ${c.kind} ${c.id}, which this installation does not know`);
      // Not retried: it would never find what it names.
      expect(failed.attemptsMade).toBe(1);
      expect(lines).toContainEqual(
        expect.objectContaining({ level: 50, job: c.name, jobId: jobs[i]!.id, [c.kind]: c.id }),
      );
    }
  });

  it('completes a match job of a customer it deleted, and the jobs of what it knows', async () => {
    inst.startWorkers();
    const deleted = randomUUID();
    // The record the deletion verb (src/customers/retention.ts) leaves of a deleted customer.
    await setup.database.db
      .insert(auditLog)
      .values({ action: 'customer.delete', objectType: 'customer', objectId: deleted, detail: { outcome: 'ok' } });
    const source = await addSource(setup.database.db, 'http://127.0.0.1:9/feed.rss');
    await setup.database.db.update(sources).set({ enabled: false }).where(eq(sources.id, source));
    const batch = await addBatch(setup.database.db, source);
    await inst.queues.match({ kind: 'customer', id: deleted });
    await inst.queues.ingest(batch);
    await inst.queues.crawl(source, 'test');
    const done = async (queue: QueueName) =>
      (await inst.queues.byName[queue].getJobCounts('completed')).completed === 1 ? true : undefined;
    await until('the three jobs', async () =>
      (await done('match')) && (await done('ingest')) && (await done('crawl')) ? true : undefined,
    );
    expect((await inst.queues.byName.match.getJobs(['completed']))[0]?.returnvalue).toMatchObject({
      status: 'skipped',
    });
    const [processed] = await setup.database.db.select().from(ingestBatches).where(eq(ingestBatches.id, batch));
    expect(processed?.processedAt).not.toBeNull();
    // A disabled source of its own stays a routine skip.
    expect((await inst.queues.byName.crawl.getJobs(['completed']))[0]?.returnvalue).toMatchObject({
      status: 'skipped',
      detail: { reason: 'source disabled' },
    });
    for (const queue of ['match', 'ingest', 'crawl'] as const) {
      expect(await inst.queues.byName[queue].getJobCounts('failed')).toEqual({ failed: 0 });
    }
  });
});

describe.each(testQueueBackends().filter((b) => b.name !== 'redis'))(
  'two installations on the $name backend',
  (backendUnderTest) => {
    it('keep their queues in their own databases: neither’s workers see the other’s jobs', async () => {
      const setups = [await backendUnderTest.open(), await backendUnderTest.open()];
      const [a, b] = await Promise.all(setups.map((s) => installation(s.database, s.backend, crawlConfig())));
      try {
        const sourceA = await addSource(a!.database.db, 'http://127.0.0.1:9/feed.rss');
        const batchA = await addBatch(a!.database.db, sourceA);
        b!.startWorkers();
        await a!.queues.ingest(batchA);
        await pause(1_000);
        expect(await (await a!.queues.byName.ingest.getJob(`ingest_${batchA}`))?.getState()).toBe('waiting');
        expect(await b!.queues.byName.ingest.getJobCounts('completed', 'failed', 'waiting')).toEqual({
          completed: 0,
          failed: 0,
          waiting: 0,
        });
        a!.startWorkers();
        await until('A’s batch', async () => {
          const [row] = await a!.database.db.select().from(ingestBatches).where(eq(ingestBatches.id, batchA));
          return row?.processedAt ? true : undefined;
        });
      } finally {
        for (const inst of [a, b]) await inst?.close();
        for (const s of setups) await s.database.close();
      }
    });
  },
);
