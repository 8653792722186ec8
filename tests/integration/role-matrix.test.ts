/**
 * Every route of /api/v1 × every role, table-driven, on PGlite and PostgreSQL: anonymous callers get 401, roles
 * outside a route's audience 403, and inside it another branch's resource 403 while what must stay private (another
 * employer's vacancy or proposal, someone else's task or notification) is 404. No refused answer carries data:
 * no titles, names, references or ids other than the one asked for. Callers who may use a route are let through;
 * where the route changes something they send a body it refuses (400/422), so the table leaves the world as it was.
 * A route added to the app but missing here fails the test.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { fireMilestone } from '../../src/sla/milestones.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import {
  customerNamePattern,
  type EmployerWorld,
  employerWorld,
  MINIMAL_ORDER,
  SIGNED_IN,
  type Who,
} from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;
const EVERYONE: Who[] = ['anonymous', ...SIGNED_IN];

/** Test bodies are arbitrary JSON; the setup reads the ids it needs. */
// biome-ignore lint/suspicious/noExplicitAny: see above
const json = async (res: Response): Promise<any> => res.json();

type Audience = 'public' | 'staff' | 'employer' | 'admin';
const AUDIENCE: Record<Audience, Who[]> = {
  public: EVERYONE,
  staff: ['caseworker1', 'caseworker2', 'lead1', 'admin'],
  employer: ['employerA', 'employerB'],
  admin: ['admin'],
};

/** The resources the table refers to, all of employer A and branch 1. */
interface Fixture {
  vacancy: string;
  proposal: string;
  customer: string;
  task: string;
  employerNotification: string;
  staffNotification: string;
}

interface Row {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The route as registered, e.g. `/api/v1/vacancies/:id/matches`. */
  route: string;
  path(f: Fixture): string;
  audience: Audience;
  /** Members of the audience refused for these resources, with the status they get. */
  denied?: Partial<Record<Who, 403 | 404>>;
  /** A valid body, sent by everyone refused, so that only the refusal can stop it. */
  body?: unknown;
  /** What members who may call send, and the status they get; by default no body and 200. */
  probe?: { body?: unknown; status: number };
}

const V = '/api/v1';
const otherBranch = { caseworker2: 403 } as const;

const ROWS: Row[] = [
  // Public: the kiosk's search and detail.
  { method: 'GET', route: `${V}/vacancies`, path: () => `${V}/vacancies?q=koch`, audience: 'public' },
  { method: 'GET', route: `${V}/vacancies/:id`, path: (f) => `${V}/vacancies/${f.vacancy}`, audience: 'public' },
  // Staff: matching and coding.
  {
    method: 'GET',
    route: `${V}/vacancies/:id/matches`,
    path: (f) => `${V}/vacancies/${f.vacancy}/matches`,
    audience: 'staff',
  },
  {
    method: 'GET',
    route: `${V}/customers/:id/matches`,
    path: (f) => `${V}/customers/${f.customer}/matches`,
    audience: 'staff',
    denied: otherBranch,
  },
  {
    method: 'GET',
    route: `${V}/vacancies/:id/matches/:customerId/why-not`,
    path: (f) => `${V}/vacancies/${f.vacancy}/matches/${f.customer}/why-not`,
    audience: 'staff',
    denied: otherBranch,
  },
  // Staff: customer profiles and their import (branch-scoped; admins all).
  { method: 'GET', route: `${V}/customers`, path: () => `${V}/customers?limit=5`, audience: 'staff' },
  {
    method: 'GET',
    route: `${V}/customers`,
    path: () => `${V}/customers?branch=1`,
    audience: 'staff',
    denied: otherBranch,
  },
  {
    method: 'POST',
    route: `${V}/customers`,
    path: () => `${V}/customers`,
    audience: 'staff',
    body: {
      display_name: 'Matrixkunde (Synthetisch)',
      profile_group: 'market',
      target_kldb_codes: ['29302'],
      plz: '70173',
      max_commute_km: 10,
      working_times: ['vollzeit'],
      available_from: '2026-12-01',
    },
    probe: { body: { display_name: '' }, status: 400 },
  },
  {
    method: 'GET',
    route: `${V}/customers/:id`,
    path: (f) => `${V}/customers/${f.customer}`,
    audience: 'staff',
    denied: otherBranch,
  },
  {
    method: 'PATCH',
    route: `${V}/customers/:id`,
    path: (f) => `${V}/customers/${f.customer}`,
    audience: 'staff',
    denied: otherBranch,
    body: { max_commute_km: 30 },
    probe: { body: { max_commute_km: -1 }, status: 400 },
  },
  {
    method: 'POST',
    route: `${V}/customers/import`,
    path: () => `${V}/customers/import?dry_run=true`,
    audience: 'staff',
    // The import takes multipart only; the table's JSON probe is refused before anything is read.
    probe: { body: {}, status: 415 },
  },
  // Staff: the data subject's rights. Members are stopped by what they send (no reason, an unknown one, nothing to
  // lift), so the customer stays; the export is for admins only.
  {
    method: 'DELETE',
    route: `${V}/customers/:id`,
    path: (f) => `${V}/customers/${f.customer}`,
    audience: 'staff',
    denied: otherBranch,
    probe: { status: 400 },
  },
  {
    method: 'POST',
    route: `${V}/customers/:id/restriction`,
    path: (f) => `${V}/customers/${f.customer}/restriction`,
    audience: 'staff',
    denied: otherBranch,
    body: { reason: 'objection' },
    probe: { body: { reason: 'unbekannt' }, status: 400 },
  },
  {
    method: 'DELETE',
    route: `${V}/customers/:id/restriction`,
    path: (f) => `${V}/customers/${f.customer}/restriction`,
    audience: 'staff',
    denied: otherBranch,
    // Not restricted: nothing to lift.
    probe: { status: 409 },
  },
  {
    method: 'GET',
    route: `${V}/customers/:id/export`,
    path: (f) => `${V}/customers/${f.customer}/export`,
    audience: 'staff',
    denied: { caseworker1: 403, caseworker2: 403, lead1: 403 },
  },
  { method: 'GET', route: `${V}/coding/review`, path: () => `${V}/coding/review`, audience: 'staff' },
  {
    method: 'POST',
    route: `${V}/vacancies/:id/coding`,
    path: (f) => `${V}/vacancies/${f.vacancy}/coding`,
    audience: 'staff',
    denied: otherBranch,
    body: { kldb_code: '29302' },
    probe: { body: { kldb_code: '1' }, status: 400 },
  },
  // Staff: proposals and the qualified response.
  {
    method: 'POST',
    route: `${V}/vacancies/:id/proposals`,
    path: (f) => `${V}/vacancies/${f.vacancy}/proposals`,
    audience: 'staff',
    denied: otherBranch,
    body: { customer_ids: ['00000000-0000-4000-8000-000000000001'] },
    probe: { body: { customer_ids: [] }, status: 400 },
  },
  {
    method: 'GET',
    route: `${V}/vacancies/:id/proposals`,
    path: (f) => `${V}/vacancies/${f.vacancy}/proposals`,
    audience: 'staff',
    denied: otherBranch,
  },
  {
    method: 'POST',
    route: `${V}/proposals/:id/outcome`,
    path: (f) => `${V}/proposals/${f.proposal}/outcome`,
    audience: 'staff',
    denied: otherBranch,
    body: { outcome: 'no_reaction' },
    probe: { body: { outcome: 'rejected' }, status: 400 },
  },
  {
    method: 'POST',
    route: `${V}/vacancies/:id/response`,
    path: (f) => `${V}/vacancies/${f.vacancy}/response`,
    audience: 'staff',
    denied: otherBranch,
    body: { reason: 'clarification_requested', note: 'Rückfrage (Test)' },
    probe: { body: { reason: 'clarification_requested', note: '' }, status: 400 },
  },
  // Staff: the SLA views, tasks, inbox and invitations.
  { method: 'GET', route: `${V}/sla/vacancies`, path: () => `${V}/sla/vacancies`, audience: 'staff' },
  {
    method: 'GET',
    route: `${V}/sla/vacancies`,
    path: () => `${V}/sla/vacancies?branch=1&state=at_risk`,
    audience: 'staff',
    denied: otherBranch,
  },
  { method: 'GET', route: `${V}/sla/summary`, path: () => `${V}/sla/summary`, audience: 'staff' },
  {
    method: 'GET',
    route: `${V}/sla/summary`,
    path: () => `${V}/sla/summary?branch=1&group_by=caseworker`,
    audience: 'staff',
    denied: otherBranch,
  },
  { method: 'GET', route: `${V}/sla/response-reasons`, path: () => `${V}/sla/response-reasons`, audience: 'staff' },
  { method: 'GET', route: `${V}/tasks`, path: () => `${V}/tasks?include=upcoming`, audience: 'staff' },
  {
    method: 'POST',
    route: `${V}/tasks/:id/done`,
    path: (f) => `${V}/tasks/${f.task}/done`,
    audience: 'staff',
    // A task is someone's: for others it does not exist. Admins see every task.
    denied: { caseworker2: 404, lead1: 404 },
    body: { note: 'Erledigt (Test)' },
    probe: { body: { note: '' }, status: 400 },
  },
  { method: 'GET', route: `${V}/notifications`, path: () => `${V}/notifications`, audience: 'staff' },
  {
    method: 'POST',
    route: `${V}/notifications/:id/read`,
    path: (f) => `${V}/notifications/${f.staffNotification}/read`,
    audience: 'staff',
    denied: { caseworker2: 404, lead1: 404, admin: 404 },
  },
  {
    method: 'POST',
    route: `${V}/employer-users`,
    path: () => `${V}/employer-users`,
    audience: 'staff',
    // Admins and the employer service of the employer's branch invite; caseworker1 is that employer service.
    denied: { caseworker2: 403, lead1: 403 },
    body: { email: 'eingeladen@matrix.test.invalid', employer: { name: 'Matrix KG (Test)', plz: '70173' } },
    probe: { body: { email: 'keine-adresse' }, status: 400 },
  },
  // Internal control: the sample for branch leads of the branch and admins, the audit trail for admins.
  {
    method: 'GET',
    route: `${V}/audit/sample`,
    path: () => `${V}/audit/sample?branch=1&month=2026-10`,
    audience: 'staff',
    denied: { caseworker1: 403, caseworker2: 403 },
  },
  {
    method: 'GET',
    route: `${V}/audit/sample`,
    path: () => `${V}/audit/sample?branch=2&month=2026-10`,
    audience: 'staff',
    denied: { caseworker1: 403, caseworker2: 403, lead1: 403 },
  },
  {
    method: 'GET',
    route: `${V}/audit`,
    path: (f) => `${V}/audit?object_type=vacancy&object_id=${f.vacancy}&limit=5`,
    audience: 'staff',
    denied: { caseworker1: 403, caseworker2: 403, lead1: 403 },
  },
  // Employers: their orders, candidates and inbox. Another employer's ids do not exist for them.
  {
    method: 'POST',
    route: `${V}/employer/vacancies`,
    path: () => `${V}/employer/vacancies`,
    audience: 'employer',
    body: MINIMAL_ORDER,
    probe: { body: { ...MINIMAL_ORDER, title: '' }, status: 422 },
  },
  { method: 'GET', route: `${V}/employer/vacancies`, path: () => `${V}/employer/vacancies`, audience: 'employer' },
  {
    method: 'GET',
    route: `${V}/employer/vacancies/:id`,
    path: (f) => `${V}/employer/vacancies/${f.vacancy}`,
    audience: 'employer',
    denied: { employerB: 404 },
  },
  {
    method: 'PATCH',
    route: `${V}/employer/vacancies/:id`,
    path: (f) => `${V}/employer/vacancies/${f.vacancy}`,
    audience: 'employer',
    denied: { employerB: 404 },
    body: { title: 'Übernommen (Test)' },
    probe: { body: { title: '' }, status: 422 },
  },
  {
    method: 'POST',
    route: `${V}/employer/vacancies/:id/withdraw`,
    path: (f) => `${V}/employer/vacancies/${f.vacancy}/withdraw`,
    audience: 'employer',
    denied: { employerB: 404 },
    probe: { body: { grund: 'x' }, status: 422 },
  },
  {
    method: 'POST',
    route: `${V}/employer/vacancies/:id/filled`,
    path: (f) => `${V}/employer/vacancies/${f.vacancy}/filled`,
    audience: 'employer',
    denied: { employerB: 404 },
    probe: { body: { start_date: 'morgen' }, status: 422 },
  },
  {
    method: 'GET',
    route: `${V}/employer/vacancies/:id/proposals`,
    path: (f) => `${V}/employer/vacancies/${f.vacancy}/proposals`,
    audience: 'employer',
    denied: { employerB: 404 },
  },
  {
    method: 'POST',
    route: `${V}/employer/proposals/:id/outcome`,
    path: (f) => `${V}/employer/proposals/${f.proposal}/outcome`,
    audience: 'employer',
    denied: { employerB: 404 },
    body: { outcome: 'invited' },
    probe: { body: { outcome: 'rejected' }, status: 422 },
  },
  {
    method: 'GET',
    route: `${V}/employer/notifications`,
    path: () => `${V}/employer/notifications`,
    audience: 'employer',
  },
  {
    method: 'POST',
    route: `${V}/employer/notifications/:id/read`,
    path: (f) => `${V}/employer/notifications/${f.employerNotification}/read`,
    audience: 'employer',
    denied: { employerB: 404 },
  },
  // Admins: catchments and the employer service.
  { method: 'GET', route: `${V}/admin/catchments`, path: () => `${V}/admin/catchments`, audience: 'admin' },
  {
    method: 'PUT',
    route: `${V}/admin/branches/:id/catchment`,
    path: () => `${V}/admin/branches/2/catchment`,
    audience: 'admin',
    body: { plz: ['70372', '70173'] },
    probe: { body: { plz: ['00000'] }, status: 400 },
  },
  {
    method: 'PUT',
    route: `${V}/admin/employers/:id/contact`,
    path: () => `${V}/admin/employers/00000000-0000-4000-8000-000000000002/contact`,
    audience: 'admin',
    body: { caseworker_id: null },
    probe: { body: { caseworker_id: 'niemand' }, status: 400 },
  },
  {
    method: 'PUT',
    route: `${V}/admin/users/:id/employer-service`,
    path: () => `${V}/admin/users/00000000-0000-4000-8000-000000000003/employer-service`,
    audience: 'admin',
    body: { employer_service: true },
    probe: { body: { employer_service: 'ja' }, status: 400 },
  },
];

function expectedStatus(row: Row, who: Who): number {
  if (row.audience === 'public') return 200;
  if (who === 'anonymous') return 401;
  if (!AUDIENCE[row.audience].includes(who)) return 403;
  return row.denied?.[who] ?? row.probe?.status ?? 200;
}

describe.each(testDatabases())('roles × routes on $name', (factory) => {
  let database: Database;
  let w: EmployerWorld;
  let f: Fixture;
  /** Ids and texts a refused answer must never contain (except the id it was asked about). */
  let secrets: string[];

  beforeAll(async () => {
    database = await openMigrated(factory);
    w = await employerWorld(database, NOW);
    const order = await json(await w.call('employerA', 'POST', `${V}/employer/vacancies`, MINIMAL_ORDER));
    const other = await json(
      await w.call('employerA', 'POST', `${V}/employer/vacancies`, { ...MINIMAL_ORDER, title: 'Spüler (m/w/d)' }),
    );
    await w.call('caseworker1', 'POST', `${V}/vacancies/${order.vacancy_id}/coding`, { kldb_code: '29302' });
    const sent = await json(
      await w.call('caseworker1', 'POST', `${V}/vacancies/${order.vacancy_id}/proposals`, {
        customer_ids: [w.customers.market[0]],
      }),
    );
    // Half of the second order's time passes unanswered: a reminder task and notification for its caseworker.
    w.ctx.setNow(new Date(NOW.getTime() + 24 * HOUR));
    await fireMilestone(w.ctx, { vacancyId: other.vacancy_id, kind: 'reminder' });
    const tasks = await json(await w.call('caseworker1', 'GET', `${V}/tasks?include=upcoming`));
    const staffInbox = await json(await w.call('caseworker1', 'GET', `${V}/notifications`));
    const employerInbox = await json(await w.call('employerA', 'GET', `${V}/employer/notifications`));
    f = {
      vacancy: order.vacancy_id,
      proposal: sent.proposals[0].proposal_id,
      customer: w.customers.market[0]!,
      task: tasks.items[0].id,
      employerNotification: employerInbox.items[0].id,
      staffNotification: staffInbox.items[0].id,
    };
    secrets = [
      ...Object.values(f),
      other.vacancy_id,
      order.reference,
      other.reference,
      ...Object.values(w.userIds),
      ...Object.values(w.employerIds),
      ...Object.values(w.customers).flat(),
      'Koch',
      'Spüler',
      'Muster GmbH',
      'Beispiel AG',
      'Test caseworker',
      'employer-api.test.invalid',
    ];
  });
  afterAll(async () => {
    await w?.close();
  });

  it('covers every route of /api/v1', () => {
    const registered = new Set(
      w.app.routes.filter((r) => r.path.startsWith(`${V}/`)).map((r) => `${r.method} ${r.path}`),
    );
    const covered = new Set(ROWS.map((r) => `${r.method} ${r.route}`));
    expect([...registered].filter((r) => !covered.has(r))).toEqual([]);
    expect([...covered].filter((r) => !registered.has(r))).toEqual([]);
  });

  it.each(ROWS.map((row) => [`${row.method} ${row.path({} as Fixture).replace(/undefined/g, ':id')}`, row] as const))(
    '%s',
    async (_, row) => {
      const path = row.path(f);
      for (const who of EVERYONE) {
        const expected = expectedStatus(row, who);
        const mayCall = expected < 400 || expected === row.probe?.status;
        const body = mayCall ? row.probe?.body : row.body;
        const res = await w.call(who, row.method, path, body);
        const text = await res.text();
        expect(res.status, `${who}: ${text}`).toBe(expected);
        // Past the audience's guard, every answer (refusals too) may carry order or personal data: never cached.
        if (row.audience !== 'public' && AUDIENCE[row.audience].includes(who)) {
          expect(res.headers.get('cache-control'), who).toBe('no-store');
        }
        if (mayCall) continue;
        expect(res.headers.get('content-type'), who).toContain('application/problem+json');
        for (const secret of secrets) {
          if (!path.includes(secret)) expect(text, `${who} leaks ${secret}`).not.toContain(secret);
        }
        expect(text, who).not.toMatch(customerNamePattern());
      }
    },
  );
});
