/**
 * Ingests the prepared postings of one source; the caller owns the transaction. Each posting is unchanged (its link is
 * only marked seen), changed (the vacancy is updated) or new (linked to a duplicate or inserted). Set-oriented: a
 * handful of statements per batch, not per posting, because the embedded database pays a fixed cost per statement.
 */
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { vacancies, vacancySources } from '../../db/schema.ts';
import { appendOutbox, type OutboxRow } from '../../outbox/append.ts';
import { anyOf } from './any-of.ts';
import { insertNew } from './insert-new.ts';
import { type FreshPosting, freshPosting, normalisedOf, type PreparedBatch } from './postings.ts';
import type { IngestStats } from './stats.ts';
import { type PostingChange, updateFromPostings } from './update-vacancy.ts';

export interface IngestOptions {
  /**
   * Age in days after which a posting without end date is stale (src/vacancies/staleness.ts).
   * @defaultValue 120
   */
  staleAfterDays?: number;
}

export async function ingestPostings(tx: Ctx, batch: PreparedBatch, opts: IngestOptions = {}): Promise<IngestStats> {
  const now = tx.now();
  const { sourceId, authority, stats, postings } = batch;
  if (postings.size === 0) return stats;

  const existingLinks = await tx.db
    .select()
    .from(vacancySources)
    .where(and(eq(vacancySources.sourceId, sourceId), anyOf(vacancySources.externalId, [...postings.keys()], 'text')));
  const linkByExternalId = new Map(existingLinks.map((l) => [l.externalId, l]));
  const linkedVacancies = existingLinks.length
    ? await tx.db
        .select()
        .from(vacancies)
        .where(anyOf(vacancies.id, [...new Set(existingLinks.map((l) => l.vacancyId))], 'uuid'))
    : [];
  const vacancyById = new Map(linkedVacancies.map((v) => [v.id, v]));

  const seenLinkIds: string[] = [];
  const fresh: FreshPosting[] = [];
  const changes: PostingChange[] = [];
  const log: OutboxRow[] = [];
  for (const posting of postings.values()) {
    const { raw, contentHash } = posting;
    const link = linkByExternalId.get(raw.externalId);
    if (!link) {
      fresh.push(freshPosting(posting, batch.now, now, { authority, staleAfterDays: opts.staleAfterDays }));
      continue;
    }
    const vacancy = vacancyById.get(link.vacancyId);
    // A posting listed again after it was closed as missing reopens even unchanged; an expired one only when its
    // content (a later end date) changed, so an unchanged expired posting is not rewritten at every crawl.
    const reappears = vacancy?.status === 'closed' && vacancy.closeReason === 'missing_from_source';
    if (!vacancy || (link.contentHash === contentHash && !reappears)) {
      seenLinkIds.push(link.id);
      stats.unchanged += 1;
      continue;
    }
    changes.push({ raw, contentHash, normalised: normalisedOf(posting, batch.now), linkId: link.id, vacancy });
  }
  await updateFromPostings(tx, log, { sourceId, authority, changes }, stats, opts);
  if (seenLinkIds.length) {
    await tx.db
      .update(vacancySources)
      .set({ lastSeenAt: now, missingCount: 0, status: 'active' })
      .where(anyOf(vacancySources.id, seenLinkIds, 'uuid'));
  }
  if (fresh.length) await insertNew(tx, log, sourceId, fresh, stats);
  await appendOutbox(tx, log);
  return stats;
}
