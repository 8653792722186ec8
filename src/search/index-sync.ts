/**
 * Keeps a search index in step with the DB by following the outbox log (topic 'index') from a cursor. Idempotent:
 * applying the same rows twice leaves the same index, because each row only names a vacancy to re-read.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { appMeta, vacancies } from '../db/schema.ts';
import type { VacancyDocument } from '../domain/vacancy.ts';
import { readLog } from '../outbox/read-log.ts';
import { kldbTitle } from '../taxonomy/kldb.ts';
import type { SearchEngine } from './search-engine.ts';

export interface IndexCursor {
  get(): Promise<number>;
  set(id: number): Promise<void>;
}

/** For an in-process index, rebuilt at every start: the cursor lives as long as the index. */
export function memoryCursor(start = 0): IndexCursor {
  let value = start;
  return {
    get: async () => value,
    // Two followers in one process (the index job and the API's timer) may finish out of order.
    set: async (id) => {
      value = Math.max(value, id);
    },
  };
}

/** For a shared index (Meilisearch): the cursor lives in the DB beside the data it follows. */
export function dbCursor(ctx: Ctx, key = 'index_cursor'): IndexCursor {
  return {
    async get() {
      const [row] = await ctx.db.select({ value: appMeta.value }).from(appMeta).where(eq(appMeta.key, key));
      return row ? Number(row.value) : 0;
    },
    async set(id) {
      await ctx.db
        .insert(appMeta)
        .values({ key, value: String(id) })
        .onConflictDoUpdate({ target: appMeta.key, set: { value: String(id), updatedAt: ctx.now() } });
    },
  };
}

type VacancyRow = typeof vacancies.$inferSelect;

export function toVacancyDocument(v: VacancyRow): VacancyDocument {
  return {
    id: v.id,
    title: v.title,
    description: v.description,
    employerName: v.employerName,
    place: v.place,
    plz: v.plz,
    lat: v.lat,
    lon: v.lon,
    kldbCode: v.kldbCode,
    kldbTitle: v.kldbCode ? (kldbTitle(v.kldbCode) ?? null) : null,
    workingTimes: v.workingTimes as VacancyDocument['workingTimes'],
    contractType: v.contractType,
    offerType: v.offerType,
    publishedAt: (v.publishedAt ?? v.createdAt).getTime(),
  };
}

/** Applies index changes for the given vacancy ids: open ones are upserted, all others removed. */
export async function applyToIndex(
  ctx: Ctx,
  search: SearchEngine,
  ids: string[],
): Promise<{ upserted: number; removed: number }> {
  if (ids.length === 0) return { upserted: 0, removed: 0 };
  const rows = await ctx.db.select().from(vacancies).where(inArray(vacancies.id, ids));
  const open = rows.filter((r) => r.status === 'open');
  const openIds = new Set(open.map((r) => r.id));
  const gone = ids.filter((id) => !openIds.has(id));
  if (open.length) await search.upsert(open.map(toVacancyDocument));
  if (gone.length) await search.remove(gone);
  return { upserted: open.length, removed: gone.length };
}

/** Follows the outbox from the cursor until caught up (see src/outbox/read-log.ts). Returns the rows applied. */
export async function syncIndex(
  ctx: Ctx,
  search: SearchEngine,
  cursor: IndexCursor,
  batchSize = 1000,
): Promise<number> {
  let applied = 0;
  for (;;) {
    const page = await readLog(ctx, await cursor.get(), batchSize);
    const ids = page.entries.filter((e) => e.topic === 'index').map((e) => e.aggregateId);
    await applyToIndex(ctx, search, [...new Set(ids)]);
    await cursor.set(page.cursor);
    applied += ids.length;
    if (page.caughtUp) return applied;
  }
}

/** Rebuilds the index from the DB: every open vacancy, in pages. Returns the number indexed. */
export async function rebuildIndex(ctx: Ctx, search: SearchEngine, pageSize = 5000): Promise<number> {
  await search.clear();
  let last = '00000000-0000-0000-0000-000000000000';
  let total = 0;
  for (;;) {
    const rows = await ctx.db
      .select()
      .from(vacancies)
      .where(and(eq(vacancies.status, 'open'), gt(vacancies.id, last)))
      .orderBy(asc(vacancies.id))
      .limit(pageSize);
    if (rows.length === 0) return total;
    await search.upsert(rows.map(toVacancyDocument));
    total += rows.length;
    last = rows[rows.length - 1]!.id;
  }
}
