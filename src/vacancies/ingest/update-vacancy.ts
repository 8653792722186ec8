import { eq } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { vacancies, vacancySources } from '../../db/schema.ts';
import type { RawPosting } from '../../domain/posting.ts';
import { normalisePosting } from '../../ingest/normalise.ts';
import type { OutboxRow } from '../../outbox/append.ts';
import { AUTHORITY, type Authority } from '../authority.ts';
import { isStale } from '../staleness.ts';
import type { VacancyRow } from '../vacancy.ts';
import { mergeLinks } from './merge-links.ts';
import { pastValidThrough } from './postings.ts';
import { recordChange } from './record-change.ts';
import type { IngestStats } from './stats.ts';

export interface PostingChange {
  sourceId: string;
  authority: Authority;
  raw: RawPosting;
  contentHash: string;
  linkId: string;
  vacancy: VacancyRow;
}

/**
 * A posting its source changed (or listed again after it was closed as missing): the link is refreshed with the
 * posting's content, the vacancy re-derived from all its links (src/vacancies/merge.ts: the most authoritative and
 * freshest value per field), reopened unless expired or stale, and the change recorded with the fields it touched.
 */
export async function updateFromPosting(
  tx: Ctx,
  log: OutboxRow[],
  change: PostingChange,
  stats: IngestStats,
  opts: { staleAfterDays?: number } = {},
): Promise<void> {
  const { sourceId, raw, contentHash, linkId, vacancy } = change;
  const now = tx.now();
  const normalised = normalisePosting(raw, { now });
  await tx.db
    .update(vacancySources)
    .set({
      lastSeenAt: now,
      missingCount: 0,
      status: 'active',
      contentHash,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
      content: normalised as unknown as Record<string, unknown>,
      contentChangedAt: now,
    })
    .where(eq(vacancySources.id, linkId));
  const { fields, content } = await mergeLinks(tx, vacancy, { contentHash });
  const expired = pastValidThrough(content, now);
  const stale =
    change.authority !== AUTHORITY.own &&
    isStale({ ...content, firstSeenAt: vacancy.createdAt }, now, opts.staleAfterDays);
  const closed = vacancy.status === 'closed' && vacancy.closeReason !== 'filled';
  // A stale vacancy comes back only with an end date or from the employer's own source.
  const reopens = closed && !expired && !(vacancy.closeReason === 'stale' && stale);
  if (closed) {
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
  if (reopens) {
    stats.reopened += 1;
    await recordChange(tx, log, vacancy.id, 'reopened', { sourceId, externalId: raw.externalId, fields });
  } else if (fields.length) {
    stats.updated += 1;
    await recordChange(tx, log, vacancy.id, 'updated', { sourceId, externalId: raw.externalId, fields });
  } else {
    // The posting changed where a more authoritative or fresher one decides: the vacancy shows the same.
    stats.unchanged += 1;
  }
}
