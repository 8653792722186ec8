/**
 * CRAWL_ALLOWED_PRIVATE_HOSTS names private origins, host and port: allowing a job board on 127.0.0.1:8080 must not
 * open 127.0.0.1:6379 (Redis) to a redirect. A bare host allows the standard ports 80 and 443 only.
 */
import { describe, expect, it } from 'vitest';
import { HttpOptions } from '../../crawlers/http/options.ts';
import {
  assertUrlAllowed,
  createGuardedConnector,
  isAllowedPrivateOrigin,
  parsePrivateOrigin,
} from '../../crawlers/http/ssrf.ts';

const target = (url: string) => new URL(url);

describe('parsePrivateOrigin', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', ports: [8080] }],
    ['Fixture.Local:3000', { host: 'fixture.local', ports: [3000] }],
    ['[::1]:8080', { host: '::1', ports: [8080] }],
    ['http://intranet.example:8080', { host: 'intranet.example', ports: [8080], protocol: 'http:' }],
    ['https://intranet.example', { host: 'intranet.example', ports: [443], protocol: 'https:' }],
    ['intranet.example', { host: 'intranet.example', ports: [80, 443] }],
    ['10.1.2.3', { host: '10.1.2.3', ports: [80, 443] }],
    ['::1', { host: '::1', ports: [80, 443] }],
  ])('reads %s', (entry, expected) => {
    expect(parsePrivateOrigin(entry)).toEqual(expected);
  });

  it.each([
    'http://user:pw@intranet.example:8080',
    'http://intranet.example:8080/pfad',
    '127.0.0.1:0',
    '127.0.0.1:70000',
    '127.0.0.1:abc',
    'intra net',
    '',
  ])('refuses %j', (entry) => {
    expect(parsePrivateOrigin(entry)).toBeUndefined();
    expect(HttpOptions.safeParse({ contactUrl: 'https://x.example', allowedPrivateHosts: [entry] }).success).toBe(
      false,
    );
  });
});

describe('isAllowedPrivateOrigin and assertUrlAllowed: host and port', () => {
  const allowed = ['127.0.0.1:8080', 'localhost:8080', 'https://intranet.example', '10.0.0.7'];

  it('allows only the named ports', () => {
    expect(isAllowedPrivateOrigin(target('http://127.0.0.1:8080/x'), allowed)).toBe(true);
    expect(isAllowedPrivateOrigin(target('http://127.0.0.1:6379/'), allowed)).toBe(false);
    expect(isAllowedPrivateOrigin(target('http://localhost:6379/'), allowed)).toBe(false);
    expect(isAllowedPrivateOrigin(target('https://intranet.example/'), allowed)).toBe(true);
    expect(isAllowedPrivateOrigin(target('http://intranet.example:443/'), allowed)).toBe(false);
    expect(isAllowedPrivateOrigin(target('http://10.0.0.7/'), allowed)).toBe(true);
    expect(isAllowedPrivateOrigin(target('https://10.0.0.7/'), allowed)).toBe(true);
    expect(isAllowedPrivateOrigin(target('http://10.0.0.7:8080/'), allowed)).toBe(false);
  });

  it('refuses a private IP literal on a port that is not named, before any traffic (redirect hops included)', () => {
    expect(() => assertUrlAllowed(target('http://127.0.0.1:8080/'), allowed)).not.toThrow();
    for (const url of ['http://127.0.0.1:6379/', 'http://10.0.0.7:22/', 'http://127.0.0.1/']) {
      expect(() => assertUrlAllowed(target(url), allowed), url).toThrow(
        expect.objectContaining({ kind: 'ssrf_blocked' }),
      );
    }
  });
});

describe('createGuardedConnector', () => {
  const connectWith = (allowed: string[], resolved: string, hostname: string, port: string) =>
    new Promise<Error | null>((resolve) => {
      const dns = ((_host: string, _options: unknown, callback: (e: null, a: unknown) => void) =>
        callback(null, [{ address: resolved, family: 4 }])) as never;
      const connect = createGuardedConnector(allowed, { timeout: 500 }, dns);
      connect({ hostname, protocol: 'http:', port }, (error, socket) => {
        socket?.destroy();
        resolve(error);
      });
    });

  it('refuses a host name that resolves to a private address on a port that is not named', async () => {
    const error = await connectWith(['intern.example:8080'], '127.0.0.1', 'intern.example', '6379');
    expect(error?.name).toBe('SsrfBlockedError');
  });

  it('refuses a private IP literal on a port that is not named', async () => {
    const error = await connectWith(['127.0.0.1:8080'], '127.0.0.1', '127.0.0.1', '6379');
    expect(error?.name).toBe('SsrfBlockedError');
  });
});
