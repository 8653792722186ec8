/**
 * Retention and the data subject's rights (issue 10, point 3) through the API, on PGlite and PostgreSQL: a restricted
 * customer leaves every list and cannot be proposed until the restriction is lifted; the subject-access export holds
 * every section; a deleted customer is found nowhere (every table, the stored lists, this process's matcher, another
 * process's matcher, a fresh one), while their proposal stays without a person; refused and bad requests change
 * nothing. Queue payloads are covered per backend in customer-rights-queues.test.ts.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MatchService } from '../../matchers/service/match-service.ts';
import { matcherPairCheck } from '../../matchers/service/pair-check.ts';
import { rematch } from '../../matchers/service/rematch.ts';
import { auditLog, customers, matches, outbox, proposals, tasks } from '../../src/db/schema.ts';
import { ProposalsRefused, sendProposals } from '../../src/proposals/send.ts';
import {
  type RightsWorld,
  rightsWorld,
  SUBJECT_CASE_NUMBER,
  SUBJECT_NAME,
  SUBJECT_NOTES,
  subjectRow,
  tablesMentioning,
} from '../helpers/customer-rights-world.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const V = '/api/v1';
// biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON
const json = async (res: Response): Promise<any> => res.json();

describe.each(testDatabases())('customer retention and subject rights on $name', (factory) => {
  let w: RightsWorld;
  beforeAll(async () => {
    w = await rightsWorld(await openMigrated(factory), NOW);
  });
  afterAll(async () => {
    await w?.close();
    await w?.database.close();
  });

  const listed = async (vacancyId: string, who: 'caseworker1' | 'admin' = 'caseworker1') => {
    const res = await w.call(who, 'GET', `${V}/vacancies/${vacancyId}/matches?limit=50`);
    expect(res.status).toBe(200);
    return ((await json(res)).results as Array<{ customer_id: string }>).map((r) => r.customer_id);
  };
  const storedIds = async (vacancyId: string) => {
    const [row] = await w.database.db
      .select({ results: matches.results })
      .from(matches)
      .where(and(eq(matches.subjectType, 'vacancy'), eq(matches.subjectId, vacancyId)));
    return ((row?.results ?? []) as Array<{ customerId: string }>).map((r) => r.customerId);
  };
  const auditsOf = (action: string) =>
    w.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, action), eq(auditLog.objectId, w.subject)));
  const snapshot = async () => ({
    customer: await subjectRow(w),
    outbox: await w.database.db.select().from(outbox),
    matches: await w.database.db.select().from(matches),
    proposals: await w.database.db.select().from(proposals),
  });

  it('refuses callers outside the branch and bad input with clear errors, and changes nothing', async () => {
    const before = await snapshot();
    const path = `${V}/customers/${w.subject}`;
    const attempts: Array<[Parameters<RightsWorld['call']>, number, RegExp?]> = [
      [['anonymous', 'DELETE', `${path}?reason=purpose_ended`], 401],
      [['employer', 'DELETE', `${path}?reason=purpose_ended`], 403],
      [['caseworker2', 'DELETE', `${path}?reason=purpose_ended`], 403, /anderer Zweigstellen/],
      // Access is settled first: another branch learns nothing from a request that is also malformed.
      [['caseworker2', 'DELETE', path], 403],
      [['caseworker2', 'POST', `${path}/restriction`, {}], 403],
      [['employer', 'POST', `${path}/restriction`, { reason: 'objection' }], 403],
      [['caseworker2', 'POST', `${path}/restriction`, { reason: 'objection' }], 403],
      [['caseworker2', 'DELETE', `${path}/restriction`], 403],
      [['caseworker1', 'GET', `${path}/export`], 403, /nur Admins/],
      [['lead1', 'GET', `${path}/export`], 403],
      [['employer', 'GET', `${path}/export`], 403],
      // Bad input: a missing or unknown reason names the codes there are; unknown and malformed ids are 404.
      [['caseworker1', 'DELETE', path], 400, /purpose_ended/],
      [['caseworker1', 'DELETE', `${path}?reason=weil`], 400, /reason/],
      [['caseworker1', 'DELETE', `${path}?reason=purpose_ended&extra=1`], 400],
      [['caseworker1', 'POST', `${path}/restriction`, {}], 400, /accuracy_contested/],
      [['caseworker1', 'POST', `${path}/restriction`, { reason: 'objection', note: 'x' }], 400],
      [['caseworker1', 'DELETE', `${path}/restriction`], 409, /nicht eingeschränkt/],
      [['caseworker1', 'DELETE', `${V}/customers/00000000-0000-4000-8000-000000000099?reason=purpose_ended`], 404],
      [['caseworker1', 'DELETE', `${V}/customers/kein-kunde?reason=purpose_ended`], 404],
      [['admin', 'GET', `${V}/customers/00000000-0000-4000-8000-000000000099/export`], 404],
      [['admin', 'GET', `${V}/customers/123/export`], 404],
    ];
    for (const [args, status, detail] of attempts) {
      const res = await w.call(...args);
      expect(res.status, `${args[0]} ${args[1]} ${args[2]}`).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
      const text = await res.text();
      if (detail) expect(text).toMatch(detail);
      // A refusal shows nothing about the person.
      expect(text).not.toContain(SUBJECT_NAME);
    }
    // A restriction body that is not JSON is refused before anything is read.
    const notJson = await w.app.request(`${V}/customers/${w.subject}/restriction`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.tokens.caseworker1}`, 'content-type': 'text/plain' },
      body: 'reason=objection',
    });
    expect(notJson.status).toBe(415);
    expect(await snapshot()).toEqual(before);
    // The refused attempts on the record are on record, without a success among them.
    const tried = await auditsOf('customer.delete');
    expect(tried.length).toBeGreaterThan(0);
    expect(tried.map((a) => a.detail.outcome)).not.toContain('ok');
    expect(tried.map((a) => a.detail.outcome)).toEqual(expect.arrayContaining(['forbidden', 'validation']));
    // A reason that is no code is free text: it never reaches the trail.
    expect(JSON.stringify(tried)).not.toContain('weil');
  });

  it('restricts processing: out of every list and proposal at once, marked in the profile; lifting brings the person back', async () => {
    const [cook, hotel] = w.vacancies;
    expect(await listed(hotel)).toContain(w.subject);
    expect(await storedIds(hotel)).toContain(w.subject);
    // The kitchen's stored list holds the person too (proposals are applied when a list is read, not stored).
    await listed(cook, 'admin');
    expect(await storedIds(cook)).toContain(w.subject);
    expect((await w.call('caseworker1', 'GET', `${V}/customers/${w.subject}/matches`)).status).toBe(200);

    const res = await w.call('caseworker1', 'POST', `${V}/customers/${w.subject}/restriction`, {
      reason: 'accuracy_contested',
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ id: w.subject, restricted: true, restricted_reason: 'accuracy_contested' });
    expect(body.restricted_reason_label).toMatch(/Richtigkeit/);
    expect(res.headers.get('cache-control')).toBe('no-store');

    // Gone from the stored lists (without a read in between), from this process's matcher and from every list.
    expect(await storedIds(hotel)).not.toContain(w.subject);
    expect(await storedIds(cook)).not.toContain(w.subject);
    expect(w.service.customers.get(w.subject)).toBeUndefined();
    expect(await listed(hotel)).not.toContain(w.subject);
    expect(await listed(hotel, 'admin')).not.toContain(w.subject);
    expect(await storedIds(hotel)).not.toContain(w.subject);
    const own = await w.call('caseworker1', 'GET', `${V}/customers/${w.subject}/matches`);
    expect(own.status).toBe(409);
    expect(await own.text()).toMatch(/eingeschränkt \(Art\. 18 DSGVO\)/);
    // Sending a proposal is refused with the reason.
    const actor = {
      userId: '00000000-0000-4000-8000-0000000000aa',
      role: 'admin' as const,
      branchId: null,
      employerId: null,
    };
    const refused = await sendProposals({
      ctx: w.ctx,
      actor,
      input: { vacancyId: hotel, customerIds: [w.subject] },
      check: matcherPairCheck,
    }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ProposalsRefused);
    expect((refused as ProposalsRefused).refusals[0]!.failed).toEqual([
      expect.objectContaining({ code: 'restricted', text: expect.stringMatching(/Verarbeitung eingeschränkt/) }),
    ]);
    // The profile and the list show the restriction; the data are all still there.
    const profile = await json(await w.call('caseworker1', 'GET', `${V}/customers/${w.subject}`));
    expect(profile.display_name).toBe(SUBJECT_NAME);
    const row = await subjectRow(w);
    expect(row?.restrictedAt).toEqual(NOW);
    expect(row?.restrictedReason).toBe('accuracy_contested');
    const again = await w.call('caseworker1', 'POST', `${V}/customers/${w.subject}/restriction`, {
      reason: 'objection',
    });
    expect(again.status).toBe(409);
    expect((await auditsOf('customer.restrict')).filter((a) => a.detail.outcome === 'ok')).toHaveLength(1);

    // A fresh matcher (another process starting) does not load the person either.
    expect((await MatchService.load(w.ctx)).customers.get(w.subject)).toBeUndefined();

    const lifted = await w.call('lead1', 'DELETE', `${V}/customers/${w.subject}/restriction`);
    expect(lifted.status).toBe(200);
    expect(await json(lifted)).toMatchObject({ restricted: false, restricted_at: null, restricted_reason: null });
    expect(w.service.customers.get(w.subject)).toBeDefined();
    expect(await listed(hotel)).toContain(w.subject);
    expect(await listed(hotel, 'admin')).toContain(w.subject);
    // The kitchen's list never had the person again: they were proposed there once (and rejected).
    expect(await listed(cook, 'admin')).not.toContain(w.subject);
    expect((await w.call('caseworker1', 'GET', `${V}/customers/${w.subject}/matches`)).status).toBe(200);
    expect((await subjectRow(w))?.restrictedAt).toBeNull();
    const unrestricted = (await auditsOf('customer.unrestrict')).map((a) => a.detail);
    // The refused attempts of the first test are on record, and this one change.
    expect(unrestricted).toEqual(expect.arrayContaining([{ outcome: 'forbidden' }, { outcome: 'conflict' }]));
    expect(unrestricted.filter((d) => d.outcome === 'ok')).toEqual([{ outcome: 'ok', reason: 'accuracy_contested' }]);
  });

  it('exports everything held about the person for an admin, protected attributes included, and audits it', async () => {
    const res = await w.call('admin', 'GET', `${V}/customers/${w.subject}/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`auskunft-${w.subject}.json`);
    const doc = await json(res);
    expect(Object.keys(doc).sort()).toEqual(
      [
        'audit_entries',
        'customer',
        'customer_id',
        'exported_at',
        'format',
        'match_list',
        'notifications',
        'proposals',
        'tasks',
        'vacancy_lists',
      ].sort(),
    );
    expect(doc.customer).toMatchObject({
      id: w.subject,
      display_name: SUBJECT_NAME,
      case_number: SUBJECT_CASE_NUMBER,
      religion: 'Testreligion',
      birth_year: 1970,
      restricted_at: null,
    });
    expect(doc.proposals).toEqual([
      expect.objectContaining({
        id: w.proposal,
        note: SUBJECT_NOTES[0],
        outcome_reason: SUBJECT_NOTES[1],
        vacancy: expect.objectContaining({ id: w.vacancies[0], title: 'Koch (m/w/d) Kantine' }),
      }),
    ]);
    expect(doc.tasks).toEqual([expect.objectContaining({ proposal_id: w.proposal, note: SUBJECT_NOTES[2] })]);
    expect(doc.match_list.results.length).toBeGreaterThan(0);
    expect(doc.vacancy_lists.map((l: { vacancy_id: string }) => l.vacancy_id)).toContain(w.vacancies[1]);
    const actions = new Set(doc.audit_entries.map((a: { action: string }) => a.action));
    for (const action of ['read', 'customer.restrict', 'customer.unrestrict']) expect(actions).toContain(action);
    // Reads of lists name other customers too: the export keeps only this person's id.
    const text = JSON.stringify(doc.audit_entries);
    for (const other of w.others) expect(text).not.toContain(other);
    const exported = await auditsOf('customer.export');
    expect(exported.at(-1)).toMatchObject({ purpose: 'subject_access', actorRole: 'admin' });
    expect(exported.at(-1)!.detail).toMatchObject({ outcome: 'ok', proposals: 1 });
  });

  it('deletes the person: found nowhere afterwards, the proposal kept without anyone behind it; a second delete is 404', async () => {
    const [cook, hotel] = w.vacancies;
    // Traces to remove: stored lists on both sides, an outbox row, another process's matcher holding the person.
    expect(await listed(hotel)).toContain(w.subject);
    await w.call('caseworker1', 'GET', `${V}/customers/${w.subject}/matches`);
    await w.call('caseworker1', 'PATCH', `${V}/customers/${w.subject}`, { max_commute_km: 31 });
    const otherProcess = await MatchService.load(w.ctx);
    expect(otherProcess.customers.get(w.subject)).toBeDefined();
    const before = await tablesMentioning(w.database, w.subject);
    expect(Object.keys(before)).toEqual(
      expect.arrayContaining(['public.customers', 'public.matches', 'public.outbox', 'public.proposals']),
    );
    const refusedBefore = (await auditsOf('customer.delete')).length;

    const res = await w.call('lead1', 'DELETE', `${V}/customers/${w.subject}?reason=erasure_request`);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      id: w.subject,
      deleted: true,
      reason: 'erasure_request',
      proposals_kept: 1,
    });

    // Every table: the id is left only in the audit trail, the name and the case number nowhere, nor the notes.
    expect(Object.keys(await tablesMentioning(w.database, w.subject))).toEqual(['public.audit_log']);
    for (const needle of [SUBJECT_NAME, SUBJECT_CASE_NUMBER, 'Löschprobe', ...SUBJECT_NOTES]) {
      expect(await tablesMentioning(w.database, needle), needle).toEqual({});
    }
    // The one deletion entry: id, reason code, actor; nothing about the person.
    const entries = (await auditsOf('customer.delete')).slice(refusedBefore);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorRole: 'branch_lead', objectType: 'customer', purpose: 'data_protection' });
    expect(entries[0]!.detail).toEqual({ reason: 'erasure_request', outcome: 'ok', proposalsKept: 1 });

    // The proposal stays for the order and the figures, with no person and no free text about them.
    const [kept] = await w.database.db.select().from(proposals).where(eq(proposals.id, w.proposal));
    expect(kept).toMatchObject({ customerId: null, note: null, outcomeReason: null, status: 'rejected' });
    const [task] = await w.database.db.select().from(tasks).where(eq(tasks.proposalId, w.proposal));
    expect(task?.note).toBeNull();
    const staffView = await json(await w.call('admin', 'GET', `${V}/vacancies/${cook}/proposals`));
    expect(staffView.items).toEqual([
      expect.objectContaining({ proposal_id: w.proposal, customer_id: null, display_name: null, status: 'rejected' }),
    ]);
    const employerView = await w.call('employer', 'GET', `${V}/employer/vacancies/${cook}/proposals`);
    expect(employerView.status).toBe(200);
    const candidate = (await json(employerView)).items[0].candidate;
    expect(candidate).toMatchObject({
      label: 'Kandidat/in 1',
      display_name: null,
      qualifications: [],
      commute_km: null,
    });

    // The matchers: this process's at once, another process's when it follows the log, a fresh one, a fresh run.
    expect(w.service.customers.get(w.subject)).toBeUndefined();
    await otherProcess.sync(w.ctx);
    expect(otherProcess.customers.get(w.subject)).toBeUndefined();
    expect((await MatchService.load(w.ctx)).customers.get(w.subject)).toBeUndefined();
    await rematch(w.ctx, w.service, { kind: 'vacancy', id: hotel });
    expect(await storedIds(hotel)).not.toContain(w.subject);
    expect(await listed(hotel)).not.toContain(w.subject);
    expect(await listed(hotel)).toEqual(expect.arrayContaining([w.others[0], w.others[1]]));
    // The other customers are untouched.
    expect(w.service.customers.get(w.others[0]!)).toBeDefined();
    expect(await w.database.db.select({ id: customers.id }).from(customers)).toHaveLength(3);

    // Deleting twice is a clean 404, reading too; nothing changes.
    const twice = await w.call('lead1', 'DELETE', `${V}/customers/${w.subject}?reason=erasure_request`);
    expect(twice.status).toBe(404);
    expect((await w.call('caseworker1', 'GET', `${V}/customers/${w.subject}`)).status).toBe(404);
    expect((await w.call('admin', 'GET', `${V}/customers/${w.subject}/export`)).status).toBe(404);
    expect(Object.keys(await tablesMentioning(w.database, w.subject))).toEqual(['public.audit_log']);
  });
});
