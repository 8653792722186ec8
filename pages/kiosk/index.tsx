/**
 * The kiosk at /kiosk for job seekers at the branch offices' internet PCs: search, results, detail and print view
 * in five interface languages (docs/kiosk.md). No login and no personal data. Reads through the same search engine
 * and the same public vacancy verb as the public API (api/public/vacancies.ts).
 */
import { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';
import { publicRateLimit } from '../../api/v1.ts';
import { AppError, NotFound } from '../../src/errors.ts';
import { getPublicVacancy } from '../../src/vacancies/public-vacancy.ts';
import { sendDocument } from '../layout.tsx';
import { type KioskMessages, kioskMessages, type Lang, langOf } from '../messages/index.ts';
import { KIOSK_PATH, KioskLayout, RESET_PATH } from './layout.tsx';
import { originLinks, qrDataUri } from './origin-links.ts';
import { ResultsPage } from './results-page.tsx';
import { readForm, toSearchQuery } from './search-form.ts';
import { StartPage } from './start-page.tsx';
import { PrintPage, VacancyPage, type VacancyView } from './vacancy-page.tsx';

/**
 * The Clear-Site-Data types the reset sends: whatever this origin may have stored in the browser. Not "cache" (the
 * pages are no-store anyway, and Chromium clears the whole cache slowly) and not "cookies" (they would sign a
 * caseworker out of the workbench on the same origin; the kiosk sets none).
 */
const CLEAR_SITE_DATA = '"storage"';

function messagesOf(lang: string | undefined): { lang: Lang; m: KioskMessages } {
  const l = langOf(lang);
  return { lang: l, m: kioskMessages(l) };
}

function Failure(props: { lang: Lang; m: KioskMessages; url: URL; title: string; text: string }) {
  const { lang, m, url, title, text } = props;
  return (
    <KioskLayout lang={lang} m={m} title={title} url={url}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a class="button button-primary" href={`${RESET_PATH}${lang === 'de' ? '' : `?lang=${lang}`}`}>
          {m.newSearch}
        </a>
      </p>
    </KioskLayout>
  );
}

async function loadVacancy(deps: AppDeps, id: string): Promise<VacancyView> {
  const found = await getPublicVacancy(deps.ctx, id);
  const origins = originLinks(found.links);
  const qr = origins[0] ? await qrDataUri(origins[0].url) : undefined;
  return { ...found, origins, qr };
}

export function mountKioskPages(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get('/', (c) => c.redirect(KIOSK_PATH, 302));

  const kiosk = new Hono<AppEnv>();
  // The public API's budget per client, counted apart from it: every search page is a search.
  kiosk.use(
    publicRateLimit(deps.publicRequestsPerMinute, deps.kioskRequestsPerMinute, (c) => {
      const { lang, m } = messagesOf(c.req.query('lang'));
      const url = new URL(c.req.url);
      return sendDocument(c, <Failure lang={lang} m={m} url={url} title={m.tooManyTitle} text={m.tooManyText} />, 429);
    }),
  );

  kiosk.get('/', (c) => {
    const { lang, m } = messagesOf(c.req.query('lang'));
    return sendDocument(c, <StartPage lang={lang} m={m} url={new URL(c.req.url)} />);
  });

  kiosk.get('/suche', async (c) => {
    const { lang, m } = messagesOf(c.req.query('lang'));
    const url = new URL(c.req.url);
    const { form, errors } = readForm(c.req.queries());
    const built = errors.length ? { errors } : toSearchQuery(form);
    const result = built.query ? await deps.search.search(built.query) : undefined;
    return sendDocument(
      c,
      <ResultsPage lang={lang} m={m} url={url} form={form} errors={built.errors} result={result} />,
      result ? 200 : 400,
    );
  });

  // "Neue Suche" (in the chosen language) and the automatic reset (in German) land here.
  kiosk.get('/neu', (c) => {
    const lang = langOf(c.req.query('lang'));
    c.header('Clear-Site-Data', CLEAR_SITE_DATA);
    return c.redirect(lang === 'de' ? KIOSK_PATH : `${KIOSK_PATH}?lang=${lang}`, 303);
  });

  kiosk.get('/stelle/:id', async (c) => {
    const { lang, m } = messagesOf(c.req.query('lang'));
    const view = await loadVacancy(deps, c.req.param('id'));
    const { form } = readForm(c.req.queries());
    return sendDocument(c, <VacancyPage lang={lang} m={m} url={new URL(c.req.url)} form={form} view={view} />);
  });

  kiosk.get('/stelle/:id/druck', async (c) => {
    const { lang, m } = messagesOf(c.req.query('lang'));
    const view = await loadVacancy(deps, c.req.param('id'));
    const { form } = readForm(c.req.queries());
    return sendDocument(
      c,
      <PrintPage lang={lang} m={m} url={new URL(c.req.url)} form={form} view={view} printedAt={deps.ctx.now()} />,
    );
  });

  // A page, not problem+json: the person at the kiosk gets a sentence and a way back.
  kiosk.onError(async (err, c) => {
    const { lang, m } = messagesOf(c.req.query('lang'));
    const url = new URL(c.req.url);
    if (err instanceof NotFound) {
      return sendDocument(
        c,
        <Failure lang={lang} m={m} url={url} title={m.notFoundTitle} text={m.notFoundText} />,
        404,
      );
    }
    const known = err instanceof AppError;
    // Unknown errors are logged once with their stack; the page never shows the message.
    if (!known) deps.ctx.log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return sendDocument(
      c,
      <Failure lang={lang} m={m} url={url} title={m.failureTitle} text={m.failureText} />,
      known ? 400 : 500,
    );
  });

  app.route(KIOSK_PATH, kiosk);
}
