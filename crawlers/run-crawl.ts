/**
 * One crawl run of one source: fetch (crawlSource), then stage the postings in the DB as ingest batches and record
 * the run, all in one transaction. The postings live in the DB from here on, so losing a queue loses nothing.
 */
import { eq } from 'drizzle-orm';
import type { Config } from '../src/config.ts';
import { type Ctx, withTransaction } from '../src/context.ts';
import { crawlRuns, ingestBatches, sources } from '../src/db/schema.ts';
import type { HostRateLimiter } from './http/rate-limiter.ts';
import { crawlSource } from './index.ts';
import type { CrawlState } from './types.ts';

export const INGEST_BATCH_SIZE = 500;

export interface CrawlRunResult {
  status: 'done' | 'skipped';
  reason?: string;
  runId?: string;
  batchIds: string[];
  postings: number;
  complete: boolean;
  errors: number;
}

export interface RunCrawlDeps {
  ctx: Ctx;
  crawl: Config['crawl'];
  rateLimiter: HostRateLimiter;
}

export async function runCrawl(deps: RunCrawlDeps, sourceId: string): Promise<CrawlRunResult> {
  const { ctx } = deps;
  const [source] = await ctx.db.select().from(sources).where(eq(sources.id, sourceId));
  if (!source)
    return { status: 'skipped', reason: 'unknown source', batchIds: [], postings: 0, complete: false, errors: 0 };
  if (!source.enabled)
    return { status: 'skipped', reason: 'source disabled', batchIds: [], postings: 0, complete: false, errors: 0 };
  if (source.type === 'employer')
    return {
      status: 'skipped',
      reason: 'employer submissions are not crawled',
      batchIds: [],
      postings: 0,
      complete: false,
      errors: 0,
    };

  const [run] = await ctx.db
    .insert(crawlRuns)
    .values({ sourceId, startedAt: ctx.now() })
    .returning({ id: crawlRuns.id, startedAt: crawlRuns.startedAt });
  const state = (source.crawlState as unknown as CrawlState | null) ?? { validators: {} };
  const outcome = await crawlSource(
    { id: source.id, type: source.type, url: source.url, params: source.params, config: source.config },
    { validators: state.validators ?? {}, ...(state.cursor ? { cursor: state.cursor } : {}) },
    {
      http: { contactUrl: deps.crawl.contactUrl, allowedPrivateHosts: deps.crawl.allowedPrivateHosts },
      rateLimiter: deps.rateLimiter,
    },
  );

  const closesRun = outcome.complete && !outcome.notModified;
  const chunks: unknown[][] = [];
  for (let i = 0; i < outcome.postings.length; i += INGEST_BATCH_SIZE)
    chunks.push(outcome.postings.slice(i, i + INGEST_BATCH_SIZE));
  // A complete crawl that found nothing still needs a closing batch, so missing postings are counted.
  if (closesRun && chunks.length === 0) chunks.push([]);

  const status =
    outcome.errors.length === 0
      ? 'succeeded'
      : outcome.postings.length > 0 || outcome.notModified
        ? 'partial'
        : 'failed';
  const stats = {
    fetched: outcome.postings.length,
    errors: outcome.errors.length,
    requests: outcome.stats.requests,
    bytes: outcome.stats.bytes,
    durationMs: outcome.stats.durationMs,
  };
  const batchIds = await withTransaction(ctx, async (tx) => {
    const ids: string[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const [batch] = await tx.db
        .insert(ingestBatches)
        .values({ sourceId, crawlRunId: run!.id, postings: chunk, closesRun: closesRun && i === chunks.length - 1 })
        .returning({ id: ingestBatches.id });
      ids.push(batch!.id);
    }
    await tx.db
      .update(crawlRuns)
      .set({ finishedAt: tx.now(), status, complete: closesRun, stats, errors: outcome.errors.slice(0, 100) })
      .where(eq(crawlRuns.id, run!.id));
    await tx.db
      .update(sources)
      .set({
        crawlState: outcome.state as unknown as Record<string, unknown>,
        lastRunAt: tx.now(),
        lastRunStats: stats,
        lastError: outcome.errors[0] ? `${outcome.errors[0].kind}: ${outcome.errors[0].message}`.slice(0, 1000) : null,
        updatedAt: tx.now(),
      })
      .where(eq(sources.id, sourceId));
    return ids;
  });
  ctx.log.info(
    { sourceId, runId: run!.id, postings: outcome.postings.length, complete: closesRun, errors: outcome.errors.length },
    'crawl finished',
  );
  return {
    status: 'done',
    runId: run!.id,
    batchIds,
    postings: outcome.postings.length,
    complete: closesRun,
    errors: outcome.errors.length,
  };
}
