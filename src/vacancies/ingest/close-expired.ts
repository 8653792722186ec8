import { and, eq, exists, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../../context.ts';
import { sources, vacancies, vacancySources } from '../../db/schema.ts';
import { appendOutbox, type OutboxRow } from '../../outbox/append.ts';
import { OWN_SOURCE_TYPES } from '../authority.ts';
import { STALE_AFTER_DAYS, staleBefore } from '../staleness.ts';
import { recordChanges } from './record-change.ts';

export interface CloseExpiredOptions {
  /**
   * Age in days after which a vacancy without end date is closed as stale (src/vacancies/staleness.ts).
   * @defaultValue 120 (STALE_AFTER_DAYS)
   */
  staleAfterDays?: number;
}

/**
 * The expiry sweep: closes open vacancies past their validThrough date, and stale ones: without end date, first
 * seen or published more than `staleAfterDays` ago, and not listed by the employer's own source any more. Employer
 * orders keep their own life cycle. Returns how many it closed.
 */
export async function closeExpired(ctx: Ctx, opts: CloseExpiredOptions = {}): Promise<number> {
  const limit = staleBefore(ctx.now(), opts.staleAfterDays ?? STALE_AFTER_DAYS);
  return withTransaction(ctx, async (tx) => {
    const now = tx.now();
    const closed = await tx.db
      .update(vacancies)
      .set({ status: 'closed', closedAt: now, closeReason: 'expired', updatedAt: now })
      .where(and(eq(vacancies.status, 'open'), lt(vacancies.validThrough, now)))
      .returning({ id: vacancies.id });
    const ownListing = tx.db
      .select({ one: sql`1` })
      .from(vacancySources)
      .innerJoin(sources, eq(sources.id, vacancySources.sourceId))
      .where(
        and(
          eq(vacancySources.vacancyId, vacancies.id),
          ne(vacancySources.status, 'gone'),
          inArray(sources.type, OWN_SOURCE_TYPES),
        ),
      );
    const stale = await tx.db
      .update(vacancies)
      .set({ status: 'closed', closedAt: now, closeReason: 'stale', updatedAt: now })
      .where(
        and(
          eq(vacancies.status, 'open'),
          isNull(vacancies.validThrough),
          isNull(vacancies.referenceNumber),
          or(lt(vacancies.createdAt, limit), lt(vacancies.publishedAt, limit)),
          sql`not ${exists(ownListing)}`,
        ),
      )
      .returning({ id: vacancies.id });
    const log: OutboxRow[] = [];
    await recordChanges(tx, log, [
      ...closed.map(({ id }) => ({ vacancyId: id, kind: 'closed', detail: { reason: 'expired' } })),
      ...stale.map(({ id }) => ({
        vacancyId: id,
        kind: 'closed',
        detail: { reason: 'stale', staleAfterDays: opts.staleAfterDays ?? STALE_AFTER_DAYS },
      })),
    ]);
    await appendOutbox(tx, log);
    return closed.length + stale.length;
  });
}
