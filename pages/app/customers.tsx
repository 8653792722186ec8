/**
 * /app/kunden and /app/kunden/:id: the branch's customers, and one customer's profile form with their ranked
 * vacancies. The same verbs as api/caseworker/customers.ts (`listCustomers`, `readCustomerProfile`,
 * `patchCustomer`) and api/caseworker/matches.ts (`customerMatchList`, audited as the route does). The form sends
 * the version it was loaded with, as the API's If-Match does: a change made meanwhile by someone else is not
 * overwritten (409, and the page shows the current record).
 */
import { type CustomerMatchList, customerMatchList } from '../../matchers/service/match-lists.ts';
import type { MatchService } from '../../matchers/service/match-service.ts';
import type { Actor } from '../../src/audit/record.ts';
import type { Ctx } from '../../src/context.ts';
import { customerScope } from '../../src/customers/access.ts';
import { auditedRead } from '../../src/customers/audited-read.ts';
import {
  type CustomerProfile,
  listCustomers,
  type PatchCustomerInput,
  patchCustomer,
  readCustomerProfile,
} from '../../src/customers/profile.ts';
import { Licence, PROFILE_GROUP_LABEL, ProfileGroup, WORKING_TIME_LABEL, WorkingTime } from '../../src/domain/enums.ts';
import { AppError, type Issue, ValidationFailed } from '../../src/errors.ts';
import type { CodeCandidate } from '../../src/taxonomy/coder.ts';
import { formatPercent, W } from '../messages/workbench.de.ts';
import { formList, formText, page, seeOther } from './errors.tsx';
import { formatDay } from './format.ts';
import {
  Csrf,
  ErrorSummary,
  Field,
  fieldId,
  issueFor,
  Notice,
  Pager,
  pageParam,
  TableWrap,
  type WorkbenchContext,
  WorkbenchPage,
} from './ui.tsx';

export interface CustomerPageDeps {
  ctx: Ctx;
  matchService: MatchService;
}

const PER_PAGE = 50;
const VACANCY_LIMIT = 20;
const F = W.customer.fields;

export function customerListPage({ ctx }: { ctx: Ctx }) {
  return page(async (c) => {
    const actor = c.get('actor');
    const pageNo = pageParam(c);
    const rawGroup = c.req.query('profillage');
    const group = ProfileGroup.safeParse(rawGroup);
    const profileGroup = group.success ? group.data : undefined;
    const result = await listCustomers(ctx, actor, {
      limit: PER_PAGE,
      offset: (pageNo - 1) * PER_PAGE,
      profileGroup,
    });
    const from = (pageNo - 1) * PER_PAGE + 1;
    const to = from + result.items.length - 1;
    const groupId = fieldId('filter', 'profillage');
    return c.html(
      <WorkbenchPage c={c} title={W.customers.title} section="customers">
        <h1>{W.customers.title}</h1>
        <p class="lead">{W.customers.intro}</p>
        <form method="get" action="/app/kunden" class="form form--inline" aria-label={W.common.filter}>
          <div class="field">
            <label for={groupId}>{W.customers.group}</label>
            <select id={groupId} name="profillage">
              <option value="">{W.customers.allGroups}</option>
              {ProfileGroup.options.map((g) => (
                <option value={g} selected={g === profileGroup}>
                  {PROFILE_GROUP_LABEL[g]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="button">
            {W.common.apply}
          </button>
        </form>
        {result.items.length === 0 ? (
          <p class="empty">{W.customers.empty}</p>
        ) : (
          <>
            <p>{W.customers.showing(from, to, result.total)}</p>
            <TableWrap>
              <table class="table">
                <caption>{W.customers.caption(result.total)}</caption>
                <thead>
                  <tr>
                    <th scope="col">{W.customers.cols.name}</th>
                    <th scope="col">{W.customers.cols.caseNumber}</th>
                    <th scope="col">{W.customers.cols.group}</th>
                    <th scope="col">{W.customers.cols.plz}</th>
                    <th scope="col">{W.customers.cols.available}</th>
                    <th scope="col">{W.customers.cols.consent}</th>
                  </tr>
                </thead>
                <tbody>
                  {result.items.map((p) => (
                    <tr>
                      <th scope="row">
                        <a href={`/app/kunden/${p.id}`}>{p.displayName}</a>
                      </th>
                      <td>{p.caseNumber ?? W.common.none}</td>
                      <td>{PROFILE_GROUP_LABEL[p.profileGroup]}</td>
                      <td>{p.plz}</td>
                      <td>{formatDay(p.availableFrom)}</td>
                      <td>{p.consent ? W.common.yes : W.common.no}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          </>
        )}
        <Pager base="/app/kunden" params={{ profillage: profileGroup }} page={pageNo} hasNext={to < result.total} />
      </WorkbenchPage>,
    );
  });
}

/** The form's values as text, from the record or from what the person entered. */
type FormValues = Record<string, string | string[] | boolean>;

function valuesOf(p: CustomerProfile): FormValues {
  return {
    display_name: p.displayName,
    case_number: p.caseNumber ?? '',
    branch_id: String(p.branchId),
    profile_group: p.profileGroup,
    target_kldb_codes: p.targetKldbCodes.join(', '),
    target_occupation_text: '',
    qualifications: p.qualifications.join('\n'),
    skills: p.skills.join('\n'),
    licences: p.licences,
    languages: p.languages.map((l) => `${l.language}:${l.level}`).join(', '),
    plz: p.plz,
    max_commute_km: String(p.maxCommuteKm),
    working_times: p.workingTimes,
    available_from: p.availableFrom.toISOString().slice(0, 10),
    consent: p.consent,
    contact_consent: p.contactConsent,
    blocked_until: p.blockedUntil ? p.blockedUntil.toISOString().slice(0, 10) : '',
    blocked_reason: p.blockedReason ?? '',
  };
}

function valuesFromForm(body: Record<string, unknown>): FormValues {
  const text = (n: string) => formText(body, n) ?? '';
  return {
    display_name: text('display_name'),
    case_number: text('case_number'),
    branch_id: text('branch_id'),
    profile_group: text('profile_group'),
    target_kldb_codes: text('target_kldb_codes'),
    target_occupation_text: text('target_occupation_text'),
    qualifications: text('qualifications'),
    skills: text('skills'),
    licences: formList(body, 'licences'),
    languages: text('languages'),
    plz: text('plz'),
    max_commute_km: text('max_commute_km'),
    working_times: formList(body, 'working_times'),
    available_from: text('available_from'),
    consent: text('consent') === 'ja',
    contact_consent: text('contact_consent') === 'ja',
    blocked_until: text('blocked_until'),
    blocked_reason: text('blocked_reason'),
  };
}

const lines = (v: string) =>
  v
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean);
const commaList = (v: string) =>
  v
    .split(/[,;\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * The form as the verb's input, in its own names; only fields that differ from the record, so the audit trail
 * names what was changed. Text the form cannot turn into a value (a number, a language entry) is named as an issue.
 */
function changesOf(
  form: FormValues,
  current: CustomerProfile,
  mayMove: boolean,
): { input: PatchCustomerInput; issues: Issue[] } {
  const was = valuesOf(current);
  const input: Record<string, unknown> = {};
  const issues: Issue[] = [];
  const s = (k: string) => String(form[k] ?? '');
  const changed = (k: string) => JSON.stringify(form[k]) !== JSON.stringify(was[k]);
  if (changed('display_name')) input.displayName = s('display_name');
  if (changed('case_number')) input.caseNumber = s('case_number').trim() || null;
  if (mayMove && changed('branch_id')) {
    if (!/^\d{1,5}$/.test(s('branch_id').trim()))
      issues.push({ path: 'branch_id', message: 'Bitte eine Zahl eingeben' });
    else input.branchId = Number(s('branch_id'));
  }
  if (changed('profile_group')) input.profileGroup = s('profile_group');
  if (commaList(s('target_kldb_codes')).join(',') !== current.targetKldbCodes.join(',')) {
    input.targetKldbCodes = commaList(s('target_kldb_codes'));
  }
  if (s('target_occupation_text').trim()) input.targetOccupationText = s('target_occupation_text');
  if (lines(s('qualifications')).join('\n') !== current.qualifications.join('\n')) {
    input.qualifications = lines(s('qualifications'));
  }
  if (lines(s('skills')).join('\n') !== current.skills.join('\n')) input.skills = lines(s('skills'));
  if ([...(form.licences as string[])].sort().join() !== [...current.licences].sort().join()) {
    input.licences = form.licences;
  }
  const languages = commaList(s('languages')).map((entry) => {
    const [language, level] = entry.split(':');
    return {
      language: (language ?? '').toLowerCase(),
      level: level === 'native' ? level : (level ?? '').toUpperCase(),
    };
  });
  if (commaList(s('languages')).some((e) => !/^[a-z]{2}:[a-z0-9]+$/i.test(e))) {
    issues.push({ path: 'languages', message: F.languages_hint });
  } else if (JSON.stringify(languages) !== JSON.stringify(current.languages)) {
    input.languages = languages;
  }
  if (changed('plz')) input.plz = s('plz').trim();
  if (changed('max_commute_km')) {
    const km = Number(s('max_commute_km').replace(',', '.'));
    if (s('max_commute_km').trim() === '' || Number.isNaN(km)) {
      issues.push({ path: 'max_commute_km', message: 'Bitte eine Zahl eingeben' });
    } else input.maxCommuteKm = km;
  }
  if ([...(form.working_times as string[])].sort().join() !== [...current.workingTimes].sort().join()) {
    input.workingTimes = form.working_times;
  }
  if (changed('available_from')) input.availableFrom = s('available_from');
  if (changed('consent')) input.consent = form.consent;
  if (changed('contact_consent')) input.contactConsent = form.contact_consent;
  if (changed('blocked_until')) {
    input.blockedUntil = s('blocked_until') ? new Date(`${s('blocked_until')}T00:00:00Z`) : null;
    if (input.blockedUntil instanceof Date && Number.isNaN(input.blockedUntil.getTime())) {
      issues.push({ path: 'blocked_until', message: 'Bitte ein Datum eingeben' });
    }
  }
  if (changed('blocked_reason')) input.blockedReason = s('blocked_reason').trim() || null;
  return { input: input as PatchCustomerInput, issues };
}

/** `GET /api/v1/customers/:id/matches`, as the route reads and audits it. */
async function readVacancies(
  ctx: Ctx,
  matchService: MatchService,
  actor: Actor,
  id: string,
): Promise<CustomerMatchList | 'incomplete'> {
  try {
    return await auditedRead(
      ctx,
      {
        actor,
        action: 'read',
        objectType: 'customer_matches',
        objectId: id,
        purpose: 'matching',
        detail: { limit: VACANCY_LIMIT },
      },
      () => customerMatchList(ctx, matchService, id, { limit: VACANCY_LIMIT, branchId: customerScope(actor) }),
      (l) => ({ vacancyIds: l.results.map((r) => r.vacancy.id), source: l.source }),
    );
  } catch (err) {
    if (err instanceof AppError && err.code === 'conflict') return 'incomplete';
    throw err;
  }
}

interface CustomerForm {
  values: FormValues;
  issues: Issue[];
  /** The version the person edited, kept across a refused save. */
  version?: string;
  conflict?: boolean;
  suggestions?: CodeCandidate[] | null;
}

async function render(
  c: WorkbenchContext,
  deps: CustomerPageDeps,
  id: string,
  form?: CustomerForm,
  status: 200 | 400 | 409 = 200,
) {
  const actor = c.get('actor');
  const profile = await readCustomerProfile(deps.ctx, actor, id);
  const vacancies = await readVacancies(deps.ctx, deps.matchService, actor, id);
  const values = form && !form.conflict ? form.values : valuesOf(profile);
  const issues = form?.issues ?? [];
  const version =
    form && !form.conflict ? (form.version ?? profile.updatedAt.toISOString()) : profile.updatedAt.toISOString();
  const mayMove = actor.role === 'branch_lead' || actor.role === 'admin';
  const saved = c.req.query('gespeichert');
  const suggestions = form?.suggestions ?? null;
  const f = (name: string, extra: Partial<Parameters<typeof Field>[0]> = {}) => (
    <Field
      form="profil"
      name={name}
      label={(F as Record<string, string>)[name] ?? name}
      value={String(values[name] ?? '')}
      error={issueFor(issues, name)}
      {...extra}
    />
  );
  return c.html(
    <WorkbenchPage c={c} title={W.customer.titleOf(profile.displayName)} section="customers">
      <p class="breadcrumb">
        <a href="/app/kunden">{W.customers.title}</a>
      </p>
      <h1>{profile.displayName}</h1>
      <p>
        {W.customer.id}: <code>{profile.id}</code>
      </p>
      {saved === 'ja' ? <Notice>{W.customer.saved}</Notice> : null}
      {saved === 'unveraendert' ? <Notice kind="info">{W.customer.unchanged}</Notice> : null}
      {form?.conflict ? <Notice kind="warning">{W.customer.conflict}</Notice> : null}
      {suggestions && suggestions.length > 0 ? (
        <TableWrap>
          <table class="table">
            <caption>{W.customer.suggestionsCaption}</caption>
            <thead>
              <tr>
                <th scope="col">{W.customer.suggestionCols.code}</th>
                <th scope="col">{W.customer.suggestionCols.title}</th>
                <th scope="col">{W.customer.suggestionCols.confidence}</th>
              </tr>
            </thead>
            <tbody>
              {suggestions.slice(0, 5).map((s) => (
                <tr>
                  <th scope="row">{s.code}</th>
                  <td>{s.title}</td>
                  <td>{formatPercent(s.confidence, 0)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      ) : null}

      <div class="columns columns--wide">
        <section aria-labelledby="profil" class="panel">
          <h2 id="profil">{W.customer.profile}</h2>
          <p class="hint">{W.customer.profileIntro}</p>
          <ErrorSummary form="profil" issues={issues} />
          <form method="post" action={`/app/kunden/${id}`} class="form" novalidate>
            <Csrf c={c} />
            <input type="hidden" name="version" value={version} />
            {f('display_name', { required: true, autocomplete: 'off' })}
            {f('case_number', { hint: F.case_number_hint })}
            {mayMove ? f('branch_id', { hint: F.branch_id_hint, inputmode: 'numeric' }) : null}
            <div class="field">
              <label for={fieldId('profil', 'profile_group')}>{F.profile_group}</label>
              <select id={fieldId('profil', 'profile_group')} name="profile_group">
                {ProfileGroup.options.map((g) => (
                  <option value={g} selected={values.profile_group === g}>
                    {PROFILE_GROUP_LABEL[g]}
                  </option>
                ))}
              </select>
            </div>
            {f('target_kldb_codes', { hint: F.target_kldb_codes_hint, required: true })}
            {f('target_occupation_text', { hint: F.target_occupation_text_hint })}
            {f('qualifications', { hint: F.list_hint, multiline: true, rows: 3 })}
            {f('skills', { hint: F.list_hint, multiline: true, rows: 3 })}
            <Checkboxes
              name="licences"
              legend={F.licences}
              options={Licence.options.map((l) => [l, l])}
              chosen={values.licences as string[]}
              error={issueFor(issues, 'licences')}
            />
            {f('languages', { hint: F.languages_hint })}
            {f('plz', { required: true, inputmode: 'numeric', autocomplete: 'off' })}
            {f('max_commute_km', { required: true, inputmode: 'numeric' })}
            <Checkboxes
              name="working_times"
              legend={F.working_times}
              options={WorkingTime.options.map((w) => [w, WORKING_TIME_LABEL[w]])}
              chosen={values.working_times as string[]}
              error={issueFor(issues, 'working_times')}
            />
            {f('available_from', { type: 'date', required: true })}
            <fieldset class="fieldset">
              <legend>{F.consents}</legend>
              <Check name="consent" label={F.consent} checked={values.consent === true} />
              <Check name="contact_consent" label={F.contact_consent} checked={values.contact_consent === true} />
            </fieldset>
            <fieldset class="fieldset">
              <legend>{F.block}</legend>
              <p class="field__hint">{F.block_hint}</p>
              {f('blocked_until', { type: 'date' })}
              {f('blocked_reason')}
            </fieldset>
            <button type="submit" class="button button--primary">
              {W.customer.save}
            </button>
          </form>
        </section>
        <VacancyList list={vacancies} />
      </div>
    </WorkbenchPage>,
    status,
  );
}

function Check({ name, label, checked }: { name: string; label: string; checked: boolean }) {
  const id = fieldId('profil', name);
  return (
    <div class="choice">
      <input type="checkbox" id={id} name={name} value="ja" checked={checked} />
      <label for={id}>{label}</label>
    </div>
  );
}

function Checkboxes(props: {
  name: string;
  legend: string;
  options: Array<[string, string]>;
  chosen: string[];
  error?: string;
}) {
  const id = fieldId('profil', props.name);
  return (
    <fieldset class={props.error ? 'fieldset field--error' : 'fieldset'} id={id}>
      <legend>{props.legend}</legend>
      {props.error ? <p class="field__error">{props.error}</p> : null}
      <div class="choices">
        {props.options.map(([value, label]) => (
          <div class="choice">
            <input
              type="checkbox"
              id={`${id}-${value}`}
              name={props.name}
              value={value}
              checked={props.chosen.includes(value)}
            />
            <label for={`${id}-${value}`}>{label}</label>
          </div>
        ))}
      </div>
    </fieldset>
  );
}

function VacancyList({ list }: { list: CustomerMatchList | 'incomplete' }) {
  return (
    <section aria-labelledby="stellen" class="panel">
      <h2 id="stellen">{W.customer.vacancies}</h2>
      {list === 'incomplete' ? (
        <p>{W.customer.incomplete}</p>
      ) : (
        <>
          {list.ineligible.length > 0 ? (
            <div class="notice notice--info">
              <p>{W.customer.notEligible}</p>
              <ul>
                {list.ineligible.map((r) => (
                  <li>{r.text}</li>
                ))}
              </ul>
            </div>
          ) : null}
          {list.capNote ? <p>{list.capNote}</p> : null}
          {list.results.length === 0 ? (
            <p>{W.customer.vacanciesEmpty}</p>
          ) : (
            <TableWrap>
              <table class="table">
                <caption>{W.customer.vacanciesCaption}</caption>
                <thead>
                  <tr>
                    <th scope="col">{W.customer.vacancyCols.rank}</th>
                    <th scope="col">{W.customer.vacancyCols.title}</th>
                    <th scope="col">{W.customer.vacancyCols.place}</th>
                    <th scope="col">{W.customer.vacancyCols.score}</th>
                    <th scope="col">{W.customer.vacancyCols.reasons}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.results.map((r, i) => (
                    <tr>
                      <td>{i + 1}</td>
                      <th scope="row">
                        <a href={`/app/stellen/${r.vacancy.id}`}>{r.vacancy.title}</a>
                        {r.vacancy.employerName ? <span class="sub">{r.vacancy.employerName}</span> : null}
                      </th>
                      <td>{[r.vacancy.plz, r.vacancy.place].filter(Boolean).join(' ') || W.common.none}</td>
                      <td>{W.vacancy.score(r.score)}</td>
                      <td>
                        <details>
                          <summary>{W.vacancy.why}</summary>
                          <ul class="reasons">
                            {r.parts.map((p) => (
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
          )}
        </>
      )}
    </section>
  );
}

export function customerPage(deps: CustomerPageDeps) {
  return page((c) => render(c, deps, c.req.param('id') ?? ''));
}

export function customerSaveAction(deps: CustomerPageDeps) {
  return page(async (c) => {
    const id = c.req.param('id') ?? '';
    const actor = c.get('actor');
    const body = await c.req.parseBody({ all: true });
    const version = formText(body, 'version') ?? '';
    const expected = new Date(version);
    const values = valuesFromForm(body);
    if (Number.isNaN(expected.getTime())) {
      return render(c, deps, id, { values, issues: [], conflict: true }, 409);
    }
    const current = await readCustomerProfile(deps.ctx, actor, id);
    // The If-Match rule: a form loaded before someone else's change may not overwrite it, nor pass as unchanged.
    if (current.updatedAt.getTime() !== expected.getTime()) {
      return render(c, deps, id, { values, issues: [], conflict: true }, 409);
    }
    const { input, issues } = changesOf(values, current, actor.role === 'branch_lead' || actor.role === 'admin');
    if (issues.length) return render(c, deps, id, { values, issues, version }, 400);
    if (Object.keys(input).length === 0) return seeOther(c, `/app/kunden/${id}?gespeichert=unveraendert`);
    try {
      const answer = await patchCustomer({ ctx: deps.ctx, actor, id, input, expectedUpdatedAt: expected });
      if (answer.suggestions?.length) {
        return render(c, deps, id, { values: valuesOf(answer.customer), issues: [], suggestions: answer.suggestions });
      }
    } catch (err) {
      if (err instanceof ValidationFailed) {
        const list = err.issues.length ? err.issues : [{ path: '', message: err.message }];
        return render(c, deps, id, { values, issues: list, version }, 400);
      }
      if (err instanceof AppError && err.code === 'conflict') {
        // Someone else saved in between (the page then shows the record as it is now), or the number is taken.
        const now = await readCustomerProfile(deps.ctx, actor, id);
        return now.updatedAt.getTime() !== expected.getTime()
          ? render(c, deps, id, { values, issues: [], conflict: true }, 409)
          : render(c, deps, id, { values, issues: [{ path: 'case_number', message: err.message }], version }, 409);
      }
      throw err;
    }
    return seeOther(c, `/app/kunden/${id}?gespeichert=ja`);
  });
}
