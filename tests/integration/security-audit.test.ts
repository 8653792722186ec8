/**
 * Refusals leave a trace (§ 67c SGB X; ASVS 5.0 16.3.1 and 16.3.2, level 2): a 401 and a 403 from the guard are in
 * the audit log like the cross-branch refusals the verbs record, without token material or personal data. Ids from
 * the path are stored clipped and without characters the database refuses (ASVS 16.4.1), so a NUL in a path id
 * answers 404, never 500; and a failing audit insert never turns a refusal into a 500.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../api/app.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { auditLog, branches } from '../../src/db/schema.ts';
import { hasControlCharacters } from '../../src/ingest/text.ts';
import { addUser } from '../../src/users/add-user.ts';
import { testContext } from '../helpers/context.ts';
import { type EmployerWorld, employerWorld } from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let w: EmployerWorld;

beforeAll(async () => {
  const database = await openPglite(undefined);
  await database.migrate();
  w = await employerWorld(database, NOW);
});
afterAll(async () => w?.close());

const refusals = () => w.database.db.select().from(auditLog).where(eq(auditLog.action, 'refused')).orderBy(auditLog.id);

describe('refusals by the guard are audited (ASVS 16.3.1, 16.3.2)', () => {
  it('a 401 without a token and a 401 with an unknown token, without token material', async () => {
    const before = (await refusals()).length;
    const unknown = 'jb_unbekannt-und-geraten-0000000000';
    expect((await w.call('anonymous', 'GET', '/api/v1/tasks')).status).toBe(401);
    const res = await w.app.request('/api/v1/vacancies/11111111-1111-4111-8111-111111111111/matches', {
      headers: { authorization: `Bearer ${unknown}` },
    });
    expect(res.status).toBe(401);
    const rows = (await refusals()).slice(before);
    expect(rows.map((r) => [r.actorUserId, r.actorRole, r.objectType, r.objectId, r.detail])).toEqual([
      [null, null, 'request', null, { status: 401, reason: 'no_token', method: 'GET', route: '/api/v1/tasks' }],
      [
        null,
        null,
        'request',
        '11111111-1111-4111-8111-111111111111',
        { status: 401, reason: 'unknown_token', method: 'GET', route: '/api/v1/vacancies/:id/matches' },
      ],
    ]);
    expect(JSON.stringify(rows)).not.toContain('unbekannt-und-geraten');
  });

  it('a 403 by role names who was refused, and which route', async () => {
    const before = (await refusals()).length;
    const res = await w.call('employerA', 'GET', '/api/v1/customers/22222222-2222-4222-8222-222222222222/matches');
    expect(res.status).toBe(403);
    const [row] = (await refusals()).slice(before);
    expect(row).toMatchObject({
      actorUserId: w.userIds.employerA,
      actorRole: 'employer',
      objectType: 'request',
      objectId: '22222222-2222-4222-8222-222222222222',
      detail: { status: 403, reason: 'role', method: 'GET', route: '/api/v1/customers/:id/matches' },
    });
  });
});

describe('hostile ids in the path (finding 3)', () => {
  it('a NUL in a path id answers 404 and is audited without the NUL', async () => {
    const res = await w.call('caseworker1', 'GET', '/api/v1/vacancies/abc%00def/matches');
    expect(res.status).toBe(404);
    const rows = await w.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.objectType, 'vacancy_matches'), eq(auditLog.actorUserId, w.userIds.caseworker1)));
    expect(rows.map((r) => r.objectId)).toContain('abcdef');
    expect((await w.call('anonymous', 'GET', '/api/v1/vacancies/abc%00def/matches')).status).toBe(401);
    expect((await refusals()).at(-1)?.objectId).toBe('abcdef');
  });

  it.each([
    ['NUL', '%00'],
    ['a broken surrogate', '%ED%A0%80'],
    ['control characters', '%01%1B%7F'],
    ['a long id', 'x'.repeat(1_500)],
  ])(
    '%s in the id of every kind of route: 404 (or a refusal, or 414 for an over-long address), never 500',
    async (_, id) => {
      const paths = [
        `/api/v1/vacancies/${id}`,
        `/api/v1/vacancies/${id}/matches`,
        `/api/v1/customers/${id}/matches`,
        `/api/v1/vacancies/${id}/matches/${id}/why-not`,
        `/api/v1/vacancies/${id}/proposals`,
        `/api/v1/employer/vacancies/${id}`,
        `/api/v1/tasks/${id}/done`,
      ];
      for (const path of paths) {
        for (const who of ['caseworker1', 'employerA', 'admin', 'anonymous'] as const) {
          const method = path.endsWith('/done') ? 'POST' : 'GET';
          const res = await w.call(who, method, path, method === 'POST' ? { note: 'x' } : undefined);
          expect([401, 403, 404, 414], `${who} ${method} ${path.slice(0, 60)}`).toContain(res.status);
          expect((await res.text()).length, path.slice(0, 60)).toBeLessThan(2_000);
        }
      }
      const stored = await w.database.db.select({ id: auditLog.objectId }).from(auditLog);
      for (const { id: objectId } of stored) {
        expect(hasControlCharacters(objectId ?? '')).toBe(false);
        expect((objectId ?? '').length).toBeLessThanOrEqual(101);
      }
    },
  );
});

describe('an audit trail that cannot be written', () => {
  let database: Database;
  let token: string;

  beforeAll(async () => {
    database = await openPglite(undefined);
    await database.migrate();
    const ctx = testContext(database.db, NOW);
    await database.db.insert(branches).values({ id: 1, name: 'Zweigstelle (Test)', plz: '70173' });
    token = (await addUser({ ctx, input: { role: 'caseworker', branchId: 1, email: 'cw@audit.test.invalid' } })).token;
    // Gone from under the service: every insert fails.
    await database.db.execute(sql`alter table audit_log rename to audit_log_weg`);
  });
  afterAll(async () => database?.close());

  it('still answers a refusal as a refusal (401, 403), never as a 500', async () => {
    const ctx = testContext(database.db, NOW);
    const app = createApp({
      ctx,
      search: undefined as never,
      matchService: undefined as never,
      health: async () => ({ status: 'up', components: {} as never }),
    });
    expect((await app.request('/api/v1/tasks')).status).toBe(401);
    expect((await app.request('/api/v1/tasks', { headers: { authorization: 'Bearer falsch' } })).status).toBe(401);
    const forbidden = await app.request('/api/v1/admin/catchments', { headers: { authorization: `Bearer ${token}` } });
    expect(forbidden.status).toBe(403);
  });
});
