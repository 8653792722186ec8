/**
 * Creates tasks inside the transaction of their cause. The dedupe key names the cause (`sla_reminder:<vacancy>`,
 * `follow_up:<proposal>:<n>`), so a cause processed twice creates one task.
 */
import { and, eq, inArray, isNull } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { tasks } from '../db/schema.ts';

export type TaskKind = (typeof tasks.$inferInsert)['kind'];

export interface TaskDraft {
  kind: TaskKind;
  dedupeKey: string;
  branchId: number;
  /** One person, or null: everyone of `assigneeRole` in the branch. */
  assigneeUserId: string | null;
  assigneeRole: 'caseworker' | 'branch_lead';
  vacancyId?: string | null;
  proposalId?: string | null;
  dueAt: Date;
  detail?: Record<string, unknown>;
}

/** Returns how many of the drafts were new. */
export async function createTasks(tx: Ctx, drafts: TaskDraft[]): Promise<number> {
  if (drafts.length === 0) return 0;
  const now = tx.now();
  const rows = await tx.db
    .insert(tasks)
    .values(
      drafts.map((d) => ({
        kind: d.kind,
        dedupeKey: d.dedupeKey,
        branchId: d.branchId,
        assigneeUserId: d.assigneeUserId,
        assigneeRole: d.assigneeRole,
        vacancyId: d.vacancyId ?? null,
        proposalId: d.proposalId ?? null,
        dueAt: d.dueAt,
        detail: d.detail ?? {},
        createdAt: now,
      })),
    )
    .onConflictDoNothing({ target: tasks.dedupeKey })
    .returning({ id: tasks.id });
  return rows.length;
}

/**
 * Closes the open SLA tasks of a vacancy whose clock stopped: a reminder or escalation about a response that has
 * been given (or is no longer owed) is done. Recorded as done by nobody, with the reason as note.
 */
export async function closeSlaTasks(tx: Ctx, vacancyId: string, note: string): Promise<void> {
  await tx.db
    .update(tasks)
    .set({ doneAt: tx.now(), note })
    .where(
      and(
        eq(tasks.vacancyId, vacancyId),
        isNull(tasks.doneAt),
        inArray(tasks.kind, ['sla_reminder', 'sla_escalation']),
      ),
    );
}
