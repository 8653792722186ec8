/**
 * The outbox read as a log must not skip a row whose transaction commits after a later id became visible; that
 * needs two real concurrent transactions, so this runs on PostgreSQL.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { outbox } from '../../src/db/schema.ts';
import { followStart, readLog } from '../../src/outbox/read-log.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

describe.each(testDatabases().filter((f) => f.name === 'postgres'))('outbox log on $name', (factory) => {
  it('holds the cursor at a gap until the earlier transaction commits, then reads both rows', async () => {
    const database = await openMigrated(factory);
    const ctx = testContext(database.db);
    try {
      const start = await followStart(ctx);
      // A second connection plays the slow writer: it takes an id first and commits last.
      const result = (await database.db.execute(sql`select current_database() as name`)) as unknown as {
        rows: Array<{ name: string }>;
      };
      const url = new URL(inject('postgresUrl')!);
      url.pathname = `/${result.rows[0]!.name}`;
      const slow = new pg.Client({ connectionString: url.toString() });
      await slow.connect();
      try {
        const early = randomUUID();
        await slow.query('begin');
        await slow.query(`insert into outbox (topic, aggregate_type, aggregate_id) values ('index', 'vacancy', $1)`, [
          early,
        ]);
        const late = randomUUID();
        await database.db.insert(outbox).values({ topic: 'index', aggregateType: 'vacancy', aggregateId: late });

        const first = await readLog(ctx, start);
        expect(first.entries.map((e) => e.aggregateId)).toEqual([late]);
        expect(first.cursor).toBe(start);
        expect(first.caughtUp).toBe(false);

        await slow.query('commit');
        const second = await readLog(ctx, first.cursor);
        expect(second.entries.map((e) => e.aggregateId)).toEqual([early, late]);
        expect(second.cursor).toBe(second.entries[1]!.id);
        expect(second.caughtUp).toBe(true);
      } finally {
        await slow.end();
      }
    } finally {
      await database.close();
    }
  });

  it('passes a gap left by a rolled-back transaction once it is old enough', async () => {
    const database = await openMigrated(factory);
    const ctx = testContext(database.db);
    try {
      const start = await followStart(ctx);
      await database.db
        .transaction(async (tx) => {
          await tx.insert(outbox).values({ topic: 'index', aggregateType: 'vacancy', aggregateId: randomUUID() });
          throw new Error('rolled back');
        })
        .catch(() => {});
      // The row after the gap is older than the gap timeout, as it would be half a minute later.
      await database.db.insert(outbox).values({
        topic: 'match',
        aggregateType: 'customer',
        aggregateId: randomUUID(),
        createdAt: new Date(Date.now() - 60_000),
      });
      const page = await readLog(ctx, start);
      expect(page.entries).toHaveLength(1);
      expect(page.cursor).toBe(page.entries[0]!.id);
      expect(page.cursor).toBe(start + 2);
    } finally {
      await database.close();
    }
  });
});
