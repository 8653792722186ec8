/**
 * A caseworker's or branch lead's due tasks (SLA reminders and escalations, reaction reminders, follow-ups after a
 * hire), done with a note. Admins see every open task.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import type { TaskKind } from '../../src/tasks/create.ts';
import { CompleteTaskInput, completeTask, listDueTasks, type TaskItem } from '../../src/tasks/list.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { idParam, json, query, queryInteger } from '../validate.ts';

const KIND_LABEL: Record<TaskKind, string> = {
  sla_reminder: 'Erinnerung: Rückmeldung an den Arbeitgeber fällig',
  sla_escalation: 'Eskalation: Rückmeldung noch offen',
  sla_breach: 'Frist überschritten',
  reaction_reminder: 'Nachfassen: keine Reaktion des Arbeitgebers auf einen Vorschlag',
  follow_up: 'Nachbetreuung nach der Einstellung',
};

const ListParams = z.object({
  /** `upcoming`: also tasks due later, the whole open list. */
  include: z.literal('upcoming').optional(),
  limit: queryInteger.pipe(z.number().min(1).max(500)).default(100),
});
const DoneBody = z.object({ note: CompleteTaskInput.shape.note }).strict();

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`);

const TaskJson = z.strictObject({
  id: z.string(),
  kind: z.string(),
  kind_label: z.string(),
  due_at: z.iso.datetime(),
  created_at: z.iso.datetime(),
  vacancy_id: z.string().nullable(),
  reference: z.string().nullable(),
  title: z.string().nullable(),
  proposal_id: z.string().nullable(),
  assigned_to_me: z.boolean(),
  detail: z.record(z.string(), z.unknown()).describe("The cause's facts (milestone, due time, follow-up offset …)"),
});
const DoneJson = z.strictObject({ id: z.string(), done_at: z.iso.datetime() });

function taskJson(t: TaskItem): z.infer<typeof TaskJson> {
  return {
    id: t.id,
    kind: t.kind,
    kind_label: KIND_LABEL[t.kind as TaskKind] ?? t.kind,
    due_at: t.dueAt.toISOString(),
    created_at: t.createdAt.toISOString(),
    vacancy_id: t.vacancyId,
    reference: t.reference,
    title: t.title,
    proposal_id: t.proposalId,
    assigned_to_me: t.assignedToMe,
    // The cause's facts (milestone and due time, follow-up offset …), in the wire's names.
    detail: Object.fromEntries(Object.entries(t.detail).map(([key, value]) => [snakeCase(key), value])),
  };
}

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function taskRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(
    '/tasks',
    describe({
      operationId: 'listTasks',
      summary: "The reader's due tasks (admins: every open task)",
      responses: {
        200: { description: 'Tasks, earliest due first', body: z.strictObject({ items: z.array(TaskJson) }) },
      },
    }),
    query(ListParams),
    async (c) => {
      const params = c.req.valid('query');
      const items = await listDueTasks({
        ctx,
        actor: c.get('actor'),
        input: { includeUpcoming: params.include === 'upcoming', limit: params.limit },
      });
      return c.json({ items: items.map(taskJson) });
    },
  );

  app.post(
    '/tasks/:id/done',
    describe({
      operationId: 'completeTask',
      summary: 'Mark a task done, with a note',
      responses: { 200: { description: 'Done', body: DoneJson } },
      // Someone else's task is 404; a task done already 409.
      problems: [409],
    }),
    idParam('Aufgabe'),
    json(DoneBody),
    async (c) => {
      const result = await completeTask({
        ctx,
        actor: c.get('actor'),
        input: { taskId: c.req.valid('param').id, note: c.req.valid('json').note },
      });
      return c.json({ id: result.id, done_at: result.doneAt.toISOString() });
    },
  );

  return app;
}
