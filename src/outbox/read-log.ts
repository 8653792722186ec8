/**
 * Reading the outbox as a log, from a cursor, for followers that keep their own position (the embedded search
 * index, the matcher's indexes, the shared Meilisearch cursor).
 *
 * Ids come from a sequence when a row is inserted, but transactions commit in any order: with several writers,
 * row 101 can be visible while row 100 is still uncommitted. A follower that jumped to 101 would never see 100. So
 * the cursor only advances over ids without gaps; rows behind a gap are applied (followers are idempotent) but read
 * again until the gap fills. A gap still open after GAP_TIMEOUT_S belongs to a rolled-back transaction (sequences
 * never reuse ids) and is passed.
 */
import { asc, gt, max, min, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { outbox } from '../db/schema.ts';

/** Far longer than any writing transaction runs (an ingest batch takes well under a second). */
export const GAP_TIMEOUT_S = 30;

export interface OutboxEntry {
  id: number;
  topic: 'index' | 'match';
  aggregateType: 'vacancy' | 'customer';
  aggregateId: string;
}

export interface LogPage {
  entries: OutboxEntry[];
  /** Where the next read starts: the last id up to which the log is known complete. */
  cursor: number;
  /** True when the page reached the current end of the log without an open gap: nothing more to read now. */
  caughtUp: boolean;
}

export async function readLog(ctx: Ctx, cursor: number, limit = 1000): Promise<LogPage> {
  const rows = await ctx.db
    .select({
      id: outbox.id,
      topic: outbox.topic,
      aggregateType: outbox.aggregateType,
      aggregateId: outbox.aggregateId,
      ageSeconds: sql<number>`extract(epoch from (now() - ${outbox.createdAt}))::float8`,
    })
    .from(outbox)
    .where(gt(outbox.id, cursor))
    .orderBy(asc(outbox.id))
    .limit(limit);
  let next = cursor;
  for (const row of rows) {
    const gap = row.id !== next + 1;
    if (gap && Number(row.ageSeconds) < GAP_TIMEOUT_S) break;
    next = row.id;
  }
  const entries = rows.map(({ ageSeconds: _age, ...entry }) => entry);
  return { entries, cursor: next, caughtUp: rows.length < limit && next === (rows.at(-1)?.id ?? cursor) };
}

/**
 * Where a follower that is about to rebuild its state from the tables should start reading: before every row of the
 * last GAP_TIMEOUT_S, because a transaction still running now may commit an older id after the rebuild has read the
 * tables. Replaying those rows is harmless; missing one would not be.
 */
export async function followStart(ctx: Ctx): Promise<number> {
  const [recent] = await ctx.db
    .select({ first: min(outbox.id) })
    .from(outbox)
    .where(sql`${outbox.createdAt} > now() - make_interval(secs => ${GAP_TIMEOUT_S})`);
  return recent?.first ? recent.first - 1 : outboxHead(ctx);
}

/** The newest id, to notice that something was written. */
export async function outboxHead(ctx: Ctx): Promise<number> {
  const [row] = await ctx.db.select({ head: max(outbox.id) }).from(outbox);
  return row?.head ?? 0;
}
