/**
 * SLA benchmark on synthetic data (deterministic), with a baseline in the same run. Prints one JSON line.
 * Run: `npm run bench:sla`. Embedded PGlite by default; `BENCH_DATABASE_URL=postgres://…` runs it on a server.
 *
 * - summary: `slaSummary` over one year of history (50,000 placement orders, all groupings) against the naive way,
 *   reading every order's events and computing states and percentiles per order in JS.
 * - rearm: what a restart costs: `pendingMilestones` for 10,000 open orders (the DB side of re-arming).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import type { Actor } from '../src/audit/record.ts';
import type { Ctx } from '../src/context.ts';
import { bulkInsert } from '../src/db/bulk-insert.ts';
import { type Database, openPglite, openPostgres } from '../src/db/client.ts';
import { branches, slaClocks, slaEvents, users, vacancies } from '../src/db/schema.ts';
import { createRandom, deterministicUuid } from '../src/demo/random.ts';
import { createLogger } from '../src/logging.ts';
import { dueTimes, weekStart } from '../src/sla/calendar.ts';
import { pendingMilestones } from '../src/sla/milestones.ts';
import { ResponseReason } from '../src/sla/reasons.ts';
import { DEFAULT_SLA_RULES } from '../src/sla/rules.ts';
import { clockOutcome, type SlaState, stateOf } from '../src/sla/state.ts';
import { slaSummary } from '../src/sla/summary.ts';

const ORDERS = 50_000;
const OPEN_ORDERS = 10_000;
const BRANCHES = 14;
const CASEWORKERS_PER_BRANCH = 3;
const RUNS = 40;
const BASELINE_RUNS = 5;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = new Date('2026-11-20T09:00:00Z');
const YEAR_AGO = new Date(NOW.getTime() - 365 * DAY);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

async function time(runs: number, run: () => Promise<unknown>) {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 100) / 100;
  return { n: runs, p50: round(percentile(ms, 50)), p95: round(percentile(ms, 95)), max: round(ms.at(-1) ?? 0) };
}

async function seed(ctx: Ctx): Promise<void> {
  const random = createRandom(20261120);
  await ctx.db
    .insert(branches)
    .values(
      Array.from({ length: BRANCHES }, (_, i) => ({ id: i + 1, name: `Zweigstelle ${i + 1} (Bench)`, plz: '70173' })),
    );
  const caseworkers = Array.from({ length: BRANCHES * CASEWORKERS_PER_BRANCH }, (_, i) => ({
    id: deterministicUuid(91, i + 1),
    email: `ag-${i + 1}@bench.invalid`,
    displayName: `AG-pAp ${i + 1} (Bench)`,
    role: 'caseworker' as const,
    branchId: (i % BRANCHES) + 1,
    employerService: true,
  }));
  await ctx.db.insert(users).values(caseworkers);

  const vacancyRows: Array<typeof vacancies.$inferInsert> = [];
  const clockRows: Array<typeof slaClocks.$inferInsert> = [];
  const eventRows: Array<typeof slaEvents.$inferInsert> = [];
  const order = (i: number, startedAt: Date, open: boolean) => {
    const id = deterministicUuid(92, i + 1);
    const branchId = (i % BRANCHES) + 1;
    const caseworkerId = caseworkers[(i % BRANCHES) + BRANCHES * (i % CASEWORKERS_PER_BRANCH)]!.id;
    vacancyRows.push({
      id,
      title: 'Fachkraft (Bench)',
      referenceNumber: `JB-B-${String(i + 1).padStart(6, '0')}`,
      branchId,
      placementOrder: true,
      assignedCaseworkerId: caseworkerId,
      createdAt: startedAt,
      updatedAt: startedAt,
    });
    const due = dueTimes(startedAt, DEFAULT_SLA_RULES);
    const late = random.chance(0.07);
    const respondedAt = open
      ? null
      : new Date(startedAt.getTime() + (late ? random.int(49, 90) : random.int(1, 47)) * HOUR);
    const withdrawn = !open && random.chance(0.03);
    const reason = random.chance(0.6) ? 'proposal' : random.pick(ResponseReason.options);
    const sent = reason === 'proposal' ? random.int(1, 5) : 0;
    const invited = Math.min(sent, random.int(0, 2));
    const hired = invited > 0 && random.chance(0.4) ? 1 : 0;
    const answered = withdrawn ? null : respondedAt;
    const notApplicableAt = withdrawn ? new Date(startedAt.getTime() + 3 * HOUR) : null;
    const filledAt = hired ? new Date(startedAt.getTime() + random.int(7, 60) * DAY) : null;
    const seconds = (at: Date | null) => (at ? Math.round((at.getTime() - startedAt.getTime()) / 1000) : null);
    clockRows.push({
      vacancyId: id,
      branchId,
      caseworkerId,
      calendar: 'clock',
      startedAt,
      startedWeek: weekStart(startedAt),
      ...due,
      respondedAt: answered,
      responseReason: answered ? reason : null,
      notApplicableAt,
      notApplicableReason: withdrawn ? 'withdrawn' : null,
      outcome: clockOutcome({ dueAt: due.dueAt, respondedAt: answered, notApplicableAt }),
      responseSeconds: seconds(answered),
      proposalsSent: sent,
      proposalsInvited: invited,
      proposalsHired: hired,
      filledAt,
      fillSeconds: seconds(filledAt),
    });
    eventRows.push({ vacancyId: id, kind: 'started', dueAt: due.dueAt, at: startedAt });
    const until = withdrawn ? startedAt : (respondedAt ?? NOW);
    for (const [kind, at] of [
      ['reminder', due.reminderDueAt],
      ['escalation', due.escalationDueAt],
      ['breach', due.dueAt],
    ] as const) {
      if (at <= until) eventRows.push({ vacancyId: id, kind, dueAt: at, at });
    }
    if (withdrawn) {
      eventRows.push({ vacancyId: id, kind: 'not_applicable', dueAt: due.dueAt, at: startedAt, reason: 'withdrawn' });
    } else if (respondedAt) {
      eventRows.push({ vacancyId: id, kind: 'responded', dueAt: due.dueAt, at: respondedAt, reason });
    }
  };
  for (let i = 0; i < ORDERS; i++) {
    order(
      i,
      new Date(YEAR_AGO.getTime() + Math.floor((i / ORDERS) * (365 - 3) * DAY) + random.int(0, 8 * HOUR)),
      false,
    );
  }
  for (let i = 0; i < OPEN_ORDERS; i++) {
    order(ORDERS + i, new Date(NOW.getTime() - random.int(0, 47 * 60) * 60_000), true);
  }
  await bulkInsert(ctx.db, vacancies, vacancyRows);
  await bulkInsert(ctx.db, slaClocks, clockRows);
  await bulkInsert(ctx.db, slaEvents, eventRows);
  await ctx.db.execute(sql`analyze`);
}

/** The baseline: every event of the period read, states and figures computed per order in JS. */
async function naiveSummary(ctx: Ctx, from: Date, to: Date) {
  const result = await ctx.db.execute<Record<string, unknown>>(sql`
    select e.vacancy_id, e.kind, e.due_at, e.at, e.reason, v.branch_id, v.assigned_caseworker_id
    from sla_events e join vacancies v on v.id = e.vacancy_id
    where e.vacancy_id in (
      select vacancy_id from sla_events where kind = 'started' and at >= ${from.toISOString()}::timestamptz
        and at < ${to.toISOString()}::timestamptz)`);
  type Order = {
    startedAt: Date;
    dueAt: Date;
    respondedAt: Date | null;
    notApplicableAt: Date | null;
    branch: number;
  };
  const orders = new Map<string, Order>();
  for (const r of (result as unknown as { rows: Array<Record<string, unknown>> }).rows) {
    const id = r.vacancy_id as string;
    const o = orders.get(id) ?? {
      startedAt: new Date(0),
      dueAt: new Date(0),
      respondedAt: null,
      notApplicableAt: null,
      branch: Number(r.branch_id),
    };
    if (r.kind === 'started') {
      o.startedAt = new Date(r.at as string);
      o.dueAt = new Date(r.due_at as string);
    }
    if (r.kind === 'responded') o.respondedAt = new Date(r.at as string);
    if (r.kind === 'not_applicable') o.notApplicableAt = new Date(r.at as string);
    orders.set(id, o);
  }
  const counts: Partial<Record<SlaState, number>> = {};
  const hours: number[] = [];
  for (const o of orders.values()) {
    const dueAt = o.dueAt;
    const share = (s: number) => new Date(o.startedAt.getTime() + (dueAt.getTime() - o.startedAt.getTime()) * s);
    const state = stateOf({ ...o, reminderDueAt: share(0.5), escalationDueAt: share(40 / 48), dueAt }, NOW);
    counts[state] = (counts[state] ?? 0) + 1;
    if (o.respondedAt) hours.push((o.respondedAt.getTime() - o.startedAt.getTime()) / HOUR);
  }
  hours.sort((a, b) => a - b);
  return { orders: orders.size, counts, median: percentile(hours, 50), p90: percentile(hours, 90) };
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL;
  const database: Database = url ? await openPostgres(url, 4) : await openPglite(undefined);
  await database.migrate();
  const ctx: Ctx = { db: database.db, log: createLogger('silent'), now: () => NOW };
  const admin: Actor = { userId: deterministicUuid(93, 1), role: 'admin', branchId: null, employerId: null };
  try {
    let t0 = performance.now();
    await seed(ctx);
    const seedMs = Math.round(performance.now() - t0);

    const year = { from: YEAR_AGO.toISOString(), to: NOW.toISOString() };
    const check = await slaSummary({ ctx, actor: admin, input: { ...year, breachLimit: 0 } });
    const naive = await naiveSummary(ctx, YEAR_AGO, NOW);
    // Same answer both ways, or the comparison means nothing.
    const agree =
      check.total.orders === naive.orders &&
      check.total.counts.met === (naive.counts.met ?? 0) &&
      check.total.counts.met_late === (naive.counts.met_late ?? 0);

    const summary: Record<string, unknown> = {};
    for (const groupBy of [undefined, 'branch', 'caseworker', 'week'] as const) {
      await slaSummary({ ctx, actor: admin, input: { ...year, groupBy } });
      summary[groupBy ?? 'total'] = await time(RUNS, () =>
        slaSummary({ ctx, actor: admin, input: { ...year, groupBy } }),
      );
    }
    const oneBranch = await time(RUNS, () =>
      slaSummary({ ctx, actor: { ...admin, role: 'branch_lead', branchId: 3 }, input: year }),
    );
    const baseline = await time(BASELINE_RUNS, () => naiveSummary(ctx, YEAR_AGO, NOW));

    t0 = performance.now();
    const pending = await pendingMilestones(ctx);
    const pendingMs = Math.round((performance.now() - t0) * 100) / 100;
    const rearmDb = await time(10, () => pendingMilestones(ctx));

    console.log(
      JSON.stringify({
        bench: 'sla',
        db: database.kind,
        node: process.version,
        cpus: os.cpus().length,
        orders: ORDERS,
        openOrders: OPEN_ORDERS,
        seedMs,
        summary: {
          ...summary,
          oneBranch,
          naiveBaselineMs: baseline,
          speedupP50: Math.round((baseline.p50 / (summary.total as { p50: number }).p50) * 10) / 10,
          agree,
          compliance: check.total.complianceRate,
          targetP95Ms: 50,
        },
        rearm: {
          pendingMilestones: pending.length,
          firstCallMs: pendingMs,
          pendingMilestonesMs: rearmDb,
          // TODO(queue wiring): time arming `pending` as delayed BullMQ jobs with milestoneJobId() after a restart
          // (Queue.addBulk against real Redis), the figure the issue targets at ≤ 5 s for 10,000 open orders.
          queueArmMs: null,
          targetMs: 5000,
        },
      }),
    );
  } finally {
    await database.close();
  }
}

await main();
