/**
 * PostgreSQL faults for the chaos suite: a fresh database for one scenario, and a terminator that watches
 * `pg_stat_activity` and ends, with `pg_terminate_backend`, the service's connections while they hold a chosen kind
 * of transaction open, the way a failover, an administrator or an idle-in-transaction timeout would.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { type Database, openPostgres } from '../../src/db/client.ts';

/** The test's own connections go by this name, so no terminator ever ends them. */
const TEST_APPLICATION = 'jobbruecke-chaos-test';

export interface ScenarioDatabase {
  /** For the service: its connections carry `application_name=<applicationName>`. */
  serviceUrl: string;
  applicationName: string;
  name: string;
  /** The test's own pool, migrated. */
  database: Database;
  /** Closes the test's pool and drops the database. */
  drop(): Promise<void>;
}

export async function createScenarioDatabase(serverUrl: string): Promise<ScenarioDatabase> {
  const name = `jobbruecke_chaos_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl, application_name: TEST_APPLICATION });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const applicationName = `jobbruecke-chaos-service-${randomBytes(3).toString('hex')}`;
  const serviceUrl = new URL(url);
  serviceUrl.searchParams.set('application_name', applicationName);
  const testUrl = new URL(url);
  testUrl.searchParams.set('application_name', TEST_APPLICATION);
  const database = await openPostgres(testUrl.toString(), 4);
  await database.migrate();
  return {
    serviceUrl: serviceUrl.toString(),
    applicationName,
    name,
    database,
    async drop() {
      await database.close();
      const cleanup = new pg.Client({ connectionString: serverUrl, application_name: TEST_APPLICATION });
      await cleanup.connect();
      await cleanup.query(`drop database if exists ${name} with (force)`);
      await cleanup.end();
    },
  };
}

/**
 * A kind of transaction to end, told apart by the table locks it holds until it ends (a statement shows only the
 * last query): `holds` lists table and lock mode, and all must be held.
 */
export interface TransactionKind {
  name: string;
  holds: Array<{ table: string; mode: string }>;
  /** How many of these to end at most. */
  limit: number;
}

export interface Terminator {
  /** Ended transactions per kind. */
  ended(): Record<string, number>;
  /**
   * Ends every connection to the database but the test's own, at once, as a failover would: the service's pools and
   * the queue workers' listening sessions (BullMQ names those after their queue); returns how many.
   */
  terminateAll(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * Polls every `everyMs` and ends each service connection whose open transaction matches a kind still under its
 * limit, at most one per poll, so the work between faults can make progress.
 */
export async function startTerminator(
  scenario: ScenarioDatabase,
  kinds: TransactionKind[],
  { everyMs = 25, pauseMs = 400 }: { everyMs?: number; pauseMs?: number } = {},
): Promise<Terminator> {
  const client = new pg.Client({
    connectionString: scenario.serviceUrl.replace(scenario.applicationName, TEST_APPLICATION),
  });
  await client.connect();
  const ended: Record<string, number> = Object.fromEntries(kinds.map((k) => [k.name, 0]));
  let running = true;
  let failure: unknown;
  const loop = (async () => {
    while (running) {
      const open = kinds.filter((k) => (ended[k.name] ?? 0) < k.limit);
      if (open.length === 0) break;
      const { rows } = await client.query<{ pid: number; locks: string[] }>(
        `select a.pid, array_agg(c.relname || ':' || l.mode) as locks
           from pg_stat_activity a
           join pg_locks l on l.pid = a.pid and l.granted
           join pg_class c on c.oid = l.relation
          where a.datname = $1 and a.application_name = $2 and a.xact_start is not null
          group by a.pid`,
        [scenario.name, scenario.applicationName],
      );
      let hit = false;
      for (const row of rows) {
        const kind = open.find((k) => k.holds.every((h) => row.locks.includes(`${h.table}:${h.mode}`)));
        if (!kind) continue;
        const { rows: done } = await client.query<{ ok: boolean }>('select pg_terminate_backend($1) as ok', [row.pid]);
        if (done[0]?.ok) {
          ended[kind.name] = (ended[kind.name] ?? 0) + 1;
          hit = true;
          break;
        }
      }
      await new Promise((r) => setTimeout(r, hit ? pauseMs : everyMs));
    }
  })().catch((err: unknown) => {
    failure = err;
  });
  return {
    ended: () => ({ ...ended }),
    async terminateAll() {
      const { rows } = await client.query<{ ok: boolean }>(
        `select pg_terminate_backend(pid) as ok from pg_stat_activity
          where datname = $1 and application_name <> $2 and pid <> pg_backend_pid()`,
        [scenario.name, TEST_APPLICATION],
      );
      return rows.filter((r) => r.ok).length;
    },
    async stop() {
      running = false;
      await loop;
      await client.end();
      if (failure) throw failure;
    },
  };
}
