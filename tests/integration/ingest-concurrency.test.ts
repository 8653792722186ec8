/**
 * Ingest with several workers at once (the scale-out mode): a re-listing whose original another worker is storing at
 * that moment is still linked to it, and a batch delivered to two workers at once is processed once. Real concurrent
 * transactions need PostgreSQL.
 */
import { eq, sql } from 'drizzle-orm';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { ingestBatches, sources, vacancies, vacancySources } from '../../src/db/schema.ts';
import type { RawPostingInput } from '../../src/domain/posting.ts';
import { OUTBOX_LOCK_KEY } from '../../src/outbox/append.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

function posting(overrides: Partial<RawPostingInput>): RawPostingInput {
  return {
    externalId: 'job-1',
    url: 'https://karriere.beispiel-logistik.invalid/jobs/job-1',
    title: 'Fachkraft für Lagerlogistik (m/w/d)',
    description: 'Wir suchen ab sofort eine Fachkraft für Lagerlogistik in Vollzeit. Staplerschein erforderlich.',
    employerName: 'Beispiel Logistik GmbH',
    locations: [{ plz: '70565', city: 'Stuttgart' }],
    employmentTypes: ['FULL_TIME'],
    datePosted: '2026-11-18',
    ...overrides,
  };
}

describe.each(testDatabases().filter((f) => f.name === 'postgres'))('concurrent ingest on $name', (factory) => {
  let database: Database;
  /** A connection of its own, playing the part that keeps both ingest transactions open at once. */
  let holder: pg.Client;
  let careers: string;
  let board: string;
  const ctx = () => testContext(database.db);

  beforeEach(async () => {
    database = await openMigrated(factory);
    const result = (await database.db.execute(sql`select current_database() as name`)) as unknown as {
      rows: Array<{ name: string }>;
    };
    const url = new URL(inject('postgresUrl')!);
    url.pathname = `/${result.rows[0]!.name}`;
    holder = new pg.Client({ connectionString: url.toString() });
    await holder.connect();
    const rows = await database.db
      .insert(sources)
      .values([
        {
          name: 'Karriereseite',
          type: 'jsonld',
          url: 'https://karriere.beispiel-logistik.invalid/',
          legalBasis: 'test',
        },
        { name: 'Jobbörse', type: 'feed', url: 'https://board.invalid/', legalBasis: 'test' },
      ])
      .returning({ id: sources.id });
    careers = rows[0]!.id;
    board = rows[1]!.id;
  });
  afterEach(async () => {
    await holder.end();
    await database.close();
  });

  async function stage(sourceId: string, postings: RawPostingInput[]): Promise<string> {
    const [batch] = await database.db
      .insert(ingestBatches)
      .values({ sourceId, postings })
      .returning({ id: ingestBatches.id });
    return batch!.id;
  }

  /**
   * Runs the ingests while the holder keeps the outbox lock, which every ingest transaction takes last, just before
   * its commit: they start together and none commits before `waiting` of them wait for a lock, so each has come as
   * far as it can before the first commits.
   */
  async function atOnce<T>(waiting: number, ingests: Array<() => Promise<T>>): Promise<T[]> {
    await holder.query('select pg_advisory_lock($1)', [OUTBOX_LOCK_KEY]);
    const running = Promise.all(ingests.map((ingest) => ingest()));
    const deadline = Date.now() + 30_000;
    for (;;) {
      const { rows } = await holder.query<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
      );
      if (rows[0]!.n >= waiting) break;
      if (Date.now() > deadline) throw new Error('the ingest transactions never both waited for a lock');
      await new Promise((r) => setTimeout(r, 20));
    }
    await holder.query('select pg_advisory_unlock($1)', [OUTBOX_LOCK_KEY]);
    return running;
  }

  it('links a re-listing to its original while another worker is still storing the original', async () => {
    const original = await stage(careers, [posting({})]);
    const relisting = await stage(board, [
      posting({
        externalId: 'board-77',
        url: 'https://board.invalid/77',
        title: 'Fachkraft Lagerlogistik (w/m/d)',
        employerName: 'Beispiel Logistik',
      }),
    ]);
    const results = await atOnce(2, [() => ingestBatch(ctx(), original), () => ingestBatch(ctx(), relisting)]);

    expect(results.map((r) => r.status)).toEqual(['done', 'done']);
    // Whichever went first stored the vacancy; the other found it.
    expect(results.map((r) => r.stats?.new ?? 0).reduce((a, b) => a + b)).toBe(1);
    expect(results.map((r) => r.stats?.duplicates ?? 0).reduce((a, b) => a + b)).toBe(1);
    const stored = await database.db.select({ id: vacancies.id }).from(vacancies);
    expect(stored).toHaveLength(1);
    const links = await database.db
      .select({ vacancyId: vacancySources.vacancyId })
      .from(vacancySources)
      .where(eq(vacancySources.vacancyId, stored[0]!.id));
    expect(links).toHaveLength(2);
  });

  it('processes a batch delivered to two workers at once only once', async () => {
    const batch = await stage(careers, [
      posting({}),
      posting({
        externalId: 'job-2',
        url: 'https://karriere.beispiel-logistik.invalid/jobs/job-2',
        title: 'Koch (m/w/d)',
      }),
    ]);
    const results = await atOnce(2, [() => ingestBatch(ctx(), batch), () => ingestBatch(ctx(), batch)]);

    expect(results.map((r) => r.status).sort()).toEqual(['done', 'skipped']);
    expect(results.find((r) => r.status === 'done')?.stats).toMatchObject({ fetched: 2, new: 2 });
    expect(await database.db.select().from(vacancySources)).toHaveLength(2);
    expect(await database.db.select().from(vacancies)).toHaveLength(2);
  });
});
