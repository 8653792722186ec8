import { and, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { sources, vacancies, vacancySources } from '../../db/schema.ts';
import type { SourceType } from '../../domain/enums.ts';
import { appendOutbox, type OutboxRow } from '../../outbox/append.ts';
import { type Change, recordChanges } from './record-change.ts';
import type { IngestStats } from './stats.ts';

/**
 * A posting missing from this many consecutive complete crawls is closed: two, since a page or board that briefly
 * leaves a posting out (a search index catching up, a CMS re-rendering) should not close a vacancy that is still open.
 */
export const MISSING_CRAWLS_TO_CLOSE = 2;

/**
 * Sources whose complete crawl is the employer's or job centre's own full list, read to the end (the ATS boards'
 * APIs, another job centre's exchange feed): a posting absent from it has been taken down, so one miss closes it and a
 * withdrawal reaches the public search at the next crawl instead of the one after.
 */
export const MISSING_CRAWLS_TO_CLOSE_BY_TYPE: Partial<Record<SourceType, number>> = {
  exchange: 1,
  recruitee: 1,
  greenhouse: 1,
  lever: 1,
  smartrecruiters: 1,
  workable: 1,
};

/** How many complete crawls a posting of this source type must miss before it is closed. */
export function missingCrawlsToClose(type: SourceType): number {
  return MISSING_CRAWLS_TO_CLOSE_BY_TYPE[type] ?? MISSING_CRAWLS_TO_CLOSE;
}

/**
 * After a complete crawl: postings of the source not seen since `runStartedAt` count one more miss; at
 * `missingCrawlsToClose(type)` misses the link is gone, and a vacancy with no active link left is closed.
 */
export async function markMissing(tx: Ctx, sourceId: string, runStartedAt: Date, stats: IngestStats): Promise<void> {
  const now = tx.now();
  const [source] = await tx.db.select({ type: sources.type }).from(sources).where(eq(sources.id, sourceId));
  const toClose = source ? missingCrawlsToClose(source.type) : MISSING_CRAWLS_TO_CLOSE;
  const missing = await tx.db
    .update(vacancySources)
    .set({ missingCount: sql`${vacancySources.missingCount} + 1`, status: 'missing' })
    .where(
      and(
        eq(vacancySources.sourceId, sourceId),
        lt(vacancySources.lastSeenAt, runStartedAt),
        ne(vacancySources.status, 'gone'),
      ),
    )
    .returning({
      id: vacancySources.id,
      vacancyId: vacancySources.vacancyId,
      missingCount: vacancySources.missingCount,
    });
  const goneIds = missing.filter((m) => m.missingCount >= toClose);
  if (goneIds.length === 0) return;
  const log: OutboxRow[] = [];
  const changes: Change[] = [];
  await tx.db
    .update(vacancySources)
    .set({ status: 'gone' })
    .where(
      inArray(
        vacancySources.id,
        goneIds.map((g) => g.id),
      ),
    );
  for (const vacancyId of new Set(goneIds.map((g) => g.vacancyId))) {
    const [stillListed] = await tx.db
      .select({ id: vacancySources.id })
      .from(vacancySources)
      // A link that missed one crawl still lists the vacancy; only links that are gone do not.
      .where(and(eq(vacancySources.vacancyId, vacancyId), ne(vacancySources.status, 'gone')))
      .limit(1);
    if (stillListed) continue;
    const closed = await tx.db
      .update(vacancies)
      .set({ status: 'closed', closedAt: now, closeReason: 'missing_from_source', updatedAt: now })
      .where(and(eq(vacancies.id, vacancyId), eq(vacancies.status, 'open')))
      .returning({ id: vacancies.id });
    if (closed.length) {
      stats.closed += 1;
      changes.push({ vacancyId, kind: 'closed', detail: { reason: 'missing_from_source', sourceId } });
    }
  }
  await recordChanges(tx, log, changes);
  await appendOutbox(tx, log);
}
