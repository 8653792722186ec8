/**
 * /app/aufgaben: the reader's due tasks (SLA reminders and escalations, reaction reminders, follow-ups after a
 * hire), each marked done with a note. The same verbs as api/caseworker/tasks.ts (`listDueTasks`, `completeTask`).
 */
import type { Ctx } from '../../src/context.ts';
import { type Issue, ValidationFailed } from '../../src/errors.ts';
import { completeTask, listDueTasks } from '../../src/tasks/list.ts';
import { W } from '../messages/workbench.de.ts';
import { formText, page, seeOther } from './errors.tsx';
import { formatDateTime } from './format.ts';
import { Csrf, ErrorSummary, Field, issueFor, Notice, type WorkbenchContext, WorkbenchPage } from './ui.tsx';

const LIMIT = 200;

async function render(
  c: WorkbenchContext,
  ctx: Ctx,
  refused?: { taskId: string; issues: Issue[]; note: string },
  status: 200 | 400 = 200,
) {
  const upcoming = c.req.query('alle') === 'ja';
  const tasks = await listDueTasks({ ctx, actor: c.get('actor'), input: { includeUpcoming: upcoming, limit: LIMIT } });
  const query = upcoming ? '?alle=ja' : '';
  return c.html(
    <WorkbenchPage c={c} title={W.tasks.title} section="tasks">
      <h1>{W.tasks.title}</h1>
      <p class="lead">{W.tasks.intro}</p>
      {c.req.query('erledigt') === 'ja' ? <Notice>{W.tasks.done}</Notice> : null}
      <p>
        <a href={upcoming ? '/app/aufgaben' : '/app/aufgaben?alle=ja'}>
          {upcoming ? W.tasks.dueOnly : W.tasks.upcoming}
        </a>
      </p>
      {tasks.length === 0 ? (
        <p class="empty">{W.tasks.empty}</p>
      ) : (
        <ol class="task-list" aria-label={W.tasks.caption}>
          {tasks.map((t) => {
            const form = `aufgabe-${t.id}`;
            const mine = refused?.taskId === t.id ? refused : undefined;
            return (
              <li class="task panel">
                <h2 class="task__title">{W.tasks.kind[t.kind] ?? t.kind}</h2>
                <dl class="facts">
                  <dt>{W.tasks.cols.due}</dt>
                  <dd>{formatDateTime(t.dueAt)}</dd>
                  {t.vacancyId ? (
                    <>
                      <dt>{W.tasks.cols.vacancy}</dt>
                      <dd>
                        <a href={`/app/stellen/${t.vacancyId}`}>
                          {[t.reference, t.title].filter(Boolean).join(' – ') || t.vacancyId}
                        </a>
                      </dd>
                    </>
                  ) : null}
                  <dt>{W.tasks.cols.mine}</dt>
                  <dd>{t.assignedToMe ? W.tasks.mine : W.tasks.team}</dd>
                </dl>
                {mine ? <ErrorSummary form={form} issues={mine.issues} /> : null}
                <form method="post" action={`/app/aufgaben/${t.id}/erledigt${query}`} class="form">
                  <Csrf c={c} />
                  <Field
                    form={form}
                    name="note"
                    label={W.tasks.note}
                    multiline
                    rows={2}
                    required
                    value={mine?.note}
                    error={mine ? issueFor(mine.issues, 'note') : undefined}
                  />
                  <button type="submit" class="button">
                    {W.tasks.markDone}
                  </button>
                </form>
              </li>
            );
          })}
        </ol>
      )}
    </WorkbenchPage>,
    status,
  );
}

export function tasksPage({ ctx }: { ctx: Ctx }) {
  return page((c) => render(c, ctx));
}

export function taskDoneAction({ ctx }: { ctx: Ctx }) {
  return page(async (c) => {
    const taskId = c.req.param('id') ?? '';
    const note = formText(await c.req.parseBody(), 'note') ?? '';
    try {
      await completeTask({ ctx, actor: c.get('actor'), input: { taskId, note } });
    } catch (err) {
      if (!(err instanceof ValidationFailed)) throw err;
      const issues = err.issues.length ? err.issues : [{ path: 'note', message: err.message }];
      return render(c, ctx, { taskId, issues, note }, 400);
    }
    const upcoming = c.req.query('alle') === 'ja' ? '&alle=ja' : '';
    return seeOther(c, `/app/aufgaben?erledigt=ja${upcoming}`);
  });
}
