/**
 * After linked postings changed or new ones were linked: each vacancy is rewritten from all its links (see
 * src/vacancies/merge.ts), its dedupe keys become those of every link, and a change is recorded as an event naming
 * the fields and the source it came from. A batch's vacancies are merged together, in a few statements for all.
 */
import { and, eq, ne } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';
import { bulkInsert, bulkUpdate } from '../../db/bulk-insert.ts';
import { sources, vacancies, vacancyDedupeKeys, vacancySources } from '../../db/schema.ts';
import { dedupeKeys } from '../../ingest/dedupe.ts';
import type { OutboxRow } from '../../outbox/append.ts';
import { sourceAuthority } from '../authority.ts';
import { changedFields, type LinkedContent, mergeContent } from '../merge.ts';
import { CONTENT_FIELDS, type ContentField, contentOf, type NormalisedVacancy, type VacancyRow } from '../vacancy.ts';
import { anyOf } from './any-of.ts';
import { type Change, recordChanges } from './record-change.ts';

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

export interface MergeRequest {
  vacancy: VacancyRow;
  /** The changed posting's fingerprint, stored on the vacancy even when its shown content stays the same. */
  contentHash?: string;
}

type LinkRow = {
  vacancyId: string;
  status: string;
  content: Record<string, unknown> | null;
  changedAt: Date | null;
  firstSeenAt: Date;
  type: string;
};

async function linksOf(tx: Ctx, vacancyIds: string[]): Promise<Map<string, LinkRow[]>> {
  const byVacancy = new Map<string, LinkRow[]>();
  if (vacancyIds.length === 0) return byVacancy;
  const rows = await tx.db
    .select({
      vacancyId: vacancySources.vacancyId,
      status: vacancySources.status,
      content: vacancySources.content,
      changedAt: vacancySources.contentChangedAt,
      firstSeenAt: vacancySources.firstSeenAt,
      type: sources.type,
    })
    .from(vacancySources)
    .innerJoin(sources, eq(sources.id, vacancySources.sourceId))
    .where(anyOf(vacancySources.vacancyId, vacancyIds, 'uuid'));
  for (const row of rows) {
    const list = byVacancy.get(row.vacancyId);
    if (list) list.push(row);
    else byVacancy.set(row.vacancyId, [row]);
  }
  return byVacancy;
}

/** The vacancy's content derived from its links, or its current content when it has none. */
function merged(vacancy: VacancyRow, current: NormalisedVacancy, links: LinkRow[]) {
  const listed = links.filter((l) => l.status !== 'gone');
  const linked: LinkedContent[] = (listed.length ? listed : links).map((l) => ({
    authority: sourceAuthority(l.type),
    changedAt: l.changedAt ?? l.firstSeenAt,
    // A link stored before links kept their content stands for what the vacancy shows now.
    content: l.content ? storedContent(l.content) : current,
  }));
  if (linked.length === 0) return null;
  let content = mergeContent(linked);
  if (vacancy.kldbConfirmedBy) {
    content = {
      ...content,
      kldbCode: vacancy.kldbCode,
      kldbConfidence: 1,
      kldbNeedsReview: false,
      requirementLevel: vacancy.requirementLevel,
    };
  }
  return { content, linked };
}

/**
 * Re-derives each vacancy's content from its links. Employer orders are not merged: their record is the employer's
 * own statement. A caseworker's confirmed code is kept. Returns each vacancy's changed fields (none: nothing
 * written, unless a fingerprint was given).
 */
export async function mergeLinks(tx: Ctx, requests: MergeRequest[]): Promise<Map<string, MergeOutcome>> {
  const outcomes = new Map<string, MergeOutcome>();
  const mergeable = requests.filter((r) => r.vacancy.referenceNumber === null);
  const links = await linksOf(tx, [...new Set(mergeable.map((r) => r.vacancy.id))]);
  const updates: Array<typeof vacancies.$inferInsert> = [];
  const rekeyed: Array<{ vacancyId: string; contents: NormalisedVacancy[] }> = [];
  const now = tx.now();
  for (const { vacancy, contentHash } of requests) {
    const current = contentOf(vacancy, CONTENT_FIELDS);
    const result = vacancy.referenceNumber === null ? merged(vacancy, current, links.get(vacancy.id) ?? []) : null;
    if (!result) {
      outcomes.set(vacancy.id, { fields: [], content: current });
      continue;
    }
    const fields = changedFields(current, result.content);
    outcomes.set(vacancy.id, { fields, content: result.content });
    if (fields.length === 0 && contentHash === undefined) continue;
    updates.push({
      id: vacancy.id,
      ...result.content,
      places: result.content.places ?? [],
      contentHash: contentHash ?? vacancy.contentHash,
      updatedAt: now,
    });
    // Every link's keys: a later copy of any of the postings finds the vacancy.
    if (fields.length)
      rekeyed.push({ vacancyId: vacancy.id, contents: [result.content, ...result.linked.map((l) => l.content)] });
  }
  await bulkUpdate(tx.db, vacancies, 'id', updates);
  if (rekeyed.length) {
    await tx.db.delete(vacancyDedupeKeys).where(
      anyOf(
        vacancyDedupeKeys.vacancyId,
        rekeyed.map((r) => r.vacancyId),
        'uuid',
      ),
    );
    const keys = rekeyed.flatMap(({ vacancyId, contents }) =>
      [...new Set(contents.flatMap((c) => dedupeKeys(c)))].map((key) => ({ key, vacancyId })),
    );
    await bulkInsert(tx.db, vacancyDedupeKeys, keys, { onConflictDoNothing: true });
  }
  return outcomes;
}

/**
 * Merges the vacancies new postings were linked to and records each one that changed as one `merged` event, naming
 * the first posting linked to it in this batch.
 */
export async function mergeAfterLinks(
  tx: Ctx,
  log: OutboxRow[],
  linked: Array<{ vacancyId: string; sourceId: string; externalId: string }>,
): Promise<void> {
  const cause = new Map<string, { sourceId: string; externalId: string }>();
  for (const { vacancyId, sourceId, externalId } of linked)
    if (!cause.has(vacancyId)) cause.set(vacancyId, { sourceId, externalId });
  if (cause.size === 0) return;
  const rows = await tx.db
    .select()
    .from(vacancies)
    .where(and(anyOf(vacancies.id, [...cause.keys()], 'uuid'), ne(vacancies.status, 'filled')));
  const outcomes = await mergeLinks(
    tx,
    rows.map((vacancy) => ({ vacancy })),
  );
  const changes: Change[] = [];
  for (const [vacancyId, { fields }] of outcomes)
    if (fields.length) changes.push({ vacancyId, kind: 'merged', detail: { ...cause.get(vacancyId), fields } });
  await recordChanges(tx, log, changes);
}
