import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_PATH } from '../../crawlers/browser-provider.ts';
import {
  type CrawlDeps,
  closeSharedBrowser,
  crawlSource,
  MemoryHostRateLimiter,
  type SourceSpec,
} from '../../crawlers/index.ts';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.ts';

const DEPS: CrawlDeps = {
  http: {
    contactUrl: 'https://jobbruecke.example/kontakt',
    // localhost is allowed so that, were the third-party rule missing, the ad request would reach the server. Both
    // with the fixture server's port, filled in once it listens.
    allowedPrivateHosts: [],
    minHostIntervalMs: 0,
    responseTimeoutMs: 5_000,
  },
  rateLimiter: new MemoryHostRateLimiter(),
};

const DETAIL = { title: 'h1.title', employer: '.employer', location: '.location', description: '.description' };

describe('browser crawler (Chromium)', () => {
  let server: FixtureServer;

  beforeAll(async () => {
    // CI installs Chromium; a missing browser must fail loudly, never skip.
    if (!existsSync(CHROMIUM_PATH))
      throw new Error(`Chromium is required at ${CHROMIUM_PATH} (Debian package "chromium")`);
    server = await startFixtureServer({ robots: 'User-agent: *\nDisallow: /board/job-3.html\n' });
    (DEPS.http.allowedPrivateHosts as string[]).push(`127.0.0.1:${server.port}`, `localhost:${server.port}`);
  });
  afterAll(async () => {
    await closeSharedBrowser();
    await server?.close();
  });

  const spec = (config: Record<string, unknown>): SourceSpec => ({
    id: 'board',
    type: 'browser',
    url: `${server.origin}/board/index.html`,
    config: { itemLinkSelector: 'a.job-link', nextPageSelector: 'a#next', detail: DETAIL, ...config },
  });

  it('reads a script-built listing over two pages, with every request through the polite fetcher', async () => {
    const outcome = await crawlSource(spec({}), { validators: {} }, DEPS);
    expect(outcome.postings.map((p) => p.title)).toEqual(['Reinigungskraft (m/w/d)', 'Staplerfahrer (m/w/d)']);
    expect(outcome.postings[1]).toMatchObject({
      externalId: `${server.origin}/board/job-2.html`,
      employerName: 'Beispiel Logistik GmbH',
      locations: [{ city: 'Kornwestheim' }],
      description: 'Staplerschein erforderlich. Zwei-Schicht-Betrieb.',
    });
    // job-3 is disallowed by robots.txt, job-missing answers 404: both recorded, neither crashes the crawl.
    expect(outcome.errors.map((e) => [e.kind, e.url])).toEqual([
      ['robots_disallowed', `${server.origin}/board/job-3.html`],
      ['http_status', `${server.origin}/board/job-missing.html`],
    ]);
    expect(outcome.complete).toBe(false);
    const paths = server.requests.map((r) => r.path);
    expect(paths).toContain('/board/items-2.json');
    expect(paths.filter((p) => p === '/robots.txt')).toHaveLength(1);
    // Third-party script, image and stylesheet never left the browser.
    expect(paths.some((p) => p.endsWith('/ad.js') || p.endsWith('.png') || p.endsWith('.css'))).toBe(false);
    expect(server.requests.every((r) => r.headers['user-agent']?.startsWith('Jobbruecke/0.1'))).toBe(true);
    expect(outcome.stats.requests).toBeGreaterThan(5);
  });

  it('refuses a board on a host that is not allowed, without traffic', async () => {
    const before = server.requests.length;
    const outcome = await crawlSource(
      spec({}),
      { validators: {} },
      { ...DEPS, http: { ...DEPS.http, allowedPrivateHosts: [] } },
    );
    expect(outcome.postings).toEqual([]);
    expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'ssrf_blocked' })]);
    expect(server.requests.length).toBe(before);
  });

  it('records a page timeout when the list never appears', async () => {
    const outcome = await crawlSource(
      spec({ itemLinkSelector: 'a.gibt-es-nicht', pageTimeoutMs: 1_500 }),
      { validators: {} },
      DEPS,
    );
    expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'timeout' })]);
  });
});
