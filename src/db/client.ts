/**
 * Opens the system of record: embedded PGlite in a directory (default) or a PostgreSQL server. Both run the same
 * Drizzle schema and the same migrations; callers only see `Db`.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { PGlite, type QueryOptions, type Transaction } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle as drizzleNodePg } from 'drizzle-orm/node-postgres';
import { migrate as migrateNodePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import type { Config } from '../config.ts';
import * as schema from './schema.ts';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export interface Database {
  kind: 'pglite' | 'postgres';
  db: Db;
  /** The embedded database's PGlite instance: the embedded queue backend keeps BullMQ's tables in it too. */
  pglite?: PGlite;
  migrate(): Promise<void>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

const migrationsFolder = resolve(import.meta.dirname, 'migrations');
/** Arbitrary but fixed: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK_KEY = 7_240_917;

/** True when a trivial query succeeds: health checks report, they never throw. */
async function answers(query: () => Promise<unknown>): Promise<boolean> {
  try {
    await query();
    return true;
  } catch {
    return false;
  }
}

/** One turn of the event loop: timers, sockets and pending writes run before the caller goes on. */
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Types Drizzle's PGlite driver reads as text and converts itself (its column types map them): date, timestamp,
 * timestamptz, interval, numeric[], timestamp[], timestamptz[], interval[], date[]. It passes parsers that leave them
 * as text with every statement; tests/integration/db-client.test.ts checks this list against the installed Drizzle.
 */
export const DRIZZLE_TEXT_TYPES: ReadonlySet<number> = new Set([1082, 1114, 1184, 1186, 1231, 1115, 1185, 1187, 1182]);

const asText = (value: string) => value;

/**
 * Drizzle's per-statement parsers, held once by the instance instead. PGlite merges a statement's parsers into a
 * copy of its whole table (about 300 types, most of them arrays) for every statement it runs: `select 1` took
 * 0.54 ms with Drizzle's nine parsers and 0.14 ms without, and a caseworker's match list runs seven statements.
 * With the instance's table leaving these types as text, a statement whose parsers are exactly these can go without
 * them. Anything else (other types, the queue pool's own table) is passed on as it comes. The queue pool brings
 * a parser for every type, so the instance's table never decides its results.
 */
function holdDrizzleParsers(client: PGlite): void {
  for (const type of DRIZZLE_TEXT_TYPES) client.parsers[type] = asText;
}

function withoutHeldParsers(options: QueryOptions | undefined): QueryOptions | undefined {
  if (!options?.parsers) return options;
  for (const key of Object.keys(options.parsers)) if (!DRIZZLE_TEXT_TYPES.has(Number(key))) return options;
  const { parsers: _held, ...rest } = options;
  return rest;
}

/**
 * The PGlite instance as the application's queries see it: each statement lets the event loop in first. PGlite runs
 * a statement synchronously on the main thread and settles it through microtasks only, so a transaction of many
 * statements (an ingest batch) would otherwise hold every HTTP request, timer and log write of the process until it
 * ends. Other statements still wait for an open transaction, as before; only the process around them keeps moving.
 * Drizzle's parsers are held by the instance (`holdDrizzleParsers`), so its statements go without them.
 */
function yieldingClient(client: PGlite): PGlite {
  holdDrizzleParsers(client);
  const yieldingQuery = (query: PGlite['query']): PGlite['query'] =>
    (async (text: string, params?: unknown[], options?: QueryOptions) => {
      await turn();
      return query(text, params, withoutHeldParsers(options));
    }) as PGlite['query'];
  return new Proxy(client, {
    get(target, property) {
      if (property === 'query') return yieldingQuery(target.query.bind(target));
      if (property === 'transaction') {
        return <T>(callback: (tx: Transaction) => Promise<T>) =>
          target.transaction((tx) =>
            callback(
              new Proxy(tx, {
                get: (t, p) => (p === 'query' ? yieldingQuery(t.query.bind(t)) : Reflect.get(t, p, t)),
              }),
            ),
          );
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `dir` undefined: an in-memory PGlite (tests). */
export async function openPglite(dir: string | undefined): Promise<Database> {
  if (dir) mkdirSync(dir, { recursive: true });
  const client = dir ? await PGlite.create(dir) : await PGlite.create();
  const db = drizzlePglite(yieldingClient(client), { schema });
  let closed = false;
  return {
    kind: 'pglite',
    db: db as unknown as Db,
    pglite: client,
    migrate: () => migratePglite(db, { migrationsFolder }),
    ping: async () => !closed && answers(() => client.query('select 1')),
    close: async () => {
      if (closed) return;
      closed = true;
      await client.close();
    },
  };
}

export async function openPostgres(url: string, poolSize = 10): Promise<Database> {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 5_000,
    // Names the service's sessions in pg_stat_activity for the operator; an application_name in the URL wins.
    application_name: 'jobbruecke',
  });
  // A client losing its server (a restart, a failover, pg_terminate_backend) must not crash the process. pg reports
  // it as an 'error' event on the client: the pool listens on idle clients only, and an unheard 'error' on a client
  // checked out for a transaction would end the process. The work on that client fails with its query's error and
  // is retried (jobs) or answered as failed (requests); the pool drops the broken client on release.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = drizzleNodePg(pool, { schema });
  let closed = false;
  return {
    kind: 'postgres',
    db: db as unknown as Db,
    async migrate() {
      // Many processes may start at once against a fresh server: one migrates, the others wait and then find
      // nothing left to do. The lock is held on its own connection while the migrator uses the pool.
      const lock = await pool.connect();
      try {
        await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
        await migrateNodePg(db, { migrationsFolder });
      } finally {
        await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => {});
        lock.release();
      }
    },
    ping: () => answers(() => db.execute(sql`select 1`)),
    close: async () => {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
}

export function openDatabase(config: Config['db']): Promise<Database> {
  return config.kind === 'pglite' ? openPglite(config.dir) : openPostgres(config.url);
}
