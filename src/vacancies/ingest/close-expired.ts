import { and, eq, lt } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../../context.ts';
import { vacancies } from '../../db/schema.ts';
import { appendOutbox, type OutboxRow } from '../../outbox/append.ts';
import { recordChange } from './record-change.ts';

/** The expiry sweep: closes open vacancies past their validThrough date. Returns how many it closed. */
export async function closeExpired(ctx: Ctx): Promise<number> {
  return withTransaction(ctx, async (tx) => {
    const now = tx.now();
    const closed = await tx.db
      .update(vacancies)
      .set({ status: 'closed', closedAt: now, closeReason: 'expired', updatedAt: now })
      .where(and(eq(vacancies.status, 'open'), lt(vacancies.validThrough, now)))
      .returning({ id: vacancies.id });
    const log: OutboxRow[] = [];
    for (const { id } of closed) await recordChange(tx, log, id, 'closed', { reason: 'expired' });
    await appendOutbox(tx, log);
    return closed.length;
  });
}
