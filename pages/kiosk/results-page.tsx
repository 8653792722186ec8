/** The result list: the essentials of each vacancy, paging, and the search form with how many results each choice has. */
import type { SearchHit, SearchResult } from '../../src/search/search-engine.ts';
import type { KioskMessages, Lang } from '../messages/index.ts';
import { formatCount, formatDate, formatKm } from './format.ts';
import { KioskLayout } from './layout.tsx';
import { type FieldError, formParams, type KioskForm, MAX_PAGE, withQuery } from './search-form.ts';
import { ErrorSummary, SEARCH_PATH, SearchForm } from './search-form-view.tsx';
import { vacancyPath } from './vacancy-page.tsx';

interface ResultsPageProps {
  lang: Lang;
  m: KioskMessages;
  url: URL;
  form: KioskForm;
  errors: readonly FieldError[];
  result?: SearchResult;
}

function Hit(props: { hit: SearchHit; m: KioskMessages; lang: Lang; form: KioskForm }) {
  const { hit, m, lang, form } = props;
  const id = `treffer-${hit.id}`;
  const place = [hit.plz, hit.place].filter(Boolean).join(' ');
  return (
    <li>
      <article class="hit" aria-labelledby={id}>
        <h2 id={id} class="hit-title">
          <a href={withQuery(vacancyPath(hit.id), formParams(form, lang))} lang="de" dir="auto">
            {hit.title}
          </a>
        </h2>
        {hit.employerName ? (
          <p class="hit-employer" lang="de" dir="auto">
            {hit.employerName}
          </p>
        ) : null}
        <ul class="hit-facts">
          {place ? (
            <li>
              <span class="visually-hidden">{m.place}: </span>
              <bdi>{place}</bdi>
              {hit.distanceKm !== undefined ? <span> · {m.distance(formatKm(m, hit.distanceKm))}</span> : null}
            </li>
          ) : null}
          {hit.workingTimes.length ? (
            <li>
              <span class="visually-hidden">{m.workingTimeLabel}: </span>
              {hit.workingTimes.map((t) => m.workingTime[t]).join(', ')}
            </li>
          ) : null}
          <li>{m.offerType[hit.offerType]}</li>
          <li>
            <span class="visually-hidden">{m.published}: </span>
            {m.publishedOn(formatDate(m, hit.publishedAt))}
          </li>
        </ul>
      </article>
    </li>
  );
}

function Paging(props: { m: KioskMessages; lang: Lang; form: KioskForm; result: SearchResult }) {
  const { m, lang, form, result } = props;
  const pages = Math.min(MAX_PAGE, Math.max(1, Math.ceil(result.total / result.perPage)));
  if (pages <= 1) return null;
  const link = (seite: number) => withQuery(SEARCH_PATH, formParams(form, lang, { seite }));
  return (
    <nav class="paging" aria-label={m.pagination}>
      {result.page > 1 ? (
        <a class="button button-secondary" href={link(result.page - 1)} rel="prev">
          {m.previousPage}
        </a>
      ) : null}
      <p class="page-of">{m.pageOf(formatCount(m, result.page), formatCount(m, pages))}</p>
      {result.page < pages ? (
        <a class="button button-secondary" href={link(result.page + 1)} rel="next">
          {m.nextPage}
        </a>
      ) : null}
    </nav>
  );
}

export function ResultsPage(props: ResultsPageProps) {
  const { lang, m, url, form, errors, result } = props;
  const total = result ? formatCount(m, result.total) : '';
  const heading = !result
    ? m.resultsTitle
    : result.totalExact
      ? m.resultsHeading(total)
      : m.resultsHeadingEstimated(total);
  return (
    <KioskLayout lang={lang} m={m} title={heading} url={url}>
      <div class="results-layout">
        <section class="results" aria-labelledby="results-heading">
          <h1 id="results-heading">{heading}</h1>
          <ErrorSummary m={m} errors={errors} />
          {result && result.hits.length === 0 ? (
            <div class="no-results">
              <p>{m.noResults}</p>
              <p>{m.noResultsHelp}</p>
            </div>
          ) : null}
          {result?.hits.length ? (
            <ol class="hits">
              {result.hits.map((hit) => (
                <Hit hit={hit} m={m} lang={lang} form={form} />
              ))}
            </ol>
          ) : null}
          {result ? <Paging m={m} lang={lang} form={form} result={result} /> : null}
        </section>
        <section class="refine" aria-labelledby="refine-heading">
          <h2 id="refine-heading">{m.changeSearch}</h2>
          <SearchForm m={m} lang={lang} form={form} errors={errors} facets={result?.facets} />
        </section>
      </div>
    </KioskLayout>
  );
}
