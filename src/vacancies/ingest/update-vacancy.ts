import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { bulkUpdate } from '../../db/bulk-insert.ts';
import { vacancies, vacancySources } from '../../db/schema.ts';
import type { RawPosting } from '../../domain/posting.ts';
import type { OutboxRow } from '../../outbox/append.ts';
import { AUTHORITY, type Authority } from '../authority.ts';
import { isStale } from '../staleness.ts';
import type { NormalisedVacancy, VacancyRow } from '../vacancy.ts';
import { mergeLinks } from './merge-links.ts';
import { pastValidThrough } from './postings.ts';
import { type Change, recordChanges } from './record-change.ts';
import type { IngestStats } from './stats.ts';

export interface PostingChange {
  raw: RawPosting;
  contentHash: string;
  normalised: NormalisedVacancy;
  linkId: string;
  vacancy: VacancyRow;
}

/**
 * Postings their source changed (or listed again after they were closed as missing): each link is refreshed with
 * its posting's content, each vacancy re-derived from all its links (src/vacancies/merge.ts: the most authoritative
 * and freshest value per field), reopened unless expired or stale, and the change recorded with the fields it
 * touched.
 */
export async function updateFromPostings(
  tx: Ctx,
  log: OutboxRow[],
  batch: { sourceId: string; authority: Authority; changes: PostingChange[] },
  stats: IngestStats,
  opts: { staleAfterDays?: number } = {},
): Promise<void> {
  const { sourceId, authority, changes } = batch;
  if (changes.length === 0) return;
  const now = tx.now();
  await bulkUpdate(
    tx.db,
    vacancySources,
    'id',
    changes.map(({ raw, contentHash, normalised, linkId }) => ({
      id: linkId,
      lastSeenAt: now,
      missingCount: 0,
      status: 'active' as const,
      contentHash,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
      content: normalised as unknown as Record<string, unknown>,
      contentChangedAt: now,
    })),
  );
  const outcomes = await mergeLinks(
    tx,
    changes.map(({ vacancy, contentHash }) => ({ vacancy, contentHash })),
  );
  const recorded: Change[] = [];
  for (const { raw, vacancy } of changes) {
    const { fields, content } = outcomes.get(vacancy.id) as NonNullable<ReturnType<typeof outcomes.get>>;
    const expired = pastValidThrough(content, now);
    const stale =
      authority !== AUTHORITY.own && isStale({ ...content, firstSeenAt: vacancy.createdAt }, now, opts.staleAfterDays);
    const closed = vacancy.status === 'closed' && vacancy.closeReason !== 'filled';
    // A stale vacancy comes back only with an end date or from the employer's own source.
    const reopens = closed && !expired && !(vacancy.closeReason === 'stale' && stale);
    if (closed) {
      // Rare (a closed vacancy listed again), so one statement each.
      await tx.db
        .update(vacancies)
        .set(
          reopens
            ? { status: 'open' as const, closedAt: null, closeReason: null, updatedAt: now }
            : // Listed again but already past its end date: closed for that reason now, so it is not reopened at every crawl.
              { closeReason: expired ? 'expired' : vacancy.closeReason, updatedAt: now },
        )
        .where(eq(vacancies.id, vacancy.id));
    }
    const detail = { sourceId, externalId: raw.externalId, fields };
    if (reopens) {
      stats.reopened += 1;
      recorded.push({ vacancyId: vacancy.id, kind: 'reopened', detail });
    } else if (fields.length) {
      stats.updated += 1;
      recorded.push({ vacancyId: vacancy.id, kind: 'updated', detail });
    } else {
      // The posting changed where a more authoritative or fresher one decides: the vacancy shows the same.
      stats.unchanged += 1;
    }
  }
  await recordChanges(tx, log, recorded);
}
