/**
 * The milestones of a running clock: reminder to the assigned caseworker, escalation to the branch lead, breach at
 * the due time. Each happens exactly once: written to the DB first (`sla_events`' unique key per vacancy and kind),
 * with its task and notification in the same transaction. Delayed queue jobs only say "look now"; the DB decides.
 *
 * The queue wiring arms one delayed job per pending milestone with the id `milestoneJobId(...)`, and a reconciler
 * re-arms `pendingMilestones(ctx)` at start and periodically, so a restart of any process or of Redis loses and
 * duplicates nothing: an overdue milestone fires at once and records its original due time.
 */
import { and, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { type Ctx, withTransaction } from '../context.ts';
import { slaEvents, vacancies } from '../db/schema.ts';
import { RowId } from '../domain/ids.ts';
import { issuesOf, ValidationFailed } from '../errors.ts';
import { branchLeads, enqueueNotification } from '../notifications/enqueue.ts';
import { createTasks } from '../tasks/create.ts';
import { isRunning, lockClock, type SlaClockRow } from './clock.ts';

export const MilestoneKind = z.enum(['reminder', 'escalation', 'breach']);
export type MilestoneKind = z.infer<typeof MilestoneKind>;
export const MILESTONE_KINDS = MilestoneKind.options;

export const FireMilestoneInput = z.object({ vacancyId: RowId, kind: MilestoneKind });
export type FireMilestoneInput = z.infer<typeof FireMilestoneInput>;

export type FireOutcome =
  | { status: 'done'; dueAt: Date; firedAt: Date }
  /** Already fired, the clock is stopped, or the vacancy has no clock: nothing to do, ever. */
  | { status: 'skipped'; reason: 'already_fired' | 'clock_stopped' | 'no_clock' }
  /** The job came early (clock skew between hosts): arm it again for `dueAt`. */
  | { status: 'not_due'; dueAt: Date };

/** Deterministic queue job id: arming twice is one job. BullMQ ids may not contain ':'. */
export function milestoneJobId(m: { vacancyId: string; kind: MilestoneKind }): string {
  return `sla_${m.vacancyId}_${m.kind}`;
}

function dueOf(clock: SlaClockRow, kind: MilestoneKind): Date {
  if (kind === 'reminder') return clock.reminderDueAt;
  if (kind === 'escalation') return clock.escalationDueAt;
  return clock.dueAt;
}

/** Fires one milestone if it is due and has not fired; idempotent, safe to call from a job delivered twice. */
export async function fireMilestone(ctx: Ctx, input: FireMilestoneInput): Promise<FireOutcome> {
  const parsed = FireMilestoneInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültiger SLA-Meilenstein', issuesOf(parsed.error));
  const { vacancyId, kind } = parsed.data;
  return withTransaction(ctx, async (tx): Promise<FireOutcome> => {
    // The lock orders this against a response or withdrawal committing at the same moment.
    const clock = await lockClock(tx, vacancyId);
    if (!clock) return { status: 'skipped', reason: 'no_clock' };
    if (!isRunning(clock)) return { status: 'skipped', reason: 'clock_stopped' };
    const dueAt = dueOf(clock, kind);
    const firedAt = tx.now();
    if (firedAt < dueAt) return { status: 'not_due', dueAt };
    const inserted = await tx.db
      .insert(slaEvents)
      .values({ vacancyId, kind, dueAt, at: firedAt })
      .onConflictDoNothing()
      .returning({ id: slaEvents.id });
    if (inserted.length === 0) return { status: 'skipped', reason: 'already_fired' };

    const [vacancy] = await tx.db
      .select({ reference: vacancies.referenceNumber, title: vacancies.title })
      .from(vacancies)
      .where(eq(vacancies.id, vacancyId));
    const ref = { reference: vacancy?.reference ?? vacancyId, title: vacancy?.title ?? '' };
    const cause = `sla_${kind}:${vacancyId}`;
    const detail = { milestone: kind, dueAt: dueAt.toISOString(), firedAt: firedAt.toISOString() };
    if (kind === 'reminder') {
      await createTasks(tx, [
        {
          kind: 'sla_reminder',
          dedupeKey: cause,
          branchId: clock.branchId,
          assigneeUserId: clock.caseworkerId,
          assigneeRole: 'caseworker',
          vacancyId,
          // The task is to respond, by the deadline.
          dueAt: clock.dueAt,
          detail,
        },
      ]);
      if (clock.caseworkerId) {
        await enqueueNotification(tx, {
          template: 'sla_reminder',
          cause,
          recipientUserId: clock.caseworkerId,
          vacancyId,
          payload: { ...ref, dueAt: clock.dueAt.toISOString() },
        });
      }
    } else {
      await createTasks(tx, [
        {
          kind: kind === 'escalation' ? 'sla_escalation' : 'sla_breach',
          dedupeKey: cause,
          branchId: clock.branchId,
          assigneeUserId: null,
          assigneeRole: 'branch_lead',
          vacancyId,
          dueAt: kind === 'escalation' ? clock.dueAt : firedAt,
          detail,
        },
      ]);
      for (const lead of await branchLeads(tx, clock.branchId)) {
        await enqueueNotification(tx, {
          template: kind === 'escalation' ? 'sla_escalation' : 'sla_breach',
          cause,
          recipientUserId: lead,
          vacancyId,
          payload: { ...ref, dueAt: clock.dueAt.toISOString(), caseworkerId: clock.caseworkerId },
        });
      }
    }
    tx.log.info({ vacancyId, kind, dueAt, firedAt }, 'sla milestone fired');
    return { status: 'done', dueAt, firedAt };
  });
}

export interface PendingMilestone {
  vacancyId: string;
  kind: MilestoneKind;
  dueAt: Date;
}

/**
 * Every milestone of a running clock that has not fired, overdue ones included, by due time: what the reconciler
 * must arm. One indexed scan of the running clocks.
 */
export async function pendingMilestones(ctx: Ctx): Promise<PendingMilestone[]> {
  const result = await ctx.db.execute<{ vacancy_id: string; kind: MilestoneKind; due_at: string | Date }>(sql`
    select c.vacancy_id, k.kind,
      case k.kind when 'reminder' then c.reminder_due_at when 'escalation' then c.escalation_due_at else c.due_at end
        as due_at
    from sla_clocks c
    cross join (values ('reminder'), ('escalation'), ('breach')) as k(kind)
    where c.outcome is null
      and not exists (select 1 from sla_events e where e.vacancy_id = c.vacancy_id and e.kind = k.kind)
    order by due_at, c.vacancy_id, k.kind`);
  const rows = (
    result as unknown as { rows: Array<{ vacancy_id: string; kind: MilestoneKind; due_at: string | Date }> }
  ).rows;
  return rows.map((r) => ({ vacancyId: r.vacancy_id, kind: r.kind, dueAt: new Date(r.due_at) }));
}

/** The milestones recorded for one vacancy, for views and tests. */
export async function milestoneEvents(ctx: Ctx, vacancyId: string) {
  return ctx.db
    .select({ kind: slaEvents.kind, dueAt: slaEvents.dueAt, at: slaEvents.at, reason: slaEvents.reason })
    .from(slaEvents)
    .where(and(eq(slaEvents.vacancyId, vacancyId)))
    .orderBy(slaEvents.id);
}
