/**
 * The matcher's full loads read pages as one JSON text (matchers/service/json-rows.ts): the rows must be exactly what
 * Drizzle's row-by-row select returns, for every column type of both tables, nulls, several places, dates and
 * timestamps with microseconds included, and the pages must hold every row once.
 */
import { asc, getTableColumns, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selectAsJson } from '../../matchers/service/json-rows.ts';
import { loadAllProfiles, loadAllVacancies, toProfile, toVacancy } from '../../matchers/service/load.ts';
import { MATCH_PROFILE_COLUMNS } from '../../src/customers/access.ts';
import type { Database } from '../../src/db/client.ts';
import { branches, customers, vacancies } from '../../src/db/schema.ts';
import { generateCustomers } from '../../src/demo/synthetic-customers.ts';
import { vacancyColumns } from '../../src/vacancies/vacancy.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');

describe.each(testDatabases())('matcher load as JSON on $name', (factory) => {
  let database: Database;
  const ctx = testContext(undefined as never, NOW);

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx.db = database.db;
    const ids = await insertSyntheticVacancies(database.db, 700, NOW);
    // Values the synthetic rows do not have: several places, no code, a remote job without a place, microseconds,
    // a start date, other statuses, text that needs escaping in JSON.
    await database.db.execute(sql`
      update ${vacancies} set
        places = '[{"plz":"70173","place":"Stuttgart","lat":48.7784,"lon":9.18},{"plz":"20095","place":"Hamburg","lat":53.55,"lon":9.99}]'::jsonb,
        valid_through = '2026-12-01 10:11:12.345678+00', start_date = '2027-01-04',
        title = 'Koch "Chef" \\ Küche', skills = array['HACCP', 'Käse "Affineur"']
      where id = ${ids[0]}`);
    await database.db.execute(
      sql`update ${vacancies} set kldb_code = null, requirement_level = null where id = ${ids[1]}`,
    );
    await database.db.execute(
      sql`update ${vacancies} set remote = true, lat = null, lon = null, plz = null, place = null where id = ${ids[2]}`,
    );
    await database.db.execute(sql`update ${vacancies} set status = 'closed' where id = ${ids[3]}`);
    await database.db.execute(
      sql`update ${vacancies} set salary = '{"min": 2500.5, "currency": "EUR", "unit": "month"}'::jsonb where id = ${ids[4]}`,
    );

    await database.db.insert(branches).values({ id: 1, name: 'Zweigstelle Mitte', plz: '70173' });
    const generated = generateCustomers(
      [
        ['29302', 1],
        ['51312', 1],
      ],
      () => 1,
      NOW,
      3,
    ).slice(0, 600);
    await database.db.insert(customers).values(generated.map(({ protected: _p, ...c }) => c));
    const [first, second, third] = generated;
    await database.db.execute(
      sql`update ${customers} set blocked_until = '2026-12-24 23:59:59.999999+00', max_commute_km = 12.3 where id = ${first?.id}`,
    );
    await database.db.execute(sql`update ${customers} set restricted_at = now() where id = ${second?.id}`);
    await database.db.execute(sql`update ${customers} set target_kldb_codes = '{}' where id = ${third?.id}`);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('reads every column of both tables as the row-by-row select does', async () => {
    for (const table of [vacancies, customers]) {
      const columns = getTableColumns(table);
      const asJson = await selectAsJson<Record<string, unknown>>(ctx, columns, {
        from: table,
        where: undefined,
        orderBy: table.id,
        limit: 100_000,
      });
      const asRows = await ctx.db.select(columns).from(table).orderBy(asc(table.id));
      expect(asJson.length).toBeGreaterThan(500);
      expect(asJson).toEqual(asRows);
    }
  });

  it('loads in pages exactly the records the row-by-row select gives', async () => {
    const rows = await ctx.db
      .select(
        vacancyColumns([
          'id',
          'status',
          'startDate',
          'kldbCode',
          'kldbNeedsReview',
          'requirementLevel',
          'lat',
          'lon',
          'places',
          'remote',
          'workingTimes',
          'contractType',
          'offerType',
          'skills',
          'licences',
          'languages',
          'publishedAt',
          'validThrough',
        ]),
      )
      .from(vacancies)
      .orderBy(asc(vacancies.id));
    const open = rows.filter((r) => r.status === 'open');
    const expected = open.map(toVacancy);
    const loaded = { vacancies: [] as unknown[], unmatchable: [] as string[] };
    for await (const page of loadAllVacancies(ctx, 64)) {
      loaded.vacancies.push(...page.vacancies);
      loaded.unmatchable.push(...page.unmatchable);
    }
    expect(loaded.vacancies).toEqual(expected.filter((v) => v !== null));
    expect(loaded.unmatchable).toEqual(open.filter((_, i) => expected[i] === null).map((r) => r.id));
    expect(loaded.unmatchable.length).toBeGreaterThan(0);
    expect(loaded.vacancies.some((v) => (v as { places?: unknown[] }).places?.length === 2)).toBe(true);

    const customerRows = await ctx.db.select(MATCH_PROFILE_COLUMNS).from(customers).orderBy(asc(customers.id));
    const restricted = new Set(
      (await ctx.db.select({ id: customers.id }).from(customers).where(sql`restricted_at is not null`)).map(
        (r) => r.id,
      ),
    );
    const profiles = [];
    for await (const page of loadAllProfiles(ctx, 64)) profiles.push(...page);
    const expectedProfiles = customerRows.filter((r) => !restricted.has(r.id)).map(toProfile);
    expect(profiles).toEqual(expectedProfiles.filter((p) => p !== null));
    expect(expectedProfiles.filter((p) => p === null)).toHaveLength(1);
  });
});
