/**
 * Reading the outbox as a log, from a cursor, for followers that keep their own position (the embedded search index,
 * the matcher's indexes, the shared Meilisearch cursor). Safe because every writer appends through `appendOutbox`,
 * which serialises id allocation with commits: when id N is visible, every smaller id is either visible too or
 * belongs to a transaction that rolled back.
 */
import { and, asc, desc, eq, gt, lte, max } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { outbox } from '../db/schema.ts';

export interface OutboxEntry {
  id: number;
  topic: 'index' | 'match';
  aggregateType: 'vacancy' | 'customer';
  aggregateId: string;
}

export interface LogPage {
  entries: OutboxEntry[];
  /** Where the next read starts. */
  cursor: number;
  /** True when this page reached the current end of the log. */
  caughtUp: boolean;
}

export async function readLog(ctx: Ctx, cursor: number, limit = 1000): Promise<LogPage> {
  const entries = await ctx.db
    .select({
      id: outbox.id,
      topic: outbox.topic,
      aggregateType: outbox.aggregateType,
      aggregateId: outbox.aggregateId,
    })
    .from(outbox)
    .where(gt(outbox.id, cursor))
    .orderBy(asc(outbox.id))
    .limit(limit);
  return { entries, cursor: entries.at(-1)?.id ?? cursor, caughtUp: entries.length < limit };
}

/** The newest id. A follower that rebuilds its state from the tables reads it first and follows from there. */
export async function outboxHead(ctx: Ctx): Promise<number> {
  const [row] = await ctx.db.select({ head: max(outbox.id) }).from(outbox);
  return row?.head ?? 0;
}

/** The outbox row a snapshot names beside its position, so that a replaced or restored database is recognised. */
export interface PositionRow {
  id: number;
  aggregateId: string;
  createdAt: number;
}

/**
 * The newest vacancy row at or before `position`. Vacancy rows are never deleted (customer rows may be, on erasure),
 * so the row a snapshot recorded is still there at the next start, unless the database is another one.
 */
export async function vacancyPositionRow(ctx: Ctx, position: number): Promise<PositionRow | null> {
  const [row] = await ctx.db
    .select({ id: outbox.id, aggregateId: outbox.aggregateId, createdAt: outbox.createdAt })
    .from(outbox)
    .where(and(lte(outbox.id, position), eq(outbox.aggregateType, 'vacancy')))
    .orderBy(desc(outbox.id))
    .limit(1);
  return row ? { id: row.id, aggregateId: row.aggregateId, createdAt: row.createdAt.getTime() } : null;
}
