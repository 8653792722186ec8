/**
 * A small, obviously synthetic world for the employer API tests, built through the verbs on a fresh database: two
 * branches with catchments, staff of each role, two employers with one user each, and customers of branch 1 who
 * match a cook's vacancy (plus one who may not be proposed, one who consented to share contact details, and one of
 * branch 2). Every account gets its own token; tests call the in-process app with them.
 */
import { eq } from 'drizzle-orm';
import type { Hono } from 'hono';
import { type AppEnv, createApp } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import type { Database } from '../../src/db/client.ts';
import { branches, customers, users } from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { addUser } from '../../src/users/add-user.ts';
import { testContext } from './context.ts';

/** Who calls: anonymous, or one of the accounts. */
export type Who = 'anonymous' | 'employerA' | 'employerB' | 'caseworker1' | 'caseworker2' | 'lead1' | 'admin';
export const SIGNED_IN: Exclude<Who, 'anonymous'>[] = [
  'employerA',
  'employerB',
  'caseworker1',
  'caseworker2',
  'lead1',
  'admin',
];

/** The smallest valid order, as the issue states it. */
export const MINIMAL_ORDER = {
  title: 'Koch / Köchin (m/w/d)',
  description: 'Muster GmbH (Test) sucht eine Köchin oder einen Koch für die Kantine. Hygieneschulung erforderlich.',
  plz: '70173',
  working_times: ['vollzeit'],
  contract_type: 'unbefristet',
  placement_order: true,
};

export interface EmployerWorld {
  database: Database;
  ctx: ReturnType<typeof testContext>;
  app: Hono<AppEnv>;
  search: SearchEngine;
  tokens: Record<Exclude<Who, 'anonymous'>, string>;
  userIds: Record<Exclude<Who, 'anonymous'>, string>;
  employerIds: { A: string; B: string };
  customers: { market: string[]; notAvailable: string; consenting: string; branch2: string };
  /** A request as `who`; a body object is sent as JSON. */
  call(who: Who, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

let customerNo = 0;

async function addCustomer(
  database: Database,
  overrides: Partial<typeof customers.$inferInsert> = {},
): Promise<{ id: string; name: string }> {
  customerNo += 1;
  const plz = overrides.plz ?? '70173';
  const place = lookupPlz(plz)!;
  const name = `Testkundin ${String(customerNo).padStart(3, '0')} (Synthetisch)`;
  const [row] = await database.db
    .insert(customers)
    .values({
      displayName: name,
      branchId: 1,
      profileGroup: 'market',
      targetKldbCodes: ['29302'],
      qualifications: ['Ausbildung Koch'],
      skills: ['HACCP'],
      plz,
      lat: place.lat,
      lon: place.lon,
      maxCommuteKm: 25,
      workingTimes: ['vollzeit', 'teilzeit'],
      availableFrom: new Date('2026-01-01T00:00:00Z'),
      consent: true,
      ...overrides,
    })
    .returning({ id: customers.id });
  return { id: row!.id, name };
}

/** Builds the world on an opened, migrated database; `now` is the fake clock's start. */
export async function employerWorld(database: Database, now: Date): Promise<EmployerWorld> {
  const ctx = testContext(database.db, now);
  await database.db.insert(branches).values([
    { id: 1, name: 'Zweigstelle Mitte (Test)', plz: '70173', catchmentPlz: ['70173', '70174'] },
    { id: 2, name: 'Zweigstelle Bad Cannstatt (Test)', plz: '70372', catchmentPlz: ['70372'] },
  ]);
  const tokens = {} as EmployerWorld['tokens'];
  const userIds = {} as EmployerWorld['userIds'];
  for (const [who, role, branchId] of [
    ['admin', 'admin', null],
    ['caseworker1', 'caseworker', 1],
    ['caseworker2', 'caseworker', 2],
    ['lead1', 'branch_lead', 1],
  ] as const) {
    const user = await addUser({
      ctx,
      input: { role, branchId, email: `${who}@employer-api.test.invalid`, displayName: `Test ${who}` },
    });
    tokens[who] = user.token;
    userIds[who] = user.userId;
  }
  // The branch 1 caseworker is its employer service (AG-pAp): orders of branch 1 go to them.
  await database.db.update(users).set({ employerService: true }).where(eq(users.id, userIds.caseworker1));
  const adminActor = { userId: userIds.admin, role: 'admin' as const, branchId: null, employerId: null };
  const employerIds = { A: '', B: '' };
  for (const [who, key, name, plz] of [
    ['employerA', 'A', 'Muster GmbH (Test)', '70173'],
    ['employerB', 'B', 'Beispiel AG (Test)', '70174'],
  ] as const) {
    const invited = await inviteEmployerUser({
      ctx,
      actor: adminActor,
      input: { email: `${who}@employer-api.test.invalid`, employer: { name, plz } },
    });
    tokens[who] = invited.token;
    userIds[who] = invited.userId;
    employerIds[key] = invited.employerId;
  }
  const market = [];
  for (let i = 0; i < 3; i++) market.push((await addCustomer(database)).id);
  const notAvailable = (await addCustomer(database, { profileGroup: 'not_available' })).id;
  const consenting = (await addCustomer(database, { contactConsent: true })).id;
  const branch2 = (await addCustomer(database, { branchId: 2, plz: '70372' })).id;

  const search = createEmbeddedSearchEngine();
  await search.init();
  const app = createApp({
    ctx,
    search,
    matchService: await MatchService.load(ctx),
    health: async () => ({ status: 'up', components: {} as never }),
  });
  return {
    database,
    ctx,
    app,
    search,
    tokens,
    userIds,
    employerIds,
    customers: { market, notAvailable, consenting, branch2 },
    async call(who, method, path, body, headers = {}) {
      const all: Record<string, string> = { ...headers };
      if (who !== 'anonymous') all.authorization = `Bearer ${tokens[who]}`;
      if (body !== undefined) all['content-type'] = 'application/json';
      return app.request(path, {
        method,
        headers: all,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    },
    async close() {
      await search.close();
      await database.close();
    },
  };
}

/** The customer names this world created: none may appear in an answer that must not name customers. */
export function customerNamePattern(): RegExp {
  return /Testkundin \d{3}/;
}
