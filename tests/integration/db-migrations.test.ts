import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

const EXPECTED_TABLES = [
  'api_tokens',
  'app_meta',
  'audit_log',
  'branches',
  'crawl_runs',
  'customers',
  'employers',
  'idempotency_keys',
  'ingest_batches',
  'kldb_crosswalk',
  'kldb_index_snapshots',
  'kldb_titles',
  'login_failures',
  'matches',
  'notifications',
  'outbox',
  'proposals',
  'sla_clocks',
  'sla_events',
  'sources',
  'tasks',
  'user_invitations',
  'users',
  'vacancies',
  'vacancy_dedupe_keys',
  'vacancy_events',
  'vacancy_sources',
  'web_sessions',
];

describe.each(testDatabases())('migrations on $name', (factory) => {
  it('creates every table of the data model, and a second run changes nothing', async () => {
    const database = await openMigrated(factory);
    try {
      const rows = await database.db.execute<{ table_name: string }>(
        sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`,
      );
      const tables = (rows as unknown as { rows: Array<{ table_name: string }> }).rows.map((r) => r.table_name);
      expect(tables).toEqual(EXPECTED_TABLES);
      await database.migrate();
      expect(await database.ping()).toBe(true);
    } finally {
      await database.close();
    }
  });
});

describe.each(testDatabases().filter((f) => f.name === 'postgres'))('concurrent migrations on $name', (factory) => {
  it('lets several processes start at once against a fresh database', async () => {
    const database = await factory.open();
    try {
      // Three migrations at once, each on its own connection, race as three processes would.
      await Promise.all([database.migrate(), database.migrate(), database.migrate()]);
      expect(await database.ping()).toBe(true);
    } finally {
      await database.close();
    }
  });
});
