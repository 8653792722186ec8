/**
 * DB rows → the matcher's inputs. Only the columns matching needs are selected: no display names, no descriptions,
 * and never the protected attributes (gender, birth year, nationality, religion, disability), which therefore cannot
 * reach the matcher even by mistake.
 */
import { and, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Ctx } from '../../src/context.ts';
import { MATCH_PROFILE_COLUMNS } from '../../src/customers/access.ts';
import { customers, vacancies } from '../../src/db/schema.ts';
import { MatchProfile } from '../../src/domain/customer.ts';
import { type ContentField, contentOf, type NormalisedVacancy, vacancyColumns } from '../../src/vacancies/vacancy.ts';
import { MatchVacancy } from '../engine/types.ts';
import { selectAsJson } from './json-rows.ts';

/**
 * The stored fields matching reads. Texts, names and place names never reach the matcher; the record's start date
 * comes separately (it is not part of the normalised vacancy).
 */
const MATCH_FIELDS = [
  'kldbCode',
  'kldbNeedsReview',
  'requirementLevel',
  'lat',
  'lon',
  'places',
  'remote',
  'workingTimes',
  'contractType',
  'offerType',
  'skills',
  'licences',
  'languages',
  'publishedAt',
  'validThrough',
] as const satisfies readonly ContentField[];
type MatchFields = Pick<NormalisedVacancy, (typeof MATCH_FIELDS)[number]>;

/**
 * Version of the rules below that turn a stored vacancy into the matcher's record. Raise it with any change to
 * them: the matcher's snapshot (vacancy-snapshot.ts) holds records derived by the old rules and is then rebuilt.
 */
export const VACANCY_DERIVATION = 1;

/**
 * Builds the matcher's view of a stored vacancy. Returns null when the vacancy cannot be matched automatically:
 * no confirmed occupation code, or no work place for a non-remote job. Those go to a caseworker for coding.
 */
function toMatchVacancy(id: string, v: MatchFields, extra: { startDate: Date | null }): MatchVacancy | null {
  if (!v.kldbCode || v.kldbNeedsReview || v.requirementLevel === null || v.publishedAt === null) return null;
  if (!v.remote && (v.lat === null || v.lon === null)) return null;
  if (v.workingTimes.length === 0) return null;
  // MatchVacancy's object schema keeps only its own keys (kldbNeedsReview is a gate, not an input). Only places with
  // coordinates can be commuted to; names alone stay out.
  const places = (v.places ?? []).filter((p) => p.lat !== null && p.lon !== null);
  return MatchVacancy.parse({ ...v, places, ...extra, id });
}

const VACANCY_COLUMNS = vacancyColumns(['id', 'status', 'startDate', ...MATCH_FIELDS]);

type ProfileRow = Pick<typeof customers.$inferSelect, keyof typeof MATCH_PROFILE_COLUMNS>;
type VacancyRow = Pick<typeof vacancies.$inferSelect, keyof typeof VACANCY_COLUMNS>;

/** Null for a record the matcher cannot use (e.g. a target code list that is empty): it is left out, not guessed. */
export function toProfile(row: ProfileRow): MatchProfile | null {
  const parsed = MatchProfile.safeParse(row);
  return parsed.success ? parsed.data : null;
}

/** Null for a vacancy that is not open or cannot be matched automatically (see toMatchVacancy). */
export function toVacancy(row: Omit<VacancyRow, 'places'> & Partial<Pick<VacancyRow, 'places'>>): MatchVacancy | null {
  if (row.status !== 'open') return null;
  try {
    // A reader that did not select `places` (the send-time pair check) matches on the main place.
    return toMatchVacancy(row.id, contentOf({ ...row, places: row.places ?? [] }, MATCH_FIELDS), {
      startDate: row.startDate,
    });
  } catch {
    // A stored value outside the matcher's vocabulary (e.g. an unknown working time) makes the vacancy unmatchable.
    return null;
  }
}

const FIRST_ID = '00000000-0000-0000-0000-000000000000';

/** Restricted customers (Art. 18 GDPR) are kept in the table but never reach the matcher. */
const matchable = isNull(customers.restrictedAt);

/**
 * Every customer as a MatchProfile, in pages by id (each read as one JSON text); eligibility is applied at rank time.
 * A job centre's customers fit one page (about 10 MB of JSON for 30,000): each further page costs an index walk over
 * the table in id order, which on a freshly opened PGlite made the load a third slower.
 */
export async function* loadAllProfiles(ctx: Ctx, pageSize = 50_000): AsyncGenerator<MatchProfile[]> {
  let last = FIRST_ID;
  for (;;) {
    const rows = await selectAsJson<ProfileRow>(ctx, MATCH_PROFILE_COLUMNS, {
      from: customers,
      where: and(gt(customers.id, last), matchable),
      orderBy: customers.id,
      limit: pageSize,
    });
    if (rows.length === 0) return;
    yield rows.map(toProfile).filter((p): p is MatchProfile => p !== null);
    last = rows[rows.length - 1]!.id;
  }
}

/** One page of open vacancies: those the matcher can use, and the ids of those it cannot (they await coding). */
export interface VacancyPage {
  vacancies: MatchVacancy[];
  unmatchable: string[];
}

/** Every open vacancy, in pages by id (each read as one JSON text). */
export async function* loadAllVacancies(ctx: Ctx, pageSize = 5000): AsyncGenerator<VacancyPage> {
  let last = FIRST_ID;
  for (;;) {
    const rows = await selectAsJson<VacancyRow>(ctx, VACANCY_COLUMNS, {
      from: vacancies,
      where: and(eq(vacancies.status, 'open'), gt(vacancies.id, last)),
      orderBy: vacancies.id,
      limit: pageSize,
    });
    if (rows.length === 0) return;
    const page: VacancyPage = { vacancies: [], unmatchable: [] };
    for (const row of rows) {
      const vacancy = toVacancy(row);
      if (vacancy) page.vacancies.push(vacancy);
      else page.unmatchable.push(row.id);
    }
    yield page;
    last = rows[rows.length - 1]!.id;
  }
}

/** The named customers as they are now; ids missing from the map have vanished, are restricted or unusable. */
export async function loadProfiles(ctx: Ctx, ids: readonly string[]): Promise<Map<string, MatchProfile>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .select(MATCH_PROFILE_COLUMNS)
    .from(customers)
    .where(and(inArray(customers.id, [...ids]), matchable));
  const out = new Map<string, MatchProfile>();
  for (const row of rows) {
    const profile = toProfile(row);
    if (profile) out.set(profile.id, profile);
  }
  return out;
}

/** The named vacancies that are open now: matchable ones as records, the others as null. Missing: not open. */
export async function loadOpenVacancies(ctx: Ctx, ids: readonly string[]): Promise<Map<string, MatchVacancy | null>> {
  if (ids.length === 0) return new Map();
  const rows = await ctx.db
    .select(VACANCY_COLUMNS)
    .from(vacancies)
    .where(and(inArray(vacancies.id, [...ids]), eq(vacancies.status, 'open')));
  return new Map(rows.map((row) => [row.id, toVacancy(row)]));
}

/** The named vacancies that are open and matchable now. */
export async function loadVacancies(ctx: Ctx, ids: readonly string[]): Promise<Map<string, MatchVacancy>> {
  const out = new Map<string, MatchVacancy>();
  for (const [id, vacancy] of await loadOpenVacancies(ctx, ids)) if (vacancy) out.set(id, vacancy);
  return out;
}

/** The ids of every customer the matcher may hold, to find those deleted since it loaded them. */
export async function loadMatchableCustomerIds(ctx: Ctx): Promise<Set<string>> {
  const rows = await ctx.db.select({ id: customers.id }).from(customers).where(matchable);
  return new Set(rows.map((r) => r.id));
}
