/**
 * The `ingest` verb: one staged batch of raw postings from one source becomes vacancies in one transaction:
 * normalised, deduplicated across sources, linked to their source, with events and outbox rows. Idempotent: a batch
 * already processed is skipped, and re-ingesting the same postings changes nothing (content hashes).
 */
import { and, eq, isNull, ne } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../../context.ts';
import { crawlRuns, ingestBatches } from '../../db/schema.ts';
import { refreshTitleIndex } from '../../taxonomy/title-store.ts';
import { type IngestOptions, ingestPostings } from './ingest-postings.ts';
import { markMissing } from './mark-missing.ts';
import type { IngestStats } from './stats.ts';

export class EarlierBatchesPending extends Error {
  constructor(batchId: string) {
    super(`batch ${batchId} closes its crawl run but earlier batches of the run are not ingested yet`);
  }
}

/** Processes one staged batch exactly once (a second delivery finds it processed and is skipped). */
export async function ingestBatch(
  ctx: Ctx,
  batchId: string,
  opts: IngestOptions = {},
): Promise<{ status: 'done' | 'skipped'; stats?: IngestStats }> {
  // A title index imported since the last batch is picked up here, outside the transaction; unchanged, this is one
  // primary-key read, and normalising then codes from memory.
  await refreshTitleIndex(ctx);
  return withTransaction(ctx, async (tx) => {
    const [batch] = await tx.db
      .select()
      .from(ingestBatches)
      .where(and(eq(ingestBatches.id, batchId), isNull(ingestBatches.processedAt)))
      .for('update');
    if (!batch) return { status: 'skipped' as const };
    if (batch.closesRun && batch.crawlRunId) {
      // Misses may only be counted once every posting of the run is in: earlier batches go first.
      const [pending] = await tx.db
        .select({ id: ingestBatches.id })
        .from(ingestBatches)
        .where(
          and(
            eq(ingestBatches.crawlRunId, batch.crawlRunId),
            isNull(ingestBatches.processedAt),
            ne(ingestBatches.id, batch.id),
          ),
        )
        .limit(1);
      if (pending) throw new EarlierBatchesPending(batch.id);
    }
    const stats = await ingestPostings(tx, batch.sourceId, batch.postings, undefined, opts);
    if (batch.closesRun && batch.crawlRunId) {
      const [run] = await tx.db.select().from(crawlRuns).where(eq(crawlRuns.id, batch.crawlRunId));
      if (run?.complete) await markMissing(tx, batch.sourceId, run.startedAt, stats);
    }
    await tx.db
      .update(ingestBatches)
      .set({ processedAt: tx.now(), stats: { ...stats }, postings: [] })
      .where(eq(ingestBatches.id, batch.id));
    return { status: 'done' as const, stats };
  });
}
