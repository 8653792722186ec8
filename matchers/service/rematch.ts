/**
 * The `match` job: a vacancy or customer changed, so its ranked list is computed again and stored, and the outbox
 * rows that announced the change are marked processed, in one transaction. The in-memory indexes are not part of
 * that transaction, so they only ever take committed data: they catch up with the outbox before it starts, the
 * subject is ranked from its row as read inside it, and its index entry is refreshed after the commit. A transaction
 * that fails therefore leaves the indexes as the DB is.
 * Idempotent: a second delivery finds its outbox row processed and does nothing; without an outbox id the list is
 * simply computed again from the same data.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { type Ctx, withTransaction } from '../../src/context.ts';
import { customers, outbox, vacancies } from '../../src/db/schema.ts';
import { loadProfiles, loadVacancies } from './load.ts';
import type { MatchService } from './match-service.ts';
import { refreshStored, type SubjectRecord } from './match-store.ts';

/** The `match` job payload (queues/jobs.ts), restated so matchers/ does not depend on queues/. */
export interface RematchRequest {
  kind: 'vacancy' | 'customer';
  id: string;
  outboxId?: number | undefined;
}

export interface RematchOutcome {
  status: 'done' | 'skipped';
  detail: Record<string, unknown>;
}

/** Runs its own transaction: `ctx` must not be inside one, or "after the commit" would not be one. */
export async function rematch(ctx: Ctx, service: MatchService, payload: RematchRequest): Promise<RematchOutcome> {
  if (ctx.db instanceof PgTransaction) throw new Error('rematch opens its own transaction; call it outside one');
  const { kind, id, outboxId } = payload;
  await service.sync(ctx);
  const outcome = await withTransaction(ctx, async (tx): Promise<RematchOutcome> => {
    // Serialises with writers of the same record (they hold this lock while writing their outbox row), so every
    // pending row read below describes a change the ranking sees.
    const table = kind === 'vacancy' ? vacancies : customers;
    await tx.db.select({ id: table.id }).from(table).where(eq(table.id, id)).for('update');

    if (outboxId !== undefined) {
      const [row] = await tx.db.select({ processedAt: outbox.processedAt }).from(outbox).where(eq(outbox.id, outboxId));
      if (row?.processedAt) return { status: 'skipped', detail: { reason: 'already processed', outboxId } };
    }
    const pending = await tx.db
      .select({ id: outbox.id })
      .from(outbox)
      .where(
        and(
          eq(outbox.topic, 'match'),
          eq(outbox.aggregateType, kind),
          eq(outbox.aggregateId, id),
          isNull(outbox.processedAt),
        ),
      );

    const subject: SubjectRecord =
      kind === 'vacancy'
        ? { type: kind, id, record: (await loadVacancies(tx, [id])).get(id) }
        : { type: kind, id, record: (await loadProfiles(tx, [id])).get(id) };
    const stored = await refreshStored(tx, service, subject);

    // Every pending row of this record is covered by the ranking just stored, not only the job's own row.
    if (pending.length > 0) {
      await tx.db
        .update(outbox)
        .set({ processedAt: tx.now() })
        .where(
          inArray(
            outbox.id,
            pending.map((p) => p.id),
          ),
        );
    }
    // The outcome is kept with the finished job (and in the queue's event log) by the queue backend: no customer
    // id there, since it would outlive a deletion of the customer; the job's payload has it while the job lives.
    const subjectRef = kind === 'vacancy' ? { kind, id } : { kind };
    if (!stored) return { status: 'skipped', detail: { ...subjectRef, reason: 'gone, closed or not matchable' } };
    return { status: 'done', detail: { ...subjectRef, results: stored.results.length, processed: pending.length } };
  });
  // Committed: the subject's entry from the DB as it now is (usually the sync above has applied the change already).
  await service.refresh(ctx, kind, [id]);
  return outcome;
}
