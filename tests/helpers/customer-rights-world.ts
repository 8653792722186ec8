/**
 * A small synthetic world for the data-subject-rights tests (tests/integration/customer-retention.test.ts,
 * customer-rights-*.test.ts): two branches, staff of each role and one employer, customers who match two cooks'
 * vacancies, and one customer ("the subject") with a proposal, a task and protected attributes, whose data the tests
 * restrict, export and delete. The app is the real one (api/app.ts), given the test's queues.
 */
import { eq, sql } from 'drizzle-orm';
import type { Hono } from 'hono';
import { type AppEnv, createApp } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import type { Queues } from '../../queues/queues.ts';
import type { Database } from '../../src/db/client.ts';
import { branches, customers, proposals, tasks, vacancies } from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { lookupPlz } from '../../src/geo/plz.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { addUser } from '../../src/users/add-user.ts';
import { testContext } from '../helpers/context.ts';

export type Caller = 'anonymous' | 'caseworker1' | 'caseworker2' | 'lead1' | 'admin' | 'employer';

/** The subject's name and case number: obviously synthetic, and searched for in every table after a deletion. */
export const SUBJECT_NAME = 'Testkundin Löschprobe (Synthetisch)';
export const SUBJECT_CASE_NUMBER = 'T-LOESCH-4711';
/** Free texts about the subject that staff wrote: they must go with the person. */
export const SUBJECT_NOTES = ['Notiz zur Löschprobe', 'Löschprobe nicht erschienen', 'Löschprobe angerufen'];

export interface RightsWorld {
  database: Database;
  ctx: ReturnType<typeof testContext>;
  app: Hono<AppEnv>;
  service: MatchService;
  search: SearchEngine;
  tokens: Record<Exclude<Caller, 'anonymous'>, string>;
  subject: string;
  /** Matchable customers of branch 1 besides the subject, and one of branch 2. */
  others: string[];
  /** Two open cook vacancies (crawled: no branch); the subject has a proposal for the second. */
  vacancies: [string, string];
  proposal: string;
  call(who: Caller, method: string, path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

function customerRow(name: string, overrides: Partial<typeof customers.$inferInsert> = {}) {
  const plz = overrides.plz ?? '70173';
  const place = lookupPlz(plz)!;
  return {
    displayName: name,
    branchId: 1,
    profileGroup: 'market' as const,
    targetKldbCodes: ['29302'],
    skills: ['HACCP'],
    lat: place.lat,
    lon: place.lon,
    maxCommuteKm: 30,
    workingTimes: ['vollzeit', 'teilzeit'],
    availableFrom: new Date('2026-01-01T00:00:00Z'),
    consent: true,
    ...overrides,
    plz,
  };
}

function vacancyRow(title: string, employerId: string | null) {
  const place = lookupPlz('70173')!;
  return {
    title,
    employerName: 'Testküche GmbH (Test)',
    employerId,
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
  };
}

export async function rightsWorld(
  database: Database,
  now: Date,
  options: { queues?: Queues } = {},
): Promise<RightsWorld> {
  const ctx = testContext(database.db, now);
  await database.db.insert(branches).values([
    { id: 1, name: 'Zweigstelle Mitte (Test)', plz: '70173', catchmentPlz: ['70173'] },
    { id: 2, name: 'Zweigstelle Nord (Test)', plz: '70191', catchmentPlz: ['70191'] },
  ]);
  const tokens = {} as RightsWorld['tokens'];
  const userIds: Record<string, string> = {};
  for (const [who, role, branchId] of [
    ['admin', 'admin', null],
    ['caseworker1', 'caseworker', 1],
    ['caseworker2', 'caseworker', 2],
    ['lead1', 'branch_lead', 1],
  ] as const) {
    const user = await addUser({ ctx, input: { role, branchId, email: `${who}@rights.test.invalid` } });
    tokens[who] = user.token;
    userIds[who] = user.userId;
  }
  const employer = await inviteEmployerUser({
    ctx,
    actor: { userId: userIds.admin!, role: 'admin', branchId: null, employerId: null },
    input: { email: 'employer@rights.test.invalid', employer: { name: 'Testküche GmbH (Test)', plz: '70173' } },
  });
  tokens.employer = employer.token;

  const [subjectRow] = await database.db
    .insert(customers)
    .values(
      customerRow(SUBJECT_NAME, {
        caseNumber: SUBJECT_CASE_NUMBER,
        // Protected attributes: shown only in the person's own export.
        gender: 'x',
        birthYear: 1970,
        religion: 'Testreligion',
      }),
    )
    .returning({ id: customers.id });
  const subject = subjectRow!.id;
  const otherRows = await database.db
    .insert(customers)
    .values([
      customerRow('Testkunde Zwei (Synthetisch)'),
      customerRow('Testkunde Drei (Synthetisch)'),
      customerRow('Testkunde Nord (Synthetisch)', { branchId: 2, plz: '70191' }),
    ])
    .returning({ id: customers.id });
  const vacancyRows = await database.db
    .insert(vacancies)
    .values([vacancyRow('Koch (m/w/d) Kantine', employer.employerId), vacancyRow('Koch (m/w/d) Hotel', null)])
    .returning({ id: vacancies.id });
  const vacancyIds = vacancyRows.map((v) => v.id) as [string, string];
  const [proposal] = await database.db
    .insert(proposals)
    .values({
      vacancyId: vacancyIds[0],
      customerId: subject,
      status: 'rejected',
      createdBy: userIds.caseworker1,
      createdAt: now,
      note: SUBJECT_NOTES[0],
      outcome: 'rejected',
      outcomeReason: SUBJECT_NOTES[1],
      outcomeAt: now,
    })
    .returning({ id: proposals.id });
  await database.db.insert(tasks).values({
    kind: 'reaction_reminder',
    dedupeKey: `reaction_reminder:${proposal!.id}`,
    branchId: 1,
    assigneeRole: 'caseworker',
    vacancyId: vacancyIds[0],
    proposalId: proposal!.id,
    dueAt: now,
    doneAt: now,
    note: SUBJECT_NOTES[2],
  });

  const search = createEmbeddedSearchEngine();
  await search.init();
  const service = await MatchService.load(ctx);
  // The real app: api/v1.ts mounts the customer-rights routes in the caseworkers' audience, with these queues.
  const app = createApp({
    ctx,
    search,
    matchService: service,
    queues: options.queues,
    health: async () => ({ status: 'up' }) as never,
  });

  return {
    database,
    ctx,
    app,
    service,
    search,
    tokens,
    subject,
    others: otherRows.map((r) => r.id),
    vacancies: vacancyIds,
    proposal: proposal!.id,
    async call(who, method, path, body) {
      const headers: Record<string, string> = {};
      if (who !== 'anonymous') headers.authorization = `Bearer ${tokens[who]}`;
      if (body !== undefined) headers['content-type'] = 'application/json';
      return app.request(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    },
    async close() {
      await search.close();
    },
  };
}

/**
 * Every table (the application's, and the queue backend's where it lives in the database) whose rows mention
 * `needle` anywhere, with the number of such rows.
 */
export async function tablesMentioning(database: Database, needle: string): Promise<Record<string, number>> {
  const listed = await database.db.execute(
    sql`select table_schema as s, table_name as t from information_schema.tables
        where table_schema in ('public', 'bullmq') and table_type = 'BASE TABLE' order by 1, 2`,
  );
  const found: Record<string, number> = {};
  for (const { s, t } of (listed as unknown as { rows: Array<{ s: string; t: string }> }).rows) {
    const counted = await database.db.execute(
      sql`select count(*)::int as n from ${sql.identifier(s)}.${sql.identifier(t)} r where r::text like ${`%${needle}%`}`,
    );
    const n = (counted as unknown as { rows: Array<{ n: number }> }).rows[0]!.n;
    if (n > 0) found[`${s}.${t}`] = n;
  }
  return found;
}

/** The subject's row, or undefined once deleted. */
export async function subjectRow(world: RightsWorld) {
  const [row] = await world.database.db.select().from(customers).where(eq(customers.id, world.subject));
  return row;
}
