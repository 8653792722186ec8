/**
 * `GET /api/v1/sla/summary`: how well the 48-hour promise was kept over a period (by order receipt), overall and
 * grouped by branch, caseworker or ISO week: counts per state, compliance rate, median and 90th percentile time to
 * the qualified response, the breaches with their reasons, and the placement figures the job centre reports
 * (proposals per order, share of proposals that led to an invitation and to a hire, time from order to filling).
 *
 * One aggregate statement over `sla_clocks` (one narrow row per order, counters kept there as proposals and
 * outcomes are recorded) with GROUPING SETS for groups and total at once, plus one for the breaches: no per-order
 * work in JS, so a year of orders is summarised in milliseconds (docs/benchmarks.md, bench:sla).
 */
import { type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { issuesOf, ValidationFailed } from '../errors.ts';
import { slaScope } from './scope.ts';
import type { SlaState } from './state.ts';

const DAY_MS = 86_400_000;

const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((v) => new Date(v));

export const SlaSummaryInput = z
  .object({
    /** Orders received from (inclusive); default 30 days before `to`. */
    from: Instant.optional(),
    /** Orders received before (exclusive); default now. */
    to: Instant.optional(),
    branch: z.number().int().min(1).optional(),
    groupBy: z.enum(['branch', 'caseworker', 'week']).optional(),
    /** How many breaches to list, latest first. */
    breachLimit: z.number().int().min(0).max(1000).default(100),
  })
  .refine((v) => !v.from || !v.to || v.from < v.to, { message: '"from" muss vor "to" liegen', path: ['from'] });
export type SlaSummaryInput = z.input<typeof SlaSummaryInput>;

export interface SlaFigures {
  orders: number;
  counts: Record<SlaState, number>;
  /** met / (met + met_late + breached); null while nothing is decided. */
  complianceRate: number | null;
  medianResponseHours: number | null;
  p90ResponseHours: number | null;
  placement: {
    proposals: number;
    proposalsPerOrder: number | null;
    /** Share of proposals that led to an invitation. */
    invitationRate: number | null;
    /** Share of proposals that led to a hire. */
    hireRate: number | null;
    filled: number;
    medianDaysToFill: number | null;
  };
}

export interface SlaGroup extends SlaFigures {
  key: string;
  label: string;
}

export interface SlaBreach {
  vacancyId: string;
  reference: string | null;
  branchId: number;
  caseworkerId: string | null;
  dueAt: Date;
  respondedAt: Date | null;
  /** The late response's reason code (or 'proposal'), or why the order ended; null while still unanswered. */
  reason: string | null;
  state: 'breached' | 'met_late';
}

export interface SlaSummary {
  from: Date;
  to: Date;
  branch: number | null;
  groupBy: 'branch' | 'caseworker' | 'week' | null;
  total: SlaFigures;
  groups: SlaGroup[];
  breaches: SlaBreach[];
}

type Row = Record<string, unknown>;
const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const round = (v: number | null, digits = 1) => (v === null ? null : Math.round(v * 10 ** digits) / 10 ** digits);

function groupKey(groupBy: NonNullable<SlaSummary['groupBy']>): SQL {
  switch (groupBy) {
    case 'branch':
      return sql`c.branch_id`;
    case 'caseworker':
      return sql`c.caseworker_id`;
    case 'week':
      return sql`c.started_week`;
  }
}

/** "2026-W47" for the Monday "2026-11-16". */
export function isoWeekLabel(monday: string): string {
  const d = new Date(`${monday}T00:00:00Z`);
  const thursday = new Date(d.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Linear interpolation between closest ranks, as PostgreSQL's percentile_cont; `sorted` ascending. */
export function percentileCont(sorted: ArrayLike<number>, p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

const COUNTERS = [
  'orders',
  'met',
  'met_late',
  'not_applicable',
  'breached_closed',
  'breached_running',
  'escalated',
  'at_risk',
  'open',
  'sent',
  'invited',
  'hired',
  'filled',
] as const;

/** One group's aggregate: counters and the raw durations, whose percentiles are taken in JS. */
interface GroupAggregate {
  n: Record<(typeof COUNTERS)[number], number>;
  responseSeconds: number[];
  fillSeconds: number[];
}

function aggregateOf(r: Row): GroupAggregate {
  const ints = (v: unknown) => ((v as Array<number | string> | null) ?? []).map(Number);
  return {
    n: Object.fromEntries(COUNTERS.map((k) => [k, Number(r[k] ?? 0)])) as GroupAggregate['n'],
    responseSeconds: ints(r.response_seconds),
    fillSeconds: ints(r.fill_seconds),
  };
}

function merge(parts: GroupAggregate[]): GroupAggregate {
  const n = Object.fromEntries(
    COUNTERS.map((k) => [k, parts.reduce((sum, p) => sum + p.n[k], 0)]),
  ) as GroupAggregate['n'];
  return {
    n,
    responseSeconds: parts.flatMap((p) => p.responseSeconds),
    fillSeconds: parts.flatMap((p) => p.fillSeconds),
  };
}

function figures({ n, responseSeconds, fillSeconds }: GroupAggregate): SlaFigures {
  const counts: Record<SlaState, number> = {
    open: n.open,
    at_risk: n.at_risk,
    escalated: n.escalated,
    breached: n.breached_closed + n.breached_running,
    met: n.met,
    met_late: n.met_late,
    not_applicable: n.not_applicable,
  };
  const response = Float64Array.from(responseSeconds).sort();
  const fill = Float64Array.from(fillSeconds).sort();
  const hours = (v: number | null) => (v === null ? null : v / 3600);
  const days = (v: number | null) => (v === null ? null : v / 86_400);
  return {
    orders: n.orders,
    counts,
    complianceRate: round(ratio(counts.met, counts.met + counts.met_late + counts.breached), 4),
    medianResponseHours: round(hours(percentileCont(response, 0.5)), 2),
    p90ResponseHours: round(hours(percentileCont(response, 0.9)), 2),
    placement: {
      proposals: n.sent,
      proposalsPerOrder: round(ratio(n.sent, n.orders), 2),
      invitationRate: round(ratio(n.invited, n.sent), 4),
      hireRate: round(ratio(n.hired, n.sent), 4),
      filled: n.filled,
      medianDaysToFill: round(days(percentileCont(fill, 0.5)), 1),
    },
  };
}

/**
 * One pass over the period's clocks: ended ones by their stored outcome, running ones by their due times against
 * now. Durations come back as integer arrays (a plain hash aggregate; an ordered-set aggregate would sort every
 * row by group first), and the percentiles, per group and in total, are taken in JS.
 */
function aggregates(now: Date): SQL {
  const t = sql`${now.toISOString()}::timestamptz`;
  return sql`count(*)::int as orders,
      count(*) filter (where c.outcome = 'met')::int as met,
      count(*) filter (where c.outcome = 'met_late')::int as met_late,
      count(*) filter (where c.outcome = 'not_applicable')::int as not_applicable,
      count(*) filter (where c.outcome = 'breached')::int as breached_closed,
      count(*) filter (where c.outcome is null and ${t} >= c.due_at)::int as breached_running,
      count(*) filter (where c.outcome is null and ${t} >= c.escalation_due_at and ${t} < c.due_at)::int as escalated,
      count(*) filter (where c.outcome is null and ${t} >= c.reminder_due_at and ${t} < c.escalation_due_at)::int
        as at_risk,
      count(*) filter (where c.outcome is null and ${t} < c.reminder_due_at)::int as open,
      coalesce(sum(c.proposals_sent), 0)::int as sent,
      coalesce(sum(c.proposals_invited), 0)::int as invited,
      coalesce(sum(c.proposals_hired), 0)::int as hired,
      count(c.fill_seconds)::int as filled,
      array_agg(c.response_seconds) filter (where c.response_seconds is not null) as response_seconds,
      array_agg(c.fill_seconds) filter (where c.fill_seconds is not null) as fill_seconds`;
}

const BREACH_COLUMNS = sql`c.vacancy_id, c.branch_id, c.caseworker_id, c.due_at, c.responded_at,
  coalesce(c.response_reason, c.not_applicable_reason) as reason, coalesce(c.outcome, 'breached') as state`;

export async function slaSummary({
  ctx,
  actor,
  input = {},
}: {
  ctx: Ctx;
  actor: Actor;
  input?: SlaSummaryInput;
}): Promise<SlaSummary> {
  const parsed = SlaSummaryInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Anfrage', issuesOf(parsed.error));
  const p = parsed.data;
  const branch = slaScope(actor, p.branch);
  const now = ctx.now();
  const to = p.to ?? now;
  const from = p.from ?? new Date(to.getTime() - 30 * DAY_MS);
  const groupBy = p.groupBy ?? null;
  const inRange = sql`c.started_at >= ${from.toISOString()}::timestamptz and c.started_at < ${to.toISOString()}::timestamptz${branch === null ? sql`` : sql` and c.branch_id = ${branch}`}`;
  const rowsOf = (result: unknown) => (result as { rows: Row[] }).rows;

  const rows = rowsOf(
    await ctx.db.execute<Row>(
      groupBy
        ? sql`select ${groupKey(groupBy)}::text as key, ${aggregates(now)} from sla_clocks c where ${inRange} group by 1`
        : sql`select ${aggregates(now)} from sla_clocks c where ${inRange}`,
    ),
  );
  const parts = rows.map((r) => ({
    key: r.key === null || r.key === undefined ? '' : String(r.key),
    part: aggregateOf(r),
  }));
  const labels = await groupLabels(
    ctx,
    groupBy,
    parts.map((g) => g.key),
  );

  // Breaches, latest first: ended late (partial index on the late outcomes) and still running past the due time
  // (partial index on running clocks), each side cut at the limit before they are merged.
  const breaches = p.breachLimit
    ? rowsOf(
        await ctx.db.execute<Row>(sql`
          select b.*, v.reference_number from (
            (select ${BREACH_COLUMNS} from sla_clocks c
              where c.outcome in ('met_late', 'breached') and ${inRange}
              order by c.due_at desc limit ${p.breachLimit})
            union all
            (select ${BREACH_COLUMNS} from sla_clocks c
              where c.outcome is null and c.due_at <= ${now.toISOString()}::timestamptz and ${inRange}
              order by c.due_at desc limit ${p.breachLimit})
          ) b join vacancies v on v.id = b.vacancy_id
          order by b.due_at desc, b.vacancy_id
          limit ${p.breachLimit}`),
      )
    : [];

  return {
    from,
    to,
    branch,
    groupBy,
    total: figures(merge(parts.map((g) => g.part))),
    groups: groupBy
      ? parts
          .map(({ key: raw, part }) => {
            const key = groupBy === 'week' ? isoWeekLabel(raw) : raw;
            return { key, label: labels.get(raw) ?? key, ...figures(part) };
          })
          .sort((a, b) => a.key.localeCompare(b.key, 'en', { numeric: true }))
      : [],
    breaches: breaches.map((r) => ({
      vacancyId: r.vacancy_id as string,
      reference: (r.reference_number as string | null) ?? null,
      branchId: Number(r.branch_id),
      caseworkerId: (r.caseworker_id as string | null) ?? null,
      dueAt: new Date(r.due_at as string),
      respondedAt: r.responded_at ? new Date(r.responded_at as string) : null,
      reason: (r.reason as string | null) ?? null,
      state: r.state as 'breached' | 'met_late',
    })),
  };
}

/** Names for group keys: branch names and caseworkers' display names (staff, not social data). */
async function groupLabels(ctx: Ctx, groupBy: SlaSummary['groupBy'], keys: string[]): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  if (groupBy === 'branch' && keys.length) {
    const result = await ctx.db.execute<Row>(sql`select id::text as key, name from branches`);
    for (const r of (result as unknown as { rows: Row[] }).rows) labels.set(String(r.key), String(r.name));
  }
  if (groupBy === 'caseworker') {
    const ids = keys.filter((k) => k !== '');
    if (ids.length) {
      const result = await ctx.db.execute<Row>(
        sql`select id::text as key, display_name as name from users where id::text in (${sql.join(
          ids.map((id) => sql`${id}`),
          sql`, `,
        )})`,
      );
      for (const r of (result as unknown as { rows: Row[] }).rows) labels.set(String(r.key), String(r.name));
    }
    labels.set('', 'nicht zugewiesen');
  }
  return labels;
}
