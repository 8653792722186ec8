import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import {
  crawlRuns,
  ingestBatches,
  outbox,
  sources,
  vacancies,
  vacancyEvents,
  vacancySources,
} from '../../src/db/schema.ts';
import type { RawPostingInput } from '../../src/domain/posting.ts';
import { closeExpired } from '../../src/vacancies/ingest/close-expired.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

const NOW = new Date('2026-11-20T09:00:00Z');

function posting(overrides: Partial<RawPostingInput> = {}): RawPostingInput {
  const externalId = overrides.externalId ?? 'job-1';
  return {
    externalId,
    url: `https://karriere.beispiel-logistik.invalid/jobs/${externalId}`,
    title: 'Fachkraft für Lagerlogistik (m/w/d)',
    description: 'Wir suchen ab sofort eine Fachkraft für Lagerlogistik in Vollzeit. Staplerschein erforderlich.',
    employerName: 'Beispiel Logistik GmbH',
    locations: [{ plz: '70565', city: 'Stuttgart' }],
    employmentTypes: ['FULL_TIME'],
    datePosted: '2026-11-18',
    ...overrides,
  };
}

describe.each(testDatabases())('ingest on $name', (factory) => {
  let database: Database;
  const ctx = () => testContext(database.db, NOW);
  let careers: string;
  let board: string;
  let ba: string;

  beforeAll(async () => {
    database = await openMigrated(factory);
    const rows = await database.db
      .insert(sources)
      .values([
        {
          name: 'Beispiel Karriereseite',
          type: 'jsonld',
          url: 'https://karriere.beispiel-logistik.invalid/jobs',
          legalBasis: 'test',
        },
        { name: 'Beispiel Jobbörse', type: 'feed', url: 'https://board.invalid/feed', legalBasis: 'test' },
        { name: 'BA Jobsuche', type: 'ba_jobsuche', url: 'https://ba.invalid', legalBasis: 'test' },
      ])
      .returning({ id: sources.id });
    careers = rows[0]!.id;
    board = rows[1]!.id;
    ba = rows[2]!.id;
  });
  afterAll(async () => database.close());

  async function ingest(sourceId: string, postings: unknown[], run?: { complete: boolean; startedAt: Date }) {
    let crawlRunId: string | null = null;
    if (run) {
      const [r] = await database.db
        .insert(crawlRuns)
        .values({ sourceId, startedAt: run.startedAt, complete: run.complete, status: 'succeeded' })
        .returning({ id: crawlRuns.id });
      crawlRunId = r!.id;
    }
    const [batch] = await database.db
      .insert(ingestBatches)
      .values({ sourceId, crawlRunId, postings, closesRun: !!run?.complete })
      .returning({ id: ingestBatches.id });
    const result = await ingestBatch(ctx(), batch!.id);
    return { ...result, batchId: batch!.id };
  }

  async function vacancyOf(sourceId: string, externalId: string) {
    const [link] = await database.db
      .select()
      .from(vacancySources)
      .where(and(eq(vacancySources.sourceId, sourceId), eq(vacancySources.externalId, externalId)));
    const [v] = await database.db.select().from(vacancies).where(eq(vacancies.id, link!.vacancyId));
    return { link: link!, vacancy: v! };
  }

  it('stores a new posting normalised, with its source link, an event and outbox rows', async () => {
    const r = await ingest(careers, [posting()]);
    expect(r.stats).toMatchObject({ fetched: 1, new: 1, errors: 0 });
    const { vacancy } = await vacancyOf(careers, 'job-1');
    expect(vacancy).toMatchObject({ status: 'open', plz: '70565', employerName: 'Beispiel Logistik GmbH' });
    expect(vacancy.kldbCode).toMatch(/^513/);
    expect(vacancy.workingTimes).toContain('vollzeit');
    expect(vacancy.licences).toContain('STAPLER');
    const events = await database.db.select().from(vacancyEvents).where(eq(vacancyEvents.vacancyId, vacancy.id));
    expect(events.map((e) => e.kind)).toEqual(['opened']);
    const rows = await database.db.select().from(outbox).where(eq(outbox.aggregateId, vacancy.id));
    expect(rows.map((o) => o.topic).sort()).toEqual(['index', 'match']);
  });

  it('skips a batch delivered a second time', async () => {
    const r = await ingest(careers, [posting({ externalId: 'job-twice', title: 'Lagerhelfer (m/w/d)' })]);
    expect(r.status).toBe('done');
    expect((await ingestBatch(ctx(), r.batchId)).status).toBe('skipped');
    expect(
      (await database.db.select().from(vacancySources).where(eq(vacancySources.externalId, 'job-twice'))).length,
    ).toBe(1);
  });

  it('counts an identical re-crawl as unchanged and a changed one as updated', async () => {
    expect((await ingest(careers, [posting()])).stats).toMatchObject({ unchanged: 1, new: 0 });
    const r = await ingest(careers, [
      posting({ description: 'Jetzt in Teilzeit: Fachkraft für Lagerlogistik gesucht.' }),
    ]);
    expect(r.stats).toMatchObject({ updated: 1 });
    const { vacancy } = await vacancyOf(careers, 'job-1');
    expect(vacancy.workingTimes).toContain('teilzeit');
  });

  it('links the same vacancy from another board to the existing one instead of counting it twice', async () => {
    const r = await ingest(board, [
      posting({
        externalId: 'board-77',
        url: 'https://board.invalid/77',
        title: 'Fachkraft Lagerlogistik (w/m/d)',
        employerName: 'Beispiel Logistik',
        locations: [{ plz: '70565', city: 'Stuttgart' }],
      }),
    ]);
    expect(r.stats).toMatchObject({ duplicates: 1, new: 0 });
    const a = await vacancyOf(careers, 'job-1');
    const b = await vacancyOf(board, 'board-77');
    expect(b.vacancy.id).toBe(a.vacancy.id);
  });

  it('keeps the same title in another town, and the same title at another employer, separate', async () => {
    const r = await ingest(board, [
      posting({
        externalId: 'board-78',
        url: 'https://board.invalid/78',
        locations: [{ plz: '20095', city: 'Hamburg' }],
      }),
      posting({ externalId: 'board-79', url: 'https://board.invalid/79', employerName: 'Muster Spedition AG' }),
    ]);
    expect(r.stats).toMatchObject({ new: 2, duplicates: 0 });
  });

  it('links a BA re-listing to its origin by URL', async () => {
    const r = await ingest(ba, [
      posting({
        externalId: '10000-1-S',
        url: 'https://ba.invalid/ba/1',
        originUrl: 'https://karriere.beispiel-logistik.invalid/jobs/job-1',
        title: 'Lagerist',
      }),
    ]);
    expect(r.stats).toMatchObject({ duplicates: 1 });
  });

  it('counts malformed postings as errors and keeps the rest', async () => {
    const r = await ingest(careers, [{ title: '' }, 'garbage', null, posting({ externalId: 'job-ok' })]);
    expect(r.stats).toMatchObject({ fetched: 4, errors: 3, new: 1 });
  });

  it('closes a posting missing from two complete crawls, records it, and reopens it when it returns', async () => {
    await ingest(careers, [posting({ externalId: 'job-lifecycle', title: 'Koch (m/w/d)' })]);
    const others = [posting()];
    const t1 = new Date(NOW.getTime() + 1000);
    await ingest(careers, others, { complete: true, startedAt: t1 });
    expect((await vacancyOf(careers, 'job-lifecycle')).vacancy.status).toBe('open');
    const t2 = new Date(NOW.getTime() + 2000);
    const second = await ingest(careers, others, { complete: true, startedAt: t2 });
    expect(second.stats?.closed).toBeGreaterThanOrEqual(1);
    const closed = await vacancyOf(careers, 'job-lifecycle');
    expect(closed.vacancy).toMatchObject({ status: 'closed', closeReason: 'missing_from_source' });
    const back = await ingest(careers, [posting({ externalId: 'job-lifecycle', title: 'Koch (m/w/d)' })]);
    expect(back.stats).toMatchObject({ reopened: 1 });
    const events = await database.db.select().from(vacancyEvents).where(eq(vacancyEvents.vacancyId, closed.vacancy.id));
    expect(events.map((e) => e.kind)).toEqual(['opened', 'closed', 'reopened']);
  });

  it('does not close anything after an incomplete crawl', async () => {
    await ingest(careers, [posting({ externalId: 'job-incomplete' })]);
    for (const ms of [3000, 4000, 5000])
      await ingest(careers, [], { complete: false, startedAt: new Date(NOW.getTime() + ms) });
    expect((await vacancyOf(careers, 'job-incomplete')).vacancy.status).toBe('open');
  });

  it('closes vacancies past validThrough', async () => {
    await ingest(careers, [
      posting({ externalId: 'job-expiring', title: 'Verkäufer (m/w/d)', validThrough: '2026-11-25' }),
    ]);
    const later = testContext(database.db, new Date('2026-12-01T00:00:00Z'));
    expect(await closeExpired(later)).toBeGreaterThanOrEqual(1);
    const { vacancy } = await vacancyOf(careers, 'job-expiring');
    expect(vacancy).toMatchObject({ status: 'closed', closeReason: 'expired' });
    // The source still lists it unchanged: nothing is rewritten, and it stays closed.
    const events = async () =>
      (await database.db.select().from(vacancyEvents).where(eq(vacancyEvents.vacancyId, vacancy.id))).length;
    const before = await events();
    const [batch] = await database.db
      .insert(ingestBatches)
      .values({
        sourceId: careers,
        postings: [posting({ externalId: 'job-expiring', title: 'Verkäufer (m/w/d)', validThrough: '2026-11-25' })],
      })
      .returning({ id: ingestBatches.id });
    expect((await ingestBatch(later, batch!.id)).stats).toMatchObject({ unchanged: 1, updated: 0, reopened: 0 });
    expect(await events()).toBe(before);
    expect((await vacancyOf(careers, 'job-expiring')).vacancy.status).toBe('closed');
  });
});
