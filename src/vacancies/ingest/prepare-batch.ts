/**
 * The part of a batch's ingest that needs no transaction, done before it opens: the staged postings are read,
 * parsed and fingerprinted, and those their source does not list yet, or lists with other content, are normalised.
 * That is most of the batch's CPU time; done here, concurrent workers spend it side by side while the transaction,
 * which the ingest lock serialises (ingest-lock.ts), stays short. The transaction decides again from what it reads:
 * a posting it finds new or changed that was not normalised here is normalised there.
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { ingestBatches, sources, vacancySources } from '../../db/schema.ts';
import { sourceAuthority } from '../authority.ts';
import { anyOf } from './any-of.ts';
import { assertEarlierBatchesIn } from './earlier-batches.ts';
import { hashPosting, type ParsedPosting, type PreparedBatch, parsePostings, prepareFresh } from './postings.ts';
import { emptyIngestStats } from './stats.ts';

/** The batch's postings made ready for its transaction; null when the batch is processed already or unknown. */
export async function prepareBatch(ctx: Ctx, batchId: string): Promise<PreparedBatch | null> {
  const now = ctx.now();
  const [batch] = await ctx.db
    .select({
      id: ingestBatches.id,
      crawlRunId: ingestBatches.crawlRunId,
      closesRun: ingestBatches.closesRun,
      sourceId: ingestBatches.sourceId,
      postings: ingestBatches.postings,
      type: sources.type,
    })
    .from(ingestBatches)
    .innerJoin(sources, eq(sources.id, ingestBatches.sourceId))
    .where(and(eq(ingestBatches.id, batchId), isNull(ingestBatches.processedAt)));
  if (!batch) return null;
  // Checked again in the transaction; here it spares normalising a closing batch that has to wait anyway.
  await assertEarlierBatchesIn(ctx, batch);
  const stats = emptyIngestStats();
  const postings = new Map<string, ParsedPosting>();
  for (const [externalId, raw] of parsePostings(batch.postings, stats))
    postings.set(externalId, { raw, contentHash: hashPosting(raw) });
  const listed = postings.size
    ? await ctx.db
        .select({ externalId: vacancySources.externalId, contentHash: vacancySources.contentHash })
        .from(vacancySources)
        .where(
          and(
            eq(vacancySources.sourceId, batch.sourceId),
            anyOf(vacancySources.externalId, [...postings.keys()], 'text'),
          ),
        )
    : [];
  const listedHash = new Map(listed.map((l) => [l.externalId, l.contentHash]));
  for (const [externalId, posting] of postings) {
    // An unchanged posting is only marked seen: normalising it would be wasted (most of a re-crawl).
    if (listedHash.get(externalId) !== posting.contentHash) prepareFresh(posting, now);
  }
  return { sourceId: batch.sourceId, authority: sourceAuthority(batch.type), postings, stats, now };
}
