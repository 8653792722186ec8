import type { Ctx } from '../../context.ts';
import { bulkInsert } from '../../db/bulk-insert.ts';
import { vacancyEvents } from '../../db/schema.ts';
import { type OutboxRow, vacancyChanged } from '../../outbox/append.ts';

export interface Change {
  vacancyId: string;
  kind: string;
  detail: Record<string, unknown>;
}

/**
 * Records state changes of vacancies as events now, in one statement; their outbox rows go to `log`, which the
 * caller appends once, last in the transaction (src/outbox/append.ts explains why last). Every change reaches the
 * matcher too, closing included: a closed vacancy must leave its in-memory index and lose its stored list.
 */
export async function recordChanges(tx: Ctx, log: OutboxRow[], changes: Change[]): Promise<void> {
  const at = tx.now();
  await bulkInsert(
    tx.db,
    vacancyEvents,
    changes.map(({ vacancyId, kind, detail }) => ({ vacancyId, kind, detail, at })),
  );
  for (const { vacancyId } of changes) log.push(...vacancyChanged(vacancyId));
}
