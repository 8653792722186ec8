/**
 * The vacancy form of the employer portal. It sends what `POST /api/v1/employer/vacancies` takes (the same zod
 * schema, `OrderInput`, through the same verb); this module only turns form fields into that shape and the verb's
 * issues back into messages at their fields.
 */
import { OFFER_TYPE_LABEL, OfferType, WORKING_TIME_LABEL, WorkingTime } from '../../../src/domain/enums.ts';
import type { Issue } from '../../../src/errors.ts';
import type { CodeCandidate } from '../../../src/taxonomy/coder.ts';
import { REQUIREMENT_LEVEL_LABEL } from '../../../src/taxonomy/kldb.ts';
import { CsrfField } from '../../csrf-field.tsx';
import { employer as T } from '../../messages/staff.de.ts';
import { describedBy, ErrorSummary, FieldError, type FieldIssue, messagesByPath } from '../ui.tsx';

export interface VacancyFormValues {
  title: string;
  description: string;
  plz: string;
  place: string;
  street: string;
  working_times: string[];
  contract_type: string;
  offer_type: string;
  start_date: string;
  number_of_positions: string;
  requirement_level: string;
  skills: string;
  contact_name: string;
  contact_email: string;
  contact_phone: string;
  route_kind: string;
  route_value: string;
  placement_order: boolean;
  /** One-time token of this form, sent as the verb's idempotency key: a double click stores one order. */
  form_token: string;
}

/** Helpful defaults: full time, permanent, a job, one position, candidates wanted, the user as contact. */
export function defaultValues(contact: { name: string; email: string }, formToken: string): VacancyFormValues {
  return {
    title: '',
    description: '',
    plz: '',
    place: '',
    street: '',
    working_times: ['vollzeit'],
    contract_type: 'unbefristet',
    offer_type: 'arbeit',
    start_date: '',
    number_of_positions: '1',
    requirement_level: '',
    skills: '',
    contact_name: contact.name,
    contact_email: contact.email,
    contact_phone: '',
    route_kind: '',
    route_value: '',
    placement_order: true,
    form_token: formToken,
  };
}

const str = (v: unknown, max = 100_000) => (typeof v === 'string' ? v.slice(0, max) : '');

export function valuesFromForm(body: Record<string, string | File | (string | File)[]>): VacancyFormValues {
  const list = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]).filter((x) => typeof x === 'string');
  return {
    title: str(body.title, 600),
    description: str(body.description),
    plz: str(body.plz, 20),
    place: str(body.place, 300),
    street: str(body.street, 300),
    working_times: list(body.working_times) as string[],
    contract_type: str(body.contract_type, 50),
    offer_type: str(body.offer_type, 50),
    start_date: str(body.start_date, 20),
    number_of_positions: str(body.number_of_positions, 20),
    requirement_level: str(body.requirement_level, 5),
    skills: str(body.skills, 5_000),
    contact_name: str(body.contact_name, 300),
    contact_email: str(body.contact_email, 400),
    contact_phone: str(body.contact_phone, 60),
    route_kind: str(body.route_kind, 50),
    route_value: str(body.route_value, 600),
    placement_order: body.placement_order === 'ja',
    form_token: str(body.form_token, 200),
  };
}

const present = (s: string) => s.trim().length > 0;

/** The order as the employer API's body: absent optional fields are left out, so the schema's defaults apply. */
export function orderFromValues(v: VacancyFormValues): Record<string, unknown> {
  const order: Record<string, unknown> = {
    title: v.title,
    description: v.description,
    plz: v.plz.trim(),
    working_times: v.working_times,
    contract_type: v.contract_type,
    offer_type: v.offer_type || undefined,
    number_of_positions: /^\s*\d+\s*$/.test(v.number_of_positions)
      ? Number(v.number_of_positions)
      : v.number_of_positions,
    skills: v.skills
      .split(/[\n,;]/)
      .map((s) => s.trim())
      .filter(Boolean),
    placement_order: v.placement_order,
  };
  if (present(v.place)) order.place = v.place;
  if (present(v.street)) order.street = v.street;
  if (present(v.start_date)) order.start_date = v.start_date.trim();
  if (present(v.requirement_level)) order.requirement_level = Number(v.requirement_level);
  if (present(v.contact_name) || present(v.contact_email) || present(v.contact_phone)) {
    order.contact_person = {
      name: v.contact_name,
      ...(present(v.contact_email) ? { email: v.contact_email } : {}),
      ...(present(v.contact_phone) ? { phone: v.contact_phone } : {}),
    };
  }
  if (present(v.route_kind)) {
    order.application_route = { kind: v.route_kind, ...(present(v.route_value) ? { value: v.route_value } : {}) };
  }
  return order;
}

/** Wire paths of the fields on this form and their element ids (the first checkbox for a group). */
const FIELD_IDS: Record<string, string> = {
  title: 'vacancy-title',
  description: 'vacancy-description',
  plz: 'vacancy-plz',
  place: 'vacancy-place',
  street: 'vacancy-street',
  working_times: 'vacancy-working_times-vollzeit',
  contract_type: 'vacancy-contract_type-unbefristet',
  offer_type: 'vacancy-offer_type',
  start_date: 'vacancy-start_date',
  number_of_positions: 'vacancy-number_of_positions',
  requirement_level: 'vacancy-requirement_level',
  skills: 'vacancy-skills',
  'contact_person.name': 'vacancy-contact_name',
  'contact_person.email': 'vacancy-contact_email',
  'contact_person.phone': 'vacancy-contact_phone',
  application_route: 'vacancy-route_kind',
  'application_route.kind': 'vacancy-route_kind',
  'application_route.value': 'vacancy-route_value',
  placement_order: 'vacancy-placement_order',
};

/** The form field a wire path belongs to: `skills.3` is the skills field. */
function fieldPath(path: string): string | undefined {
  let p = path;
  while (p) {
    if (FIELD_IDS[p]) return p;
    p = p.includes('.') ? p.slice(0, p.lastIndexOf('.')) : '';
  }
  return undefined;
}

/** Plain words for the commonest gaps, instead of the schema's generic message. */
const REQUIRED: Record<string, string> = {
  title: 'Bitte geben Sie die Berufsbezeichnung ein.',
  description: 'Bitte beschreiben Sie die Tätigkeit.',
  plz: 'Bitte geben Sie die fünfstellige Postleitzahl des Arbeitsorts ein.',
  working_times: 'Bitte wählen Sie mindestens eine Arbeitszeit.',
  'contact_person.name': 'Bitte geben Sie den Namen der Ansprechperson ein.',
};

/** The verb's issues keyed by form field, with plain words for empty required fields. */
export function issuesByField(issues: readonly Issue[], values: VacancyFormValues): Map<string, string> {
  const mapped: Issue[] = issues.map((i) => {
    const path = fieldPath(i.path) ?? i.path;
    const emptyRequired =
      (path === 'title' && !present(values.title)) ||
      (path === 'description' && !present(values.description)) ||
      (path === 'plz' && !present(values.plz)) ||
      (path === 'working_times' && values.working_times.length === 0) ||
      (path === 'contact_person.name' && !present(values.contact_name));
    if (emptyRequired && REQUIRED[path]) return { path, message: REQUIRED[path] };
    if (path === 'number_of_positions' && !/^\s*\d+\s*$/.test(values.number_of_positions)) {
      return { path, message: T.positionsNumber };
    }
    return { path, message: i.message };
  });
  return messagesByPath(mapped);
}

export function summaryOf(byField: Map<string, string>): FieldIssue[] {
  return [...byField].map(([path, message]) => ({ fieldId: FIELD_IDS[path], message }));
}

export interface Suggestions {
  items: CodeCandidate[];
  chosen?: string | undefined;
}

interface TextFieldProps {
  name: keyof VacancyFormValues;
  path?: string;
  label: string;
  hint?: string;
  type?: string;
  value: string;
  errors: Map<string, string>;
  required?: boolean;
  autocomplete?: string;
  inputmode?: 'numeric' | 'text';
  maxlength?: number;
  short?: boolean;
}

function TextField(p: TextFieldProps) {
  const id = `vacancy-${p.name}`;
  const error = p.errors.get(p.path ?? p.name);
  return (
    <div class={`field${error ? ' has-error' : ''}`}>
      <label for={id}>
        {p.label}
        {p.required && <span aria-hidden="true"> {T.required}</span>}
      </label>
      {p.hint && (
        <span class="hint" id={`${id}-hint`}>
          {p.hint}
        </span>
      )}
      <FieldError id={id} message={error} />
      <input
        type={p.type ?? 'text'}
        id={id}
        name={p.name}
        value={p.value}
        class={p.short ? 'short' : undefined}
        required={p.required}
        autocomplete={p.autocomplete}
        inputmode={p.inputmode}
        maxlength={p.maxlength}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={describedBy(id, Boolean(p.hint), error)}
      />
    </div>
  );
}

export function VacancyForm({
  values,
  errors,
  csrfToken,
  suggestions,
}: {
  values: VacancyFormValues;
  errors: Map<string, string>;
  csrfToken: string;
  suggestions?: Suggestions | undefined;
}) {
  const F = T.fields;
  const wtError = errors.get('working_times');
  const ctError = errors.get('contract_type');
  const titleError = errors.get('title');
  const descriptionError = errors.get('description');
  const skillsError = errors.get('skills');
  const levelError = errors.get('requirement_level');
  const routeError = errors.get('application_route.kind') ?? errors.get('application_route');
  const chosen = suggestions?.items.find((s) => s.code === suggestions.chosen);
  return (
    <>
      <ErrorSummary heading={T.errorHeading} issues={summaryOf(errors)} />
      <form method="post" action="/arbeitgeber/stellen/neu" novalidate data-once>
        <CsrfField token={csrfToken} />
        <input type="hidden" name="form_token" value={values.form_token} />
        <section class="card" aria-labelledby="sec-job">
          <h2 id="sec-job">{T.sections.job}</h2>
          <div class={`field${titleError ? ' has-error' : ''}`}>
            <label for="vacancy-title">
              {F.title}
              <span aria-hidden="true"> {T.required}</span>
            </label>
            <span class="hint" id="vacancy-title-hint">
              {F.titleHint}
            </span>
            <FieldError id="vacancy-title" message={titleError} />
            <div class="inline">
              <input
                type="text"
                id="vacancy-title"
                name="title"
                value={values.title}
                required
                maxlength={500}
                autocomplete="off"
                aria-invalid={titleError ? 'true' : undefined}
                aria-describedby={describedBy('vacancy-title', true, titleError)}
              />
              <button type="submit" name="aktion" value="vorschlag" class="button button--secondary">
                {F.suggest}
              </button>
            </div>
          </div>
          <div
            class="field"
            data-suggest-url="/arbeitgeber/berufsvorschlaege"
            data-found-text={F.suggestFound}
            data-none-text={F.suggestNone}
          >
            <p class="hint">{F.suggestHint}</p>
            <p aria-live="polite" data-suggest-status>
              {suggestions ? (suggestions.items.length ? F.suggestFound : F.suggestNone) : ''}
            </p>
            {chosen && <p>{F.chosen(chosen.title)}</p>}
            <ul class="suggestions" data-suggest-list>
              {(suggestions?.items ?? []).map((s) => (
                <li>
                  <button
                    type="submit"
                    name="berufsfeld"
                    value={s.code}
                    class="button button--secondary"
                    aria-pressed={s.code === suggestions?.chosen ? 'true' : 'false'}
                  >
                    {s.title}
                  </button>
                </li>
              ))}
            </ul>
          </div>
          <div class={`field${descriptionError ? ' has-error' : ''}`}>
            <label for="vacancy-description">
              {F.description}
              <span aria-hidden="true"> {T.required}</span>
            </label>
            <span class="hint" id="vacancy-description-hint">
              {F.descriptionHint}
            </span>
            <FieldError id="vacancy-description" message={descriptionError} />
            <textarea
              id="vacancy-description"
              name="description"
              required
              rows={8}
              aria-invalid={descriptionError ? 'true' : undefined}
              aria-describedby={describedBy('vacancy-description', true, descriptionError)}
            >
              {values.description}
            </textarea>
          </div>
          <div class={`field${levelError ? ' has-error' : ''}`}>
            <label for="vacancy-requirement_level">{F.level}</label>
            <FieldError id="vacancy-requirement_level" message={levelError} />
            <select
              id="vacancy-requirement_level"
              name="requirement_level"
              aria-invalid={levelError ? 'true' : undefined}
              aria-describedby={describedBy('vacancy-requirement_level', false, levelError)}
            >
              <option value="">{F.levelAny}</option>
              {Object.entries(REQUIREMENT_LEVEL_LABEL).map(([level, label]) => (
                <option value={level} selected={values.requirement_level === level}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div class={`field${skillsError ? ' has-error' : ''}`}>
            <label for="vacancy-skills">{F.skills}</label>
            <span class="hint" id="vacancy-skills-hint">
              {F.skillsHint}
            </span>
            <FieldError id="vacancy-skills" message={skillsError} />
            <textarea
              id="vacancy-skills"
              name="skills"
              rows={3}
              aria-invalid={skillsError ? 'true' : undefined}
              aria-describedby={describedBy('vacancy-skills', true, skillsError)}
            >
              {values.skills}
            </textarea>
          </div>
        </section>

        <section class="card" aria-labelledby="sec-place">
          <h2 id="sec-place">{T.sections.place}</h2>
          <TextField
            name="plz"
            label={F.plz}
            value={values.plz}
            errors={errors}
            required
            inputmode="numeric"
            autocomplete="postal-code"
            maxlength={5}
            short
          />
          <TextField name="place" label={F.place} hint={F.placeHint} value={values.place} errors={errors} />
          <TextField
            name="street"
            label={F.street}
            value={values.street}
            errors={errors}
            autocomplete="street-address"
          />
        </section>

        <section class="card" aria-labelledby="sec-conditions">
          <h2 id="sec-conditions">{T.sections.conditions}</h2>
          <fieldset
            class={wtError ? 'has-error' : undefined}
            aria-describedby={wtError ? 'vacancy-working_times-error' : undefined}
          >
            <legend>
              {F.workingTimes}
              <span aria-hidden="true"> {T.required}</span>
            </legend>
            <FieldError id="vacancy-working_times" message={wtError} />
            <div class="choices">
              {WorkingTime.options.map((wt) => (
                <label class="choice" for={`vacancy-working_times-${wt}`}>
                  <input
                    type="checkbox"
                    id={`vacancy-working_times-${wt}`}
                    name="working_times"
                    value={wt}
                    checked={values.working_times.includes(wt)}
                  />
                  {WORKING_TIME_LABEL[wt]}
                </label>
              ))}
            </div>
          </fieldset>
          <fieldset
            class={ctError ? 'has-error' : undefined}
            aria-describedby={ctError ? 'vacancy-contract_type-error' : undefined}
          >
            <legend>{F.contractType}</legend>
            <FieldError id="vacancy-contract_type" message={ctError} />
            <div class="choices">
              {['unbefristet', 'befristet'].map((ct) => (
                <label class="choice" for={`vacancy-contract_type-${ct}`}>
                  <input
                    type="radio"
                    id={`vacancy-contract_type-${ct}`}
                    name="contract_type"
                    value={ct}
                    checked={values.contract_type === ct}
                  />
                  {F.contract[ct]}
                </label>
              ))}
            </div>
          </fieldset>
          <div class="field">
            <label for="vacancy-offer_type">{F.offerType}</label>
            <select id="vacancy-offer_type" name="offer_type">
              {OfferType.options.map((o) => (
                <option value={o} selected={values.offer_type === o}>
                  {OFFER_TYPE_LABEL[o]}
                </option>
              ))}
            </select>
          </div>
          <TextField
            name="start_date"
            type="date"
            label={F.startDate}
            hint={F.startDateHint}
            value={values.start_date}
            errors={errors}
            short
          />
          <TextField
            name="number_of_positions"
            type="number"
            label={F.positions}
            value={values.number_of_positions}
            errors={errors}
            inputmode="numeric"
            short
          />
        </section>

        <section class="card" aria-labelledby="sec-contact">
          <h2 id="sec-contact">{T.sections.contact}</h2>
          <TextField
            name="contact_name"
            path="contact_person.name"
            label={F.contactName}
            value={values.contact_name}
            errors={errors}
            autocomplete="name"
          />
          <TextField
            name="contact_email"
            path="contact_person.email"
            type="email"
            label={F.contactEmail}
            value={values.contact_email}
            errors={errors}
            autocomplete="email"
          />
          <TextField
            name="contact_phone"
            path="contact_person.phone"
            type="tel"
            label={F.contactPhone}
            value={values.contact_phone}
            errors={errors}
            autocomplete="tel"
          />
          <div class={`field${routeError ? ' has-error' : ''}`}>
            <label for="vacancy-route_kind">{F.routeKind}</label>
            <FieldError id="vacancy-route_kind" message={routeError} />
            <select
              id="vacancy-route_kind"
              name="route_kind"
              aria-invalid={routeError ? 'true' : undefined}
              aria-describedby={describedBy('vacancy-route_kind', false, routeError)}
            >
              <option value="">{F.routeNone}</option>
              {Object.entries(F.route).map(([kind, label]) => (
                <option value={kind} selected={values.route_kind === kind}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <TextField
            name="route_value"
            path="application_route.value"
            label={F.routeValue}
            value={values.route_value}
            errors={errors}
          />
        </section>

        <section class="card" aria-labelledby="sec-service">
          <h2 id="sec-service">{T.sections.service}</h2>
          <div class="field">
            <label class="choice" for="vacancy-placement_order">
              <input
                type="checkbox"
                id="vacancy-placement_order"
                name="placement_order"
                value="ja"
                checked={values.placement_order}
                aria-describedby="vacancy-placement_order-hint"
              />
              {F.placement}
            </label>
            <span class="hint" id="vacancy-placement_order-hint">
              {F.placementHint}
            </span>
          </div>
        </section>
        <div class="actions">
          <button type="submit" name="aktion" value="absenden" class="button">
            {T.submit}
          </button>
        </div>
      </form>
    </>
  );
}
