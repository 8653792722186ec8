/**
 * Cross-source dedupe lookup for a batch's new postings: which open vacancy of another source each one duplicates.
 * A shared URL decides at once; otherwise the vacancies sharing a blocking key are compared (src/ingest/dedupe.ts).
 * A handful of queries for the whole batch, not per posting.
 */
import { and, eq, inArray, ne, or } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { vacancies, vacancyDedupeKeys, vacancySources } from '../../db/schema.ts';
import { sameVacancy } from '../../ingest/dedupe.ts';
import { CONTENT_FIELDS, contentOf, type VacancyRow, vacancyColumns } from '../vacancy.ts';
import type { FreshPosting } from './postings.ts';

const CANDIDATE_COLUMNS = vacancyColumns(['id', ...CONTENT_FIELDS]);
type Candidate = Pick<VacancyRow, keyof typeof CANDIDATE_COLUMNS>;

/** The vacancy id each duplicate posting belongs to, by external id; postings that duplicate nothing are absent. */
export async function findDuplicates(tx: Ctx, sourceId: string, fresh: FreshPosting[]): Promise<Map<string, string>> {
  const byUrl = await openVacanciesByUrl(tx, sourceId, fresh);
  const candidatesByKey = await candidatesByDedupeKey(tx, sourceId, fresh);
  // Two postings of one source are two vacancies, also when a re-listing points to the same career page: a vacancy
  // this source already lists is never a duplicate of another of its postings.
  const listedHere = await listedBySource(tx, sourceId, [...byUrl.values()]);
  for (const [url, vacancyId] of byUrl) if (listedHere.has(vacancyId)) byUrl.delete(url);
  const duplicates = new Map<string, string>();
  for (const f of fresh) {
    const { raw } = f;
    let duplicateOf = [raw.originUrl, raw.url].map((u) => (u ? byUrl.get(u) : undefined)).find(Boolean);
    if (!duplicateOf) {
      const probe = { ...f.normalised, url: raw.url, originUrl: raw.originUrl, sourceId, externalId: raw.externalId };
      const seen = new Set<string>();
      let best = -1;
      // Every candidate is weighed: of two near-identical vacancies, the posting belongs to the closer one.
      for (const key of f.keys) {
        for (const c of candidatesByKey.get(key) ?? []) {
          if (seen.has(c.id)) continue;
          seen.add(c.id);
          const result = sameVacancy(contentOf(c, CONTENT_FIELDS), probe);
          if (result.same && result.score > best) {
            best = result.score;
            duplicateOf = c.id;
          }
        }
      }
    }
    if (duplicateOf) duplicates.set(raw.externalId, duplicateOf);
  }
  return duplicates;
}

/** Open vacancies of other sources by the URLs (own and origin) their postings were found at. */
async function openVacanciesByUrl(tx: Ctx, sourceId: string, fresh: FreshPosting[]): Promise<Map<string, string>> {
  const urls = [...new Set(fresh.flatMap((f) => [f.raw.url, f.raw.originUrl]).filter((u): u is string => !!u))];
  const byUrl = new Map<string, string>();
  if (urls.length === 0) return byUrl;
  const rows = await tx.db
    .select({ vacancyId: vacancySources.vacancyId, url: vacancySources.url, originUrl: vacancySources.originUrl })
    .from(vacancySources)
    .innerJoin(vacancies, eq(vacancies.id, vacancySources.vacancyId))
    .where(
      and(
        ne(vacancySources.sourceId, sourceId),
        eq(vacancies.status, 'open'),
        or(inArray(vacancySources.url, urls), inArray(vacancySources.originUrl, urls)),
      ),
    );
  for (const r of rows) {
    if (r.url) byUrl.set(r.url, r.vacancyId);
    if (r.originUrl) byUrl.set(r.originUrl, r.vacancyId);
  }
  return byUrl;
}

/** Open vacancies sharing a blocking key with a new posting, by key; never one the same source already lists. */
async function candidatesByDedupeKey(
  tx: Ctx,
  sourceId: string,
  fresh: FreshPosting[],
): Promise<Map<string, Candidate[]>> {
  const allKeys = [...new Set(fresh.flatMap((f) => f.keys))];
  const keyRows = allKeys.length
    ? await tx.db
        .select({ key: vacancyDedupeKeys.key, vacancyId: vacancyDedupeKeys.vacancyId })
        .from(vacancyDedupeKeys)
        .where(inArray(vacancyDedupeKeys.key, allKeys))
    : [];
  const candidateIds = [...new Set(keyRows.map((r) => r.vacancyId))];
  const candidates = candidateIds.length
    ? await tx.db
        .select(CANDIDATE_COLUMNS)
        .from(vacancies)
        .where(and(eq(vacancies.status, 'open'), inArray(vacancies.id, candidateIds)))
    : [];
  // Two postings of the same source are two vacancies: the source itself tells them apart.
  const sameSource = await listedBySource(
    tx,
    sourceId,
    candidates.map((c) => c.id),
  );
  const candidateById = new Map(candidates.filter((c) => !sameSource.has(c.id)).map((c) => [c.id, c]));
  const candidatesByKey = new Map<string, Candidate[]>();
  for (const { key, vacancyId } of keyRows) {
    const c = candidateById.get(vacancyId);
    if (c) candidatesByKey.set(key, [...(candidatesByKey.get(key) ?? []), c]);
  }
  return candidatesByKey;
}

/** Those of the given vacancies that the source already links to. */
async function listedBySource(tx: Ctx, sourceId: string, vacancyIds: string[]): Promise<Set<string>> {
  if (vacancyIds.length === 0) return new Set();
  const rows = await tx.db
    .select({ vacancyId: vacancySources.vacancyId })
    .from(vacancySources)
    .where(and(eq(vacancySources.sourceId, sourceId), inArray(vacancySources.vacancyId, [...new Set(vacancyIds)])));
  return new Set(rows.map((r) => r.vacancyId));
}
