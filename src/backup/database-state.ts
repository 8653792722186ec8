/**
 * What a database holds, in numbers a restore can check: the installation id, the migration level, rows per table,
 * sequence positions and the outbox head. Read inside the backup's transaction, so from the same snapshot that is
 * copied, and read again from the restored database, which must agree in every number.
 */
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import journal from '../db/migrations/meta/_journal.json' with { type: 'json' };
import { INSTALLATION_ID_KEY } from '../installation.ts';
import type { DatabaseState } from './manifest.ts';

/** Schemas whose tables are counted: PostgreSQL's own and the TOAST schemas hold nothing of ours. */
const SYSTEM_SCHEMAS = sql`n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg\\_%'`;

/** The migrations this version knows, oldest first (drizzle records each by its journal timestamp). */
export const KNOWN_MIGRATIONS: ReadonlyArray<{ when: number; tag: string }> = journal.entries.map((e) => ({
  when: e.when,
  tag: e.tag,
}));

async function rows<T>(db: Db, query: ReturnType<typeof sql>): Promise<T[]> {
  const result = await db.execute(query);
  return (result as unknown as { rows: T[] }).rows;
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** The tables of a database, `schema.table`, sorted. */
async function tableNames(db: Db): Promise<Array<{ schema: string; table: string }>> {
  return rows<{ schema: string; table: string }>(
    db,
    sql`select n.nspname as schema, c.relname as table from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where c.relkind in ('r', 'p') and ${SYSTEM_SCHEMAS} order by 1, 2`,
  );
}

/** Reads the state; run it inside a transaction to have every number from one snapshot. */
export async function databaseState(db: Db): Promise<DatabaseState> {
  const tables: Record<string, number> = {};
  for (const { schema, table } of await tableNames(db)) {
    const [row] = await rows<{ n: string | number }>(
      db,
      sql.raw(`select count(*) as n from ${quoted(schema)}.${quoted(table)}`),
    );
    tables[`${schema}.${table}`] = Number(row?.n);
  }
  const sequences: Record<string, string | null> = {};
  const sequenceRows = await rows<{ schema: string; name: string; value: string | number | null }>(
    db,
    sql`select schemaname as schema, sequencename as name, last_value as value from pg_sequences
        where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`,
  );
  for (const s of sequenceRows) sequences[`${s.schema}.${s.name}`] = s.value === null ? null : String(s.value);
  const [installation] = await rows<{ value: string }>(
    db,
    sql`select value from app_meta where key = ${INSTALLATION_ID_KEY}`,
  );
  const [head] = await rows<{ head: string | number | null }>(db, sql`select max(id) as head from outbox`);
  return {
    installationId: installation?.value ?? '',
    migration: await migrationLevel(db),
    tables,
    sequences,
    outboxHead: Number(head?.head ?? 0),
  };
}

async function migrationLevel(db: Db): Promise<DatabaseState['migration']> {
  const applied = await rows<{ when: string | number }>(
    db,
    sql`select created_at as when from drizzle.__drizzle_migrations order by created_at`,
  );
  const latest = applied.at(-1);
  if (!latest) return { latest: 'none', applied: 0 };
  const known = KNOWN_MIGRATIONS.find((m) => m.when === Number(latest.when));
  return { latest: known?.tag ?? `unknown (${latest.when})`, applied: applied.length };
}

/** How two states differ, one line per difference; empty when they agree. */
export function stateDifferences(expected: DatabaseState, actual: DatabaseState): string[] {
  const problems: string[] = [];
  if (expected.installationId !== actual.installationId) {
    problems.push(`installation id ${actual.installationId}, expected ${expected.installationId}`);
  }
  if (JSON.stringify(expected.migration) !== JSON.stringify(actual.migration)) {
    problems.push(`migration level ${actual.migration.latest}, expected ${expected.migration.latest}`);
  }
  for (const name of new Set([...Object.keys(expected.tables), ...Object.keys(actual.tables)])) {
    if (expected.tables[name] !== actual.tables[name]) {
      problems.push(
        `table ${name}: ${actual.tables[name] ?? 'missing'} rows, expected ${expected.tables[name] ?? 'none'}`,
      );
    }
  }
  for (const name of new Set([...Object.keys(expected.sequences), ...Object.keys(actual.sequences)])) {
    if (expected.sequences[name] !== actual.sequences[name]) {
      problems.push(`sequence ${name} at ${actual.sequences[name]}, expected ${expected.sequences[name]}`);
    }
  }
  if (expected.outboxHead !== actual.outboxHead) {
    problems.push(`outbox head ${actual.outboxHead}, expected ${expected.outboxHead}`);
  }
  return problems;
}
