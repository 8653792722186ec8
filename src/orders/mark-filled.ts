/**
 * The employer (or staff) marks the order filled: by a proposal of the job centre (the hire is recorded on that
 * proposal) or otherwise. Either way the whole vacancy is filled then; the clock closes as not applicable if no
 * response was given yet.
 */
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, issuesOf, ValidationFailed } from '../errors.ts';
import { recordOutcome } from '../proposals/outcome.ts';
import { vacancyFor } from './access.ts';
import { closeOrder } from './close.ts';

export const MarkFilledInput = z.object({
  vacancyId: RowId,
  /** The job centre's proposal that led to the hire; absent: filled otherwise. */
  proposalId: RowId.optional(),
  startDate: z.iso.date('Datum im Format JJJJ-MM-TT').optional(),
});

export async function markOrderFilled({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: z.input<typeof MarkFilledInput>;
}): Promise<{ vacancyId: string; status: 'filled'; by: 'proposal' | 'otherwise' }> {
  const parsed = MarkFilledInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben', issuesOf(parsed.error));
  const { vacancyId, proposalId, startDate } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const vacancy = await vacancyFor(tx, actor, vacancyId, { lock: true });
    if (vacancy.status !== 'open') throw new Conflict('Die Stelle ist nicht mehr offen', { status: vacancy.status });
    await recordAudit(tx, {
      actor,
      action: 'order.fill',
      objectType: 'vacancy',
      objectId: vacancyId,
      detail: { by: proposalId ? 'proposal' : 'otherwise' },
    });
    if (proposalId) {
      const hire = await recordOutcome({ ctx: tx, actor, input: { proposalId, outcome: 'hired', startDate } });
      if (hire.vacancyId !== vacancyId) throw new Conflict('Der Vorschlag gehört zu einer anderen Stelle');
      if (!hire.vacancyFilled) {
        await closeOrder(
          tx,
          { ...vacancy, positionsFilled: hire.positionsFilled },
          'filled_by_proposal',
          actor.userId,
          {
            proposalId,
          },
        );
      }
    } else {
      await closeOrder(tx, vacancy, 'filled_otherwise', actor.userId);
    }
    return { vacancyId, status: 'filled' as const, by: proposalId ? ('proposal' as const) : ('otherwise' as const) };
  });
}
