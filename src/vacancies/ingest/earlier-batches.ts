import { and, eq, isNull, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { ingestBatches } from '../../db/schema.ts';

export class EarlierBatchesPending extends Error {
  constructor(batchId: string) {
    super(`batch ${batchId} closes its crawl run but earlier batches of the run are not ingested yet`);
  }
}

/**
 * Misses may only be counted once every posting of the run is in: the batch that closes a complete run goes after
 * every earlier batch of it. Throws EarlierBatchesPending while one is not ingested yet.
 */
export async function assertEarlierBatchesIn(
  ctx: Ctx,
  batch: { id: string; crawlRunId: string | null; closesRun: boolean },
): Promise<void> {
  if (!batch.closesRun || !batch.crawlRunId) return;
  const [pending] = await ctx.db
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
