/**
 * The caseworkers' workbench and the branch lead's dashboard in process (`app.request` with a session cookie), on
 * PGlite and PostgreSQL: an employer's order appears in the inbox, the caseworker codes it and proposes from the
 * explained list (the clock stops: met), the documented answer, the customer form with its version check, the CSV
 * import's dry run, the task list and the dashboard. And the refusals: another branch's vacancy or customer (403,
 * no data), an unknown id (404), a form without its CSRF token (403, nothing stored), a caseworker on the dashboard.
 */
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { customers, proposals } from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { openSession } from '../../src/users/sessions.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type EmployerWorld, employerWorld, MINIMAL_ORDER } from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;
type Staff = 'caseworker1' | 'caseworker2' | 'lead1' | 'admin';

describe.each(testDatabases())('workbench pages on $name', (factory) => {
  let database: Database;
  let w: EmployerWorld;
  const sessions = {} as Record<Staff, { cookie: string; csrf: string }>;
  let vacancyId: string;
  let otherVacancyId: string;

  /** A page request as `who` (or without a session); a form body is sent urlencoded, with the CSRF token unless told. */
  async function visit(
    who: Staff | 'anonymous',
    path: string,
    form?: Record<string, string | string[]>,
    { csrf = true } = {},
  ): Promise<Response> {
    const headers: Record<string, string> = {};
    if (who !== 'anonymous') headers.cookie = `jb_session=${sessions[who].cookie}`;
    if (!form) return w.app.request(`http://localhost${path}`, { headers });
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(form)) for (const one of [v].flat()) body.append(k, one);
    if (csrf && who !== 'anonymous') body.append('_csrf', sessions[who].csrf);
    headers['content-type'] = 'application/x-www-form-urlencoded';
    return w.app.request(`http://localhost${path}`, { method: 'POST', headers, body: body.toString() });
  }

  const proposalCount = async (id: string) =>
    (await w.database.db.select({ n: count() }).from(proposals).where(eq(proposals.vacancyId, id)))[0]!.n;

  /** Sessions end after 30 idle minutes of the test's clock: every jump of the clock signs in again. */
  async function signIn(at: Date) {
    w.ctx.setNow(at);
    for (const who of ['caseworker1', 'caseworker2', 'lead1', 'admin'] as const) {
      const s = await openSession(w.ctx, w.userIds[who]);
      sessions[who] = { cookie: s.token, csrf: s.csrfToken };
    }
  }

  beforeAll(async () => {
    database = await openMigrated(factory);
    w = await employerWorld(database, NOW);
    await signIn(NOW);
    const order = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER);
    expect(order.status).toBe(201);
    vacancyId = ((await order.json()) as { vacancy_id: string }).vacancy_id;
    // An employer in branch 2's catchment and its order, for the refusals.
    const invited = await inviteEmployerUser({
      ctx: w.ctx,
      actor: { userId: w.userIds.admin, role: 'admin', branchId: null, employerId: null },
      input: { email: 'employerc@workbench.test.invalid', employer: { name: 'Beispiel KG (Test)', plz: '70372' } },
    });
    const other = await w.app.request('/api/v1/employer/vacancies', {
      method: 'POST',
      headers: { authorization: `Bearer ${invited.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ ...MINIMAL_ORDER, title: 'Spüler / Spülerin (m/w/d)', plz: '70372' }),
    });
    expect(other.status).toBe(201);
    otherVacancyId = ((await other.json()) as { vacancy_id: string }).vacancy_id;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('sends a visitor without a session to the sign-in page', async () => {
    const res = await visit('anonymous', '/app');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(/^\/anmelden\?weiter=%2Fapp$/);
  });

  it('lists the branch’s order in the inbox with its state in words and the time left, uncached', async () => {
    const res = await visit('caseworker1', '/app');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain(`href="/app/stellen/${vacancyId}"`);
    expect(html).toContain('Koch / Köchin (m/w/d)');
    expect(html).toContain('<span class="badge badge--open">offen</span>');
    // Due 48 hours after receipt, in Berlin time, and the time left in words.
    expect(html).toContain('22.11.2026, 10:00 Uhr');
    expect(html).toContain('noch 2 Tage');
    expect(html).not.toContain('Spüler');
    // No inline script or style: the CSP allows neither.
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/\sstyle="/);
  });

  it('refuses another branch’s vacancy and customer with 403 and no data; an unknown id is 404', async () => {
    const vacancy = await visit('caseworker2', `/app/stellen/${vacancyId}`);
    expect(vacancy.status).toBe(403);
    const body = await vacancy.text();
    expect(body).toContain('Keine Berechtigung');
    expect(body).not.toContain('Koch / Köchin');
    expect(body).not.toMatch(/Testkundin \d{3}/);

    const customer = await visit('caseworker1', `/app/kunden/${w.customers.branch2}`);
    expect(customer.status).toBe(403);
    expect(await customer.text()).not.toMatch(/Testkundin \d{3}/);

    const unknown = await visit('caseworker1', '/app/stellen/00000000-0000-4000-8000-000000000000');
    expect(unknown.status).toBe(404);
    expect((await visit('caseworker1', '/app/kunden/kein-kunde')).status).toBe(404);
    // A change aimed at another branch's vacancy is refused just the same, and changes nothing.
    const propose = await visit('caseworker1', `/app/stellen/${otherVacancyId}/vorschlaege`, {
      customer_ids: [w.customers.market[0]!],
    });
    expect(propose.status).toBe(403);
    expect(await proposalCount(otherVacancyId)).toBe(0);
  });

  it('codes the vacancy with a suggestion or a typed code; a bad code is named at its field', async () => {
    const page = await (await visit('caseworker1', `/app/stellen/${vacancyId}`)).text();
    expect(page).toContain('Berufsverschlüsselung (KldB)');
    expect(page).toMatch(/name="kldb_code" id="code-s0" value="\d{5}"/);

    const bad = await visit('caseworker1', `/app/stellen/${vacancyId}/verschluesselung`, {
      kldb_code: 'andere',
      kldb_other: '99999',
    });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('href="#code-kldb_other"');
    expect(badHtml).toContain('aria-invalid="true"');

    const ok = await visit('caseworker1', `/app/stellen/${vacancyId}/verschluesselung`, {
      kldb_code: 'andere',
      kldb_other: '29302',
    });
    expect(ok.status).toBe(303);
    const after = await (await visit('caseworker1', ok.headers.get('location')!)).text();
    expect(after).toContain('Der Code 29302');
  });

  it('refuses a form without its CSRF token (403) and stores nothing', async () => {
    const res = await visit(
      'caseworker1',
      `/app/stellen/${vacancyId}/vorschlaege`,
      { customer_ids: [w.customers.market[0]!] },
      { csrf: false },
    );
    expect(res.status).toBe(403);
    expect(await proposalCount(vacancyId)).toBe(0);
    const wrong = await visit(
      'caseworker1',
      `/app/stellen/${vacancyId}/vorschlaege`,
      {
        customer_ids: [w.customers.market[0]!],
        _csrf: sessions.caseworker2.csrf,
      },
      { csrf: false },
    );
    expect(wrong.status).toBe(403);
    expect(await proposalCount(vacancyId)).toBe(0);
  });

  it('shows the explained list with the caps, refuses an unfit person by name, then proposes: SLA met', async () => {
    await signIn(new Date(NOW.getTime() + 3 * HOUR));
    const html = await (await visit('caseworker1', `/app/stellen/${vacancyId}`)).text();
    expect(html).toContain('Höchstens 5 offene Vorschläge je Stelle und 3 je Person.');
    expect(html).toContain('Offen: 0. Noch möglich: 5.');
    for (const id of w.customers.market) expect(html).toContain(`value="${id}"`);
    expect(html).not.toContain(`value="${w.customers.branch2}"`);
    expect(html).toContain('Warum passt die Person?');

    const whyNot = await (
      await visit('caseworker1', `/app/stellen/${vacancyId}?warum=${w.customers.notAvailable}`)
    ).text();
    expect(whyNot).toContain('Nicht erfüllt:');
    const hidden = await (await visit('caseworker1', `/app/stellen/${vacancyId}?warum=${w.customers.branch2}`)).text();
    expect(hidden).not.toContain('Nicht erfüllt:');
    expect(hidden).toContain('Diesen Eintrag gibt es nicht');

    const refused = await visit('caseworker1', `/app/stellen/${vacancyId}/vorschlaege`, {
      customer_ids: [w.customers.market[0]!, w.customers.notAvailable],
    });
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain('Niemand wurde vorgeschlagen');
    expect(await proposalCount(vacancyId)).toBe(0);

    const none = await visit('caseworker1', `/app/stellen/${vacancyId}/vorschlaege`, { note: 'ohne Auswahl' });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Bitte mindestens eine Person auswählen.');

    const sent = await visit('caseworker1', `/app/stellen/${vacancyId}/vorschlaege`, {
      customer_ids: w.customers.market.slice(0, 2),
      note: 'Zwei passende Personen (Test).',
    });
    expect(sent.status).toBe(303);
    expect(sent.headers.get('location')).toBe(`/app/stellen/${vacancyId}?gesendet=2&frist=gestoppt#frist`);
    expect(await proposalCount(vacancyId)).toBe(2);
    const after = await (await visit('caseworker1', `/app/stellen/${vacancyId}?gesendet=2&frist=gestoppt`)).text();
    expect(after).toContain('2 Vorschläge wurden gesendet.');
    expect(after).toContain('<span class="badge badge--met">fristgerecht beantwortet</span>');
    expect(after).toContain('Offen: 2. Noch möglich: 3.');
    // The running clock's answer form is gone once the clock stopped.
    expect(after).not.toContain('Begründete Rückmeldung ohne Vorschlag');
    const met = await (await visit('caseworker1', '/app?stand=met')).text();
    expect(met).toContain(`href="/app/stellen/${vacancyId}"`);
  });

  it('records a documented answer with a reason from the list; a missing text is named at its field', async () => {
    const order = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', {
      ...MINIMAL_ORDER,
      title: 'Küchenhilfe (m/w/d)',
    });
    const id = ((await order.json()) as { vacancy_id: string }).vacancy_id;
    const empty = await visit('caseworker1', `/app/stellen/${id}/rueckmeldung`, {
      reason: 'no_candidates_search_continues',
      note: ' ',
    });
    expect(empty.status).toBe(400);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain('href="#antwort-note"');
    expect(emptyHtml).toContain('Bitte die Antwort an den Arbeitgeber begründen');
    const ok = await visit('caseworker1', `/app/stellen/${id}/rueckmeldung`, {
      reason: 'no_candidates_search_continues',
      note: 'Wir suchen weiter und melden uns (Test).',
    });
    expect(ok.status).toBe(303);
    const page = await (await visit('caseworker1', ok.headers.get('location')!)).text();
    expect(page).toContain('Die Rückmeldung wurde gesendet.');
    expect(page).toContain('Derzeit keine passenden Bewerberinnen/Bewerber; die Suche läuft weiter');
  });

  it('saves the customer form with its version; a stale version is refused (409) and nothing is overwritten', async () => {
    const id = w.customers.market[2]!;
    const html = await (await visit('caseworker1', `/app/kunden/${id}`)).text();
    const version = /name="version" value="([^"]+)"/.exec(html)![1]!;
    const form = {
      version,
      display_name: 'Testkundin 900 (Synthetisch)',
      profile_group: 'market',
      target_kldb_codes: '29302',
      qualifications: 'Ausbildung Koch',
      skills: 'HACCP',
      languages: '',
      plz: '70173',
      max_commute_km: '30',
      working_times: ['vollzeit', 'teilzeit'],
      available_from: '2026-01-01',
      consent: 'ja',
    };
    const saved = await visit('caseworker1', `/app/kunden/${id}`, form);
    expect(saved.status).toBe(303);
    const [row] = await w.database.db.select().from(customers).where(eq(customers.id, id));
    expect(row).toMatchObject({ displayName: 'Testkundin 900 (Synthetisch)', maxCommuteKm: 30 });

    // The same form again, loaded before that save: someone else's change is not overwritten.
    const stale = await visit('caseworker1', `/app/kunden/${id}`, { ...form, max_commute_km: '5' });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain('Jemand anderes hat das Profil inzwischen geändert.');
    const [still] = await w.database.db.select().from(customers).where(eq(customers.id, id));
    expect(still!.maxCommuteKm).toBe(30);

    const fresh = /name="version" value="([^"]+)"/.exec(
      await (await visit('caseworker1', `/app/kunden/${id}`)).text(),
    )![1]!;
    const bad = await visit('caseworker1', `/app/kunden/${id}`, { ...form, version: fresh, plz: '1234' });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('href="#profil-plz"');
    expect(badHtml).toContain('value="1234"');
  });

  it('checks a CSV file as a dry run and reports each bad row; nothing is stored', async () => {
    const csv = [
      'kundennummer;name;profillage;zielberufe;plz;max_km;arbeitszeit;verfuegbar_ab',
      'WB-0001;Testkunde 901 (Synthetisch);market;29302;70173;20;vollzeit;01.12.2026',
      'WB-0002;Testkunde 902 (Synthetisch);market;29302;1234;20;vollzeit;01.12.2026',
    ].join('\n');
    const form = new FormData();
    form.append('_csrf', sessions.caseworker1.csrf);
    form.append('schritt', 'pruefen');
    form.append('file', new File([csv], 'kunden.csv', { type: 'text/csv' }));
    const res = await w.app.request('http://localhost/app/import', {
      method: 'POST',
      headers: { cookie: `jb_session=${sessions.caseworker1.cookie}` },
      body: form,
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Ergebnis der Prüfung (nichts wurde gespeichert)');
    expect(html).toMatch(/<th scope="row">3<\/th><td>plz<\/td>/);
    const [n] = await w.database.db.select({ n: count() }).from(customers).where(eq(customers.caseNumber, 'WB-0001'));
    expect(n!.n).toBe(0);

    const noFile = new FormData();
    noFile.append('_csrf', sessions.caseworker1.csrf);
    const missing = await w.app.request('http://localhost/app/import', {
      method: 'POST',
      headers: { cookie: `jb_session=${sessions.caseworker1.cookie}` },
      body: noFile,
    });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('href="#import-file"');
  });

  it('lists due tasks and refuses marking one done without a note', async () => {
    const res = await visit('caseworker1', '/app/aufgaben?alle=ja');
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1>Aufgaben</h1>');
    const unknown = await visit('caseworker1', '/app/aufgaben/00000000-0000-4000-8000-000000000000/erledigt', {
      note: 'erledigt',
    });
    expect([403, 404]).toContain(unknown.status);
  });

  it('shows the dashboard to the branch lead, with charts that carry their data, and not to a caseworker', async () => {
    expect((await visit('caseworker1', '/app/sla')).status).toBe(403);
    const res = await visit('lead1', '/app/sla?von=2026-11-01&bis=2026-11-21');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('SLA-Übersicht der Zweigstelle');
    expect(html).toMatch(/<svg[^>]*role="img"[^>]*aria-labelledby="chart-compliance-title chart-compliance-desc"/);
    expect(html).toContain('<title id="chart-compliance-title">');
    expect(html).toContain('Kennzahlen je Kalenderwoche des Eingangs');
    expect(html).toContain('Kennzahlen je zuständiger Person');
    expect(html).toContain('Interne Kontrolle: Stichprobe des Monats');
    // Branch 2's order is not counted for branch 1's lead: the 2 orders of branch 1.
    expect(html).toMatch(/<dt>Aufträge<\/dt><dd>2<\/dd>/);
    const bad = await visit('lead1', '/app/sla?von=gestern');
    expect(bad.status).toBe(200);
    expect(await bad.text()).toContain('href="#zeitraum-von"');
  });
});
