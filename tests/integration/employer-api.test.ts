/**
 * The employer journey over HTTP, in process (`app.request`), on PGlite and PostgreSQL: an employer orders (201 with
 * the receipt, idempotent retries), is confirmed in the inbox; the employer service sees the order by its SLA
 * deadline, codes it, proposes a customer from the match list (the clock stops: met); the employer sees a
 * pseudonymous candidate, invites and hires, the vacancy is filled and follow-ups appear. Plus a documented answer,
 * refusals, isolation between employers, and refused input (422 for order bodies, nothing stored).
 */
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { auditLog, vacancies } from '../../src/db/schema.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { customerNamePattern, type EmployerWorld, employerWorld, MINIMAL_ORDER } from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;

/** Test bodies are arbitrary JSON; the assertions check their shape. */
// biome-ignore lint/suspicious/noExplicitAny: see above
const json = async (res: Response): Promise<any> => res.json();

describe.each(testDatabases())('employer API on $name', (factory) => {
  let database: Database;
  let w: EmployerWorld;
  /** The first order, carried through the journey. */
  let order: { vacancy_id: string; reference: string };
  let proposalId: string;

  const ordersOf = async (employerId: string) =>
    (await w.database.db.select({ n: count() }).from(vacancies).where(eq(vacancies.employerId, employerId)))[0]!.n;

  beforeAll(async () => {
    database = await openMigrated(factory);
    w = await employerWorld(database, NOW);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('takes an order: 201 at once with reference, branch, caseworker and due time; a retry replays it', async () => {
    const headers = { 'idempotency-key': 'bestellung-0001' };
    const res = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER, headers);
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json(res);
    expect(body).toEqual({
      vacancy_id: expect.any(String),
      reference: expect.stringMatching(/^JB-2026-\d{6}$/),
      branch: { id: 1, name: 'Zweigstelle Mitte (Test)' },
      caseworker: { id: w.userIds.caseworker1, display_name: 'Test caseworker1' },
      placement_order: true,
      received_at: NOW.toISOString(),
      sla_due_at: new Date(NOW.getTime() + 48 * HOUR).toISOString(),
    });
    expect(res.headers.get('location')).toBe(`/api/v1/employer/vacancies/${body.vacancy_id}`);
    order = body;

    const retry = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER, headers);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(retry)).toEqual(body);
    expect(await ordersOf(w.employerIds.A)).toBe(1);

    const other = await w.call(
      'employerA',
      'POST',
      '/api/v1/employer/vacancies',
      { ...MINIMAL_ORDER, title: 'Spüler (m/w/d)' },
      headers,
    );
    expect(other.status).toBe(409);
    expect(await json(other)).toMatchObject({ code: 'conflict', idempotency_key: 'bestellung-0001' });
    expect(await ordersOf(w.employerIds.A)).toBe(1);

    const located = await w.call('employerA', 'GET', res.headers.get('location')!);
    expect(located.status).toBe(200);
    const { placement_order: _, ...posting } = MINIMAL_ORDER;
    expect(await json(located)).toMatchObject({
      vacancy_id: order.vacancy_id,
      reference: order.reference,
      status: 'open',
      placement_order: true,
      plz: '70173',
      working_times: ['vollzeit'],
      // What the employer stated about the job; placement_order is the order's, not the posting's.
      stated: posting,
    });
  });

  it('confirms the order in the employer’s inbox, and marks it read', async () => {
    const inbox = await json(await w.call('employerA', 'GET', '/api/v1/employer/notifications'));
    const confirmation = inbox.items.find((n: { template: string }) => n.template === 'order_confirmation');
    expect(confirmation).toMatchObject({
      subject: `Auftragsbestätigung ${order.reference}: Koch / Köchin (m/w/d)`,
      vacancy_id: order.vacancy_id,
      read_at: null,
    });
    expect(confirmation.text).toContain('bis spätestens 22.11.2026, 10:00 Uhr');
    const read = await w.call('employerA', 'POST', `/api/v1/employer/notifications/${confirmation.id}/read`);
    expect(await json(read)).toEqual({ id: confirmation.id, read: true });
    // Someone else's notification does not exist for them.
    expect((await w.call('employerB', 'POST', `/api/v1/employer/notifications/${confirmation.id}/read`)).status).toBe(
      404,
    );
  });

  it('lists the employer’s own orders page by page', async () => {
    w.ctx.setNow(new Date(NOW.getTime() + 60_000));
    await w.call('employerA', 'POST', '/api/v1/employer/vacancies', { ...MINIMAL_ORDER, placement_order: false });
    const first = await json(await w.call('employerA', 'GET', '/api/v1/employer/vacancies?per_page=1'));
    expect(first.items).toHaveLength(1);
    expect(first).toMatchObject({ page: 1, per_page: 1, next_page: 2 });
    const second = await json(await w.call('employerA', 'GET', '/api/v1/employer/vacancies?per_page=1&page=2'));
    expect(second).toMatchObject({ page: 2, next_page: null });
    expect(second.items[0]).toMatchObject({ vacancy_id: order.vacancy_id, status: 'open', proposals: 0 });
    const none = await json(await w.call('employerB', 'GET', '/api/v1/employer/vacancies'));
    expect(none.items).toEqual([]);
  });

  it('puts the order in the employer service’s SLA view, earliest due first', async () => {
    const res = await w.call('caseworker1', 'GET', '/api/v1/sla/vacancies?state=open');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json(res);
    expect(body.items.map((i: { vacancy_id: string }) => i.vacancy_id)).toContain(order.vacancy_id);
    expect(body.items.find((i: { vacancy_id: string }) => i.vacancy_id === order.vacancy_id)).toMatchObject({
      reference: order.reference,
      employer: 'Muster GmbH (Test)',
      branch_id: 1,
      caseworker: { id: w.userIds.caseworker1 },
      due_at: new Date(NOW.getTime() + 48 * HOUR).toISOString(),
      state: 'open',
      state_label: 'offen',
    });
    // Branch 2 sees none of branch 1's orders, and may not ask for them.
    expect((await json(await w.call('caseworker2', 'GET', '/api/v1/sla/vacancies'))).items).toEqual([]);
    expect((await w.call('caseworker2', 'GET', '/api/v1/sla/vacancies?branch=1')).status).toBe(403);
  });

  it('proposes a customer from the match list: the clock stops (met) and the employer is told', async () => {
    w.ctx.setNow(new Date(NOW.getTime() + 3 * HOUR));
    const coded = await w.call('caseworker1', 'POST', `/api/v1/vacancies/${order.vacancy_id}/coding`, {
      kldb_code: '29302',
    });
    expect(coded.status).toBe(200);
    const matches = await json(await w.call('caseworker1', 'GET', `/api/v1/vacancies/${order.vacancy_id}/matches`));
    const ids: string[] = matches.results.map((r: { customer_id: string }) => r.customer_id);
    expect(ids).toEqual(expect.arrayContaining(w.customers.market));
    expect(ids).not.toContain(w.customers.notAvailable);
    expect(ids).not.toContain(w.customers.branch2);
    // One who did not consent to share contact details: the employer will see no name.
    const chosen = ids.find((id) => w.customers.market.includes(id))!;

    const sent = await w.call('caseworker1', 'POST', `/api/v1/vacancies/${order.vacancy_id}/proposals`, {
      customer_ids: [chosen],
      note: 'Erfahrene Köchin, sofort verfügbar (Test).',
    });
    expect(sent.status).toBe(201);
    const body = await json(sent);
    expect(body).toEqual({
      vacancy_id: order.vacancy_id,
      proposals: [{ proposal_id: expect.any(String), customer_id: chosen }],
      qualified_response: true,
    });
    proposalId = body.proposals[0].proposal_id;

    const met = await json(await w.call('caseworker1', 'GET', '/api/v1/sla/vacancies?state=met'));
    expect(met.items.find((i: { vacancy_id: string }) => i.vacancy_id === order.vacancy_id)).toMatchObject({
      state: 'met',
      response_reason: 'proposal',
      response_label: 'Vermittlungsvorschlag gesendet',
    });
    const staffView = await json(await w.call('caseworker1', 'GET', `/api/v1/vacancies/${order.vacancy_id}/proposals`));
    expect(staffView.items).toEqual([
      expect.objectContaining({ proposal_id: proposalId, customer_id: chosen, status: 'open', outcome: null }),
    ]);
    const inbox = await json(await w.call('employerA', 'GET', '/api/v1/employer/notifications'));
    expect(inbox.items[0]).toMatchObject({ template: 'proposals_received', vacancy_id: order.vacancy_id });
  });

  it('refuses a proposal that fails a rule at send time, naming per customer what failed', async () => {
    const res = await w.call('caseworker1', 'POST', `/api/v1/vacancies/${order.vacancy_id}/proposals`, {
      customer_ids: [w.customers.notAvailable, w.customers.branch2],
    });
    expect(res.status).toBe(409);
    const body = await json(res);
    expect(body.code).toBe('conflict');
    const byCustomer = Object.fromEntries(
      body.refusals.map((r: { customer_id: string; failed: Array<{ code: string }> }) => [
        r.customer_id,
        r.failed.map((f) => f.code),
      ]),
    );
    expect(Object.keys(byCustomer).sort()).toEqual([w.customers.notAvailable, w.customers.branch2].sort());
    expect(byCustomer[w.customers.branch2]).toEqual(['branch']);
    expect(byCustomer[w.customers.notAvailable].length).toBeGreaterThan(0);
    for (const r of body.refusals) for (const f of r.failed) expect(f.text).toEqual(expect.any(String));
    const [refused] = await w.database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'proposal.refuse'), eq(auditLog.objectId, w.customers.notAvailable)));
    expect(refused).toMatchObject({ purpose: 'placement', actorUserId: w.userIds.caseworker1 });
  });

  it('shows the employer a pseudonymous candidate; the employer invites, then hires, and the order is filled', async () => {
    const res = await w.call('employerA', 'GET', `/api/v1/employer/vacancies/${order.vacancy_id}/proposals`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const text = await res.text();
    expect(text).not.toMatch(customerNamePattern());
    const { items } = JSON.parse(text);
    expect(items).toEqual([
      {
        proposal_id: proposalId,
        proposed_at: expect.any(String),
        note: 'Erfahrene Köchin, sofort verfügbar (Test).',
        status: 'open',
        outcome: null,
        candidate: {
          label: 'Kandidat/in 1',
          display_name: null,
          qualifications: ['Ausbildung Koch'],
          skills: ['HACCP'],
          licences: [],
          languages: [],
          working_times: ['vollzeit', 'teilzeit'],
          available_from: '2026-01-01',
          commute_km: 0,
        },
      },
    ]);
    // Not an outcome for the employer to record.
    const noReaction = await w.call('employerA', 'POST', `/api/v1/employer/proposals/${proposalId}/outcome`, {
      outcome: 'no_reaction',
    });
    expect(noReaction.status).toBe(422);

    const invited = await w.call('employerA', 'POST', `/api/v1/employer/proposals/${proposalId}/outcome`, {
      outcome: 'invited',
    });
    expect(invited.status).toBe(200);
    expect(await json(invited)).toMatchObject({ outcome: 'invited', status: 'open', vacancy_filled: false });
    const hired = await w.call('employerA', 'POST', `/api/v1/employer/proposals/${proposalId}/outcome`, {
      outcome: 'hired',
      start_date: '2026-12-01',
    });
    expect(await json(hired)).toMatchObject({
      outcome: 'hired',
      status: 'hired',
      positions: 1,
      positions_filled: 1,
      vacancy_filled: true,
    });
    const after = await json(await w.call('employerA', 'GET', `/api/v1/employer/vacancies/${order.vacancy_id}`));
    expect(after).toMatchObject({ status: 'filled', close_reason: 'filled_by_proposal', positions_filled: 1 });
    const audits = await w.database.db
      .select({ action: auditLog.action, purpose: auditLog.purpose })
      .from(auditLog)
      .where(eq(auditLog.objectId, proposalId));
    expect(audits.filter((a) => a.action === 'proposal.outcome')).toEqual([
      { action: 'proposal.outcome', purpose: 'placement' },
      { action: 'proposal.outcome', purpose: 'placement' },
    ]);
  });

  it('gives the caseworker the follow-up tasks after the hire, done with a note', async () => {
    const due = await json(await w.call('caseworker1', 'GET', '/api/v1/tasks'));
    expect(due.items.filter((t: { proposal_id: string }) => t.proposal_id === proposalId)).toEqual([]);
    const all = await json(await w.call('caseworker1', 'GET', '/api/v1/tasks?include=upcoming'));
    const followUps = all.items.filter((t: { proposal_id: string }) => t.proposal_id === proposalId);
    expect(followUps.map((t: { kind: string }) => t.kind)).toEqual(['follow_up', 'follow_up']);
    expect(followUps[0]).toMatchObject({
      kind_label: 'Nachbetreuung nach der Einstellung',
      assigned_to_me: true,
      reference: order.reference,
      due_at: '2026-12-15T08:00:00.000Z',
      detail: { start_date: '2026-12-01' },
    });
    const done = await w.call('caseworker1', 'POST', `/api/v1/tasks/${followUps[0].id}/done`, {
      note: 'Telefonat mit Arbeitgeber (Test)',
    });
    expect(done.status).toBe(200);
    expect(await json(done)).toEqual({ id: followUps[0].id, done_at: expect.any(String) });
    expect((await w.call('caseworker1', 'POST', `/api/v1/tasks/${followUps[0].id}/done`, { note: 'x' })).status).toBe(
      409,
    );
    expect((await w.call('caseworker2', 'POST', `/api/v1/tasks/${followUps[1].id}/done`, { note: 'x' })).status).toBe(
      404,
    );
  });

  it('keeps another employer out: every id of employer A is 404 for employer B', async () => {
    const id = order.vacancy_id;
    for (const [method, path, body] of [
      ['GET', `/api/v1/employer/vacancies/${id}`, undefined],
      ['PATCH', `/api/v1/employer/vacancies/${id}`, { title: 'Fremd' }],
      ['POST', `/api/v1/employer/vacancies/${id}/withdraw`, undefined],
      ['POST', `/api/v1/employer/vacancies/${id}/filled`, undefined],
      ['GET', `/api/v1/employer/vacancies/${id}/proposals`, undefined],
      ['POST', `/api/v1/employer/proposals/${proposalId}/outcome`, { outcome: 'rejected', reason: 'Fremd' }],
    ] as const) {
      const res = await w.call('employerB', method, path, body);
      expect(res.status, `${method} ${path}`).toBe(404);
      const text = await res.text();
      expect(text).not.toContain('Koch');
      expect(text).not.toContain(order.reference);
    }
  });

  it('takes a documented answer from the fixed list as the qualified response, sent to the employer', async () => {
    const second = await json(
      await w.call('employerA', 'POST', '/api/v1/employer/vacancies', { ...MINIMAL_ORDER, title: 'Beikoch (m/w/d)' }),
    );
    const reasons = await json(await w.call('caseworker1', 'GET', '/api/v1/sla/response-reasons'));
    expect(reasons.items).toContainEqual({
      code: 'no_candidates_widen_radius',
      label: 'Keine passenden Bewerberinnen/Bewerber; Vorschlag: Umkreis erweitern',
    });
    const bad = await w.call('caseworker1', 'POST', `/api/v1/vacancies/${second.vacancy_id}/response`, {
      reason: 'keine_lust',
      note: '',
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).issues.map((i: { path: string }) => i.path).sort()).toEqual(['note', 'reason']);
    const res = await w.call('caseworker1', 'POST', `/api/v1/vacancies/${second.vacancy_id}/response`, {
      reason: 'no_candidates_widen_radius',
      note: 'Bitte den Umkreis auf 30 km erweitern (Test).',
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ vacancy_id: second.vacancy_id, reason: 'no_candidates_widen_radius' });
    const again = await w.call('caseworker1', 'POST', `/api/v1/vacancies/${second.vacancy_id}/response`, {
      reason: 'clarification_requested',
      note: 'Noch einmal',
    });
    expect(again.status).toBe(409);
    const inbox = await json(await w.call('employerA', 'GET', '/api/v1/employer/notifications'));
    expect(inbox.items[0]).toMatchObject({ template: 'qualified_response', vacancy_id: second.vacancy_id });
    expect(inbox.items[0].text).toContain('Bitte den Umkreis auf 30 km erweitern (Test).');

    // A customer who consented to share contact details is shown with their name.
    await w.call('caseworker1', 'POST', `/api/v1/vacancies/${second.vacancy_id}/coding`, { kldb_code: '29302' });
    const sent = await w.call('caseworker1', 'POST', `/api/v1/vacancies/${second.vacancy_id}/proposals`, {
      customer_ids: [w.customers.consenting],
    });
    expect(await json(sent)).toMatchObject({ qualified_response: false });
    const seen = await json(
      await w.call('employerA', 'GET', `/api/v1/employer/vacancies/${second.vacancy_id}/proposals`),
    );
    expect(seen.items[0].candidate.display_name).toMatch(customerNamePattern());

    const summary = await json(
      await w.call('lead1', 'GET', '/api/v1/sla/summary?from=2026-11-01&to=2026-12-01&group_by=caseworker'),
    );
    expect(summary).toMatchObject({ branch: 1, group_by: 'caseworker', total: { counts: { met: 2 } } });
    expect(summary.total.compliance_rate).toBe(1);
    expect(summary.groups).toEqual([
      expect.objectContaining({ key: w.userIds.caseworker1, label: 'Test caseworker1', orders: 2 }),
    ]);
    expect((await w.call('lead1', 'GET', '/api/v1/sla/summary?branch=2')).status).toBe(403);

    // The employer changes the order (re-coded) and then withdraws it.
    const patched = await w.call('employerA', 'PATCH', `/api/v1/employer/vacancies/${second.vacancy_id}`, {
      title: 'Beiköchin / Beikoch (m/w/d)',
      number_of_positions: 2,
    });
    expect(patched.status).toBe(200);
    expect((await json(patched)).changed.sort()).toEqual(['number_of_positions', 'title']);
    const withdrawn = await w.call('employerA', 'POST', `/api/v1/employer/vacancies/${second.vacancy_id}/withdraw`);
    expect(await json(withdrawn)).toEqual({ vacancy_id: second.vacancy_id, status: 'closed' });
    expect((await w.call('employerA', 'POST', `/api/v1/employer/vacancies/${second.vacancy_id}/withdraw`)).status).toBe(
      409,
    );
  });

  it('answers an invalid order with 422, every bad field named in German, and stores nothing', async () => {
    const before = await ordersOf(w.employerIds.A);
    const res = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', {
      title: '',
      plz: '7017',
      working_times: [],
      contract_type: 'fest',
      placement_order: 'ja',
      gehalt: 3000,
    });
    expect(res.status).toBe(422);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await json(res);
    expect(body.code).toBe('validation');
    expect(body.issues).toEqual(
      expect.arrayContaining([
        { path: 'title', message: 'darf nicht leer sein' },
        { path: 'description', message: 'Pflichtangabe fehlt' },
        { path: 'plz', message: 'Postleitzahl muss fünfstellig sein' },
        { path: 'working_times', message: 'Mindestens eine Arbeitszeit angeben' },
        { path: 'contract_type', message: 'Erlaubt: befristet, unbefristet' },
        { path: 'placement_order', message: 'Erwartet: true oder false' },
        { path: '', message: 'Unbekannte Angabe: gehalt' },
      ]),
    );
    // One reason per bad field: a malformed postcode is not also reported as unknown.
    expect(body.issues.filter((i: { path: string }) => i.path === 'plz')).toHaveLength(1);
    expect(await ordersOf(w.employerIds.A)).toBe(before);
    // A rule of the verb on a well-formed body is refused content too: no branch serves this employer or this job.
    const far = await json(
      await w.call('admin', 'POST', '/api/v1/employer-users', {
        email: 'personal@fernbetrieb.test.invalid',
        employer: { name: 'Fernbetrieb GmbH (Test)', plz: '10115' },
      }),
    );
    expect(far.branch_id).toBeNull();
    const outside = await w.app.request('/api/v1/employer/vacancies', {
      method: 'POST',
      headers: { authorization: `Bearer ${far.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...MINIMAL_ORDER, plz: '10115' }),
    });
    expect(outside.status).toBe(422);
    expect((await json(outside)).issues).toEqual([
      { path: 'plz', message: 'Für diese Postleitzahl ist keine Zweigstelle des Jobcenters zuständig' },
    ]);
    expect(await ordersOf(far.employer_id)).toBe(0);

    const patch = await w.call('employerA', 'PATCH', `/api/v1/employer/vacancies/${order.vacancy_id}`, {
      number_of_positions: 0,
    });
    expect(patch.status).toBe(422);
    // Malformed JSON and a wrong media type keep their own answers.
    const broken = await w.app.request('/api/v1/employer/vacancies', {
      method: 'POST',
      headers: { authorization: `Bearer ${w.tokens.employerA}`, 'content-type': 'application/json' },
      body: '{"title": ',
    });
    expect(broken.status).toBe(400);
    const text = await w.app.request('/api/v1/employer/vacancies', {
      method: 'POST',
      headers: { authorization: `Bearer ${w.tokens.employerA}`, 'content-type': 'text/plain' },
      body: JSON.stringify(MINIMAL_ORDER),
    });
    expect(text.status).toBe(415);
    const badKey = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER, {
      'idempotency-key': 'mit leerzeichen',
    });
    expect(badKey.status).toBe(400);
    expect((await json(badKey)).issues).toEqual([{ path: 'idempotency-key', message: 'nur sichtbare ASCII-Zeichen' }]);
    expect(await ordersOf(w.employerIds.A)).toBe(before);
  });

  it('lets the employer service invite an employer user, whose token works at once', async () => {
    const res = await w.call('caseworker1', 'POST', '/api/v1/employer-users', {
      email: 'personal@neu.test.invalid',
      employer: { name: 'Neue Kantine GmbH (Test)', plz: '70174' },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const invited = await json(res);
    expect(invited).toEqual({
      user_id: expect.any(String),
      employer_id: expect.any(String),
      branch_id: 1,
      token: expect.any(String),
      invitation_path: expect.stringMatching(/^\/einladung\//),
      invitation_expires_at: expect.any(String),
    });
    const list = await w.app.request('/api/v1/employer/vacancies', {
      headers: { authorization: `Bearer ${invited.token}` },
    });
    expect(list.status).toBe(200);
    // Branch 2's caseworker is not the employer service of branch 1.
    const refused = await w.call('caseworker2', 'POST', '/api/v1/employer-users', {
      email: 'x@neu.test.invalid',
      employer: { name: 'Andere GmbH (Test)', plz: '70174' },
    });
    expect(refused.status).toBe(403);
  });

  it('lets admins move postcodes between catchments and name the employer service', async () => {
    const moved = await w.call('admin', 'PUT', '/api/v1/admin/branches/2/catchment', { plz: ['70372', '70174'] });
    expect(moved.status).toBe(200);
    expect(await json(moved)).toEqual({
      branch_id: 2,
      plz: ['70174', '70372'],
      moved: [{ plz: '70174', from_branch_id: 1 }],
    });
    const list = await json(await w.call('admin', 'GET', '/api/v1/admin/catchments'));
    expect(list.items).toEqual([
      { branch_id: 1, name: 'Zweigstelle Mitte (Test)', plz: ['70173'] },
      { branch_id: 2, name: 'Zweigstelle Bad Cannstatt (Test)', plz: ['70174', '70372'] },
    ]);
    const service = await w.call('admin', 'PUT', `/api/v1/admin/users/${w.userIds.caseworker2}/employer-service`, {
      employer_service: true,
    });
    expect(await json(service)).toEqual({ user_id: w.userIds.caseworker2, employer_service: true });
    const contact = await w.call('admin', 'PUT', `/api/v1/admin/employers/${w.employerIds.B}/contact`, {
      caseworker_id: w.userIds.caseworker2,
    });
    expect(await json(contact)).toEqual({ employer_id: w.employerIds.B, caseworker_id: w.userIds.caseworker2 });
    const refused = await w.call('admin', 'PUT', '/api/v1/admin/branches/1/catchment', { plz: ['00000'] });
    expect(refused.status).toBe(400);
    expect((await json(refused)).issues).toEqual([{ path: 'plz.0', message: 'Unbekannte Postleitzahl' }]);
    // Employer B's next order goes to the new branch and to the named contact there.
    const receipt = await json(await w.call('employerB', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER));
    expect(receipt).toMatchObject({ branch: { id: 2 }, caseworker: { id: w.userIds.caseworker2 } });
  });
});
