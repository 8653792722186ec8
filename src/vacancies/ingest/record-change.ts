import type { Ctx } from '../../context.ts';
import { vacancyEvents } from '../../db/schema.ts';
import { type OutboxRow, vacancyChanged } from '../../outbox/append.ts';

/**
 * Records a state change of a vacancy as an event now; its outbox rows go to `log`, which the caller appends once,
 * last in the transaction (src/outbox/append.ts explains why last). Every change reaches the matcher too, closing
 * included: a closed vacancy must leave its in-memory index and lose its stored list.
 */
export async function recordChange(
  tx: Ctx,
  log: OutboxRow[],
  vacancyId: string,
  kind: string,
  detail: Record<string, unknown>,
): Promise<void> {
  await tx.db.insert(vacancyEvents).values({ vacancyId, kind, detail, at: tx.now() });
  log.push(...vacancyChanged(vacancyId));
}
