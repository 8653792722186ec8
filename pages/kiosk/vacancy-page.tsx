/**
 * One vacancy: the detail page with how to apply, and its print view (one A4 page with a QR code of the address
 * where it was published). Vacancy texts are shown as published and always as text: JSX escapes every value, and
 * nothing here renders markup from a vacancy.
 */
import type { ContractType, OfferType, WorkingTime } from '../../src/domain/enums.ts';
import { distanceKm } from '../../src/geo/plz.ts';
import { kldbTitle } from '../../src/taxonomy/kldb.ts';
import type { PublicVacancy } from '../../src/vacancies/public-vacancy.ts';
import type { KioskMessages, Lang } from '../messages/index.ts';
import { formatDate, formatKm, formatMoney } from './format.ts';
import { KIOSK_PATH, KioskLayout } from './layout.tsx';
import type { OriginLink } from './origin-links.ts';
import { formParams, type KioskForm, placeOf, withQuery } from './search-form.ts';

export const vacancyPath = (id: string) => `${KIOSK_PATH}/stelle/${encodeURIComponent(id)}`;
export const printPath = (id: string) => `${vacancyPath(id)}/druck`;

/** What of the description fits one A4 page beside the facts and the QR code; the rest is in the advert. */
export const PRINT_DESCRIPTION_CHARS = 1_400;
const PRINT_TITLE_CHARS = 160;

export interface VacancyView extends PublicVacancy {
  origins: OriginLink[];
  /** The QR code of the first origin address, as a data URI. */
  qr?: string;
}

interface VacancyPageProps {
  lang: Lang;
  m: KioskMessages;
  url: URL;
  form: KioskForm;
  view: VacancyView;
}

function shorten(text: string, max: number): { text: string; shortened: boolean } {
  if (text.length <= max) return { text, shortened: false };
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return { text: `${(space > max * 0.8 ? cut.slice(0, space) : cut).trimEnd()} …`, shortened: true };
}

function Facts(props: { m: KioskMessages; form: KioskForm; view: VacancyView }) {
  const { m, form, view } = props;
  const v = view.vacancy;
  const place = [v.plz, v.place].filter(Boolean).join(' ');
  const from = placeOf(form.ort);
  const km = from && v.lat !== null && v.lon !== null ? distanceKm(from, { lat: v.lat, lon: v.lon }) : undefined;
  const occupation = v.kldbCode ? kldbTitle(v.kldbCode) : undefined;
  const salary = v.salary && (v.salary.min !== undefined || v.salary.max !== undefined) ? v.salary : undefined;
  const money = (n: number | undefined) => (n === undefined ? null : formatMoney(m, n, salary?.currency ?? 'EUR'));
  return (
    <dl class="facts">
      {place ? (
        <div>
          <dt>{m.place}</dt>
          <dd>
            <bdi>{place}</bdi>
            {km !== undefined ? ` · ${m.distance(formatKm(m, km))}` : ''}
          </dd>
        </div>
      ) : null}
      {v.workingTimes.length ? (
        <div>
          <dt>{m.workingTimeLabel}</dt>
          <dd>{v.workingTimes.map((t) => m.workingTime[t as WorkingTime] ?? t).join(', ')}</dd>
        </div>
      ) : null}
      <div>
        <dt>{m.offer}</dt>
        <dd>{m.offerType[v.offerType as OfferType] ?? v.offerType}</dd>
      </div>
      {v.contractType ? (
        <div>
          <dt>{m.contract}</dt>
          <dd>{m.contractType[v.contractType as ContractType] ?? v.contractType}</dd>
        </div>
      ) : null}
      {occupation ? (
        <div>
          <dt>{m.occupation}</dt>
          <dd lang="de">{occupation}</dd>
        </div>
      ) : null}
      {salary ? (
        <div>
          <dt>{m.salary}</dt>
          <dd>{m.salaryRange(money(salary.min), money(salary.max), salary.unit as 'hour' | 'month' | 'year')}</dd>
        </div>
      ) : null}
      {v.publishedAt ? (
        <div>
          <dt>{m.published}</dt>
          <dd>{formatDate(m, v.publishedAt)}</dd>
        </div>
      ) : null}
      {v.validThrough ? (
        <div>
          <dt>{m.validThrough}</dt>
          <dd>{formatDate(m, v.validThrough)}</dd>
        </div>
      ) : null}
    </dl>
  );
}

function HowToApply(props: { m: KioskMessages; view: VacancyView }) {
  const { m, view } = props;
  const first = view.origins[0];
  return (
    <section class="apply" aria-labelledby="apply-heading">
      <h2 id="apply-heading">{m.howToApply}</h2>
      {first ? (
        <div class="apply-link">
          <div>
            <p>{m.applyWithLink}</p>
            <p class="origin-url" dir="ltr">
              <span class="visually-hidden">{m.applyAddress}: </span>
              {first.shown}
            </p>
            {view.qr ? <p class="qr-hint">{m.applyQr}</p> : null}
          </div>
          {view.qr ? <img class="qr" src={view.qr} alt={m.qrAlt} width={160} height={160} /> : null}
        </div>
      ) : (
        <p>{m.applyWithoutLink}</p>
      )}
      <p class="notice">{m.applyNoKioskForms}</p>
    </section>
  );
}

export function VacancyPage(props: VacancyPageProps) {
  const { lang, m, url, form, view } = props;
  const v = view.vacancy;
  const search = formParams(form, lang);
  return (
    <KioskLayout lang={lang} m={m} title={v.title} url={url}>
      <p class="back">
        <a href={withQuery(`${KIOSK_PATH}/suche`, search)}>{m.backToResults}</a>
      </p>
      <article class="vacancy" aria-labelledby="vacancy-title">
        <h1 id="vacancy-title" lang="de" dir="auto">
          {v.title}
        </h1>
        {v.employerName ? (
          <p class="employer" lang="de" dir="auto">
            {v.employerName}
          </p>
        ) : null}
        {v.status !== 'open' ? (
          <p class="closed" role="status">
            {m.closed}
          </p>
        ) : null}
        <section aria-labelledby="facts-heading">
          <h2 id="facts-heading">{m.detailFacts}</h2>
          <Facts m={m} form={form} view={view} />
        </section>
        <HowToApply m={m} view={view} />
        <p>
          <a class="button button-primary" href={withQuery(printPath(v.id), search)}>
            {m.printLink}
          </a>
        </p>
        <section aria-labelledby="description-heading">
          <h2 id="description-heading">{m.description}</h2>
          <p class="hint">{m.descriptionNote}</p>
          <div class="description" lang="de" dir="auto">
            {v.description}
          </div>
        </section>
      </article>
    </KioskLayout>
  );
}

export function PrintPage(props: VacancyPageProps & { printedAt: Date }) {
  const { lang, m, url, form, view, printedAt } = props;
  const v = view.vacancy;
  const title = shorten(v.title, PRINT_TITLE_CHARS).text;
  const description = shorten(v.description, PRINT_DESCRIPTION_CHARS);
  return (
    <KioskLayout lang={lang} m={m} title={`${m.printTitle}: ${title}`} url={url} print>
      <div class="print-controls">
        <p class="back">
          <a href={withQuery(vacancyPath(v.id), formParams(form, lang))}>{m.backToDetail}</a>
        </p>
        <p>{m.printHint}</p>
        <button type="button" class="button button-primary" data-print hidden>
          {m.printButton}
        </button>
      </div>
      <article class="sheet" aria-labelledby="vacancy-title">
        <p class="sheet-brand">
          {m.productName} – {m.serviceName}
        </p>
        <h1 id="vacancy-title" lang="de" dir="auto">
          {title}
        </h1>
        {v.employerName ? (
          <p class="employer" lang="de" dir="auto">
            {v.employerName}
          </p>
        ) : null}
        {v.status !== 'open' ? <p class="closed">{m.closed}</p> : null}
        <Facts m={m} form={form} view={view} />
        <HowToApply m={m} view={view} />
        <section aria-labelledby="description-heading">
          <h2 id="description-heading">{m.description}</h2>
          <div class="description" lang="de" dir="auto">
            {description.text}
          </div>
          {description.shortened ? <p class="hint">{m.printShortened}</p> : null}
        </section>
        <p class="sheet-footer">{m.printFooter(formatDate(m, printedAt))}</p>
      </article>
    </KioskLayout>
  );
}
