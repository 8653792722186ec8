/**
 * Keeps a search index in step with the DB by following the outbox log (topic 'index') from a cursor. Idempotent:
 * applying the same rows twice leaves the same index, because each row only names a vacancy to re-read.
 */
import { and, asc, eq, gt, inArray } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { vacancies } from '../db/schema.ts';
import { dbCursor, memoryCursor, type OutboxCursor } from '../outbox/cursor.ts';
import { followOutbox, type OutboxFollower } from '../outbox/follow.ts';
import { outboxHead } from '../outbox/read-log.ts';
import { toVacancyDocument } from '../vacancies/vacancy.ts';
import type { SearchEngine } from './search-engine.ts';

/** The shared index's cursor (Meilisearch): one for all processes, in the DB. */
export function sharedIndexCursor(ctx: Ctx): OutboxCursor {
  return dbCursor(ctx, 'index_cursor');
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

/** The index's outbox follower (src/outbox/follow.ts): re-reads the vacancies named by rows of topic 'index'. */
export function createIndexFollower(search: SearchEngine, cursor: OutboxCursor): OutboxFollower {
  return followOutbox({
    topic: 'index',
    cursor,
    apply: async (ctx, entries) => {
      await applyToIndex(ctx, search, [...new Set(entries.map((e) => e.aggregateId))]);
    },
  });
}

/**
 * Rebuilds the index from the DB, every open vacancy in pages, while the old index keeps serving (`rebuild`).
 * Returns the number indexed.
 */
export async function rebuildIndex(ctx: Ctx, search: SearchEngine, pageSize = 5000): Promise<number> {
  // A change committed while the pages are read may be missed by a page read before it, and a change applied by
  // another process meanwhile reached only the old index: replaying the log from here afterwards covers both.
  const from = await outboxHead(ctx);
  let total = 0;
  await search.rebuild(async (write) => {
    let last = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows = await ctx.db
        .select()
        .from(vacancies)
        .where(and(eq(vacancies.status, 'open'), gt(vacancies.id, last)))
        .orderBy(asc(vacancies.id))
        .limit(pageSize);
      if (rows.length === 0) return;
      await write(rows.map(toVacancyDocument));
      total += rows.length;
      last = rows[rows.length - 1]!.id;
    }
  });
  await createIndexFollower(search, memoryCursor(from)).sync(ctx);
  return total;
}
