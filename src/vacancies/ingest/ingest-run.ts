/**
 * Ingest of a whole crawl run, here and now (`crawl --wait`), beside the workers: the same per-batch verb the `ingest`
 * queue runs, in staging order, then one report for the run.
 */
import { asc, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { crawlRuns, ingestBatches } from '../../db/schema.ts';
import { EarlierBatchesPending } from './earlier-batches.ts';
import { ingestBatch } from './ingest-batch.ts';
import type { IngestOptions } from './ingest-postings.ts';
import { emptyIngestStats, type IngestStats } from './stats.ts';

export interface RunReport extends IngestStats {
  complete: boolean;
}

/** A worker may hold an earlier batch of the run at this moment; the closing batch then waits for it. */
async function ingestWhenReady(ctx: Ctx, batchId: string, opts: IngestOptions, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await ingestBatch(ctx, batchId, opts);
      return;
    } catch (err) {
      if (!(err instanceof EarlierBatchesPending) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/**
 * Ingests the batches of one run now, in order (a batch a worker already took is skipped, ingest being idempotent),
 * and reports the run's figures from what each batch recorded.
 */
export async function ingestRunNow(ctx: Ctx, runId: string, opts: IngestOptions = {}): Promise<RunReport> {
  const batches = await ctx.db
    .select({ id: ingestBatches.id })
    .from(ingestBatches)
    .where(eq(ingestBatches.crawlRunId, runId))
    // One transaction staged them all (same created_at): the closing batch goes last.
    .orderBy(asc(ingestBatches.createdAt), asc(ingestBatches.closesRun));
  for (const { id } of batches) await ingestWhenReady(ctx, id, opts);
  const [run] = await ctx.db.select().from(crawlRuns).where(eq(crawlRuns.id, runId));
  const recorded = await ctx.db
    .select({ stats: ingestBatches.stats })
    .from(ingestBatches)
    .where(eq(ingestBatches.crawlRunId, runId));
  const report: RunReport = { ...emptyIngestStats(), complete: run?.complete ?? false };
  for (const { stats } of recorded) {
    for (const [key, value] of Object.entries(stats ?? {})) {
      if (key in report && key !== 'complete') report[key as keyof IngestStats] += value;
    }
  }
  // Postings the crawl could not read at all never reached a batch: count them from the run.
  report.errors += run?.stats.errors ?? 0;
  report.fetched = run?.stats.fetched ?? report.fetched;
  return report;
}
