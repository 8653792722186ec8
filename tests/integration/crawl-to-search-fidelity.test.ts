/**
 * Field fidelity of real-world formats (issue 11), each failure class through the whole path: a source crawled from
 * the fixture server (runCrawl), staged and ingested (ingestRunNow), indexed (embedded engine) and read back as the
 * public search and detail show it. Employers are synthetic.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCrawl } from '../../crawlers/run-crawl.ts';
import type { Database } from '../../src/db/client.ts';
import { sources, vacancies, vacancyEvents, vacancySources } from '../../src/db/schema.ts';
import { lookupPlace } from '../../src/geo/plz.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { rebuildIndex } from '../../src/search/index-sync.ts';
import { SearchQuery } from '../../src/search/search-engine.ts';
import { closeExpired } from '../../src/vacancies/ingest/close-expired.ts';
import { ingestRunNow } from '../../src/vacancies/ingest/ingest-run.ts';
import { getPublicVacancy } from '../../src/vacancies/public-vacancy.ts';
import { vacancyDetailJson, vacancyHitJson } from '../../src/vacancies/vacancy.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const noWait = { acquire: async () => {} };

describe.each(testDatabases())('crawl to search, field fidelity, on $name', (factory) => {
  let database: Database;
  let server: FixtureServer;
  const ctx = () => testContext(database.db, NOW);
  const search = createEmbeddedSearchEngine();

  beforeAll(async () => {
    database = await openMigrated(factory);
    server = await startFixtureServer();
  });
  afterAll(async () => {
    await server?.close();
    await database?.close();
  });

  async function addSource(type: (typeof sources.$inferInsert)['type'], path: string, config = {}) {
    const [row] = await database.db
      .insert(sources)
      .values({ name: `Test ${type} ${path}`, type, url: `${server.origin}${path}`, config, legalBasis: 'Test' })
      .returning({ id: sources.id });
    return row!.id;
  }

  async function crawl(sourceId: string) {
    const deps = {
      ctx: ctx(),
      crawl: {
        contactUrl: 'https://jobbruecke.example/kontakt',
        allowedPrivateHosts: [new URL(server.origin).host],
        baJobsucheUrl: '',
      },
      rateLimiter: noWait,
    };
    const run = await runCrawl(deps, sourceId);
    const report = await ingestRunNow(ctx(), run.runId!);
    await rebuildIndex(ctx(), search);
    return report;
  }

  async function near(town: string, q?: string, radiusKm = 15) {
    const place = lookupPlace(town)!;
    const result = await search.search(SearchQuery.parse({ q, near: { lat: place.lat, lon: place.lon, radiusKm } }));
    return result.hits.map(vacancyHitJson);
  }

  async function vacancyOf(sourceId: string, externalId: string) {
    const [link] = await database.db
      .select({ vacancyId: vacancySources.vacancyId })
      .from(vacancySources)
      .where(and(eq(vacancySources.sourceId, sourceId), eq(vacancySources.externalId, externalId)));
    return link!.vacancyId;
  }

  async function detail(id: string) {
    const { vacancy, links } = await getPublicVacancy(ctx(), id);
    return vacancyDetailJson(vacancy, links);
  }

  it('JSON-LD: @id references in @graph, several places (one in English), a bare salary with the stated period, remote', async () => {
    const id = await addSource('jsonld', '/fidelity/graph-places.html');
    const report = await crawl(id);
    expect(report).toMatchObject({ new: 2, errors: 0 });
    const job = await detail(await vacancyOf(id, 'KT-2026-07'));
    expect(job.employer).toBe('Beispiel Kältetechnik GmbH');
    expect(job.places.map((p) => p.place)).toEqual(['Stuttgart', 'Köln']);
    expect(job.places[1]?.lat).not.toBeNull();
    expect(job.salary).toEqual({ min: 3400, max: 3400, currency: 'EUR', unit: 'month' });
    // Found around either place, and around Köln under Köln's name.
    expect((await near('Stuttgart')).map((h) => h.title)).toContain('Mechatroniker für Kältetechnik (m/w/d)');
    const aroundKoeln = await near('Köln');
    expect(aroundKoeln).toEqual([
      expect.objectContaining({ place: 'Köln', title: 'Mechatroniker für Kältetechnik (m/w/d)' }),
    ]);
    expect(aroundKoeln[0]?.distance_km).toBeLessThan(15);
    const remote = await detail(await vacancyOf(id, 'KT-2026-08'));
    expect(remote).toMatchObject({ remote: true, employer: 'Beispiel Kältetechnik GmbH' });
    expect(remote.salary).toEqual({ min: 48000, max: 56000, currency: 'EUR', unit: 'year' });
  });

  it('feed: employer and place from the text, joblisting namespace (English town name, salary, "Remote"), staleness', async () => {
    const id = await addSource('feed', '/fidelity/text-only.rss');
    await crawl(id);
    const care = await detail(await vacancyOf(id, 'portal-4711'));
    expect(care).toMatchObject({ employer: 'Beispiel Pflegedienst Sonnenschein gGmbH', plz: '89073', place: 'Ulm' });
    expect((await near('Ulm', 'Pflegefachkraft')).map((h) => h.title)).toEqual(['Pflegefachkraft ambulant (m/w/d)']);
    const warehouse = await detail(await vacancyOf(id, 'portal-4712'));
    expect(warehouse).toMatchObject({ employer: 'Beispiel Versand KG', place: 'Nürnberg' });
    expect(warehouse.salary).toEqual({ min: 16.5, max: 16.5, currency: 'EUR', unit: 'hour' });
    expect((await near('Nürnberg')).map((h) => h.title)).toEqual(['Lagerhelfer (m/w/d)']);
    const phone = await detail(await vacancyOf(id, 'portal-4713'));
    // "Remote" is no town, and a bare 2800 without a period is left out.
    expect(phone).toMatchObject({ remote: true, place: null, salary: null });
    // Published a year before this crawl without end date, on a board: stored closed, never searchable.
    const old = await vacancyOf(id, 'portal-1999');
    const [row] = await database.db.select().from(vacancies).where(eq(vacancies.id, old));
    expect(row).toMatchObject({ status: 'closed', closeReason: 'stale' });
    expect((await near('Ulm', 'Reinigungskraft')).length).toBe(0);
  });

  it('Personio: the office and every additional office, foreign names in German, searchable around each', async () => {
    const id = await addSource('personio', '/fidelity/personio-offices.xml');
    await crawl(id);
    const job = await detail(await vacancyOf(id, '880011'));
    expect(job.places.map((p) => p.place)).toEqual(['Reutlingen', 'Tübingen', 'München']);
    for (const town of ['Reutlingen', 'Tübingen', 'München'])
      expect(
        (await near(town, 'Verkäufer')).map((h) => h.title),
        town,
      ).toEqual(['Verkäufer Bäckerei (m/w/d)']);
  });

  it('BA: a short page before the promised end is not the end; salary ranges with their period; home office', async () => {
    const id = await addSource('ba_jobsuche', '/ba', { path: '/pc/v6-short/jobs', pageSize: 3 });
    const report = await crawl(id);
    expect(report).toMatchObject({ fetched: 4, new: 4, complete: true });
    expect((await detail(await vacancyOf(id, '10000-1000000201-S'))).salary).toEqual({
      min: 17.5,
      max: 21,
      currency: 'EUR',
      unit: 'hour',
    });
    const office = await detail(await vacancyOf(id, '10000-1000000202-S'));
    expect(office).toMatchObject({ remote: true, salary: null });
    expect((await detail(await vacancyOf(id, '10000-1000000203-S'))).salary).toEqual({
      min: 2400,
      currency: 'EUR',
      unit: 'month',
    });

    const gap = await addSource('ba_jobsuche', '/ba', { path: '/pc/v6-gap/jobs', pageSize: 3 });
    const partial = await crawl(gap);
    expect(partial).toMatchObject({ fetched: 2, complete: false });
  });

  it('dedupe: an employer-less ad on two mirrors is one vacancy; two ids of one source stay two', async () => {
    const a = await addSource('feed', '/fidelity/mirror-a.rss');
    const b = await addSource('feed', '/fidelity/mirror-b.rss');
    await crawl(a);
    const report = await crawl(b);
    expect(report).toMatchObject({ duplicates: 1, new: 0 });
    expect(await vacancyOf(b, 'b-7781')).toBe(await vacancyOf(a, 'a-100'));
    expect(await vacancyOf(a, 'a-101')).not.toBe(await vacancyOf(a, 'a-100'));
    expect((await near('Heilbronn', 'Küchenhilfe')).length).toBe(2);
  });

  it('staleness sweep: closes an old posting without end date with an event, unless its employer still lists it', async () => {
    const later = testContext(database.db, new Date(NOW.getTime() + 121 * 86_400_000));
    await closeExpired(later);
    const personio = await vacancyOf(
      (await database.db.select().from(sources).where(eq(sources.type, 'personio')))[0]!.id,
      '880011',
    );
    const mirror = await vacancyOf(
      (
        await database.db
          .select()
          .from(sources)
          .where(eq(sources.url, `${server.origin}/fidelity/mirror-a.rss`))
      )[0]!.id,
      'a-101',
    );
    const status = async (id: string) =>
      (
        await database.db
          .select({ s: vacancies.status, r: vacancies.closeReason })
          .from(vacancies)
          .where(eq(vacancies.id, id))
      )[0];
    expect(await status(personio)).toEqual({ s: 'open', r: null });
    expect(await status(mirror)).toEqual({ s: 'closed', r: 'stale' });
    const events = await database.db.select().from(vacancyEvents).where(eq(vacancyEvents.vacancyId, mirror));
    expect(events.at(-1)).toMatchObject({ kind: 'closed', detail: { reason: 'stale' } });
  });
});
