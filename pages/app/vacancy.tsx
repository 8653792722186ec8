/**
 * /app/stellen/:id: one vacancy for the employer service. Its order and clock, the occupation coding (confirm or
 * correct with the coder's suggestions), the ranked and explained candidates of the reader's branch with the
 * why-not check, sending proposals with the caps in view, and the documented answer. Every change goes through
 * the verb the API route uses (`confirmCoding`, `sendProposals`, `recordResponse`); every read of customer data is
 * audited as the API audits it (./vacancy-data.ts).
 */

import type { VacancyMatchList } from '../../matchers/service/match-lists.ts';
import type { MatchService } from '../../matchers/service/match-service.ts';
import { matcherPairCheck } from '../../matchers/service/pair-check.ts';
import type { Ctx } from '../../src/context.ts';
import { PROFILE_GROUP_LABEL } from '../../src/domain/enums.ts';
import { isRowId } from '../../src/domain/ids.ts';
import { AppError, type Issue, ValidationFailed } from '../../src/errors.ts';
import type { PairCheck } from '../../src/proposals/pair-check.ts';
import { ProposalsRefused, sendProposals } from '../../src/proposals/send.ts';
import type { StaffProposalView } from '../../src/proposals/views.ts';
import { RESPONSE_REASON_LABEL, ResponseReason, responseLabel } from '../../src/sla/reasons.ts';
import { recordResponse } from '../../src/sla/respond.ts';
import { rulesOf } from '../../src/sla/rules.ts';
import { kldbTitle } from '../../src/taxonomy/kldb.ts';
import { confirmCoding } from '../../src/vacancies/coding.ts';
import { formatPercent, W } from '../messages/workbench.de.ts';
import { formList, formText, page, seeOther } from './errors.tsx';
import { formatDateTime, timeLeft } from './format.ts';
import {
  Csrf,
  ErrorSummary,
  Field,
  fieldId,
  issueFor,
  Notice,
  StateBadge,
  TableWrap,
  type WorkbenchContext,
  WorkbenchPage,
} from './ui.tsx';
import {
  type ClockView,
  clockOf,
  readMatches,
  readProposals,
  readVacancy,
  readWhyNot,
  type WhyNot,
} from './vacancy-data.ts';

export interface VacancyPageDeps {
  ctx: Ctx;
  matchService: MatchService;
  pairCheck?: PairCheck;
}

const RUNNING = new Set(['open', 'at_risk', 'escalated', 'breached']);

/** What a refused form brings back into the page: its problems and what the person had entered. */
interface FormState {
  coding?: { issues: Issue[]; chosen?: string; other?: string };
  propose?: { issues: Issue[]; refusals?: Array<{ name: string; reasons: string[] }>; chosen: string[]; note?: string };
  response?: { issues: Issue[]; reason?: string; note?: string };
}

const base = (id: string) => `/app/stellen/${id}`;

async function render(
  c: WorkbenchContext,
  deps: VacancyPageDeps,
  id: string,
  form: FormState = {},
  status: 200 | 400 | 409 = 200,
) {
  const { ctx, matchService } = deps;
  const actor = c.get('actor');
  const includeActivation = c.req.query('aktivierung') === '1' || c.req.query('aktivierung') === 'ja';
  const { vacancy, suggestions } = await readVacancy(ctx, actor, id);
  const clock = await clockOf(ctx, id);
  const matches = await readMatches(ctx, matchService, actor, id, includeActivation);
  const proposals = await readProposals(ctx, actor, id);
  const whyNotId = c.req.query('warum');
  const whyNot =
    whyNotId === undefined
      ? undefined
      : isRowId(whyNotId.trim())
        ? await readWhyNot(ctx, matchService, actor, id, whyNotId.trim(), includeActivation)
        : ('invalid' as const);
  const caps = rulesOf(ctx).caps;
  const openProposals = proposals.filter((p) => p.status === 'open').length;
  const left = Math.max(0, caps.perVacancy - openProposals);
  const sent = Number(c.req.query('gesendet') ?? 0);

  return c.html(
    <WorkbenchPage c={c} title={W.vacancy.titleOf(vacancy.title)} section="inbox">
      <p class="breadcrumb">
        <a href="/app">{W.nav.inbox}</a>
      </p>
      <h1>{vacancy.title}</h1>
      {sent > 0 ? (
        <Notice>
          {W.vacancy.sent(sent)} {c.req.query('frist') === 'gestoppt' ? W.vacancy.sentMet : ''}
        </Notice>
      ) : null}
      {c.req.query('antwort') === 'ok' ? <Notice>{W.vacancy.responded}</Notice> : null}
      {c.req.query('code') === 'ok' && vacancy.kldbCode ? (
        <Notice>{W.vacancy.coded(vacancy.kldbCode, kldbTitle(vacancy.kldbCode) ?? '')}</Notice>
      ) : null}

      <div class="columns">
        <section aria-labelledby="auftrag" class="panel">
          <h2 id="auftrag">{W.vacancy.order}</h2>
          <dl class="facts">
            <dt>{W.vacancy.reference}</dt>
            <dd>{vacancy.referenceNumber ?? W.common.none}</dd>
            <dt>{W.vacancy.employer}</dt>
            <dd>{vacancy.employerName ?? W.common.none}</dd>
            <dt>{W.vacancy.place}</dt>
            <dd>{[vacancy.plz, vacancy.place].filter(Boolean).join(' ') || W.common.none}</dd>
            <dt>{W.vacancy.positions}</dt>
            <dd>{vacancy.positions}</dd>
            <dt>{W.vacancy.status}</dt>
            <dd>{W.vacancy.statusLabel[vacancy.status] ?? vacancy.status}</dd>
          </dl>
        </section>
        <ClockPanel clock={clock} now={ctx.now()} />
      </div>

      <details class="description">
        <summary>{W.vacancy.description}</summary>
        <p class="prewrap">{vacancy.description}</p>
      </details>

      <CodingSection
        c={c}
        id={id}
        code={vacancy.kldbCode}
        confidence={vacancy.kldbConfidence}
        needsReview={vacancy.kldbNeedsReview}
        suggestions={suggestions}
        form={form.coding}
      />

      <CandidatesSection
        c={c}
        id={id}
        matches={matches}
        includeActivation={includeActivation}
        caps={{ ...caps, open: openProposals, left }}
        form={form.propose}
        whyNot={whyNot}
      />

      <ProposalsSection proposals={proposals} />

      {clock && RUNNING.has(clock.state) ? <ResponseSection c={c} id={id} form={form.response} /> : null}
    </WorkbenchPage>,
    status,
  );
}

function ClockPanel({ clock, now }: { clock: ClockView | null; now: Date }) {
  return (
    <section aria-labelledby="frist" class="panel">
      <h2 id="frist">{W.vacancy.sla}</h2>
      {clock ? (
        <dl class="facts">
          <dt>{W.inbox.cols.state}</dt>
          <dd>
            <StateBadge state={clock.state} />
          </dd>
          <dt>{W.vacancy.slaStarted}</dt>
          <dd>{formatDateTime(clock.startedAt)}</dd>
          <dt>{W.vacancy.slaDue}</dt>
          <dd>
            {formatDateTime(clock.dueAt)}
            {clock.respondedAt || !RUNNING.has(clock.state) ? '' : ` (${timeLeft(clock.dueAt, now)})`}
          </dd>
          {clock.respondedAt ? (
            <>
              <dt>{W.vacancy.slaResponded}</dt>
              <dd>{formatDateTime(clock.respondedAt)}</dd>
              <dt>{W.vacancy.slaResponse}</dt>
              <dd>{responseLabel(clock.responseReason) ?? W.common.none}</dd>
            </>
          ) : null}
        </dl>
      ) : (
        <p>{W.vacancy.slaNone}</p>
      )}
    </section>
  );
}

function CodingSection(props: {
  c: WorkbenchContext;
  id: string;
  code: string | null;
  confidence: number;
  needsReview: boolean;
  suggestions: Array<{ code: string; title: string; confidence: number }>;
  form?: FormState['coding'];
}) {
  const { c, id, code, form } = props;
  const issues = form?.issues ?? [];
  const chosen = form?.chosen ?? (props.suggestions.some((s) => s.code === code) ? (code ?? undefined) : undefined);
  return (
    <section aria-labelledby="verschluesselung" class="panel">
      <h2 id="verschluesselung">{W.vacancy.coding}</h2>
      <p>
        {W.vacancy.codingCurrent}: <strong>{code ? `${code} ${kldbTitle(code) ?? ''}` : W.vacancy.codingNone}</strong>
      </p>
      <p>
        {props.needsReview ? (
          <span class="badge badge--at_risk">{W.vacancy.codingNeedsReview}</span>
        ) : props.confidence >= 1 ? (
          W.vacancy.codingConfirmed
        ) : (
          W.vacancy.codingConfidence(formatPercent(props.confidence, 0))
        )}
      </p>
      <ErrorSummary form="code" issues={issues} />
      <form method="post" action={`${base(id)}/verschluesselung`} class="form">
        <Csrf c={c} />
        <fieldset
          id={fieldId('code', 'kldb_code')}
          aria-describedby={issueFor(issues, 'kldb_code') ? `${fieldId('code', 'kldb_code')}-error` : undefined}
        >
          <legend>{W.vacancy.codingChoose}</legend>
          {issueFor(issues, 'kldb_code') ? (
            <p class="field__error" id={`${fieldId('code', 'kldb_code')}-error`}>
              {issueFor(issues, 'kldb_code')}
            </p>
          ) : null}
          {props.suggestions.map((s, i) => (
            <div class="choice">
              <input type="radio" name="kldb_code" id={`code-s${i}`} value={s.code} checked={chosen === s.code} />
              <label for={`code-s${i}`}>
                {W.vacancy.codingSuggestion(s.code, s.title, formatPercent(s.confidence, 0))}
              </label>
            </div>
          ))}
          <div class="choice">
            <input type="radio" name="kldb_code" id="code-other" value="andere" checked={chosen === 'andere'} />
            <label for="code-other">{W.vacancy.codingOther}</label>
          </div>
        </fieldset>
        <Field
          form="code"
          name="kldb_other"
          label={W.vacancy.codingOtherLabel}
          hint={W.vacancy.codingOtherHint}
          value={form?.other}
          inputmode="numeric"
          error={issueFor(issues, 'kldb_other')}
        />
        <button type="submit" class="button">
          {W.vacancy.codingSubmit}
        </button>
      </form>
    </section>
  );
}

function CandidatesSection(props: {
  c: WorkbenchContext;
  id: string;
  matches: VacancyMatchList | null;
  includeActivation: boolean;
  caps: { perVacancy: number; perCustomer: number; open: number; left: number };
  form?: FormState['propose'];
  whyNot?: WhyNot | 'invalid';
}) {
  const { c, id, matches, caps, form } = props;
  const issues = form?.issues ?? [];
  const chosen = new Set(form?.chosen ?? []);
  const toggle = props.includeActivation
    ? [`${base(id)}`, W.vacancy.withoutActivation]
    : [`${base(id)}?aktivierung=1`, W.vacancy.withActivation];
  return (
    <section aria-labelledby="kandidaten">
      <h2 id="kandidaten">{W.vacancy.candidates}</h2>
      <p>{W.vacancy.candidatesIntro}</p>
      <div class="caps" id="obergrenzen" data-cap-left={String(caps.left)}>
        <h3>{W.vacancy.caps}</h3>
        <p>{W.vacancy.capsText(caps.perVacancy, caps.perCustomer)}</p>
        <p>
          <strong>{W.vacancy.capsOpen(caps.open, caps.left)}</strong>
        </p>
        {matches?.capNote ? <p>{matches.capNote}</p> : null}
      </div>
      <p>
        <a href={toggle[0]}>{toggle[1]}</a>
      </p>
      {props.includeActivation ? <p class="hint">{W.vacancy.activationShown}</p> : null}
      {form?.refusals?.length ? (
        <div class="error-summary" role="alert" tabindex={-1} data-autofocus aria-labelledby="refused-title">
          <h3 id="refused-title">{W.vacancy.proposeRefused}</h3>
          <ul>
            {form.refusals.map((r) => (
              <li>
                <strong>{r.name}:</strong> {r.reasons.join('; ')}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <ErrorSummary form="vorschlag" issues={issues} />
      {matches === null ? (
        <p>{W.vacancy.candidatesNotMatchable}</p>
      ) : matches.results.length === 0 ? (
        <p>{W.vacancy.candidatesEmpty}</p>
      ) : (
        <form method="post" action={`${base(id)}/vorschlaege`} class="form" id="vorschlag-form">
          <Csrf c={c} />
          {props.includeActivation ? <input type="hidden" name="include_activation" value="1" /> : null}
          <TableWrap>
            <table class="table" id={fieldId('vorschlag', 'customer_ids')}>
              <caption>{W.vacancy.candidatesCaption}</caption>
              <thead>
                <tr>
                  <th scope="col">{W.vacancy.cols.select}</th>
                  <th scope="col">{W.vacancy.cols.rank}</th>
                  <th scope="col">{W.vacancy.cols.name}</th>
                  <th scope="col">{W.vacancy.cols.group}</th>
                  <th scope="col">{W.vacancy.cols.plz}</th>
                  <th scope="col">{W.vacancy.cols.score}</th>
                  <th scope="col">{W.vacancy.cols.reasons}</th>
                </tr>
              </thead>
              <tbody>
                {matches.results.map((r, i) => (
                  <tr>
                    <td>
                      <input
                        type="checkbox"
                        name="customer_ids"
                        value={r.customer.id}
                        id={`kandidat-${r.customer.id}`}
                        checked={chosen.has(r.customer.id)}
                        class="candidate-choice"
                      />
                      <label for={`kandidat-${r.customer.id}`} class="visually-hidden">
                        {W.vacancy.selectPerson(r.customer.displayName)}
                      </label>
                    </td>
                    <td>{i + 1}</td>
                    <th scope="row">
                      <a href={`/app/kunden/${r.customer.id}`}>{r.customer.displayName}</a>
                    </th>
                    <td>{PROFILE_GROUP_LABEL[r.customer.profileGroup]}</td>
                    <td>{r.customer.plz}</td>
                    <td>
                      <span class="score">{W.vacancy.score(r.score)}</span>
                    </td>
                    <td>
                      <details>
                        <summary>{W.vacancy.why}</summary>
                        <ul class="reasons">
                          {r.parts.map((p) => (
                            <li>
                              {p.text} ({p.points}/{p.weight})
                            </li>
                          ))}
                        </ul>
                        <p class="reasons__head">{W.vacancy.passed}</p>
                        <ul class="reasons">
                          {r.passedConstraints.map((p) => (
                            <li>{p.text}</li>
                          ))}
                        </ul>
                      </details>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableWrap>
          <p class="selection-status" aria-live="polite" id="auswahl-status" hidden />
          <Field
            form="vorschlag"
            name="note"
            label={W.vacancy.proposeNote}
            value={form?.note}
            multiline
            rows={3}
            error={issueFor(issues, 'note')}
          />
          <button type="submit" class="button button--primary">
            {W.vacancy.proposeSubmit}
          </button>
        </form>
      )}
      {matches && matches.skipped.length > 0 ? (
        <>
          <h3>{W.vacancy.skipped}</h3>
          <ul>
            {matches.skipped.map((s) => (
              <li>
                <a href={`/app/kunden/${s.id}`}>{s.id}</a>: {s.note}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {matches ? (
        <p class="hint">
          {matches.excludedCount > 0 ? `${W.vacancy.excluded(matches.excludedCount)} ` : ''}
          {W.vacancy.computedAt(formatDateTime(matches.computedAt))}
        </p>
      ) : null}
      <WhyNotForm id={id} includeActivation={props.includeActivation} result={props.whyNot} />
    </section>
  );
}

function WhyNotForm(props: { id: string; includeActivation: boolean; result?: WhyNot | 'invalid' }) {
  const { result } = props;
  const error = result === 'invalid' ? W.vacancy.whyNotInvalid : undefined;
  return (
    <section aria-labelledby="warum-nicht" class="panel">
      <h3 id="warum-nicht">{W.vacancy.whyNot}</h3>
      <form method="get" action={base(props.id)} class="form form--inline">
        {props.includeActivation ? <input type="hidden" name="aktivierung" value="1" /> : null}
        <Field form="warum" name="warum" label={W.vacancy.whyNotLabel} hint={W.vacancy.whyNotIntro} error={error} />
        <button type="submit" class="button">
          {W.vacancy.whyNotSubmit}
        </button>
      </form>
      {result && result !== 'invalid' ? (
        <div role="status" class="why-not">
          {result.kind === 'refused' ? (
            <p>{W.errors.notFound}</p>
          ) : result.qualifies ? (
            <p>{W.vacancy.whyNotQualifies}</p>
          ) : (
            <>
              <p>{W.vacancy.whyNotFailed}</p>
              <ul>
                {result.failed.map((f) => (
                  <li>{f.text}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      ) : null}
    </section>
  );
}

function ProposalsSection({ proposals }: { proposals: StaffProposalView[] }) {
  return (
    <section aria-labelledby="vorschlaege">
      <h2 id="vorschlaege">{W.vacancy.proposals}</h2>
      {proposals.length === 0 ? (
        <p>{W.vacancy.proposalsEmpty}</p>
      ) : (
        <TableWrap>
          <table class="table">
            <caption>{W.vacancy.proposalsCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{W.vacancy.proposalCols.when}</th>
                <th scope="col">{W.vacancy.proposalCols.who}</th>
                <th scope="col">{W.vacancy.proposalCols.status}</th>
                <th scope="col">{W.vacancy.proposalCols.outcome}</th>
              </tr>
            </thead>
            <tbody>
              {proposals.map((p) => (
                <tr>
                  <td>{formatDateTime(p.proposedAt)}</td>
                  <th scope="row">
                    {p.displayName ? (
                      <a href={`/app/kunden/${p.customerId}`}>{p.displayName}</a>
                    ) : (
                      W.vacancy.otherBranch
                    )}
                  </th>
                  <td>{W.vacancy.proposalStatus[p.status] ?? p.status}</td>
                  <td>{p.outcome ? (W.vacancy.outcomeLabel[p.outcome] ?? p.outcome) : W.common.none}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </section>
  );
}

function ResponseSection(props: { c: WorkbenchContext; id: string; form?: FormState['response'] }) {
  const issues = props.form?.issues ?? [];
  const reasonId = fieldId('antwort', 'reason');
  const reasonError = issueFor(issues, 'reason');
  return (
    <section aria-labelledby="rueckmeldung" class="panel">
      <h2 id="rueckmeldung">{W.vacancy.response}</h2>
      <p>{W.vacancy.responseIntro}</p>
      <ErrorSummary form="antwort" issues={issues} />
      <form method="post" action={`${base(props.id)}/rueckmeldung`} class="form">
        <Csrf c={props.c} />
        <div class={reasonError ? 'field field--error' : 'field'}>
          <label for={reasonId}>
            {W.vacancy.responseReason}
            <span class="field__required"> {W.common.required}</span>
          </label>
          {reasonError ? (
            <p class="field__error" id={`${reasonId}-error`}>
              {reasonError}
            </p>
          ) : null}
          <select
            id={reasonId}
            name="reason"
            required
            aria-invalid={reasonError ? 'true' : undefined}
            aria-describedby={reasonError ? `${reasonId}-error` : undefined}
          >
            <option value="">{W.vacancy.responseChoose}</option>
            {ResponseReason.options.map((code) => (
              <option value={code} selected={props.form?.reason === code}>
                {RESPONSE_REASON_LABEL[code]}
              </option>
            ))}
          </select>
        </div>
        <Field
          form="antwort"
          name="note"
          label={W.vacancy.responseNote}
          hint={W.vacancy.responseNoteHint}
          value={props.form?.note}
          multiline
          required
          error={issueFor(issues, 'note')}
        />
        <button type="submit" class="button">
          {W.vacancy.responseSubmit}
        </button>
      </form>
    </section>
  );
}

/** Renders the page again with the problems of a refused form (status 400, or 409 for a refused send). */
function refused(err: unknown): Issue[] | null {
  if (err instanceof ValidationFailed) return err.issues.length ? err.issues : [{ path: '', message: err.message }];
  if (err instanceof AppError && err.code === 'conflict') return [{ path: '', message: err.message }];
  return null;
}

export function vacancyPage(deps: VacancyPageDeps) {
  return page((c) => render(c, deps, c.req.param('id') ?? ''));
}

export function codingAction(deps: VacancyPageDeps) {
  return page(async (c) => {
    const id = c.req.param('id') ?? '';
    const body = await c.req.parseBody();
    const chosen = formText(body, 'kldb_code');
    const other = formText(body, 'kldb_other')?.trim();
    const kldbCode = chosen === 'andere' || (!chosen && other) ? other : chosen;
    if (!kldbCode) {
      return render(
        c,
        deps,
        id,
        { coding: { issues: [{ path: 'kldb_code', message: W.vacancy.codingMissing }] } },
        400,
      );
    }
    try {
      await confirmCoding({ ctx: deps.ctx, actor: c.get('actor'), vacancyId: id, input: { kldbCode } });
    } catch (err) {
      const issues = refused(err);
      if (!issues) throw err;
      // The verb names the code field; on the page it is the one the person typed into, or the choice.
      const path = chosen === 'andere' || !chosen ? 'kldb_other' : 'kldb_code';
      const mapped = issues.map((i) => ({ ...i, path: i.path === 'kldb_code' ? path : i.path }));
      return render(c, deps, id, { coding: { issues: mapped, chosen, other } }, 400);
    }
    return seeOther(c, `${base(id)}?code=ok#verschluesselung`);
  });
}

export function proposeAction(deps: VacancyPageDeps) {
  return page(async (c) => {
    const id = c.req.param('id') ?? '';
    const body = await c.req.parseBody({ all: true });
    const customerIds = formList(body, 'customer_ids');
    const note = formText(body, 'note')?.trim() || undefined;
    const includeActivation = formText(body, 'include_activation') === '1';
    if (customerIds.length === 0) {
      return render(
        c,
        deps,
        id,
        { propose: { issues: [{ path: 'customer_ids', message: W.vacancy.proposeNone }], chosen: [], note } },
        400,
      );
    }
    try {
      const result = await sendProposals({
        ctx: deps.ctx,
        actor: c.get('actor'),
        input: { vacancyId: id, customerIds, note, includeActivation },
        check: deps.pairCheck ?? matcherPairCheck,
      });
      const stopped = result.qualifiedResponse ? '&frist=gestoppt' : '';
      return seeOther(c, `${base(id)}?gesendet=${result.proposals.length}${stopped}#frist`);
    } catch (err) {
      if (err instanceof ProposalsRefused) {
        // Names only for the listed people of the reader's branch; anyone else stays an id.
        const names = new Map(
          ((await readMatches(deps.ctx, deps.matchService, c.get('actor'), id, includeActivation))?.results ?? []).map(
            (r) => [r.customer.id, r.customer.displayName],
          ),
        );
        const refusals = err.refusals.map((r) => ({
          name: names.get(r.customerId) ?? r.customerId,
          reasons: r.failed.map((f) => f.text),
        }));
        return render(c, deps, id, { propose: { issues: [], refusals, chosen: customerIds, note } }, 409);
      }
      const issues = refused(err);
      if (!issues) throw err;
      return render(c, deps, id, { propose: { issues, chosen: customerIds, note } }, 400);
    }
  });
}

export function responseAction(deps: VacancyPageDeps) {
  return page(async (c) => {
    const id = c.req.param('id') ?? '';
    const body = await c.req.parseBody();
    const reason = formText(body, 'reason') ?? '';
    const note = formText(body, 'note') ?? '';
    try {
      await recordResponse({
        ctx: deps.ctx,
        actor: c.get('actor'),
        input: { vacancyId: id, reason: reason as ResponseReason, note },
      });
    } catch (err) {
      const issues = refused(err);
      if (!issues) throw err;
      return render(c, deps, id, { response: { issues, reason, note } }, err instanceof ValidationFailed ? 400 : 409);
    }
    return seeOther(c, `${base(id)}?antwort=ok#frist`);
  });
}
