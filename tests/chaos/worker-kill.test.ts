/**
 * Worker processes (`jobbruecke start --worker`) killed with SIGKILL in the middle of jobs whose duplicate would
 * hurt: e-mail delivery (killed while the SMTP server is receiving a message, before it accepted it), SLA milestones
 * (each records an event, a task and notifications) and ingest batches. After each kill the next worker starts and
 * takes over the stalled jobs; once everything has drained, every notification was delivered once (counted by
 * Message-ID at the SMTP server), every milestone recorded once with one task and one notification per recipient,
 * every posting is one vacancy. Runs on Redis queues (a private redis-server with AOF) and on the PostgreSQL queue
 * backend. Two worker processes share one database, which the embedded PGlite cannot be: skipped without a
 * PostgreSQL server (CI has one).
 *
 * One shortcut: a killed deliverer's claimed notifications are taken over when its lease (10 minutes) has passed;
 * the test moves their claim time back by the lease instead of waiting, which is what the passing time would do.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { submitOrder } from '../../src/orders/submit.ts';
import { addSource } from '../../src/sources/sources.ts';
import { reportCounts } from '../helpers/chaos.ts';
import { until } from '../helpers/chaos-embedded.ts';
import { createScenarioDatabase, type ScenarioDatabase } from '../helpers/chaos-postgres.ts';
import { testContext } from '../helpers/context.ts';
import { employerWorld, MINIMAL_ORDER } from '../helpers/employer-world.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';
import { startSmtpServer } from '../helpers/smtp-server.ts';

const postgresUrl = inject('postgresUrl');
const POSTINGS = 6_000;
const ORDERS = 120;
/** Reminder, escalation and breach: every clock started three days ago has all three due. */
const MILESTONES = ORDERS * 3;
/** Per order: its confirmation to the employer, the reminder to the caseworker, escalation and breach to the lead. */
const MESSAGES = ORDERS * 4;
/** The message during whose transfer the deliverer is killed. */
const KILL_AT_MESSAGE = 40;
/** notifications' lease (src/notifications/deliver.ts), passed by moving claims back instead of waiting. */
const LEASE = '10 minutes';
const WAIT_MS = 1_200_000;

/**
 * The test SMTP server, taking its time per message and able to act while a message is being received. `hold()`
 * keeps every message that arrives from being accepted until `refuseHeld()`, which refuses them: a kill meant for
 * other jobs then never lands between the server's acceptance and the deliverer recording it, the one window in which
 * SMTP delivery cannot be told apart from a message never sent (src/notifications/deliver.ts).
 */
async function startSmtp(onMessage: (n: number) => 'accept' | 'refuse') {
  let held: Array<() => void> | undefined;
  /**
   * Counts holds begun and ended. A message that arrived before a hold began, or while one was on, and is still in
   * its delay when the hold ends came from the killed sender: accepting it then would put it in exactly the window
   * the hold exists to avoid (it did once, as a duplicate Message-ID).
   */
  let holdChanges = 0;
  const refused = () => new Error('Verbindung abgebrochen');
  const server = await startSmtpServer(async (_message, n) => {
    const changesAtArrival = holdChanges;
    // Slow enough that a kill lands in a transfer, not between two.
    await new Promise((r) => setTimeout(r, 50));
    if (held) {
      const waiting = held;
      await new Promise<void>((release) => waiting.push(release));
      return refused();
    }
    if (holdChanges !== changesAtArrival) return refused();
    return onMessage(n) === 'refuse' ? refused() : 'accept';
  });
  return {
    url: server.url,
    close: server.close,
    /** Message-IDs of the accepted messages, in order. */
    get messageIds() {
      return server.received.map((m) => m.messageId);
    },
    hold: () => {
      held ??= [];
      holdChanges += 1;
    },
    refuseHeld: () => {
      for (const release of held ?? []) release();
      held = undefined;
      holdChanges += 1;
    },
  };
}

const backends = postgresUrl ? (['redis', 'postgres'] as const) : [];

describe.skipIf(!postgresUrl).each(backends)('worker SIGKILL mid-job, %s queues', (backend) => {
  let scenario: ScenarioDatabase;
  let board: JobFeedServer;
  let redis: RedisServerHandle | undefined;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let worker: ServiceProcess | undefined;
  let killedInTransfer = 0;
  const dirs = [mkdtempSync(join(tmpdir(), 'jobbruecke-chaos-worker-'))];

  const count = async (query: ReturnType<typeof sql>) => {
    const result = await scenario.database.db.execute<{ n: number }>(query);
    return Number((result as unknown as { rows: Array<{ n: number }> }).rows[0]?.n ?? 0);
  };

  beforeAll(async () => {
    scenario = await createScenarioDatabase(postgresUrl as string);
    board = await startJobFeedServer({ count: POSTINGS });
    if (backend === 'redis') {
      const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-chaos-worker-redis-'));
      dirs.push(dir);
      redis = await startRedisServer({ dir });
    }
    smtp = await startSmtp((n) => {
      if (n !== KILL_AT_MESSAGE || !worker) return 'accept';
      // The deliverer dies while the server holds the message unanswered: it was never accepted.
      worker.child.kill('SIGKILL');
      killedInTransfer += 1;
      return 'refuse';
    });

    // Orders submitted three days ago: their clocks have run out, so every milestone is overdue when a worker starts.
    const world = await employerWorld(scenario.database, new Date(Date.now() - 3 * 86_400_000));
    await world.search.close();
    const actor = {
      userId: world.userIds.employerA,
      role: 'employer' as const,
      branchId: null,
      employerId: world.employerIds.A,
    };
    for (let i = 0; i < ORDERS; i++) {
      await submitOrder({
        ctx: world.ctx,
        actor,
        input: { ...MINIMAL_ORDER, description: `${MINIMAL_ORDER.description} Auftrag ${i}.` },
      });
    }
    await addSource({
      ctx: testContext(scenario.database.db, new Date()),
      input: { type: 'feed', url: board.feedUrl, name: 'Testbörse (Chaos)' },
    });
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await smtp?.close();
    await board?.close();
    await redis?.stop();
    await scenario?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** Starts the next worker; `worker` names it from its spawn on, so the SMTP server's kill always hits the sender. */
  async function startWorker(): Promise<ServiceProcess> {
    worker = await startService(
      {
        DATABASE_URL: scenario.serviceUrl,
        ...(redis ? { REDIS_URL: redis.url } : {}),
        DATA_DIR: dirs[0] as string,
        DEMO_DATA: 'off',
        SMTP_URL: smtp.url,
        SMTP_FROM: '"Jobcenter (Chaos-Test)" <noreply@example.invalid>',
        CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(board.origin).host,
        LOG_LEVEL: 'info',
      },
      ['start', '--worker'],
    );
    await worker.waitForOutput(/workers started/, 300_000);
    return worker;
  }

  /** Messages the SMTP server accepted whose notification is not yet marked sent. */
  async function unrecorded(): Promise<number> {
    const sent = await scenario.database.db.execute<{ id: string }>(
      sql`select id from notifications where status = 'sent'`,
    );
    const recorded = new Set(
      (sent as unknown as { rows: Array<{ id: string }> }).rows.map((r) => `<notification-${r.id}@jobbruecke.invalid>`),
    );
    return smtp.messageIds.filter((id) => !recorded.has(id)).length;
  }

  /** A killed worker's claimed notifications, aged by the lease it can no longer renew. */
  async function passLease(): Promise<void> {
    await scenario.database.db.execute(
      sql`update notifications set claimed_at = claimed_at - ${LEASE}::interval where status = 'sending'`,
    );
  }

  it('loses and doubles no side effect when workers are killed mid-job', { timeout: 3_600_000 }, async () => {
    const kills: Record<'notifications' | 'milestones' | 'ingest', boolean> = {
      notifications: false,
      milestones: false,
      ingest: false,
    };
    await startWorker();
    // Each trigger kills the worker of the moment once, in whatever order the work reaches it; the next one starts.
    const deadline = Date.now() + WAIT_MS;
    while (!Object.values(kills).every(Boolean) && Date.now() < deadline) {
      const events = await count(sql`select count(*) as n from sla_events where kind <> 'started'`);
      const processed = await count(sql`select count(*) as n from ingest_batches where processed_at is not null`);
      const pending = await count(sql`select count(*) as n from ingest_batches where processed_at is null`);
      let kill: keyof typeof kills | undefined;
      if (killedInTransfer > 0 && !kills.notifications) kill = 'notifications';
      else if (!kills.milestones && events >= MILESTONES / 3 && events < MILESTONES) kill = 'milestones';
      else if (!kills.ingest && processed >= 2 && pending > 0) kill = 'ingest';
      if (kill) {
        kills[kill] = true;
        process.stdout.write(
          `[chaos] worker SIGKILL (${backend}) during ${kill}: milestones ${events}/${MILESTONES}, ` +
            `batches ${processed}/${processed + pending}, messages received ${smtp.messageIds.length}\n`,
        );
        if (kill !== 'notifications') {
          // No message between acceptance and its record when the deliverer dies with the other jobs.
          smtp.hold();
          await until(async () => (await unrecorded()) === 0, 120_000, 'every accepted message to be recorded as sent');
        }
        await worker?.stop('SIGKILL');
        smtp.refuseHeld();
        await passLease();
        await startWorker();
      }
      await new Promise((r) => setTimeout(r, 200));
    }

    await until(
      async () =>
        (await count(sql`select count(*) as n from ingest_batches where processed_at is null`)) === 0 &&
        (await count(sql`select count(*) as n from sla_events where kind <> 'started'`)) === MILESTONES &&
        (await count(sql`select count(*) as n from notifications where status <> 'sent'`)) === 0 &&
        smtp.messageIds.length >= MESSAGES,
      WAIT_MS,
      'every batch, milestone and notification to be done',
    );
    expect(await worker?.stop('SIGTERM', 60_000)).toBe(0);

    const notificationRows = await count(sql`select count(*) as n from notifications`);
    const delivered = new Set(smtp.messageIds);
    const rowIds = await scenario.database.db.execute<{ id: string }>(sql`select id from notifications`);
    const notReceived = (rowIds as unknown as { rows: Array<{ id: string }> }).rows.filter(
      (r) => !delivered.has(`<notification-${r.id}@jobbruecke.invalid>`),
    ).length;
    const mail = {
      sent: notificationRows,
      acknowledged: await count(sql`select count(*) as n from notifications where status = 'sent'`),
      stored: delivered.size,
      duplicated: smtp.messageIds.length - delivered.size,
      lost: notReceived,
    };
    reportCounts(`worker SIGKILL (${backend}): notifications`, mail);

    const events = await count(sql`select count(*) as n from sla_events where kind <> 'started'`);
    const milestoneDuplicates =
      (await count(sql`select coalesce(sum(n - 1), 0) as n from
          (select count(*) as n from sla_events group by vacancy_id, kind) x`)) +
      (await count(sql`select coalesce(sum(n - 1), 0) as n from
          (select count(*) as n from tasks where kind like 'sla_%' group by vacancy_id, kind) x`)) +
      (await count(sql`select coalesce(sum(n - 1), 0) as n from
          (select count(*) as n from notifications where template like 'sla_%'
            group by vacancy_id, template, recipient_user_id) x`));
    const milestones = {
      sent: MILESTONES,
      acknowledged: events,
      stored: await count(sql`select count(distinct (vacancy_id, kind)) as n from sla_events where kind <> 'started'`),
      duplicated: milestoneDuplicates,
      lost:
        MILESTONES -
        (await count(sql`select count(distinct (vacancy_id, kind)) as n from sla_events where kind <> 'started'`)),
    };
    reportCounts(`worker SIGKILL (${backend}): SLA milestones`, milestones);

    const feedVacancies = await count(sql`select count(distinct vacancy_id) as n from vacancy_sources
        where source_id = (select id from sources where name = 'Testbörse (Chaos)')`);
    const ingest = {
      sent: POSTINGS,
      acknowledged: POSTINGS,
      stored: feedVacancies,
      duplicated:
        (await count(sql`select coalesce(sum(n - 1), 0) as n from
            (select count(*) as n from vacancy_sources group by source_id, external_id) x`)) +
        (await count(sql`select count(*) as n from vacancies v
            where (select count(*) from vacancy_events e where e.vacancy_id = v.id and e.kind = 'opened') <> 1`)),
      lost: POSTINGS - feedVacancies,
    };
    reportCounts(`worker SIGKILL (${backend}): ingest`, ingest);

    expect(kills).toEqual({ notifications: true, milestones: true, ingest: true });
    expect(notificationRows).toBe(MESSAGES);
    expect(mail).toMatchObject({ acknowledged: MESSAGES, stored: MESSAGES, duplicated: 0, lost: 0 });
    expect(milestones).toMatchObject({ stored: MILESTONES, duplicated: 0, lost: 0 });
    expect(await count(sql`select count(*) as n from tasks where kind like 'sla_%'`)).toBe(MILESTONES);
    expect(ingest).toMatchObject({ stored: POSTINGS, duplicated: 0, lost: 0 });
  });
});
