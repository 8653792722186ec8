/** Issue 10 point 6: /metrics, who may read it, and what it reports (route patterns only, the DB-backed gauges). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { crawlRuns, ingestBatches, sources } from '../../src/db/schema.ts';
import { checkHealth } from '../../src/health.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { rebuildIndex } from '../../src/search/index-sync.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { testContext } from '../helpers/context.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let database: Database;
let search: SearchEngine;
let matchService: MatchService;
let ids: string[];

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  ids = await insertSyntheticVacancies(database.db, 20, NOW);
  search = createEmbeddedSearchEngine();
  await search.init();
  await rebuildIndex(testContext(database.db, NOW), search);
  matchService = await MatchService.load(testContext(database.db, NOW));
  const [source] = await database.db
    .insert(sources)
    .values({ name: 'Stadtportal', type: 'feed', url: 'https://example.org/feed', legalBasis: 'Test' })
    .returning();
  if (!source) throw new Error('no source');
  const [run] = await database.db
    .insert(crawlRuns)
    .values([
      { sourceId: source.id, startedAt: new Date(NOW.getTime() - 3_600_000), status: 'succeeded' },
      { sourceId: source.id, startedAt: new Date(NOW.getTime() - 1_800_000), status: 'failed' },
    ])
    .returning();
  await database.db
    .insert(ingestBatches)
    .values({ sourceId: source.id, crawlRunId: run?.id, postings: [], createdAt: new Date(NOW.getTime() - 90_000) });
});

afterAll(async () => {
  await search.close();
  await database.close();
});

function app(networks: string[] = []) {
  return createApp({
    ctx: testContext(database.db, NOW),
    search,
    matchService,
    metrics: {
      networks,
      cacheMs: 0,
      queues: {
        counts: async () => ({ ingest: { waiting: 3, prioritized: 0, delayed: 1, active: 0, failed: 2 } }) as never,
      },
      indexCursor: async () => 0,
    },
    health: () =>
      checkHealth({
        db: { kind: 'pglite', check: () => database.ping() },
        queue: { kind: 'embedded', check: async () => true },
        search: { kind: 'embedded', check: () => search.health() },
      }),
  });
}

const from = (remoteAddress: string) => ({
  incoming: { socket: { remoteAddress, remoteFamily: 'IPv4', remotePort: 1 } },
});

describe('/metrics', () => {
  it('is refused to other addresses without a token, also with a forged X-Forwarded-For', async () => {
    const res = await app().request('/metrics', { headers: { 'X-Forwarded-For': '127.0.0.1' } }, from('203.0.113.5'));
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('problem+json');
  });

  it('answers loopback and the metrics networks in the Prometheus format', async () => {
    const a = app(['10.20.0.0/16']);
    expect((await a.request('/metrics', {}, from('10.20.3.4'))).status).toBe(200);
    const res = await a.request('/metrics', {}, from('127.0.0.1'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
  });

  it('labels HTTP latency by route pattern, never by the raw path', async () => {
    const a = app();
    await a.request(`/api/v1/vacancies/${ids[0]}`);
    await a.request('/api/v1/no-such-thing');
    const text = await (await a.request('/metrics', {}, from('127.0.0.1'))).text();
    expect(text).toContain(
      'jobbruecke_http_request_duration_seconds_count{method="GET",route="/api/v1/vacancies/:id",status="200"} 1',
    );
    expect(text).toContain('route="unmatched",status="404"');
    expect(text).not.toContain(ids[0]);
  });

  it('reports queues, crawl results per source, ingest and index lag, and open SLA clocks by state', async () => {
    const text = await (await app().request('/metrics', {}, from('127.0.0.1'))).text();
    expect(text).toContain('jobbruecke_queue_jobs{queue="ingest",state="waiting"} 3');
    expect(text).toContain('jobbruecke_queue_jobs{queue="ingest",state="failed"} 2');
    expect(text).toMatch(/jobbruecke_crawl_runs\{source_id="[^"]+",source="Stadtportal",status="failed"\} 1/);
    expect(text).toMatch(/jobbruecke_crawl_runs\{source_id="[^"]+",source="Stadtportal",status="succeeded"\} 1/);
    expect(text).toContain('jobbruecke_ingest_pending_batches 1');
    expect(text).toContain('jobbruecke_ingest_lag_seconds 90');
    expect(text).toMatch(/jobbruecke_index_lag_entries \d+/);
    expect(text).toMatch(/jobbruecke_sla_open_clocks\{state="open"\} \d+/);
    expect(text).toContain('jobbruecke_metrics_refresh_failed 0');
  });
});
