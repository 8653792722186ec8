/**
 * The SLA timers through the queues, on every queue backend (tests/helpers/queue-backends.ts): a silent placement
 * order goes through reminder, escalation and breach driven by delayed `sla-milestone` jobs that the reconciler arms
 * from the DB, each milestone once although it is armed on every pass and a job is delivered twice; a job that comes
 * early goes back to the delayed set instead of being lost; a restart of workers and queues, and a time when
 * everything was down, lose and double nothing; notifications go out through the queue over SMTP, each once. Then,
 * on a private redis-server: a `kill -9` of Redis (AOF on) and a Redis that lost everything.
 *
 * The clock is real here (BullMQ's delays are): the rules make the response time a few seconds, and orders that
 * should be overdue are submitted with a context whose clock stands days back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DelayedError } from 'bullmq';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatchService } from '../../matchers/service/match-service.ts';
import { openQueueBackend, type QueueBackend } from '../../queues/backend.ts';
import { createProcessors } from '../../queues/processors/registry.ts';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { type SlaRelayOptions, slaRelayOnce, startRelays } from '../../queues/relays.ts';
import { type ProcessorRegistry, startWorkers } from '../../queues/workers.ts';
import type { Actor } from '../../src/audit/record.ts';
import { loadConfig } from '../../src/config.ts';
import type { Ctx } from '../../src/context.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { branches, notifications, slaClocks, tasks, users } from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { createLogger } from '../../src/logging.ts';
import { messageIdOf } from '../../src/notifications/deliver.ts';
import { smtpTransport } from '../../src/notifications/smtp.ts';
import type { MailTransport } from '../../src/notifications/transport.ts';
import { submitOrder } from '../../src/orders/submit.ts';
import { type MilestoneKind, milestoneEvents, milestoneJobId, pendingMilestones } from '../../src/sla/milestones.ts';
import { type SlaRules, slaRules } from '../../src/sla/rules.ts';
import { addUser } from '../../src/users/add-user.ts';
import { type QueueTestSetup, testQueueBackends } from '../helpers/queue-backends.ts';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.ts';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.ts';

const log = createLogger('silent');
const HOUR = 3_600_000;
/** A response time of a few seconds: reminder at half of it, escalation at 40/48, breach at the end. */
const seconds = (s: number): SlaRules => slaRules({ responseHours: s / 3600 });
/** Leeway for a job to run after its due time on two shared cores. */
const ON_TIME_MS = 1_500;

const ORDER = {
  title: 'Spüler / Spülerin (m/w/d)',
  description: 'Kantine Muster GmbH (Test) sucht Verstärkung an der Spülstraße. Hygieneschulung erforderlich.',
  plz: '70173',
  working_times: ['vollzeit'],
  contract_type: 'unbefristet',
  placement_order: true,
};

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface World {
  ctx: Ctx;
  employer: Actor;
  caseworker: string;
  lead: string;
}

/** One branch with an employer-service caseworker and a lead, one employer user; through the verbs. */
async function setupWorld(database: Database): Promise<World> {
  const ctx: Ctx = { db: database.db, log, now: () => new Date() };
  await ctx.db
    .insert(branches)
    .values({ id: 1, name: 'Zweigstelle Mitte (Test)', plz: '70173', catchmentPlz: ['70173'] });
  const { userId: admin } = await addUser({ ctx, input: { email: 'admin@sla.invalid', role: 'admin' } });
  const { userId: caseworker } = await addUser({
    ctx,
    input: { email: 'ag-pap@sla.invalid', role: 'caseworker', branchId: 1 },
  });
  await ctx.db.update(users).set({ employerService: true }).where(eq(users.id, caseworker));
  const { userId: lead } = await addUser({
    ctx,
    input: { email: 'leitung@sla.invalid', role: 'branch_lead', branchId: 1 },
  });
  const invited = await inviteEmployerUser({
    ctx,
    actor: { userId: admin, role: 'admin', branchId: null, employerId: null },
    input: { email: 'personal@sla.invalid', employer: { name: 'Muster GmbH (Test)', plz: '70173' } },
  });
  const employer: Actor = {
    userId: invited.userId,
    role: 'employer',
    branchId: null,
    employerId: invited.employerId,
  };
  return { ctx, employer, caseworker, lead };
}

/** Submits a placement order under these rules, at `at` (default now). */
async function order(w: World, rules: SlaRules, at?: Date) {
  const ctx: Ctx = { ...w.ctx, slaRules: rules, now: at ? () => at : w.ctx.now };
  return (await submitOrder({ ctx, actor: w.employer, input: ORDER })).vacancyId;
}

async function clockOf(ctx: Ctx, vacancyId: string) {
  const [clock] = await ctx.db.select().from(slaClocks).where(eq(slaClocks.vacancyId, vacancyId));
  return { reminder: clock!.reminderDueAt, escalation: clock!.escalationDueAt, breach: clock!.dueAt };
}

/** The milestones recorded for an order, once all three are in. */
async function firedMilestones(ctx: Ctx, vacancyId: string, timeoutMs = 20_000) {
  return until(
    'three milestones',
    async () => {
      const events = (await milestoneEvents(ctx, vacancyId)).filter((e) => e.kind !== 'started');
      return events.length >= 3 ? events : undefined;
    },
    timeoutMs,
  );
}

/** Each milestone once, recorded with the clock's due time. */
async function expectEachOnce(ctx: Ctx, vacancyId: string) {
  const events = await firedMilestones(ctx, vacancyId);
  // A second firing would come within moments; wait for it before counting.
  await sleep(500);
  const again = (await milestoneEvents(ctx, vacancyId)).filter((e) => e.kind !== 'started');
  expect(again).toHaveLength(3);
  const due = await clockOf(ctx, vacancyId);
  expect(Object.fromEntries(events.map((e) => [e.kind, e.dueAt?.getTime()]))).toEqual({
    reminder: due.reminder.getTime(),
    escalation: due.escalation.getTime(),
    breach: due.breach.getTime(),
  });
  const taskRows = await ctx.db.select({ kind: tasks.kind }).from(tasks).where(eq(tasks.vacancyId, vacancyId));
  expect(taskRows.map((t) => t.kind).sort()).toEqual(['sla_breach', 'sla_escalation', 'sla_reminder']);
  expect(await pendingFor(ctx, vacancyId)).toEqual([]);
  return events;
}

async function pendingFor(ctx: Ctx, vacancyId: string) {
  return (await pendingMilestones(ctx)).filter((m) => m.vacancyId === vacancyId);
}

interface Run {
  jobId: string | undefined;
  outcome: 'done' | 'skipped' | 'not_due';
  reason?: unknown;
}

/** Workers with the real processors, the milestone processor counted; relays unless asked otherwise. */
async function startStack(
  backend: QueueBackend,
  ctx: Ctx,
  options: { relays?: boolean; mail?: MailTransport; sla?: SlaRelayOptions } = {},
) {
  const queues = createQueues(backend, log);
  const processors = createProcessors({
    config: loadConfig({}),
    ctx,
    queues,
    indexFollower: undefined,
    matchService: await MatchService.load(ctx),
    mail: options.mail,
    log,
  });
  const runs: Run[] = [];
  const counted: ProcessorRegistry = {
    ...processors,
    async 'sla-milestone'(payload, job, token) {
      try {
        const outcome = await processors['sla-milestone'](payload, job, token);
        runs.push({ jobId: job.id, outcome: outcome.status, reason: outcome.detail?.reason });
        return outcome;
      } catch (err) {
        if (err instanceof DelayedError) runs.push({ jobId: job.id, outcome: 'not_due' });
        throw err;
      }
    },
  };
  const workers = startWorkers({ backend, processors: counted, log });
  const relays =
    options.relays === false
      ? undefined
      : startRelays({
          ctx,
          queues,
          log,
          intervalMs: 300,
          sla: {
            intervalMs: 250,
            horizonMs: 60_000,
            deliverNotifications: options.mail !== undefined,
            everyMs: { 'deliver-notifications': 200 },
            ...options.sla,
          },
        });
  return {
    queues,
    runs,
    async stop() {
      await relays?.stop();
      await workers.close();
      await queues.close();
    },
  };
}

const armed = async (queues: Queues, vacancyId: string, kind: MilestoneKind) =>
  (await queues.byName.sla.getJob(milestoneJobId({ vacancyId, kind }))) ?? undefined;

describe.each(testQueueBackends())('SLA timers through the $name queue backend', (backendUnderTest) => {
  let setup: QueueTestSetup;
  let w: World;
  let smtp: TestSmtpServer;
  let mail: MailTransport;

  beforeAll(async () => {
    setup = await backendUnderTest.open();
    w = await setupWorld(setup.database);
    smtp = await startSmtpServer();
    mail = smtpTransport({ url: smtp.url, from: '"Jobcenter (Test)" <noreply@sla.invalid>' });
  });
  afterAll(async () => {
    await mail?.close?.();
    await smtp?.close();
    await setup?.close();
  });

  it('takes a silent order through reminder, escalation and breach on time, each once, and mails each once', async () => {
    const stack = await startStack(setup.backend, w.ctx, { mail });
    try {
      const id = await order(w, seconds(3));
      const due = await clockOf(w.ctx, id);
      // The reconciler arms the milestones due within its horizon as delayed jobs, on every pass.
      await until('the reminder armed', () => armed(stack.queues, id, 'reminder'));
      // A second delivery of the reminder's job (as after a stalled worker), under another id.
      await stack.queues.byName.sla.add(
        'sla-milestone',
        { vacancyId: id, kind: 'reminder' },
        { jobId: `duplicate_${id}`, delay: Math.max(0, due.reminder.getTime() - Date.now()) + 300 },
      );

      const events = await expectEachOnce(w.ctx, id);
      for (const e of events) {
        expect(e.at.getTime() - e.dueAt!.getTime()).toBeGreaterThanOrEqual(0);
        expect(e.at.getTime() - e.dueAt!.getTime()).toBeLessThan(ON_TIME_MS);
      }
      const ofOrder = stack.runs.filter((r) => r.jobId?.includes(id));
      expect(ofOrder.filter((r) => r.outcome === 'done').map((r) => r.jobId)).toEqual([
        milestoneJobId({ vacancyId: id, kind: 'reminder' }),
        milestoneJobId({ vacancyId: id, kind: 'escalation' }),
        milestoneJobId({ vacancyId: id, kind: 'breach' }),
      ]);
      // The duplicate found the reminder fired. So may a job that a pass re-armed after reading the milestones just
      // before one fired.
      expect(ofOrder.filter((r) => r.outcome !== 'done')).toContainEqual({
        jobId: `duplicate_${id}`,
        outcome: 'skipped',
        reason: 'already_fired',
      });
      expect(ofOrder.filter((r) => r.outcome !== 'done' && r.reason !== 'already_fired')).toEqual([]);
      // Finished jobs are removed, so their ids never block a later re-arm.
      for (const kind of ['reminder', 'escalation', 'breach'] as const) {
        expect(await armed(stack.queues, id, kind)).toBeUndefined();
      }

      // Confirmation, reminder, escalation and breach: each sent once, by the delivery job scheduler.
      const rows = await until('every notification sent', async () => {
        const all = await w.ctx.db.select().from(notifications).where(eq(notifications.vacancyId, id));
        return all.length === 4 && all.every((n) => n.status === 'sent') ? all : undefined;
      });
      await sleep(600);
      const mailed = smtp.received
        .map((m) => ({ ...m, raw: m.raw.replace(/\r\n[ \t]+/g, ' ') }))
        .filter((m) => rows.some((n) => m.raw.includes(messageIdOf(n.id))));
      expect(mailed).toHaveLength(4);
      expect(rows.map((n) => n.template).sort()).toEqual([
        'order_confirmation',
        'sla_breach',
        'sla_escalation',
        'sla_reminder',
      ]);
      const to = (template: string) =>
        mailed.find((m) => m.raw.includes(messageIdOf(rows.find((n) => n.template === template)!.id)))?.to;
      expect(to('order_confirmation')).toEqual(['personal@sla.invalid']);
      expect(to('sla_reminder')).toEqual(['ag-pap@sla.invalid']);
      expect(to('sla_breach')).toEqual(['leitung@sla.invalid']);

      // The periodic jobs run as job schedulers, re-applied by the reconciler.
      expect((await stack.queues.byName.sla.getJobSchedulers()).map((s) => s.key).sort()).toEqual([
        'purge-idempotency-keys',
        'reaction-reminders',
      ]);
      expect((await stack.queues.byName.notifications.getJobSchedulers()).map((s) => s.key)).toEqual([
        'deliver-notifications',
      ]);
    } finally {
      await stack.stop();
    }
  });

  it('sends a job that came early back to the delayed set, where a re-arm leaves it, and fires it once when due', async () => {
    const stack = await startStack(setup.backend, w.ctx, { relays: false });
    try {
      const id = await order(w, seconds(4));
      const due = await clockOf(w.ctx, id);
      // A producer whose clock runs 2 s ahead arms the reminder for "now": the job runs before the reminder is due.
      await stack.queues.armMilestones(
        [{ vacancyId: id, kind: 'reminder', dueAt: due.reminder }],
        new Date(due.reminder),
      );
      await until('the early run', async () => (stack.runs.some((r) => r.jobId?.includes(id)) ? true : undefined));
      // Back in the delayed set under its id, where the reconciler's re-arm leaves it.
      expect(await (await armed(stack.queues, id, 'reminder'))?.getState()).toBe('delayed');
      await slaRelayOnce(w.ctx, stack.queues, { horizonMs: 60_000 });

      const [reminder] = await until('the reminder', async () => {
        const events = (await milestoneEvents(w.ctx, id)).filter((e) => e.kind === 'reminder');
        return events.length > 0 ? events : undefined;
      });
      expect(reminder!.at.getTime()).toBeGreaterThanOrEqual(due.reminder.getTime());
      expect(reminder!.at.getTime() - due.reminder.getTime()).toBeLessThan(ON_TIME_MS);
      await sleep(300);
      const reminderJob = milestoneJobId({ vacancyId: id, kind: 'reminder' });
      expect(stack.runs.filter((r) => r.jobId === reminderJob).map((r) => r.outcome)).toEqual(['not_due', 'done']);
      await expectEachOnce(w.ctx, id);
    } finally {
      await stack.stop();
    }
  });

  it('loses and doubles nothing when workers and queues close before the milestones are due and open anew after', async () => {
    const first = await startStack(setup.backend, w.ctx);
    const id = await order(w, seconds(3));
    try {
      await until('the breach armed', () => armed(first.queues, id, 'breach'));
    } finally {
      await first.stop();
    }
    const due = await clockOf(w.ctx, id);
    // Down until all three are overdue.
    await sleep(Math.max(0, due.breach.getTime() - Date.now()) + 500);
    expect(await pendingFor(w.ctx, id)).toHaveLength(3);

    const restarted = Date.now();
    const second = await startStack(setup.backend, w.ctx);
    try {
      const events = await expectEachOnce(w.ctx, id);
      for (const e of events) expect(e.at.getTime() - restarted).toBeLessThan(ON_TIME_MS + 1_000);
      // What was armed before the restart and what the reconciler armed again are one job each. A pass that read the
      // milestones just before one fired may arm it again after its job was removed: that job finds it fired.
      const ofOrder = second.runs.filter((r) => r.jobId?.includes(id));
      expect(ofOrder.filter((r) => r.outcome === 'done')).toHaveLength(3);
      expect(ofOrder.filter((r) => r.outcome !== 'done' && r.reason !== 'already_fired')).toEqual([]);
    } finally {
      await second.stop();
    }
  });

  it('fires what fell due while everything was down at once, recording the original due times', async () => {
    // Received three days ago, under the 48-hour rule: every milestone is long overdue, and nothing was armed.
    const receivedAt = new Date(Date.now() - 72 * HOUR);
    const id = await order(w, slaRules(), receivedAt);
    const restarted = Date.now();
    const stack = await startStack(setup.backend, w.ctx);
    try {
      const events = await expectEachOnce(w.ctx, id);
      expect(events.map((e) => [e.kind, e.dueAt!.getTime() - receivedAt.getTime()]).sort()).toEqual([
        ['breach', 48 * HOUR],
        ['escalation', 40 * HOUR],
        ['reminder', 24 * HOUR],
      ]);
      for (const e of events) expect(e.at.getTime() - restarted).toBeLessThan(ON_TIME_MS + 1_000);
    } finally {
      await stack.stop();
    }
  });
});

describe('SLA timers on a private Redis that is killed, and one that lost everything', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-sla-redis-'));
  let redis: RedisServerHandle;
  let database: Database;
  let backend: QueueBackend;
  let w: World;

  beforeAll(async () => {
    redis = await startRedisServer({ dir, appendOnly: true });
    database = await openPglite(undefined);
    await database.migrate();
    backend = await openQueueBackend({ kind: 'redis', url: redis.url }, { log, prefix: 'sla-restart' });
    w = await setupWorld(database);
  });
  afterAll(async () => {
    await backend?.close();
    await database?.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every milestone once through a kill -9 of Redis with AOF', async () => {
    const stack = await startStack(backend, w.ctx);
    try {
      const id = await order(w, seconds(8));
      await until('the breach armed', () => armed(stack.queues, id, 'breach'));
      // AOF writes once a second.
      await sleep(1_200);
      redis.process.kill('SIGKILL');
      await sleep(1_000);
      redis = await startRedisServer({ dir, appendOnly: true, port: redis.port });
      await expectEachOnce(w.ctx, id);
      // A job whose completion Redis did not take may run again; the DB lets it fire once.
      const ofOrder = stack.runs.filter((r) => r.jobId?.includes(id));
      expect(ofOrder.filter((r) => r.outcome === 'done')).toHaveLength(3);
      expect(ofOrder.filter((r) => r.outcome !== 'done' && r.reason !== 'already_fired')).toEqual([]);
    } finally {
      await stack.stop();
    }
  });

  it('re-arms milestones and re-applies the schedulers after Redis lost everything', async () => {
    const stack = await startStack(backend, w.ctx, { sla: { intervalMs: 400 } });
    try {
      const id = await order(w, seconds(4));
      await until('the breach armed', () => armed(stack.queues, id, 'breach'));
      await until('the schedulers', async () =>
        (await stack.queues.byName.sla.getJobSchedulers()).length === 2 ? true : undefined,
      );
      // What a Redis without persistence looks like after a restart.
      await (backend.connection as { flushall(): Promise<unknown> }).flushall();
      await until('the schedulers re-applied', async () =>
        (await stack.queues.byName.sla.getJobSchedulers()).length === 2 ? true : undefined,
      );
      const events = await expectEachOnce(w.ctx, id);
      const due = await clockOf(w.ctx, id);
      expect(events.find((e) => e.kind === 'reminder')!.at.getTime() - due.reminder.getTime()).toBeLessThan(ON_TIME_MS);
    } finally {
      await stack.stop();
    }
  });
});
