import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { vacancies, vacancyDedupeKeys, vacancySources } from '../../db/schema.ts';
import type { RawPosting } from '../../domain/posting.ts';
import { dedupeKeys } from '../../ingest/dedupe.ts';
import { normalisePosting } from '../../ingest/normalise.ts';
import type { OutboxRow } from '../../outbox/append.ts';
import type { VacancyRow } from '../vacancy.ts';
import { pastValidThrough } from './postings.ts';
import { recordChange } from './record-change.ts';
import type { IngestStats } from './stats.ts';

/**
 * A posting its source changed (or listed again after it was closed as missing): the link is refreshed, the vacancy
 * rewritten from the posting and reopened unless it has expired, and its dedupe keys replaced.
 */
export async function updateFromPosting(
  tx: Ctx,
  log: OutboxRow[],
  change: { sourceId: string; raw: RawPosting; contentHash: string; linkId: string; vacancy: VacancyRow },
  stats: IngestStats,
): Promise<void> {
  const { sourceId, raw, contentHash, linkId, vacancy } = change;
  const now = tx.now();
  await tx.db
    .update(vacancySources)
    .set({
      lastSeenAt: now,
      missingCount: 0,
      status: 'active',
      contentHash,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
    })
    .where(eq(vacancySources.id, linkId));
  const normalised = normalisePosting(raw, { now });
  const expired = pastValidThrough(normalised, now);
  // A caseworker's confirmed code is not overwritten by a source's update.
  const content = vacancy.kldbConfirmedBy
    ? {
        ...normalised,
        kldbCode: vacancy.kldbCode,
        kldbConfidence: 1,
        kldbNeedsReview: false,
        requirementLevel: vacancy.requirementLevel,
      }
    : normalised;
  const closed = vacancy.status === 'closed' && vacancy.closeReason !== 'filled';
  const reopens = closed && !expired;
  await tx.db
    .update(vacancies)
    .set({
      ...content,
      contentHash,
      updatedAt: now,
      ...(reopens ? { status: 'open' as const, closedAt: null, closeReason: null } : {}),
      // Listed again but already past its end date: closed for that reason now, so it is not reopened at every crawl.
      ...(closed && expired ? { closeReason: 'expired' } : {}),
    })
    .where(eq(vacancies.id, vacancy.id));
  await tx.db.delete(vacancyDedupeKeys).where(eq(vacancyDedupeKeys.vacancyId, vacancy.id));
  const keys = dedupeKeys(normalised);
  if (keys.length)
    await tx.db
      .insert(vacancyDedupeKeys)
      .values(keys.map((key) => ({ key, vacancyId: vacancy.id })))
      .onConflictDoNothing();
  if (reopens) stats.reopened += 1;
  else stats.updated += 1;
  await recordChange(tx, log, vacancy.id, reopens ? 'reopened' : 'updated', { sourceId, externalId: raw.externalId });
}
