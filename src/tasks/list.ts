/**
 * A person's due tasks (SLA reminders and escalations, reaction reminders, follow-ups) and marking one done with a
 * note. A task is the person's when it is assigned to them, or to their role in their branch without a name.
 */
import { and, asc, eq, isNull, lte, or } from 'drizzle-orm';
import { z } from 'zod';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { tasks, vacancies } from '../db/schema.ts';
import { RowId } from '../domain/ids.ts';
import { Conflict, Forbidden, issuesOf, NotFound, ValidationFailed } from '../errors.ts';

export const ListTasksInput = z.object({
  /** Also tasks due later (the whole open list). @defaultValue false */
  includeUpcoming: z.boolean().default(false),
  limit: z.number().int().min(1).max(500).default(100),
});

export interface TaskItem {
  id: string;
  kind: string;
  dueAt: Date;
  createdAt: Date;
  vacancyId: string | null;
  reference: string | null;
  title: string | null;
  proposalId: string | null;
  assignedToMe: boolean;
  detail: Record<string, unknown>;
}

/** Which open tasks belong to the actor. */
function mine(actor: Actor) {
  if (actor.role === 'admin') return undefined;
  if ((actor.role !== 'caseworker' && actor.role !== 'branch_lead') || actor.branchId === null) {
    throw new Forbidden('Aufgaben gibt es nur für Beschäftigte des Jobcenters');
  }
  return or(
    eq(tasks.assigneeUserId, actor.userId),
    and(isNull(tasks.assigneeUserId), eq(tasks.assigneeRole, actor.role), eq(tasks.branchId, actor.branchId)),
  );
}

export async function listDueTasks({
  ctx,
  actor,
  input = {},
}: {
  ctx: Ctx;
  actor: Actor;
  input?: z.input<typeof ListTasksInput>;
}): Promise<TaskItem[]> {
  const scope = mine(actor);
  const parsed = ListTasksInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Anfrage', issuesOf(parsed.error));
  const { includeUpcoming, limit } = parsed.data;
  const rows = await ctx.db
    .select({
      id: tasks.id,
      kind: tasks.kind,
      dueAt: tasks.dueAt,
      createdAt: tasks.createdAt,
      vacancyId: tasks.vacancyId,
      reference: vacancies.referenceNumber,
      title: vacancies.title,
      proposalId: tasks.proposalId,
      assignee: tasks.assigneeUserId,
      detail: tasks.detail,
    })
    .from(tasks)
    .leftJoin(vacancies, eq(vacancies.id, tasks.vacancyId))
    .where(and(isNull(tasks.doneAt), scope, includeUpcoming ? undefined : lte(tasks.dueAt, ctx.now())))
    .orderBy(asc(tasks.dueAt), asc(tasks.id))
    .limit(limit);
  return rows.map(({ assignee, ...r }) => ({ ...r, assignedToMe: assignee === actor.userId }));
}

export const CompleteTaskInput = z.object({
  taskId: RowId,
  note: z.string().trim().min(1, 'Bitte kurz festhalten, was getan wurde').max(2000),
});

export async function completeTask({
  ctx,
  actor,
  input,
}: {
  ctx: Ctx;
  actor: Actor;
  input: z.input<typeof CompleteTaskInput>;
}): Promise<{ id: string; doneAt: Date }> {
  const scope = mine(actor);
  const parsed = CompleteTaskInput.safeParse(input);
  if (!parsed.success) throw new ValidationFailed('Ungültige Angaben', issuesOf(parsed.error));
  const { taskId, note } = parsed.data;
  return withTransaction(ctx, async (tx) => {
    const [task] = await tx.db
      .select({ id: tasks.id, doneAt: tasks.doneAt, kind: tasks.kind, vacancyId: tasks.vacancyId })
      .from(tasks)
      .where(and(eq(tasks.id, taskId), scope))
      .for('update');
    if (!task) throw new NotFound('Aufgabe', taskId);
    if (task.doneAt) throw new Conflict('Die Aufgabe ist bereits erledigt', { doneAt: task.doneAt.toISOString() });
    const doneAt = tx.now();
    await tx.db.update(tasks).set({ doneAt, doneBy: actor.userId, note }).where(eq(tasks.id, taskId));
    await recordAudit(tx, {
      actor,
      action: 'task.done',
      objectType: 'task',
      objectId: taskId,
      detail: { kind: task.kind, vacancyId: task.vacancyId },
    });
    return { id: taskId, doneAt };
  });
}
