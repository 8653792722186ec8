import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { decodeBody } from '../../crawlers/http/charset.ts';
import { MemoryHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { backoffDelay, parseRetryAfter } from '../../crawlers/http/retry.ts';
import { parseRobots, rulesForFailedStatus } from '../../crawlers/http/robots.ts';

describe('decodeBody', () => {
  const latin1 = iconv.encode('Bäcker – Größe', 'windows-1252');

  it('follows the Content-Type charset, treating ISO-8859-1 as windows-1252 like browsers', () => {
    expect(decodeBody(latin1, 'text/html; charset=ISO-8859-1')).toBe('Bäcker – Größe');
  });

  it('falls back to the XML prolog and the HTML meta tag', () => {
    const xml = Buffer.concat([
      Buffer.from('<?xml version="1.0" encoding="iso-8859-1"?><a>'),
      latin1,
      Buffer.from('</a>'),
    ]);
    expect(decodeBody(xml, 'application/xml')).toContain('Bäcker');
    const html = Buffer.concat([
      Buffer.from('<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"><p>'),
      latin1,
    ]);
    expect(decodeBody(html, 'text/html')).toContain('Größe');
  });

  it('prefers a BOM and defaults to UTF-8; unknown labels are ignored', () => {
    expect(decodeBody(Buffer.from('\ufeffMünchen'), 'text/html; charset=iso-8859-1')).toBe('\ufeffMünchen'.slice(1));
    expect(decodeBody(Buffer.from('München'), 'text/html; charset=x-unbekannt')).toBe('München');
  });
});

describe('retry helpers', () => {
  it('reads Retry-After as seconds or date', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter('Tue, 10 Nov 2026 08:00:30 GMT', Date.parse('Tue, 10 Nov 2026 08:00:00 GMT'))).toBe(30_000);
    expect(parseRetryAfter('bald')).toBeUndefined();
  });

  it('backs off exponentially with jitter, bounded', () => {
    expect(backoffDelay(0, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(20, 1000, 60_000, () => 1)).toBe(60_000);
  });
});

describe('robots rules', () => {
  it('applies our group, else *, and reads Crawl-delay', () => {
    const rules = parseRobots(
      'https://b.example/robots.txt',
      'User-agent: *\nDisallow: /\n\nUser-agent: Jobbruecke\nDisallow: /intern\nCrawl-delay: 5\n',
    );
    expect(rules.isAllowed('https://b.example/jobs')).toBe(true);
    expect(rules.isAllowed('https://b.example/intern/x')).toBe(false);
    expect(rules.crawlDelayMs).toBe(5000);
  });

  it('follows RFC 9309 for failed fetches', () => {
    expect(rulesForFailedStatus(404).isAllowed('https://b.example/')).toBe(true);
    expect(rulesForFailedStatus(503).isAllowed('https://b.example/')).toBe(false);
    expect(rulesForFailedStatus(429).isAllowed('https://b.example/')).toBe(false);
  });
});

describe('MemoryHostRateLimiter', () => {
  it('spaces requests per host', async () => {
    const limiter = new MemoryHostRateLimiter();
    const started = performance.now();
    await Promise.all([limiter.acquire('a', 50), limiter.acquire('a', 50), limiter.acquire('b', 50)]);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(45);
    expect(elapsed).toBeLessThan(95);
  });
});
