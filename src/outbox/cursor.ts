/**
 * Where a follower of the outbox log stands: the id of the last row it has applied. A cursor only moves forward, so
 * a slower pass that finishes after a faster one (two processes on one shared cursor, or a pass inside a
 * transaction) never makes the follower apply rows again that it is already past.
 */
import { eq, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { appMeta } from '../db/schema.ts';

export interface OutboxCursor {
  get(): Promise<number>;
  /** Moves the cursor to `id`, unless it already stands there or further. */
  advance(id: number): Promise<void>;
}

/** For state that lives in memory as long as the process (the matcher, the embedded index once loaded or rebuilt). */
export function memoryCursor(start = 0): OutboxCursor {
  let value = start;
  return {
    get: async () => value,
    advance: async (id) => {
      value = Math.max(value, id);
    },
  };
}

/** For state shared by every process (Meilisearch): the cursor lives in `app_meta`, beside the data it follows. */
export function dbCursor(ctx: Ctx, key: string): OutboxCursor {
  return {
    async get() {
      const [row] = await ctx.db.select({ value: appMeta.value }).from(appMeta).where(eq(appMeta.key, key));
      return row ? Number(row.value) : 0;
    },
    async advance(id) {
      await ctx.db
        .insert(appMeta)
        .values({ key, value: String(id) })
        .onConflictDoUpdate({
          target: appMeta.key,
          set: { value: sql`greatest(${appMeta.value}::bigint, ${id})::text`, updatedAt: ctx.now() },
        });
    },
  };
}
