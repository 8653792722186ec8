/**
 * A source's crawl claim after the process holding it died (a worker killed mid-crawl): the same queue job, delivered
 * again by stalled-job recovery, takes its claim over at once and closes the interrupted run; any other crawl still
 * waits for the claim to end or to go stale. Before, the source stayed blocked for the 30-minute stale limit.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { ALREADY_RUNNING, CRAWL_CLAIM_STALE_MS, runCrawl } from '../../crawlers/run-crawl.ts';
import type { Config } from '../../src/config.ts';
import type { Ctx } from '../../src/context.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { crawlRuns, sources } from '../../src/db/schema.ts';
import { testContext } from '../helpers/context.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';

const POSTINGS = 30;

describe('a crawl claim left by a process that died', () => {
  let board: JobFeedServer;
  let database: Database;
  let ctx: Ctx;
  let sourceId: string;
  let crawl: Config['crawl'];

  beforeAll(async () => {
    board = await startJobFeedServer({ count: POSTINGS });
    crawl = {
      allowedPrivateHosts: [new URL(board.origin).host],
      contactUrl: 'https://jobbruecke.example/test',
      baJobsucheUrl: 'https://jobsuche.invalid/',
    };
    database = await openPglite(undefined);
    await database.migrate();
    ctx = testContext(database.db, new Date());
    const [source] = await database.db
      .insert(sources)
      .values({ name: 'Testbörse (Claim)', type: 'feed', url: board.feedUrl, legalBasis: 'test fixture' })
      .returning({ id: sources.id });
    sourceId = source!.id;
  });

  afterAll(async () => {
    await board?.close();
    await database?.close();
  });

  const crawlAs = (claimant?: string) =>
    runCrawl({ ctx, crawl, rateLimiter: new MemoryHostRateLimiter() }, sourceId, claimant);

  /** What a worker killed mid-crawl leaves: its claim, fresh, and its run without an end. */
  async function dieWhileCrawling(claimant: string): Promise<string> {
    await database.db
      .update(sources)
      .set({ crawlStartedAt: new Date(), crawlClaimedBy: claimant })
      .where(eq(sources.id, sourceId));
    const [run] = await database.db
      .insert(crawlRuns)
      .values({ sourceId, startedAt: new Date() })
      .returning({ id: crawlRuns.id });
    return run!.id;
  }

  it('lets the same job take its claim over at once, and no one else', async () => {
    const interrupted = await dieWhileCrawling('job:repeat:source_x:1');

    // Another job, a CLI run: the claim is fresh, so the crawl counts as running.
    expect(await crawlAs('job:repeat:source_x:2')).toMatchObject({ status: 'skipped', reason: ALREADY_RUNNING });
    expect(await crawlAs()).toMatchObject({ status: 'skipped', reason: ALREADY_RUNNING });

    // The killed job, delivered again: it crawls now, not after the stale limit.
    const again = await crawlAs('job:repeat:source_x:1');
    expect(again).toMatchObject({ status: 'done', postings: POSTINGS, complete: true });

    const [old] = await database.db.select().from(crawlRuns).where(eq(crawlRuns.id, interrupted));
    expect(old).toMatchObject({ status: 'failed' });
    expect(old!.finishedAt).not.toBeNull();
    expect(old!.errors[0]?.message).toMatch(/^interrupted/);
    const [source] = await database.db.select().from(sources).where(eq(sources.id, sourceId));
    expect(source).toMatchObject({ crawlStartedAt: null, crawlClaimedBy: null });
    expect(await database.db.$count(crawlRuns, eq(crawlRuns.status, 'running'))).toBe(0);
  });

  it('still lets anyone take over a claim past the stale limit', async () => {
    await dieWhileCrawling('job:repeat:source_x:3');
    await database.db
      .update(sources)
      .set({ crawlStartedAt: new Date(Date.now() - CRAWL_CLAIM_STALE_MS - 60_000) })
      .where(eq(sources.id, sourceId));
    expect(await crawlAs()).toMatchObject({ status: 'done' });
    expect(await database.db.$count(crawlRuns, eq(crawlRuns.status, 'running'))).toBe(0);
  });
});
