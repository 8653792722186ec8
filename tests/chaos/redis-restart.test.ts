/**
 * Redis killed with SIGKILL and started again from its AOF (appendfsync everysec, as a Redis for the queues should
 * run), under a real `jobbruecke start` on the embedded database: in the middle of a crawl, in the middle of ingest,
 * and while SLA timers wait in Redis as delayed jobs (orders also come in while Redis is down). Once the service has
 * drained, everything the service acknowledged is stored exactly once: postings as vacancies, milestones with their
 * tasks and notifications, and each notification e-mailed once. Each scenario prints its counts
 * (tests/helpers/chaos.ts); the database is read after the service stopped, since it holds the embedded database.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, inArray, isNotNull, like, sql } from 'drizzle-orm';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ctx } from '../../src/context.ts';
import type { Db } from '../../src/db/client.ts';
import {
  branches,
  crawlRuns,
  ingestBatches,
  notifications,
  slaEvents,
  sources,
  tasks,
  users,
  vacancies,
  vacancySources,
} from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { createLogger } from '../../src/logging.ts';
import { addUser } from '../../src/users/add-user.ts';
import { type ChaosCounts, metricValue, reportCounts, waitFor, withEmbeddedDatabase } from '../helpers/chaos.ts';
import { cliRunBudget, measureCliStart, runCli } from '../helpers/cli.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-chaos-redis-'));
const dataDir = join(dir, 'data');
const redisDir = join(dir, 'redis');
const PREFIX = 'chaos:redis';
/** How long a service process on a busy machine may take to build its indexes and answer /health. */
const START_MS = 180_000;
/** How long the pipeline may take to drain after Redis is back. */
const DRAIN_MS = 240_000;

const CRAWL_POSTINGS = 1_200;
/** Eight ingest batches of 500: ingest is still running after the first. */
const INGEST_POSTINGS = 4_000;
/** Orders before the kill (their milestones armed in Redis) and while Redis is down. */
const ORDERS_BEFORE = 8;
const ORDERS_DURING = 4;
/** The response time, in hours: 90 s, so reminder (45 s), escalation (75 s) and breach fall due during the test. */
const SLA_RESPONSE_HOURS = '0.025';

const ORDER = {
  title: 'Spüler / Spülerin (m/w/d)',
  description: 'Kantine Muster GmbH (Test) sucht Verstärkung an der Spülstraße. Hygieneschulung erforderlich.',
  plz: '70173',
  working_times: ['vollzeit'],
  contract_type: 'unbefristet',
  placement_order: true,
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** How long one CLI run takes on this machine now, for the budget of the forwarded `crawl` (tests/helpers/cli.ts). */
const CLI_START_MS = measureCliStart();

let redis: RedisServerHandle;
let service: ServiceProcess;
let crawlBoard: JobFeedServer;
let ingestBoard: JobFeedServer;
let smtp: TestSmtpServer;
let env: Record<string, string>;
const world = { crawlSource: '', ingestSource: '', employerToken: '', caseworkerToken: '', leadToken: '' };

/** SIGKILL, `downMs` without Redis, then a new redis-server on the same port and directory, loading its AOF. */
async function killRedis(downMs: number, whileDown: () => Promise<void> = async () => {}): Promise<void> {
  const exited = new Promise((r) => redis.process.once('exit', r));
  redis.process.kill('SIGKILL');
  await exited;
  const until = Date.now() + downMs;
  await whileDown();
  await sleep(until - Date.now());
  redis = await startRedisServer({ dir: redisDir, port: redis.port });
}

/** Asks this test's own connection, not the service's. */
async function withRedis<T>(use: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1, lazyConnect: true });
  client.on('error', () => {});
  try {
    await client.connect();
    return await use(client);
  } finally {
    client.disconnect();
  }
}

async function get(path: string, token?: string) {
  const res = await fetch(`${service.baseUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  if (!res.ok) throw new Error(`${path}: ${res.status}`);
  return res;
}

async function searchTotal(): Promise<number> {
  return ((await (await get('/api/v1/vacancies?per_page=1')).json()) as { total: number }).total;
}

/** What was seen last while waiting for the pipeline to drain, for the timeout's message. */
let lastSeen = '';

/**
 * True once the index holds `expected` vacancies and no crawl or ingest work is left: no batch pending in the DB,
 * no crawl or ingest job waiting or running (a crawl job delayed is a scheduler's next run).
 */
async function drained(expected: number): Promise<true | undefined> {
  const metrics = await (await get('/metrics')).text();
  const jobs = (queue: string, states: string[]) =>
    states.reduce((sum, state) => sum + metricValue(metrics, 'jobbruecke_queue_jobs', { queue, state }), 0);
  const seen = {
    indexed: await searchTotal(),
    pendingBatches: metricValue(metrics, 'jobbruecke_ingest_pending_batches'),
    crawlJobs: jobs('crawl', ['waiting', 'active', 'prioritized']),
    ingestJobs: jobs('ingest', ['waiting', 'active', 'delayed', 'prioritized']),
  };
  lastSeen = JSON.stringify(seen);
  const idle = seen.pendingBatches === 0 && seen.crawlJobs === 0 && seen.ingestJobs === 0;
  return seen.indexed === expected && idle ? true : undefined;
}

/** Lines of the service's log for finished ingest jobs (LOG_LEVEL debug). */
function ingestJobsFinished(): number {
  return (service.output().match(/"queue":"ingest","job":"ingest".*"msg":"job finished"/g) ?? []).length;
}

/** Two boards, one branch with its employer service and lead, one employer: written before the service starts. */
async function seed(db: Db): Promise<void> {
  const ctx: Ctx = { db, log: createLogger('silent'), now: () => new Date() };
  const [crawl, ingest] = await db
    .insert(sources)
    .values([
      { name: 'Testbörse Crawl', type: 'feed', url: crawlBoard.feedUrl, legalBasis: 'Testaufbau', everyMinutes: 1440 },
      {
        name: 'Testbörse Ingest',
        type: 'feed',
        url: ingestBoard.feedUrl,
        legalBasis: 'Testaufbau',
        everyMinutes: 1440,
      },
    ])
    .returning({ id: sources.id });
  world.crawlSource = crawl!.id;
  world.ingestSource = ingest!.id;
  await db.insert(branches).values({ id: 1, name: 'Zweigstelle Mitte (Test)', plz: '70173', catchmentPlz: ['70173'] });
  const admin = await addUser({ ctx, input: { email: 'admin@chaos.invalid', role: 'admin' } });
  const caseworker = await addUser({
    ctx,
    input: { email: 'ag-pap@chaos.invalid', role: 'caseworker', branchId: 1 },
  });
  await db.update(users).set({ employerService: true }).where(eq(users.id, caseworker.userId));
  const lead = await addUser({ ctx, input: { email: 'leitung@chaos.invalid', role: 'branch_lead', branchId: 1 } });
  const employer = await inviteEmployerUser({
    ctx,
    actor: { userId: admin.userId, role: 'admin', branchId: null, employerId: null },
    input: { email: 'personal@chaos.invalid', employer: { name: 'Muster GmbH (Test)', plz: '70173' } },
  });
  world.employerToken = employer.token;
  world.caseworkerToken = caseworker.token;
  world.leadToken = lead.token;
}

beforeAll(async () => {
  redis = await startRedisServer({ dir: redisDir });
  // The crawl board sends its feed over 10 s, so Redis can be killed while the crawl reads it. The ingest board is
  // empty until its scenario.
  crawlBoard = await startJobFeedServer({ count: CRAWL_POSTINGS, streamMs: 10_000 });
  ingestBoard = await startJobFeedServer({ count: INGEST_POSTINGS });
  ingestBoard.setItems([]);
  smtp = await startSmtpServer();
  await withEmbeddedDatabase(dataDir, seed);
  env = {
    DATA_DIR: dataDir,
    DEMO_DATA: 'off',
    REDIS_URL: redis.url,
    QUEUE_PREFIX: PREFIX,
    CRAWL_ALLOWED_PRIVATE_HOSTS: [crawlBoard.origin, ingestBoard.origin].map((o) => new URL(o).host).join(','),
    SLA_RESPONSE_HOURS,
    SMTP_URL: smtp.url,
    SMTP_FROM: '"Jobcenter (Test)" <noreply@chaos.invalid>',
    LOG_LEVEL: 'debug',
  };
  service = await startService(env);
});

afterAll(async () => {
  await service?.stop('SIGKILL');
  await redis?.stop();
  await crawlBoard?.close();
  await ingestBoard?.close();
  await smtp?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.sequential('Redis kill -9 and restart from its AOF under a running service', () => {
  it('during a crawl: the crawl completes while Redis is down, and its postings arrive once Redis is back', async () => {
    // The relay installs the source's job scheduler at start, whose first run starts the crawl.
    await within(crawlBoard.feedRequested, START_MS, 'the crawl to start reading the board');
    await sleep(2_000);
    // Down for longer than the rest of the feed takes: the crawl stages its postings while Redis is gone.
    await killRedis(12_000);
    await service.waitForHealthy(START_MS);
    await waitFor(
      () => `the crawled postings in the index (last seen ${lastSeen})`,
      () => drained(CRAWL_POSTINGS),
      DRAIN_MS,
    );
  });

  it('during ingest: the batches left in Redis or lost with it are all ingested once Redis is back', async () => {
    const before = ingestJobsFinished();
    ingestBoard.setItems(Array.from({ length: INGEST_POSTINGS }, (_, i) => 10_000 + i));
    const queued = await runCli(
      ['crawl', '--source', world.ingestSource],
      { ...env, PORT: String(service.port) },
      cliRunBudget(CLI_START_MS),
    );
    expect(queued.code, queued.stderr).toBe(0);
    // Killed once the first batch is in and seven are still to come.
    await waitFor(
      'the first ingest job of the crawl',
      async () => (ingestJobsFinished() > before ? true : undefined),
      DRAIN_MS,
    );
    const inBeforeKill = ingestJobsFinished() - before;
    await killRedis(8_000);
    await waitFor(
      () => `every posting in the index (last seen ${lastSeen})`,
      () => drained(CRAWL_POSTINGS + INGEST_POSTINGS),
      DRAIN_MS,
    );
    console.log(`[chaos] ingest jobs finished before the kill: ${inBeforeKill} of ${INGEST_POSTINGS / 500}`);
  });

  it('while SLA timers are pending: every milestone fires once, and orders taken while Redis was down too', async () => {
    const submitted: Array<{ status: number }> = [];
    const submit = async (n: number, tag: string) => {
      for (let i = 0; i < n; i++) {
        const res = await fetch(`${service.baseUrl}/api/v1/employer/vacancies`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${world.employerToken}`,
            'content-type': 'application/json',
            'idempotency-key': `chaos-${tag}-${i}`,
          },
          body: JSON.stringify(ORDER),
        });
        submitted.push({ status: res.status });
      }
    };
    await submit(ORDERS_BEFORE, 'before');
    // The reconciler arms milestones due within ten minutes, on its pass every minute: wait for the breaches.
    await waitFor(
      'the milestones armed in Redis',
      () => withRedis(async (r) => ((await r.zcard(`${PREFIX}:sla:delayed`)) >= ORDERS_BEFORE ? true : undefined)),
      DRAIN_MS,
    );
    // Down for 20 s: escalations fall due meanwhile, and orders keep coming in (they need only the database).
    await killRedis(20_000, () => submit(ORDERS_DURING, 'during'));
    expect(submitted.map((s) => s.status)).toEqual(Array(ORDERS_BEFORE + ORDERS_DURING).fill(201));

    const orders = ORDERS_BEFORE + ORDERS_DURING;
    const inbox = async (token: string, templates: string[]) => {
      const body = (await (await get('/api/v1/notifications?limit=200', token)).json()) as {
        items: Array<{ template: string; delivery: string }>;
      };
      return body.items.filter((n) => templates.includes(n.template));
    };
    const allDelivered = async () => {
      const reminders = await inbox(world.caseworkerToken, ['sla_reminder']);
      const escalations = await inbox(world.leadToken, ['sla_escalation', 'sla_breach']);
      const all = [...reminders, ...escalations];
      return all.length >= 3 * orders && all.every((n) => n.delivery === 'sent') ? true : undefined;
    };
    await waitFor('every milestone fired and e-mailed', allDelivered, DRAIN_MS);
  });

  it('once drained, loses and doubles nothing the service acknowledged', async () => {
    // A second firing or a second delivery would come within moments: wait for it before counting.
    await sleep(15_000);
    const code = await service.stop('SIGTERM');
    expect(code, service.output().slice(-3000)).toBe(0);
    await withEmbeddedDatabase(dataDir, async (db) => {
      const crawl = await postingCounts(db, world.crawlSource, CRAWL_POSTINGS);
      reportCounts('redis kill -9 during a crawl: postings', crawl);
      const ingest = await postingCounts(db, world.ingestSource, INGEST_POSTINGS);
      reportCounts('redis kill -9 during ingest: postings', ingest);
      const milestones = await milestoneCounts(db, ORDERS_BEFORE + ORDERS_DURING);
      reportCounts('redis kill -9 with SLA timers pending: milestones', milestones);
      const mail = await mailCounts(db);
      reportCounts('redis kill -9 with SLA timers pending: notifications e-mailed', mail);
      for (const counts of [crawl, ingest, milestones, mail]) {
        expect(counts).toMatchObject({ duplicated: 0, lost: 0, stored: counts.acknowledged });
      }
      expect(await db.$count(ingestBatches, sql`${ingestBatches.processedAt} is null`)).toBe(0);
    });
  });
});

/**
 * A source's postings: acknowledged are those a crawl run committed to the DB (its `fetched`, staged as ingest
 * batches in the run's transaction), stored the distinct postings linked to a vacancy; a posting linked twice, or
 * a vacancy more or less than postings, counts as duplicated.
 */
async function postingCounts(db: Db, sourceId: string, sent: number): Promise<ChaosCounts> {
  const [runs] = await db
    .select({ fetched: sql<number>`coalesce(max((${crawlRuns.stats}->>'fetched')::int), 0)::int` })
    .from(crawlRuns)
    .where(and(eq(crawlRuns.sourceId, sourceId), isNotNull(crawlRuns.finishedAt)));
  const [links] = await db
    .select({
      rows: sql<number>`count(*)::int`,
      distinct: sql<number>`count(distinct ${vacancySources.externalId})::int`,
      vacancies: sql<number>`count(distinct ${vacancySources.vacancyId})::int`,
    })
    .from(vacancySources)
    .where(eq(vacancySources.sourceId, sourceId));
  const acknowledged = runs?.fetched ?? 0;
  const stored = links?.distinct ?? 0;
  return {
    sent,
    acknowledged,
    stored,
    duplicated: (links?.rows ?? 0) - stored + Math.abs((links?.vacancies ?? 0) - stored),
    lost: acknowledged - stored,
  };
}

/** Three milestones per acknowledged order; stored once each, with one task per milestone. */
async function milestoneCounts(db: Db, orders: number): Promise<ChaosCounts> {
  const orderIds = (await db.select({ id: vacancies.id }).from(vacancies).where(isNotNull(vacancies.employerId))).map(
    (v) => v.id,
  );
  const kinds = ['reminder', 'escalation', 'breach'] as const;
  const events = await db
    .select({ vacancyId: slaEvents.vacancyId, kind: slaEvents.kind })
    .from(slaEvents)
    .where(and(inArray(slaEvents.vacancyId, orderIds), inArray(slaEvents.kind, [...kinds])));
  const distinct = new Set(events.map((e) => `${e.vacancyId}:${e.kind}`)).size;
  const taskRows = await db.select({ id: tasks.id }).from(tasks).where(like(tasks.kind, 'sla_%'));
  const acknowledged = 3 * orderIds.length;
  expect(orderIds).toHaveLength(orders);
  return {
    sent: 3 * orders,
    acknowledged,
    stored: distinct,
    duplicated: events.length - distinct + Math.max(0, taskRows.length - distinct),
    lost: acknowledged - distinct + Math.max(0, distinct - taskRows.length),
  };
}

/** Every notification the DB marks sent reached the SMTP server exactly once. */
async function mailCounts(db: Db): Promise<ChaosCounts> {
  const rows = await db.select({ id: notifications.id, status: notifications.status }).from(notifications);
  const sentIds = rows.filter((r) => r.status === 'sent').map((r) => `<notification-${r.id}@`);
  const received = smtp.received.map((m) => m.messageId);
  const distinct = new Set(received);
  const delivered = sentIds.filter((prefix) => [...distinct].some((id) => id.startsWith(prefix))).length;
  return {
    sent: rows.length,
    acknowledged: sentIds.length,
    stored: delivered,
    duplicated: received.length - distinct.size,
    lost: sentIds.length - delivered,
  };
}
