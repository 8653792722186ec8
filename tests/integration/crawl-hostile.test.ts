/**
 * A career page written by an attacker, crawled, staged, ingested and served, end to end on PGlite:
 * - markup in titles, employers and descriptions, raw and entity-encoded (once and twice), never comes out of the
 *   API as live markup, nor does a `javascript:` link;
 * - a posting with a NUL character (or a broken surrogate, which jsonb refuses too) is set aside with a reason, and
 *   its neighbours are staged and ingested; the run, `sources list` and `crawl --wait` say so.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import type { Command } from '../../bin/commands/command.ts';
import { crawlCommand } from '../../bin/commands/crawl.ts';
import { sourcesCommand } from '../../bin/commands/sources.ts';
import { MemoryHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { runCrawl } from '../../crawlers/run-crawl.ts';
import type { Config } from '../../src/config.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { crawlRuns, ingestBatches, sources, vacancies } from '../../src/db/schema.ts';
import { checkHealth } from '../../src/health.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { rebuildIndex } from '../../src/search/index-sync.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { ingestRunNow } from '../../src/vacancies/ingest/ingest-run.ts';
import { testContext } from '../helpers/context.ts';
import { runInProcess } from '../helpers/in-process-command.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
/** A tag opening as the HTML tokenizer sees one. */
const LIVE_MARKUP = /<[a-z!/?]/i;

const IMG = '<img src=x onerror=alert(1)>';
const encode = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** JobPostings as an attacker writes them; JSON escapes let NUL and a lone surrogate through JSON.parse. */
function postings(origin: string) {
  const base = (n: number, extra: Record<string, unknown>) => ({
    '@type': 'JobPosting',
    identifier: `feind-${n}`,
    url: `${origin}/stellen/${n}`,
    datePosted: '2026-11-19',
    jobLocation: { '@type': 'Place', address: { postalCode: '70173', addressLocality: 'Stuttgart' } },
    ...extra,
  });
  return [
    base(1, {
      title: `${encode(IMG)}Koch (m/w/d)`,
      hiringOrganization: { '@type': 'Organization', name: `${encode(IMG)}Kantine Feind GmbH` },
      description: `<p>${encode(encode('<script>alert(1)</script>'))}Wir suchen einen Koch.</p>${IMG}`,
    }),
    base(2, {
      title: `Küchenhilfe ${encode(encode('<svg/onload=alert(1)>'))}`,
      hiringOrganization: `<b>Feind</b> &amp;lt;a href=//evil.example&amp;gt; AG`,
      description: `&#60;img src=x onerror=alert(1)&#62; Spülen und Vorbereiten. &amp;#60;script&amp;#62;x()`,
      jobLocation: { '@type': 'Place', address: { addressLocality: `${IMG}Stuttgart` } },
    }),
    base(3, { title: 'Koch mit NUL\u0000 im Titel', description: 'Sieht harmlos aus.' }),
    base(4, { title: 'Koch mit kaputtem Zeichen', description: 'Text \ud800 mit einzelnem Surrogat.' }),
    base(5, { title: 'Beikoch (m/w/d)', description: 'Ganz normal.', url: 'javascript:alert(1)' }),
  ];
}

let database: Database;
let ctx: ReturnType<typeof testContext>;
let search: SearchEngine;
let board: Server;
let origin: string;
let sourceId: string;
let crawl: Config['crawl'];

beforeAll(async () => {
  board = createServer((req, res) => {
    if (req.url !== '/stellen.html') return void res.writeHead(404).end();
    const json = JSON.stringify({ '@context': 'https://schema.org', '@graph': postings(origin) });
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8' })
      .end(`<html><head><script type="application/ld+json">${json}</script></head><body>Stellen</body></html>`);
  });
  await new Promise<void>((listening) => board.listen(0, '127.0.0.1', listening));
  const port = (board.address() as AddressInfo).port;
  origin = `http://127.0.0.1:${port}`;
  crawl = {
    baJobsucheUrl: 'https://ba.test.invalid',
    allowedPrivateHosts: [`127.0.0.1:${port}`],
    contactUrl: 'https://jobbruecke.example/test',
  };
  database = await openPglite(undefined);
  await database.migrate();
  ctx = testContext(database.db, NOW);
  const [source] = await database.db
    .insert(sources)
    .values({
      name: 'Feindliche Karriereseite (Test)',
      type: 'jsonld',
      url: `${origin}/stellen.html`,
      legalBasis: 'test fixture',
      everyMinutes: 1440,
    })
    .returning({ id: sources.id });
  sourceId = source!.id;
  search = createEmbeddedSearchEngine();
  await search.init();
});

afterAll(async () => {
  board?.closeAllConnections();
  await new Promise((closed) => board?.close(closed));
  await search?.close();
  await database?.close();
});

/** Runs one command line in process, as bin/cli.ts parses it, borrowing this test's database like the service does. */
async function runCommand(command: Command, argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  return runInProcess(command, argv, {
    ctx,
    database,
    config: { crawl } as Partial<Config>,
    resources: {
      shared: true,
      queues: async () => ({ index: async () => {}, drained: async () => true, crawl: async () => {} }) as never,
    },
  });
}

describe('a hostile career page', () => {
  it('sets the NUL posting and the broken one aside with a reason and stages the rest (finding 2)', async () => {
    const result = await runCrawl({ ctx, crawl, rateLimiter: new MemoryHostRateLimiter() }, sourceId);
    expect(result.status).toBe('done');
    expect(result.postings).toBe(3);
    expect(result.errors).toBe(2);
    // A posting set aside may have been stored before: nothing may be closed as missing.
    expect(result.complete).toBe(false);

    const [run] = await database.db.select().from(crawlRuns).where(eq(crawlRuns.id, result.runId!));
    expect(run!.status).toBe('partial');
    expect(run!.stats).toMatchObject({ fetched: 3, errors: 2 });
    expect(run!.errors).toEqual([
      expect.objectContaining({ kind: 'invalid_posting', message: expect.stringContaining('feind-3') }),
      expect.objectContaining({ kind: 'invalid_posting', message: expect.stringContaining('feind-4') }),
    ]);
    expect(run!.errors[0]!.message).toMatch(/NUL/);
    const staged = await database.db.select().from(ingestBatches).where(eq(ingestBatches.crawlRunId, run!.id));
    expect(staged.flatMap((b) => b.postings as Array<{ externalId: string }>).map((p) => p.externalId)).toEqual([
      'feind-1',
      'feind-2',
      'feind-5',
    ]);

    const report = await ingestRunNow(ctx, run!.id);
    expect(report).toMatchObject({ new: 3, errors: 2 });

    const listed = await runCommand(sourcesCommand, ['list']);
    expect(listed.out.join('\n')).not.toContain('never crawled');
    expect(listed.out.join('\n')).toMatch(/fetched=3\b/);
    expect(listed.out.join('\n')).toMatch(/errors=2\b/);
    expect(listed.out.join('\n')).toMatch(/last error: invalid_posting: /);
  });

  it('crawl --wait reports the error count and the first error', async () => {
    const r = await runCommand(crawlCommand, ['--source', sourceId, '--wait']);
    expect(r.out.join('\n')).toMatch(/errors 2/);
    expect(r.out.join('\n')).toMatch(/first error: invalid_posting: posting feind-3 set aside/);
  });

  it('serves no live markup and no javascript: link for any posting (finding 1)', async () => {
    await rebuildIndex(ctx, search);
    const app = createApp({
      ctx,
      search,
      matchService: undefined as never,
      health: () =>
        checkHealth({
          db: { kind: 'pglite', check: () => database.ping() },
          queue: { kind: 'none', check: async () => true },
          search: { kind: 'embedded', check: () => search.health() },
        }),
    });
    const rows = await database.db.select({ id: vacancies.id }).from(vacancies);
    expect(rows).toHaveLength(3);
    const texts: string[] = [];
    for (const { id } of rows) {
      const res = await app.request(`/api/v1/vacancies/${id}`);
      expect(res.status).toBe(200);
      texts.push(await res.text());
    }
    const list = await app.request('/api/v1/vacancies?q=koch&per_page=50');
    expect(list.status).toBe(200);
    texts.push(await list.text());
    for (const text of texts) {
      const decoded = JSON.stringify(JSON.parse(text));
      expect(decoded).not.toMatch(LIVE_MARKUP);
      expect(decoded).not.toMatch(/javascript:/i);
      expect(decoded).not.toMatch(/&lt;|&#0*60;|&#x0*3c;/i);
    }
    const details = texts.slice(0, 3).map((t) => JSON.parse(t) as { title: string; employer: string | null });
    expect(details.map((d) => d.title).sort()).toEqual(['Beikoch (m/w/d)', 'Koch (m/w/d)', 'Küchenhilfe']);
    expect(details.map((d) => d.employer).sort()).toEqual(['Feind AG', 'Kantine Feind GmbH', null]);
  });
});
