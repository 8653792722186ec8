/**
 * Ending an order: filled (by the job centre's proposals or otherwise) or withdrawn. The vacancy closes, its clock
 * closes as not applicable if no response was given yet, and proposals still open are closed as withdrawn so they
 * no longer count against any caps. Called inside the cause's transaction, with the vacancy row locked.
 */
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { proposals, vacancies, vacancyEvents } from '../db/schema.ts';
import { appendOutbox, vacancyChanged } from '../outbox/append.ts';
import { closeClock } from '../sla/clock.ts';

export type CloseHow = 'filled_by_proposal' | 'filled_otherwise' | 'withdrawn';

const PROPOSAL_REASON: Record<CloseHow, string> = {
  filled_by_proposal: 'Stelle besetzt',
  filled_otherwise: 'Stelle besetzt',
  withdrawn: 'Stelle zurückgezogen',
};

export async function closeOrder(
  tx: Ctx,
  vacancy: { id: string; positions: number; positionsFilled: number },
  how: CloseHow,
  actorUserId: string | null,
  detail: Record<string, unknown> = {},
): Promise<void> {
  const now = tx.now();
  const filled = how !== 'withdrawn';
  await tx.db
    .update(vacancies)
    .set({
      status: filled ? 'filled' : 'closed',
      closedAt: now,
      closeReason: how,
      updatedAt: now,
      ...(how === 'filled_otherwise' ? { positionsFilled: vacancy.positions } : {}),
    })
    .where(eq(vacancies.id, vacancy.id));
  await tx.db
    .update(proposals)
    .set({
      status: 'withdrawn',
      outcome: 'withdrawn',
      outcomeReason: PROPOSAL_REASON[how],
      outcomeAt: now,
      outcomeBy: actorUserId,
    })
    .where(and(eq(proposals.vacancyId, vacancy.id), eq(proposals.status, 'open')));
  await closeClock(tx, { vacancyId: vacancy.id, reason: filled ? 'filled' : 'withdrawn', actorUserId });
  await tx.db.insert(vacancyEvents).values({
    vacancyId: vacancy.id,
    kind: filled ? 'filled' : 'closed',
    at: now,
    actorUserId,
    detail: { reason: how, ...detail },
  });
  await appendOutbox(tx, vacancyChanged(vacancy.id));
}
