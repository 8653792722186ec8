/**
 * The frame of every kiosk page: the document in the interface language (right to left for Arabic), a header with
 * "Neue Suche" and the language switch, the main landmark, and the hidden warning the reset script shows before it
 * clears the page (pages/assets/kiosk.js).
 */
import type { Child } from 'hono/jsx';
import { assetUrl } from '../assets.ts';
import { Document, MAIN_ID } from '../layout.tsx';
import {
  DEFAULT_LANG,
  type KioskMessages,
  LANGUAGE_NAMES,
  LANGUAGES,
  type Lang,
  textDirection,
} from '../messages/index.ts';

/** Seconds without input before the kiosk returns to a clean start page. */
export const RESET_AFTER_SECONDS = 180;
/** Seconds before the reset at which the warning with its countdown appears (WCAG 2.2.1: at least 20). */
export const RESET_WARNING_SECONDS = 30;

export const KIOSK_PATH = '/kiosk';
/** Clears what the origin may have stored and redirects to the start page (see `mountKioskPages`). */
export const RESET_PATH = `${KIOSK_PATH}/neu`;

export function langQuery(lang: Lang): string {
  return lang === DEFAULT_LANG ? '' : `?lang=${lang}`;
}

/** The same address in another interface language. */
function inLanguage(current: URL, lang: Lang): string {
  const params = new URLSearchParams(current.search);
  if (lang === DEFAULT_LANG) params.delete('lang');
  else params.set('lang', lang);
  const query = params.toString();
  return `${current.pathname}${query ? `?${query}` : ''}`;
}

export interface KioskLayoutProps {
  lang: Lang;
  m: KioskMessages;
  /** The page's own title; the product and service names follow it. */
  title: string;
  /** The address of this page, for the language switch. */
  url: URL;
  /** True on the start page with nothing entered: the reset script has nothing to clear there. */
  clean?: boolean;
  /** The print view: its own stylesheet, and no language switch. */
  print?: boolean;
  children?: Child;
}

export function KioskLayout(props: KioskLayoutProps) {
  const { lang, m, title, url, clean = false, print = false } = props;
  const stylesheets = [assetUrl('kiosk.css'), ...(print ? [assetUrl('kiosk-print.css')] : [])];
  return (
    <Document
      lang={lang}
      dir={textDirection(lang)}
      title={`${title} – ${m.serviceName} – ${m.productName}`}
      skipLink={m.skipLink}
      stylesheets={stylesheets}
      scripts={[assetUrl('kiosk.js')]}
      bodyClass={print ? 'kiosk print-view' : 'kiosk'}
      bodyData={{
        'reset-after': String(RESET_AFTER_SECONDS),
        'reset-warning': String(RESET_WARNING_SECONDS),
        'reset-to': RESET_PATH,
        clean: clean ? 'true' : 'false',
      }}
    >
      <header class="kiosk-header">
        <div class="kiosk-brand">
          <a href={`${KIOSK_PATH}${langQuery(lang)}`} class="brand-link">
            <span class="brand-name">{m.productName}</span> <span class="brand-service">{m.serviceName}</span>
          </a>
        </div>
        <a class="button button-secondary new-search" href={`${RESET_PATH}${langQuery(lang)}`}>
          {m.newSearch}
        </a>
        {print ? null : (
          <nav class="languages" aria-label={m.languageNav}>
            <ul>
              {LANGUAGES.map((l) => (
                <li>
                  <a href={inLanguage(url, l)} lang={l} hreflang={l} aria-current={l === lang ? 'true' : undefined}>
                    {LANGUAGE_NAMES[l]}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
      </header>
      <main id={MAIN_ID} tabindex={-1}>
        {props.children}
      </main>
      <section class="reset-warning" id="reset-warning" aria-labelledby="reset-question" hidden>
        <p id="reset-question" class="reset-question" role="alert">
          {m.resetQuestion}
        </p>
        <p class="reset-countdown" data-template={m.resetCountdown}>
          {m.resetCountdown.replace('{n}', String(RESET_WARNING_SECONDS))}
        </p>
        <button type="button" class="button" id="reset-continue">
          {m.resetContinue}
        </button>
      </section>
    </Document>
  );
}
