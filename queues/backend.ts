/**
 * Where BullMQ keeps its queues, chosen by the configuration (src/config.ts):
 * - `embedded`: in the embedded database, through BullMQ's PostgreSQL backend over the process's PGlite instance
 *   (queues/pglite-pool.ts). One process, one data directory, one backup; nothing to install.
 * - `postgres`: BullMQ's PostgreSQL backend in the PostgreSQL database (schema `bullmq`), shared by any number of
 *   API and worker processes.
 * - `redis`: Redis, the fastest for many workers.
 * Only this module and the modules beside it know BullMQ's connection types; the job catalogue, processors, relays
 * and the rest of the program are the same on every backend.
 *
 * Two installations (a test and a live system, two job centres) may share one Redis, so each keeps its keys under a
 * prefix of its own: `QUEUE_PREFIX`, or `jobbruecke:<installation id>` from its database (src/installation.ts). The
 * PostgreSQL backends need none: their queues live in the installation's own database.
 */
import {
  type BackendFactory,
  createPostgresBackend,
  createRedisBackend,
  type IQueueBackend,
  type PgPool,
  runMigrations,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { Config } from '../src/config.ts';
import type { Database } from '../src/db/client.ts';
import { installationId } from '../src/installation.ts';
import type { Logger } from '../src/logging.ts';
import { logQueueErrors } from './error-log.ts';
import { adoptLegacyJobs, LEGACY_PREFIX } from './legacy-prefix.ts';
import { pglitePool } from './pglite-pool.ts';
import { type RedisDurability, readRedisDurability } from './redis-durability.ts';

export type QueueBackendKind = Config['queue']['kind'];

const redisFactory = createRedisBackend as BackendFactory<IQueueBackend, unknown>;

/** The schema BullMQ's PostgreSQL backend lives in (its default); a connection's search_path selects it. */
const QUEUE_SCHEMA = 'bullmq';

/** Connections to the PostgreSQL server for queue work: six workers hold one each for LISTEN, the rest query. */
const POSTGRES_POOL_SIZE = 14;

export interface QueueBackend {
  kind: QueueBackendKind;
  /** The factory and connection every Queue and Worker of this backend is built with. */
  factory: BackendFactory<IQueueBackend, unknown>;
  connection: unknown;
  /**
   * Redis key prefix, `jobbruecke:<installation id>` unless configured; the PostgreSQL backends ignore it (their
   * namespace is the schema `bullmq` in the installation's own database).
   */
  prefix: string;
  /** A connection for one worker, closed with it: workers block on Redis, so each gets its own there. */
  workerConnection(): { connection: unknown; close(): void };
  /**
   * Whether workers elsewhere can be counted. With the embedded database every worker runs in this process (no other
   * process can open it), and BullMQ's count, which lists the server's sessions, sees only the one PGlite session.
   */
  countsRemoteWorkers: boolean;
  /** Workers started in this process, counted by queues/workers.ts. */
  localWorkers: number;
  ping(): Promise<boolean>;
  /**
   * Redis only: the settings that decide whether acknowledged jobs survive a restart or memory pressure
   * (queues/redis-durability.ts). The PostgreSQL backends keep jobs as durably as the database itself.
   */
  durability?(): Promise<RedisDurability>;
  close(): Promise<void>;
}

export interface QueueBackendOptions {
  /**
   * The process's database. The embedded backend keeps the queues in it; the Redis backend reads the installation
   * id from it (unless a prefix is given) and takes this installation's jobs from the legacy prefix
   * (queues/legacy-prefix.ts). The PostgreSQL backend needs none.
   */
  database?: Database;
  log: Logger;
  /**
   * The Redis key prefix, over `QUEUE_PREFIX` and the installation id: tests and benchmarks give one of their own.
   * @defaultValue the configured prefix, else `jobbruecke:<installation id>`
   */
  prefix?: string;
}

/** Opens the configured backend and brings BullMQ's schema up to date where it lives in a database. */
export async function openQueueBackend(config: Config['queue'], options: QueueBackendOptions): Promise<QueueBackend> {
  switch (config.kind) {
    case 'embedded':
      return openEmbedded(options);
    case 'postgres':
      return openPostgres(config.url, options);
    case 'redis':
      return openRedis(config, options);
  }
}

async function migrate(pool: PgPool): Promise<void> {
  const client = await pool.connect();
  try {
    await runMigrations(client, QUEUE_SCHEMA);
  } finally {
    client.release();
  }
}

async function answers(query: () => Promise<unknown>): Promise<boolean> {
  try {
    await query();
    return true;
  } catch {
    return false;
  }
}

async function openEmbedded({ database, log, prefix = LEGACY_PREFIX }: QueueBackendOptions): Promise<QueueBackend> {
  const pglite = database?.pglite;
  if (!pglite) throw new Error('The embedded queue backend needs the embedded database (PGlite).');
  // BullMQ's statements name its tables unqualified and rely on the search_path, and PGlite has one session for
  // everybody. `public` comes first, so the application's tables, and any it creates, stay where they are; a test
  // (tests/integration/queue-backend.test.ts) checks that no name exists in both schemas.
  await pglite.exec(`SET search_path TO public, ${QUEUE_SCHEMA}`);
  const pool = pglitePool(pglite);
  await migrate(pool);
  log.debug('queues in the embedded database');
  return {
    kind: 'embedded',
    factory: createPostgresBackend as BackendFactory<IQueueBackend, unknown>,
    connection: pool,
    prefix,
    workerConnection: () => ({ connection: pool, close: () => {} }),
    countsRemoteWorkers: false,
    localWorkers: 0,
    ping: () => answers(() => pool.query('select 1')),
    // The pool borrows the database's PGlite, which the database closes.
    close: () => pool.end(),
  };
}

async function openPostgres(url: string, { log, prefix = LEGACY_PREFIX }: QueueBackendOptions): Promise<QueueBackend> {
  const pool = new pg.Pool({
    connectionString: url,
    max: POSTGRES_POOL_SIZE,
    connectionTimeoutMillis: 5_000,
    // Pins BullMQ's unqualified names to its schema; keepAlive lets a silently dropped LISTEN connection be noticed.
    options: `-c search_path=${QUEUE_SCHEMA}`,
    keepAlive: true,
  });
  pool.on('error', logQueueErrors(log, 'queue pool'));
  // Every BullMQ Queue and Worker on the pool listens for its errors: two per queue, more than Node's default of 10.
  pool.setMaxListeners(50);
  try {
    await migrate(pool);
  } catch (err) {
    await pool.end();
    throw err;
  }
  return {
    kind: 'postgres',
    factory: createPostgresBackend as BackendFactory<IQueueBackend, unknown>,
    connection: pool,
    prefix,
    workerConnection: () => ({ connection: pool, close: () => {} }),
    countsRemoteWorkers: true,
    localWorkers: 0,
    ping: () => answers(() => pool.query('select 1')),
    close: () => pool.end(),
  };
}

/** The installation's Redis prefix: given, configured, or derived from the installation id in its database. */
async function redisPrefix(configured: string | undefined, { database, prefix }: QueueBackendOptions) {
  const chosen = prefix ?? configured;
  if (chosen) return chosen;
  if (!database) {
    throw new Error('The Redis queue backend needs the database to find its installation id, or a QUEUE_PREFIX.');
  }
  return `${LEGACY_PREFIX}:${await installationId(database.db)}`;
}

async function openRedis(
  config: Extract<Config['queue'], { kind: 'redis' }>,
  options: QueueBackendOptions,
): Promise<QueueBackend> {
  const { url } = config;
  const { database, log } = options;
  const prefix = await redisPrefix(config.prefix, options);
  // Producers and health checks fail fast instead of queueing commands while Redis is away.
  const producer = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  producer.on('error', logQueueErrors(log, 'producer connection'));
  await new Promise<void>((resolve, reject) => {
    if (producer.status === 'ready') return resolve();
    const timer = setTimeout(() => {
      producer.disconnect();
      reject(new Error(`Redis at ${url} did not answer within 10 s`));
    }, 10_000);
    producer.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  if (database) {
    try {
      await adoptLegacyJobs({ redis: producer, factory: redisFactory, prefix, db: database.db, log });
    } catch (err) {
      producer.disconnect();
      throw err;
    }
  }
  log.debug({ prefix }, 'queues in Redis');
  return {
    kind: 'redis',
    factory: redisFactory,
    connection: producer,
    prefix,
    workerConnection: () => {
      // Workers block on Redis, so they need maxRetriesPerRequest: null.
      const connection = new Redis(url, { maxRetriesPerRequest: null });
      connection.on('error', logQueueErrors(log, 'worker connection'));
      return { connection, close: () => connection.disconnect() };
    },
    countsRemoteWorkers: true,
    localWorkers: 0,
    ping: async () => (await producer.ping()) === 'PONG',
    durability: () => readRedisDurability(producer),
    close: async () => producer.disconnect(),
  };
}
