/**
 * The queue backends every queue test runs on: the embedded database always, Redis always (the integration setup
 * starts a private redis-server), and PostgreSQL when a server is reachable. Each gets a fresh, migrated database
 * of its own kind: PGlite for the embedded and the Redis backend, a new PostgreSQL database for the PostgreSQL one.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { openQueueBackend, type QueueBackend, type QueueBackendKind } from '../../queues/backend.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { createLogger } from '../../src/logging.ts';
import { openFreshPostgres } from './databases.ts';

export interface QueueTestSetup {
  database: Database;
  backend: QueueBackend;
  /** Closes the backend, then the database. */
  close(): Promise<void>;
}

export interface TestQueueBackend {
  name: QueueBackendKind;
  open(): Promise<QueueTestSetup>;
}

const log = createLogger('silent');

async function withBackend(database: Database, open: () => Promise<QueueBackend>): Promise<QueueTestSetup> {
  await database.migrate();
  const backend = await open();
  return {
    database,
    backend,
    async close() {
      await backend.close();
      await database.close();
    },
  };
}

export function testQueueBackends(): TestQueueBackend[] {
  const backends: TestQueueBackend[] = [
    {
      name: 'embedded',
      open: async () => {
        const database = await openPglite(undefined);
        return withBackend(database, () => openQueueBackend({ kind: 'embedded' }, { database, log }));
      },
    },
    {
      name: 'redis',
      open: async () =>
        withBackend(await openPglite(undefined), () =>
          // Files share the one test Redis: a prefix of its own keeps each setup's queues apart.
          openQueueBackend(
            { kind: 'redis', url: inject('redisUrl') },
            { log, prefix: `test-${randomBytes(4).toString('hex')}` },
          ),
        ),
    },
  ];
  const postgresUrl = inject('postgresUrl');
  if (postgresUrl) {
    backends.push({
      name: 'postgres',
      open: async () => {
        const { database, url } = await openFreshPostgres(postgresUrl);
        return withBackend(database, () => openQueueBackend({ kind: 'postgres', url }, { log }));
      },
    });
  }
  return backends;
}
