/**
 * The search form, on the start page (empty) and beside the results (filled, with how many results each choice
 * has). Works without script: a plain GET form. Nothing is remembered by the browser (autocomplete off).
 */
import { OfferType, WorkingTime } from '../../src/domain/enums.ts';
import type { SearchFacets } from '../../src/search/search-engine.ts';
import { DEFAULT_LANG, type KioskMessages, type Lang } from '../messages/index.ts';
import { formatCount } from './format.ts';
import { KIOSK_PATH } from './layout.tsx';
import {
  errorText,
  FIELDS,
  type FieldError,
  type FormField,
  type KioskForm,
  MAX_TEXT,
  RADII_KM,
} from './search-form.ts';

export const SEARCH_PATH = `${KIOSK_PATH}/suche`;

/** Field ids in the page; an error summary links to them. */
const FIELD_ID: Record<FormField, string> = {
  q: 'q',
  ort: 'ort',
  umkreis: 'umkreis',
  arbeitszeit: 'arbeitszeit-vollzeit',
  berufsfeld: 'berufsfeld',
  angebot: 'angebot-alle',
  seite: 'q',
};

interface SearchFormProps {
  m: KioskMessages;
  lang: Lang;
  form: KioskForm;
  errors: readonly FieldError[];
  facets?: SearchFacets;
}

function describedBy(...ids: Array<string | false | undefined>): string | undefined {
  const list = ids.filter(Boolean).join(' ');
  return list || undefined;
}

function ErrorText(props: { id: string; error?: FieldError; m: KioskMessages }) {
  if (!props.error) return null;
  return (
    <p class="field-error" id={props.id}>
      {errorText(props.m, props.error)}
    </p>
  );
}

/** "(1.234)" after a choice, when counts are known; zero counts are not in the facets and show as 0. */
function Count(props: { m: KioskMessages; n: number | undefined; facets?: SearchFacets }) {
  if (!props.facets) return null;
  return <span class="count"> ({formatCount(props.m, props.n ?? 0)})</span>;
}

function fieldCounts(facets: SearchFacets | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [code, n] of Object.entries(facets?.kldb2 ?? {})) {
    const area = code.slice(0, 1);
    counts[area] = (counts[area] ?? 0) + n;
  }
  return counts;
}

export function ErrorSummary(props: { m: KioskMessages; errors: readonly FieldError[] }) {
  if (!props.errors.length) return null;
  return (
    <div class="error-summary" role="alert" aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{props.m.errorSummary}</h2>
      <ul>
        {props.errors.map((e) => (
          <li>
            <a href={`#${FIELD_ID[e.field]}`}>{errorText(props.m, e)}</a>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function SearchForm(props: SearchFormProps) {
  const { m, lang, form, errors, facets } = props;
  const error = (field: FormField) => errors.find((e) => e.field === field);
  const areas = fieldCounts(facets);
  const qError = error('q');
  const ortError = error('ort');
  const radiusError = error('umkreis');
  const timeError = error('arbeitszeit');
  const fieldError = error('berufsfeld');
  const offerError = error('angebot');
  return (
    <form method="get" action={SEARCH_PATH} class="search-form">
      {lang !== DEFAULT_LANG ? <input type="hidden" name="lang" value={lang} /> : null}
      <div class="field">
        <label for="q">{m.whatLabel}</label>
        <p class="hint" id="q-hint">
          {m.whatHint}
        </p>
        <ErrorText id="q-error" error={qError} m={m} />
        <input
          type="search"
          id="q"
          name="q"
          value={form.q}
          maxlength={MAX_TEXT}
          autocomplete="off"
          spellcheck={false}
          aria-describedby={describedBy('q-hint', qError && 'q-error')}
          aria-invalid={qError ? 'true' : undefined}
        />
      </div>
      <div class="field-row">
        <div class="field">
          <label for="ort">{m.whereLabel}</label>
          <p class="hint" id="ort-hint">
            {m.whereHint}
          </p>
          <ErrorText id="ort-error" error={ortError} m={m} />
          <input
            type="text"
            id="ort"
            name="ort"
            value={form.ort}
            maxlength={MAX_TEXT}
            autocomplete="off"
            spellcheck={false}
            aria-describedby={describedBy('ort-hint', ortError && 'ort-error')}
            aria-invalid={ortError ? 'true' : undefined}
          />
        </div>
        <div class="field field-narrow">
          <label for="umkreis">{m.radiusLabel}</label>
          <ErrorText id="umkreis-error" error={radiusError} m={m} />
          <select
            id="umkreis"
            name="umkreis"
            aria-describedby={describedBy(radiusError && 'umkreis-error')}
            aria-invalid={radiusError ? 'true' : undefined}
          >
            {RADII_KM.map((km) => (
              <option value={String(km)} selected={km === form.umkreis}>
                {m.radiusOption(formatCount(m, km))}
              </option>
            ))}
          </select>
        </div>
      </div>
      <fieldset class="choices" aria-describedby={describedBy(timeError && 'arbeitszeit-error')}>
        <legend>{m.workingTimeLegend}</legend>
        <ErrorText id="arbeitszeit-error" error={timeError} m={m} />
        {WorkingTime.options.map((t) => (
          <div class="choice">
            <input
              type="checkbox"
              id={`arbeitszeit-${t}`}
              name="arbeitszeit"
              value={t}
              checked={form.arbeitszeit.includes(t)}
              autocomplete="off"
            />
            <label for={`arbeitszeit-${t}`}>
              {m.workingTime[t]}
              <Count m={m} n={facets?.workingTimes[t]} facets={facets} />
            </label>
          </div>
        ))}
      </fieldset>
      <div class="field">
        <label for="berufsfeld">{m.fieldLabel}</label>
        <ErrorText id="berufsfeld-error" error={fieldError} m={m} />
        <select
          id="berufsfeld"
          name="berufsfeld"
          aria-describedby={describedBy(fieldError && 'berufsfeld-error')}
          aria-invalid={fieldError ? 'true' : undefined}
        >
          <option value="" selected={form.berufsfeld === ''}>
            {m.fieldAny}
          </option>
          {FIELDS.map((f) => (
            <option value={f} selected={form.berufsfeld === f}>
              {m.field[f]}
              {facets ? ` (${formatCount(m, areas[f] ?? 0)})` : ''}
            </option>
          ))}
        </select>
      </div>
      <fieldset class="choices" aria-describedby={describedBy(offerError && 'angebot-error')}>
        <legend>{m.offerTypeLegend}</legend>
        <ErrorText id="angebot-error" error={offerError} m={m} />
        <div class="choice">
          <input type="radio" id="angebot-alle" name="angebot" value="" checked={form.angebot === ''} />
          <label for="angebot-alle">{m.offerTypeAny}</label>
        </div>
        {OfferType.options.map((o) => (
          <div class="choice">
            <input type="radio" id={`angebot-${o}`} name="angebot" value={o} checked={form.angebot === o} />
            <label for={`angebot-${o}`}>
              {m.offerType[o]}
              <Count m={m} n={facets?.offerType[o]} facets={facets} />
            </label>
          </div>
        ))}
      </fieldset>
      <button type="submit" class="button button-primary">
        {m.submit}
      </button>
    </form>
  );
}
