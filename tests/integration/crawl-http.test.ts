import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CrawlError } from '../../crawlers/http/errors.ts';
import { Fetcher } from '../../crawlers/http/fetcher.ts';
import type { HttpOptionsInput } from '../../crawlers/http/options.ts';
import { MemoryHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { type FixtureServer, startFixtureServer } from '../helpers/fixture-server.ts';

const FAST: HttpOptionsInput = {
  contactUrl: 'https://jobbruecke.example/kontakt',
  allowedPrivateHosts: [],
  minHostIntervalMs: 0,
  retryBaseDelayMs: 10,
  responseTimeoutMs: 1_500,
  connectTimeoutMs: 1_000,
};

/** FAST, with the fixture servers' origins (host and port) allowed although they are private. */
const allowing = (...servers: FixtureServer[]): HttpOptionsInput => ({
  ...FAST,
  allowedPrivateHosts: servers.map((s) => new URL(s.origin).host),
});

async function failure(promise: Promise<unknown>): Promise<CrawlError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CrawlError);
  return error as CrawlError;
}

describe('polite fetcher over real HTTP', () => {
  let server: FixtureServer;
  let fetcher: Fetcher;

  beforeAll(async () => {
    server = await startFixtureServer({
      robots: 'User-agent: *\nDisallow: /private/\n\nUser-agent: Jobbruecke\nDisallow: /nur-fuer-andere/\n',
    });
    fetcher = new Fetcher(allowing(server), new MemoryHostRateLimiter());
  });
  afterAll(async () => {
    await fetcher.close();
    await server.close();
  });

  it('identifies itself and reads robots.txt once per origin', async () => {
    await fetcher.fetch(`${server.origin}/charset/prolog.xml`);
    await fetcher.fetch(`${server.origin}/charset/stellen.latin1.html`);
    const robotsRequests = server.requests.filter((r) => r.path === '/robots.txt');
    expect(robotsRequests).toHaveLength(1);
    expect(server.requests.at(-1)?.headers['user-agent']).toBe('Jobbruecke/0.1 (+https://jobbruecke.example/kontakt)');
  });

  it('refuses URLs robots.txt disallows for our agent, without requesting them', async () => {
    const error = await failure(fetcher.fetch(`${server.origin}/nur-fuer-andere/stelle.html`));
    expect(error.kind).toBe('robots_disallowed');
    expect(server.requests.some((r) => r.path.startsWith('/nur-fuer-andere'))).toBe(false);
    // The * group does not apply because a group names us.
    expect((await failure(fetcher.fetch(`${server.origin}/private/x`))).kind).toBe('http_status');
  });

  it('decodes ISO-8859-1 from the header, windows-1252 from a meta tag and from an XML prolog', async () => {
    const latin1 = await fetcher.fetch(`${server.origin}/charset/stellen.latin1.html`);
    expect(latin1.text()).toContain('Lagerhelfer (m/w/d) in München');
    expect(latin1.text()).toContain('Größe Halle, Straße 5, € 12');
    const meta = await fetcher.fetch(`${server.origin}/charset/meta.nocharset.html`);
    expect(meta.text()).toContain('Bürokauffrau/-mann – Teilzeit');
    const prolog = await fetcher.fetch(`${server.origin}/charset/prolog.xml`);
    expect(prolog.text()).toContain('Küchenhilfe');
  });

  it('refuses a 50 MB body without buffering it, with and without Content-Length', async () => {
    const before = fetcher.stats.bytes;
    expect((await failure(fetcher.fetch(`${server.origin}/misbehave/big-declared`))).kind).toBe('too_large');
    expect((await failure(fetcher.fetch(`${server.origin}/misbehave/big`))).kind).toBe('too_large');
    expect(fetcher.stats.bytes - before).toBeLessThan(11 * 1024 * 1024);
  });

  it('detects a redirect loop', async () => {
    const error = await failure(fetcher.fetch(`${server.origin}/misbehave/loop-a`));
    expect(error.kind).toBe('too_many_redirects');
    expect(error.message).toContain('loop');
  });

  it('cuts a server that sends headers and never finishes', async () => {
    const started = Date.now();
    const error = await failure(fetcher.fetch(`${server.origin}/misbehave/hang`));
    expect(error.kind).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('retries a 503 after its Retry-After and then succeeds', async () => {
    const response = await fetcher.fetch(`${server.origin}/misbehave/flaky`);
    expect(response.text()).toBe('ok after retry');
    expect(server.requests.filter((r) => r.path === '/misbehave/flaky')).toHaveLength(2);
  });

  it('gives up at once when Retry-After exceeds the bound', async () => {
    const error = await failure(fetcher.fetch(`${server.origin}/misbehave/retry-much-later`));
    expect(error.kind).toBe('http_status');
    expect(error.status).toBe(503);
    expect(server.requests.filter((r) => r.path === '/misbehave/retry-much-later')).toHaveLength(1);
  });

  it('answers a conditional GET with notModified on 304', async () => {
    const first = await fetcher.fetch(`${server.origin}/misbehave/conditional`);
    expect(first.notModified).toBe(false);
    expect(first.validators).toEqual({ etag: '"v1"', lastModified: 'Tue, 10 Nov 2026 08:00:00 GMT' });
    const second = await fetcher.fetch(`${server.origin}/misbehave/conditional`, { validators: first.validators });
    expect(second.notModified).toBe(true);
    expect(second.validators.etag).toBe('"v1"');
  });

  it('records a 404 as http_status', async () => {
    const error = await failure(fetcher.fetch(`${server.origin}/gibt-es-nicht.html`));
    expect(error).toMatchObject({ kind: 'http_status', status: 404 });
  });
});

describe('robots.txt availability (RFC 9309)', () => {
  it('allows all when robots.txt is a 4xx, disallows all when it is a 5xx', async () => {
    const missing = await startFixtureServer({ robots: 404 });
    const broken = await startFixtureServer({ robots: 500 });
    const fetcher = new Fetcher({ ...allowing(missing, broken), maxRetries: 0 }, new MemoryHostRateLimiter());
    try {
      expect((await fetcher.fetch(`${missing.origin}/charset/prolog.xml`)).status).toBe(200);
      // Both servers share the host 127.0.0.1 but robots.txt is per origin (scheme, host and port).
      const error = await failure(fetcher.fetch(`${broken.origin}/charset/prolog.xml`));
      expect(error.kind).toBe('robots_disallowed');
      expect(broken.requests.map((r) => r.path)).toEqual(['/robots.txt']);
    } finally {
      await fetcher.close();
      await missing.close();
      await broken.close();
    }
  });

  it('disallows all when the host is unreachable', async () => {
    const server = await startFixtureServer();
    const origin = server.origin;
    await server.close();
    const fetcher = new Fetcher({ ...allowing(server), maxRetries: 0 }, new MemoryHostRateLimiter());
    try {
      expect((await failure(fetcher.fetch(`${origin}/x`))).kind).toBe('robots_disallowed');
    } finally {
      await fetcher.close();
    }
  });
});

describe('SSRF guard', () => {
  let server: FixtureServer;
  beforeAll(async () => {
    server = await startFixtureServer();
  });
  afterAll(() => server.close());

  it('blocks a private fixture host that is not allowed', async () => {
    const fetcher = new Fetcher({ ...FAST, allowedPrivateHosts: [] }, new MemoryHostRateLimiter());
    const before = server.requests.length;
    try {
      expect((await failure(fetcher.fetch(`${server.origin}/charset/prolog.xml`))).kind).toBe('ssrf_blocked');
      expect(server.requests.length).toBe(before);
    } finally {
      await fetcher.close();
    }
  });

  it('checks host names at connect time: localhost resolves to loopback and is blocked', async () => {
    const fetcher = new Fetcher(allowing(server), new MemoryHostRateLimiter());
    const before = server.requests.length;
    try {
      const error = await failure(fetcher.fetch(`http://localhost:${server.port}/charset/prolog.xml`));
      expect(error.kind).toBe('ssrf_blocked');
      expect(server.requests.length).toBe(before);
    } finally {
      await fetcher.close();
    }
  });

  it('re-checks every redirect hop', async () => {
    const fetcher = new Fetcher(allowing(server), new MemoryHostRateLimiter());
    try {
      const toMetadata = `${server.origin}/misbehave/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`;
      expect((await failure(fetcher.fetch(toMetadata))).kind).toBe('ssrf_blocked');
      const toLocalhost = `${server.origin}/misbehave/redirect?to=${encodeURIComponent(`http://localhost:${server.port}/`)}`;
      expect((await failure(fetcher.fetch(toLocalhost))).kind).toBe('ssrf_blocked');
    } finally {
      await fetcher.close();
    }
  });

  it.each([
    'http://10.0.0.1/stellen',
    'http://169.254.169.254/latest/meta-data/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://0.0.0.0/',
    'file:///etc/passwd',
  ])('blocks %s without network traffic', async (url) => {
    const limiter = { acquired: 0, acquire: async () => void limiter.acquired++ };
    const fetcher = new Fetcher(allowing(server), limiter);
    try {
      expect((await failure(fetcher.fetch(url))).kind).toBe('ssrf_blocked');
      expect(fetcher.stats.requests).toBe(0);
      expect(limiter.acquired).toBe(0);
    } finally {
      await fetcher.close();
    }
  });
});
