/**
 * Outcomes of a proposal, recorded by the employer (invited, hired, rejected) or by staff (all of them, also no
 * reaction and withdrawn). Invited keeps the proposal open (it still counts against the caps); the others close
 * it. A hire fills one position and schedules the follow-ups; the vacancy is filled when all positions are.
 *
 * Locks: the vacancy first, then the proposal, the same order as sending and closing an order.
 */
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { mayAccessCustomer } from '../customers/access.ts';
import { customers, proposals, vacancies } from '../db/schema.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { isStaff, mayHandleVacancy, ownVacancy } from '../orders/access.ts';
import { closeOrder } from '../orders/close.ts';
import { dateOffset, localDate } from '../sla/calendar.ts';
import { countOnClock } from '../sla/clock.ts';
import { rulesOf } from '../sla/rules.ts';
import { createTasks } from '../tasks/create.ts';

export const ProposalOutcome = z.enum(['invited', 'hired', 'rejected', 'no_reaction', 'withdrawn']);
export type ProposalOutcome = z.infer<typeof ProposalOutcome>;

/** What an employer may record; no reaction and a candidate's withdrawal are the caseworker's to record. */
const EMPLOYER_OUTCOMES = new Set<ProposalOutcome>(['invited', 'hired', 'rejected']);

export const RecordOutcomeInput = z
  .object({
    proposalId: RowId,
    outcome: ProposalOutcome,
    /** Why: required for a rejection. */
    reason: z.string().trim().min(1).max(500).optional(),
    note: z.string().trim().max(2000).optional(),
    /** First working day of a hire; defaults to the vacancy's start date, else today. */
    startDate: z.iso.date('Datum im Format JJJJ-MM-TT').optional(),
  })
  .superRefine((v, issue) => {
    if (v.outcome === 'rejected' && !v.reason) {
      issue.addIssue({ code: 'custom', path: ['reason'], message: 'Bitte den Grund der Absage angeben' });
    }
    if (v.startDate && v.outcome !== 'hired') {
      issue.addIssue({ code: 'custom', path: ['startDate'], message: 'Nur bei einer Einstellung' });
    }
  });
export type RecordOutcomeInput = z.input<typeof RecordOutcomeInput>;

export interface RecordOutcomeResult {
  proposalId: string;
  vacancyId: string;
  outcome: ProposalOutcome;
  status: string;
  /** After a hire: positions filled of all positions, and whether the vacancy is now filled. */
  positionsFilled: number;
  positions: number;
  vacancyFilled: boolean;
  followUpTasks: number;
}

const STATUS_OF: Record<ProposalOutcome, 'open' | 'hired' | 'rejected' | 'no_reaction' | 'withdrawn'> = {
  invited: 'open',
  hired: 'hired',
  rejected: 'rejected',
  no_reaction: 'no_reaction',
  withdrawn: 'withdrawn',
};

export async function recordOutcome({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: RecordOutcomeInput;
}): Promise<RecordOutcomeResult> {
  const parsed = RecordOutcomeInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültiges Ergebnis', issuesOf(parsed.error));
  const v = parsed.data;
  if (actor.role === 'employer' && !EMPLOYER_OUTCOMES.has(v.outcome)) {
    throw new Forbidden('Dieses Ergebnis erfasst die Vermittlungsfachkraft');
  }
  if (actor.role !== 'employer' && !isStaff(actor)) throw new Forbidden();
  const rules = rulesOf(ctx);

  return withTransaction(ctx, async (tx) => {
    const notFound = () => new NotFound('Vorschlag', v.proposalId);
    const [ref] = await tx.db
      .select({ vacancyId: proposals.vacancyId })
      .from(proposals)
      .where(eq(proposals.id, v.proposalId));
    if (!ref) throw notFound();
    const vacancy =
      actor.role === 'employer'
        ? await ownVacancy(tx, actor, ref.vacancyId, { lock: true }).catch((err) => {
            throw err instanceof NotFound ? notFound() : err;
          })
        : (await tx.db.select().from(vacancies).where(eq(vacancies.id, ref.vacancyId)).for('update'))[0];
    if (!vacancy) throw notFound();
    const [proposal] = await tx.db.select().from(proposals).where(eq(proposals.id, v.proposalId)).for('update');
    if (!proposal) throw notFound();
    // A deleted customer's proposal has no one behind it any more; only the vacancy's branch decides then.
    const [customer] = proposal.customerId
      ? await tx.db
          .select({ branchId: customers.branchId })
          .from(customers)
          .where(eq(customers.id, proposal.customerId))
      : [];
    if (isStaff(actor) && !mayHandleVacancy(actor, vacancy) && !mayAccessCustomer(actor, customer?.branchId ?? -1)) {
      throw new Forbidden('Dieser Vorschlag gehört zu einer anderen Zweigstelle');
    }
    if (proposal.status !== 'open') {
      throw new Conflict('Für diesen Vorschlag ist bereits ein abschließendes Ergebnis erfasst', {
        status: proposal.status,
      });
    }
    if (v.outcome === 'hired' && vacancy.status !== 'open') {
      throw new Conflict('Die Stelle ist nicht mehr offen', { status: vacancy.status });
    }

    const now = tx.now();
    const firstInvitation = (v.outcome === 'invited' || v.outcome === 'hired') && proposal.invitedAt === null;
    const hireStart =
      v.outcome === 'hired'
        ? v.startDate
          ? new Date(`${v.startDate}T00:00:00Z`)
          : vacancy.startDate && vacancy.startDate >= localDate(now)
            ? vacancy.startDate
            : localDate(now)
        : null;
    await tx.db
      .update(proposals)
      .set({
        status: STATUS_OF[v.outcome],
        outcome: v.outcome,
        outcomeReason: v.reason ?? null,
        outcomeNote: v.note ?? null,
        outcomeBy: actor.userId,
        outcomeAt: now,
        ...(firstInvitation ? { invitedAt: now } : {}),
        ...(hireStart ? { hireStartDate: hireStart } : {}),
      })
      .where(eq(proposals.id, proposal.id));
    await countOnClock(tx, vacancy.id, { invited: firstInvitation ? 1 : 0, hired: v.outcome === 'hired' ? 1 : 0 });
    await recordAudit(tx, {
      actor,
      action: 'proposal.outcome',
      objectType: 'proposal',
      objectId: proposal.id,
      purpose: 'placement',
      detail: { outcome: v.outcome, vacancyId: vacancy.id, customerId: proposal.customerId },
    });

    let positionsFilled = vacancy.positionsFilled;
    let vacancyFilled = false;
    let followUpTasks = 0;
    if (v.outcome === 'hired' && hireStart) {
      const [updated] = await tx.db
        .update(vacancies)
        .set({ positionsFilled: sql`${vacancies.positionsFilled} + 1`, updatedAt: now })
        .where(eq(vacancies.id, vacancy.id))
        .returning({ positionsFilled: vacancies.positionsFilled });
      positionsFilled = updated!.positionsFilled;
      const branchId = vacancy.branchId ?? customer?.branchId;
      if (branchId !== undefined && branchId !== null) {
        followUpTasks = await createTasks(
          tx,
          rules.followUpOffsets.map((offset, i) => ({
            kind: 'follow_up' as const,
            dedupeKey: `follow_up:${proposal.id}:${i}`,
            branchId,
            assigneeUserId: vacancy.assignedCaseworkerId ?? proposal.createdBy,
            assigneeRole: 'caseworker' as const,
            vacancyId: vacancy.id,
            proposalId: proposal.id,
            dueAt: dateOffset(hireStart, offset, rules.taskHour),
            detail: { offset, startDate: hireStart.toISOString().slice(0, 10) },
          })),
        );
      }
      if (positionsFilled >= vacancy.positions) {
        await closeOrder(tx, { ...vacancy, positionsFilled }, 'filled_by_proposal', actor.userId, {
          proposalId: proposal.id,
        });
        vacancyFilled = true;
      }
    }
    return {
      proposalId: proposal.id,
      vacancyId: vacancy.id,
      outcome: v.outcome,
      status: STATUS_OF[v.outcome],
      positionsFilled,
      positions: vacancy.positions,
      vacancyFilled,
      followUpTasks,
    };
  });
}
