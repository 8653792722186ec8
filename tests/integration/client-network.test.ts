/**
 * Issue 10 point 7: the client address behind trusted proxies, forged X-Forwarded-For, and the kiosk budget. Requests
 * run in process with a fake socket peer (the env `@hono/node-server` hands the app), so each test picks who connects.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { parseNetworks, resolveClientAddress } from '../../api/middleware/client-address.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { checkHealth } from '../../src/health.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { testContext } from '../helpers/context.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const PROXY = '10.0.0.2';
const KIOSK_TOKEN = 'kiosk-secret-kiosk-secret-kiosk-secret';
let database: Database;
let search: SearchEngine;
let matchService: MatchService;

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  search = createEmbeddedSearchEngine();
  await search.init();
  matchService = await MatchService.load(testContext(database.db, NOW));
});

afterAll(async () => {
  await search.close();
  await database.close();
});

function app({ publicRequestsPerMinute = 2, kioskRequestsPerMinute = 5, authFailuresPerMinute = 2 } = {}) {
  return createApp({
    ctx: testContext(database.db, NOW),
    search,
    matchService,
    publicRequestsPerMinute,
    kioskRequestsPerMinute,
    authFailuresPerMinute,
    network: { trustProxy: [PROXY], kioskNetworks: ['192.168.50.0/24'], kioskToken: KIOSK_TOKEN },
    health: () =>
      checkHealth({
        db: { kind: 'pglite', check: () => database.ping() },
        queue: { kind: 'embedded', check: async () => true },
        search: { kind: 'embedded', check: () => search.health() },
      }),
  });
}

/** What @hono/node-server passes as env: the socket the request came in on. */
const from = (remoteAddress: string) => ({
  incoming: { socket: { remoteAddress, remoteFamily: 'IPv4', remotePort: 1 } },
});

async function statuses(
  a: ReturnType<typeof app>,
  n: number,
  peer: (i: number) => string,
  headers: (i: number) => Record<string, string>,
  path = '/api/v1/vacancies?q=koch',
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await a.request(path, { headers: headers(i) }, from(peer(i)))).status);
  return out;
}

describe('resolveClientAddress', () => {
  const trusted = parseNetworks(['10.0.0.0/24', '::1']);

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(resolveClientAddress('203.0.113.9', '198.51.100.1', trusted)).toBe('203.0.113.9');
    expect(resolveClientAddress('203.0.113.9', '198.51.100.1', [])).toBe('203.0.113.9');
  });

  it('walks from the right past trusted proxies to the first other address', () => {
    // The client forged the leftmost entry; the first proxy appended the real one.
    expect(resolveClientAddress('10.0.0.2', '1.2.3.4, 198.51.100.7, 10.0.0.3', trusted)).toBe('198.51.100.7');
    expect(resolveClientAddress('::ffff:10.0.0.2', '198.51.100.7', trusted)).toBe('198.51.100.7');
    expect(resolveClientAddress('::1', '2001:db8::1', trusted)).toBe('2001:db8::1');
  });

  it('stops at a malformed entry at the last proxy that vouched for it', () => {
    expect(resolveClientAddress('10.0.0.2', 'nonsense, 10.0.0.3', trusted)).toBe('10.0.0.3');
    expect(resolveClientAddress('10.0.0.2', '', trusted)).toBe('10.0.0.2');
  });

  it('normalises IPv4-mapped peers', () => {
    expect(resolveClientAddress('::ffff:203.0.113.9', undefined, trusted)).toBe('203.0.113.9');
  });
});

describe('public rate limit', () => {
  it('does not let a forged X-Forwarded-For from an untrusted address change the client key', async () => {
    const got = await statuses(
      app(),
      3,
      () => '203.0.113.9',
      (i) => ({ 'X-Forwarded-For': `198.51.100.${i}` }),
    );
    expect(got).toEqual([200, 200, 429]);
  });

  it('counts each forwarded client on its own through a trusted proxy', async () => {
    const a = app();
    const clients = await statuses(
      a,
      4,
      () => PROXY,
      (i) => ({ 'X-Forwarded-For': `198.51.100.${i}` }),
    );
    expect(clients).toEqual([200, 200, 200, 200]);
    const one = await statuses(
      a,
      3,
      () => PROXY,
      () => ({ 'X-Forwarded-For': '198.51.100.77' }),
    );
    expect(one).toEqual([200, 200, 429]);
  });

  it('gives kiosk networks the larger budget, also behind the proxy, and nobody else', async () => {
    const a = app();
    expect(
      await statuses(
        a,
        6,
        () => '192.168.50.10',
        () => ({}),
      ),
    ).toEqual([200, 200, 200, 200, 200, 429]);
    expect(
      await statuses(
        a,
        6,
        () => PROXY,
        () => ({ 'X-Forwarded-For': '192.168.50.11' }),
      ),
    ).toEqual([200, 200, 200, 200, 200, 429]);
    // A forged kiosk address from outside is still a public client.
    expect(
      await statuses(
        a,
        3,
        () => '203.0.113.10',
        () => ({ 'X-Forwarded-For': '192.168.50.12' }),
      ),
    ).toEqual([200, 200, 429]);
  });

  it('gives the kiosk token the kiosk budget, a wrong token the public one', async () => {
    const a = app();
    expect(
      await statuses(
        a,
        6,
        () => '203.0.113.20',
        () => ({ 'X-Kiosk-Token': KIOSK_TOKEN }),
      ),
    ).toEqual([200, 200, 200, 200, 200, 429]);
    expect(
      await statuses(
        a,
        3,
        () => '203.0.113.21',
        () => ({ 'X-Kiosk-Token': 'guess' }),
      ),
    ).toEqual([200, 200, 429]);
  });
});

describe('kiosk pages over their budget', () => {
  it('answer with a page in the kiosk language and Retry-After, not problem+json', async () => {
    const a = app();
    const peer = from('192.168.50.20');
    const pages: Response[] = [];
    for (let i = 0; i < 6; i++) pages.push(await a.request('/kiosk/suche?q=Koch&lang=uk', {}, peer));
    expect(pages.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 429]);
    const over = pages[5] as Response;
    expect(over.headers.get('content-type')).toMatch(/^text\/html/);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    const html = await over.text();
    expect(html).toContain('<html lang="uk"');
    expect(html).toContain('Забагато запитів');
    // The way back to a new search is on the page.
    expect(html).toContain('/kiosk/neu?lang=uk');
  });
});

describe('failed-auth throttle', () => {
  const path = '/api/v1/tasks';
  it('throttles by the socket peer when X-Forwarded-For is forged', async () => {
    const got = await statuses(
      app(),
      3,
      () => '203.0.113.30',
      (i) => ({ 'X-Forwarded-For': `198.51.100.${i}`, Authorization: `Bearer wrong-${i}-${'x'.repeat(20)}` }),
      path,
    );
    expect(got).toEqual([401, 401, 429]);
  });

  it('throttles each forwarded client on its own through a trusted proxy', async () => {
    const got = await statuses(
      app(),
      3,
      () => PROXY,
      (i) => ({ 'X-Forwarded-For': `198.51.100.${i}`, Authorization: `Bearer wrong-${i}-${'x'.repeat(20)}` }),
      path,
    );
    expect(got).toEqual([401, 401, 401]);
  });
});
