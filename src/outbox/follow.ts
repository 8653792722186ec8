/**
 * The one outbox follower: reads the log from a cursor (src/outbox/read-log.ts), hands each page's rows of one topic
 * to `apply`, advances the cursor, and repeats until caught up. The search index and the matcher's indexes are
 * followers; each process has one follower per topic, however many callers ask it to catch up.
 */
import type { Ctx } from '../context.ts';
import type { OutboxCursor } from './cursor.ts';
import { type OutboxEntry, readLog } from './read-log.ts';

export interface FollowOptions {
  topic: OutboxEntry['topic'];
  cursor: OutboxCursor;
  /**
   * Applies one page's rows of the topic. Must be idempotent: after a crash, and for a pass inside a transaction
   * (which runs on its own, see `sync`), rows may be applied again.
   */
  apply(ctx: Ctx, entries: OutboxEntry[]): Promise<void>;
  /** @defaultValue 1000 */
  pageSize?: number;
}

export interface OutboxFollower {
  /**
   * Catches up with the log as it stands when called; resolves with the number of rows applied. Concurrent calls
   * share one pass: a call during a pass waits for it and one more pass, shared by everyone who arrived meanwhile,
   * because the running pass may have read its last page before the caller's rows were committed.
   */
  sync(ctx: Ctx): Promise<number>;
  /** The log position this follower has applied up to (its cursor): the head minus it is its lag. */
  position?(): Promise<number>;
}

interface Pass {
  done: Promise<number>;
  next?: Promise<number>;
}

export function followOutbox({ topic, cursor, apply, pageSize = 1000 }: FollowOptions): OutboxFollower {
  // Keyed by connection: a pass inside a transaction must not wait for one on the pool, since PGlite runs nothing
  // else while a transaction is open, and the pool would not see the transaction's own rows anyway.
  const passes = new WeakMap<Ctx['db'], Pass>();

  const catchUp = async (ctx: Ctx): Promise<number> => {
    let applied = 0;
    for (;;) {
      const page = await readLog(ctx, await cursor.get(), pageSize);
      const entries = page.entries.filter((e) => e.topic === topic);
      if (entries.length > 0) await apply(ctx, entries);
      await cursor.advance(page.cursor);
      applied += entries.length;
      if (page.caughtUp) return applied;
    }
  };

  const start = (ctx: Ctx): Promise<number> => {
    const pass: Pass = { done: catchUp(ctx) };
    passes.set(ctx.db, pass);
    const settled = () => {
      // With a pass queued behind it, the entry stays until that pass replaces it, so nobody starts a third.
      if (passes.get(ctx.db) === pass && !pass.next) passes.delete(ctx.db);
    };
    pass.done.then(settled, settled);
    return pass.done;
  };

  return {
    position: () => cursor.get(),
    sync(ctx) {
      const running = passes.get(ctx.db);
      if (!running) return start(ctx);
      running.next ??= running.done.then(
        () => start(ctx),
        () => start(ctx),
      );
      return running.next;
    },
  };
}
