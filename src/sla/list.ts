/**
 * `GET /api/v1/sla/vacancies`: placement orders by state, earliest due first, scoped to the reader's branch
 * (admins: all or one). The inbox of the employer service: what must be answered next.
 */
import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { issuesOf, ValidationFailed } from '../errors.ts';
import { slaScope } from './scope.ts';
import { SlaState, stateExpression, statePredicate } from './state.ts';

export const ListSlaInput = z.object({
  state: SlaState.optional(),
  branch: z.number().int().min(1).optional(),
  limit: z.number().int().min(1).max(1000).default(100),
  offset: z.number().int().min(0).max(1_000_000).default(0),
});
export type ListSlaInput = z.input<typeof ListSlaInput>;

export interface SlaVacancy {
  vacancyId: string;
  reference: string | null;
  title: string;
  employerName: string | null;
  branchId: number;
  caseworker: { id: string; displayName: string } | null;
  startedAt: Date;
  reminderDueAt: Date;
  escalationDueAt: Date;
  dueAt: Date;
  respondedAt: Date | null;
  responseReason: string | null;
  state: SlaState;
}

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

export async function listSlaVacancies({
  ctx,
  actor,
  input = {},
}: {
  ctx: Ctx;
  actor: Actor;
  input?: ListSlaInput;
}): Promise<SlaVacancy[]> {
  const parsed = ListSlaInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Anfrage', issuesOf(parsed.error));
  const { state, branch, limit, offset } = parsed.data;
  const scope = slaScope(actor, branch);
  const now = ctx.now();
  const result = await ctx.db.execute<Row>(sql`
    select c.vacancy_id, v.reference_number, v.title, v.employer_name, c.branch_id, c.caseworker_id,
      u.display_name as caseworker_name, c.started_at, c.reminder_due_at, c.escalation_due_at, c.due_at,
      c.responded_at, c.response_reason, ${stateExpression('c', now)} as state
    from sla_clocks c
    join vacancies v on v.id = c.vacancy_id
    left join users u on u.id = c.caseworker_id
    where true
      ${scope === null ? sql`` : sql`and c.branch_id = ${scope}`}
      ${state ? sql`and ${statePredicate('c', state, now)}` : sql``}
    order by c.due_at, c.vacancy_id
    limit ${limit} offset ${offset}`);
  return (result as unknown as { rows: Row[] }).rows.map((r) => ({
    vacancyId: r.vacancy_id as string,
    reference: (r.reference_number as string | null) ?? null,
    title: r.title as string,
    employerName: (r.employer_name as string | null) ?? null,
    branchId: Number(r.branch_id),
    caseworker: r.caseworker_id
      ? { id: r.caseworker_id as string, displayName: (r.caseworker_name as string | null) ?? '' }
      : null,
    startedAt: date(r.started_at)!,
    reminderDueAt: date(r.reminder_due_at)!,
    escalationDueAt: date(r.escalation_due_at)!,
    dueAt: date(r.due_at)!,
    respondedAt: date(r.responded_at),
    responseReason: (r.response_reason as string | null) ?? null,
    state: r.state as SlaState,
  }));
}
