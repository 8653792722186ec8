/**
 * Cross-source dedupe lookup for a batch's new postings: which open vacancy of another source each one duplicates.
 * A shared URL decides at once; otherwise the vacancies sharing a blocking key are compared (src/ingest/dedupe.ts).
 * A handful of statements for the whole batch, not per posting.
 */
import { and, eq, ne, or } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { vacancies, vacancyDedupeKeys, vacancySources } from '../../db/schema.ts';
import { sameVacancy } from '../../ingest/dedupe.ts';
import { CONTENT_FIELDS, contentOf, type VacancyRow, vacancyColumns } from '../vacancy.ts';
import { anyOf } from './any-of.ts';
import type { FreshPosting } from './postings.ts';

const CANDIDATE_COLUMNS = vacancyColumns(['id', ...CONTENT_FIELDS]);
type Candidate = Pick<VacancyRow, keyof typeof CANDIDATE_COLUMNS>;

/** The vacancy id each duplicate posting belongs to, by external id; postings that duplicate nothing are absent. */
export async function findDuplicates(tx: Ctx, sourceId: string, fresh: FreshPosting[]): Promise<Map<string, string>> {
  const byUrl = await openVacanciesByUrl(tx, sourceId, fresh);
  const candidatesByKey = await candidatesByDedupeKey(tx, sourceId, fresh);
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
        or(anyOf(vacancySources.url, urls, 'text'), anyOf(vacancySources.originUrl, urls, 'text')),
      ),
    );
  // Two postings of one source are two vacancies, also when a re-listing points to the same career page: a vacancy
  // this source already lists is never a duplicate of another of its postings.
  const listedHere = await listedBySource(
    tx,
    sourceId,
    rows.map((r) => r.vacancyId),
  );
  for (const r of rows) {
    if (listedHere.has(r.vacancyId)) continue;
    if (r.url) byUrl.set(r.url, r.vacancyId);
    if (r.originUrl) byUrl.set(r.originUrl, r.vacancyId);
  }
  return byUrl;
}

/**
 * Open vacancies sharing a blocking key with a new posting, by key; never one the same source already lists. Keys
 * first (the key index alone answers), then the content of those candidates another source lists: for a source's
 * own next batch most candidates are its own vacancies, and their content is not read.
 */
async function candidatesByDedupeKey(
  tx: Ctx,
  sourceId: string,
  fresh: FreshPosting[],
): Promise<Map<string, Candidate[]>> {
  const allKeys = [...new Set(fresh.flatMap((f) => f.keys))];
  const candidatesByKey = new Map<string, Candidate[]>();
  if (allKeys.length === 0) return candidatesByKey;
  const keyRows = await tx.db
    .select({ key: vacancyDedupeKeys.key, vacancyId: vacancyDedupeKeys.vacancyId })
    .from(vacancyDedupeKeys)
    .where(anyOf(vacancyDedupeKeys.key, allKeys, 'text'));
  const listedHere = await listedBySource(
    tx,
    sourceId,
    keyRows.map((r) => r.vacancyId),
  );
  const candidateIds = [...new Set(keyRows.map((r) => r.vacancyId))].filter((id) => !listedHere.has(id));
  const candidates = candidateIds.length
    ? await tx.db
        .select(CANDIDATE_COLUMNS)
        .from(vacancies)
        .where(and(anyOf(vacancies.id, candidateIds, 'uuid'), eq(vacancies.status, 'open')))
    : [];
  const candidateById = new Map(candidates.map((c) => [c.id, c]));
  for (const { key, vacancyId } of keyRows) {
    const candidate = candidateById.get(vacancyId);
    if (!candidate) continue;
    const list = candidatesByKey.get(key);
    if (list) list.push(candidate);
    else candidatesByKey.set(key, [candidate]);
  }
  return candidatesByKey;
}

/** Those of the given vacancies that the source already links to. */
async function listedBySource(tx: Ctx, sourceId: string, vacancyIds: string[]): Promise<Set<string>> {
  if (vacancyIds.length === 0) return new Set();
  const rows = await tx.db
    .select({ vacancyId: vacancySources.vacancyId })
    .from(vacancySources)
    .where(
      and(eq(vacancySources.sourceId, sourceId), anyOf(vacancySources.vacancyId, [...new Set(vacancyIds)], 'uuid')),
    );
  return new Set(rows.map((r) => r.vacancyId));
}
