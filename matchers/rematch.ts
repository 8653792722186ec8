/**
 * The `match` job: a vacancy or customer changed, so its in-memory index entry is refreshed, its ranked list computed
 * again and stored, and the outbox rows that announced the change are marked processed, all in one transaction.
 * Idempotent: a second delivery finds its outbox row processed and does nothing; without an outbox id the list is
 * simply computed again from the same data.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../src/context.ts';
import { customers, outbox, vacancies } from '../src/db/schema.ts';
import type { MatchService } from './match-service.ts';
import { refreshStored } from './match-store.ts';

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

export async function rematch(ctx: Ctx, service: MatchService, payload: RematchRequest): Promise<RematchOutcome> {
  const { kind, id, outboxId } = payload;
  return withTransaction(ctx, async (tx) => {
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

    await service.refresh(tx, kind, [id]);
    const stored = await refreshStored(tx, service, { type: kind, id });

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
    if (!stored) return { status: 'skipped', detail: { kind, id, reason: 'gone, closed or not matchable' } };
    return { status: 'done', detail: { kind, id, results: stored.results.length, processed: pending.length } };
  });
}
