/**
 * Branch numbers are chosen by the writer (the table has no sequence: numbers are what people quote) and names must
 * not repeat, which no index enforces. Both are checks against the other rows, so every writer of a number or a name
 * takes this lock first and reads the rows after it: two operators adding at once get two numbers, or one refusal.
 */
import { asc, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { branches } from '../db/schema.ts';

/** Arbitrary but fixed; distinct from the migration, outbox, employer-source and ingest locks. */
export const BRANCHES_LOCK_KEY = 7_240_931;

/** Takes the lock for the rest of the transaction and returns every branch's number and name, by number. */
export async function lockBranchNames(tx: Ctx): Promise<Array<{ id: number; name: string }>> {
  await tx.db.execute(sql`select pg_advisory_xact_lock(${BRANCHES_LOCK_KEY})`);
  return tx.db.select({ id: branches.id, name: branches.name }).from(branches).orderBy(asc(branches.id));
}
