/**
 * The databases every DB test runs on: an in-memory PGlite always, and a fresh database on the PostgreSQL server
 * when one is reachable (TEST_DATABASE_URL, or 127.0.0.1:5432), dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openPglite, openPostgres } from '../../src/db/client.ts';

export interface TestDatabaseFactory {
  name: 'pglite' | 'postgres';
  open(): Promise<Database>;
}

/** A new database on the server, dropped when closed; `url` names it, for a second connection such as the queues'. */
export async function openFreshPostgres(serverUrl: string): Promise<{ database: Database; url: string }> {
  const name = `jobbruecke_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const database = await openPostgres(url.toString(), 4);
  const close = database.close;
  database.close = async () => {
    await close();
    const cleanup = new pg.Client({ connectionString: serverUrl });
    await cleanup.connect();
    await cleanup.query(`drop database if exists ${name} with (force)`);
    await cleanup.end();
  };
  return { database, url: url.toString() };
}

export function testDatabases(): TestDatabaseFactory[] {
  const factories: TestDatabaseFactory[] = [{ name: 'pglite', open: () => openPglite(undefined) }];
  const postgresUrl = inject('postgresUrl');
  if (postgresUrl) {
    factories.push({ name: 'postgres', open: async () => (await openFreshPostgres(postgresUrl)).database });
  }
  return factories;
}

/** Opens and migrates. */
export async function openMigrated(factory: TestDatabaseFactory): Promise<Database> {
  const database = await factory.open();
  await database.migrate();
  return database;
}
