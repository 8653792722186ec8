/**
 * `GET /api/v1/audit/sample`: the monthly internal control sample, on PGlite and PostgreSQL, through the HTTP app with
 * a fake clock. Placement orders are submitted through the employer API at chosen times (October 2026 in Berlin,
 * with orders just either side of the month's edges), some answered, proposed or withdrawn by caseworkers; the sample
 * is then drawn for the ended month and checked for size, reproducibility, content, month validation, refusals and
 * its audit rows.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_SIZE } from '../../src/audit/sample.ts';
import type { Database } from '../../src/db/client.ts';
import { auditLog, users } from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import {
  customerNamePattern,
  type EmployerWorld,
  employerWorld,
  MINIMAL_ORDER,
  type Who,
} from '../helpers/employer-world.ts';

const V = '/api/v1';
/** Thursday 1 October 2026, 08:00 in Berlin. */
const OCT_1 = new Date('2026-10-01T06:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Friday 20 November 2026: October has ended, November has not. */
const NOV_20 = new Date('2026-11-20T09:00:00Z');

// biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON
const json = async (res: Response): Promise<any> => res.json();

describe.each(testDatabases())('internal control sample on $name', (factory) => {
  let database: Database;
  let w: EmployerWorld;
  let employerC: string;
  /** Branch 1's October orders (13, one of them received at 00:30 on 1 October). */
  const october1: string[] = [];
  const branch2: Record<'answered' | 'proposed' | 'withdrawn' | 'silent', string> = {
    answered: '',
    proposed: '',
    withdrawn: '',
    silent: '',
  };
  let september1 = '';
  const secrets: string[] = [];

  /** Submits a placement order at `at` as employer A (branch 1) or C (branch 2); returns its vacancy id. */
  async function order(at: Date, who: 'A' | 'C', title: string): Promise<string> {
    w.ctx.setNow(at);
    const token = who === 'A' ? w.tokens.employerA : employerC;
    const res = await w.app.request(`${V}/employer/vacancies`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...MINIMAL_ORDER, title, plz: who === 'A' ? '70173' : '70372' }),
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(201);
    secrets.push(body.vacancy_id, body.reference);
    return body.vacancy_id;
  }

  const sample = (who: Who, q: string) => w.call(who, 'GET', `${V}/audit/sample?${q}`);
  const idsOf = (body: { items: Array<{ vacancy_id: string }> }) => body.items.map((i) => i.vacancy_id);

  beforeAll(async () => {
    database = await openMigrated(factory);
    w = await employerWorld(database, OCT_1);
    await database.db.update(users).set({ employerService: true }).where(eq(users.id, w.userIds.caseworker2));
    const invited = await inviteEmployerUser({
      ctx: w.ctx,
      actor: { userId: w.userIds.admin, role: 'admin', branchId: null, employerId: null },
      input: { email: 'employerC@audit-sample.test.invalid', employer: { name: 'Probe OHG (Test)', plz: '70372' } },
    });
    employerC = invited.token;

    // Branch 1: 23:30 on 30 September (September), 00:30 on 1 October (October), 12 more October days, and 00:30 on
    // 1 November (November; Berlin is on winter time by then).
    september1 = await order(new Date('2026-09-30T21:30:00Z'), 'A', 'Spätschicht September (m/w/d)');
    october1.push(await order(new Date('2026-09-30T22:30:00Z'), 'A', 'Frühschicht Oktober (m/w/d)'));
    for (let day = 0; day < 12; day++) {
      october1.push(await order(new Date(OCT_1.getTime() + day * 2 * DAY), 'A', `Küchenhilfe ${day + 1} (m/w/d)`));
    }
    await order(new Date('2026-10-31T23:30:00Z'), 'A', 'Nachtschicht November (m/w/d)');

    // Branch 2: four October orders, and what became of them.
    const base = new Date('2026-10-05T07:00:00Z');
    branch2.answered = await order(base, 'C', 'Spüler Antwort (m/w/d)');
    branch2.proposed = await order(new Date(base.getTime() + HOUR), 'C', 'Spüler Vorschlag (m/w/d)');
    branch2.withdrawn = await order(new Date(base.getTime() + 2 * HOUR), 'C', 'Spüler zurückgezogen (m/w/d)');
    branch2.silent = await order(new Date(base.getTime() + 3 * HOUR), 'C', 'Spüler ohne Antwort (m/w/d)');
    w.ctx.setNow(new Date(base.getTime() + 5 * HOUR));
    const answered = await w.call('caseworker2', 'POST', `${V}/vacancies/${branch2.answered}/response`, {
      reason: 'clarification_requested',
      note: 'Rückfrage zur Arbeitszeit (Test)',
    });
    expect(answered.status, await answered.text()).toBe(200);
    const coded = await w.call('caseworker2', 'POST', `${V}/vacancies/${branch2.proposed}/coding`, {
      kldb_code: '29302',
    });
    expect(coded.status, await coded.text()).toBe(200);
    const proposed = await w.call('caseworker2', 'POST', `${V}/vacancies/${branch2.proposed}/proposals`, {
      customer_ids: [w.customers.branch2],
    });
    expect(proposed.status, await proposed.text()).toBe(201);
    const withdrawn = await w.app.request(`${V}/employer/vacancies/${branch2.withdrawn}/withdraw`, {
      method: 'POST',
      headers: { authorization: `Bearer ${employerC}` },
    });
    expect(withdrawn.status, await withdrawn.text()).toBe(200);
    w.ctx.setNow(NOV_20);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('draws 10 of the month’s cases for the branch lead, and the same 10 for an admin and on every later ask', async () => {
    const res = await sample('lead1', 'branch=1&month=2026-10');
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(body).toMatchObject({ branch: 1, month: '2026-10', population: 13, sample_size: SAMPLE_SIZE });
    expect(body.items).toHaveLength(SAMPLE_SIZE);
    const drawn = idsOf(body);
    expect(new Set(drawn).size).toBe(SAMPLE_SIZE);
    for (const id of drawn) expect(october1).toContain(id);
    // Listed by receipt, which the draw itself does not follow.
    const received = body.items.map((i: { received_at: string }) => i.received_at);
    expect([...received].sort()).toEqual(received);

    expect(idsOf(await json(await sample('admin', 'branch=1&month=2026-10')))).toEqual(drawn);
    expect(idsOf(await json(await sample('lead1', 'branch=1&month=2026-10')))).toEqual(drawn);
    // Months later, when every clock has ended, the cases are the same.
    w.ctx.setNow(new Date('2027-03-01T09:00:00Z'));
    expect(idsOf(await json(await sample('lead1', 'branch=1&month=2026-10')))).toEqual(drawn);
    w.ctx.setNow(NOV_20);
  });

  it('counts cases by receipt in Berlin time: the month’s edges fall where the branch lead expects them', async () => {
    const september = await json(await sample('lead1', 'branch=1&month=2026-09'));
    expect(september).toMatchObject({ population: 1 });
    expect(idsOf(september)).toEqual([september1]);
    const empty = await json(await sample('admin', 'branch=2&month=2026-09'));
    expect(empty).toMatchObject({ branch: 2, month: '2026-09', population: 0, items: [] });
  });

  it('gives every case of a small branch, with what a branch lead checks and no customer’s name', async () => {
    const res = await sample('admin', 'branch=2&month=2026-10');
    const text = await res.text();
    expect(res.status, text).toBe(200);
    expect(text).not.toMatch(customerNamePattern());
    expect(text).not.toContain(w.customers.branch2);
    const body = JSON.parse(text);
    expect(body.population).toBe(4);
    const byId = new Map(body.items.map((i: { vacancy_id: string }) => [i.vacancy_id, i]));
    expect([...byId.keys()].sort()).toEqual(Object.values(branch2).sort());
    const caseworker = { id: w.userIds.caseworker2, display_name: 'Test caseworker2' };
    expect(byId.get(branch2.answered)).toMatchObject({
      reference: expect.stringMatching(/^JB-2026-\d{6}$/),
      title: 'Spüler Antwort (m/w/d)',
      caseworker,
      received_at: '2026-10-05T07:00:00.000Z',
      due_at: expect.any(String),
      responded_at: '2026-10-05T12:00:00.000Z',
      sla_state: 'met',
      sla_met: true,
      response_kind: 'clarification_requested',
      response_label: 'Rückfrage beim Arbeitgeber',
      proposals: { sent: 0, invited: 0, hired: 0 },
      outcome: 'open',
      outcome_label: 'offen',
    });
    expect(byId.get(branch2.proposed)).toMatchObject({
      sla_state: 'met',
      response_kind: 'proposal',
      response_label: 'Vermittlungsvorschlag gesendet',
      proposals: { sent: 1, invited: 0, hired: 0 },
    });
    expect(byId.get(branch2.withdrawn)).toMatchObject({
      sla_state: 'not_applicable',
      sla_met: null,
      responded_at: null,
      response_kind: null,
      outcome: 'withdrawn',
      outcome_label: 'zurückgezogen',
      closed_at: '2026-10-05T12:00:00.000Z',
    });
    expect(byId.get(branch2.silent)).toMatchObject({
      sla_state: 'breached',
      sla_state_label: 'Frist überschritten',
      sla_met: false,
      responded_at: null,
    });
  });

  it('keeps the sample when cases of other months and branches arrive', async () => {
    const before = idsOf(await json(await sample('lead1', 'branch=1&month=2026-10')));
    await order(new Date('2026-10-20T10:00:00Z'), 'C', 'Nachzügler anderer Zweigstelle (m/w/d)');
    await order(new Date('2026-11-10T10:00:00Z'), 'A', 'Nachzügler November (m/w/d)');
    w.ctx.setNow(NOV_20);
    const after = await json(await sample('lead1', 'branch=1&month=2026-10'));
    expect(after.population).toBe(13);
    expect(idsOf(after)).toEqual(before);
    expect((await json(await sample('admin', 'branch=2&month=2026-10'))).population).toBe(5);
  });

  it('refuses months that have not ended, and malformed parameters, in German', async () => {
    for (const [month, words] of [
      ['2026-11', 'ist noch nicht abgeschlossen'],
      ['2027-01', 'liegt in der Zukunft'],
    ] as const) {
      const res = await sample('lead1', `branch=1&month=${month}`);
      const body = await json(res);
      expect(res.status, month).toBe(422);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(body.detail).toContain(words);
      expect(body.detail).toContain('abgeschlossene Monate');
      expect(body.issues).toEqual([{ path: 'month', message: `${month} ${words}` }]);
    }
    for (const q of [
      'branch=1&month=2026-13',
      'branch=1&month=26-10',
      'branch=1&month=Oktober',
      'branch=1',
      'month=2026-10',
      'branch=eins&month=2026-10',
      'branch=1&month=2026-10&month=2026-09',
    ]) {
      const res = await sample('lead1', q);
      const body = await json(res);
      expect(res.status, q).toBe(400);
      expect(body.title, q).toBe('Ungültige Eingabe');
    }
    const bad = await json(await sample('lead1', 'branch=1&month=2026-13'));
    expect(bad.issues[0]).toEqual({ path: 'month', message: 'Erwartet: Monat als JJJJ-MM, z. B. 2026-10' });
    const unknown = await sample('admin', 'branch=99&month=2026-10');
    expect(unknown.status).toBe(404);
    expect((await json(unknown)).detail).toBe('Zweigstelle 99 nicht gefunden');
  });

  it('refuses caseworkers, employers, other branches’ leads and strangers, without a trace of the cases', async () => {
    for (const [who, q, status] of [
      ['caseworker1', 'branch=1&month=2026-10', 403],
      ['caseworker2', 'branch=2&month=2026-10', 403],
      ['lead1', 'branch=2&month=2026-10', 403],
      // Refused before the branch is looked up: a lead cannot probe which branches exist.
      ['lead1', 'branch=99&month=2026-10', 403],
      ['employerA', 'branch=1&month=2026-10', 403],
      ['anonymous', 'branch=1&month=2026-10', 401],
    ] as const) {
      const res = await sample(who, q);
      const text = await res.text();
      expect(res.status, `${who} ${q}: ${text}`).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      for (const secret of secrets) expect(text, `${who} leaks ${secret}`).not.toContain(secret);
      expect(text).not.toMatch(/Küchenhilfe|Spüler|population/);
    }
    const refusal = await json(await sample('lead1', 'branch=2&month=2026-10'));
    expect(refusal.detail).toBe('Stichproben anderer Zweigstellen sind nicht sichtbar');
  });

  it('audits every draw with the cases drawn, and every refused one', async () => {
    const drawn = idsOf(await json(await sample('lead1', 'branch=1&month=2026-10')));
    const rows = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'audit_sample.draw'), eq(auditLog.objectId, '1:2026-10')));
    const last = rows.at(-1)!;
    expect(last).toMatchObject({
      actorUserId: w.userIds.lead1,
      actorRole: 'branch_lead',
      objectType: 'audit_sample',
      purpose: 'internal_control',
      detail: { branch: 1, month: '2026-10', outcome: 'ok', population: 13 },
    });
    expect([...(last.detail.drawn as string[])].sort()).toEqual([...drawn].sort());
    const refused = rows.filter((r) => r.detail.outcome === 'forbidden');
    expect(refused.map((r) => r.actorUserId)).toContain(w.userIds.caseworker1);
    expect(refused.every((r) => r.detail.drawn === undefined)).toBe(true);
    const early = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'audit_sample.draw'), eq(auditLog.objectId, '1:2026-11')));
    expect(early.map((r) => r.detail.outcome)).toContain('validation');
  });
});
