/**
 * Two job centres exchange vacancies (issue 11, point 8), on loopback: installation A (the employer world: an app over
 * its own database, served on a real port) publishes its employer orders at /austausch/stellen.jsonld and .atom;
 * installation B (another database) has a source of type `exchange` on A's feed, crawls it through the polite fetcher
 * (A's origin allowed as a private host, as CRAWL_ALLOWED_PRIVATE_HOSTS does), ingests, and serves the vacancies in
 * its public search. A withdrawal at A closes the vacancy at B. The feed carries no personal data of the order. Behind a
 * proxy, PUBLIC_URL and PUBLISHER_NAME decide every address and name in the feed, not the internal origin.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppEnv, createApp } from '../../api/app.ts';
import { type HostRateLimiter, MemoryHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { runCrawl } from '../../crawlers/run-crawl.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { sources, vacancies } from '../../src/db/schema.ts';
import { defaultValidThrough } from '../../src/exchange/feed.ts';
import { REDACTED_CONTACT } from '../../src/exchange/redact.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { rebuildIndex } from '../../src/search/index-sync.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { addSource } from '../../src/sources/sources.ts';
import { ingestRunNow } from '../../src/vacancies/ingest/ingest-run.ts';
import { missingCrawlsToClose } from '../../src/vacancies/ingest/mark-missing.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type EmployerWorld, employerWorld, MINIMAL_ORDER } from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
/**
 * B's spacing of requests to A's host: the crawler's default (2 s) would make this file take over a minute for a
 * dozen requests to a server on loopback; still a real limiter, every request waits for its slot.
 */
const HOST_INTERVAL_MS = 20;

/** The order's personal data: it must never leave installation A. */
const CONTACT = {
  name: 'Erika Testperson-Kontakt',
  email: 'erika.kontakt@muster-test.invalid',
  phone: '+49 711 1234567',
};
const ROUTE_EMAIL = 'bewerbung.personal@muster-test.invalid';
const TEXT_EMAIL = 'kueche.leitung@muster-test.invalid';
const TEXT_PHONE = '0711 / 765 43 21';

const COOK = {
  ...MINIMAL_ORDER,
  description: `${MINIMAL_ORDER.description} Fragen vorab gern an ${TEXT_EMAIL} oder ${TEXT_PHONE}.`,
  contact_person: CONTACT,
  application_route: { kind: 'email', value: ROUTE_EMAIL },
};
const WAREHOUSE = {
  title: 'Fachkraft für Lagerlogistik (m/w/d)',
  description: 'Wareneingang und Kommissionierung im Lager der Muster GmbH (Test). Staplerschein erwünscht.',
  plz: '70174',
  working_times: ['teilzeit', 'schicht_nacht_wochenende'],
  contract_type: 'befristet',
  number_of_positions: 3,
  salary: { min: 2600, max: 2900, unit: 'month' },
  contact_person: { name: 'Max Testperson-Lager', phone: '0711 2223334' },
  placement_order: false,
};

// biome-ignore lint/suspicious/noExplicitAny: JSON-LD bodies are checked by shape below
type Json = any;

describe.each(testDatabases())('exchange between two job centres on $name', (factory) => {
  let a: EmployerWorld;
  let server: Server;
  let feedOrigin: string;
  let databaseB: Database;
  let ctxB: ReturnType<typeof testContext>;
  let searchB: SearchEngine;
  let appB: Hono<AppEnv>;
  let sourceB: string;
  const memory = new MemoryHostRateLimiter();
  const limiter: HostRateLimiter = { acquire: (host) => memory.acquire(host, HOST_INTERVAL_MS) };
  let crawlB: Config['crawl'];
  const orders: Record<'cook' | 'warehouse', { vacancy_id: string; reference: string }> = {} as never;

  beforeAll(async () => {
    // A's app is the real one (api/app.ts mounts the feed), under the default publisher name.
    a = await employerWorld(await openMigrated(factory), NOW);
    server = serve({ fetch: a.app.fetch, port: 0, hostname: '127.0.0.1' }) as Server;
    await new Promise<void>((resolve) => (server.listening ? resolve() : server.once('listening', resolve)));
    feedOrigin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    databaseB = await openMigrated(factory);
    ctxB = testContext(databaseB.db, NOW);
    searchB = createEmbeddedSearchEngine();
    await searchB.init();
    appB = createApp({
      ctx: ctxB,
      search: searchB,
      matchService: undefined as never,
      health: async () => ({ status: 'up', components: {} as never }),
    });
    crawlB = {
      baJobsucheUrl: 'https://ba.test.invalid',
      allowedPrivateHosts: [new URL(feedOrigin).host],
      contactUrl: 'https://jobcenter-b.example/crawler',
    };
  });

  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    await a?.close();
    await searchB?.close();
    await databaseB?.close();
  });

  const feed = (path: string, headers: Record<string, string> = {}) => fetch(`${feedOrigin}${path}`, { headers });

  /** One crawl of A's feed at B, its ingest and B's index: what B's worker does on schedule. */
  async function crawlAtB() {
    const run = await runCrawl({ ctx: ctxB, crawl: crawlB, rateLimiter: limiter }, sourceB);
    expect(run.status).toBe('done');
    const report = await ingestRunNow(ctxB, run.runId!);
    await rebuildIndex(ctxB, searchB);
    return { run, report };
  }

  const searchAtB = async (q: string): Promise<Json> => (await appB.request(`/api/v1/vacancies?q=${q}`)).json();

  it('publishes the open employer orders as JSON-LD JobPostings, and nothing else', async () => {
    for (const [key, body] of [
      ['cook', COOK],
      ['warehouse', WAREHOUSE],
    ] as const) {
      const res = await a.call('employerA', 'POST', '/api/v1/employer/vacancies', body);
      expect(res.status, await res.clone().text()).toBe(201);
      orders[key] = (await res.json()) as { vacancy_id: string; reference: string };
    }
    // A crawled vacancy is someone else's publication: not in the exchange.
    await a.database.db.insert(vacancies).values({ title: 'Gecrawlte Stelle (Test)', employerName: 'Fremd AG (Test)' });

    const res = await feed('/austausch/stellen.jsonld');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/ld+json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('public, max-age=300');
    expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    expect(res.headers.get('last-modified')).toBe(NOW.toUTCString());
    const body: Json = await res.json();
    expect(body).toMatchObject({
      '@context': ['https://schema.org', { jb: 'urn:jobbruecke:austausch#' }],
      '@type': 'DataFeed',
      provider: { name: 'Jobcenter', url: feedOrigin },
    });
    expect(body['jb:nextPage']).toBeUndefined();
    const postings: Json[] = body.dataFeedElement;
    expect(postings.map((p) => p.identifier.value).sort()).toEqual(
      [orders.cook.reference, orders.warehouse.reference].sort(),
    );
    const [cookRow] = await a.database.db.select().from(vacancies).where(eq(vacancies.id, orders.cook.vacancy_id));
    const cook = postings.find((p) => p.identifier.value === orders.cook.reference);
    expect(cook).toMatchObject({
      '@type': 'JobPosting',
      '@id': `${feedOrigin}/austausch/stellen/${orders.cook.vacancy_id}`,
      url: `${feedOrigin}/api/v1/vacancies/${orders.cook.vacancy_id}`,
      title: 'Koch / Köchin (m/w/d)',
      hiringOrganization: { '@type': 'Organization', name: 'Muster GmbH (Test)' },
      jobLocation: [{ '@type': 'Place', address: { postalCode: '70173', addressLocality: 'Stuttgart' } }],
      employmentType: ['FULL_TIME'],
      workHours: 'Vollzeit',
      totalJobOpenings: 1,
      datePosted: NOW.toISOString(),
      validThrough: defaultValidThrough(NOW).toISOString(),
      directApply: false,
      applicationContact: { name: 'Jobcenter, Zweigstelle Mitte (Test)', url: feedOrigin },
      'jb:workingTimes': ['vollzeit'],
      'jb:contractType': 'unbefristet',
      'jb:offerType': 'arbeit',
    });
    expect(cookRow!.kldbCode).toMatch(/^\d{5}$/);
    expect(cook.occupationalCategory).toMatchObject({ '@type': 'CategoryCode', codeValue: cookRow!.kldbCode });
    const warehouse = postings.find((p) => p.identifier.value === orders.warehouse.reference);
    expect(warehouse).toMatchObject({
      employmentType: ['PART_TIME', 'TEMPORARY'],
      workHours: 'Teilzeit, Schicht/Nacht/Wochenende',
      totalJobOpenings: 3,
      baseSalary: { currency: 'EUR', value: { minValue: 2600, maxValue: 2900, unitText: 'MONTH' } },
      'jb:workingTimes': ['teilzeit', 'schicht_nacht_wochenende'],
      'jb:contractType': 'befristet',
    });
    // Validity: stated in whole 30-day windows, 30 to 60 days ahead.
    const ahead = Date.parse(cook.validThrough) - NOW.getTime();
    expect(ahead).toBeGreaterThanOrEqual(30 * 86_400_000);
    expect(ahead).toBeLessThanOrEqual(60 * 86_400_000);
  });

  it('carries no personal data: neither the contact person, the application route, nor staff', async () => {
    for (const path of ['/austausch/stellen.jsonld', '/austausch/stellen.atom']) {
      const text = await (await feed(path)).text();
      for (const personal of [
        CONTACT.name,
        CONTACT.email,
        CONTACT.phone,
        ROUTE_EMAIL,
        'Max Testperson-Lager',
        '0711 2223334',
        TEXT_EMAIL,
        TEXT_PHONE,
        'Test caseworker1',
        'employerA@employer-api.test.invalid',
      ]) {
        expect(text, `${path} names ${personal}`).not.toContain(personal);
      }
      expect(text).not.toMatch(/@muster-test\.invalid|Testperson|caseworker|assigned/i);
      // The text the employer wrote survives, with the contact details replaced by the job centre's.
      expect(text).toContain(`Fragen vorab gern an ${REDACTED_CONTACT} oder ${REDACTED_CONTACT}.`);
    }
  });

  it('answers a repeated request with 304 by ETag or by date, and refuses bad parameters', async () => {
    const first = await feed('/austausch/stellen.jsonld');
    const etag = first.headers.get('etag')!;
    const byTag = await feed('/austausch/stellen.jsonld', { 'if-none-match': etag });
    expect(byTag.status).toBe(304);
    expect(byTag.headers.get('etag')).toBe(etag);
    const byDate = await feed('/austausch/stellen.jsonld', {
      'if-modified-since': first.headers.get('last-modified')!,
    });
    expect(byDate.status).toBe(304);
    // A tag that no longer matches wins over a date that would.
    const stale = await feed('/austausch/stellen.jsonld', {
      'if-none-match': '"veraltet"',
      'if-modified-since': first.headers.get('last-modified')!,
    });
    expect(stale.status).toBe(200);

    for (const query of ['anzahl=0', 'anzahl=501', 'anzahl=zwei', 'nach=keine-id', 'seite=2']) {
      const res = await feed(`/austausch/stellen.jsonld?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('pages with a bounded size: next page in the body and the Link header, none after the last', async () => {
    const first = await feed('/austausch/stellen.jsonld?anzahl=1');
    const body: Json = await first.json();
    expect(body.dataFeedElement).toHaveLength(1);
    const next: string = body['jb:nextPage'];
    expect(next).toMatch(new RegExp(`^${feedOrigin}/austausch/stellen\\.jsonld\\?nach=[0-9a-f-]{36}&anzahl=1$`));
    expect(first.headers.get('link')).toBe(`<${next}>; rel="next"`);
    const second: Json = await (await fetch(next)).json();
    expect(second.dataFeedElement).toHaveLength(1);
    expect(second['jb:nextPage']).toBeUndefined();
    expect(second.dataFeedElement[0].identifier.value).not.toBe(body.dataFeedElement[0].identifier.value);
  });

  it('serves the same vacancies as a well-formed Atom feed', async () => {
    const res = await feed('/austausch/stellen.atom');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    const xml = await res.text();
    expect(XMLValidator.validate(xml)).toBe(true);
    const atom = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'entry' }).parse(xml).feed;
    expect(atom.entry.map((e: Json) => e.id).sort()).toEqual(
      [orders.cook.vacancy_id, orders.warehouse.vacancy_id].map((id) => `${feedOrigin}/austausch/stellen/${id}`).sort(),
    );
    const warehouse = atom.entry.find((e: Json) => e.title === 'Fachkraft für Lagerlogistik (m/w/d)');
    expect(warehouse.summary).toContain(
      'Muster GmbH (Test) · 70174 Stuttgart · Teilzeit, Schicht/Nacht/Wochenende · 3 Stellen',
    );
    expect(warehouse.link['@_href']).toBe(`${feedOrigin}/api/v1/vacancies/${orders.warehouse.vacancy_id}`);
  });

  it('builds every address on PUBLIC_URL and names PUBLISHER_NAME behind a proxy; unset, the request’s origin and "Jobcenter"', async () => {
    /** A's app as bin/api.ts builds it from the environment, reached at the internal address a TLS proxy forwards to. */
    const behindProxy = (env: Record<string, string>) => {
      const app = createApp({
        ctx: a.ctx,
        search: a.search,
        matchService: undefined as never,
        health: async () => ({ status: 'up', components: {} as never }),
        exchange: loadConfig(env).site,
      });
      return async (path: string) => {
        const res = await app.request(`http://10.0.7.21:3000${path}`);
        expect(res.status, path).toBe(200);
        return { text: await res.text(), link: res.headers.get('link') };
      };
    };
    /** Every absolute address of a body, but for the vocabularies it names (schema.org, Atom, the KldB code set). */
    const addressesIn = (text: string) =>
      [...text.matchAll(/https?:\/\/[^\s"<>]+/g)]
        .map((m) => m[0])
        .filter((url) => !/^https:\/\/(schema\.org|statistik\.arbeitsagentur\.de)|^http:\/\/www\.w3\.org\//.test(url));

    const PUBLIC = 'https://jobbruecke.stadt-a.example';
    const under = (rest: string) => new RegExp(`^${PUBLIC.replace(/\./g, '\\.')}${rest}$`);
    const configured = behindProxy({ PUBLIC_URL: `${PUBLIC}/`, PUBLISHER_NAME: 'Jobcenter Musterstadt' });
    const jsonLd = await configured('/austausch/stellen.jsonld?anzahl=1');
    const body: Json = JSON.parse(jsonLd.text);
    const [posting] = body.dataFeedElement;
    expect(body).toMatchObject({
      '@id': `${PUBLIC}/austausch/stellen.jsonld`,
      name: 'Stellenaustausch: Arbeitgeberstellen von Jobcenter Musterstadt',
      provider: { '@type': 'GovernmentOrganization', name: 'Jobcenter Musterstadt', url: PUBLIC },
      'jb:nextPage': expect.stringMatching(under('/austausch/stellen\\.jsonld\\?nach=[0-9a-f-]{36}&anzahl=1')),
    });
    expect(posting).toMatchObject({
      '@id': expect.stringMatching(under('/austausch/stellen/[0-9a-f-]{36}')),
      url: expect.stringMatching(under('/api/v1/vacancies/[0-9a-f-]{36}')),
      applicationContact: { name: 'Jobcenter Musterstadt, Zweigstelle Mitte (Test)', url: PUBLIC },
    });
    expect(jsonLd.link).toBe(`<${body['jb:nextPage']}>; rel="next"`);

    const atomPage = await configured('/austausch/stellen.atom?anzahl=1');
    const atom = new XMLParser({
      ignoreAttributes: false,
      isArray: (name) => name === 'entry' || name === 'link',
    }).parse(atomPage.text).feed;
    expect(atom.id).toBe(`${PUBLIC}/austausch/stellen.atom`);
    expect(atom.title).toBe('Stellenaustausch: Arbeitgeberstellen von Jobcenter Musterstadt');
    expect(atom.author).toEqual({ name: 'Jobcenter Musterstadt', uri: PUBLIC });
    expect(atom.link.map((l: Json) => [l['@_rel'], l['@_href']])).toEqual([
      ['self', `${PUBLIC}/austausch/stellen.atom`],
      ['alternate', `${PUBLIC}/austausch/stellen.jsonld`],
      ['next', expect.stringMatching(under('/austausch/stellen\\.atom\\?nach=[0-9a-f-]{36}&anzahl=1'))],
    ]);
    expect(atom.entry[0].id).toMatch(under('/austausch/stellen/[0-9a-f-]{36}'));
    expect(atomPage.link).toBe(`<${atom.link[2]['@_href']}>; rel="next"`);
    // Nothing points at the internal address, in either format or the headers.
    for (const page of [jsonLd, atomPage]) {
      expect(page.text).not.toContain('10.0.7.21');
      expect(page.link).not.toContain('10.0.7.21');
      const addresses = addressesIn(page.text);
      expect(addresses.length).toBeGreaterThan(5);
      for (const url of addresses) expect(url.startsWith(PUBLIC), url).toBe(true);
    }

    // Unset: the request's own origin (here the internal one) and the default name, in both formats.
    const plain = behindProxy({});
    const defaultJsonLd: Json = JSON.parse((await plain('/austausch/stellen.jsonld')).text);
    expect(defaultJsonLd.provider).toEqual({
      '@type': 'GovernmentOrganization',
      name: 'Jobcenter',
      url: 'http://10.0.7.21:3000',
    });
    expect(defaultJsonLd.dataFeedElement[0].applicationContact.name).toBe('Jobcenter, Zweigstelle Mitte (Test)');
    const defaultAtom = new XMLParser({ ignoreAttributes: false }).parse(
      (await plain('/austausch/stellen.atom')).text,
    ).feed;
    expect(defaultAtom.author).toEqual({ name: 'Jobcenter', uri: 'http://10.0.7.21:3000' });
    expect(defaultAtom.id).toBe('http://10.0.7.21:3000/austausch/stellen.atom');
  });

  it('B adds A’s feed as an exchange source, crawls it page by page and finds the vacancies in its search', async () => {
    const source = await addSource({
      ctx: ctxB,
      input: { type: 'exchange', url: `${feedOrigin}/austausch/stellen.jsonld?anzahl=1`, name: 'Jobcenter A (Test)' },
    });
    expect(source.legalBasis).toMatch(/Stellenaustausch zwischen Jobcentern/);
    sourceB = source.id;

    const { run, report } = await crawlAtB();
    expect(run.complete).toBe(true);
    expect(report).toMatchObject({ new: 2, errors: 0 });

    const found = await searchAtB('Koch');
    expect(found.total).toBe(1);
    expect(found.hits[0]).toMatchObject({
      title: 'Koch / Köchin (m/w/d)',
      employer: 'Muster GmbH (Test)',
      plz: '70173',
    });
    const [cookRow] = await a.database.db.select().from(vacancies).where(eq(vacancies.id, orders.cook.vacancy_id));
    const detail: Json = await (await appB.request(`/api/v1/vacancies/${found.hits[0].id}`)).json();
    expect(detail).toMatchObject({
      // A's caseworkers' coding is taken as stated.
      kldb_code: cookRow!.kldbCode,
      working_times: ['vollzeit'],
      contract_type: 'unbefristet',
      valid_through: defaultValidThrough(NOW).toISOString(),
      links: [`${feedOrigin}/api/v1/vacancies/${orders.cook.vacancy_id}`],
    });
    expect(JSON.stringify(detail)).not.toContain(TEXT_EMAIL);

    const warehouse: Json = await searchAtB('Lagerlogistik');
    expect(warehouse.hits[0]).toMatchObject({
      working_times: ['teilzeit', 'schicht_nacht_wochenende'],
      contract_type: 'befristet',
    });

    // Read again unchanged: nothing new, nothing updated.
    const again = await crawlAtB();
    expect(again.report).toMatchObject({ new: 0, updated: 0, unchanged: 2 });
  });

  it('closes the vacancy at B once A withdrew it and B crawled the feed again', async () => {
    const before = (await feed('/austausch/stellen.jsonld')).headers.get('etag')!;
    a.ctx.setNow(new Date(NOW.getTime() + 3_600_000));
    const withdrawn = await a.call(
      'employerA',
      'POST',
      `/api/v1/employer/vacancies/${orders.cook.vacancy_id}/withdraw`,
    );
    expect(withdrawn.status).toBe(200);
    const after = await feed('/austausch/stellen.jsonld', { 'if-none-match': before });
    expect(after.status).toBe(200);
    const body: Json = await after.json();
    expect(body.dataFeedElement.map((p: Json) => p.identifier.value)).toEqual([orders.warehouse.reference]);

    // The feed is A's complete list, read to the end: the next complete crawl that misses the posting closes it.
    expect(missingCrawlsToClose('exchange')).toBe(1);
    ctxB.setNow(new Date(NOW.getTime() + 7_200_000));
    const { run, report } = await crawlAtB();
    expect(run.complete).toBe(true);
    expect(report.closed).toBe(1);
    const [closed] = await databaseB.db
      .select({ status: vacancies.status, reason: vacancies.closeReason })
      .from(vacancies)
      .where(eq(vacancies.title, 'Koch / Köchin (m/w/d)'));
    expect(closed).toEqual({ status: 'closed', reason: 'missing_from_source' });
    expect((await searchAtB('Koch')).total).toBe(0);
    expect((await searchAtB('Lagerlogistik')).total).toBe(1);
    const [link] = await databaseB.db.select().from(sources).where(eq(sources.id, sourceB));
    expect(link!.lastError).toBeNull();
  });
});
