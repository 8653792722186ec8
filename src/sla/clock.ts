/**
 * The SLA clock of one placement order: started in the submission's transaction, stopped by the qualified response,
 * closed as not applicable by a withdrawal or filling before one. Each change writes its `sla_events` row (the
 * record, once per kind by its unique key) and updates the order's `sla_clocks` row in the same transaction.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { slaClocks, slaEvents } from '../db/schema.ts';
import { closeSlaTasks } from '../tasks/create.ts';
import { type DueTimes, dueTimes, weekStart } from './calendar.ts';
import { rulesOf } from './rules.ts';
import { clockOutcome } from './state.ts';

export type SlaClockRow = typeof slaClocks.$inferSelect;

export interface StartClock {
  vacancyId: string;
  branchId: number;
  caseworkerId: string | null;
  startedAt: Date;
  actorUserId: string | null;
}

/** Starts the clock at receipt of a placement order; call it in the submission's transaction. */
export async function startClock(tx: Ctx, start: StartClock): Promise<DueTimes> {
  const rules = rulesOf(tx);
  const due = dueTimes(start.startedAt, rules);
  await tx.db.insert(slaEvents).values({
    vacancyId: start.vacancyId,
    kind: 'started',
    dueAt: due.dueAt,
    at: start.startedAt,
    actorUserId: start.actorUserId,
  });
  await tx.db.insert(slaClocks).values({
    vacancyId: start.vacancyId,
    branchId: start.branchId,
    caseworkerId: start.caseworkerId,
    calendar: rules.calendar,
    startedAt: start.startedAt,
    startedWeek: weekStart(start.startedAt),
    ...due,
  });
  return due;
}

/** The order's clock, locked for the rest of the transaction; undefined when the vacancy has none. */
export async function lockClock(tx: Ctx, vacancyId: string): Promise<SlaClockRow | undefined> {
  const [clock] = await tx.db.select().from(slaClocks).where(eq(slaClocks.vacancyId, vacancyId)).for('update');
  return clock;
}

export function isRunning(clock: SlaClockRow): boolean {
  return clock.outcome === null;
}

const seconds = (from: Date, to: Date) => Math.round((to.getTime() - from.getTime()) / 1000);

/**
 * Stops a running clock with a qualified response (a proposal, or a documented answer's reason code). Returns
 * false when there is no running clock (none, already answered, or not applicable): nothing is written then.
 */
export async function stopClock(
  tx: Ctx,
  stop: { vacancyId: string; reason: string; note?: string | null; actorUserId: string | null },
): Promise<boolean> {
  const clock = await lockClock(tx, stop.vacancyId);
  if (!clock || !isRunning(clock)) return false;
  const at = tx.now();
  const inserted = await tx.db
    .insert(slaEvents)
    .values({
      vacancyId: stop.vacancyId,
      kind: 'responded',
      dueAt: clock.dueAt,
      at,
      actorUserId: stop.actorUserId,
      reason: stop.reason,
      note: stop.note ?? null,
    })
    .onConflictDoNothing()
    .returning({ id: slaEvents.id });
  if (inserted.length === 0) return false;
  await tx.db
    .update(slaClocks)
    .set({
      respondedAt: at,
      responseReason: stop.reason,
      responseSeconds: seconds(clock.startedAt, at),
      outcome: clockOutcome({ dueAt: clock.dueAt, respondedAt: at, notApplicableAt: null }),
    })
    .where(eq(slaClocks.vacancyId, stop.vacancyId));
  await closeSlaTasks(tx, stop.vacancyId, 'Erledigt: qualifizierte Rückmeldung gegeben');
  return true;
}

/**
 * Withdrawal or filling before a response: the promise no longer applies, and pending milestones will be skipped.
 * A clock already stopped is left as it is. Filling also records the filling time for the placement figures.
 */
export async function closeClock(
  tx: Ctx,
  close: { vacancyId: string; reason: 'withdrawn' | 'filled'; actorUserId: string | null },
): Promise<void> {
  const clock = await lockClock(tx, close.vacancyId);
  if (!clock) return;
  const at = tx.now();
  if (close.reason === 'filled' && clock.filledAt === null) {
    await tx.db
      .update(slaClocks)
      .set({ filledAt: at, fillSeconds: seconds(clock.startedAt, at) })
      .where(eq(slaClocks.vacancyId, close.vacancyId));
  }
  if (!isRunning(clock)) return;
  await tx.db
    .insert(slaEvents)
    .values({
      vacancyId: close.vacancyId,
      kind: 'not_applicable',
      dueAt: clock.dueAt,
      at,
      actorUserId: close.actorUserId,
      reason: close.reason,
    })
    .onConflictDoNothing();
  await tx.db
    .update(slaClocks)
    .set({
      notApplicableAt: at,
      notApplicableReason: close.reason,
      outcome: clockOutcome({ dueAt: clock.dueAt, respondedAt: null, notApplicableAt: at }),
    })
    .where(and(eq(slaClocks.vacancyId, close.vacancyId), isNull(slaClocks.outcome)));
  await closeSlaTasks(tx, close.vacancyId, close.reason === 'filled' ? 'Stelle besetzt' : 'Auftrag zurückgezogen');
}

/** Placement counters of the order's clock (no-op for vacancies without one). */
export async function countOnClock(
  tx: Ctx,
  vacancyId: string,
  counts: { sent?: number; invited?: number; hired?: number },
): Promise<void> {
  const { sent = 0, invited = 0, hired = 0 } = counts;
  if (sent === 0 && invited === 0 && hired === 0) return;
  await tx.db
    .update(slaClocks)
    .set({
      proposalsSent: sql`${slaClocks.proposalsSent} + ${sent}`,
      proposalsInvited: sql`${slaClocks.proposalsInvited} + ${invited}`,
      proposalsHired: sql`${slaClocks.proposalsHired} + ${hired}`,
    })
    .where(eq(slaClocks.vacancyId, vacancyId));
}
