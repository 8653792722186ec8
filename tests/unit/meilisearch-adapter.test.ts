/**
 * The Meilisearch adapter against a fake server that answers like the real one (tests/unit/meilisearch-fake-server.ts):
 * what it sends (settings, batches, swaps) and how it behaves when the server is slow, refuses or is misconfigured.
 * The search behaviour itself is the contract suite's, against a real server (docs/search-engine.md).
 */
import { MeilisearchRequestTimeOutError } from 'meilisearch';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type MeilisearchEngineOptions, MeilisearchSearchEngine } from '../../src/search/meilisearch.ts';
import { toKey } from '../../src/search/meilisearch-documents.ts';
import { SearchQuery } from '../../src/search/search-engine.ts';
import type { VacancyDocument } from '../../src/vacancies/vacancy.ts';
import { FakeMeilisearch } from './meilisearch-fake-server.ts';

const KEY = 'test-key-not-secret';

interface Logged {
  level: 'info' | 'warn' | 'error';
  fields: Record<string, unknown>;
  message: string;
}

function vacancy(n: number, fields: Partial<VacancyDocument> = {}): VacancyDocument {
  return {
    id: `synthetic-${n}`,
    title: `Testberuf ${n} (m/w/d)`,
    description: 'Beschreibung einer erfundenen Stelle. '.repeat(20),
    employerName: 'Beispiel GmbH',
    place: 'Musterstadt',
    plz: '70173',
    lat: 48.78,
    lon: 9.18,
    places: [],
    kldbCode: '29302',
    kldbTitle: null,
    workingTimes: ['vollzeit'],
    contractType: 'unbefristet',
    offerType: 'arbeit',
    publishedAt: Date.UTC(2026, 0, 1) + n,
    ...fields,
  };
}

describe('Meilisearch adapter (fake server)', () => {
  let fake: FakeMeilisearch;
  let host: string;
  let logged: Logged[];

  const engine = (options: Partial<MeilisearchEngineOptions> = {}) => {
    const record = (level: Logged['level']) => (fields: Record<string, unknown>, message: string) =>
      void logged.push({ level, fields, message });
    const log = { info: record('info'), warn: record('warn'), error: record('error') } as never;
    return new MeilisearchSearchEngine({ host, apiKey: KEY, indexUid: 'vacancies', taskPollMs: 5, log, ...options });
  };
  const live = () => fake.indexes.get('vacancies');

  beforeEach(async () => {
    fake = new FakeMeilisearch({ key: KEY });
    host = await fake.start();
    logged = [];
  });
  afterEach(async () => {
    await fake.stop();
  });

  describe('init', () => {
    it('creates the index under "key" and sends settings that sort first, search the postcode and hide the description', async () => {
      await engine().init();
      expect(live()?.primaryKey).toBe('key');
      const [patch] = fake.requestsTo('PATCH', /^\/indexes\/vacancies\/settings$/);
      const settings = patch?.body as Record<string, string[]>;
      expect(settings.rankingRules?.[0]).toBe('sort');
      expect(settings.searchableAttributes).toContain('plz');
      expect(settings.displayedAttributes).toContain('title');
      expect(settings.displayedAttributes).not.toContain('description');
      expect(settings.stopWords).toEqual(
        expect.arrayContaining(['die', 'Die', 'DIE', 'für', 'Für', 'FÜR', 'M', 'W', 'D']),
      );
    });

    it('sends no settings on a restart when the server already holds them', async () => {
      await engine().init();
      await engine().init();
      expect(fake.requestsTo('PATCH', /settings$/)).toHaveLength(1);
    });

    it('refuses a server older than 1.28 with the reason and the way out', async () => {
      fake.version = '1.27.2';
      await expect(engine().init()).rejects.toThrow(/Meilisearch 1\.27\.2 is too old: .*1\.28\.0.*reindex/s);
      expect(fake.requestsTo('POST', /^\/indexes$/)).toHaveLength(0);
    });

    it('refuses an existing index with another primary key, and adopts one without a primary key', async () => {
      fake.addIndex('vacancies', 'id');
      await expect(engine().init()).rejects.toThrow(/already exists with primary key "id".*MEILI_INDEX/s);
      expect(fake.requestsTo('PATCH', /settings$/)).toHaveLength(0);

      fake.addIndex('vacancies', null);
      await engine().init();
      expect(live()?.primaryKey).toBe('key');
    });

    it('waits for a slow settings change beyond the task bound, logging progress, and gives up at its own bound', async () => {
      fake.settingsPolls = 30;
      const patient = engine({ taskTimeoutMs: 20, settingsTimeoutMs: 10_000, progressLogMs: 20 });
      await patient.init();
      expect(live()?.settings.rankingRules).toBeDefined();
      expect(logged.some((l) => l.message.startsWith('still waiting for the Meilisearch settings update'))).toBe(true);

      fake.settingsPolls = 1_000_000;
      fake.indexes.clear();
      const started = Date.now();
      await expect(engine({ settingsTimeoutMs: 150 }).init()).rejects.toThrow(
        /still processing after 0 s.*raise the wait/,
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(logged.some((l) => l.level === 'error' && l.message.includes('gave up waiting'))).toBe(true);
    });

    it('recommends a rebuild when the server was upgraded after the index was built', async () => {
      fake.addIndex('vacancies', 'key', '2026-01-01T00:00:00Z');
      fake.addFinishedTask('upgradeDatabase', '2026-02-01T00:00:00Z', { upgradeFrom: 'v1.28.0', upgradeTo: 'v1.30.0' });
      const upgraded = engine();
      await upgraded.init();
      expect(upgraded.rebuildRecommended).toMatch(/upgraded to 1\.30\.0/);
      expect(logged.some((l) => l.level === 'warn' && l.message.includes('jobbruecke reindex'))).toBe(true);
    });
  });

  describe('writes', () => {
    it('splits uploads by encoded size under the payload limit and loses no document', async () => {
      const small = engine({ maxPayloadBytes: 5_000 });
      await small.init();
      const docs = Array.from({ length: 12 }, (_, i) => vacancy(i));
      await small.upsert(docs);
      const uploads = fake.requestsTo('POST', /^\/indexes\/vacancies\/documents$/);
      // Twelve documents of about 1.1 kB: a count limit alone (1,000) would send one request.
      expect(uploads.length).toBeGreaterThanOrEqual(3);
      for (const upload of uploads) expect(upload.bytes).toBeLessThanOrEqual(5_000);
      expect(live()?.docs.size).toBe(12);
    });

    it('halves a batch the server refuses as too large until it fits', async () => {
      const big = engine();
      await big.init();
      fake.payloadLimit = 4_000;
      await big.upsert(Array.from({ length: 8 }, (_, i) => vacancy(i)));
      expect(live()?.docs.size).toBe(8);
      expect(fake.requestsTo('POST', /documents$/).some((r) => r.bytes > 4_000)).toBe(true);
    });

    it('leaves out a document the server refuses, keeps the others and does not resend it forever', async () => {
      const e = engine();
      await e.init();
      fake.rejectDocument = (doc) => (doc.title === 'ABGELEHNT' ? 'invalid_document_geo_field' : undefined);
      const docs = Array.from({ length: 8 }, (_, i) => vacancy(i, i === 5 ? { title: 'ABGELEHNT' } : {}));
      await e.upsert(docs);
      expect(live()?.docs.size).toBe(7);
      expect(live()?.docs.has(toKey('synthetic-5'))).toBe(false);
      // 1 + 2 + 2 + 2 uploads isolate one document among eight.
      expect(fake.requestsTo('POST', /documents$/).length).toBeLessThanOrEqual(7);
      expect(e.rejectedDocuments).toBe(1);
      const line = logged.find((l) => l.level === 'error');
      expect(line?.fields.vacancyId).toBe('synthetic-5');
    });

    it('throws on a server fault so the index follower retries the batch', async () => {
      const e = engine();
      await e.init();
      fake.rejectDocument = () => 'no_space_left_on_device';
      await expect(e.upsert([vacancy(1)])).rejects.toThrow(/failed: no_space_left_on_device/);
    });

    it('stores every place of a vacancy with several as GeoJSON points for the radius filter', async () => {
      const e = engine();
      await e.init();
      const places = [
        { plz: '70173', place: 'Stuttgart', lat: 48.78, lon: 9.18 },
        { plz: '50667', place: 'Köln', lat: 50.94, lon: 6.96 },
      ];
      await e.upsert([vacancy(1, { places }), vacancy(2)]);
      const several = live()?.docs.get(toKey('synthetic-1'));
      expect(several?._geo).toEqual({ lat: 48.78, lng: 9.18 });
      expect(several?._geojson).toEqual({
        type: 'MultiPoint',
        coordinates: [
          [9.18, 48.78],
          [6.96, 50.94],
        ],
      });
      expect(live()?.docs.get(toKey('synthetic-2'))).not.toHaveProperty('_geojson');
    });
  });

  describe('reads', () => {
    it('gets a vacancy through search, without the description and without the documents route', async () => {
      const e = engine();
      await e.init();
      await e.upsert([vacancy(1)]);
      const summary = await e.get('synthetic-1');
      expect(summary?.title).toBe('Testberuf 1 (m/w/d)');
      expect(summary).not.toHaveProperty('description');
      expect(await e.get('unknown')).toBeUndefined();
      expect(fake.requestsTo('GET', /\/documents\//)).toHaveLength(0);
    });

    it('sends a date sort with a text query, which the "sort"-first ranking applies to every match', async () => {
      const e = engine();
      await e.init();
      await e.search(SearchQuery.parse({ q: 'Lager', sort: 'date' }));
      const [request] = fake.requestsTo('POST', /\/search$/);
      expect((request?.body as { sort?: string[] } | undefined)?.sort).toEqual(['publishedAt:desc']);
    });

    it('reports unhealthy for a wrong key or a missing index, healthy otherwise, never asking the public /health', async () => {
      const e = engine();
      await e.init();
      expect(await e.health()).toBe(true);
      expect(await engine({ apiKey: 'wrong' }).health()).toBe(false);
      expect(await engine({ indexUid: 'missing' }).health()).toBe(false);
      expect(fake.requestsTo('GET', /^\/health$/)).toHaveLength(0);
    });

    it('gives up on a request the server does not answer', async () => {
      const e = engine({ requestTimeoutMs: 200 });
      await e.init();
      fake.hang = /\/search$/;
      const started = Date.now();
      const error = await e.search(SearchQuery.parse({ q: 'Koch' })).catch((err: unknown) => err);
      expect((error as Error).cause).toBeInstanceOf(MeilisearchRequestTimeOutError);
      expect(await e.health()).toBe(false);
      expect(Date.now() - started).toBeLessThan(3_000);
    });
  });

  describe('rebuild', () => {
    it('builds aside and swaps: searches see the old index until the swap, then only the new documents', async () => {
      const e = engine();
      await e.init();
      await e.upsert([vacancy(1), vacancy(2)]);
      await e.rebuild(async (write) => {
        await write([vacancy(3)]);
        expect(live()?.docs.size).toBe(2);
        // A change followed during the build reaches both indexes.
        await e.upsert([vacancy(4)]);
      });
      expect([...(live()?.docs.keys() ?? [])].sort()).toEqual([toKey('synthetic-3'), toKey('synthetic-4')].sort());
      expect(fake.indexes.has('vacancies_rebuild')).toBe(false);
      expect(fake.requestsTo('POST', /^\/swap-indexes$/)).toHaveLength(1);
      expect(fake.requestsTo('DELETE', /^\/indexes\/vacancies\/documents$/)).toHaveLength(0);
      expect(live()?.settings.rankingRules).toBeDefined();
    });

    it('leaves the live index untouched when the build fails', async () => {
      const e = engine();
      await e.init();
      await e.upsert([vacancy(1)]);
      await expect(
        e.rebuild(async (write) => {
          await write([vacancy(2)]);
          throw new Error('database gone');
        }),
      ).rejects.toThrow('database gone');
      expect([...(live()?.docs.keys() ?? [])]).toEqual([toKey('synthetic-1')]);
      expect(fake.indexes.has('vacancies_rebuild')).toBe(false);
      await e.upsert([vacancy(5)]);
      expect(live()?.docs.size).toBe(2);
    });
  });
});
