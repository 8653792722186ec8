/**
 * Headers and limits as policy, checked against an explicit list: OWASP ASVS 5.0 level 2 for the signed-in
 * audiences, level 1 for the kiosk (public search), and the BSI IT-Grundschutz items of APP.3.1 "Webanwendungen und
 * Webservices" that apply to an API. Each test names the requirements it covers. In process (`app.request`) where
 * the app decides; over a real socket (bin/api.ts `listenHttp`) where Node's server does.
 *
 * Covered: ASVS 2.2.1, 3.2.1, 3.4.1, 3.4.2, 3.4.3, 3.4.4, 3.4.5, 3.4.6, 3.4.8, 4.1.1, 4.1.3, 4.2.1, 6.3.1, 2.4.1,
 * 13.4.4, 13.4.6, 14.2.1, 14.3.2, 15.2.2, 15.3.7, 16.5.1; BSI APP.3.1.A1, A7, A12, A14, A21.
 * Elsewhere: ASVS 1.3.1 / 3.2.2 (crawled text, tests/unit/text-cleaning.test.ts, crawl-hostile.test.ts), 1.3.6
 * (SSRF, security-ssrf.test.ts), 16.3.1 / 16.3.2 / 16.4.1 (audit of refusals, security-audit.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, MAX_URL_CHARS } from '../../api/app.ts';
import { PROBLEM_LIMITS } from '../../api/errors.ts';
import { HTTP_LIMITS, listenHttp } from '../../bin/api.ts';
import { openPglite } from '../../src/db/client.ts';
import { type EmployerWorld, employerWorld, type Who } from '../helpers/employer-world.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let w: EmployerWorld;
let vacancyId: string;
let server: Server;
let port: number;

beforeAll(async () => {
  const database = await openPglite(undefined);
  await database.migrate();
  w = await employerWorld(database, NOW);
  [vacancyId] = (await insertSyntheticVacancies(database.db, 2, NOW)) as [string];
  server = await listenHttp(w.app.fetch, { port: 0, hostname: '127.0.0.1', log: w.ctx.log });
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((closed) => server?.close(closed));
  await w?.close();
});

/** One answer of every kind: kiosk search and detail, signed-in reads, refusals, problems, health. */
async function sampleAnswers(): Promise<Array<[string, Response]>> {
  const calls: Array<[string, Who, string, string]> = [
    ['kiosk search', 'anonymous', 'GET', '/api/v1/vacancies?q=koch'],
    ['kiosk detail', 'anonymous', 'GET', `/api/v1/vacancies/${vacancyId}`],
    ['kiosk 400', 'anonymous', 'GET', '/api/v1/vacancies?radius_km=0x10'],
    ['health', 'anonymous', 'GET', '/health'],
    ['unknown address', 'anonymous', 'GET', '/gibt-es-nicht'],
    ['caseworker read', 'caseworker1', 'GET', '/api/v1/tasks'],
    ['employer read', 'employerA', 'GET', '/api/v1/employer/vacancies'],
    ['401', 'anonymous', 'GET', '/api/v1/tasks'],
    ['403', 'employerA', 'GET', '/api/v1/tasks'],
    ['404 of a signed-in route', 'caseworker1', 'GET', '/api/v1/vacancies/unbekannt/matches'],
  ];
  const answers: Array<[string, Response]> = [];
  for (const [name, who, method, path] of calls) answers.push([name, await w.call(who, method, path)]);
  return answers;
}

describe('browser security headers on every answer', () => {
  it('ASVS 3.4.3, 3.4.6 (L2), BSI APP.3.1.A21: a CSP without inline script or foreign hosts, never framed', async () => {
    const expected =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; " +
      "base-uri 'none'; form-action 'self'; object-src 'none'";
    expect(Object.keys(CONTENT_SECURITY_POLICY)).toContain('objectSrc');
    for (const [name, res] of await sampleAnswers()) {
      const csp = res.headers.get('content-security-policy');
      expect(csp, name).toBe(expected);
      expect(csp, name).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
      expect(res.headers.get('x-frame-options'), name).toBe('DENY');
    }
  });

  it('ASVS 3.4.1 (L1), BSI APP.3.1.A21: HSTS of at least a year, subdomains included', async () => {
    for (const [name, res] of await sampleAnswers()) {
      const hsts = res.headers.get('strict-transport-security') ?? '';
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1]), name).toBeGreaterThanOrEqual(31_536_000);
      expect(hsts, name).toMatch(/includeSubDomains/i);
    }
  });

  it('ASVS 3.4.4 (L2), 3.2.1 (L1), BSI APP.3.1.A21: nosniff on every answer', async () => {
    for (const [name, res] of await sampleAnswers())
      expect(res.headers.get('x-content-type-options'), name).toBe('nosniff');
  });

  it('ASVS 3.4.5 (L2): no Referer leaves the application', async () => {
    for (const [name, res] of await sampleAnswers())
      expect(res.headers.get('referrer-policy'), name).toBe('no-referrer');
  });

  it('ASVS 3.4.8 (L3, cheap here): COOP and CORP same-origin; no device or sensor permissions', async () => {
    for (const [name, res] of await sampleAnswers()) {
      expect(res.headers.get('cross-origin-opener-policy'), name).toBe('same-origin');
      expect(res.headers.get('cross-origin-resource-policy'), name).toBe('same-origin');
      expect(res.headers.get('permissions-policy'), name).toMatch(/camera=\(\), microphone=\(\), geolocation=\(\)/);
    }
  });

  it('ASVS 3.4.2 (L1): no CORS grant, whatever Origin a caller sends', async () => {
    const res = await w.call('caseworker1', 'GET', '/api/v1/tasks', undefined, { origin: 'https://evil.example' });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await w.app.request('/api/v1/tasks', {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('ASVS 13.4.6 (L3, cheap here): no server or framework version', async () => {
    for (const [name, res] of await sampleAnswers()) {
      expect(res.headers.get('x-powered-by'), name).toBeNull();
      expect(res.headers.get('server'), name).toBeNull();
    }
  });
});

describe('personal data and caching', () => {
  it('ASVS 14.3.2 (L2), BSI APP.3.1.A14, A21: Cache-Control no-store on every answer, refusals and kiosk included', async () => {
    for (const [name, res] of await sampleAnswers()) expect(res.headers.get('cache-control'), name).toBe('no-store');
  });

  it('ASVS 14.2.1 (L1): the token travels in a header only; a token in the query string is not read', async () => {
    const res = await w.app.request(`/api/v1/tasks?access_token=${w.tokens.caseworker1}`);
    expect(res.status).toBe(401);
  });
});

describe('answers: content type, request id, bounded problems', () => {
  it('ASVS 4.1.1 (L1): every answer with a body names its type; problems are problem+json in UTF-8', async () => {
    for (const [name, res] of await sampleAnswers()) {
      const type = res.headers.get('content-type') ?? '';
      if (res.status >= 400) expect(type, name).toBe('application/problem+json; charset=utf-8');
      else expect(type, name).toMatch(/^application\/json/);
    }
  });

  it('ASVS 4.1.3 (L2): a client-sent X-Request-Id is never adopted', async () => {
    const sent = 'vom-client-gewaehlt-123';
    const res = await w.app.request('/api/v1/vacancies/unbekannt', { headers: { 'x-request-id': sent } });
    const body = (await res.json()) as { request_id: string };
    expect(res.headers.get('x-request-id')).not.toBe(sent);
    expect(body.request_id).toBe(res.headers.get('x-request-id'));
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('ASVS 16.5.1 (L2), BSI APP.3.1.A12: problems echo a bounded part of the input (a long id, a long URL)', async () => {
    const longId = 'x'.repeat(1_500);
    const res = await w.app.request(`/api/v1/vacancies/${longId}`);
    expect(res.status).toBe(404);
    const text = await res.text();
    expect(text.length).toBeLessThan(1_000);
    expect(text).not.toContain('x'.repeat(201));

    const tooLong = await w.app.request(`/api/v1/vacancies/${'y'.repeat(15_000)}`);
    expect(tooLong.status).toBe(414);
    expect(tooLong.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
    expect((await tooLong.text()).length).toBeLessThan(1_000);
    expect(MAX_URL_CHARS).toBeLessThan(HTTP_LIMITS.maxHeaderBytes);
  });

  it('ASVS 16.5.1 (L2): a body with thousands of bad fields answers a bounded list', async () => {
    const body = { title: 1, description: 2, plz: 3, working_times: Array.from({ length: 5_000 }, () => 'nie') };
    const res = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', body, {
      'idempotency-key': 'viele-felder',
    });
    expect(res.status).toBe(422);
    const text = await res.text();
    expect(text.length).toBeLessThanOrEqual(PROBLEM_LIMITS.total);
    expect((JSON.parse(text) as { issues: unknown[] }).issues.length).toBeLessThanOrEqual(PROBLEM_LIMITS.issues);
  });
});

describe('input the kiosk sends (already in api/validate.ts; verified here)', () => {
  it('ASVS 2.2.1 (L1): numbers only in decimal digits, radius_km=0x10 is refused', async () => {
    const res = await w.app.request('/api/v1/vacancies?plz=70173&radius_km=0x10');
    expect(res.status).toBe(400);
    expect(((await res.json()) as { issues: Array<{ path: string }> }).issues[0]?.path).toBe('radius_km');
  });

  it('ASVS 15.3.7 (L2): a parameter given twice is refused, not silently resolved', async () => {
    const res = await w.app.request('/api/v1/vacancies?q=koch&q=maler');
    expect(res.status).toBe(400);
  });

  it('ASVS 2.2.1 (L1): a JSON body without a JSON content type is refused (415)', async () => {
    const res = await w.app.request('/api/v1/employer/vacancies', {
      method: 'POST',
      headers: { authorization: `Bearer ${w.tokens.employerA}`, 'content-type': 'text/plain', 'idempotency-key': 'k1' },
      body: JSON.stringify({ title: 'Koch' }),
    });
    expect(res.status).toBe(415);
  });
});

/** One HTTP request over a fresh connection from `localAddress`; the body as text. */
function call(path: string, { token, localAddress }: { token?: string; localAddress?: string } = {}) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path,
          localAddress,
          agent: false,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      req.end();
    },
  );
}

/** Writes raw bytes and collects what comes back until the server closes (or `timeoutMs`). */
function raw(chunks: string[], { gapMs = 0, timeoutMs = 5_000 } = {}) {
  return new Promise<{ text: string; closedAfterMs: number }>((resolve) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1');
    let text = '';
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (d) => (text += d.toString()));
    socket.on('error', () => {});
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ text, closedAfterMs: Date.now() - started });
    });
    const guard = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('close', () => clearTimeout(guard));
    socket.on('connect', () => {
      if (gapMs === 0) return void socket.write(chunks.join(''));
      // The first chunk once, then the last one over and over (a header line that never ends the headers).
      let i = 0;
      timer = setInterval(() => {
        if (socket.writable) socket.write(chunks[Math.min(i++, chunks.length - 1)] as string);
      }, gapMs);
    });
  });
}

const problemOf = (text: string) => {
  const [head, body] = text.split('\r\n\r\n') as [string, string];
  return { head, body: JSON.parse(body) as { status: number; code: string; type: string } };
};

describe('the listener (bin/api.ts) against slow and malformed clients', () => {
  it('ASVS 15.2.2 (L2), BSI APP.3.1.A7: a client sending headers slowly is cut off within the headers timeout', {
    timeout: HTTP_LIMITS.headersTimeoutMs + 10_000,
  }, async () => {
    const { text, closedAfterMs } = await raw(['GET /health HTTP/1.1\r\nHost: x\r\n', 'X-Langsam: a\r\n'], {
      gapMs: 500,
      timeoutMs: HTTP_LIMITS.headersTimeoutMs + 8_000,
    });
    expect(closedAfterMs).toBeLessThanOrEqual(HTTP_LIMITS.headersTimeoutMs + 2 * HTTP_LIMITS.checkIntervalMs + 1_000);
    expect(text).toMatch(/^HTTP\/1\.1 408 /);
    expect(problemOf(text).body).toMatchObject({ status: 408, code: 'timeout' });
  });

  it('ASVS 16.5.1 (L2), BSI APP.3.1.A12: over-long request lines get a small problem+json, not an empty answer', async () => {
    const { text } = await raw([`GET /api/v1/vacancies/${'z'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`]);
    expect(text).toMatch(/^HTTP\/1\.1 431 /);
    expect(text).toMatch(/content-type: application\/problem\+json; charset=utf-8/i);
    expect(text).toMatch(/cache-control: no-store/i);
    expect(problemOf(text).body).toMatchObject({ status: 431, code: 'headers_too_large' });
    expect(text.length).toBeLessThan(1_000);
  });

  it('ASVS 13.4.4 (L2): TRACE is not supported and echoes nothing', async () => {
    const { text } = await raw([
      'TRACE /api/v1/vacancies HTTP/1.1\r\nHost: x\r\nX-Geheim: abc\r\nConnection: close\r\n\r\n',
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 404 /);
    expect(text).toMatch(/content-type: application\/problem\+json; charset=utf-8/i);
    expect(text).not.toContain('abc');
  });

  it('ASVS 13.4.4 (L2): an unknown method gets a problem+json (501), CONNECT one too (405)', async () => {
    const unknown = await raw(['FROBNICATE / HTTP/1.1\r\nHost: x\r\n\r\n']);
    expect(unknown.text).toMatch(/^HTTP\/1\.1 501 /);
    expect(problemOf(unknown.text).body).toMatchObject({ status: 501, code: 'method' });
    const tunnel = await raw(['CONNECT intern.example:6379 HTTP/1.1\r\nHost: intern.example:6379\r\n\r\n']);
    expect(tunnel.text).toMatch(/^HTTP\/1\.1 405 /);
    expect(problemOf(tunnel.text).body).toMatchObject({ status: 405 });
  });

  it('ASVS 4.2.1 (L2): Content-Length together with Transfer-Encoding is refused (no request smuggling)', async () => {
    const { text } = await raw([
      'POST /api/v1/employer/vacancies HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\n\r\n',
    ]);
    expect(text).toMatch(/^HTTP\/1\.1 400 /);
    expect(text.match(/HTTP\/1\.1 /g)).toHaveLength(1);
  });
});

describe('failed authentication is throttled (in memory, per process)', () => {
  const badToken = (prefix = `jb_${randomBytes(6).toString('hex')}`) => `${prefix}${randomBytes(16).toString('hex')}`;

  it('ASVS 6.3.1 (L1), 2.4.1 (L2), BSI APP.3.1.A1, A7: 10 failures a minute per address, then 429 with Retry-After', async () => {
    const attacker = '127.0.0.5';
    // Successes do not count.
    for (let i = 0; i < 20; i++) {
      expect((await call('/api/v1/tasks', { token: w.tokens.caseworker1, localAddress: attacker })).status).toBe(200);
    }
    for (let i = 0; i < 10; i++) {
      expect((await call('/api/v1/tasks', { token: badToken(), localAddress: attacker })).status).toBe(401);
    }
    const blocked = await call('/api/v1/tasks', { token: badToken(), localAddress: attacker });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(blocked.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    // While blocked, no token is checked, so a guess cannot be confirmed; other addresses are not affected.
    expect((await call('/api/v1/tasks', { token: w.tokens.caseworker1, localAddress: attacker })).status).toBe(429);
    expect((await call('/api/v1/tasks', { token: w.tokens.caseworker1, localAddress: '127.0.0.6' })).status).toBe(200);
  });

  it('ASVS 6.3.1 (L1): guesses at one token from many addresses are throttled by the token prefix', async () => {
    const prefix = 'jb_GEMEINSAM';
    for (let i = 10; i < 20; i++) {
      const res = await call('/api/v1/tasks', { token: badToken(prefix), localAddress: `127.0.1.${i}` });
      expect(res.status).toBe(401);
    }
    expect((await call('/api/v1/tasks', { token: badToken(prefix), localAddress: '127.0.1.30' })).status).toBe(429);
    expect((await call('/api/v1/tasks', { token: badToken(), localAddress: '127.0.1.31' })).status).toBe(401);
  });
});
