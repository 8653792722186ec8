/**
 * Ingest: one staged batch of raw postings from one source becomes vacancies in one transaction: normalised,
 * deduplicated across sources, linked to their source, with events and outbox rows. Idempotent: a batch already
 * processed is skipped, and re-ingesting the same postings changes nothing (content hashes).
 */
import { createHash, randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lt, ne, or, sql } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../context.ts';
import { bulkInsert } from '../db/bulk-insert.ts';
import { crawlRuns, ingestBatches, vacancies, vacancyDedupeKeys, vacancyEvents, vacancySources } from '../db/schema.ts';
import { RawPosting } from '../domain/posting.ts';
import type { NormalisedVacancy } from '../domain/vacancy.ts';
import { dedupeKeys, sameVacancy } from '../ingest/dedupe.ts';
import { normalisePosting } from '../ingest/normalise.ts';
import { appendOutbox, type OutboxRow, vacancyChanged } from '../outbox/append.ts';

export interface IngestStats {
  fetched: number;
  new: number;
  updated: number;
  unchanged: number;
  reopened: number;
  closed: number;
  duplicates: number;
  errors: number;
}

export const emptyIngestStats = (): IngestStats => ({
  fetched: 0,
  new: 0,
  updated: 0,
  unchanged: 0,
  reopened: 0,
  closed: 0,
  duplicates: 0,
  errors: 0,
});

/** A posting missing from this many consecutive complete crawls is closed. */
export const MISSING_CRAWLS_TO_CLOSE = 2;

type VacancyRow = typeof vacancies.$inferSelect;
type Tx = Ctx;

function hashPosting(p: RawPosting): string {
  return createHash('sha256').update(JSON.stringify(p)).digest('base64url');
}

function vacancyValues(n: NormalisedVacancy) {
  return {
    title: n.title,
    description: n.description,
    employerName: n.employerName,
    kldbCode: n.kldbCode,
    kldbConfidence: n.kldbConfidence,
    kldbNeedsReview: n.kldbNeedsReview,
    requirementLevel: n.requirementLevel,
    plz: n.plz,
    place: n.place,
    lat: n.lat,
    lon: n.lon,
    remote: n.remote,
    workingTimes: n.workingTimes,
    contractType: n.contractType,
    offerType: n.offerType,
    salary: n.salary,
    skills: n.skills,
    licences: n.licences,
    languages: n.languages,
    publishedAt: n.publishedAt,
    validThrough: n.validThrough,
  };
}

function rowAsNormalised(v: VacancyRow): NormalisedVacancy {
  return {
    title: v.title,
    description: v.description,
    employerName: v.employerName,
    kldbCode: v.kldbCode,
    kldbConfidence: v.kldbConfidence,
    kldbNeedsReview: v.kldbNeedsReview,
    requirementLevel: v.requirementLevel,
    plz: v.plz,
    place: v.place,
    lat: v.lat,
    lon: v.lon,
    remote: v.remote,
    workingTimes: v.workingTimes as NormalisedVacancy['workingTimes'],
    contractType: v.contractType,
    offerType: v.offerType,
    salary: (v.salary as NormalisedVacancy['salary']) ?? null,
    skills: v.skills,
    licences: v.licences as NormalisedVacancy['licences'],
    languages: v.languages as NormalisedVacancy['languages'],
    publishedAt: v.publishedAt,
    validThrough: v.validThrough,
  };
}

/** Records a state change now; its outbox rows go to `log`, appended once at the end of the transaction. */
async function changed(
  tx: Tx,
  log: OutboxRow[],
  vacancyId: string,
  kind: string,
  detail: Record<string, unknown>,
  match = true,
): Promise<void> {
  await tx.db.insert(vacancyEvents).values({ vacancyId, kind, detail, at: tx.now() });
  log.push(...vacancyChanged(vacancyId, { match }));
}

interface FreshPosting {
  raw: RawPosting;
  contentHash: string;
  normalised: NormalisedVacancy;
  keys: string[];
  expired: boolean;
}

/**
 * Ingests postings of one source; the caller owns the transaction. Set-oriented: a handful of queries per batch,
 * not per posting, because the embedded database pays a fixed cost per statement.
 */
export async function ingestPostings(
  tx: Tx,
  sourceId: string,
  postings: unknown[],
  stats: IngestStats = emptyIngestStats(),
): Promise<IngestStats> {
  const now = tx.now();
  const valid: RawPosting[] = [];
  for (const p of postings) {
    stats.fetched += 1;
    const parsed = RawPosting.safeParse(p);
    if (parsed.success) valid.push(parsed.data);
    else stats.errors += 1;
  }
  // The same posting twice in one batch counts once.
  const byExternalId = new Map(valid.map((p) => [p.externalId, p]));
  if (byExternalId.size === 0) return stats;

  const existingLinks = await tx.db
    .select()
    .from(vacancySources)
    .where(and(eq(vacancySources.sourceId, sourceId), inArray(vacancySources.externalId, [...byExternalId.keys()])));
  const linkByExternalId = new Map(existingLinks.map((l) => [l.externalId, l]));
  const linkedVacancies = existingLinks.length
    ? await tx.db
        .select()
        .from(vacancies)
        .where(inArray(vacancies.id, [...new Set(existingLinks.map((l) => l.vacancyId))]))
    : [];
  const vacancyById = new Map(linkedVacancies.map((v) => [v.id, v]));

  const seenLinkIds: string[] = [];
  const fresh: FreshPosting[] = [];
  const log: OutboxRow[] = [];
  for (const raw of byExternalId.values()) {
    const contentHash = hashPosting(raw);
    const link = linkByExternalId.get(raw.externalId);
    if (!link) {
      const normalised = normalisePosting(raw, { now });
      fresh.push({
        raw,
        contentHash,
        normalised,
        // URLs are matched through vacancy_sources (url, origin_url), so only content keys are stored here.
        keys: dedupeKeys(normalised),
        expired: normalised.validThrough !== null && normalised.validThrough < now,
      });
      continue;
    }
    const vacancy = vacancyById.get(link.vacancyId);
    // A posting listed again after it was closed as missing reopens even unchanged; an expired one only when its
    // content (a later end date) changed, so an unchanged expired posting is not rewritten at every crawl.
    const reappears = vacancy?.status === 'closed' && vacancy.closeReason === 'missing_from_source';
    if (!vacancy || (link.contentHash === contentHash && !reappears)) {
      seenLinkIds.push(link.id);
      stats.unchanged += 1;
      continue;
    }
    await updateFromPosting(tx, log, sourceId, raw, contentHash, link.id, vacancy, stats);
  }
  if (seenLinkIds.length) {
    await tx.db
      .update(vacancySources)
      .set({ lastSeenAt: now, missingCount: 0, status: 'active' })
      .where(inArray(vacancySources.id, seenLinkIds));
  }
  if (fresh.length) await insertFresh(tx, log, sourceId, fresh, stats);
  await appendOutbox(tx, log);
  return stats;
}

async function updateFromPosting(
  tx: Tx,
  log: OutboxRow[],
  sourceId: string,
  raw: RawPosting,
  contentHash: string,
  linkId: string,
  vacancy: VacancyRow,
  stats: IngestStats,
): Promise<void> {
  const now = tx.now();
  await tx.db
    .update(vacancySources)
    .set({
      lastSeenAt: now,
      missingCount: 0,
      status: 'active',
      contentHash,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
    })
    .where(eq(vacancySources.id, linkId));
  const normalised = normalisePosting(raw, { now });
  const expired = normalised.validThrough !== null && normalised.validThrough < now;
  // A caseworker's confirmed code is not overwritten by a source's update.
  const values = vacancy.kldbConfirmedBy
    ? {
        ...vacancyValues(normalised),
        kldbCode: vacancy.kldbCode,
        kldbConfidence: 1,
        kldbNeedsReview: false,
        requirementLevel: vacancy.requirementLevel,
      }
    : vacancyValues(normalised);
  const closed = vacancy.status === 'closed' && vacancy.closeReason !== 'filled';
  const reopens = closed && !expired;
  await tx.db
    .update(vacancies)
    .set({
      ...values,
      contentHash,
      updatedAt: now,
      ...(reopens ? { status: 'open' as const, closedAt: null, closeReason: null } : {}),
      // Listed again but already past its end date: closed for that reason now, so it is not reopened at every crawl.
      ...(closed && expired ? { closeReason: 'expired' } : {}),
    })
    .where(eq(vacancies.id, vacancy.id));
  await tx.db.delete(vacancyDedupeKeys).where(eq(vacancyDedupeKeys.vacancyId, vacancy.id));
  const keys = dedupeKeys(normalised);
  if (keys.length)
    await tx.db
      .insert(vacancyDedupeKeys)
      .values(keys.map((key) => ({ key, vacancyId: vacancy.id })))
      .onConflictDoNothing();
  if (reopens) stats.reopened += 1;
  else stats.updated += 1;
  await changed(tx, log, vacancy.id, reopens ? 'reopened' : 'updated', { sourceId, externalId: raw.externalId });
}

/** New postings: find duplicates among open vacancies of other sources in two queries, then insert in bulk. */
async function insertFresh(
  tx: Tx,
  log: OutboxRow[],
  sourceId: string,
  fresh: FreshPosting[],
  stats: IngestStats,
): Promise<void> {
  const now = tx.now();
  const urls = [...new Set(fresh.flatMap((f) => [f.raw.url, f.raw.originUrl]).filter((u): u is string => !!u))];
  const byUrl = new Map<string, string>();
  if (urls.length) {
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
  }
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
        .select()
        .from(vacancies)
        .where(and(eq(vacancies.status, 'open'), inArray(vacancies.id, candidateIds)))
    : [];
  // Two postings of the same source are two vacancies: the source itself tells them apart.
  const sameSource = new Set(
    candidates.length
      ? (
          await tx.db
            .select({ vacancyId: vacancySources.vacancyId })
            .from(vacancySources)
            .where(
              and(
                eq(vacancySources.sourceId, sourceId),
                inArray(
                  vacancySources.vacancyId,
                  candidates.map((c) => c.id),
                ),
              ),
            )
        ).map((r) => r.vacancyId)
      : [],
  );
  const candidateById = new Map(candidates.filter((c) => !sameSource.has(c.id)).map((c) => [c.id, c]));
  const candidatesByKey = new Map<string, VacancyRow[]>();
  for (const { key, vacancyId } of keyRows) {
    const c = candidateById.get(vacancyId);
    if (c) candidatesByKey.set(key, [...(candidatesByKey.get(key) ?? []), c]);
  }

  const newVacancies: Array<typeof vacancies.$inferInsert> = [];
  const links: Array<typeof vacancySources.$inferInsert> = [];
  const events: Array<typeof vacancyEvents.$inferInsert> = [];
  const newKeys: Array<typeof vacancyDedupeKeys.$inferInsert> = [];
  for (const f of fresh) {
    const { raw } = f;
    let duplicateOf = [raw.originUrl, raw.url].map((u) => (u ? byUrl.get(u) : undefined)).find(Boolean);
    if (!duplicateOf) {
      const probe = { ...f.normalised, url: raw.url, originUrl: raw.originUrl };
      const seen = new Set<string>();
      for (const key of f.keys) {
        for (const c of candidatesByKey.get(key) ?? []) {
          if (seen.has(c.id)) continue;
          seen.add(c.id);
          if (sameVacancy(rowAsNormalised(c), probe).same) {
            duplicateOf = c.id;
            break;
          }
        }
        if (duplicateOf) break;
      }
    }
    const link = {
      sourceId,
      externalId: raw.externalId,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
      contentHash: f.contentHash,
      firstSeenAt: now,
      lastSeenAt: now,
    };
    if (duplicateOf) {
      links.push({ ...link, vacancyId: duplicateOf });
      events.push({
        vacancyId: duplicateOf,
        kind: 'linked',
        at: now,
        detail: { sourceId, externalId: raw.externalId },
      });
      stats.duplicates += 1;
      continue;
    }
    const id = randomUUID();
    newVacancies.push({
      id,
      ...vacancyValues(f.normalised),
      status: f.expired ? 'closed' : 'open',
      closedAt: f.expired ? now : null,
      closeReason: f.expired ? 'expired' : null,
      contentHash: f.contentHash,
      createdAt: now,
      updatedAt: now,
    });
    links.push({ ...link, vacancyId: id });
    for (const key of f.keys) newKeys.push({ key, vacancyId: id });
    if (f.expired) {
      stats.closed += 1;
      events.push({ vacancyId: id, kind: 'closed', at: now, detail: { reason: 'expired', sourceId } });
    } else {
      stats.new += 1;
      events.push({ vacancyId: id, kind: 'opened', at: now, detail: { sourceId, externalId: raw.externalId } });
      log.push(...vacancyChanged(id));
    }
  }
  await bulkInsert(tx.db, vacancies, newVacancies);
  await bulkInsert(tx.db, vacancyDedupeKeys, newKeys);
  await bulkInsert(tx.db, vacancySources, links);
  await bulkInsert(tx.db, vacancyEvents, events);
}

/**
 * After a complete crawl: postings of the source not seen since `runStartedAt` count one more miss; at
 * MISSING_CRAWLS_TO_CLOSE misses the link is gone, and a vacancy with no active link left is closed.
 */
export async function markMissing(tx: Tx, sourceId: string, runStartedAt: Date, stats: IngestStats): Promise<void> {
  const now = tx.now();
  const missing = await tx.db
    .update(vacancySources)
    .set({ missingCount: sql`${vacancySources.missingCount} + 1`, status: 'missing' })
    .where(
      and(
        eq(vacancySources.sourceId, sourceId),
        lt(vacancySources.lastSeenAt, runStartedAt),
        ne(vacancySources.status, 'gone'),
      ),
    )
    .returning({
      id: vacancySources.id,
      vacancyId: vacancySources.vacancyId,
      missingCount: vacancySources.missingCount,
    });
  const goneIds = missing.filter((m) => m.missingCount >= MISSING_CRAWLS_TO_CLOSE);
  if (goneIds.length === 0) return;
  const log: OutboxRow[] = [];
  await tx.db
    .update(vacancySources)
    .set({ status: 'gone' })
    .where(
      inArray(
        vacancySources.id,
        goneIds.map((g) => g.id),
      ),
    );
  for (const vacancyId of new Set(goneIds.map((g) => g.vacancyId))) {
    const [stillListed] = await tx.db
      .select({ id: vacancySources.id })
      .from(vacancySources)
      // A link that missed one crawl still lists the vacancy; only links that are gone do not.
      .where(and(eq(vacancySources.vacancyId, vacancyId), ne(vacancySources.status, 'gone')))
      .limit(1);
    if (stillListed) continue;
    const closed = await tx.db
      .update(vacancies)
      .set({ status: 'closed', closedAt: now, closeReason: 'missing_from_source', updatedAt: now })
      .where(and(eq(vacancies.id, vacancyId), eq(vacancies.status, 'open')))
      .returning({ id: vacancies.id });
    if (closed.length) {
      stats.closed += 1;
      await changed(tx, log, vacancyId, 'closed', { reason: 'missing_from_source', sourceId }, false);
    }
  }
  await appendOutbox(tx, log);
}

/** Closes open vacancies past their validThrough date. Returns how many it closed. */
export async function closeExpired(ctx: Ctx): Promise<number> {
  return withTransaction(ctx, async (tx) => {
    const now = tx.now();
    const closed = await tx.db
      .update(vacancies)
      .set({ status: 'closed', closedAt: now, closeReason: 'expired', updatedAt: now })
      .where(and(eq(vacancies.status, 'open'), lt(vacancies.validThrough, now)))
      .returning({ id: vacancies.id });
    const log: OutboxRow[] = [];
    for (const { id } of closed) await changed(tx, log, id, 'closed', { reason: 'expired' }, false);
    await appendOutbox(tx, log);
    return closed.length;
  });
}

export class EarlierBatchesPending extends Error {
  constructor(batchId: string) {
    super(`batch ${batchId} closes its crawl run but earlier batches of the run are not ingested yet`);
  }
}

/** The `ingest` job: processes one staged batch exactly once (a second delivery finds it processed). */
export async function ingestBatch(
  ctx: Ctx,
  batchId: string,
): Promise<{ status: 'done' | 'skipped'; stats?: IngestStats }> {
  return withTransaction(ctx, async (tx) => {
    const [batch] = await tx.db
      .select()
      .from(ingestBatches)
      .where(and(eq(ingestBatches.id, batchId), isNull(ingestBatches.processedAt)))
      .for('update');
    if (!batch) return { status: 'skipped' as const };
    if (batch.closesRun && batch.crawlRunId) {
      // Misses may only be counted once every posting of the run is in: earlier batches go first.
      const [pending] = await tx.db
        .select({ id: ingestBatches.id })
        .from(ingestBatches)
        .where(
          and(
            eq(ingestBatches.crawlRunId, batch.crawlRunId),
            isNull(ingestBatches.processedAt),
            ne(ingestBatches.id, batch.id),
          ),
        )
        .limit(1);
      if (pending) throw new EarlierBatchesPending(batch.id);
    }
    const stats = await ingestPostings(tx, batch.sourceId, batch.postings);
    if (batch.closesRun && batch.crawlRunId) {
      const [run] = await tx.db.select().from(crawlRuns).where(eq(crawlRuns.id, batch.crawlRunId));
      if (run?.complete) await markMissing(tx, batch.sourceId, run.startedAt, stats);
    }
    await tx.db
      .update(ingestBatches)
      .set({ processedAt: tx.now(), stats: { ...stats }, postings: [] })
      .where(eq(ingestBatches.id, batch.id));
    return { status: 'done' as const, stats };
  });
}
