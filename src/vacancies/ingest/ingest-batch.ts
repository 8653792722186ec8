/**
 * The `ingest` verb: one staged batch of raw postings from one source becomes vacancies in one transaction:
 * normalised, deduplicated across sources, linked to their source, with events and outbox rows. Idempotent: a batch
 * already processed is skipped, and re-ingesting the same postings changes nothing (content hashes).
 */
import { and, eq, isNull } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../../context.ts';
import { crawlRuns, ingestBatches } from '../../db/schema.ts';
import { refreshTitleIndex } from '../../taxonomy/title-store.ts';
import { assertEarlierBatchesIn } from './earlier-batches.ts';
import { lockIngest } from './ingest-lock.ts';
import { type IngestOptions, ingestPostings } from './ingest-postings.ts';
import { markMissing } from './mark-missing.ts';
import { prepareBatch } from './prepare-batch.ts';
import type { IngestStats } from './stats.ts';

/** Processes one staged batch exactly once (a second delivery finds it processed and is skipped). */
export async function ingestBatch(
  ctx: Ctx,
  batchId: string,
  opts: IngestOptions = {},
): Promise<{ status: 'done' | 'skipped'; stats?: IngestStats }> {
  // A title index imported since the last batch is picked up here, outside the transaction; unchanged, this is one
  // primary-key read, and normalising then codes from memory.
  await refreshTitleIndex(ctx);
  const prepared = await prepareBatch(ctx, batchId);
  if (!prepared) return { status: 'skipped' };
  return withTransaction(ctx, async (tx) => {
    // A second worker holding the same batch waits here, then finds it processed.
    const [batch] = await tx.db
      .select({ id: ingestBatches.id, crawlRunId: ingestBatches.crawlRunId, closesRun: ingestBatches.closesRun })
      .from(ingestBatches)
      .where(and(eq(ingestBatches.id, batchId), isNull(ingestBatches.processedAt)))
      .for('update');
    if (!batch) return { status: 'skipped' as const };
    await assertEarlierBatchesIn(tx, batch);
    await lockIngest(tx);
    const stats = await ingestPostings(tx, prepared, opts);
    if (batch.closesRun && batch.crawlRunId) {
      const [run] = await tx.db.select().from(crawlRuns).where(eq(crawlRuns.id, batch.crawlRunId));
      if (run?.complete) await markMissing(tx, prepared.sourceId, run.startedAt, stats);
    }
    await tx.db
      .update(ingestBatches)
      .set({ processedAt: tx.now(), stats: { ...stats }, postings: [] })
      .where(eq(ingestBatches.id, batch.id));
    return { status: 'done' as const, stats };
  });
}
