/**
 * One crawl run of one source: fetch (crawlSource), then stage the postings in the DB as ingest batches and record
 * the run, all in one transaction. The postings live in the DB from here on, so losing a queue loses nothing.
 */
import { randomUUID } from 'node:crypto';
import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import type { Config } from '../src/config.ts';
import { type Ctx, withTransaction } from '../src/context.ts';
import { crawlRuns, ingestBatches, sources } from '../src/db/schema.ts';
import { storableText, unstorableText } from '../src/ingest/text.ts';
import type { HostRateLimiter } from './http/rate-limiter.ts';
import { crawlSource } from './index.ts';
import type { CrawlOutcome, CrawlState } from './types.ts';

export const INGEST_BATCH_SIZE = 500;
/** A claim this old belongs to a crawl that died; the next run takes the source over. */
export const CRAWL_CLAIM_STALE_MS = 30 * 60_000;
export const ALREADY_RUNNING = 'a crawl of this source is already running';

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

type SourceRow = typeof sources.$inferSelect;

const skipped = (reason: string): CrawlRunResult => ({
  status: 'skipped',
  reason,
  batchIds: [],
  postings: 0,
  complete: false,
  errors: 0,
});

/**
 * `claimant` names who crawls: a queue job passes `job:<id>`, so that the same job delivered again after its process
 * died (stalled-job recovery) takes its own claim over instead of waiting for it to go stale. Without one, the run
 * claims for itself alone.
 */
export async function runCrawl(
  deps: RunCrawlDeps,
  sourceId: string,
  claimant = `run:${randomUUID()}`,
): Promise<CrawlRunResult> {
  const { ctx } = deps;
  const [source] = await ctx.db.select().from(sources).where(eq(sources.id, sourceId));
  if (!source) return skipped('unknown source');
  if (!source.enabled) return skipped('source disabled');
  if (source.type === 'employer') return skipped('employer submissions are not crawled');

  // One crawl per source at a time, whichever worker or CLI asks: claimed atomically on the source row.
  const claimedAt = ctx.now();
  const claimed = await ctx.db
    .update(sources)
    .set({ crawlStartedAt: claimedAt, crawlClaimedBy: claimant })
    .where(
      and(
        eq(sources.id, sourceId),
        or(
          isNull(sources.crawlStartedAt),
          lt(sources.crawlStartedAt, new Date(claimedAt.getTime() - CRAWL_CLAIM_STALE_MS)),
          eq(sources.crawlClaimedBy, claimant),
        ),
      ),
    )
    .returning({ id: sources.id });
  if (claimed.length === 0) return skipped(ALREADY_RUNNING);
  try {
    await closeInterruptedRuns(ctx, sourceId);
    return await crawlClaimed(deps, source);
  } finally {
    // Only our own claim: a crawl that ran past the stale limit may have been taken over meanwhile.
    await ctx.db
      .update(sources)
      .set({ crawlStartedAt: null, crawlClaimedBy: null })
      .where(and(eq(sources.id, sourceId), eq(sources.crawlStartedAt, claimedAt)));
  }
}

/**
 * Runs of the source still open when its claim is taken belong to a crawl whose process stopped (killed, or cut off
 * at shutdown) before it staged anything: the run and its staging are one transaction. They are closed as failed,
 * so that they no longer count as running.
 */
async function closeInterruptedRuns(ctx: Ctx, sourceId: string): Promise<void> {
  await ctx.db
    .update(crawlRuns)
    .set({
      finishedAt: ctx.now(),
      status: 'failed',
      errors: [{ kind: 'internal', message: 'interrupted: the process crawling the source stopped; crawled again' }],
    })
    .where(and(eq(crawlRuns.sourceId, sourceId), isNull(crawlRuns.finishedAt)));
}

async function crawlClaimed(deps: RunCrawlDeps, source: SourceRow): Promise<CrawlRunResult> {
  const { ctx } = deps;
  const [run] = await ctx.db
    .insert(crawlRuns)
    .values({ sourceId: source.id, startedAt: ctx.now() })
    .returning({ id: crawlRuns.id });
  const state = (source.crawlState as unknown as CrawlState | null) ?? { validators: {} };
  const crawled = await crawlSource(
    { id: source.id, type: source.type, url: source.url, params: source.params, config: source.config },
    { validators: state.validators ?? {}, ...(state.cursor ? { cursor: state.cursor } : {}) },
    {
      http: { contactUrl: deps.crawl.contactUrl, allowedPrivateHosts: deps.crawl.allowedPrivateHosts },
      rateLimiter: deps.rateLimiter,
    },
  );
  const outcome = setAsideUnstorable(crawled);
  let batchIds: string[];
  try {
    batchIds = await stageOutcome(ctx, source.id, run!.id, outcome);
  } catch (err) {
    // The run row must not stay 'running' when its results could not be stored.
    await ctx.db
      .update(crawlRuns)
      .set({
        finishedAt: ctx.now(),
        status: 'failed',
        errors: [{ kind: 'internal', message: storableText((err as Error).message, 500) }],
      })
      .where(eq(crawlRuns.id, run!.id));
    throw err;
  }
  const closesRun = outcome.complete && !outcome.notModified;
  ctx.log.info(
    {
      sourceId: source.id,
      runId: run!.id,
      postings: outcome.postings.length,
      complete: closesRun,
      errors: outcome.errors.length,
    },
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

/**
 * Postings the database cannot store (a NUL character anywhere, a broken surrogate) are set aside, each with a
 * reason in the run's errors, so that one bad posting never fails the transaction that stages its neighbours. A run
 * that set one aside is not complete: the posting may be stored from an earlier run and must not be closed as missing.
 * Validators that cannot be stored are dropped (the next crawl then reads everything again).
 */
export function setAsideUnstorable(outcome: CrawlOutcome): CrawlOutcome {
  const postings: CrawlOutcome['postings'] = [];
  const setAside: CrawlOutcome['errors'] = [];
  for (const posting of outcome.postings) {
    const why = unstorableText(posting);
    if (!why) {
      postings.push(posting);
      continue;
    }
    setAside.push({
      ...(posting.url ? { url: storableText(posting.url, 500) } : {}),
      kind: 'invalid_posting',
      message: `posting ${storableText(posting.externalId, 100)} set aside: contains ${why}`,
    });
  }
  // Error records quote what sources sent (ids, URLs, parser messages): stored like any other text.
  const errors = [...outcome.errors, ...setAside].map(({ url, kind, message }) => ({
    ...(url ? { url: storableText(url, 500) } : {}),
    kind,
    message: storableText(message, 1000),
  }));
  const state = unstorableText(outcome.state) ? { validators: {} } : outcome.state;
  return { ...outcome, postings, state, errors, complete: outcome.complete && setAside.length === 0 };
}

/** Stages the postings as ingest batches and records the run and the source's state, in one transaction. */
async function stageOutcome(ctx: Ctx, sourceId: string, runId: string, outcome: CrawlOutcome): Promise<string[]> {
  const closesRun = outcome.complete && !outcome.notModified;
  const chunks: unknown[][] = [];
  for (let i = 0; i < outcome.postings.length; i += INGEST_BATCH_SIZE) {
    chunks.push(outcome.postings.slice(i, i + INGEST_BATCH_SIZE));
  }
  // A complete crawl that found nothing still needs a closing batch, so missing postings are counted.
  if (closesRun && chunks.length === 0) chunks.push([]);

  const status =
    outcome.errors.length === 0
      ? 'succeeded'
      : outcome.postings.length > 0 || outcome.notModified
        ? 'partial'
        : 'failed';
  const stats: Record<string, number> = {
    fetched: outcome.postings.length,
    errors: outcome.errors.length,
    requests: outcome.stats.requests,
    bytes: outcome.stats.bytes,
    durationMs: outcome.stats.durationMs,
    // Recorded so a report can tell "unchanged" from "incomplete"; both leave the run not complete.
    ...(outcome.notModified ? { notModified: 1 } : {}),
  };
  return withTransaction(ctx, async (tx) => {
    const ids: string[] = [];
    for (const [i, chunk] of chunks.entries()) {
      const [batch] = await tx.db
        .insert(ingestBatches)
        .values({ sourceId, crawlRunId: runId, postings: chunk, closesRun: closesRun && i === chunks.length - 1 })
        .returning({ id: ingestBatches.id });
      ids.push(batch!.id);
    }
    await tx.db
      .update(crawlRuns)
      .set({ finishedAt: tx.now(), status, complete: closesRun, stats, errors: outcome.errors.slice(0, 100) })
      .where(eq(crawlRuns.id, runId));
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
}

/** Waits while another process crawls the source; returns the id of the run it finished. */
export async function waitForRunningCrawl(
  ctx: Ctx,
  sourceId: string,
  timeoutMs = CRAWL_CLAIM_STALE_MS,
): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const [source] = await ctx.db
      .select({ crawlStartedAt: sources.crawlStartedAt })
      .from(sources)
      .where(eq(sources.id, sourceId));
    if (!source?.crawlStartedAt) break;
    if (Date.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 250));
  }
  const [run] = await ctx.db
    .select({ id: crawlRuns.id })
    .from(crawlRuns)
    .where(eq(crawlRuns.sourceId, sourceId))
    .orderBy(desc(crawlRuns.startedAt))
    .limit(1);
  return run?.id;
}

type CrawlRunRow = typeof crawlRuns.$inferSelect;

export interface CrawlRunSummary {
  status: CrawlRunRow['status'];
  /** The listing answered 304 Not Modified: nothing was read, nothing closed. */
  notModified: boolean;
  firstError: CrawlRunRow['errors'][number] | undefined;
}

/** How a run went, read from its row, so it can be reported also when another process ran it. */
export async function crawlRunSummary(ctx: Ctx, runId: string): Promise<CrawlRunSummary | undefined> {
  const [run] = await ctx.db
    .select({ status: crawlRuns.status, stats: crawlRuns.stats, errors: crawlRuns.errors })
    .from(crawlRuns)
    .where(eq(crawlRuns.id, runId));
  if (!run) return undefined;
  return {
    status: run.status,
    notModified: run.stats.notModified === 1,
    firstError: run.errors[0],
  };
}
