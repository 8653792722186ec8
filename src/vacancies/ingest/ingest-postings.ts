/**
 * Ingests the postings of one source; the caller owns the transaction. Each posting is unchanged (its link is only
 * marked seen), changed (the vacancy is updated) or new (linked to a duplicate or inserted). Set-oriented: a handful
 * of queries per batch, not per posting, because the embedded database pays a fixed cost per statement.
 */
import { and, eq, inArray } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { sources, vacancies, vacancySources } from '../../db/schema.ts';
import { appendOutbox, type OutboxRow } from '../../outbox/append.ts';
import { sourceAuthority } from '../authority.ts';
import { insertNew } from './insert-new.ts';
import { type FreshPosting, freshPosting, hashPosting, parsePostings } from './postings.ts';
import { emptyIngestStats, type IngestStats } from './stats.ts';
import { updateFromPosting } from './update-vacancy.ts';

export interface IngestOptions {
  /**
   * Age in days after which a posting without end date is stale (src/vacancies/staleness.ts).
   * @defaultValue 120
   */
  staleAfterDays?: number;
}

export async function ingestPostings(
  tx: Ctx,
  sourceId: string,
  postings: unknown[],
  stats: IngestStats = emptyIngestStats(),
  opts: IngestOptions = {},
): Promise<IngestStats> {
  const now = tx.now();
  const byExternalId = parsePostings(postings, stats);
  if (byExternalId.size === 0) return stats;
  const [source] = await tx.db.select({ type: sources.type }).from(sources).where(eq(sources.id, sourceId));
  const authority = sourceAuthority(source?.type ?? '');

  const existingLinks = await tx.db
    .select()
    .from(vacancySources)
    .where(and(eq(vacancySources.sourceId, sourceId), inArray(vacancySources.externalId, [...byExternalId.keys()])));
  const linkByExternalId = new Map(existingLinks.map((l) => [l.externalId, l]));
  const linkedVacancies = existingLinks.length
    ? await tx.db
        .select()
        .from(vacancies)
        .where(inArray(vacancies.id, [...new Set(existingLinks.map((l) => l.vacancyId))]))
    : [];
  const vacancyById = new Map(linkedVacancies.map((v) => [v.id, v]));

  const seenLinkIds: string[] = [];
  const fresh: FreshPosting[] = [];
  const log: OutboxRow[] = [];
  for (const raw of byExternalId.values()) {
    const contentHash = hashPosting(raw);
    const link = linkByExternalId.get(raw.externalId);
    if (!link) {
      fresh.push(freshPosting(raw, contentHash, now, { authority, staleAfterDays: opts.staleAfterDays }));
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
    await updateFromPosting(tx, log, { sourceId, authority, raw, contentHash, linkId: link.id, vacancy }, stats, opts);
  }
  if (seenLinkIds.length) {
    await tx.db
      .update(vacancySources)
      .set({ lastSeenAt: now, missingCount: 0, status: 'active' })
      .where(inArray(vacancySources.id, seenLinkIds));
  }
  if (fresh.length) await insertNew(tx, log, sourceId, fresh, stats);
  await appendOutbox(tx, log);
  return stats;
}
