/**
 * The applicant-tracking systems' public job APIs through the crawl path (`crawlSource`, the polite fetcher with its
 * SSRF guard on a loopback origin that the test allows): Recruitee, Greenhouse, Lever, SmartRecruiters and Workable,
 * each answering with invented companies' boards under tests/fixtures/crawlers/ats. The server maps an API address
 * to a file by its path, plus the paging parameter where the API pages (`…/postings@skip=2.json`), so paging is real.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, normalize } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CrawlDeps,
  type CrawlState,
  crawlSource,
  MemoryHostRateLimiter,
  type SourceSpec,
} from '../../crawlers/index.ts';
import { FIXTURE_ROOT } from '../helpers/fixture-server.ts';

const ROOT = join(FIXTURE_ROOT, 'ats');
const EMPTY: CrawlState = { validators: {} };
const PAGING = ['skip', 'offset'];

let server: Server;
let origin: string;
const requests: string[] = [];

function deps(): CrawlDeps {
  return {
    http: {
      contactUrl: 'https://jobbruecke.example/kontakt',
      allowedPrivateHosts: [new URL(origin).host],
      minHostIntervalMs: 0,
      retryBaseDelayMs: 10,
      maxRetries: 0,
      responseTimeoutMs: 2_000,
    },
    rateLimiter: new MemoryHostRateLimiter(),
  };
}

const spec = (type: SourceSpec['type'], path: string, config?: Record<string, unknown>): SourceSpec => ({
  id: `test-${type}`,
  type,
  url: `${origin}${path}`,
  config,
});

beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin);
    requests.push(url.pathname + url.search);
    if (url.pathname === '/robots.txt') return void res.writeHead(404).end();
    const paging = PAGING.filter((p) => url.searchParams.has(p)).map((p) => `@${p}=${url.searchParams.get(p)}`);
    const file = normalize(join(ROOT, `${url.pathname.replace(/\/+$/, '')}${paging.join('')}.json`));
    if (!file.startsWith(ROOT)) return void res.writeHead(403).end();
    readFile(file).then(
      (body) => res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(body),
      () => res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('Recruitee', () => {
  it('maps every offer with all places, salary, work mode and hints; skips the one without title', async () => {
    const outcome = await crawlSource(spec('recruitee', '/recruitee/beispiel-logistik/api/offers/'), EMPTY, deps());
    expect(outcome.postings.map((p) => p.externalId)).toEqual(['1001', '1002']);
    expect(outcome.postings[0]).toMatchObject({
      url: 'https://beispiel-logistik.recruitee.com/o/fachkraft-fur-lagerlogistik-mwd',
      title: 'Fachkraft für Lagerlogistik (m/w/d)',
      employerName: 'Beispiel Logistik GmbH (Test)',
      locations: [
        {
          street: 'Beispielstraße 1',
          plz: '70173',
          city: 'Stuttgart',
          region: 'Baden-Württemberg',
          country: 'Deutschland',
        },
        { plz: '73728', city: 'Esslingen am Neckar', region: 'Baden-Württemberg', country: 'Deutschland' },
      ],
      workingTimes: ['vollzeit'],
      contractType: 'unbefristet',
      salary: { min: 2900, max: 3400, currency: 'EUR', unit: 'month' },
      occupationHints: ['Lager & Versand', 'logistics'],
      datePosted: '2026-11-02T08:00:00.000Z',
      validThrough: '2026-12-31T23:59:59.000Z',
    });
    expect(outcome.postings[0]?.remote).toBeUndefined();
    expect(outcome.postings[0]?.description).toBe(
      'Sie kommissionieren und verladen Waren in unserem Zentrallager.\n\nStaplerschein erwünscht\nSchichtbetrieb\n\n' +
        'Anforderungen\n\nAbgeschlossene Ausbildung als Fachkraft für Lagerlogistik.',
    );
    expect(outcome.postings[1]).toMatchObject({
      locations: [{ plz: '71634', city: 'Ludwigsburg', country: 'Deutschland' }],
      workingTimes: ['teilzeit'],
      contractType: 'befristet',
      remote: true,
    });
    // A salary object without amounts is no salary.
    expect(outcome.postings[1]?.salary).toBeUndefined();
    expect(outcome.errors).toEqual([
      expect.objectContaining({ kind: 'parse', message: expect.stringContaining('without id or title') }),
    ]);
    expect(outcome.complete).toBe(false);
  });

  it('records an answer cut off mid-JSON as a parse error, with nothing mapped and nothing complete', async () => {
    const outcome = await crawlSource(spec('recruitee', '/recruitee/abgebrochen/api/offers/'), EMPTY, deps());
    expect(outcome.postings).toEqual([]);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ kind: 'parse', message: expect.stringContaining('not JSON') }),
    ]);
    expect(outcome.complete).toBe(false);
  });
});

describe('Greenhouse', () => {
  it('asks for the content, decodes the encoded HTML and takes each office as a place', async () => {
    const outcome = await crawlSource(spec('greenhouse', '/greenhouse/v1/boards/beispielsoftware/jobs'), EMPTY, deps());
    expect(requests).toContain('/greenhouse/v1/boards/beispielsoftware/jobs?content=true');
    expect(outcome.errors).toEqual([]);
    expect(outcome.complete).toBe(true);
    const [developer, support] = outcome.postings;
    expect(developer).toMatchObject({
      externalId: '4100001',
      url: 'https://job-boards.greenhouse.io/beispielsoftware/jobs/4100001',
      employerName: 'Beispiel Software AG (Test)',
      locations: [{ city: 'Stuttgart, Germany' }, { city: 'Cologne, Germany' }],
      workingTimes: ['vollzeit'],
      contractType: 'unbefristet',
      occupationHints: ['Softwareentwicklung'],
      datePosted: '2026-11-03T14:00:00.000Z',
    });
    expect(developer?.description).toBe(
      'Sie entwickeln unsere Abrechnungsplattform in TypeScript.\n\nCode-Reviews & Tests',
    );
    expect(support).toMatchObject({ externalId: '4100002', locations: [], remote: true, workingTimes: ['teilzeit'] });
  });

  it('is not complete when the board lists fewer jobs than meta.total promises', async () => {
    const outcome = await crawlSource(spec('greenhouse', '/greenhouse/v1/boards/beispielkurz/jobs'), EMPTY, deps());
    expect(outcome.postings.map((p) => p.title)).toEqual(['Buchhalter (m/w/d)']);
    expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'incomplete' })]);
    expect(outcome.complete).toBe(false);
  });
});

describe('Lever', () => {
  it('pages by skip and limit until a short page, with lists, salary ranges and the remote workplace', async () => {
    const outcome = await crawlSource(
      spec('lever', '/lever/v0/postings/beispielpflege', { pageSize: 2 }),
      EMPTY,
      deps(),
    );
    expect(requests).toEqual(
      expect.arrayContaining([
        '/lever/v0/postings/beispielpflege?mode=json&skip=0&limit=2',
        '/lever/v0/postings/beispielpflege?mode=json&skip=2&limit=2',
      ]),
    );
    expect(requests).not.toContain('/lever/v0/postings/beispielpflege?mode=json&skip=4&limit=2');
    expect(outcome.errors).toEqual([]);
    expect(outcome.complete).toBe(true);
    expect(outcome.postings.map((p) => p.title)).toEqual([
      'Pflegefachkraft (m/w/d) ambulant',
      'Pflegedienstleitung (m/w/d)',
      'Koordination Tourenplanung (m/w/d)',
    ]);
    const [nurse, , planner] = outcome.postings;
    expect(nurse).toMatchObject({
      externalId: '0b5f6c1e-0000-4000-8000-000000000001',
      url: 'https://jobs.lever.co/beispielpflege/0b5f6c1e-0000-4000-8000-000000000001',
      locations: [
        { city: 'Stuttgart', country: 'DE' },
        { city: 'Esslingen am Neckar', country: 'DE' },
      ],
      workingTimes: ['teilzeit'],
      salary: { min: 42000, max: 48000, currency: 'EUR', unit: 'year' },
      occupationHints: ['Pflege', 'Ambulante Pflege'],
      datePosted: '2025-11-03T08:00:00.000Z',
    });
    expect(nurse?.description).toContain('Ihre Aufgaben\n\nGrundpflege\nDokumentation');
    expect(planner).toMatchObject({
      locations: [],
      remote: true,
      salary: { min: 19.5, max: 22, unit: 'hour' },
    });
  });

  it('keeps the first page when a later page is garbage, records it, and is not complete', async () => {
    const outcome = await crawlSource(spec('lever', '/lever/v0/postings/abgebrochen', { pageSize: 2 }), EMPTY, deps());
    expect(outcome.postings.map((p) => p.title)).toEqual(['Pflegehelfer (m/w/d)', 'Betreuungskraft (m/w/d)']);
    expect(outcome.postings[0]?.workingTimes).toEqual(['minijob']);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ kind: 'parse', url: expect.stringContaining('skip=2') }),
    ]);
    expect(outcome.complete).toBe(false);
  });
});

describe('SmartRecruiters', () => {
  it('pages until totalFound, reads each detail, and never maps the recruiter named in the listing', async () => {
    const outcome = await crawlSource(
      spec('smartrecruiters', '/smartrecruiters/v1/companies/BeispielBau/postings', { pageSize: 2 }),
      EMPTY,
      deps(),
    );
    expect(outcome.errors).toEqual([]);
    expect(outcome.complete).toBe(true);
    expect(outcome.postings.map((p) => p.externalId)).toEqual([
      '744000000000001',
      '744000000000002',
      '744000000000003',
    ]);
    expect(outcome.postings[0]).toMatchObject({
      url: 'https://jobs.smartrecruiters.com/BeispielBau/744000000000001',
      title: 'Bauleiter Hochbau (m/w/d)',
      employerName: 'Beispiel Bau GmbH & Co. KG (Test)',
      locations: [{ plz: '70173', city: 'Stuttgart', region: 'BW', country: 'de', lat: 48.7758, lon: 9.1829 }],
      workingTimes: ['vollzeit'],
      contractType: 'unbefristet',
      occupationHints: ['Bauingenieurwesen', 'Hochbau', 'Bauwesen'],
      datePosted: '2026-11-01T07:30:00.000Z',
    });
    expect(outcome.postings[0]?.description).toBe(
      'Ihre Aufgaben\n\nBauleiter Hochbau (m/w/d): Bauleitung vor Ort.\n\nIhr Profil\n\nStudium Bauingenieurwesen\n\n' +
        'Wir bieten\n\nDienstwagen\n\nÜber uns\n\nBeispiel Bau baut seit 1950 in der Region.',
    );
    expect(outcome.postings[2]).toMatchObject({ offerType: 'praktikum', workingTimes: ['teilzeit'] });
    expect(JSON.stringify(outcome.postings)).not.toContain('Testperson');
  });

  it('does not take a short page for the end while totalFound promises more', async () => {
    const outcome = await crawlSource(
      spec('smartrecruiters', '/smartrecruiters/v1/companies/BeispielKurz/postings', { pageSize: 2 }),
      EMPTY,
      deps(),
    );
    expect(outcome.postings).toHaveLength(2);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ kind: 'incomplete', message: expect.stringContaining('5') }),
    ]);
    expect(outcome.complete).toBe(false);
  });

  it('leaves out a posting whose detail cannot be read, and keeps the others', async () => {
    const outcome = await crawlSource(
      spec('smartrecruiters', '/smartrecruiters/v1/companies/BeispielLuecke/postings', { pageSize: 2 }),
      EMPTY,
      deps(),
    );
    expect(outcome.postings.map((p) => p.externalId)).toEqual(['744000000000001']);
    expect(outcome.errors).toEqual([
      expect.objectContaining({ kind: 'http_status', url: expect.stringContaining('744000000000002') }),
    ]);
    expect(outcome.complete).toBe(false);
  });
});

describe('Workable', () => {
  it('asks for details and maps the account name as employer', async () => {
    const outcome = await crawlSource(
      spec('workable', '/workable/api/v1/widget/accounts/beispiel-gastro'),
      EMPTY,
      deps(),
    );
    expect(requests).toContain('/workable/api/v1/widget/accounts/beispiel-gastro?details=true');
    expect(outcome.errors).toEqual([]);
    expect(outcome.complete).toBe(true);
    expect(outcome.postings[0]).toMatchObject({
      externalId: '8A1B2C3D4E',
      url: 'https://apply.workable.com/j/8A1B2C3D4E',
      employerName: 'Beispiel Gastro GmbH (Test)',
      locations: [{ city: 'Stuttgart', region: 'Baden-Württemberg', country: 'Germany' }],
      workingTimes: ['vollzeit'],
      occupationHints: ['Gastronomie', 'Küche', 'Hospitality'],
      datePosted: '2026-11-04T00:00:00.000Z',
    });
    expect(outcome.postings[0]?.description).toBe(
      'Frische Küche für unsere Kantine, keine Spätdienste.\n\nAnforderungen\n\nAusbildung als Koch/Köchin\n\n' +
        'Wir bieten\n\nJobticket',
    );
    // Without a locations list the top-level place is used.
    expect(outcome.postings[1]).toMatchObject({
      locations: [{ city: 'Fellbach', region: 'Baden-Württemberg', country: 'Germany' }],
      workingTimes: ['teilzeit'],
    });
  });

  it('records an HTML maintenance page answered with 200 as a parse error', async () => {
    const outcome = await crawlSource(spec('workable', '/workable/api/v1/widget/accounts/wartung'), EMPTY, deps());
    expect(outcome.postings).toEqual([]);
    expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'parse' })]);
    expect(outcome.complete).toBe(false);
  });
});

describe('every ATS type', () => {
  it('refuses a bad config as a recorded error before any request', async () => {
    const outcome = await crawlSource(
      spec('lever', '/lever/v0/postings/beispielpflege', { pageSize: 0 }),
      EMPTY,
      deps(),
    );
    expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'config' })]);
    expect(outcome.stats.requests).toBe(0);
  });

  it('refuses a private address that is not allowed (SSRF guard of the shared fetcher)', async () => {
    const outcome = await crawlSource(
      { id: 'ssrf', type: 'greenhouse', url: 'http://127.0.0.2:9/v1/boards/x/jobs' },
      EMPTY,
      deps(),
    );
    expect(outcome.errors).toEqual([expect.objectContaining({ kind: 'ssrf_blocked' })]);
    expect(outcome.postings).toEqual([]);
  });
});
