/**
 * BullMQ keeps only what Redis keeps. This test kills Redis (no persistence, so every job is gone) in the middle of
 * a crawl, starts it again, and shows that once the pipeline drains every posting is stored exactly once: the crawl
 * run and its postings live in the DB, and the relays re-derive the lost jobs from there.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { DatabaseHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { runCrawl } from '../../crawlers/run-crawl.ts';
import { openQueueBackend } from '../../queues/backend.ts';
import { createQueues } from '../../queues/queues.ts';
import { startRelays } from '../../queues/relays.ts';
import { type ProcessorRegistry, startWorkers } from '../../queues/workers.ts';
import type { Config } from '../../src/config.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { crawlRuns, ingestBatches, outbox, sources, vacancies, vacancySources } from '../../src/db/schema.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import { testContext } from '../helpers/context.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.ts';

const POSTINGS = 1200;
const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-redis-restart-'));
let redis: RedisServerHandle;
let database: Database;
let board: JobFeedServer;

beforeAll(async () => {
  redis = await startRedisServer({ dir, appendOnly: false });
  database = await openPglite(undefined);
  await database.migrate();
  board = await startJobFeedServer({ count: POSTINGS, streamMs: 3_000 });
});

afterAll(async () => {
  await board.close();
  await database.close();
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, timeoutMs: number, what: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

it('loses and duplicates no posting when Redis restarts in the middle of a crawl', async () => {
  const ctx = testContext(database.db, new Date());
  const crawl: Config['crawl'] = {
    baJobsucheUrl: 'http://127.0.0.1:9',
    allowedPrivateHosts: [new URL(board.origin).host],
    contactUrl: 'https://jobbruecke.example/test',
  };
  const [_source] = await database.db
    .insert(sources)
    .values({ name: 'Testbörse', type: 'feed', url: board.feedUrl, legalBasis: 'test fixture', everyMinutes: 1440 })
    .returning({ id: sources.id });

  const backend = await openQueueBackend({ kind: 'redis', url: redis.url }, { log: ctx.log, prefix: 'restart-test' });
  const queues = createQueues(backend, ctx.log);
  const rateLimiter = new DatabaseHostRateLimiter(database.db);
  const processors: ProcessorRegistry = {
    crawl: async ({ sourceId }) => {
      const result = await runCrawl({ ctx, crawl, rateLimiter }, sourceId);
      for (const id of result.batchIds) await queues.ingest(id);
      return { status: result.status };
    },
    ingest: async ({ batchId }) => ({ status: (await ingestBatch(ctx, batchId)).status }),
    index: async () => ({ status: 'skipped' }),
    match: async () => ({ status: 'skipped' }),
    'sla-milestone': async () => ({ status: 'skipped' }),
    'reaction-reminders': async () => ({ status: 'skipped' }),
    'purge-idempotency-keys': async () => ({ status: 'skipped' }),
    'deliver-notifications': async () => ({ status: 'skipped' }),
  };
  const workers = startWorkers({ backend, processors, log: ctx.log });
  const relays = startRelays({ ctx, queues, log: ctx.log, intervalMs: 300 });

  try {
    // The relay installs the source's job scheduler, whose first run starts the crawl.
    await board.feedRequested;
    await new Promise((r) => setTimeout(r, 800));
    redis.process.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 1_500));
    redis = await startRedisServer({ dir, appendOnly: false, port: redis.port });

    await until(
      async () => {
        const [pending] = await database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(ingestBatches)
          .where(isNull(ingestBatches.processedAt));
        const [running] = await database.db
          .select({ n: sql<number>`count(*)::int` })
          .from(crawlRuns)
          .where(isNull(crawlRuns.finishedAt));
        const [staged] = await database.db.select({ n: sql<number>`count(*)::int` }).from(ingestBatches);
        return (
          pending?.n === 0 &&
          running?.n === 0 &&
          (staged?.n ?? 0) > 0 &&
          (await database.db.$count(vacancySources)) >= POSTINGS
        );
      },
      60_000,
      'the pipeline to drain',
    );

    expect(await database.db.$count(vacancies)).toBe(POSTINGS);
    expect(await database.db.$count(vacancySources)).toBe(POSTINGS);
    const [distinct] = await database.db
      .select({ n: sql<number>`count(distinct ${vacancySources.externalId})::int` })
      .from(vacancySources);
    expect(distinct?.n).toBe(POSTINGS);
    // Each new vacancy announced itself once to the index and the matcher.
    const [indexRows] = await database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(outbox)
      .where(sql`${outbox.topic} = 'index'`);
    expect(indexRows?.n).toBe(POSTINGS);
  } finally {
    await relays.stop();
    await workers.close();
    await queues.close();
    await backend.close();
  }
});
