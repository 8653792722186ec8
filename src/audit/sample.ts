/**
 * The internal control sample (IKS, docs/internal-control.md): every month a branch lead checks 10 randomly chosen
 * cases of their branch. A case is an employer's placement order received in that month (Berlin time): the order with
 * its 48-hour clock and what became of it (the response, the proposals, the outcome).
 *
 * The draw is reproducible without storing it: a case's rank is an HMAC of branch, month and order id under a key
 * kept in the database, and the sample is the 10 lowest ranks. The population of a month that has ended no longer
 * changes (a clock's branch and receipt time are fixed when it starts), and a case's rank does not depend on any
 * other case, so the same month and branch give the same cases whenever they are asked for. The key is secret to
 * everyone without database access: nobody can tell in advance which orders will be checked and give them special care.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Ctx } from '../context.ts';
import { auditedRead } from '../customers/audited-read.ts';
import { appMeta, branches } from '../db/schema.ts';
import { Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { localTime, zonedInstant } from '../sla/calendar.ts';
import { type SlaState, stateExpression } from '../sla/state.ts';
import type { Actor } from './record.ts';

/** Cases a branch lead checks per branch and month (DOMAIN.md, "Internal control system"). */
export const SAMPLE_SIZE = 10;

/** The draw key's row in `app_meta`; created with the first draw of the installation. */
const KEY_NAME = 'audit_sample_key';

/** Why the sample is read; recorded with every draw (purpose limitation). */
export const SAMPLE_PURPOSE = 'internal_control';

/** A calendar month, `YYYY-MM`. */
export const SampleMonth = z.string().regex(/^2\d{3}-(0[1-9]|1[0-2])$/, 'Erwartet: Monat als JJJJ-MM, z. B. 2026-10');

export const DrawSampleInput = z.object({
  branch: z.number().int().min(1).max(32_767),
  month: SampleMonth,
});
export type DrawSampleInput = z.input<typeof DrawSampleInput>;

/** How an order ended, or `open` while it runs. */
export type CaseOutcome = 'open' | 'filled_by_proposal' | 'filled_otherwise' | 'withdrawn' | 'expired' | 'closed';

export const CASE_OUTCOME_LABEL: Record<CaseOutcome, string> = {
  open: 'offen',
  filled_by_proposal: 'besetzt durch Vermittlungsvorschlag',
  filled_otherwise: 'anderweitig besetzt',
  withdrawn: 'zurückgezogen',
  expired: 'abgelaufen',
  closed: 'geschlossen',
};

/** One sampled case: what a branch lead checks, and no customer's name (proposals are counted, not named). */
export interface SampledCase {
  vacancyId: string;
  reference: string | null;
  title: string;
  caseworker: { id: string; displayName: string } | null;
  receivedAt: Date;
  dueAt: Date;
  respondedAt: Date | null;
  /** 'proposal' or the documented answer's code; null without a response. */
  responseKind: string | null;
  /** Where the clock stands now (met, met_late, breached, not_applicable, or still running). */
  slaState: SlaState;
  proposals: { sent: number; invited: number; hired: number };
  outcome: CaseOutcome;
  positions: number;
  positionsFilled: number;
  closedAt: Date | null;
}

export interface AuditSample {
  branch: number;
  month: string;
  /** Placement orders of the branch received in the month: what the sample is drawn from. */
  population: number;
  /** Sorted by receipt. */
  cases: SampledCase[];
}

/** First instant of the month and of the next one, in Berlin time. */
export function monthBounds(month: string): { from: Date; to: Date } {
  const [year, mon] = month.split('-').map(Number) as [number, number];
  return {
    from: zonedInstant({ year, month: mon, day: 1 }),
    to: zonedInstant({ year: mon === 12 ? year + 1 : year, month: mon === 12 ? 1 : mon + 1, day: 1 }),
  };
}

/** Branch leads of the branch and admins; everyone else is refused before anything is read. */
function mayDraw(actor: Actor, branch: number): void {
  if (actor.role === 'admin') return;
  if (actor.role !== 'branch_lead' || actor.branchId === null) {
    throw new Forbidden('Die Stichprobe der internen Kontrolle ist Zweigstellenleitungen vorbehalten');
  }
  if (actor.branchId !== branch) throw new Forbidden('Stichproben anderer Zweigstellen sind nicht sichtbar');
}

/** The installation's draw key; the first draw creates it, and concurrent first draws agree on one. */
async function drawKey(ctx: Ctx): Promise<string> {
  await ctx.db
    .insert(appMeta)
    .values({ key: KEY_NAME, value: randomBytes(32).toString('hex') })
    .onConflictDoNothing();
  const [row] = await ctx.db.select({ value: appMeta.value }).from(appMeta).where(eq(appMeta.key, KEY_NAME));
  return row!.value;
}

/** A case's place in the draw: depends only on the key, the branch, the month and the case itself. */
export function drawRank(key: string, branch: number, month: string, vacancyId: string): string {
  return createHmac('sha256', key).update(`${branch}|${month}|${vacancyId}`).digest('hex');
}

type Row = Record<string, unknown>;
const date = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string));

function outcomeOf(status: string, closeReason: string | null): CaseOutcome {
  if (status === 'open') return 'open';
  if (closeReason === 'filled_by_proposal' || closeReason === 'filled_otherwise' || closeReason === 'withdrawn') {
    return closeReason;
  }
  if (closeReason === 'expired') return 'expired';
  return status === 'filled' ? 'filled_otherwise' : 'closed';
}

function caseOf(r: Row): SampledCase {
  return {
    vacancyId: r.vacancy_id as string,
    reference: (r.reference_number as string | null) ?? null,
    title: r.title as string,
    caseworker: r.caseworker_id
      ? { id: r.caseworker_id as string, displayName: (r.caseworker_name as string | null) ?? '' }
      : null,
    receivedAt: date(r.started_at)!,
    dueAt: date(r.due_at)!,
    respondedAt: date(r.responded_at),
    responseKind: (r.response_reason as string | null) ?? null,
    slaState: r.state as SlaState,
    proposals: {
      sent: Number(r.proposals_sent),
      invited: Number(r.proposals_invited),
      hired: Number(r.proposals_hired),
    },
    outcome: outcomeOf(r.status as string, (r.close_reason as string | null) ?? null),
    positions: Number(r.positions),
    positionsFilled: Number(r.positions_filled),
    closedAt: date(r.closed_at),
  };
}

/**
 * Draws the month's sample for a branch: `SAMPLE_SIZE` cases, or all of them when there are fewer. Only for months
 * that have ended (a running month's population still grows). Audited, refusals and failures included.
 */
export async function drawAuditSample({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: DrawSampleInput;
}): Promise<AuditSample> {
  const parsed = DrawSampleInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben für die Stichprobe', issuesOf(parsed.error));
  const { branch, month } = parsed.data;
  return auditedRead(
    ctx,
    {
      actor,
      action: 'audit_sample.draw',
      objectType: 'audit_sample',
      objectId: `${branch}:${month}`,
      purpose: SAMPLE_PURPOSE,
      detail: { branch, month },
    },
    async () => {
      mayDraw(actor, branch);
      const now = ctx.now();
      const { from, to } = monthBounds(month);
      if (now < to) {
        const current = localTime(now);
        const what = now < from ? 'liegt in der Zukunft' : 'ist noch nicht abgeschlossen';
        throw new ValidationFailed(
          `Der Monat ${month} ${what}: eine Stichprobe gibt es erst für abgeschlossene Monate ` +
            `(heute ist der ${current.day}.${current.month}.${current.year}).`,
          [{ path: 'month', message: `${month} ${what}` }],
        );
      }
      const [known] = await ctx.db.select({ id: branches.id }).from(branches).where(eq(branches.id, branch));
      if (!known) throw new NotFound('Zweigstelle', String(branch));

      const population = await ctx.db.execute<Row>(sql`
        select vacancy_id from sla_clocks
        where branch_id = ${branch} and started_at >= ${from.toISOString()}::timestamptz
          and started_at < ${to.toISOString()}::timestamptz`);
      const ids = (population as unknown as { rows: Row[] }).rows.map((r) => r.vacancy_id as string);
      const key = await drawKey(ctx);
      const drawn = ids
        .map((id) => ({ id, rank: drawRank(key, branch, month, id) }))
        .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
        .slice(0, SAMPLE_SIZE)
        .map((d) => d.id);
      if (drawn.length === 0) return { branch, month, population: 0, cases: [] };

      const details = await ctx.db.execute<Row>(sql`
        select c.vacancy_id, v.reference_number, v.title, c.caseworker_id, u.display_name as caseworker_name,
          c.started_at, c.due_at, c.responded_at, c.response_reason, ${stateExpression('c', now)} as state,
          c.proposals_sent, c.proposals_invited, c.proposals_hired,
          v.status, v.close_reason, v.positions, v.positions_filled, v.closed_at
        from sla_clocks c
        join vacancies v on v.id = c.vacancy_id
        left join users u on u.id = c.caseworker_id
        where c.vacancy_id in (${sql.join(
          drawn.map((id) => sql`${id}::uuid`),
          sql`, `,
        )})
        order by c.started_at, c.vacancy_id`);
      const cases = (details as unknown as { rows: Row[] }).rows.map(caseOf);
      return { branch, month, population: ids.length, cases };
    },
    (sample) => ({ population: sample.population, drawn: sample.cases.map((c) => c.vacancyId) }),
  );
}
