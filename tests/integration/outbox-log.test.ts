/**
 * Followers read the outbox by a plain cursor. That is only safe if a later id never becomes visible while an earlier
 * one is uncommitted; `appendOutbox` guarantees it. Two real concurrent transactions need PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { withTransaction } from '../../src/context.ts';
import { appendOutbox, OUTBOX_LOCK_KEY } from '../../src/outbox/append.ts';
import { outboxHead, readLog } from '../../src/outbox/read-log.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

describe.each(testDatabases().filter((f) => f.name === 'postgres'))('outbox log on $name', (factory) => {
  it('makes a second writer wait for the first, so ids become visible in order', async () => {
    const database = await openMigrated(factory);
    const ctx = testContext(database.db);
    const result = (await database.db.execute(sql`select current_database() as name`)) as unknown as {
      rows: Array<{ name: string }>;
    };
    const url = new URL(inject('postgresUrl')!);
    url.pathname = `/${result.rows[0]!.name}`;
    // A second connection plays the slow writer: it draws its id first and commits last.
    const slow = new pg.Client({ connectionString: url.toString() });
    await slow.connect();
    try {
      const start = await outboxHead(ctx);
      const early = randomUUID();
      const late = randomUUID();
      await slow.query('begin');
      await slow.query('select pg_advisory_xact_lock($1)', [OUTBOX_LOCK_KEY]);
      await slow.query(`insert into outbox (topic, aggregate_type, aggregate_id) values ('index', 'vacancy', $1)`, [
        early,
      ]);

      let fastDone = false;
      const fast = withTransaction(ctx, (tx) =>
        appendOutbox(tx, [{ topic: 'index', aggregateType: 'vacancy', aggregateId: late }]),
      ).then(() => {
        fastDone = true;
      });
      await new Promise((r) => setTimeout(r, 300));
      expect(fastDone).toBe(false);
      expect((await readLog(ctx, start)).entries).toEqual([]);

      await slow.query('commit');
      await fast;
      const page = await readLog(ctx, start);
      expect(page.entries.map((e) => e.aggregateId)).toEqual([early, late]);
      expect(page.cursor).toBe(page.entries[1]!.id);
      expect(page.caughtUp).toBe(true);
    } finally {
      await slow.end();
      await database.close();
    }
  });
});
