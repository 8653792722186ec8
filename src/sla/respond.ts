/**
 * A documented answer as the qualified response: one reason from the fixed list (src/sla/reasons.ts) and the
 * caseworker's free text, sent to the employer. Stops the clock like a proposal does.
 */
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, issuesOf, ValidationFailed } from '../errors.ts';
import { enqueueNotification } from '../notifications/enqueue.ts';
import { staffVacancy } from '../orders/access.ts';
import { stopClock } from './clock.ts';
import { ResponseReason } from './reasons.ts';

export const RecordResponseInput = z.object({
  vacancyId: RowId,
  reason: ResponseReason,
  note: z.string().trim().min(1, 'Bitte die Antwort an den Arbeitgeber begründen').max(2000),
});
export type RecordResponseInput = z.input<typeof RecordResponseInput>;

export async function recordResponse({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: RecordResponseInput;
}): Promise<{ vacancyId: string; respondedAt: Date; reason: ResponseReason }> {
  const parsed = RecordResponseInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Rückmeldung', issuesOf(parsed.error));
  const { vacancyId, reason, note } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const vacancy = await staffVacancy(tx, actor, vacancyId, { lock: true });
    const stopped = await stopClock(tx, { vacancyId, reason, note, actorUserId: actor.userId });
    if (!stopped) {
      throw new Conflict(
        'Für diese Stelle läuft keine Frist: kein Vermittlungsauftrag, schon beantwortet oder erledigt',
        {
          vacancyId,
        },
      );
    }
    if (vacancy.submittedBy) {
      await enqueueNotification(tx, {
        template: 'qualified_response',
        cause: `qualified_response:${vacancyId}`,
        recipientUserId: vacancy.submittedBy,
        vacancyId,
        payload: { reference: vacancy.referenceNumber ?? vacancyId, title: vacancy.title, reason, note },
      });
    }
    await recordAudit(tx, {
      actor,
      action: 'order.respond',
      objectType: 'vacancy',
      objectId: vacancyId,
      purpose: 'employer_service',
      detail: { reason },
    });
    return { vacancyId, respondedAt: tx.now(), reason };
  });
}
