/**
 * One vacancy listed by several sources shows, field by field, the value of its most authoritative linked posting
 * (src/vacancies/authority.ts), and among equally authoritative ones the freshest: a board that copied an ad months
 * ago does not hide the place the employer changed yesterday. A posting that says nothing about a field (no salary,
 * no place) leaves it to the next one. Pure; ingest stores each link's content and calls this.
 */
import type { Authority } from './authority.ts';
import { CONTENT_FIELDS, type ContentField, type NormalisedVacancy } from './vacancy.ts';

export interface LinkedContent {
  authority: Authority;
  /** When this posting's content last changed. */
  changedAt: Date;
  content: NormalisedVacancy;
}

/**
 * Fields that belong together and come from one posting: a place with its postcode and coordinates, a title with
 * the code the coder gave it.
 */
const GROUPS: ReadonlyArray<readonly ContentField[]> = [
  ['plz', 'place', 'lat', 'lon', 'places'],
  ['title', 'kldbCode', 'kldbConfidence', 'kldbNeedsReview', 'requirementLevel', 'offerType'],
];
const GROUPED = new Set<ContentField>(GROUPS.flat());
const ALL_GROUPS: ReadonlyArray<readonly ContentField[]> = [
  ...GROUPS,
  ...CONTENT_FIELDS.filter((f) => !GROUPED.has(f)).map((f) => [f]),
];

/** Whether a posting states something for a field: null, empty text and empty lists state nothing, nor does `false`. */
function states(value: unknown): boolean {
  if (value === null || value === undefined || value === false || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** Most authoritative first, then the freshest. */
export function byAuthority(a: LinkedContent, b: LinkedContent): number {
  return b.authority - a.authority || b.changedAt.getTime() - a.changedAt.getTime();
}

/** The vacancy's content from its linked postings; at least one is required. */
export function mergeContent(links: readonly LinkedContent[]): NormalisedVacancy {
  const ordered = [...links].sort(byAuthority);
  const first = ordered[0];
  if (!first) throw new Error('mergeContent needs at least one linked posting');
  const out: Record<string, unknown> = {};
  for (const group of ALL_GROUPS) {
    const lead = group[0] as ContentField;
    const from = ordered.find((l) => states(l.content[lead])) ?? first;
    for (const field of group) out[field] = from.content[field] ?? null;
  }
  return out as NormalisedVacancy;
}

/** The content fields whose values differ (compared as JSON, so dates and lists compare by value). */
export function changedFields(
  before: Partial<Record<ContentField, unknown>>,
  after: NormalisedVacancy,
): ContentField[] {
  const norm = (field: ContentField, v: unknown) =>
    JSON.stringify(v ?? (field === 'places' ? [] : null), (_k, x) => (x instanceof Date ? x.toISOString() : x));
  return CONTENT_FIELDS.filter((f) => norm(f, before[f]) !== norm(f, after[f]));
}
