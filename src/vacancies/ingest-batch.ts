/**
 * Ingest: one staged batch of raw postings from one source becomes vacancies in one transaction: normalised,
 * deduplicated across sources, linked to their source, with events and outbox rows. Idempotent: a batch already
 * processed is skipped, and re-ingesting the same postings changes nothing (content hashes).
 */
import { createHash } from 'node:crypto';
import { and, arrayOverlaps, eq, inArray, isNull, lt, ne, sql } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../context.ts';
import { crawlRuns, ingestBatches, outbox, vacancies, vacancyEvents, vacancySources } from '../db/schema.ts';
import { RawPosting } from '../domain/posting.ts';
import type { NormalisedVacancy } from '../domain/vacancy.ts';
import { dedupeKeys, sameVacancy } from '../ingest/dedupe.ts';
import { normalisePosting } from '../ingest/normalise.ts';

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

async function changed(tx: Tx, vacancyId: string, kind: string, detail: Record<string, unknown>, match = true): Promise<void> {
  await tx.db.insert(vacancyEvents).values({ vacancyId, kind, detail, at: tx.now() });
  const rows: Array<typeof outbox.$inferInsert> = [{ topic: 'index', aggregateType: 'vacancy', aggregateId: vacancyId }];
  if (match) rows.push({ topic: 'match', aggregateType: 'vacancy', aggregateId: vacancyId });
  await tx.db.insert(outbox).values(rows);
}

/** Ingests postings of one source; the caller owns the transaction. */
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
    ? await tx.db.select().from(vacancies).where(inArray(vacancies.id, [...new Set(existingLinks.map((l) => l.vacancyId))]))
    : [];
  const vacancyById = new Map(linkedVacancies.map((v) => [v.id, v]));

  for (const raw of byExternalId.values()) {
    const contentHash = hashPosting(raw);
    const link = linkByExternalId.get(raw.externalId);
    if (link) {
      const vacancy = vacancyById.get(link.vacancyId);
      await tx.db
        .update(vacancySources)
        .set({ lastSeenAt: now, missingCount: 0, status: 'active', contentHash, url: raw.url ?? link.url })
        .where(eq(vacancySources.id, link.id));
      if (!vacancy) continue;
      const reopen = vacancy.status === 'closed' && vacancy.closeReason !== 'filled';
      if (link.contentHash === contentHash && !reopen) {
        stats.unchanged += 1;
        continue;
      }
      const normalised = normalisePosting(raw, { now });
      const expired = normalised.validThrough !== null && normalised.validThrough < now;
      // A caseworker's confirmed code is not overwritten by a source's update.
      const coding = vacancy.kldbConfirmedBy ? {} : { kldbCode: normalised.kldbCode, kldbConfidence: normalised.kldbConfidence, kldbNeedsReview: normalised.kldbNeedsReview };
      await tx.db
        .update(vacancies)
        .set({
          ...vacancyValues(normalised),
          ...coding,
          dedupeKeys: dedupeKeys({ ...normalised, url: raw.url, originUrl: raw.originUrl }),
          contentHash,
          updatedAt: now,
          ...(reopen && !expired ? { status: 'open' as const, closedAt: null, closeReason: null } : {}),
        })
        .where(eq(vacancies.id, vacancy.id));
      if (reopen && !expired) {
        stats.reopened += 1;
        await changed(tx, vacancy.id, 'reopened', { sourceId, externalId: raw.externalId });
      } else {
        stats.updated += 1;
        await changed(tx, vacancy.id, 'updated', { sourceId, externalId: raw.externalId });
      }
      continue;
    }

    const normalised = normalisePosting(raw, { now });
    const keys = dedupeKeys({ ...normalised, url: raw.url, originUrl: raw.originUrl });
    const expired = normalised.validThrough !== null && normalised.validThrough < now;
    const duplicateOf = await findDuplicate(tx, sourceId, raw, normalised, keys);
    if (duplicateOf) {
      await tx.db.insert(vacancySources).values({
        vacancyId: duplicateOf.id,
        sourceId,
        externalId: raw.externalId,
        url: raw.url ?? null,
        originUrl: raw.originUrl ?? null,
        contentHash,
        firstSeenAt: now,
        lastSeenAt: now,
      });
      await tx.db.insert(vacancyEvents).values({ vacancyId: duplicateOf.id, kind: 'linked', at: now, detail: { sourceId, externalId: raw.externalId } });
      stats.duplicates += 1;
      continue;
    }
    const [inserted] = await tx.db
      .insert(vacancies)
      .values({
        ...vacancyValues(normalised),
        status: expired ? 'closed' : 'open',
        closedAt: expired ? now : null,
        closeReason: expired ? 'expired' : null,
        dedupeKeys: keys,
        contentHash,
        createdAt: now,
        updatedAt: now,
      })
      .returning({ id: vacancies.id });
    await tx.db.insert(vacancySources).values({
      vacancyId: inserted!.id,
      sourceId,
      externalId: raw.externalId,
      url: raw.url ?? null,
      originUrl: raw.originUrl ?? null,
      contentHash,
      firstSeenAt: now,
      lastSeenAt: now,
    });
    if (expired) {
      stats.closed += 1;
      await tx.db.insert(vacancyEvents).values({ vacancyId: inserted!.id, kind: 'closed', at: now, detail: { reason: 'expired', sourceId } });
    } else {
      stats.new += 1;
      await changed(tx, inserted!.id, 'opened', { sourceId, externalId: raw.externalId });
    }
  }
  return stats;
}

/** An open vacancy from another source that is the same job: by origin URL, then by blocking keys + comparison. */
async function findDuplicate(tx: Tx, sourceId: string, raw: RawPosting, normalised: NormalisedVacancy, keys: string[]): Promise<VacancyRow | undefined> {
  const urls = [raw.originUrl, raw.url].filter((u): u is string => !!u);
  if (urls.length) {
    const [byUrl] = await tx.db
      .select({ vacancyId: vacancySources.vacancyId })
      .from(vacancySources)
      .where(and(ne(vacancySources.sourceId, sourceId), sql`(${inArray(vacancySources.url, urls)} or ${inArray(vacancySources.originUrl, urls)})`))
      .limit(1);
    if (byUrl) {
      const [v] = await tx.db.select().from(vacancies).where(and(eq(vacancies.id, byUrl.vacancyId), eq(vacancies.status, 'open')));
      if (v) return v;
    }
  }
  if (keys.length === 0) return undefined;
  const candidates = await tx.db
    .select()
    .from(vacancies)
    .where(and(eq(vacancies.status, 'open'), arrayOverlaps(vacancies.dedupeKeys, keys)))
    .limit(25);
  for (const candidate of candidates) {
    // Two postings of the same source are two vacancies: the source itself tells them apart.
    const [sameSource] = await tx.db
      .select({ id: vacancySources.id })
      .from(vacancySources)
      .where(and(eq(vacancySources.vacancyId, candidate.id), eq(vacancySources.sourceId, sourceId)))
      .limit(1);
    if (sameSource) continue;
    if (sameVacancy(rowAsNormalised(candidate), { ...normalised, url: raw.url, originUrl: raw.originUrl }).same) return candidate;
  }
  return undefined;
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
    .where(and(eq(vacancySources.sourceId, sourceId), lt(vacancySources.lastSeenAt, runStartedAt), ne(vacancySources.status, 'gone')))
    .returning({ id: vacancySources.id, vacancyId: vacancySources.vacancyId, missingCount: vacancySources.missingCount });
  const goneIds = missing.filter((m) => m.missingCount >= MISSING_CRAWLS_TO_CLOSE);
  if (goneIds.length === 0) return;
  await tx.db.update(vacancySources).set({ status: 'gone' }).where(inArray(vacancySources.id, goneIds.map((g) => g.id)));
  for (const vacancyId of new Set(goneIds.map((g) => g.vacancyId))) {
    const [stillListed] = await tx.db
      .select({ id: vacancySources.id })
      .from(vacancySources)
      .where(and(eq(vacancySources.vacancyId, vacancyId), eq(vacancySources.status, 'active')))
      .limit(1);
    if (stillListed) continue;
    const closed = await tx.db
      .update(vacancies)
      .set({ status: 'closed', closedAt: now, closeReason: 'missing_from_source', updatedAt: now })
      .where(and(eq(vacancies.id, vacancyId), eq(vacancies.status, 'open')))
      .returning({ id: vacancies.id });
    if (closed.length) {
      stats.closed += 1;
      await changed(tx, vacancyId, 'closed', { reason: 'missing_from_source', sourceId }, false);
    }
  }
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
    for (const { id } of closed) await changed(tx, id, 'closed', { reason: 'expired' }, false);
    return closed.length;
  });
}

export class EarlierBatchesPending extends Error {
  constructor(batchId: string) {
    super(`batch ${batchId} closes its crawl run but earlier batches of the run are not ingested yet`);
  }
}

/** The `ingest` job: processes one staged batch exactly once (a second delivery finds it processed). */
export async function ingestBatch(ctx: Ctx, batchId: string): Promise<{ status: 'done' | 'skipped'; stats?: IngestStats }> {
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
        .where(and(eq(ingestBatches.crawlRunId, batch.crawlRunId), isNull(ingestBatches.processedAt), ne(ingestBatches.id, batch.id)))
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
