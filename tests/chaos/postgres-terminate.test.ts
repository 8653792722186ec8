/**
 * The service on PostgreSQL (`jobbruecke start` with DATABASE_URL; its queues in the same database) loses database
 * connections in the middle of transactions: `pg_terminate_backend` ends the connection of an ingest transaction that
 * has written vacancies and of an employer order submission that has written its vacancy, several times each (and of
 * a crawl's staging when the poll catches one: it is short and happens once); at the end every connection of the
 * service at once. Nothing may be half-written (every
 * vacancy with its source link, dedupe keys, outbox row and one 'opened' event; every order with its clock,
 * confirmation, audit entry and idempotency answer), every batch is processed exactly once, the work is retried until
 * it is done, orders retried by their clients with the same Idempotency-Key exist once, and the service keeps serving
 * on new connections. Skipped without a PostgreSQL server (CI has one).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { addSource } from '../../src/sources/sources.ts';
import { reportCounts } from '../helpers/chaos.ts';
import { indexedIds, openVacancies, until, waitDrained } from '../helpers/chaos-embedded.ts';
import { createScenarioDatabase, type ScenarioDatabase, startTerminator } from '../helpers/chaos-postgres.ts';
import { testContext } from '../helpers/context.ts';
import { employerWorld, MINIMAL_ORDER } from '../helpers/employer-world.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';

const postgresUrl = inject('postgresUrl');
const POSTINGS = 4_000;
const ORDERS = 30;
/** Orders go on past ORDERS until one of their transactions has been ended, up to this many (it takes a few at most). */
const MAX_ORDERS = 600;
/** Each order is retried by its client, with its key, until it is answered 201 or this many attempts are spent. */
const ORDER_ATTEMPTS = 40;

describe.skipIf(!postgresUrl)('PostgreSQL connections terminated mid-transaction', () => {
  let scenario: ScenarioDatabase;
  let board: JobFeedServer;
  let service: ServiceProcess | undefined;
  let employerToken: string;
  let feedSourceId: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-chaos-pg-'));

  beforeAll(async () => {
    scenario = await createScenarioDatabase(postgresUrl as string);
    board = await startJobFeedServer({ count: POSTINGS });
    const world = await employerWorld(scenario.database, new Date());
    await world.search.close();
    employerToken = world.tokens.employerA;
  });

  afterAll(async () => {
    await service?.stop('SIGTERM', 60_000);
    await board?.close();
    await scenario?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** One order, retried with the same key after any answer but 201 (a 5xx, a cut connection, a 409 "still running"). */
  async function submitOrder(i: number): Promise<{ attempts: number; vacancyId: string | undefined }> {
    const key = `chaos-order-${i}`;
    for (let attempt = 1; attempt <= ORDER_ATTEMPTS; attempt++) {
      try {
        const response = await fetch(`${service!.baseUrl}/api/v1/employer/vacancies`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${employerToken}`,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify({ ...MINIMAL_ORDER, description: `${MINIMAL_ORDER.description} Auftrag ${i}.` }),
        });
        const body = (await response.json()) as { vacancy_id?: string };
        if (response.status === 201) return { attempts: attempt, vacancyId: body.vacancy_id };
        expect([409, 500, 503]).toContain(response.status);
      } catch {
        // The connection was cut: retried with the same key like any other failure.
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    return { attempts: ORDER_ATTEMPTS, vacancyId: undefined };
  }

  const count = async (query: ReturnType<typeof sql>) => {
    const result = await scenario.database.db.execute<{ n: number }>(query);
    return Number((result as unknown as { rows: Array<{ n: number }> }).rows[0]?.n ?? 0);
  };

  it('writes nothing half, retries the work to the end, and keeps serving', { timeout: 3_600_000 }, async () => {
    service = await startService({
      DATABASE_URL: scenario.serviceUrl,
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(board.origin).host,
      KIOSK_NETWORKS: '127.0.0.1/32',
      LOG_LEVEL: 'info',
    });
    await service.waitForHealthy(300_000);

    const terminator = await startTerminator(scenario, [
      // An ingest transaction holds its batch row (for update) and has inserted vacancies.
      {
        name: 'ingest',
        holds: [
          { table: 'ingest_batches', mode: 'RowShareLock' },
          { table: 'vacancies', mode: 'RowExclusiveLock' },
        ],
        limit: 6,
      },
      // A crawl's staging inserts the batches and closes the run in one transaction.
      {
        name: 'staging',
        holds: [
          { table: 'ingest_batches', mode: 'RowExclusiveLock' },
          { table: 'crawl_runs', mode: 'RowExclusiveLock' },
        ],
        limit: 1,
      },
      // An order submission has taken its idempotency key and inserted its vacancy.
      {
        name: 'order',
        holds: [
          { table: 'idempotency_keys', mode: 'RowExclusiveLock' },
          { table: 'vacancies', mode: 'RowExclusiveLock' },
        ],
        limit: 4,
      },
    ]);

    // The source is added only now that the terminator watches: the service schedules it within seconds, and a crawl
    // and ingest that finished before the terminator started would leave nothing to end (a fast ingest did that).
    const source = await addSource({
      ctx: testContext(scenario.database.db, new Date()),
      input: { type: 'feed', url: board.feedUrl, name: 'Testbörse (Chaos)' },
    });
    feedSourceId = source.id;
    // Orders come in meanwhile, three at a time, and go on until one of their transactions was ended: an order
    // transaction is short, so the terminator may take more than ORDERS to catch one.
    const orders: Array<{ attempts: number; vacancyId: string | undefined }> = [];
    while (orders.length < MAX_ORDERS && (orders.length < ORDERS || terminator.ended().order === 0)) {
      const first = orders.length;
      orders.push(...(await Promise.all([first, first + 1, first + 2].map((n) => submitOrder(n)))));
    }
    const submitted = orders.length + 1;
    await until(
      async () =>
        (await count(
          sql`select count(*) as n from crawl_runs where source_id = ${feedSourceId} and finished_at is not null`,
        )) > 0 && (await count(sql`select count(*) as n from ingest_batches where processed_at is null`)) === 0,
      900_000,
      'a crawl of the source to finish and every batch to be ingested',
    );
    // At the end every connection of the service at once: it must serve on new ones.
    const endedAll = await terminator.terminateAll();
    await terminator.stop();
    const ended = terminator.ended();
    // Still the same process: a lost connection is an error for the work on it, never the end of the service.
    expect(service.child.exitCode, service.output().slice(-3000)).toBeNull();
    await service.waitForHealthy(120_000);
    const after = await submitOrder(orders.length);
    expect(after.vacancyId).toBeDefined();
    orders.push(after);
    await waitDrained(service.baseUrl, 900_000);
    const index = await indexedIds(service.baseUrl);

    // Ingest: every batch processed, every posting one vacancy, each complete.
    const feedVacancies = await count(
      sql`select count(distinct vacancy_id) as n from vacancy_sources where source_id = ${feedSourceId}`,
    );
    const incomplete = {
      batchesPending: await count(sql`select count(*) as n from ingest_batches where processed_at is null`),
      withoutSource: await count(
        sql`select count(*) as n from vacancies v where not exists (select 1 from vacancy_sources s where s.vacancy_id = v.id)`,
      ),
      withoutDedupeKey: await count(
        sql`select count(*) as n from vacancies v where v.submitted_by is null
              and not exists (select 1 from vacancy_dedupe_keys k where k.vacancy_id = v.id)`,
      ),
      withoutIndexRow: await count(
        sql`select count(*) as n from vacancies v
             where not exists (select 1 from outbox o where o.topic = 'index' and o.aggregate_id = v.id)`,
      ),
      openedNotOnce: await count(
        sql`select count(*) as n from vacancies v
             where (select count(*) from vacancy_events e where e.vacancy_id = v.id and e.kind = 'opened') <> 1`,
      ),
      linkedTwice: await count(
        sql`select coalesce(sum(n - 1), 0) as n from (select count(*) as n from vacancy_sources group by source_id, external_id) x`,
      ),
    };
    reportCounts('postgres terminate: ingest', {
      sent: POSTINGS,
      acknowledged: POSTINGS,
      stored: feedVacancies,
      duplicated: incomplete.linkedTwice + incomplete.openedNotOnce,
      lost: Math.max(0, POSTINGS - feedVacancies),
    });

    // Orders: one per key, each with everything its transaction writes.
    const acknowledged = orders.filter((o) => o.vacancyId !== undefined);
    const orderIds = acknowledged.map((o) => o.vacancyId as string);
    const orderVacancies = await count(sql`select count(*) as n from vacancies where submitted_by is not null`);
    const orderParts = {
      keysWithoutVacancy: await count(
        sql`select count(*) as n from idempotency_keys k
             where not exists (select 1 from vacancies v where v.id::text = k.response->>'vacancyId')`,
      ),
      withoutClock: await count(
        sql`select count(*) as n from vacancies v where v.submitted_by is not null
              and not exists (select 1 from sla_clocks c where c.vacancy_id = v.id)`,
      ),
      confirmationNotOnce: await count(
        sql`select count(*) as n from vacancies v where v.submitted_by is not null
              and (select count(*) from notifications n where n.vacancy_id = v.id and n.template = 'order_confirmation') <> 1`,
      ),
      auditNotOnce: await count(
        sql`select count(*) as n from vacancies v where v.submitted_by is not null
              and (select count(*) from audit_log a where a.object_id = v.id::text and a.action = 'order.submit') <> 1`,
      ),
    };
    reportCounts('postgres terminate: orders', {
      sent: submitted,
      acknowledged: acknowledged.length,
      stored: orderVacancies,
      duplicated: Math.max(0, orderVacancies - acknowledged.length),
      lost: orderIds.length - new Set(orderIds).size + Math.max(0, acknowledged.length - orderVacancies),
    });
    const db = await openVacancies(scenario.database);
    const indexed = new Set(index.ids);
    const retried = orders.filter((o) => o.attempts > 1).length;
    process.stdout.write(
      `[chaos] postgres terminate: transactions ended ${JSON.stringify(ended)}, then all ${endedAll} connections; ` +
        `orders retried by their client ${retried}\n`,
    );

    expect(ended.ingest).toBeGreaterThan(0);
    expect(ended.order).toBeGreaterThan(0);
    expect(feedVacancies).toBe(POSTINGS);
    expect(incomplete).toEqual({
      batchesPending: 0,
      withoutSource: 0,
      withoutDedupeKey: 0,
      withoutIndexRow: 0,
      openedNotOnce: 0,
      linkedTwice: 0,
    });
    expect(acknowledged).toHaveLength(submitted);
    expect(new Set(orderIds).size).toBe(submitted);
    expect(orderVacancies).toBe(submitted);
    expect(orderParts).toEqual({ keysWithoutVacancy: 0, withoutClock: 0, confirmationNotOnce: 0, auditNotOnce: 0 });
    // The search index (in the service's memory) followed every committed change and nothing else.
    expect(index.unreachable).toBe(0);
    expect(db.ids.filter((id) => !indexed.has(id))).toEqual([]);
    expect(index.ids.length).toBe(db.ids.length);
  });
});
