import { and, eq, inArray, lt, ne, sql } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { vacancies, vacancySources } from '../../db/schema.ts';
import { appendOutbox, type OutboxRow } from '../../outbox/append.ts';
import { recordChange } from './record-change.ts';
import type { IngestStats } from './stats.ts';

/** A posting missing from this many consecutive complete crawls is closed. */
export const MISSING_CRAWLS_TO_CLOSE = 2;

/**
 * After a complete crawl: postings of the source not seen since `runStartedAt` count one more miss; at
 * MISSING_CRAWLS_TO_CLOSE misses the link is gone, and a vacancy with no active link left is closed.
 */
export async function markMissing(tx: Ctx, sourceId: string, runStartedAt: Date, stats: IngestStats): Promise<void> {
  const now = tx.now();
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
  const goneIds = missing.filter((m) => m.missingCount >= MISSING_CRAWLS_TO_CLOSE);
  if (goneIds.length === 0) return;
  const log: OutboxRow[] = [];
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
      await recordChange(tx, log, vacancyId, 'closed', { reason: 'missing_from_source', sourceId });
    }
  }
  await appendOutbox(tx, log);
}
