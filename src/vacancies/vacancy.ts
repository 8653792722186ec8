/**
 * The vacancy, one shape and every view of it. The Drizzle table `vacancies` is the source: the content shape
 * (`NormalisedVacancy`, what ingest derives from a posting) is derived from the table, and the search document, the
 * summary, the reference and the public JSON views are picks of it.
 *
 * Adding a column to the table therefore adds it to the content, to ingest's inserts and updates and to the public
 * detail; what remains is a refinement here if zod should check more than the column type, the code that derives a
 * value (normalisation), and the views that should show it besides the detail (search document, hit).
 */
import { getTableColumns } from 'drizzle-orm';
import { createSelectSchema } from 'drizzle-zod';
import { z } from 'zod';
import { vacancies } from '../db/schema.ts';
import { KldbCode5, LanguageRequirement, Licence, WorkingTime } from '../domain/enums.ts';
import { Salary } from '../domain/posting.ts';
import { kldbTitle } from '../taxonomy/kldb.ts';

export type VacancyRow = typeof vacancies.$inferSelect;
type Column = keyof VacancyRow;

/**
 * Columns of a vacancy's record that are not its content: ingest does not derive them from a posting, so they are
 * not part of `NormalisedVacancy`. Every other column is.
 */
export const RECORD_COLUMNS = [
  // Identity and life cycle: ingest and the expiry sweep set them.
  'id',
  'status',
  'closedAt',
  'closeReason',
  // Employer submissions: who ordered the vacancy and which branch serves it.
  'referenceNumber',
  'employerId',
  'branchId',
  'submittedBy',
  // The employer's order (src/orders/): what was asked for and who handles it. Not derived from a posting, and
  // contact person and application route are personal or internal, so none of them is public content.
  'placementOrder',
  'positions',
  'positionsFilled',
  'contactPerson',
  'applicationRoute',
  'assignedCaseworkerId',
  'statedPosting',
  // A caseworker's confirmation of the occupation code (src/vacancies/coding.ts).
  'kldbConfirmedBy',
  // No source states a start date yet; the matcher reads it from the record.
  'startDate',
  // Bookkeeping: change detection and timestamps.
  'contentHash',
  'createdAt',
  'updatedAt',
] as const satisfies readonly Column[];

/** A zod pick/omit mask from a list of keys, so each list is written once. */
function mask<K extends string>(keys: readonly K[]): { [P in K]: true } {
  return Object.fromEntries(keys.map((k) => [k, true])) as { [P in K]: true };
}

/** One place of a vacancy: postcode and coordinates when known. */
export const VacancyPlace = z.object({
  plz: z
    .string()
    .regex(/^\d{5}$/)
    .nullable(),
  place: z.string().max(200).nullable(),
  lat: z.number().min(-90).max(90).nullable(),
  lon: z.number().min(-180).max(180).nullable(),
});
export type VacancyPlace = z.infer<typeof VacancyPlace>;

/** The whole record as zod, from the table; refinements only where the column type says too little. */
const VacancyRecord = createSelectSchema(vacancies, {
  title: (s) => s.min(1).max(500),
  description: (s) => s.max(100_000),
  employerName: (s) => s.max(300),
  kldbCode: () => KldbCode5,
  /** 0–1; below the coder's threshold a caseworker must confirm the code. */
  kldbConfidence: (s) => s.min(0).max(1),
  requirementLevel: (s) => s.min(1).max(4),
  workingTimes: () => z.array(WorkingTime),
  salary: () => Salary,
  licences: () => z.array(Licence),
  languages: () => z.array(LanguageRequirement),
  // Optional in the content: a producer with one place (demo data, an employer order) need not repeat it.
  places: () => z.array(VacancyPlace).max(50).optional(),
});

/** The normalised vacancy: what ingest stores, the index serves and the matcher scores. */
export const NormalisedVacancy = VacancyRecord.omit(mask(RECORD_COLUMNS));
export type NormalisedVacancy = z.infer<typeof NormalisedVacancy>;
export type ContentField = keyof NormalisedVacancy;
export const CONTENT_FIELDS = NormalisedVacancy.keyof().options;

/**
 * Every place of a vacancy, the main one first: the `places` list when there are several, else the main place
 * alone (none for a vacancy without any). Readers use this rather than either field.
 */
export function placesOf(v: {
  plz: string | null;
  place: string | null;
  lat: number | null;
  lon: number | null;
  places?: readonly VacancyPlace[] | null;
}): VacancyPlace[] {
  if (v.places && v.places.length > 0) return [...v.places];
  if (v.plz === null && v.place === null && v.lat === null && v.lon === null) return [];
  return [{ plz: v.plz, place: v.place, lat: v.lat, lon: v.lon }];
}

/** The Drizzle columns of the given fields, for a select of just what a reader needs. */
export function vacancyColumns<K extends Column>(keys: readonly K[]): Pick<typeof vacancies._.columns, K> {
  const columns = getTableColumns(vacancies);
  return Object.fromEntries(keys.map((k) => [k, columns[k]])) as Pick<typeof vacancies._.columns, K>;
}

function pick<T, K extends keyof T>(value: T, keys: readonly K[]): Pick<T, K> {
  const out = {} as Pick<T, K>;
  for (const key of keys) out[key] = value[key];
  return out;
}

/**
 * The named content fields of a row. The DB holds what ingest wrote, but types enum arrays and JSON columns loosely
 * (text[], jsonb); this is the one place that narrows them.
 */
export function contentOf<K extends ContentField>(
  row: Pick<VacancyRow, K>,
  fields: readonly K[],
): Pick<NormalisedVacancy, K> {
  return pick(row, fields) as unknown as Pick<NormalisedVacancy, K>;
}

const titleOf = (code: string | null): string | null => (code ? (kldbTitle(code) ?? null) : null);

/** The content the search index holds; the rest of the document is derived. */
const DOCUMENT_CONTENT = [
  'title',
  'description',
  'employerName',
  'place',
  'plz',
  'lat',
  'lon',
  'places',
  'kldbCode',
  'workingTimes',
  'contractType',
  'offerType',
] as const satisfies readonly ContentField[];

/** What the search index holds for one open vacancy: public data only, no personal data. */
export const VacancyDocument = z.object({
  id: z.string(),
  ...NormalisedVacancy.pick(mask(DOCUMENT_CONTENT)).shape,
  kldbTitle: z.string().nullable(),
  /** Epoch milliseconds; when the source gave no date, the time the vacancy was recorded. */
  publishedAt: z.number(),
});
export type VacancyDocument = z.infer<typeof VacancyDocument>;

type DocumentSource = Pick<VacancyRow, 'id' | 'createdAt' | 'publishedAt' | (typeof DOCUMENT_CONTENT)[number]>;

/** `places` may be left out by producers with one place (generated data). */
export function toVacancyDocument(
  row: Omit<DocumentSource, 'places'> & Partial<Pick<DocumentSource, 'places'>>,
): VacancyDocument {
  return {
    id: row.id,
    ...contentOf({ ...row, places: row.places ?? [] }, DOCUMENT_CONTENT),
    kldbTitle: titleOf(row.kldbCode),
    publishedAt: (row.publishedAt ?? row.createdAt).getTime(),
  };
}

/** What the index returns for one vacancy: the document without the long description (the DB serves that). */
export const VacancySummary = VacancyDocument.omit({ description: true });
export type VacancySummary = z.infer<typeof VacancySummary>;
export const SUMMARY_FIELDS = VacancySummary.keyof().options;

/** Strips the description, the one field the index must never hand out. */
export function toSummary(doc: VacancyDocument): VacancySummary {
  const { description: _description, ...summary } = doc;
  return summary;
}

/** How match lists and the coding review name a vacancy: enough to recognise it, nothing more. */
export const VacancyReference = VacancySummary.pick({
  id: true,
  title: true,
  employerName: true,
  place: true,
  plz: true,
  kldbCode: true,
});
export type VacancyReference = z.infer<typeof VacancyReference>;
const REFERENCE_FIELDS = VacancyReference.keyof().options;
export const VACANCY_REFERENCE_COLUMNS = vacancyColumns(REFERENCE_FIELDS);

// Public JSON is snake_case, with one name per field wherever it appears: the name derived from the domain key.
type SnakeCase<S extends string> = S extends `${infer C}${infer Rest}`
  ? `${C extends Lowercase<C> ? C : `_${Lowercase<C>}`}${SnakeCase<Rest>}`
  : S;
/** The API has always called the employer's name `employer`. */
type WireName<K> = K extends 'employerName' ? 'employer' : K extends string ? SnakeCase<K> : never;
type Wire<T> = { [K in keyof T as WireName<K>]: T[K] };

function wireName(key: string): string {
  return key === 'employerName' ? 'employer' : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** Renames keys to their wire names: for zod shapes and for values alike. */
function wire<T extends object>(value: T): Wire<T> {
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) out[wireName(key)] = v;
  return out as Wire<T>;
}

const iso = (date: Date | null): string | null => date?.toISOString() ?? null;

/** The coder's working data: they steer coding review and matching and are not shown publicly. */
export const INTERNAL_CONTENT = [
  'kldbConfidence',
  'kldbNeedsReview',
  'requirementLevel',
] as const satisfies readonly ContentField[];
const PublicContent = NormalisedVacancy.omit(mask(INTERNAL_CONTENT));
const PUBLIC_CONTENT = PublicContent.keyof().options;
type PublicContentField = (typeof PUBLIC_CONTENT)[number];

/** `GET /api/v1/vacancies/{id}`: one vacancy as the public sees it (kiosk, public API), no internal fields. */
export const VacancyDetailJson = z.object(
  wire({
    id: z.string(),
    status: VacancyRecord.shape.status,
    ...PublicContent.shape,
    /** Every place, the main one (plz, place, lat, lon) first; a radius search finds the vacancy near any of them. */
    places: z.array(VacancyPlace),
    kldbTitle: z.string().nullable(),
    publishedAt: z.iso.datetime().nullable(),
    validThrough: z.iso.datetime().nullable(),
    /** Where the posting can be read at its source (career page, board); employer submissions have none. */
    links: z.array(z.string()),
  }),
);
export type VacancyDetailJson = z.infer<typeof VacancyDetailJson>;

/** What the public detail reads of a record. */
export const VACANCY_DETAIL_COLUMNS = vacancyColumns(['id', 'status', ...PUBLIC_CONTENT]);
export type VacancyDetailRow = Pick<VacancyRow, 'id' | 'status' | PublicContentField>;

export function vacancyDetailJson(row: VacancyDetailRow, links: string[]): VacancyDetailJson {
  return wire({
    id: row.id,
    status: row.status,
    ...contentOf(row, PUBLIC_CONTENT),
    places: placesOf(row),
    kldbTitle: titleOf(row.kldbCode),
    publishedAt: iso(row.publishedAt),
    validThrough: iso(row.validThrough),
    links,
  });
}

/**
 * One hit of `GET /api/v1/vacancies`: the summary, with the distance instead of coordinates (the detail has them and
 * every place). With a searched place, `place`, `plz` and the distance are those of the vacancy's nearest place.
 */
const HitSummary = VacancySummary.omit({ lat: true, lon: true, places: true });
const HIT_FIELDS = HitSummary.keyof().options;
export const VacancyHitJson = z.object(
  wire({
    ...HitSummary.shape,
    publishedAt: z.iso.datetime(),
    /** Great-circle distance from the searched place in km, one decimal; null without a place. */
    distanceKm: z.number().nullable(),
  }),
);
export type VacancyHitJson = z.infer<typeof VacancyHitJson>;

export function vacancyHitJson(hit: VacancySummary & { distanceKm?: number }): VacancyHitJson {
  return wire({
    // Only these fields: an engine may hand back more.
    ...pick(hit, HIT_FIELDS),
    publishedAt: new Date(hit.publishedAt).toISOString(),
    distanceKm: hit.distanceKm !== undefined ? Math.round(hit.distanceKm * 10) / 10 : null,
  });
}

/** A vacancy named in a match list or the coding review; `vacancy_id` because those lists name customers too. */
export const VacancyReferenceJson = z.object(
  wire({
    vacancyId: z.string(),
    ...VacancyReference.omit({ id: true }).shape,
    kldbTitle: z.string().nullable(),
  }),
);
export type VacancyReferenceJson = z.infer<typeof VacancyReferenceJson>;

export function vacancyReferenceJson(ref: VacancyReference): VacancyReferenceJson {
  const { id, ...rest } = pick(ref, REFERENCE_FIELDS);
  return wire({ vacancyId: id, ...rest, kldbTitle: titleOf(ref.kldbCode) });
}
