/**
 * `jobbruecke seed --demo`: a deterministic, obviously synthetic city on the job centre's figures (branches.ts,
 * synthetic-customers.ts). One transaction with deterministic ids and a completion marker, so an interrupted seed
 * leaves nothing behind and a re-run is a no-op once complete.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../context.ts';
import { bulkInsert } from '../db/bulk-insert.ts';
import {
  apiTokens,
  appMeta,
  branches,
  customers,
  employers,
  slaClocks,
  slaEvents,
  sources,
  users,
  vacancies,
  vacancyDedupeKeys,
  vacancySources,
} from '../db/schema.ts';
import { lookupPlz } from '../geo/plz.ts';
import { dedupeKeys, normaliseEmployer } from '../ingest/dedupe.ts';
import { dueTimes, weekStart } from '../sla/calendar.ts';
import { ResponseReason } from '../sla/reasons.ts';
import { DEFAULT_SLA_RULES } from '../sla/rules.ts';
import { clockOutcome } from '../sla/state.ts';
import { hashPassword } from '../users/password.ts';
import { hashToken } from '../users/tokens.ts';
import { demoBranches } from './branches.ts';
import { createRandom, deterministicUuid } from './random.ts';
import { generateCustomers } from './synthetic-customers.ts';
import { generateVacancies, normaliseSynthetic } from './synthetic-vacancies.ts';

export const DEMO_SEED_MARKER = 'demo_seed';
// 2: employer service (AG-pAp per branch), the demo employer "Muster GmbH (Demo)", placement orders with SLA history.
const DEMO_SEED_VERSION = '2';
export const DEMO_VACANCY_COUNT = 20_000;

const NS = { employer: 1, vacancy: 3, source: 4, user: 5, link: 6, employerService: 7 } as const;

/** The demo employer account's company: in branch 1's catchment, with the demo caseworker as named contact. */
export const DEMO_EMPLOYER = {
  id: deterministicUuid(NS.employer, 0),
  name: 'Muster GmbH (Demo)',
  plz: '70173',
} as const;

/** One employer-service caseworker (AG-pAp) per branch, without a token; the demo caseworker serves branch 1 too. */
function employerServiceAccount(branchId: number) {
  return {
    id: deterministicUuid(NS.employerService, branchId),
    email: `ag-service-${branchId}@demo.jobbruecke.invalid`,
    displayName: `Demo Arbeitgeberservice Zweigstelle ${branchId}`,
  };
}

/**
 * Demo-only accounts; their tokens and sign-in passwords are public in the README and must never exist on a
 * production system.
 */
export const DEMO_ACCOUNTS = [
  {
    role: 'admin',
    email: 'admin@demo.jobbruecke.invalid',
    name: 'Demo Admin',
    branchId: null,
    token: 'demo-admin-token-0000000000',
    password: 'demo-passwort-admin',
  },
  {
    role: 'branch_lead',
    email: 'leitung@demo.jobbruecke.invalid',
    name: 'Demo Zweigstellenleitung',
    branchId: 1,
    token: 'demo-branch-lead-token-00000',
    password: 'demo-passwort-branch-lead',
  },
  {
    role: 'caseworker',
    email: 'vermittlung@demo.jobbruecke.invalid',
    name: 'Demo Fallmanagement',
    branchId: 1,
    token: 'demo-caseworker-token-000000',
    password: 'demo-passwort-caseworker',
  },
  {
    role: 'employer',
    email: 'arbeitgeber@demo.jobbruecke.invalid',
    name: 'Demo Arbeitgeber',
    branchId: null,
    token: 'demo-employer-token-00000000',
    password: 'demo-passwort-employer',
  },
] as const;

const DEMO_SOURCES = [
  {
    key: 'employer',
    name: 'Arbeitgebermeldungen (eigener Pool)',
    type: 'employer',
    url: 'internal:employer-submissions',
    share: 0.15,
    legalBasis: 'Auftrag des Arbeitgebers an das Jobcenter',
  },
  {
    key: 'jsonld',
    name: 'Demo: Karriereseiten (JSON-LD)',
    type: 'jsonld',
    url: 'https://karriere.demo.invalid/jobs',
    share: 0.4,
    legalBasis: 'Öffentliche Stellenanzeigen; robots.txt beachtet (Demo)',
  },
  {
    key: 'feed',
    name: 'Demo: Regionaler Jobfeed (RSS)',
    type: 'feed',
    url: 'https://feed.demo.invalid/jobs.rss',
    share: 0.25,
    legalBasis: 'Feed-Nutzungsbedingungen des Anbieters (Demo)',
  },
  {
    key: 'personio',
    name: 'Demo: Personio-Feeds',
    type: 'personio',
    url: 'https://demo.jobs.personio.invalid/xml',
    share: 0.2,
    legalBasis: 'Öffentlicher XML-Feed des Arbeitgebers (Demo)',
  },
  {
    key: 'ba',
    name: 'BA Jobsuche (deaktiviert)',
    type: 'ba_jobsuche',
    url: 'https://rest.arbeitsagentur.de/jobboerse/jobsuche-service',
    share: 0,
    legalBasis: 'Nur mit Vereinbarung mit der Bundesagentur für Arbeit (Amtshilfe/Kooperation); bis dahin deaktiviert',
  },
] as const;

export type SeedProgress = (step: string, count: number) => void;

export async function isDemoSeeded(ctx: Ctx): Promise<boolean> {
  const [row] = await ctx.db.select().from(appMeta).where(eq(appMeta.key, DEMO_SEED_MARKER));
  return row?.value === DEMO_SEED_VERSION;
}

/** True when the database holds no vacancies and no customers (a fresh embedded database). */
export async function isEmpty(ctx: Ctx): Promise<boolean> {
  const [v] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(vacancies);
  const [c] = await ctx.db.select({ n: sql<number>`count(*)::int` }).from(customers);
  return (v?.n ?? 0) === 0 && (c?.n ?? 0) === 0;
}

/** Deterministic ids make a repeated insert a no-op. */
const ONCE = { onConflictDoNothing: true };

export async function seedDemo(ctx: Ctx, progress: SeedProgress = () => {}): Promise<{ seeded: boolean }> {
  if (await isDemoSeeded(ctx)) return { seeded: false };
  const now = ctx.now();
  const random = createRandom(4711);
  const branchList = demoBranches();
  const branchByPlz = new Map(branchList.flatMap((b) => b.catchmentPlz.map((plz) => [plz, b.id] as const)));
  const branchOfPlz = (plz: string) => branchByPlz.get(plz) ?? 1;

  const generated = generateVacancies(DEMO_VACANCY_COUNT, 20261122, now.getTime());
  const codeCounts = new Map<string, number>();
  for (const v of generated) codeCounts.set(v.kldbCode, (codeCounts.get(v.kldbCode) ?? 0) + 1);
  const customerList = generateCustomers([...codeCounts.entries()], branchOfPlz, now);

  await withTransaction(ctx, async (tx) => {
    await tx.db.insert(branches).values(branchList).onConflictDoNothing();
    progress('Zweigstellen', branchList.length);

    const employerIds = new Map<string, string>();
    for (const v of generated) {
      if (!employerIds.has(v.employerName))
        employerIds.set(v.employerName, deterministicUuid(NS.employer, employerIds.size + 1));
    }
    const employerPlz = new Map(generated.map((v) => [v.employerName, v.plz]));
    await bulkInsert(
      tx.db,
      employers,
      [...employerIds.entries()].map(([name, id]) => {
        const plz = employerPlz.get(name) ?? null;
        return {
          id,
          name,
          normalisedName: normaliseEmployer(name),
          plz,
          branchId: plz ? (branchByPlz.get(plz) ?? null) : null,
        };
      }),
      ONCE,
    );
    progress('Arbeitgeber', employerIds.size);

    const sourceIds = Object.fromEntries(DEMO_SOURCES.map((s, i) => [s.key, deterministicUuid(NS.source, i + 1)]));
    await tx.db
      .insert(sources)
      .values(
        DEMO_SOURCES.map((s) => ({
          id: sourceIds[s.key]!,
          name: s.name,
          type: s.type,
          url: s.url,
          // Demo sources point at .invalid hosts and are never crawled; the BA source waits for an agreement.
          enabled: false,
          legalBasis: s.legalBasis,
          config: { demo: true },
        })),
      )
      .onConflictDoNothing();
    progress('Quellen', DEMO_SOURCES.length);

    const accountIds: Record<string, string> = {};
    const demoCaseworkerId = deterministicUuid(NS.user, DEMO_ACCOUNTS.findIndex((a) => a.role === 'caseworker') + 1);
    await tx.db
      .insert(employers)
      .values({
        id: DEMO_EMPLOYER.id,
        name: DEMO_EMPLOYER.name,
        normalisedName: normaliseEmployer(DEMO_EMPLOYER.name),
        plz: DEMO_EMPLOYER.plz,
        branchId: branchOfPlz(DEMO_EMPLOYER.plz),
      })
      .onConflictDoNothing();
    for (const [i, a] of DEMO_ACCOUNTS.entries()) {
      const id = deterministicUuid(NS.user, i + 1);
      accountIds[a.role] = id;
      const binding = {
        employerId: a.role === 'employer' ? DEMO_EMPLOYER.id : null,
        // The demo caseworker does both jobs in the small demo: customers and the employer service of branch 1.
        employerService: a.role === 'caseworker',
      };
      await tx.db
        .insert(users)
        .values({ id, email: a.email, displayName: a.name, role: a.role, branchId: a.branchId, ...binding })
        // A seed of version 1 bound the employer elsewhere; the binding follows the current seed.
        .onConflictDoUpdate({ target: users.id, set: binding });
      await tx.db
        .insert(apiTokens)
        .values({ userId: id, tokenHash: hashToken(a.token), label: 'demo' })
        .onConflictDoNothing();
      // Only where none is set yet: a demo user who chose another password keeps it across restarts.
      await tx.db
        .update(users)
        .set({ passwordHash: await hashPassword(a.password), passwordSetAt: now })
        .where(and(eq(users.id, id), isNull(users.passwordHash)));
    }
    await tx.db
      .update(employers)
      .set({ contactCaseworkerId: demoCaseworkerId })
      .where(eq(employers.id, DEMO_EMPLOYER.id));
    const serviceAccounts = branchList.map((b) => ({ branchId: b.id, ...employerServiceAccount(b.id) }));
    await tx.db
      .insert(users)
      .values(serviceAccounts.map((a) => ({ ...a, role: 'caseworker' as const, employerService: true })))
      .onConflictDoNothing();
    progress('Demo-Konten', DEMO_ACCOUNTS.length + serviceAccounts.length);

    const sourceKeys = DEMO_SOURCES.filter((s) => s.share > 0);
    const vacancyRows: Array<typeof vacancies.$inferInsert> = [];
    const linkRows: Array<typeof vacancySources.$inferInsert> = [];
    const slaRows: Array<typeof slaEvents.$inferInsert> = [];
    const clockRows: Array<typeof slaClocks.$inferInsert> = [];
    // Its own generator, so the vacancies stay what they were before orders had an SLA history.
    const slaRandom = createRandom(4712);
    const keyRows: Array<typeof vacancyDedupeKeys.$inferInsert> = [];
    let submissionNo = 0;
    generated.forEach((v, i) => {
      const id = deterministicUuid(NS.vacancy, i + 1);
      const source = random.weighted(sourceKeys, (s) => s.share);
      const isSubmission = source.key === 'employer';
      const branchId = lookupPlz(v.plz) ? (branchByPlz.get(v.plz) ?? null) : null;
      if (isSubmission) submissionNo += 1;
      const url = isSubmission ? undefined : `${source.url}/${i + 1}`;
      const content = normaliseSynthetic(v, isSubmission ? 1 : 0.9);
      // Submissions in a branch's catchment are placement orders with a clock; the others only ask to publish.
      const placementOrder = isSubmission && branchId !== null;
      const caseworkerId = placementOrder ? employerServiceAccount(branchId).id : null;
      vacancyRows.push({
        id,
        status: 'open',
        referenceNumber: isSubmission ? `AG-${now.getUTCFullYear()}-${String(submissionNo).padStart(6, '0')}` : null,
        employerId: employerIds.get(v.employerName) ?? null,
        branchId,
        ...content,
        placementOrder,
        assignedCaseworkerId: caseworkerId,
        createdAt: v.publishedAt,
        updatedAt: v.publishedAt,
      });
      if (placementOrder) {
        const history = demoSlaHistory(slaRandom, v.publishedAt, now);
        clockRows.push({ vacancyId: id, branchId, caseworkerId, calendar: 'clock', ...history.clock });
        for (const e of history.events) slaRows.push({ vacancyId: id, ...e });
      }
      for (const key of dedupeKeys(content)) keyRows.push({ key, vacancyId: id });
      linkRows.push({
        id: deterministicUuid(NS.link, linkRows.length + 1),
        vacancyId: id,
        sourceId: sourceIds[source.key]!,
        externalId: isSubmission ? `AG-${submissionNo}` : `demo-${source.key}-${i + 1}`,
        url: url ?? null,
        contentHash: `demo-${i + 1}`,
        firstSeenAt: v.publishedAt,
        lastSeenAt: now,
      });
      // A few postings appear on a second board too: one vacancy, two source links (deduplicated).
      if (!isSubmission && random.chance(0.06)) {
        const other = sourceKeys.find((s) => s.key !== source.key && s.key !== 'employer')!;
        linkRows.push({
          id: deterministicUuid(NS.link, linkRows.length + 1),
          vacancyId: id,
          sourceId: sourceIds[other.key]!,
          externalId: `demo-${other.key}-dup-${i + 1}`,
          url: `${other.url}/dup-${i + 1}`,
          contentHash: `demo-dup-${i + 1}`,
          firstSeenAt: v.publishedAt,
          lastSeenAt: now,
        });
      }
    });
    await bulkInsert(tx.db, vacancies, vacancyRows, ONCE);
    progress('Stellenangebote', vacancyRows.length);
    await bulkInsert(tx.db, vacancyDedupeKeys, keyRows, ONCE);
    await bulkInsert(tx.db, vacancySources, linkRows, ONCE);
    await bulkInsert(tx.db, slaClocks, clockRows, ONCE);
    await bulkInsert(tx.db, slaEvents, slaRows, ONCE);
    progress('Quellverweise', linkRows.length);

    await bulkInsert(
      tx.db,
      customers,
      customerList.map((c) => ({
        id: c.id,
        displayName: c.displayName,
        branchId: c.branchId,
        profileGroup: c.profileGroup,
        targetKldbCodes: c.targetKldbCodes,
        qualifications: c.qualifications,
        skills: c.skills,
        licences: c.licences,
        languages: c.languages,
        plz: c.plz,
        lat: c.lat,
        lon: c.lon,
        maxCommuteKm: c.maxCommuteKm,
        workingTimes: c.workingTimes,
        availableFrom: c.availableFrom,
        consent: c.consent,
        blockedUntil: c.blockedUntil,
        gender: c.protected.gender,
        birthYear: c.protected.birthYear,
        nationality: c.protected.nationality,
        religion: c.protected.religion,
        severelyDisabled: c.protected.severelyDisabled,
      })),
      ONCE,
    );
    progress('Kundinnen und Kunden', customerList.length);

    await tx.db
      .insert(appMeta)
      .values({ key: DEMO_SEED_MARKER, value: DEMO_SEED_VERSION })
      .onConflictDoUpdate({ target: appMeta.key, set: { value: DEMO_SEED_VERSION } });
  });
  return { seeded: true };
}

const HOUR_MS = 3_600_000;

/**
 * A plausible past for a seeded order: most answered well within 48 hours, some late; orders still inside their
 * 48 hours are left running (the reconciler arms their milestones at start). Events are those that would have
 * happened, at their due times.
 */
function demoSlaHistory(random: ReturnType<typeof createRandom>, startedAt: Date, now: Date) {
  const due = dueTimes(startedAt, DEFAULT_SLA_RULES);
  const late = random.chance(0.08);
  const hours = late ? random.int(49, 80) : random.int(2, 44);
  const answeredAt = new Date(startedAt.getTime() + hours * HOUR_MS + random.int(0, 59) * 60_000);
  const respondedAt = answeredAt <= now ? answeredAt : null;
  const reason = random.pick(ResponseReason.options);
  const events: Array<Omit<typeof slaEvents.$inferInsert, 'vacancyId'>> = [
    { kind: 'started', dueAt: due.dueAt, at: startedAt },
  ];
  const until = respondedAt ?? now;
  if (due.reminderDueAt <= until) events.push({ kind: 'reminder', dueAt: due.reminderDueAt, at: due.reminderDueAt });
  if (due.escalationDueAt <= until) {
    events.push({ kind: 'escalation', dueAt: due.escalationDueAt, at: due.escalationDueAt });
  }
  if (due.dueAt <= until) events.push({ kind: 'breach', dueAt: due.dueAt, at: due.dueAt });
  if (respondedAt) {
    events.push({
      kind: 'responded',
      dueAt: due.dueAt,
      at: respondedAt,
      reason,
      note: 'Synthetische Rückmeldung (Demo)',
    });
  }
  return {
    clock: {
      startedAt,
      startedWeek: weekStart(startedAt),
      ...due,
      respondedAt,
      responseReason: respondedAt ? reason : null,
      outcome: clockOutcome({ dueAt: due.dueAt, respondedAt, notApplicableAt: null }),
      responseSeconds: respondedAt ? Math.round((respondedAt.getTime() - startedAt.getTime()) / 1000) : null,
    },
    events,
  };
}
