import { sql } from 'drizzle-orm';
import type { Ctx } from '../../context.ts';

/** Arbitrary but fixed; distinct from the migration, outbox and employer-source locks. */
export const INGEST_LOCK_KEY = 7_240_920;

/**
 * Serialises ingest transactions from the point they read what dedupe decides on to their commit. Two workers
 * ingesting at once would otherwise each miss the other's uncommitted vacancy and store one job twice: a re-listing
 * whose original is in a batch another worker is writing at that moment. Held to the commit, the lock lets the next
 * batch read every vacancy the previous one stored (each statement reads what is committed when it starts). The
 * outbox lock (src/outbox/append.ts) is taken after this one and only at the end of a transaction, so the two never
 * wait for each other in opposite order. Everything that needs no transaction is done before it (prepare-batch.ts),
 * so workers still normalise side by side.
 */
export async function lockIngest(tx: Ctx): Promise<void> {
  await tx.db.execute(sql`select pg_advisory_xact_lock(${INGEST_LOCK_KEY})`);
}
