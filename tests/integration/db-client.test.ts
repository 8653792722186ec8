/**
 * The embedded database's client holds Drizzle's per-statement parsers in PGlite's own table (src/db/client.ts):
 * values read through it must be exactly those Drizzle reads from a plain PGlite, and the list of types it holds must
 * be the one the installed Drizzle passes.
 */
import { PGlite } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Database, DRIZZLE_TEXT_TYPES, openPglite } from '../../src/db/client.ts';
import { appMeta, branches } from '../../src/db/schema.ts';

const TYPED_VALUES = sql`select
  '2026-11-27 10:00:00+01'::timestamptz as tz, '2026-11-27 10:00:00'::timestamp as ts, '2026-11-27'::date as d,
  '1 day 02:00'::interval as i, array['2026-11-27 10:00:00+01'::timestamptz, null] as tza,
  array['2026-11-27 10:00:00'::timestamp] as tsa, array['2026-11-27'::date] as da, array['1 day'::interval] as ia,
  array[1.5::numeric] as na, 1.25::numeric as n, array['a', 'b,c'] as ta, 42::int8 as big, '{"a": [1]}'::jsonb as j,
  true as b, null::text as nothing`;

describe('embedded database client', () => {
  let database: Database;
  let plain: PGlite;

  beforeAll(async () => {
    database = await openPglite(undefined);
    await database.migrate();
    plain = await PGlite.create();
  });
  afterAll(async () => {
    await database?.close();
    await plain?.close();
  });

  it('holds exactly the parsers the installed Drizzle passes with its statements, each leaving text as it is', async () => {
    const seen: Array<Record<string, (value: string) => unknown> | undefined> = [];
    const recording = new Proxy(plain, {
      get(target, property) {
        if (property === 'query') {
          return (text: string, params: unknown[], options?: { parsers?: Record<string, (v: string) => unknown> }) => {
            seen.push(options?.parsers);
            return target.query(text, params, options);
          };
        }
        const value = Reflect.get(target, property, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const db = drizzle(recording);
    await db.execute(sql`select 1`);
    await db.select({ one: sql<number>`1` }).from(sql`(select 1) as t`);
    expect(seen).toHaveLength(2);
    for (const parsers of seen) {
      expect(new Set(Object.keys(parsers ?? {}).map(Number))).toEqual(DRIZZLE_TEXT_TYPES);
      for (const parse of Object.values(parsers ?? {}))
        expect(parse('2026-11-27 10:00:00+01')).toBe('2026-11-27 10:00:00+01');
    }
  });

  it('reads every type as Drizzle reads it from a plain PGlite, in and out of transactions', async () => {
    // The common Db type does not say what a driver's raw result looks like; PGlite's has `rows`.
    const rowsOf = (result: unknown) => (result as { rows: unknown[] }).rows;
    const expected = rowsOf(await drizzle(plain).execute(TYPED_VALUES));
    expect(rowsOf(await database.db.execute(TYPED_VALUES))).toEqual(expected);
    const inTransaction = await database.db.transaction(async (tx) => rowsOf(await tx.execute(TYPED_VALUES)));
    expect(inTransaction).toEqual(expected);
  });

  it('maps timestamp and array columns of the schema to dates and arrays', async () => {
    const at = new Date('2026-11-27T09:00:00.123Z');
    await database.db.insert(appMeta).values({ key: 'db-client-test', value: 'synthetisch', updatedAt: at });
    await database.db
      .insert(branches)
      .values({ id: 901, name: 'Synthetik', plz: '01067', catchmentPlz: ['01067', '01069'] });
    const read = await database.db.transaction(async (tx) => ({
      meta: await tx.select().from(appMeta).where(eq(appMeta.key, 'db-client-test')),
      branch: await tx.select({ plz: branches.catchmentPlz }).from(branches).where(eq(branches.id, 901)),
    }));
    expect(read.meta).toEqual([{ key: 'db-client-test', value: 'synthetisch', updatedAt: at }]);
    expect(read.branch).toEqual([{ plz: ['01067', '01069'] }]);
  });
});
