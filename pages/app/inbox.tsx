/**
 * /app: the employer-vacancy inbox of the reader's branch (admins: all branches), earliest SLA due time first, the
 * same verb as `GET /api/v1/sla/vacancies`. The default view lists what still needs an answer (running clocks and
 * breaches); a state filter shows one state at a time, paged.
 */
import type { Ctx } from '../../src/context.ts';
import { listSlaVacancies, type SlaVacancy } from '../../src/sla/list.ts';
import { SLA_STATE_LABEL, SLA_STATES, type SlaState } from '../../src/sla/state.ts';
import { listCodingReview } from '../../src/vacancies/coding.ts';
import { formatNumber, W } from '../messages/workbench.de.ts';
import { page } from './errors.tsx';
import { formatDateTime, timeLeft } from './format.ts';
import { Pager, pageParam, StateBadge, TableWrap, WorkbenchPage } from './ui.tsx';

const PER_PAGE = 50;
/** States that still ask for something: the inbox's default view. */
const TO_ANSWER: SlaState[] = ['breached', 'escalated', 'at_risk', 'open'];
const RUNNING = new Set<SlaState>(['open', 'at_risk', 'escalated', 'breached']);

type View = 'answer' | 'all' | SlaState;

function viewOf(raw: string | undefined): View {
  if (raw === 'alle') return 'all';
  if (raw && (SLA_STATES as readonly string[]).includes(raw)) return raw as SlaState;
  return 'answer';
}

function leftText(v: SlaVacancy, now: Date): string {
  if (v.respondedAt) return W.time.answered(formatDateTime(v.respondedAt));
  if (!RUNNING.has(v.state)) return W.time.ended;
  return timeLeft(v.dueAt, now);
}

export function inboxPage(deps: { ctx: Ctx }) {
  const { ctx } = deps;
  return page(async (c) => {
    const actor = c.get('actor');
    const view = viewOf(c.req.query('stand'));
    const pageNo = pageParam(c);
    const now = ctx.now();
    let rows: SlaVacancy[];
    let hasNext = false;
    let capped = false;
    if (view === 'answer') {
      // Each running state comes sorted by due time; merged, the most urgent come first.
      const parts = await Promise.all(
        TO_ANSWER.map((state) => listSlaVacancies({ ctx, actor, input: { state, limit: PER_PAGE } })),
      );
      const merged = parts.flat().sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
      capped = parts.some((p) => p.length === PER_PAGE);
      rows = merged.slice(0, PER_PAGE);
    } else {
      const fetched = await listSlaVacancies({
        ctx,
        actor,
        input: {
          state: view === 'all' ? undefined : view,
          limit: PER_PAGE + 1,
          offset: (pageNo - 1) * PER_PAGE,
        },
      });
      hasNext = fetched.length > PER_PAGE;
      rows = fetched.slice(0, PER_PAGE);
    }
    const review = await listCodingReview(ctx, actor, 10);
    const tabs: Array<[string, string, View]> = [
      ['', W.inbox.toAnswer, 'answer'],
      ...SLA_STATES.map((s): [string, string, View] => [s, SLA_STATE_LABEL[s], s]),
      ['alle', W.inbox.all, 'all'],
    ];
    return c.html(
      <WorkbenchPage c={c} title={W.inbox.title} section="inbox">
        <h1>{W.inbox.title}</h1>
        <p class="lead">{actor.role === 'admin' ? W.inbox.introAdmin : W.inbox.intro}</p>
        <nav class="tabs" aria-label={W.inbox.tabs}>
          <ul>
            {tabs.map(([key, label, v]) => (
              <li>
                <a href={key ? `/app?stand=${key}` : '/app'} aria-current={v === view ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        {rows.length === 0 ? (
          <p class="empty">{W.inbox.empty}</p>
        ) : (
          <TableWrap>
            <table class="table" id="eingang">
              <caption>
                {W.inbox.caption}: {tabs.find((t) => t[2] === view)?.[1]} ({formatNumber(rows.length, 0)})
              </caption>
              <thead>
                <tr>
                  <th scope="col">{W.inbox.cols.due}</th>
                  <th scope="col">{W.inbox.cols.left}</th>
                  <th scope="col">{W.inbox.cols.state}</th>
                  <th scope="col">{W.inbox.cols.vacancy}</th>
                  <th scope="col">{W.inbox.cols.reference}</th>
                  <th scope="col">{W.inbox.cols.employer}</th>
                  <th scope="col">{W.inbox.cols.caseworker}</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((v) => (
                  <tr class={`row--${v.state}`}>
                    <td>{formatDateTime(v.dueAt)}</td>
                    <td>{leftText(v, now)}</td>
                    <td>
                      <StateBadge state={v.state} />
                    </td>
                    <th scope="row">
                      <a href={`/app/stellen/${v.vacancyId}`}>{v.title}</a>
                    </th>
                    <td>{v.reference ?? W.common.none}</td>
                    <td>{v.employerName ?? W.common.none}</td>
                    <td>{v.caseworker?.displayName ?? W.inbox.unassigned}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
        )}
        {capped ? <p class="hint">{W.inbox.moreHint(PER_PAGE)}</p> : null}
        <Pager base="/app" params={{ stand: c.req.query('stand') }} page={pageNo} hasNext={hasNext} />
        {review.length > 0 ? (
          <section aria-labelledby="pruefen">
            <h2 id="pruefen">{W.inbox.coding}</h2>
            <ul class="link-list">
              {review.map((r) => (
                <li>
                  <a href={`/app/stellen/${r.id}`}>{r.title}</a>
                  {r.employerName ? ` – ${r.employerName}` : ''}
                </li>
              ))}
            </ul>
          </section>
        ) : null}
      </WorkbenchPage>,
    );
  });
}
