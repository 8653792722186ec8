/**
 * The one way to write to the outbox. Followers read it as a log by id (src/outbox/read-log.ts), which is only safe if
 * ids become visible in order. A transaction-level advisory lock taken before the insert makes them: a second writer
 * cannot even draw an id until the first has committed or rolled back. Call it last in a transaction, so the lock is
 * held only for the commit.
 */
import { sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { bulkInsert } from '../db/bulk-insert.ts';
import { outbox } from '../db/schema.ts';

/** Arbitrary but fixed; distinct from the migration lock. */
export const OUTBOX_LOCK_KEY = 7_240_918;

export type OutboxRow = typeof outbox.$inferInsert;

export async function appendOutbox(tx: Ctx, rows: OutboxRow[]): Promise<void> {
  if (rows.length === 0) return;
  await tx.db.execute(sql`select pg_advisory_xact_lock(${OUTBOX_LOCK_KEY})`);
  await bulkInsert(tx.db, outbox, rows);
}

/** What a change to a vacancy tells the followers: re-index it and re-match it (a closed one leaves both). */
export function vacancyChanged(vacancyId: string): OutboxRow[] {
  return [
    { topic: 'index', aggregateType: 'vacancy', aggregateId: vacancyId },
    { topic: 'match', aggregateType: 'vacancy', aggregateId: vacancyId },
  ];
}
