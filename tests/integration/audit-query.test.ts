/**
 * `GET /api/v1/audit`: the audit trail for admins, on PGlite and PostgreSQL through the HTTP app: filters by object,
 * actor (user or command-line operator) and time, newest first, page by page with a cursor that stays exact while new
 * entries arrive; bad parameters answered in German; every query audited; everyone but admins refused without data.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Actor, recordAudit } from '../../src/audit/record.ts';
import type { Database } from '../../src/db/client.ts';
import { auditLog } from '../../src/db/schema.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type EmployerWorld, employerWorld } from '../helpers/employer-world.ts';

const V = '/api/v1';
const NOW = new Date('2026-11-20T09:00:00Z');
const MINUTE = 60_000;
/** Entries of this test's own object type, so the world's set-up entries stay out of the counts. */
const TYPE = 'pruefobjekt';
const OPERATOR = 'pruefer-audit';

// biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON
const json = async (res: Response): Promise<any> => res.json();

interface Item {
  id: number;
  at: string;
  actor: { user_id: string | null; role: string | null; operator: string | null };
  object_id: string;
  detail: Record<string, unknown>;
}

describe.each(testDatabases())('audit trail query on $name', (factory) => {
  let database: Database;
  let w: EmployerWorld;
  let caseworker: Actor;
  /** The 25 entries written, newest first. */
  let written: number[];

  const trail = (q: string, who: 'admin' | 'lead1' | 'caseworker1' | 'employerA' | 'anonymous' = 'admin') =>
    w.call(who, 'GET', `${V}/audit?${q}`);

  /** Every page of a query, following next_cursor. */
  async function allPages(q: string): Promise<{ pages: Item[][]; ids: number[] }> {
    const pages: Item[][] = [];
    let cursor: string | null = null;
    do {
      const res = await trail(`${q}${cursor ? `&cursor=${cursor}` : ''}`);
      const body = await json(res);
      expect(res.status, JSON.stringify(body)).toBe(200);
      pages.push(body.items);
      cursor = body.next_cursor;
    } while (cursor !== null && pages.length < 20);
    return { pages, ids: pages.flat().map((i) => i.id) };
  }

  beforeAll(async () => {
    database = await openMigrated(factory);
    w = await employerWorld(database, NOW);
    caseworker = { userId: w.userIds.caseworker1, role: 'caseworker', branchId: 1, employerId: null };
    const operator: Actor = { userId: 'ignored', role: 'admin', branchId: null, employerId: null, operator: OPERATOR };
    // 1 November from 00:00 UTC, one entry a minute: 20 by the caseworker (objects A and B), 5 by an operator.
    for (let i = 0; i < 25; i++) {
      w.ctx.setNow(new Date(Date.parse('2026-11-01T00:00:00Z') + i * MINUTE));
      await recordAudit(w.ctx, {
        actor: i < 20 ? caseworker : operator,
        action: 'read',
        objectType: TYPE,
        objectId: i % 2 === 0 ? 'objekt-a' : 'objekt-b',
        purpose: 'case_management',
        detail: { sequenceNo: i },
      });
    }
    w.ctx.setNow(NOW);
    const rows = await database.db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.objectType, TYPE));
    written = rows.map((r) => r.id).sort((a, b) => b - a);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('pages through an object type newest first, each entry once, with the last page saying so', async () => {
    const { pages, ids } = await allPages(`object_type=${TYPE}&limit=10`);
    expect(pages.map((p) => p.length)).toEqual([10, 10, 5]);
    expect(ids).toEqual(written);
    const first = pages[0]![0]!;
    expect(first).toMatchObject({
      at: '2026-11-01T00:24:00.000Z',
      actor: { user_id: null, role: 'admin', operator: OPERATOR },
      action: 'read',
      object_type: TYPE,
      object_id: 'objekt-a',
      purpose: 'case_management',
      detail: { sequence_no: 24, actor: 'cli', os_user: OPERATOR },
    });
    const res = await trail(`object_type=${TYPE}&limit=10`);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('keeps its place when new entries arrive between pages', async () => {
    const first = await json(await trail(`object_type=${TYPE}&limit=10`));
    await recordAudit(w.ctx, { actor: caseworker, action: 'read', objectType: TYPE, objectId: 'objekt-neu' });
    const second = await json(await trail(`object_type=${TYPE}&limit=10&cursor=${first.next_cursor}`));
    expect(second.items.map((i: Item) => i.id)).toEqual(written.slice(10, 20));
    // The new entry heads a fresh query.
    const fresh = await json(await trail(`object_type=${TYPE}&limit=1`));
    expect(fresh.items[0].object_id).toBe('objekt-neu');
    await database.db.delete(auditLog).where(and(eq(auditLog.objectType, TYPE), eq(auditLog.objectId, 'objekt-neu')));
  });

  it('filters by object, by user, by operator and by time', async () => {
    const a = await json(await trail(`object_type=${TYPE}&object_id=objekt-a&limit=500`));
    expect(a.items).toHaveLength(13);
    expect(a.items.every((i: Item) => i.object_id === 'objekt-a')).toBe(true);

    const byUser = await json(await trail(`object_type=${TYPE}&actor=${w.userIds.caseworker1}`));
    expect(byUser.items).toHaveLength(20);
    expect(byUser.items.every((i: Item) => i.actor.user_id === w.userIds.caseworker1)).toBe(true);
    const byOperator = await json(await trail(`actor=${OPERATOR}`));
    expect(byOperator.items.map((i: Item) => i.detail.sequence_no)).toEqual([24, 23, 22, 21, 20]);

    // From inclusive, to exclusive: 00:05 up to (not including) 00:10 are entries 5 to 9.
    const window = await json(
      await trail(`object_type=${TYPE}&from=2026-11-01T01:05:00%2B01:00&to=2026-11-01T00:10:00Z`),
    );
    expect(window.items.map((i: Item) => i.detail.sequence_no)).toEqual([9, 8, 7, 6, 5]);
    const day = await json(await trail(`object_type=${TYPE}&from=2026-11-01&to=2026-11-02`));
    expect(day.items).toHaveLength(25);
    const none = await json(await trail(`object_type=${TYPE}&from=2026-11-02`));
    expect(none).toEqual({ items: [], next_cursor: null });
  });

  it('answers bad parameters with German problems naming the field', async () => {
    for (const [q, path, message] of [
      ['from=gestern', 'from', 'ISO 8601'],
      ['to=2026-11-01T10:00:00', 'to', 'ISO 8601'],
      ['from=2026-11-02&to=2026-11-01', 'from', '"from" muss vor "to" liegen'],
      ['limit=0', 'limit', ''],
      ['limit=501', 'limit', ''],
      ['limit=zehn', 'limit', 'ganze Zahl'],
      ['cursor=kaputt', 'cursor', 'Ungültiger Cursor'],
      [`cursor=${Buffer.from('id:-1').toString('base64url')}`, 'cursor', 'Ungültiger Cursor'],
      ['object_type=a&object_type=b', 'object_type', ''],
    ] as const) {
      const res = await trail(q);
      const body = await json(res);
      expect(res.status, q).toBe(400);
      expect(res.headers.get('content-type'), q).toContain('application/problem+json');
      expect(body.title, q).toBe('Ungültige Eingabe');
      const issue = body.issues.find((i: { path: string }) => i.path === path);
      expect(issue, `${q}: ${JSON.stringify(body.issues)}`).toBeDefined();
      expect(issue.message, q).toContain(message);
    }
  });

  it('audits every query, and its result can be found in the trail', async () => {
    await trail(`object_type=${TYPE}&object_id=objekt-b&limit=3`);
    // The query's own entry is written after its read: the next query finds it on top.
    const mine = await json(await trail('object_type=audit_log&limit=1'));
    expect(mine.items[0]).toMatchObject({
      actor: { user_id: w.userIds.admin, role: 'admin', operator: null },
      action: 'audit_log.query',
      purpose: 'data_protection_control',
      detail: {
        filter: { object_type: TYPE, object_id: 'objekt-b', actor: null, from: null, to: null },
        outcome: 'ok',
        returned: 3,
        more: true,
      },
    });
  });

  it('refuses everyone but admins, with no entry in the answer, and records the refusal', async () => {
    for (const [who, status] of [
      ['lead1', 403],
      ['caseworker1', 403],
      ['employerA', 403],
      ['anonymous', 401],
    ] as const) {
      const res = await trail(`object_type=${TYPE}`, who);
      const text = await res.text();
      expect(res.status, `${who}: ${text}`).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(text).not.toMatch(/objekt-|pruefer|sequence|items/);
      expect(text).not.toContain(w.userIds.caseworker1);
    }
    const refused = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'audit_log.query'), eq(auditLog.actorUserId, w.userIds.lead1)));
    expect(refused.map((r) => r.detail.outcome)).toEqual(['forbidden']);
    const lead = await json(await trail(`object_type=${TYPE}`, 'lead1'));
    expect(lead.detail).toBe('Das Prüfprotokoll ist der Administration vorbehalten');
  });
});
