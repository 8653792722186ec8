/**
 * SLA benchmark on synthetic data (deterministic), with a baseline in the same run. Prints one JSON line.
 * Run: `npm run bench:sla`. Embedded PGlite by default; `BENCH_DATABASE_URL=postgres://…` runs it on a server.
 *
 * - summary: `slaSummary` over one year of history (50,000 placement orders, all groupings) against the naive way,
 *   reading every order's events and computing states and percentiles per order in JS.
 * - rearm: what a restart costs for 10,000 open orders: `pendingMilestones` (the DB side), then the queue side on the
 *   database's own queue backend (embedded, or PostgreSQL with BENCH_DATABASE_URL) and on a private redis-server
 *   (when `redis-server` is installed): the reconciler's pass at start, arming every pending milestone as a delayed
 *   job into an empty queue (what a Redis that lost everything needs, the ≤ 5 s target) and again into a full one
 *   (every id already armed), against the baseline of one `add` call per job.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { openQueueBackend, type QueueBackend } from '../queues/backend.ts';
import { createQueues } from '../queues/queues.ts';
import { slaRelayOnce } from '../queues/relays.ts';
import type { Actor } from '../src/audit/record.ts';
import type { Ctx } from '../src/context.ts';
import { bulkInsert } from '../src/db/bulk-insert.ts';
import { type Database, openPglite, openPostgres } from '../src/db/client.ts';
import { branches, slaClocks, slaEvents, users, vacancies } from '../src/db/schema.ts';
import { createRandom, deterministicUuid } from '../src/demo/random.ts';
import { createLogger } from '../src/logging.ts';
import { dueTimes, weekStart } from '../src/sla/calendar.ts';
import { milestoneJobId, type PendingMilestone, pendingMilestones } from '../src/sla/milestones.ts';
import { ResponseReason } from '../src/sla/reasons.ts';
import { DEFAULT_SLA_RULES } from '../src/sla/rules.ts';
import { clockOutcome, type SlaState, stateOf } from '../src/sla/state.ts';
import { slaSummary } from '../src/sla/summary.ts';
import { startRedisServer } from '../tests/helpers/redis-server.ts';

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

const ms = (t0: number) => Math.round(performance.now() - t0);

/**
 * The queue side of a restart on one backend. Each measurement starts from an empty `sla` queue (obliterated), as
 * after a Redis that lost its data; the embedded and PostgreSQL backends keep their jobs through a restart, so for
 * them the "again" figure (every id armed already) is what a restart costs.
 */
async function queueArm(backend: QueueBackend, ctx: Ctx, pending: PendingMilestone[]) {
  const queues = createQueues(backend, ctx.log);
  const sla = queues.byName.sla;
  const empty = () => sla.obliterate({ force: true });
  const queued = async () => {
    const counts = await sla.getJobCounts('delayed', 'waiting');
    return (counts.delayed ?? 0) + (counts.waiting ?? 0);
  };
  try {
    await empty();
    let t0 = performance.now();
    const { armed } = await slaRelayOnce(ctx, queues);
    const startPassMs = ms(t0);
    await empty();

    t0 = performance.now();
    await queues.armMilestones(pending, NOW);
    const allMs = ms(t0);
    const jobs = await queued();
    t0 = performance.now();
    await queues.armMilestones(pending, NOW);
    const allAgainMs = ms(t0);
    const jobsAfterAgain = await queued();
    await empty();

    t0 = performance.now();
    for (const m of pending) {
      await sla.add(
        'sla-milestone',
        { vacancyId: m.vacancyId, kind: m.kind },
        {
          jobId: milestoneJobId(m),
          delay: Math.max(0, m.dueAt.getTime() - NOW.getTime()),
          removeOnComplete: true,
          removeOnFail: true,
        },
      );
    }
    const oneByOneMs = ms(t0);
    const baselineJobs = await queued();
    await empty();
    return {
      backend: backend.kind,
      startPass: { armed, ms: startPassMs },
      armAll: { jobs, ms: allMs, again: { jobs: jobsAfterAgain, ms: allAgainMs } },
      baselineOneAddPerJob: { jobs: baselineJobs, ms: oneByOneMs },
      speedup: Math.round((oneByOneMs / Math.max(1, allMs)) * 10) / 10,
    };
  } finally {
    await queues.close();
    await backend.close();
  }
}

async function queueArmOnRedis(ctx: Ctx, pending: PendingMilestone[]) {
  const dir = mkdtempSync(join(os.tmpdir(), 'jobbruecke-bench-sla-redis-'));
  try {
    const redis = await startRedisServer({ dir });
    try {
      const backend = await openQueueBackend({ kind: 'redis', url: redis.url }, { log: ctx.log, prefix: 'bench' });
      return await queueArm(backend, ctx, pending);
    } finally {
      await redis.stop();
    }
  } catch (err) {
    return { backend: 'redis', skipped: (err as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
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
    const ownBackend = await openQueueBackend(url ? { kind: 'postgres', url } : { kind: 'embedded' }, {
      database,
      log: ctx.log,
    });
    const queueArms = [await queueArm(ownBackend, ctx, pending), await queueArmOnRedis(ctx, pending)];

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
          queueArm: queueArms,
          targetMs: 5000,
        },
      }),
    );
  } finally {
    await database.close();
  }
}

await main();
