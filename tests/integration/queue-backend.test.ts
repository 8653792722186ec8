/**
 * What the program relies on from a queue backend, on each of them (tests/helpers/queue-backends.ts): every job done
 * exactly once, delayed jobs and job schedulers on time, a job whose worker died taken over by another, and the
 * deduplication the producers use. Then what only the embedded backend must show: queue and application
 * statements never share a transaction, and the queues live in the data directory with the data.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Job, Worker } from 'bullmq';
import { sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQueueBackend } from '../../queues/backend.ts';
import type { QueueName } from '../../queues/jobs.ts';
import { pglitePool } from '../../queues/pglite-pool.ts';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { type ProcessorRegistry, startWorkers, type Workers } from '../../queues/workers.ts';
import { openPglite } from '../../src/db/client.ts';
import { appMeta } from '../../src/db/schema.ts';
import { createLogger } from '../../src/logging.ts';
import { type QueueTestSetup, testQueueBackends } from '../helpers/queue-backends.ts';

const log = createLogger('silent');
const SOURCE = '00000000-0000-4000-8000-000000000001';

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Processors that only record what they were given. */
function recorder() {
  const seen: Record<QueueName, string[]> = { crawl: [], ingest: [], index: [], match: [], sla: [], notifications: [] };
  const done = (queue: QueueName, value: string) => {
    seen[queue].push(value);
    return Promise.resolve({ status: 'done' as const });
  };
  const processors: ProcessorRegistry = {
    crawl: ({ sourceId }) => done('crawl', sourceId),
    ingest: ({ batchId }) => done('ingest', batchId),
    index: () => done('index', 'index'),
    match: ({ id }) => done('match', id),
    'sla-milestone': ({ vacancyId, kind }) => done('sla', `${vacancyId}_${kind}`),
    'reaction-reminders': () => done('sla', 'reaction-reminders'),
    'purge-idempotency-keys': () => done('sla', 'purge-idempotency-keys'),
    'deliver-notifications': () => done('notifications', 'deliver-notifications'),
  };
  return { seen, processors };
}

describe.each(testQueueBackends())('the $name queue backend', (backendUnderTest) => {
  let setup: QueueTestSetup;
  let queues: Queues;
  let workers: Workers | undefined;

  beforeEach(async () => {
    setup = await backendUnderTest.open();
    queues = createQueues(setup.backend, log);
  });

  afterEach(async () => {
    await workers?.close();
    workers = undefined;
    await queues.close();
    await setup.close();
  });

  it('does every job exactly once, and a repeated add with the same id is a no-op', async () => {
    const { seen, processors } = recorder();
    workers = startWorkers({ backend: setup.backend, processors, log });
    const ids = Array.from({ length: 60 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    await Promise.all(ids.map((id) => queues.ingest(id)));
    await Promise.all(ids.slice(0, 10).map((id) => queues.ingest(id)));
    await until('every batch', () => (seen.ingest.length >= ids.length ? true : undefined));
    expect(await queues.drained('ingest', 10_000)).toBe(true);
    expect([...seen.ingest].sort()).toEqual(ids);
  });

  it('wakes an idle worker at once when a job is added', async () => {
    const { seen, processors } = recorder();
    workers = startWorkers({ backend: setup.backend, processors, log });
    await queues.index();
    await until('the first job', () => (seen.index.length === 1 ? true : undefined));
    await new Promise((r) => setTimeout(r, 300));
    const added = performance.now();
    await queues.match({ kind: 'vacancy', id: SOURCE });
    await until('the match job', () => (seen.match.length === 1 ? true : undefined));
    // Redis pops at once; the PostgreSQL backends are woken by NOTIFY, not by polling.
    expect(performance.now() - added).toBeLessThan(1_000);
  });

  it('fires a job scheduler on time, and keeps it once removed no more', async () => {
    const { seen, processors } = recorder();
    workers = startWorkers({ backend: setup.backend, processors, log });
    const started = Date.now();
    await queues.byName.crawl.upsertJobScheduler(
      `source_${SOURCE}`,
      { every: 400 },
      { name: 'crawl', data: { sourceId: SOURCE } },
    );
    await until('three scheduled crawls', () => (seen.crawl.length >= 3 ? true : undefined), 10_000);
    expect(Date.now() - started).toBeLessThan(3_000);
    expect((await queues.byName.crawl.getJobSchedulers()).map((s) => [s.key, Number(s.every)])).toEqual([
      [`source_${SOURCE}`, 400],
    ]);
    await queues.byName.crawl.removeJobScheduler(`source_${SOURCE}`);
    expect(await queues.byName.crawl.getJobSchedulers()).toEqual([]);
  });

  it('collapses index requests while one is waiting', async () => {
    await queues.index();
    await queues.index();
    await queues.match({ kind: 'customer', id: SOURCE });
    await queues.match({ kind: 'customer', id: SOURCE });
    expect(await queues.byName.index.getJobCounts('waiting')).toEqual({ waiting: 1 });
    expect(await queues.byName.match.getJobCounts('waiting')).toEqual({ waiting: 1 });
  });

  it('hands the job of a worker that died to another worker, which finishes it', async () => {
    const options = (connection: unknown) => ({
      connection,
      prefix: setup.backend.prefix,
      lockDuration: 1_000,
      stalledInterval: 500,
    });
    let started!: () => void;
    const jobStarted = new Promise<void>((r) => {
      started = r;
    });
    // The first worker takes the job and never finishes it: the process it stands for was killed.
    const dying = setup.backend.workerConnection();
    const first = new Worker(
      'ingest',
      async () => {
        started();
        await new Promise(() => {});
      },
      { ...options(dying.connection), skipLockRenewal: true },
      setup.backend.factory,
    );
    await queues.ingest(SOURCE);
    await jobStarted;
    await first.close(true);
    dying.close();

    const finished: string[] = [];
    const healthy = setup.backend.workerConnection();
    const second = new Worker(
      'ingest',
      async (job: Job) => {
        finished.push(job.data.batchId);
      },
      options(healthy.connection),
      setup.backend.factory,
    );
    try {
      await until('the stalled job to be finished', () => (finished.length > 0 ? true : undefined), 20_000);
      expect(finished).toEqual([SOURCE]);
    } finally {
      await second.close();
      healthy.close();
    }
  });

  it('answers the health check', async () => {
    expect(await setup.backend.ping()).toBe(true);
  });
});

describe('the embedded queue backend', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-embedded-queue-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('never runs a queue statement inside an open application transaction', async () => {
    const database = await openPglite(undefined);
    await database.migrate();
    const backend = await openQueueBackend({ kind: 'embedded' }, { database, log });
    const queues = createQueues(backend, log);
    try {
      let added: Promise<void> | undefined;
      await expect(
        database.db.transaction(async (tx) => {
          await tx.insert(appMeta).values({ key: 'rolled-back', value: '1' });
          added = queues.ingest(SOURCE);
          await new Promise((r) => setTimeout(r, 200));
          throw new Error('roll back');
        }),
      ).rejects.toThrow('roll back');
      await added;
      // The job was added after the transaction, so its rollback did not take the job with it.
      expect(await queues.byName.ingest.getJobCounts('waiting')).toEqual({ waiting: 1 });
      expect(await database.db.$count(appMeta)).toBe(0);
    } finally {
      await queues.close();
      await backend.close();
      await database.close();
    }
  });

  it('behaves like node-postgres: values, transactions of a checked-out client', async () => {
    const database = await openPglite(undefined);
    const pool = pglitePool(database.pglite!);
    try {
      const { rows } = await pool.query(
        'select $1::int8 as big, $2::jsonb as doc, $3::boolean as yes, $4::text[] as list, 7::int4 as small',
        [12, { a: 1 }, true, ['x', 'y,z']],
      );
      expect(rows).toEqual([{ big: '12', doc: { a: 1 }, yes: true, list: ['x', 'y,z'], small: 7 }]);

      await pool.query('create table t (v int)');
      const client = await pool.connect();
      await client.query('BEGIN');
      await client.query('insert into t values ($1)', [1]);
      await client.query('ROLLBACK');
      await client.query('BEGIN');
      await client.query('insert into t values ($1)', [2]);
      await client.query('COMMIT');
      client.release();
      expect((await pool.query('select v from t')).rows).toEqual([{ v: 2 }]);
    } finally {
      await pool.end();
      await database.close();
    }
  });

  it('keeps BullMQ apart from the application tables: no name in both schemas', async () => {
    const database = await openPglite(undefined);
    await database.migrate();
    const backend = await openQueueBackend({ kind: 'embedded' }, { database, log });
    try {
      const shared = await database.db.execute(sql`
        select name from (
          select c.relname as name, n.nspname as schema from pg_class c join pg_namespace n on n.oid = c.relnamespace
          union all
          select p.proname, n.nspname from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          union all
          select t.typname, n.nspname from pg_type t join pg_namespace n on n.oid = t.typnamespace
        ) objects
        where schema in ('public', 'bullmq')
        group by name having count(distinct schema) > 1`);
      expect((shared as { rows: unknown[] }).rows).toEqual([]);
    } finally {
      await backend.close();
      await database.close();
    }
  });

  it('keeps the queues in the data directory, with the data', async () => {
    const open = async () => {
      const database = await openPglite(join(dir, 'db'));
      await database.migrate();
      const backend = await openQueueBackend({ kind: 'embedded' }, { database, log });
      return { database, backend, queues: createQueues(backend, log) };
    };
    const first = await open();
    await first.queues.ingest(SOURCE);
    await first.queues.close();
    await first.backend.close();
    await first.database.close();

    const second = await open();
    try {
      expect(await second.queues.byName.ingest.getJobCounts('waiting')).toEqual({ waiting: 1 });
    } finally {
      await second.queues.close();
      await second.backend.close();
      await second.database.close();
    }
  });
});
