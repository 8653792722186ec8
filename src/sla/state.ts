/**
 * Where an order's clock stands, derived from its due times and `now` (not from which milestone jobs have run, so
 * a view is right even while the workers are down):
 * - open: running, before the reminder time; at_risk: past the reminder; escalated: past the escalation;
 * - breached: no response by the due time (also when withdrawn or filled only after it);
 * - met / met_late: responded by / after the due time;
 * - not_applicable: withdrawn or filled before the due time without a response.
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';

export const SlaState = z.enum(['open', 'at_risk', 'escalated', 'breached', 'met', 'met_late', 'not_applicable']);
export type SlaState = z.infer<typeof SlaState>;
export const SLA_STATES = SlaState.options;

export const SLA_STATE_LABEL: Record<SlaState, string> = {
  open: 'offen',
  at_risk: 'gefährdet',
  escalated: 'eskaliert',
  breached: 'Frist überschritten',
  met: 'fristgerecht beantwortet',
  met_late: 'verspätet beantwortet',
  not_applicable: 'entfallen',
};

export type ClockOutcome = 'met' | 'met_late' | 'not_applicable' | 'breached';

/**
 * The fixed outcome of a clock that has ended (stored in `sla_clocks.outcome`), null while it runs. A response
 * decides met or met_late; a withdrawal or filling without a response is not applicable before the due time, and
 * breached after it.
 */
export function clockOutcome(clock: {
  dueAt: Date;
  respondedAt: Date | null;
  notApplicableAt: Date | null;
}): ClockOutcome | null {
  if (clock.respondedAt) return clock.respondedAt <= clock.dueAt ? 'met' : 'met_late';
  if (clock.notApplicableAt) return clock.notApplicableAt <= clock.dueAt ? 'not_applicable' : 'breached';
  return null;
}

/** Column references of `sla_clocks` under an alias, for raw SQL. */
function cols(alias: string) {
  const c = (name: string) => sql.raw(`${alias}.${name}`);
  return {
    outcome: c('outcome'),
    reminder: c('reminder_due_at'),
    escalation: c('escalation_due_at'),
    due: c('due_at'),
  };
}

/** The state as a SQL expression over `sla_clocks` aliased `alias`. */
export function stateExpression(alias: string, now: Date): SQL {
  const c = cols(alias);
  const t = sql`${now.toISOString()}::timestamptz`;
  return sql`case
    when ${c.outcome} is not null then ${c.outcome}
    when ${t} >= ${c.due} then 'breached'
    when ${t} >= ${c.escalation} then 'escalated'
    when ${t} >= ${c.reminder} then 'at_risk'
    else 'open' end`;
}

/** The state as a WHERE predicate, so a filtered view can use the indexes instead of computing every state. */
export function statePredicate(alias: string, state: SlaState, now: Date): SQL {
  const c = cols(alias);
  const t = sql`${now.toISOString()}::timestamptz`;
  switch (state) {
    case 'open':
      return sql`${c.outcome} is null and ${t} < ${c.reminder}`;
    case 'at_risk':
      return sql`${c.outcome} is null and ${t} >= ${c.reminder} and ${t} < ${c.escalation}`;
    case 'escalated':
      return sql`${c.outcome} is null and ${t} >= ${c.escalation} and ${t} < ${c.due}`;
    case 'breached':
      return sql`(${c.outcome} = 'breached' or (${c.outcome} is null and ${t} >= ${c.due}))`;
    default:
      return sql`${c.outcome} = ${state}`;
  }
}

/** The same rule in JS, for one clock (the benchmark's baseline, tests). */
export function stateOf(
  clock: {
    respondedAt: Date | null;
    notApplicableAt: Date | null;
    reminderDueAt: Date;
    escalationDueAt: Date;
    dueAt: Date;
  },
  now: Date,
): SlaState {
  const outcome = clockOutcome(clock);
  if (outcome) return outcome;
  if (now >= clock.dueAt) return 'breached';
  if (now >= clock.escalationDueAt) return 'escalated';
  if (now >= clock.reminderDueAt) return 'at_risk';
  return 'open';
}
