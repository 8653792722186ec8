/**
 * Scale-out over real processes: two `jobbruecke start --api` and two `jobbruecke start --worker` on one PostgreSQL
 * database and one private Redis, configured as deploy/ configures them (secrets from files). A board with enough
 * postings for many ingest batches is crawled and employer orders come in through both APIs. The batches spread over
 * both workers, each is processed once and each posting becomes one vacancy; every order's three SLA milestones fire
 * once; both APIs answer the same data, and each API's embedded search index (Meilisearch is absent) follows the
 * outbox to the same position.
 *
 * The workers log every finished job at level debug (queues/workers.ts); that log tells which worker ran what.
 * Skipped without a PostgreSQL server.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Ctx } from '../../src/context.ts';
import type { Database } from '../../src/db/client.ts';
import { branches, ingestBatches, tasks, users, vacancies, vacancySources } from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { createLogger } from '../../src/logging.ts';
import { milestoneEvents } from '../../src/sla/milestones.ts';
import { addSource } from '../../src/sources/sources.ts';
import { addUser } from '../../src/users/add-user.ts';
import { runCli } from '../helpers/cli.ts';
import { openFreshPostgres } from '../helpers/databases.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';

const postgresUrl = inject('postgresUrl');

/** Eight ingest batches of 500 (src/vacancies/ingest): enough for both workers to take several. */
const POSTINGS = 4_000;
/** Every eighth posting of the board is for an Elektroniker (tests/helpers/job-feed-server.ts). */
const ELEKTRONIKER = POSTINGS / 8;
/** Placement orders, half through each API. */
const ORDERS = 6;
/** The response time: milestones at 20, 33 and 40 seconds after an order. */
const RESPONSE_SECONDS = 40;

const ORDER = {
  description: 'Kantine Muster GmbH (Test) sucht Verstärkung an der Spülstraße. Hygieneschulung erforderlich.',
  plz: '70173',
  working_times: ['vollzeit'],
  contract_type: 'unbefristet',
  placement_order: true,
};

const log = createLogger('silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(500);
  }
}

interface FinishedJob {
  queue: string;
  job: string;
  jobId: string;
  status: string;
}

/** The jobs a worker process logged as finished, from its JSON log lines. */
function finishedJobs(worker: ServiceProcess): FinishedJob[] {
  return worker
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes('"job finished"'))
    .map((line) => JSON.parse(line) as FinishedJob);
}

/** A Prometheus gauge's value from an API's /metrics (readable from loopback without a token). */
async function gauge(api: ServiceProcess, name: string): Promise<number> {
  const text = await (await fetch(`${api.baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.split(' ')[1]);
}

describe.skipIf(!postgresUrl)('two API and two worker processes on PostgreSQL and one Redis', () => {
  const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-scale-out-'));
  let database: Database;
  let ctx: Ctx;
  let redis: RedisServerHandle;
  let board: JobFeedServer;
  let apis: ServiceProcess[] = [];
  let workers: ServiceProcess[] = [];
  let employerToken: string;
  let sourceId: string;
  const orderIds: string[] = [];

  beforeAll(async () => {
    const fresh = await openFreshPostgres(postgresUrl!);
    database = fresh.database;
    ctx = { db: database.db, log, now: () => new Date() };
    redis = await startRedisServer({ dir: join(dir, 'redis') });
    board = await startJobFeedServer({ count: POSTINGS });

    // As deploy/ runs them: secrets from files, the migration once before any process starts.
    writeFileSync(join(dir, 'database_url'), `${fresh.url}\n`);
    writeFileSync(join(dir, 'redis_url'), `${redis.url}\n`);
    const env = (role: string): Record<string, string> => ({
      DATABASE_URL_FILE: join(dir, 'database_url'),
      REDIS_URL_FILE: join(dir, 'redis_url'),
      DATA_DIR: join(dir, role),
      DEMO_DATA: 'off',
      NODE_ENV: 'production',
      CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(board.origin).host,
      SLA_RESPONSE_HOURS: String(RESPONSE_SECONDS / 3600),
      // The test polls both APIs from loopback; the kiosk budget keeps it clear of the public rate limit.
      KIOSK_NETWORKS: '127.0.0.1',
      LOG_LEVEL: role.startsWith('worker') ? 'debug' : 'info',
    });
    const migrated = await runCli(['migrate'], env('migrate'), 120_000);
    expect(migrated.code, migrated.stderr).toBe(0);

    // One branch serving the orders' postcode, its employer service and lead, an employer with a token.
    await ctx.db
      .insert(branches)
      .values({ id: 1, name: 'Zweigstelle Mitte (Test)', plz: '70173', catchmentPlz: ['70173'] });
    const { userId: admin } = await addUser({ ctx, input: { email: 'admin@scale.invalid', role: 'admin' } });
    const { userId: caseworker } = await addUser({
      ctx,
      input: { email: 'ag-pap@scale.invalid', role: 'caseworker', branchId: 1 },
    });
    await ctx.db.update(users).set({ employerService: true }).where(eq(users.id, caseworker));
    await addUser({ ctx, input: { email: 'leitung@scale.invalid', role: 'branch_lead', branchId: 1 } });
    const invited = await inviteEmployerUser({
      ctx,
      actor: { userId: admin, role: 'admin', branchId: null, employerId: null },
      input: { email: 'personal@scale.invalid', employer: { name: 'Muster GmbH (Test)', plz: '70173' } },
    });
    employerToken = invited.token;

    apis = await Promise.all([1, 2].map((n) => startService(env(`api-${n}`), ['start', '--api'])));
    await Promise.all(apis.map((api) => api.waitForHealthy(120_000)));

    // Orders before the workers start: their first SLA pass arms every milestone of them.
    for (let i = 0; i < ORDERS; i++) {
      const api = apis[i % 2]!;
      const res = await fetch(`${api.baseUrl}/api/v1/employer/vacancies`, {
        method: 'POST',
        headers: { authorization: `Bearer ${employerToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ ...ORDER, title: `Spülkraft (m/w/d) Nr. ${i}` }),
      });
      expect(res.status, await res.clone().text()).toBe(201);
      orderIds.push(((await res.json()) as { vacancy_id: string }).vacancy_id);
    }

    workers = await Promise.all([1, 2].map((n) => startService(env(`worker-${n}`), ['start', '--worker'])));
    await Promise.all(workers.map((worker) => worker.waitForOutput(/"workers started"/, 120_000)));
    // Added once both workers run, so that neither has the batches to itself: the workers' relays set up its job
    // scheduler within two seconds, and it fires at once.
    sourceId = (
      await addSource({ ctx, input: { type: 'feed', url: board.feedUrl, name: 'Testbörse', everyMinutes: 1440 } })
    ).id;
  }, 360_000);

  afterAll(async () => {
    await Promise.all([...apis, ...workers].map((p) => p.stop()));
    await board?.close();
    await redis?.stop();
    await database?.close();
    rmSync(dir, { recursive: true, force: true });
  }, 120_000);

  it('spreads the ingest batches over both workers, processes each once and makes each posting one vacancy', async () => {
    const batches = await until(
      'every batch ingested',
      async () => {
        const rows = await ctx.db.select().from(ingestBatches).where(eq(ingestBatches.sourceId, sourceId));
        return rows.length > 0 && rows.every((b) => b.processedAt !== null) ? rows : undefined;
      },
      240_000,
    );
    expect(batches.length).toBe(POSTINGS / 500);
    // A second delivery would come within moments (relays run every 2 s); wait for it before counting.
    await sleep(5_000);

    const ingested = workers.map((w) => finishedJobs(w).filter((j) => j.queue === 'ingest' && j.status === 'done'));
    for (const [n, jobs] of ingested.entries())
      expect(jobs.length, `worker ${n + 1} ingested batches`).toBeGreaterThan(0);
    const ids = ingested.flat().map((j) => j.jobId);
    expect(ids.sort()).toEqual(batches.map((b) => `ingest_${b.id}`).sort());

    const linked = await ctx.db
      .select({ externalId: vacancySources.externalId, vacancyId: vacancySources.vacancyId })
      .from(vacancySources)
      .where(eq(vacancySources.sourceId, sourceId));
    expect(linked).toHaveLength(POSTINGS);
    expect(new Set(linked.map((l) => l.externalId)).size).toBe(POSTINGS);
    expect(new Set(linked.map((l) => l.vacancyId)).size).toBe(POSTINGS);
    const crawled = await ctx.db.$count(vacancies, eq(vacancies.status, 'open'));
    expect(crawled).toBe(POSTINGS + ORDERS);
  }, 300_000);

  it('fires each order’s reminder, escalation and breach once, whichever worker takes them', async () => {
    for (const id of orderIds) {
      await until(
        `the milestones of ${id}`,
        async () =>
          (await milestoneEvents(ctx, id)).filter((e) => e.kind !== 'started').length >= 3 ? true : undefined,
        180_000,
      );
    }
    // A second firing (a job delivered twice, a milestone armed again by the other worker) would come within moments.
    await sleep(5_000);
    const fired = workers.flatMap((w) =>
      finishedJobs(w).filter((j) => j.job === 'sla-milestone' && j.status === 'done'),
    );
    const firedIds = fired.map((j) => j.jobId);
    expect(firedIds).toHaveLength(3 * ORDERS);
    expect(new Set(firedIds).size).toBe(3 * ORDERS);
    for (const id of orderIds) {
      const events = (await milestoneEvents(ctx, id)).filter((e) => e.kind !== 'started');
      expect(events.map((e) => e.kind).sort()).toEqual(['breach', 'escalation', 'reminder']);
      const taskKinds = (await ctx.db.select({ kind: tasks.kind }).from(tasks).where(eq(tasks.vacancyId, id))).map(
        (t) => t.kind,
      );
      expect(taskKinds.sort()).toEqual(['sla_breach', 'sla_escalation', 'sla_reminder']);
      expect(firedIds.filter((j) => j.includes(id))).toHaveLength(3);
    }
  }, 300_000);

  it('lets both APIs answer the same data, each API’s search index following the outbox to the same position', async () => {
    // Each API's embedded index follows the outbox once a second; both catch up with the same head.
    await until(
      'both indexes caught up',
      async () => {
        const lags = await Promise.all(apis.map((api) => gauge(api, 'jobbruecke_index_lag_entries')));
        return lags.every((lag) => lag === 0) ? true : undefined;
      },
      120_000,
    );
    const heads = await Promise.all(apis.map((api) => gauge(api, 'jobbruecke_outbox_head')));
    expect(heads[0]).toBeGreaterThan(0);
    expect(heads[1]).toBe(heads[0]);

    const search = await Promise.all(
      apis.map(async (api) => (await fetch(`${api.baseUrl}/api/v1/vacancies?q=Elektroniker&per_page=5`)).json()),
    );
    expect((search[0] as { total: number }).total).toBe(ELEKTRONIKER);
    expect(search[1]).toEqual(search[0]);

    const headers = { authorization: `Bearer ${employerToken}` };
    const orders = await Promise.all(
      apis.map(async (api) =>
        (await fetch(`${api.baseUrl}/api/v1/employer/vacancies?per_page=50`, { headers })).json(),
      ),
    );
    expect((orders[0] as { items: Array<{ vacancy_id: string }> }).items.map((o) => o.vacancy_id).sort()).toEqual(
      [...orderIds].sort(),
    );
    expect(orders[1]).toEqual(orders[0]);
    // An order submitted through one API is read through the other.
    const [first] = orderIds;
    const detail = await Promise.all(
      apis.map(async (api) => (await fetch(`${api.baseUrl}/api/v1/employer/vacancies/${first}`, { headers })).json()),
    );
    expect(detail[1]).toEqual(detail[0]);
  }, 180_000);
});
