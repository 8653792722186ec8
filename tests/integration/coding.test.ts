import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import {
  auditLog,
  branches,
  ingestBatches,
  sources,
  vacancies,
  vacancyEvents,
  vacancySources,
} from '../../src/db/schema.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import { addUser } from '../../src/users/add-user.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import { testContext } from '../helpers/context.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let database: Database;
let app: ReturnType<typeof createApp>;
const tokens: Record<string, string> = {};
let vacancyId: string;
let sourceId: string;

// biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON
const json = async (res: Response): Promise<any> => res.json();
const call = (path: string, role: string, init: RequestInit = {}, contentType = 'application/json') =>
  app.request(path, {
    ...init,
    headers: { authorization: `Bearer ${tokens[role]}`, 'content-type': contentType },
  });

async function ingestOne(title: string) {
  const ctx = testContext(database.db, NOW);
  const [batch] = await database.db
    .insert(ingestBatches)
    .values({
      sourceId,
      postings: [
        {
          externalId: 'unclear-1',
          title,
          description: 'Vielseitige Aufgaben in unserem Team.',
          employerName: 'Beispiel Dienste GmbH',
          locations: [{ plz: '70173' }],
        },
      ],
    })
    .returning({ id: ingestBatches.id });
  await ingestBatch(ctx, batch!.id);
}

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  const ctx = testContext(database.db, NOW);
  await database.db.insert(branches).values([
    { id: 1, name: 'Zweigstelle Test Eins', plz: '70173' },
    { id: 2, name: 'Zweigstelle Test Zwei', plz: '70191' },
  ]);
  for (const [role, branchId] of [
    ['caseworker', 1],
    ['employer', null],
    ['admin', null],
  ] as const) {
    tokens[role] = (await addUser({ ctx, input: { role, email: `${role}@coding.test.invalid`, branchId } })).token;
  }
  const [source] = await database.db
    .insert(sources)
    .values({ name: 'Testquelle', type: 'feed', url: 'https://feed.test.invalid/', legalBasis: 'test' })
    .returning();
  sourceId = source!.id;
  await ingestOne('Mitarbeiter (m/w/d)');
  const [row] = await database.db.select().from(vacancies);
  vacancyId = row!.id;
  const search = createEmbeddedSearchEngine();
  await search.init();
  app = createApp({
    ctx,
    search,
    matchService: await MatchService.load(ctx),
    health: async () => ({ status: 'up', components: {} as never }),
  });
});

afterAll(async () => database.close());

describe('coding review', () => {
  it('flags an unclear title and lists it with suggestions for caseworkers', async () => {
    const [row] = await database.db.select().from(vacancies).where(eq(vacancies.id, vacancyId));
    expect(row?.kldbNeedsReview).toBe(true);
    const res = await call('/api/v1/coding/review', 'caseworker');
    expect(res.status).toBe(200);
    const body = await json(res);
    const item = body.items.find((i: { vacancy_id: string }) => i.vacancy_id === vacancyId);
    expect(item).toMatchObject({ title: 'Mitarbeiter (m/w/d)', employer: 'Beispiel Dienste GmbH', plz: '70173' });
    expect(item.suggestions.length).toBeGreaterThan(0);
  });

  it('refuses employers and anonymous clients', async () => {
    expect((await call('/api/v1/coding/review', 'employer')).status).toBe(403);
    expect((await app.request('/api/v1/coding/review')).status).toBe(401);
  });

  it('rejects codes that are not in KldB 2010, and unknown vacancies', async () => {
    for (const code of ['12', '99999', 'abcde']) {
      const res = await call(`/api/v1/vacancies/${vacancyId}/coding`, 'caseworker', {
        method: 'POST',
        body: JSON.stringify({ kldb_code: code }),
      });
      expect(res.status, code).toBe(400);
    }
    const bad = await call(`/api/v1/vacancies/${vacancyId}/coding`, 'caseworker', { method: 'POST', body: 'not json' });
    expect(bad.status).toBe(400);
    expect((await json(bad)).detail).toBe('Der Anfragetext ist kein gültiges JSON.');
    const notJson = await call(
      `/api/v1/vacancies/${vacancyId}/coding`,
      'caseworker',
      { method: 'POST', body: JSON.stringify({ kldb_code: '71402' }) },
      'text/plain',
    );
    expect(notJson.status).toBe(415);
    expect((await json(notJson)).code).toBe('unsupported_media_type');
    const missing = await call(`/api/v1/vacancies/${vacancyId}/coding`, 'caseworker', {
      method: 'POST',
      body: JSON.stringify({ code: '71402' }),
    });
    expect(missing.status).toBe(400);
    expect((await json(missing)).issues).toEqual([
      { path: 'kldb_code', message: 'Pflichtangabe fehlt' },
      { path: '', message: 'Unbekannte Angabe: code' },
    ]);
    const huge = await call(`/api/v1/vacancies/${vacancyId}/coding`, 'caseworker', {
      method: 'POST',
      body: JSON.stringify({ kldb_code: '71402', filler: 'x'.repeat(1024 * 1024) }),
    });
    expect(huge.status).toBe(413);
    expect(huge.headers.get('content-type')).toContain('application/problem+json');
    const unknown = await call('/api/v1/vacancies/not-a-vacancy/coding', 'caseworker', {
      method: 'POST',
      body: JSON.stringify({ kldb_code: '71402' }),
    });
    expect(unknown.status).toBe(404);
  });

  it('confirms a code, records who did it, and keeps it when the source sends the posting again', async () => {
    const res = await call(`/api/v1/vacancies/${vacancyId}/coding`, 'caseworker', {
      method: 'POST',
      body: JSON.stringify({ kldb_code: '71402' }),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ kldb_code: '71402', confirmed: true });
    const [row] = await database.db.select().from(vacancies).where(eq(vacancies.id, vacancyId));
    expect(row).toMatchObject({ kldbCode: '71402', kldbNeedsReview: false, requirementLevel: 2 });
    const events = await database.db.select().from(vacancyEvents).where(eq(vacancyEvents.vacancyId, vacancyId));
    expect(events.map((e) => e.kind)).toContain('coded');
    expect((await database.db.select().from(auditLog).where(eq(auditLog.action, 'vacancy.code'))).length).toBe(1);

    await ingestOne('Mitarbeiter (m/w/d) – jetzt auch Teilzeit');
    const [after] = await database.db.select().from(vacancies).where(eq(vacancies.id, vacancyId));
    expect(after?.kldbCode).toBe('71402');
    expect((await database.db.select().from(vacancySources)).length).toBe(1);
    const list = await json(await call('/api/v1/coding/review', 'caseworker'));
    expect(list.items.map((i: { vacancy_id: string }) => i.vacancy_id)).not.toContain(vacancyId);
  });
});
