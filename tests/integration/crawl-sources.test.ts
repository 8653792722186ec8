import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CrawlDeps,
  type CrawlState,
  crawlSource,
  MemoryHostRateLimiter,
  type SourceSpec,
} from '../../crawlers/index.ts';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.ts';

const EMPTY: CrawlState = { validators: {} };
/** The fixture server's origin (host and port), allowed although private; set once it listens. */
const allowed: string[] = [];

function deps(overrides: Partial<CrawlDeps['http']> = {}): CrawlDeps {
  return {
    http: {
      contactUrl: 'https://jobbruecke.example/kontakt',
      allowedPrivateHosts: allowed,
      minHostIntervalMs: 0,
      retryBaseDelayMs: 10,
      responseTimeoutMs: 2_000,
      ...overrides,
    },
    rateLimiter: new MemoryHostRateLimiter(),
  };
}

describe('crawlSource against fixture servers', () => {
  let server: FixtureServer;
  const spec = (type: SourceSpec['type'], path: string, extra: Partial<SourceSpec> = {}): SourceSpec => ({
    id: `test-${type}`,
    type,
    url: `${server.origin}${path}`,
    ...extra,
  });

  beforeAll(async () => {
    server = await startFixtureServer({ robots: 'User-agent: *\nDisallow: /intern/\n' });
    allowed.push(new URL(server.origin).host);
  });
  afterAll(() => server.close());

  describe('BA Jobsuche', () => {
    it('pages through the v6 search, deduplicates and maps', async () => {
      const outcome = await crawlSource(
        spec('ba_jobsuche', '/ba', { params: { wo: 'Stuttgart', umkreis: '25' }, config: { pageSize: 2 } }),
        EMPTY,
        deps(),
      );
      expect(outcome.postings.map((p) => p.externalId)).toEqual([
        '10000-1000000001-S',
        '10000-1000000002-S',
        '10000-1000000003-S',
      ]);
      const searches = server.requests.filter((r) => r.path.startsWith('/ba/pc/v6/jobs'));
      expect(searches.map((r) => new URL(r.path, server.origin).searchParams.get('page'))).toEqual(['1', '2']);
      expect(searches[0]?.path).toContain('wo=Stuttgart');
      expect(searches[0]?.headers['x-api-key']).toBe('jobboerse-jobsuche');
      const it = outcome.postings[1]!;
      expect(it).toMatchObject({
        url: 'https://www.arbeitsagentur.de/jobsuche/jobdetail/10000-1000000002-S',
        workingTimes: ['teilzeit', 'heim_telearbeit'],
        contractType: 'befristet',
        originUrl: 'https://jobs.beispiel-it.example/stellen/42',
      });
      expect(it.locations).toHaveLength(2);
      // The item without a reference number is recorded, so the listing counts as incomplete.
      expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'parse' })]);
      expect(outcome.complete).toBe(false);
      expect(outcome.stats.requests).toBe(3); // robots.txt and two pages
    });

    it('reads a v4-shaped answer', async () => {
      const outcome = await crawlSource(spec('ba_jobsuche', '/ba', { config: { path: '/pc/v4/jobs' } }), EMPTY, deps());
      expect(outcome.errors).toEqual([]);
      expect(outcome.complete).toBe(true);
      expect(outcome.postings).toEqual([
        expect.objectContaining({
          externalId: '10000-1000000100-S',
          title: 'Lagerhelfer (m/w/d)',
          employerName: 'Beispiel Logistik GmbH',
          locations: [
            { plz: '01067', city: 'Dresden', region: 'Sachsen', country: 'Deutschland', lat: 51.0504, lon: 13.7373 },
          ],
          originUrl: 'https://karriere.beispiel-logistik.example/lager',
        }),
      ]);
    });

    it('records that a search above the 10,000 cap is incomplete', async () => {
      const outcome = await crawlSource(
        spec('ba_jobsuche', '/ba', { config: { path: '/pc/v6-capped/jobs', pageSize: 2, maxPages: 1 } }),
        EMPTY,
        deps(),
      );
      expect(outcome.postings).toHaveLength(2);
      expect(outcome.complete).toBe(false);
      expect(outcome.errors).toEqual([
        expect.objectContaining({ kind: 'incomplete', message: expect.stringContaining('24817') }),
      ]);
    });

    it('records broken JSON as a parse error', async () => {
      const outcome = await crawlSource(
        spec('ba_jobsuche', '/ba', { config: { path: '/pc/v6-broken/jobs' } }),
        EMPTY,
        deps(),
      );
      expect(outcome.postings).toEqual([]);
      expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'parse' })]);
    });
  });

  describe('JSON-LD career pages', () => {
    it('walks a sitemap index and reads @graph, arrays and broken pages', async () => {
      const outcome = await crawlSource(
        spec('jsonld', '/', { config: { sitemap: `${server.origin}/careers/sitemap.xml`, include: '/careers/' } }),
        EMPTY,
        deps(),
      );
      expect(outcome.postings.map((p) => p.title).sort()).toEqual([
        'Bauhelfer (m/w/d)',
        'Berufskraftfahrer CE (m/w/d)',
        'Disponent (m/w/d) – remote möglich',
        'Pflegefachkraft (m/w/d) Teilzeit',
      ]);
      expect(outcome.errors.map((e) => e.kind)).toEqual(['parse', 'parse']);
      expect(outcome.complete).toBe(false);
      expect(server.requests.some((r) => r.path === '/')).toBe(false);
    });

    it('reads a configured page list', async () => {
      const outcome = await crawlSource(
        spec('jsonld', '/', { config: { pages: [`${server.origin}/careers/array.html`] } }),
        EMPTY,
        deps(),
      );
      expect(outcome.errors).toEqual([]);
      expect(outcome.complete).toBe(true);
      expect(outcome.postings[0]?.url).toBe(`${server.origin}/careers/jobs/berufskraftfahrer`);
    });

    it('records a missing page and a robots-disallowed page without losing the others', async () => {
      const outcome = await crawlSource(
        spec('jsonld', '/', {
          config: {
            pages: [
              `${server.origin}/careers/graph.html`,
              `${server.origin}/careers/weg.html`,
              `${server.origin}/intern/jobs.html`,
            ],
          },
        }),
        EMPTY,
        deps(),
      );
      expect(outcome.postings).toHaveLength(1);
      expect(outcome.errors.map((e) => e.kind).sort()).toEqual(['http_status', 'robots_disallowed']);
    });

    it('rejects a bad config as a recorded error', async () => {
      const outcome = await crawlSource(spec('jsonld', '/', { config: { pages: ['kein url'] } }), EMPTY, deps());
      expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'config' })]);
      expect(outcome.stats.requests).toBe(0);
    });
  });

  describe('Personio', () => {
    it('maps the XML feed', async () => {
      const outcome = await crawlSource(spec('personio', '/personio/beispiel.xml'), EMPTY, deps());
      expect(outcome.postings.map((p) => p.externalId)).toEqual(['1234567', '0765432']);
      expect(outcome.postings[0]).toMatchObject({
        url: `${server.origin}/job/1234567`,
        employerName: 'Beispiel Software GmbH',
        locations: [{ city: 'Stuttgart' }, { city: 'Esslingen am Neckar' }],
        workingTimes: ['vollzeit', 'teilzeit'],
        contractType: 'unbefristet',
        offerType: 'arbeit',
      });
      expect(outcome.postings[0]?.description).toContain('Code-Reviews & Tests');
      expect(outcome.postings[1]?.offerType).toBe('ausbildung');
      expect(outcome.errors).toEqual([
        expect.objectContaining({ kind: 'parse', message: expect.stringContaining('without id') }),
      ]);
    });

    it('records malformed XML', async () => {
      const outcome = await crawlSource(spec('personio', '/personio/broken.xml'), EMPTY, deps());
      expect(outcome.postings).toEqual([]);
      expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'parse' })]);
      expect(outcome.complete).toBe(false);
    });
  });

  describe('RSS and Atom feeds', () => {
    it('maps RSS 2.0 with location from category and custom tags', async () => {
      const outcome = await crawlSource(spec('feed', '/feeds/jobs.rss'), EMPTY, deps());
      expect(outcome.postings).toHaveLength(2);
      expect(outcome.postings[0]).toMatchObject({
        externalId: 'SW-2026-031',
        employerName: 'Beispiel Stadtwerke GmbH',
        locations: [{ city: 'Göppingen' }],
        datePosted: '2026-11-10T07:00:00.000Z',
      });
      expect(outcome.postings[0]?.description).toBe(
        'Wartung unserer Anlagen in Göppingen.\n\nBereitschaftsdienst & Schicht.',
      );
      expect(outcome.postings[1]).toMatchObject({
        externalId: `${server.origin}/stellen/sw-2026-032`,
        description: 'Teilzeit, 25 Stunden',
        locations: [{ city: 'Eislingen/Fils' }],
      });
    });

    it('maps Atom', async () => {
      const outcome = await crawlSource(spec('feed', '/feeds/jobs.atom'), EMPTY, deps());
      expect(outcome.errors).toEqual([]);
      expect(outcome.complete).toBe(true);
      expect(outcome.postings[0]).toMatchObject({
        externalId: 'urn:uuid:00000000-0000-4000-8000-000000000011',
        title: 'Anlagenmechaniker SHK <m/w/d>',
        url: `${server.origin}/jobs/shk`,
        description: 'Heizung, Sanitär, Klima in Schorndorf.',
        locations: [{ city: 'Schorndorf' }],
      });
    });

    it('records broken XML and an ISO-8859-1 feed decodes by its prolog', async () => {
      const broken = await crawlSource(spec('feed', '/feeds/broken.rss'), EMPTY, deps());
      expect(broken.errors).toEqual([expect.objectContaining({ kind: 'parse' })]);
      const latin1 = await crawlSource(spec('feed', '/charset/prolog.xml'), EMPTY, deps());
      expect(latin1.postings[0]?.title).toBe('Küchenhilfe');
    });

    it('keeps validators and reports notModified on 304', async () => {
      const first = await crawlSource(spec('feed', '/feeds/jobs.rss'), EMPTY, deps());
      expect(first.state.validators).toEqual({});
      const url = `${server.origin}/misbehave/conditional`;
      const state: CrawlState = { validators: { [url]: { etag: '"v1"' } } };
      const outcome = await crawlSource(spec('feed', '/misbehave/conditional'), state, deps());
      expect(outcome).toMatchObject({ notModified: true, complete: false, postings: [], errors: [] });
      expect(outcome.state.validators[url]).toEqual({ etag: '"v1"' });
    });
  });

  describe('misbehaving servers end in a recorded error', () => {
    it.each([
      ['/misbehave/big', 'too_large'],
      ['/misbehave/loop-a', 'too_many_redirects'],
      ['/misbehave/hang', 'timeout'],
      ['/intern/feed.rss', 'robots_disallowed'],
    ])('%s → %s', async (path, kind) => {
      const outcome = await crawlSource(spec('feed', path), EMPTY, deps({ responseTimeoutMs: 1_000 }));
      expect(outcome.errors).toEqual([expect.objectContaining({ kind })]);
      expect(outcome.complete).toBe(false);
    });

    it('blocks SSRF targets in a source URL', async () => {
      for (const url of ['http://10.0.0.1/feed.rss', 'http://169.254.169.254/', 'http://[::1]/feed.rss']) {
        const outcome = await crawlSource({ id: 'ssrf', type: 'feed', url }, EMPTY, deps());
        expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'ssrf_blocked' })]);
        expect(outcome.stats.requests).toBe(0);
      }
    });

    it('retries a 503 and then succeeds', async () => {
      const outcome = await crawlSource(
        spec('jsonld', '/', { config: { pages: [`${server.origin}/misbehave/flaky`] } }),
        EMPTY,
        deps(),
      );
      expect(outcome.errors).toEqual([]);
    });
  });
});
