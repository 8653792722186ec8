/** The one outbox follower (src/outbox/follow.ts): paging, topic filter, cursor, and one pass at a time per connection. */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTransaction } from '../../src/context.ts';
import type { Database } from '../../src/db/client.ts';
import { appendOutbox } from '../../src/outbox/append.ts';
import { dbCursor, memoryCursor, type OutboxCursor } from '../../src/outbox/cursor.ts';
import { followOutbox } from '../../src/outbox/follow.ts';
import { type OutboxEntry, outboxHead } from '../../src/outbox/read-log.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

describe.each(testDatabases())('outbox follower on $name', (factory) => {
  let database: Database;
  const ctx = testContext(undefined as never);

  beforeAll(async () => {
    database = await openMigrated(factory);
    ctx.db = database.db;
  });
  afterAll(() => database?.close());

  const append = (topic: OutboxEntry['topic'], aggregateId = randomUUID()) =>
    withTransaction(ctx, (tx) => appendOutbox(tx, [{ topic, aggregateType: 'vacancy', aggregateId }])).then(
      () => aggregateId,
    );

  /** A cursor that counts its reads: one per page. */
  const countingCursor = (start: number) => {
    const inner = memoryCursor(start);
    const cursor: OutboxCursor & { reads: number } = {
      reads: 0,
      get: () => {
        cursor.reads++;
        return inner.get();
      },
      advance: (id) => inner.advance(id),
    };
    return cursor;
  };

  it('hands each page its rows of the topic and moves the cursor past the other topics', async () => {
    const cursor = memoryCursor(await outboxHead(ctx));
    const a = await append('index');
    await append('match');
    const c = await append('index');
    await append('match');
    const e = await append('index');
    const pages: string[][] = [];
    const follower = followOutbox({
      topic: 'index',
      cursor,
      pageSize: 2,
      apply: async (_ctx, entries) => {
        pages.push(entries.map((x) => x.aggregateId));
      },
    });

    expect(await follower.sync(ctx)).toBe(3);
    expect(pages).toEqual([[a], [c], [e]]);
    expect(await cursor.get()).toBe(await outboxHead(ctx));

    await append('match');
    expect(await follower.sync(ctx)).toBe(0);
    expect(pages).toHaveLength(3);
    expect(await cursor.get()).toBe(await outboxHead(ctx));
  });

  it('leaves the cursor where it was when applying fails, so the rows come again', async () => {
    const cursor = memoryCursor(await outboxHead(ctx));
    const start = await cursor.get();
    const id = await append('index');
    let fail = true;
    const applied: string[] = [];
    const follower = followOutbox({
      topic: 'index',
      cursor,
      apply: async (_ctx, entries) => {
        if (fail) throw new Error('index unavailable');
        applied.push(...entries.map((x) => x.aggregateId));
      },
    });
    await expect(follower.sync(ctx)).rejects.toThrow('index unavailable');
    expect(await cursor.get()).toBe(start);
    fail = false;
    expect(await follower.sync(ctx)).toBe(1);
    expect(applied).toEqual([id]);
  });

  it('shares one pass among concurrent calls, and runs one more for calls that arrive during it', async () => {
    const cursor = countingCursor(await outboxHead(ctx));
    const first = await append('index');
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const applied: string[][] = [];
    const follower = followOutbox({
      topic: 'index',
      cursor,
      apply: async (_ctx, entries) => {
        applied.push(entries.map((x) => x.aggregateId));
        await gate;
      },
    });

    const running = follower.sync(ctx);
    await until(() => applied.length === 1);
    // Committed after the running pass read its page: only a further pass can see it.
    const late = await append('index');
    const queued = follower.sync(ctx);
    expect(follower.sync(ctx)).toBe(queued);
    expect(queued).not.toBe(running);
    release();

    expect(await running).toBe(1);
    expect(await queued).toBe(1);
    expect(applied).toEqual([[first], [late]]);
    expect(cursor.reads).toBe(2);

    // Once idle, the next call starts a pass of its own.
    expect(await follower.sync(ctx)).toBe(0);
    expect(cursor.reads).toBe(3);
  });

  it('runs a pass inside a transaction on its own, instead of waiting for one outside it', async () => {
    const cursor = memoryCursor(await outboxHead(ctx));
    const id = await append('match');
    const seen: string[] = [];
    const follower = followOutbox({
      topic: 'match',
      cursor,
      apply: async (_ctx, entries) => {
        seen.push(...entries.map((x) => x.aggregateId));
      },
    });
    const outside = await withTransaction(ctx, async (tx) => {
      // With PGlite this pass cannot read until the transaction ends; waiting for it here would never end.
      const pass = follower.sync(ctx);
      const inside = await Promise.race([
        follower.sync(tx),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('waited for the outer pass')), 5_000)),
      ]);
      expect(inside).toBe(1);
      return { pass };
    });
    // The outer pass starts from wherever the cursor stood when it read: the row is applied at most once more.
    expect(await outside.pass).toBeLessThanOrEqual(1);
    expect(seen[0]).toBe(id);
  });

  it('never moves a cursor back', async () => {
    const memory = memoryCursor(10);
    await memory.advance(7);
    expect(await memory.get()).toBe(10);
    await memory.advance(12);
    expect(await memory.get()).toBe(12);

    const shared = dbCursor(ctx, `test_cursor_${randomUUID()}`);
    expect(await shared.get()).toBe(0);
    await shared.advance(5);
    await shared.advance(3);
    expect(await shared.get()).toBe(5);
    await shared.advance(8);
    expect(await shared.get()).toBe(8);
  });
});

async function until(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}
