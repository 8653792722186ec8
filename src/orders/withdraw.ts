/** An employer withdraws their order (or staff do for them): closed, clock not applicable, open proposals withdrawn. */
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, issuesOf, ValidationFailed } from '../errors.ts';
import { vacancyFor } from './access.ts';
import { closeOrder } from './close.ts';

export const WithdrawOrderInput = z.object({
  vacancyId: RowId,
  reason: z.string().trim().min(1).max(500).optional(),
});

export async function withdrawOrder({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: z.input<typeof WithdrawOrderInput>;
}): Promise<{ vacancyId: string; status: 'closed' }> {
  const parsed = WithdrawOrderInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben', issuesOf(parsed.error));
  const { vacancyId, reason } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const vacancy = await vacancyFor(tx, actor, vacancyId, { lock: true });
    if (vacancy.status !== 'open') throw new Conflict('Die Stelle ist nicht mehr offen', { status: vacancy.status });
    await recordAudit(tx, { actor, action: 'order.withdraw', objectType: 'vacancy', objectId: vacancyId });
    // Last: closing appends to the outbox, which holds its lock until the commit.
    await closeOrder(tx, vacancy, 'withdrawn', actor.userId, reason ? { note: reason } : {});
    return { vacancyId, status: 'closed' as const };
  });
}
