/**
 * The employer portal at /arbeitgeber: report a vacancy, see the confirmation with the promised response time, the
 * own vacancies with their state, the proposals received (pseudonymous, as the employer API shows them), record
 * outcomes, withdraw or mark filled. Every change goes through the same verb as the employer API.
 */
import { randomUUID } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../../api/app.ts';
import type { Ctx } from '../../../src/context.ts';
import { WORKING_TIME_LABEL, type WorkingTime } from '../../../src/domain/enums.ts';
import { AppError, type Issue, NotFound, ValidationFailed } from '../../../src/errors.ts';
import { markOrderFilled } from '../../../src/orders/mark-filled.ts';
import { getOwnOrder, listOwnOrders, type OrderDetail, type OrderSummary } from '../../../src/orders/read.ts';
import { submitOrder } from '../../../src/orders/submit.ts';
import { withdrawOrder } from '../../../src/orders/withdraw.ts';
import { recordOutcome } from '../../../src/proposals/outcome.ts';
import { type EmployerProposalView, listProposalsForEmployer } from '../../../src/proposals/views.ts';
import { codeOccupation } from '../../../src/taxonomy/coder.ts';
import { CsrfField } from '../../csrf-field.tsx';
import { account, signOut, employer as T } from '../../messages/staff.de.ts';
import { requireSession, type SessionVariables } from '../../session.ts';
import { dateText, longDateTime, shortDateTimeText } from '../format.ts';
import { type NavItem, StaffLayout, sendPage } from '../layout.tsx';
import { refusalPage } from '../refusal.tsx';
import { describedBy, ErrorSummary, FieldError, Notice } from '../ui.tsx';
import {
  defaultValues,
  issuesByField,
  orderFromValues,
  type Suggestions,
  VacancyForm,
  type VacancyFormValues,
  valuesFromForm,
} from './vacancy-form.tsx';

export const EMPLOYER_HOME = '/arbeitgeber';
const NEW_PATH = `${EMPLOYER_HOME}/stellen/neu`;
const vacancyPath = (id: string) => `${EMPLOYER_HOME}/stellen/${id}`;

type EmployerContext = Context<{ Variables: SessionVariables }>;
type Section = 'list' | 'new' | undefined;

function nav(current: Section): NavItem[] {
  return [
    { href: EMPLOYER_HOME, label: T.nav.vacancies, current: current === 'list' },
    { href: NEW_PATH, label: T.nav.newVacancy, current: current === 'new' },
  ];
}

function EmployerPage(props: { c: EmployerContext; title: string; section?: Section; children?: unknown }) {
  const { c } = props;
  return (
    <StaffLayout
      title={props.title}
      user={{ displayName: c.get('signedInAs').displayName, role: c.get('actor').role }}
      csrfToken={c.get('csrfToken')}
      nav={nav(props.section)}
      homeHref={EMPLOYER_HOME}
    >
      {props.children as never}
    </StaffLayout>
  );
}

/** The state of the 48-hour promise as an employer needs it: by when, answered, or late. */
function responseState(o: OrderSummary, now: Date): { text: string; tone: 'ok' | 'warn' | 'error' | 'neutral' } {
  if (!o.placementOrder) return { text: T.sla.publishOnly, tone: 'neutral' };
  if (o.respondedAt) return { text: T.sla.answered(shortDateTimeText(o.respondedAt)), tone: 'ok' };
  if (!o.slaDueAt || o.status !== 'open') return { text: T.sla.ended, tone: 'neutral' };
  if (o.slaDueAt > now) return { text: T.sla.due(shortDateTimeText(o.slaDueAt)), tone: 'warn' };
  return { text: T.sla.overdue, tone: 'error' };
}

function statusText(o: OrderSummary): string {
  return T.status[o.status] ?? o.status;
}

function VacancyList({ orders, now }: { orders: OrderSummary[]; now: Date }) {
  if (orders.length === 0) return <p>{T.empty}</p>;
  return (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">{T.listTitle}</caption>
        <thead>
          <tr>
            <th scope="col">{T.columns.reference}</th>
            <th scope="col">{T.columns.title}</th>
            <th scope="col">{T.columns.status}</th>
            <th scope="col">{T.columns.response}</th>
            <th scope="col">{T.columns.proposals}</th>
          </tr>
        </thead>
        <tbody>
          {orders.map((o) => {
            const state = responseState(o, now);
            return (
              <tr>
                <td>{o.reference ?? T.unknownNumber}</td>
                <td>
                  <a href={vacancyPath(o.vacancyId)}>{o.title}</a>
                </td>
                <td>{statusText(o)}</td>
                <td>
                  <span class={`badge badge--${state.tone}`}>{state.text}</span>
                </td>
                <td>{o.proposals}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function listOrEmpty(values: readonly string[]): string {
  return values.length ? values.join(', ') : T.candidate.none;
}

interface OutcomeFormState {
  proposalId: string;
  error?: string;
  reason?: string;
  note?: string;
}

function ProposalCard({
  p,
  vacancyId,
  csrfToken,
  vacancyOpen,
  form,
}: {
  p: EmployerProposalView;
  vacancyId: string;
  csrfToken: string;
  vacancyOpen: boolean;
  form: OutcomeFormState | undefined;
}) {
  const C = T.candidate;
  const status = p.outcome === 'invited' && p.status === 'open' ? 'invited' : p.status;
  const idBase = `proposal-${p.proposalId}`;
  const error = form?.proposalId === p.proposalId ? form.error : undefined;
  const headingId = `${idBase}-heading`;
  return (
    <article class="proposal" aria-labelledby={headingId}>
      <h3 id={headingId}>{p.candidate.name ? `${p.candidate.label}: ${p.candidate.name}` : p.candidate.label}</h3>
      <dl class="facts">
        <dt>{C.status}</dt>
        <dd>{T.proposalStatus[status] ?? status}</dd>
        <dt>{C.proposedAt}</dt>
        <dd>{dateText(p.proposedAt)}</dd>
        <dt>{C.qualifications}</dt>
        <dd>{listOrEmpty(p.candidate.qualifications)}</dd>
        <dt>{C.skills}</dt>
        <dd>{listOrEmpty(p.candidate.skills)}</dd>
        <dt>{C.languages}</dt>
        <dd>{listOrEmpty(p.candidate.languages.map((l) => `${l.language.toUpperCase()} (${l.level})`))}</dd>
        <dt>{C.licences}</dt>
        <dd>{listOrEmpty(p.candidate.licences)}</dd>
        <dt>{C.workingTimes}</dt>
        <dd>{listOrEmpty(p.candidate.workingTimes.map((w) => WORKING_TIME_LABEL[w as WorkingTime] ?? w))}</dd>
        <dt>{C.availableFrom}</dt>
        <dd>{p.candidate.availableFrom ? dateText(p.candidate.availableFrom) : C.none}</dd>
        <dt>{C.commute}</dt>
        <dd>{p.candidate.commuteKm === null ? C.none : C.commuteKm(p.candidate.commuteKm)}</dd>
        {p.note && (
          <>
            <dt>{C.note}</dt>
            <dd>{p.note}</dd>
          </>
        )}
      </dl>
      {vacancyOpen && p.status === 'open' && (
        <form method="post" action={`${EMPLOYER_HOME}/vorschlaege/${p.proposalId}/ergebnis`} novalidate data-once>
          <CsrfField token={csrfToken} />
          <input type="hidden" name="vacancy_id" value={vacancyId} />
          <fieldset>
            <legend>{T.outcomeLegend(p.candidate.label)}</legend>
            <div class={`field${error ? ' has-error' : ''}`}>
              <label for={`${idBase}-reason`}>{T.outcomeReason}</label>
              <FieldError id={`${idBase}-reason`} message={error} />
              <input
                type="text"
                id={`${idBase}-reason`}
                name="reason"
                maxlength={500}
                value={form?.proposalId === p.proposalId ? (form.reason ?? '') : ''}
                aria-invalid={error ? 'true' : undefined}
                aria-describedby={describedBy(`${idBase}-reason`, false, error)}
              />
            </div>
            <div class="actions">
              {p.outcome !== 'invited' && (
                <button type="submit" name="outcome" value="invited" class="button button--secondary">
                  {T.outcomeButtons.invited}
                </button>
              )}
              <button type="submit" name="outcome" value="hired" class="button">
                {T.outcomeButtons.hired}
              </button>
              <button type="submit" name="outcome" value="rejected" class="button button--danger">
                {T.outcomeButtons.rejected}
              </button>
            </div>
          </fieldset>
        </form>
      )}
    </article>
  );
}

function VacancyDetail({
  c,
  order,
  proposals,
  notice,
  outcomeForm,
}: {
  c: EmployerContext;
  order: OrderDetail;
  proposals: EmployerProposalView[];
  notice?: { kind: 'success' | 'error'; text: string } | undefined;
  outcomeForm?: OutcomeFormState | undefined;
}) {
  const csrfToken = c.get('csrfToken');
  const state = responseState(order, new Date());
  const open = order.status === 'open';
  const F = T.detailFacts;
  const summary = outcomeForm?.error
    ? [{ fieldId: `proposal-${outcomeForm.proposalId}-reason`, message: outcomeForm.error }]
    : [];
  return (
    <EmployerPage c={c} title={order.title} section="list">
      <p>
        <a href={EMPLOYER_HOME}>{T.toList}</a>
      </p>
      <h1>{order.title}</h1>
      {notice && <Notice kind={notice.kind}>{notice.text}</Notice>}
      <ErrorSummary heading={T.errorHeading} issues={summary} />
      <dl class="facts card">
        <dt>{F.reference}</dt>
        <dd>{order.reference ?? T.unknownNumber}</dd>
        <dt>{F.status}</dt>
        <dd>{statusText(order)}</dd>
        <dt>{F.response}</dt>
        <dd>
          <span class={`badge badge--${state.tone}`}>{state.text}</span>
        </dd>
        <dt>{F.submitted}</dt>
        <dd>{shortDateTimeText(order.createdAt)}</dd>
        <dt>{F.place}</dt>
        <dd>{[order.plz, order.place].filter(Boolean).join(' ')}</dd>
        <dt>{F.positions}</dt>
        <dd>
          {order.positionsFilled} / {order.positions}
        </dd>
      </dl>
      <h2>{T.proposalsTitle}</h2>
      {proposals.length === 0 ? (
        <p>{T.proposalsNone}</p>
      ) : (
        <div class="card">
          <p class="muted">{T.proposalsPrivacy}</p>
          {proposals.map((p) => (
            <ProposalCard
              p={p}
              vacancyId={order.vacancyId}
              csrfToken={csrfToken}
              vacancyOpen={open}
              form={outcomeForm}
            />
          ))}
          <p class="muted">{T.noReactionHint}</p>
        </div>
      )}
      <h2>{T.manageTitle}</h2>
      {open ? (
        <div class="card">
          <form method="post" action={`${vacancyPath(order.vacancyId)}/besetzt`} data-once>
            <CsrfField token={csrfToken} />
            <button type="submit" class="button button--secondary">
              {T.markFilled}
            </button>
          </form>
          <form method="post" action={`${vacancyPath(order.vacancyId)}/zurueckziehen`} data-once>
            <CsrfField token={csrfToken} />
            <div class="field">
              <label for="withdraw-reason">{T.withdrawReason}</label>
              <input type="text" id="withdraw-reason" name="reason" maxlength={500} />
            </div>
            <button type="submit" class="button button--danger">
              {T.withdraw}
            </button>
          </form>
        </div>
      ) : (
        <p>{T.closedNote}</p>
      )}
    </EmployerPage>
  );
}

function suggestionsFor(title: string, chosen?: string): Suggestions {
  const items = title.trim().length >= 2 ? codeOccupation({ title: title.slice(0, 500) }).candidates.slice(0, 5) : [];
  return { items, chosen };
}

function newFormPage(
  c: EmployerContext,
  values: VacancyFormValues,
  errors: Map<string, string>,
  suggestions?: Suggestions,
  status: 200 | 409 | 422 = 200,
) {
  return sendPage(
    c,
    <EmployerPage c={c} title={T.formTitle} section="new">
      <h1>{T.formTitle}</h1>
      <p>{T.formIntro}</p>
      <VacancyForm values={values} errors={errors} csrfToken={c.get('csrfToken')} suggestions={suggestions} />
    </EmployerPage>,
    status,
  );
}

async function detailPage(
  ctx: Ctx,
  c: EmployerContext,
  vacancyId: string,
  extra: { notice?: { kind: 'success' | 'error'; text: string }; outcomeForm?: OutcomeFormState } = {},
  status: 200 | 409 | 422 = 200,
) {
  const actor = c.get('actor');
  const order = await getOwnOrder({ ctx, actor, input: { vacancyId } });
  const proposals = await listProposalsForEmployer({ ctx, actor, input: { vacancyId } });
  return sendPage(c, <VacancyDetail c={c} order={order} proposals={proposals} {...extra} />, status);
}

/** A vacancy id of the path that no verb would accept is the same "not found" as another employer's. */
async function orNotFound(c: EmployerContext, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof NotFound || (err instanceof ValidationFailed && err.issues.some((i) => isIdIssue(i)))) {
      return refusalPage(c, 'not_found');
    }
    throw err;
  }
}

const isIdIssue = (i: Issue) => i.path === 'vacancy_id' || i.path === 'proposal_id';

const text = (v: unknown) => (typeof v === 'string' ? v : '');

export function mountEmployerPages(app: Hono<AppEnv>, { ctx }: AppDeps): void {
  const employerOnly = requireSession(ctx, ['employer']);
  app.use(EMPLOYER_HOME, employerOnly);
  app.use(`${EMPLOYER_HOME}/*`, employerOnly);
  // The routes below read what the guard put on the context; Hono's types do not carry it across `use`.
  const portal = app as unknown as Hono<{ Variables: SessionVariables }>;

  portal.get(EMPLOYER_HOME, async (c) => {
    const orders = await listOwnOrders({ ctx, actor: c.get('actor'), input: { limit: 100 } });
    const notice =
      c.req.query('zurueckgezogen') !== undefined
        ? T.withdrawn
        : c.req.query('besetzt') !== undefined
          ? T.filled
          : undefined;
    return sendPage(
      c,
      <EmployerPage c={c} title={T.listTitle} section="list">
        <h1>{T.listTitle}</h1>
        {notice && <Notice>{notice}</Notice>}
        <p>{T.listIntro}</p>
        <p>
          <a class="button" href={NEW_PATH}>
            {T.newVacancyButton}
          </a>
        </p>
        <VacancyList orders={orders} now={ctx.now()} />
        <section class="card" aria-labelledby="account-heading">
          <h2 id="account-heading">{account.title}</h2>
          <p>{account.everywhereText}</p>
          <form method="post" action="/abmelden/ueberall">
            <CsrfField token={c.get('csrfToken')} />
            <button type="submit" class="button button--secondary">
              {signOut.everywhere}
            </button>
          </form>
        </section>
      </EmployerPage>,
    );
  });

  portal.get(NEW_PATH, (c) => {
    const who = c.get('signedInAs');
    return newFormPage(c, defaultValues({ name: who.displayName, email: who.email }, randomUUID()), new Map());
  });

  portal.post(NEW_PATH, async (c) => {
    const body = await c.req.parseBody({ all: true });
    const values = valuesFromForm(body);
    if (!/^[0-9a-f-]{36}$/.test(values.form_token)) values.form_token = randomUUID();
    const chosen = text(body.berufsfeld);
    if (chosen) {
      // A chosen occupation states the requirement level (the code's fifth digit); the title stays as typed.
      if (/^\d{5}$/.test(chosen)) values.requirement_level = chosen.slice(4);
      return newFormPage(c, values, new Map(), suggestionsFor(values.title, chosen));
    }
    if (text(body.aktion) === 'vorschlag') return newFormPage(c, values, new Map(), suggestionsFor(values.title));
    try {
      const receipt = await submitOrder({
        ctx,
        actor: c.get('actor'),
        input: orderFromValues(values),
        idempotencyKey: values.form_token,
      });
      return c.redirect(`${vacancyPath(receipt.vacancyId)}/bestaetigung`, 303);
    } catch (err) {
      if (err instanceof ValidationFailed) {
        return newFormPage(c, values, issuesByField(err.issues, values), undefined, 422);
      }
      if (err instanceof AppError && err.code === 'conflict') {
        // The same one-time form sent again with other content (back button after sending): a new form is needed.
        values.form_token = randomUUID();
        return newFormPage(c, values, new Map([['title', err.message]]), undefined, 409);
      }
      throw err;
    }
  });

  portal.get(`${EMPLOYER_HOME}/stellen/:id/bestaetigung`, (c) =>
    orNotFound(c, async () => {
      const order = await getOwnOrder({ ctx, actor: c.get('actor'), input: { vacancyId: c.req.param('id') } });
      return sendPage(
        c,
        <EmployerPage c={c} title={T.confirmTitle} section="list">
          <h1>{T.confirmTitle}</h1>
          <div class="card">
            <p>{T.confirmReference}</p>
            <p class="reference">{order.reference}</p>
            <p class="lead">
              {order.placementOrder && order.slaDueAt
                ? T.confirmPromise(longDateTime(order.slaDueAt))
                : T.confirmPublishOnly}
            </p>
          </div>
          <div class="actions">
            <a class="button" href={vacancyPath(order.vacancyId)}>
              {T.confirmNext}
            </a>
            <a class="button button--secondary" href={EMPLOYER_HOME}>
              {T.toList}
            </a>
          </div>
        </EmployerPage>,
      );
    }),
  );

  portal.get(`${EMPLOYER_HOME}/stellen/:id`, (c) =>
    orNotFound(c, () => {
      const saved = c.req.query('gespeichert') !== undefined;
      return detailPage(ctx, c, c.req.param('id'), saved ? { notice: { kind: 'success', text: T.outcomeSaved } } : {});
    }),
  );

  portal.post(`${EMPLOYER_HOME}/stellen/:id/zurueckziehen`, (c) =>
    orNotFound(c, async () => {
      const body = await c.req.parseBody();
      const reason = text(body.reason).trim().slice(0, 500);
      try {
        await withdrawOrder({
          ctx,
          actor: c.get('actor'),
          input: { vacancyId: c.req.param('id'), reason: reason || undefined },
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'conflict') {
          return detailPage(ctx, c, c.req.param('id'), { notice: { kind: 'error', text: err.message } }, 409);
        }
        throw err;
      }
      return c.redirect(`${EMPLOYER_HOME}?zurueckgezogen`, 303);
    }),
  );

  portal.post(`${EMPLOYER_HOME}/stellen/:id/besetzt`, (c) =>
    orNotFound(c, async () => {
      try {
        await markOrderFilled({ ctx, actor: c.get('actor'), input: { vacancyId: c.req.param('id') } });
      } catch (err) {
        if (err instanceof AppError && err.code === 'conflict') {
          return detailPage(ctx, c, c.req.param('id'), { notice: { kind: 'error', text: err.message } }, 409);
        }
        throw err;
      }
      return c.redirect(`${EMPLOYER_HOME}?besetzt`, 303);
    }),
  );

  portal.post(`${EMPLOYER_HOME}/vorschlaege/:id/ergebnis`, (c) =>
    orNotFound(c, async () => {
      const proposalId = c.req.param('id');
      const body = await c.req.parseBody();
      const outcome = text(body.outcome);
      const reason = text(body.reason).trim().slice(0, 500);
      const actor = c.get('actor');
      if (outcome !== 'invited' && outcome !== 'hired' && outcome !== 'rejected') return refusalPage(c, 'not_found');
      try {
        const result = await recordOutcome({
          ctx,
          actor,
          input: { proposalId, outcome, reason: reason || undefined },
        });
        return c.redirect(`${vacancyPath(result.vacancyId)}?gespeichert=${outcome}`, 303);
      } catch (err) {
        // Only to show the page again; getOwnOrder refuses any vacancy that is not the employer's own.
        const vacancyId = /^[0-9a-f-]{36}$/.test(text(body.vacancy_id)) ? text(body.vacancy_id) : undefined;
        if (err instanceof ValidationFailed && vacancyId) {
          const message = err.issues.find((i) => i.path === 'reason')?.message ?? err.issues[0]?.message ?? err.message;
          return detailPage(ctx, c, vacancyId, { outcomeForm: { proposalId, error: message, reason } }, 422);
        }
        if (err instanceof AppError && err.code === 'conflict' && vacancyId) {
          return detailPage(ctx, c, vacancyId, { notice: { kind: 'error', text: err.message } }, 409);
        }
        throw err;
      }
    }),
  );

  /** For the live suggestion in staff.js; the "Vorschlag" button gives the same without script. */
  portal.get(`${EMPLOYER_HOME}/berufsvorschlaege`, (c) => {
    const title = (c.req.query('titel') ?? '').slice(0, 500);
    const { items } = suggestionsFor(title);
    return c.json({ items: items.map((s) => ({ code: s.code, title: s.title, level: Number(s.code.slice(4)) })) });
  });
}
