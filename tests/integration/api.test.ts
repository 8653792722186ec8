import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import type { Database } from '../../src/db/client.ts';
import { openPglite } from '../../src/db/client.ts';
import { vacancies } from '../../src/db/schema.ts';
import { checkHealth } from '../../src/health.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { rebuildIndex } from '../../src/search/index-sync.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { VacancyDetailJson, VacancyHitJson } from '../../src/vacancies/vacancy.ts';
import { testContext } from '../helpers/context.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let database: Database;
let search: SearchEngine;
let ids: string[];
let redisUp = true;
let matchService: MatchService;

/** Test bodies are arbitrary JSON; the assertions check their shape. */
// biome-ignore lint/suspicious/noExplicitAny: see above
const json = async (res: Response): Promise<any> => res.json();

function app(publicRequestsPerMinute = 10_000) {
  const ctx = testContext(database.db, NOW);
  return createApp({
    ctx,
    search,
    matchService,
    publicRequestsPerMinute,
    health: () =>
      checkHealth({
        db: { kind: 'pglite', check: () => database.ping() },
        queue: { kind: 'redis', check: async () => redisUp },
        search: { kind: 'embedded', check: () => search.health() },
      }),
  });
}

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  ids = await insertSyntheticVacancies(database.db, 400, NOW);
  search = createEmbeddedSearchEngine();
  await search.init();
  await rebuildIndex(testContext(database.db, NOW), search);
  matchService = await MatchService.load(testContext(database.db, NOW));
});

afterAll(async () => {
  await search.close();
  await database.close();
});

describe('GET /health', () => {
  it('answers 200 with each component up', async () => {
    const res = await app().request('/health');
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({
      status: 'up',
      components: {
        db: { status: 'up', kind: 'pglite' },
        queue: { status: 'up', kind: 'redis' },
        search: { status: 'up', kind: 'embedded' },
      },
    });
  });

  it('answers 503 and names the component that is down', async () => {
    redisUp = false;
    try {
      const res = await app().request('/health');
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body.status).toBe('down');
      expect(body.components.queue.status).toBe('down');
      expect(body.components.db.status).toBe('up');
    } finally {
      redisUp = true;
    }
  });
});

describe('GET /api/v1/vacancies', () => {
  it('finds vacancies by word within a radius of a postcode, with distance, facets and no description', async () => {
    const res = await app().request('/api/v1/vacancies?q=lager&plz=70173&radius_km=30&per_page=5');
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.total).toBeGreaterThan(0);
    expect(body.hits.length).toBeGreaterThan(0);
    expect(body.hits.length).toBeLessThanOrEqual(5);
    for (const hit of body.hits) {
      expect(Object.keys(hit).sort()).toEqual(
        [
          'contract_type',
          'distance_km',
          'employer',
          'id',
          'kldb_code',
          'kldb_title',
          'offer_type',
          'place',
          'plz',
          'published_at',
          'title',
          'working_times',
        ].sort(),
      );
      expect(VacancyHitJson.strict().safeParse(hit).success).toBe(true);
      expect(hit.distance_km).toBeLessThanOrEqual(30);
    }
    expect(Object.keys(body.facets).sort()).toEqual(['contract_type', 'kldb2', 'offer_type', 'working_times']);
  });

  it('filters by working time and KldB prefix', async () => {
    const res = await app().request('/api/v1/vacancies?working_time=teilzeit&kldb=5&per_page=50');
    const body = await json(res);
    expect(res.status).toBe(200);
    expect(body.hits.length).toBeGreaterThan(0);
    for (const hit of body.hits) {
      expect(hit.working_times).toContain('teilzeit');
      expect(hit.kldb_code.startsWith('5')).toBe(true);
    }
  });

  it('answers bad parameters with problem+json naming each problem', async () => {
    for (const query of [
      'plz=abc',
      'working_time=sometimes',
      'per_page=1000',
      'sort=distance',
      'radius_km=10',
      'page=0',
      'plz=00000',
    ]) {
      const res = await app().request(`/api/v1/vacancies?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.headers.get('content-type'), query).toContain('application/problem+json');
      const body = await json(res);
      expect(body.code, query).toBe('validation');
      expect(body.request_id, query).toBeTruthy();
    }
  });

  it('names each bad parameter by its wire name, in German', async () => {
    const res = await app().request('/api/v1/vacancies?per_page=1000&page=0&radius_km=-1&working_time=sometimes');
    const body = await json(res);
    const byPath = Object.fromEntries(body.issues.map((i: { path: string; message: string }) => [i.path, i.message]));
    expect(Object.keys(byPath).sort()).toEqual(['page', 'per_page', 'radius_km', 'working_time.0']);
    expect(byPath.per_page).toBe('darf höchstens 100 sein');
    expect(byPath.page).toBe('muss mindestens 1 sein');
    expect(byPath['working_time.0']).toMatch(/^Erlaubt: vollzeit, teilzeit/);
    expect(JSON.stringify(body)).not.toMatch(/Too (small|big)|expected|Invalid/);
  });

  it('refuses numbers in other notations and parameters given twice instead of guessing', async () => {
    for (const query of [
      'plz=70173&radius_km=0x10',
      'per_page=1e1',
      'page=%205',
      'q=koch&q=lager',
      'plz=70173&plz=70174',
    ]) {
      const res = await app().request(`/api/v1/vacancies?${query}`);
      expect(res.status, query).toBe(400);
    }
  });

  it('caps the result window so nobody pages through the whole pool', async () => {
    const res = await app().request('/api/v1/vacancies?page=11&per_page=100');
    expect(res.status).toBe(400);
  });

  it('rate limits public clients with 429', async () => {
    const limited = app(3);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.request('/api/v1/vacancies?q=koch')).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});

describe('GET /api/v1/vacancies/{id}', () => {
  it('returns one vacancy with its description and KldB title, in snake_case like the hits', async () => {
    const res = await app().request(`/api/v1/vacancies/${ids[0]}`);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(VacancyDetailJson.strict().parse(body)).toBeTruthy();
    expect(body.id).toBe(ids[0]);
    expect(body.description.length).toBeGreaterThan(20);
    expect(body.kldb_title).toBeTruthy();
    expect(body).toMatchObject({ status: 'open', employer: expect.any(String), working_times: expect.any(Array) });
  });

  it('answers 404 problem+json for unknown and malformed ids', async () => {
    for (const id of ['00000000-0000-4000-8000-000000000000', 'not-an-id']) {
      const res = await app().request(`/api/v1/vacancies/${id}`);
      expect(res.status).toBe(404);
      expect((await json(res)).code).toBe('not_found');
    }
  });

  it('says which address does not exist for unknown paths and methods', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/nothing-here'],
      ['DELETE', '/api/v1/vacancies'],
    ] as const) {
      const res = await app().request(path, { method });
      expect(res.status).toBe(404);
      const body = await json(res);
      expect(body.detail).toBe(`Die Adresse ${method} ${path} gibt es nicht.`);
    }
  });

  it('sets security headers and a request id', async () => {
    const res = await app().request('/health');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-request-id')).toBeTruthy();
  });
});

describe('audiences', () => {
  it('keeps staff routes out of the public rate limit and the public routes free of a token', async () => {
    const limited = app(1);
    expect((await limited.request('/api/v1/vacancies?q=koch')).status).toBe(200);
    expect((await limited.request('/api/v1/vacancies?q=koch')).status).toBe(429);
    // Still answered by authentication, not by the exhausted public budget.
    const staff = await limited.request(`/api/v1/vacancies/${ids[0]}/matches`);
    expect(staff.status).toBe(401);
    expect((await json(staff)).code).toBe('unauthorized');
  });
});

describe('derived index', () => {
  it('holds exactly the open vacancies of the DB', async () => {
    expect(await search.count()).toBe((await database.db.select({ id: vacancies.id }).from(vacancies)).length);
  });
});
