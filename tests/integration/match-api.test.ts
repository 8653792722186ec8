import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { MATCHER_LOADING_RETRY_SECONDS, matcherWhileLoading } from '../../matchers/service/while-loading.ts';
import type { Actor } from '../../src/audit/record.ts';
import { patchCustomer } from '../../src/customers/profile.ts';
import type { Database } from '../../src/db/client.ts';
import { auditLog, branches, customers, matches, outbox, proposals, vacancies } from '../../src/db/schema.ts';
import { deterministicUuid } from '../../src/demo/random.ts';
import { Forbidden, ValidationFailed } from '../../src/errors.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import { checkHealth } from '../../src/health.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { addUser } from '../../src/users/add-user.ts';
import { VacancyReferenceJson } from '../../src/vacancies/vacancy.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const PROTECTED_MARKERS = ['Testreligion', 'XTN', 'gender', 'birth', 'religion', 'nationality', 'disab'];

interface Part {
  code: string;
  weight: number;
  points: number;
  text: string;
}
interface ListBody {
  subject: Record<string, unknown>;
  results: Array<{
    customer_id?: string;
    vacancy_id?: string;
    display_name?: string;
    profile_group?: string;
    plz?: string;
    score: number;
    parts: Part[];
    passed_constraints: Array<{ code: string; text: string }>;
  }>;
  skipped: Array<{ customer_id?: string; note: string }>;
  cap_note: string | null;
  excluded_count: number;
  computed_at: string;
  source: string;
  not_eligible?: Array<{ code: string }>;
}

const id = (n: number) => deterministicUuid(77, n);
const C = {
  m1: id(1),
  m2: id(2),
  m3: id(3),
  m4: id(4),
  other1: id(5),
  other2: id(6),
  act: id(7),
  na: id(8),
  sup: id(9),
  lager: id(10),
};
const V = {
  cook: id(101),
  capped: id(102),
  proposed: id(103),
  v4: id(104),
  v5: id(105),
  v6: id(106),
  lager: id(107),
  closed: id(108),
};

function customerRow(key: keyof typeof C, overrides: Partial<typeof customers.$inferInsert> = {}) {
  const plz = overrides.plz ?? '70173';
  const place = lookupPlz(plz)!;
  return {
    id: C[key],
    displayName: `Testkunde ${key}`,
    branchId: 1,
    profileGroup: 'market' as const,
    targetKldbCodes: ['29302'],
    skills: ['HACCP'],
    licences: ['B'],
    languages: [{ language: 'de', level: 'B2' }],
    lat: place.lat,
    lon: place.lon,
    maxCommuteKm: 30,
    workingTimes: ['vollzeit', 'teilzeit'],
    availableFrom: new Date('2026-01-01T00:00:00Z'),
    consent: true,
    // Protected attributes with recognisable values: none may appear in any response.
    gender: 'd',
    birthYear: 1971,
    nationality: 'XTN',
    religion: 'Testreligion',
    severelyDisabled: true,
    ...overrides,
    plz,
  };
}

function vacancyRow(key: keyof typeof V, overrides: Partial<typeof vacancies.$inferInsert> = {}) {
  const place = lookupPlz('70173')!;
  return {
    id: V[key],
    title: `Koch (m/w/d) ${key}`,
    employerName: 'Testküche GmbH',
    kldbCode: '29302',
    kldbConfidence: 1,
    requirementLevel: 2,
    plz: '70173',
    place: 'Stuttgart',
    lat: place.lat,
    lon: place.lon,
    workingTimes: ['vollzeit'],
    skills: ['HACCP'],
    publishedAt: new Date('2026-11-18T08:00:00Z'),
    ...overrides,
  };
}

describe.each(testDatabases())('match API on $name', (factory) => {
  let database: Database;
  let search: SearchEngine;
  let service: MatchService;
  const tokens: Record<string, string> = {};
  const actors: Record<string, Actor> = {};
  const ctx = testContext(undefined as never, NOW);

  const app = () =>
    createApp({
      ctx,
      search,
      matchService: service,
      health: () =>
        checkHealth({
          db: { kind: factory.name, check: () => database.ping() },
          queue: { kind: 'none', check: async () => true },
          search: { kind: 'embedded', check: () => search.health() },
        }),
    });
  const get = (path: string, who?: string) =>
    app().request(path, { headers: who ? { authorization: `Bearer ${tokens[who]}` } : {} });
  const audits = (objectType: string, objectId: string) =>
    database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, objectType), eq(auditLog.objectId, objectId)));

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx.db = database.db;
    await database.db.insert(branches).values([
      { id: 1, name: 'Zweigstelle Mitte', plz: '70173' },
      { id: 2, name: 'Zweigstelle Nord', plz: '70191' },
    ]);
    for (const [who, role, branchId] of [
      ['cw1', 'caseworker', 1],
      ['cw2', 'caseworker', 2],
      ['lead1', 'branch_lead', 1],
      ['admin', 'admin', null],
      ['employer', 'employer', null],
    ] as const) {
      const user = await addUser({ ctx, input: { role, branchId, email: `${who}@test.invalid` } });
      tokens[who] = user.token;
      actors[who] = { userId: user.userId, role, branchId, employerId: null };
    }
    await database.db
      .insert(customers)
      .values([
        customerRow('m1'),
        customerRow('m2', { skills: [] }),
        customerRow('m3', { plz: '70469' }),
        customerRow('m4', { plz: '70567', skills: [] }),
        customerRow('other1', { branchId: 2 }),
        customerRow('other2', { branchId: 2, plz: '70191' }),
        customerRow('act', { profileGroup: 'activation' }),
        customerRow('na', { profileGroup: 'not_available' }),
        customerRow('sup', { profileGroup: 'support' }),
        customerRow('lager', { targetKldbCodes: ['51312'], licences: ['B', 'STAPLER'] }),
      ]);
    await database.db
      .insert(vacancies)
      .values([
        vacancyRow('cook'),
        vacancyRow('capped'),
        vacancyRow('proposed'),
        vacancyRow('v4'),
        vacancyRow('v5'),
        vacancyRow('v6'),
        vacancyRow('lager', { title: 'Fachkraft Lagerlogistik (m/w/d)', kldbCode: '51312', skills: [] }),
        vacancyRow('closed', { status: 'closed' }),
      ]);
    // 'capped' is at its cap of 5 open proposals; m2 is at their own cap of 3; m1 was proposed for 'proposed' once.
    const open = (vacancyId: string, customerId: string) => ({ vacancyId, customerId, status: 'open' as const });
    await database.db
      .insert(proposals)
      .values([
        ...[C.other1, C.other2, C.na, C.sup, C.lager].map((c) => open(V.capped, c)),
        ...[V.v4, V.v5, V.v6].map((v) => open(v, C.m2)),
        { vacancyId: V.proposed, customerId: C.m1, status: 'rejected' },
      ]);
    search = createEmbeddedSearchEngine();
    await search.init();
    service = await MatchService.load(ctx);
  });

  afterAll(async () => {
    await search.close();
    await database.close();
  });

  describe('GET /api/v1/vacancies/{id}/matches', () => {
    it('answers 401 without a token and 403 for an employer', async () => {
      expect((await get(`/api/v1/vacancies/${V.cook}/matches`)).status).toBe(401);
      const res = await get(`/api/v1/vacancies/${V.cook}/matches`, 'employer');
      expect(res.status).toBe(403);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    });

    it('gives a caseworker the ranked, explained customers of their own branch only, and audits the read', async () => {
      const before = (await audits('vacancy_matches', V.cook)).length;
      const res = await get(`/api/v1/vacancies/${V.cook}/matches`, 'cw1');
      expect(res.status).toBe(200);
      const body = (await res.json()) as ListBody;
      expect(body.subject).toEqual({
        type: 'vacancy',
        vacancy_id: V.cook,
        title: 'Koch (m/w/d) cook',
        employer: 'Testküche GmbH',
        place: 'Stuttgart',
        plz: '70173',
        kldb_code: '29302',
        kldb_title: expect.stringContaining('Köche'),
      });
      const ids = body.results.map((r) => r.customer_id);
      expect(ids.sort()).toEqual([C.m1, C.m3, C.m4].sort());
      const scores = body.results.map((r) => r.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
      for (const r of body.results) {
        expect(Object.keys(r).sort()).toEqual(
          ['customer_id', 'display_name', 'parts', 'passed_constraints', 'plz', 'profile_group', 'score'].sort(),
        );
        expect(r.profile_group).toBe('Marktprofil');
        expect(r.parts).toHaveLength(9);
        expect(r.parts.find((p) => p.code === 'occupation')?.text).toMatch(/^gleiche Berufsgattung: 29302/);
        expect(r.passed_constraints.map((p) => p.code)).toContain('commute');
      }
      // m2 would rank but already has 3 open proposals.
      expect(body.skipped).toEqual([
        {
          customer_id: C.m2,
          score: expect.any(Number),
          note: 'übersprungen: hat bereits 3 offene Vorschläge (Obergrenze)',
        },
      ]);
      expect(body.cap_note).toBeNull();

      const rows = await audits('vacancy_matches', V.cook);
      expect(rows).toHaveLength(before + 1);
      expect(rows.at(-1)).toMatchObject({
        actorUserId: actors.cw1!.userId,
        actorRole: 'caseworker',
        action: 'read',
        purpose: 'matching',
        detail: { outcome: 'ok', customerIds: body.results.map((r) => r.customer_id) },
      });
    });

    it('shows an admin all branches and the activation profile only on request; never § 10 or support profiles', async () => {
      const all = (await (await get(`/api/v1/vacancies/${V.cook}/matches`, 'admin')).json()) as ListBody;
      expect(all.results.map((r) => r.customer_id).sort()).toEqual([C.m1, C.m3, C.m4, C.other1, C.other2].sort());
      const withActivation = (await (
        await get(`/api/v1/vacancies/${V.cook}/matches?include=activation`, 'admin')
      ).json()) as ListBody;
      const act = withActivation.results.find((r) => r.customer_id === C.act);
      expect(act?.profile_group).toBe('Aktivierungsprofil');
      for (const list of [all, withActivation]) {
        expect(list.results.map((r) => r.customer_id)).not.toContain(C.na);
        expect(list.results.map((r) => r.customer_id)).not.toContain(C.sup);
      }
    });

    it('respects the cap: 5 open proposals give no suggestions and the German cap note', async () => {
      const body = (await (await get(`/api/v1/vacancies/${V.capped}/matches`, 'admin')).json()) as ListBody;
      expect(body.results).toEqual([]);
      expect(body.cap_note).toBe('Obergrenze von 5 offenen Vorschlägen erreicht');
    });

    it('never suggests a pair that was proposed before', async () => {
      const body = (await (await get(`/api/v1/vacancies/${V.proposed}/matches`, 'cw1')).json()) as ListBody;
      expect(body.results.map((r) => r.customer_id)).not.toContain(C.m1);
      expect(body.results.length).toBeGreaterThan(0);
    });

    it('contains no protected attribute in any response', async () => {
      for (const path of [
        `/api/v1/vacancies/${V.cook}/matches?include=activation`,
        `/api/v1/customers/${C.m1}/matches`,
        `/api/v1/vacancies/${V.cook}/matches/${C.na}/why-not`,
      ]) {
        const text = await (await get(path, 'admin')).text();
        for (const marker of PROTECTED_MARKERS) expect(text, `${path} ${marker}`).not.toContain(marker);
      }
    });

    it('stores the list, serves it while fresh and ranks again once it is old', async () => {
      const first = (await (await get(`/api/v1/vacancies/${V.cook}/matches`, 'admin')).json()) as ListBody;
      const [row] = await database.db
        .select()
        .from(matches)
        .where(and(eq(matches.subjectType, 'vacancy'), eq(matches.subjectId, V.cook)));
      expect(row?.computedAt.toISOString()).toBe(first.computed_at);
      expect(first.source).toBe('stored');
      ctx.setNow(new Date(NOW.getTime() + 10 * 60_000));
      try {
        const later = (await (await get(`/api/v1/vacancies/${V.cook}/matches`, 'admin')).json()) as ListBody;
        expect(later.computed_at).toBe(new Date(NOW.getTime() + 10 * 60_000).toISOString());
        expect(later.results.map((r) => r.customer_id)).toEqual(first.results.map((r) => r.customer_id));
      } finally {
        ctx.setNow(NOW);
      }
    });

    it('never serves a stored list entry for a customer who moved branch or withdrew consent a moment ago', async () => {
      const ids = async () =>
        ((await (await get(`/api/v1/vacancies/${V.cook}/matches`, 'cw1')).json()) as ListBody).results.map(
          (r) => r.customer_id,
        );
      const change = async (customerId: string, set: Partial<typeof customers.$inferInsert>) => {
        await database.db.update(customers).set(set).where(eq(customers.id, customerId));
        await database.db.insert(outbox).values({ topic: 'match', aggregateType: 'customer', aggregateId: customerId });
      };
      expect(await ids()).toEqual(expect.arrayContaining([C.m3, C.m4]));
      await change(C.m3, { branchId: 2 });
      await change(C.m4, { consent: false });
      try {
        const now = await ids();
        expect(now).not.toContain(C.m3);
        expect(now).not.toContain(C.m4);
      } finally {
        await change(C.m3, { branchId: 1 });
        await change(C.m4, { consent: true });
        // Let the matcher take the restored profiles in, then leave the log as the later tests expect it.
        await service.sync(ctx);
        await database.db.delete(outbox).where(inArray(outbox.aggregateId, [C.m3, C.m4]));
      }
    });

    it('answers 404 for unknown or malformed ids and 409 for a closed vacancy, audited too', async () => {
      expect((await get('/api/v1/vacancies/not-an-id/matches', 'cw1')).status).toBe(404);
      expect((await get(`/api/v1/vacancies/${id(999)}/matches`, 'cw1')).status).toBe(404);
      const closed = await get(`/api/v1/vacancies/${V.closed}/matches`, 'cw1');
      expect(closed.status).toBe(409);
      expect((await audits('vacancy_matches', V.closed)).at(-1)?.detail).toMatchObject({ outcome: 'conflict' });
    });

    it('rejects a bad limit with problem+json', async () => {
      const res = await get(`/api/v1/vacancies/${V.cook}/matches?limit=500`, 'cw1');
      expect(res.status).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe('validation');
    });
  });

  describe('GET /api/v1/customers/{id}/matches', () => {
    it('answers 401, 403 for employers and for caseworkers of another branch, 200 for the right branch', async () => {
      const path = `/api/v1/customers/${C.lager}/matches`;
      expect((await get(path)).status).toBe(401);
      expect((await get(path, 'employer')).status).toBe(403);
      const before = (await audits('customer_matches', C.lager)).length;
      const recordReads = (await audits('customer', C.lager)).length;
      const other = await get(path, 'cw2');
      expect(other.status).toBe(403);
      expect(other.headers.get('content-type')).toContain('application/problem+json');
      // One entry per list read, refused ones too; the list's entry names the customer, so no second one is written.
      expect((await audits('customer_matches', C.lager)).slice(before).map((r) => r.detail)).toEqual([
        { limit: 20, outcome: 'forbidden' },
      ]);

      for (const who of ['cw1', 'lead1', 'admin']) {
        const res = await get(path, who);
        expect(res.status, who).toBe(200);
        const body = (await res.json()) as ListBody;
        expect(body.subject).toMatchObject({ customer_id: C.lager, profile_group: 'Marktprofil', plz: '70173' });
        expect(body.results.map((r) => r.vacancy_id)).toEqual([V.lager]);
        expect(VacancyReferenceJson.safeParse(body.results[0]).success).toBe(true);
        expect(body.results[0]?.parts.find((p) => p.code === 'occupation')?.text).toMatch(/^gleiche Berufsgattung/);
        expect(body.not_eligible).toEqual([]);
      }
      const reads = await audits('customer_matches', C.lager);
      expect(reads.filter((r) => (r.detail as { outcome: string }).outcome === 'ok')).toHaveLength(3);
      expect(reads.every((r) => r.purpose === 'matching')).toBe(true);
      expect(await audits('customer', C.lager)).toHaveLength(recordReads);
    });

    it('says why a customer gets no suggestions at all', async () => {
      const body = (await (await get(`/api/v1/customers/${C.na}/matches`, 'cw1')).json()) as ListBody;
      expect(body.results).toEqual([]);
      expect(body.not_eligible?.map((r) => r.code)).toEqual(['profile_group']);
    });
  });

  describe('GET /api/v1/vacancies/{id}/matches/{customerId}/why-not', () => {
    it('lists every failed rule in German, including an earlier proposal', async () => {
      const na = (await (await get(`/api/v1/vacancies/${V.cook}/matches/${C.na}/why-not`, 'cw1')).json()) as {
        qualifies: boolean;
        failed: Array<{ code: string; text: string }>;
      };
      expect(na.qualifies).toBe(false);
      expect(na.failed).toContainEqual({
        code: 'profile_group',
        text: 'Profillage Nicht verfügbar (§ 10 SGB II) wird nicht vorgeschlagen',
      });
      const proposed = (await (await get(`/api/v1/vacancies/${V.proposed}/matches/${C.m1}/why-not`, 'cw1')).json()) as {
        failed: Array<{ code: string }>;
      };
      expect(proposed.failed.map((f) => f.code)).toContain('not_yet_proposed');
      expect((await get(`/api/v1/vacancies/${V.cook}/matches/${C.other1}/why-not`, 'cw1')).status).toBe(403);
    });
  });

  describe('patchCustomer', () => {
    it('changes the profile with outbox row and audit entry in one go', async () => {
      const { customer: updated } = await patchCustomer({
        ctx,
        actor: actors.cw1!,
        id: C.m4,
        input: { plz: '70191', maxCommuteKm: 15, availableFrom: '2026-12-01' },
      });
      expect(updated).toMatchObject({ plz: '70191', maxCommuteKm: 15 });
      const [stored] = await database.db.select({ lat: customers.lat }).from(customers).where(eq(customers.id, C.m4));
      expect(stored?.lat).toBe(lookupPlz('70191')!.lat);
      expect(updated).not.toHaveProperty('protected');
      const rows = await database.db.select().from(outbox).where(eq(outbox.aggregateId, C.m4));
      expect(rows.map((r) => [r.topic, r.aggregateType])).toEqual([['match', 'customer']]);
      const [audit] = (await audits('customer', C.m4)).filter((r) => r.action === 'update');
      // Field names only, never the values (social data); in whatever order the verb lists them.
      const detail = audit?.detail ?? {};
      expect(Object.keys(detail)).toEqual(['fields']);
      expect([...(detail.fields as string[])].sort()).toEqual(['availableFrom', 'maxCommuteKm', 'plz']);
    });

    it('refuses unknown postcodes, empty updates, other branches and employers', async () => {
      const attempt = (actor: Actor, input: Record<string, unknown>) =>
        patchCustomer({ ctx, actor, id: C.m3, input: input as never });
      await expect(attempt(actors.cw1!, { plz: '00000' })).rejects.toBeInstanceOf(ValidationFailed);
      await expect(attempt(actors.cw1!, {})).rejects.toBeInstanceOf(ValidationFailed);
      await expect(attempt(actors.cw1!, { gender: 'f' })).rejects.toBeInstanceOf(ValidationFailed);
      await expect(attempt(actors.cw2!, { maxCommuteKm: 5 })).rejects.toBeInstanceOf(Forbidden);
      await expect(attempt(actors.employer!, { maxCommuteKm: 5 })).rejects.toBeInstanceOf(Forbidden);
      expect(await database.db.select().from(outbox).where(eq(outbox.aggregateId, C.m3))).toEqual([]);
    });
  });
  describe('while the matcher loads after a start', () => {
    it('serves searches, health and committed changes, answers 503 with Retry-After on matching, and all once loaded', async () => {
      let finish: (s: MatchService) => void = () => {};
      const matcher = matcherWhileLoading(new Promise<MatchService>((resolve) => (finish = resolve)));
      const starting = createApp({
        ctx,
        search,
        matchService: matcher.service,
        health: () =>
          checkHealth(
            {
              db: { kind: factory.name, check: () => database.ping() },
              queue: { kind: 'none', check: async () => true },
              search: { kind: 'embedded', check: () => search.health() },
            },
            matcher.loaded() ? [] : ['matcher'],
          ),
      });
      const ask = (path: string) => starting.request(path, { headers: { authorization: `Bearer ${tokens.cw1}` } });
      const lists = [`/api/v1/vacancies/${V.cook}/matches`, `/api/v1/customers/${C.m1}/matches`];

      const health = await ask('/health');
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'up', loading: ['matcher'] });
      expect((await ask('/api/v1/vacancies?q=Koch')).status).toBe(200);
      for (const path of lists) {
        const refused = await ask(path);
        expect(refused.status, path).toBe(503);
        expect(refused.headers.get('retry-after')).toBe(String(MATCHER_LOADING_RETRY_SECONDS));
        expect(await refused.json()).toMatchObject({ code: 'unavailable', status: 503 });
      }

      // A change committed meanwhile is answered as done (the route syncs the matcher after it), not as "try again".
      const json = { authorization: `Bearer ${tokens.cw1}`, 'content-type': 'application/json' };
      const restriction = `/api/v1/customers/${C.m4}/restriction`;
      const restricted = await starting.request(restriction, {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ reason: 'objection' }),
      });
      expect(restricted.status).toBe(200);
      expect((await starting.request(restriction, { method: 'DELETE', headers: json })).status).toBe(200);

      finish(service);
      await new Promise((resolve) => setImmediate(resolve));
      expect(matcher.loaded()).toBe(true);
      expect(await (await ask('/health')).json()).not.toHaveProperty('loading');
      for (const path of lists) expect((await ask(path)).status, path).toBe(200);
    });
  });
});
