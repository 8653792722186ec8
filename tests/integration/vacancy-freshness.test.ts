/**
 * A vacancy listed by several sources shows, field by field, the freshest value of its most authoritative source
 * (the employer's own site over the BA over other boards), and each change is an event in its history.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { ingestBatches, sources, vacancies, vacancyEvents, vacancySources } from '../../src/db/schema.ts';
import type { RawPostingInput } from '../../src/domain/posting.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

const NOW = new Date('2026-11-20T09:00:00Z');

const posting = (overrides: Partial<RawPostingInput>): RawPostingInput => ({
  externalId: 'x',
  title: 'Elektroniker für Energie- und Gebäudetechnik (m/w/d)',
  description: 'Installation und Wartung elektrischer Anlagen in Wohn- und Gewerbebauten.',
  employerName: 'Beispiel Elektro Haustechnik GmbH',
  locations: [{ plz: '70173', city: 'Stuttgart' }],
  datePosted: '2026-11-15',
  ...overrides,
});

describe.each(testDatabases())('vacancy freshness on $name', (factory) => {
  let database: Database;
  let board: string;
  let ba: string;
  let own: string;
  let clock = NOW.getTime();

  beforeAll(async () => {
    database = await openMigrated(factory);
    const rows = await database.db
      .insert(sources)
      .values([
        { name: 'Beispiel Jobbörse', type: 'feed', url: 'https://board.invalid/feed', legalBasis: 'Test' },
        { name: 'BA', type: 'ba_jobsuche', url: 'https://ba.invalid', legalBasis: 'Test' },
        { name: 'Karriereseite', type: 'jsonld', url: 'https://elektro.invalid/karriere', legalBasis: 'Test' },
      ])
      .returning({ id: sources.id });
    [board, ba, own] = rows.map((r) => r.id) as [string, string, string];
  });
  afterAll(async () => database?.close());

  async function ingest(sourceId: string, postings: RawPostingInput[]) {
    clock += 3_600_000;
    const [batch] = await database.db.insert(ingestBatches).values({ sourceId, postings }).returning();
    return (await ingestBatch(testContext(database.db, new Date(clock)), batch!.id)).stats;
  }
  async function shown() {
    const [link] = await database.db.select().from(vacancySources).where(eq(vacancySources.externalId, 'board-1'));
    const [v] = await database.db.select().from(vacancies).where(eq(vacancies.id, link!.vacancyId));
    const events = await database.db.select().from(vacancyEvents).where(eq(vacancyEvents.vacancyId, v!.id));
    return { vacancy: v!, events: events.sort((a, b) => a.id - b.id) };
  }

  it('takes the employer’s own values over a board’s, field by field, and records the change', async () => {
    await ingest(board, [posting({ externalId: 'board-1', salary: { min: 3000, currency: 'EUR', unit: 'month' } })]);
    // The employer's page names another street address in town and no salary.
    const stats = await ingest(own, [
      posting({
        externalId: 'own-1',
        title: 'Elektroniker Energie- und Gebäudetechnik (m/w/d)',
        locations: [{ plz: '70174', city: 'Stuttgart' }],
      }),
    ]);
    expect(stats).toMatchObject({ duplicates: 1, new: 0 });
    const { vacancy, events } = await shown();
    expect(vacancy).toMatchObject({ plz: '70174', title: 'Elektroniker Energie- und Gebäudetechnik (m/w/d)' });
    // A field the employer leaves empty keeps the board's value.
    expect(vacancy.salary).toEqual({ min: 3000, currency: 'EUR', unit: 'month' });
    expect(events.at(-1)).toMatchObject({
      kind: 'merged',
      detail: { sourceId: own, fields: expect.arrayContaining(['plz', 'title']) },
    });
  });

  it('a board’s later change does not override the employer, but the employer’s own change is shown at once', async () => {
    const before = (await shown()).events.length;
    const boardChange = await ingest(board, [
      posting({
        externalId: 'board-1',
        locations: [{ plz: '70176', city: 'Stuttgart' }],
        salary: { min: 3000, currency: 'EUR', unit: 'month' },
      }),
    ]);
    expect(boardChange).toMatchObject({ unchanged: 1, updated: 0 });
    expect((await shown()).vacancy.plz).toBe('70174');
    expect((await shown()).events.length).toBe(before);

    await ingest(own, [
      posting({
        externalId: 'own-1',
        title: 'Elektroniker Energie- und Gebäudetechnik (m/w/d)',
        locations: [{ plz: '70178', city: 'Stuttgart' }],
      }),
    ]);
    const { vacancy, events } = await shown();
    expect(vacancy.plz).toBe('70178');
    expect(events.at(-1)).toMatchObject({ kind: 'updated', detail: { sourceId: own, fields: ['plz', 'lat', 'lon'] } });
  });

  it('among sources of equal rank the freshest wins; the BA outranks a board', async () => {
    await ingest(board, [
      posting({
        externalId: 'b-2',
        title: 'Kfz-Mechatroniker (m/w/d)',
        locations: [{ plz: '71032', city: 'Böblingen' }],
        employerName: 'Beispiel Autohaus GmbH',
        validThrough: '2027-01-31',
      }),
    ]);
    await ingest(ba, [
      posting({
        externalId: 'ba-2',
        title: 'Kfz-Mechatroniker (m/w/d)',
        locations: [{ plz: '71032', city: 'Böblingen' }],
        employerName: 'Beispiel Autohaus GmbH',
        validThrough: '2027-02-28',
      }),
    ]);
    const [link] = await database.db.select().from(vacancySources).where(eq(vacancySources.externalId, 'b-2'));
    const [v] = await database.db.select().from(vacancies).where(eq(vacancies.id, link!.vacancyId));
    expect(v!.validThrough?.toISOString().slice(0, 10)).toBe('2027-02-28');
  });
});
