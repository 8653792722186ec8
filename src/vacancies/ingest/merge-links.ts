/**
 * After a linked posting changed or a new one was linked: the vacancy is rewritten from all its links (see
 * src/vacancies/merge.ts), its dedupe keys become those of every link, and a change is recorded as an event naming
 * the fields and the source it came from.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { sources, vacancies, vacancyDedupeKeys, vacancySources } from '../../db/schema.ts';
import { dedupeKeys } from '../../ingest/dedupe.ts';
import type { OutboxRow } from '../../outbox/append.ts';
import { sourceAuthority } from '../authority.ts';
import { changedFields, type LinkedContent, mergeContent } from '../merge.ts';
import { CONTENT_FIELDS, type ContentField, contentOf, type NormalisedVacancy, type VacancyRow } from '../vacancy.ts';
import { recordChange } from './record-change.ts';

const DATE_FIELDS = ['publishedAt', 'validThrough'] as const satisfies readonly ContentField[];

/** A link's stored content (jsonb: dates as text) as a normalised vacancy. */
export function storedContent(json: Record<string, unknown>): NormalisedVacancy {
  const out: Record<string, unknown> = { ...json };
  for (const field of DATE_FIELDS) {
    const value = json[field];
    out[field] = typeof value === 'string' ? new Date(value) : null;
  }
  return out as NormalisedVacancy;
}

export interface MergeOutcome {
  fields: ContentField[];
  content: NormalisedVacancy;
}

/**
 * Re-derives the vacancy's content from its links. Employer orders are not merged: their record is the employer's
 * own statement. A caseworker's confirmed code is kept. Returns the changed fields (none: nothing written).
 */
export async function mergeLinks(
  tx: Ctx,
  vacancy: VacancyRow,
  overrides: Partial<Pick<VacancyRow, 'contentHash'>> = {},
): Promise<MergeOutcome> {
  const current = contentOf(vacancy, CONTENT_FIELDS);
  if (vacancy.referenceNumber !== null) return { fields: [], content: current };
  const links = await tx.db
    .select({
      status: vacancySources.status,
      content: vacancySources.content,
      changedAt: vacancySources.contentChangedAt,
      firstSeenAt: vacancySources.firstSeenAt,
      type: sources.type,
    })
    .from(vacancySources)
    .innerJoin(sources, eq(sources.id, vacancySources.sourceId))
    .where(eq(vacancySources.vacancyId, vacancy.id));
  const listed = links.filter((l) => l.status !== 'gone');
  const linked: LinkedContent[] = (listed.length ? listed : links).map((l) => ({
    authority: sourceAuthority(l.type),
    changedAt: l.changedAt ?? l.firstSeenAt,
    // A link stored before links kept their content stands for what the vacancy shows now.
    content: l.content ? storedContent(l.content) : current,
  }));
  if (linked.length === 0) return { fields: [], content: current };
  let merged = mergeContent(linked);
  if (vacancy.kldbConfirmedBy) {
    merged = {
      ...merged,
      kldbCode: vacancy.kldbCode,
      kldbConfidence: 1,
      kldbNeedsReview: false,
      requirementLevel: vacancy.requirementLevel,
    };
  }
  const fields = changedFields(current, merged);
  if (fields.length === 0 && overrides.contentHash === undefined) return { fields, content: merged };
  await tx.db
    .update(vacancies)
    .set({ ...merged, places: merged.places ?? [], ...overrides, updatedAt: tx.now() })
    .where(eq(vacancies.id, vacancy.id));
  if (fields.length) await replaceKeys(tx, vacancy.id, [merged, ...linked.map((l) => l.content)]);
  return { fields, content: merged };
}

/** Every link's keys: a later copy of any of the postings finds the vacancy. */
async function replaceKeys(tx: Ctx, vacancyId: string, contents: NormalisedVacancy[]): Promise<void> {
  const keys = [...new Set(contents.flatMap((c) => dedupeKeys(c)))];
  await tx.db.delete(vacancyDedupeKeys).where(eq(vacancyDedupeKeys.vacancyId, vacancyId));
  if (keys.length)
    await tx.db
      .insert(vacancyDedupeKeys)
      .values(keys.map((key) => ({ key, vacancyId })))
      .onConflictDoNothing();
}

/** Merges after a new link and records it as one `merged` event when the vacancy changed. */
export async function mergeAfterLink(
  tx: Ctx,
  log: OutboxRow[],
  vacancyId: string,
  cause: { sourceId: string; externalId: string },
): Promise<boolean> {
  const [vacancy] = await tx.db
    .select()
    .from(vacancies)
    .where(and(eq(vacancies.id, vacancyId), ne(vacancies.status, 'filled')));
  if (!vacancy) return false;
  const { fields } = await mergeLinks(tx, vacancy);
  if (fields.length === 0) return false;
  await recordChange(tx, log, vacancyId, 'merged', { ...cause, fields });
  return true;
}
