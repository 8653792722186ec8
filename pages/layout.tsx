/**
 * The HTML document every page is built on: `<html lang dir>`, the head with this origin's stylesheets and deferred
 * scripts only (the CSP allows nothing inline, no style attributes either), a skip link to the main landmark, and
 * the body's content. Audiences wrap it with their own header and navigation.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** The main landmark's id, the skip link's target. */
export const MAIN_ID = 'inhalt';

export interface DocumentProps {
  /** BCP 47 language of the interface text. */
  lang: string;
  /** @defaultValue 'ltr' */
  dir?: 'ltr' | 'rtl';
  /** The whole document title (what a screen reader announces first and the tab shows). */
  title: string;
  /** Text of the skip link, in the page's language. */
  skipLink: string;
  /** Stylesheet URLs of this origin (`assetUrl` from pages/assets.ts). */
  stylesheets?: readonly string[];
  /** Script URLs of this origin, loaded deferred. */
  scripts?: readonly string[];
  /** Data attributes and a class for the body, e.g. settings a page script reads. */
  bodyClass?: string;
  bodyData?: Readonly<Record<string, string>>;
  children?: Child;
}

export function Document(props: DocumentProps) {
  const { lang, dir = 'ltr', title, skipLink, stylesheets = [], scripts = [], bodyClass, bodyData = {} } = props;
  const data = Object.fromEntries(Object.entries(bodyData).map(([key, value]) => [`data-${key}`, value]));
  return (
    <html lang={lang} dir={dir}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="referrer" content="no-referrer" />
        <title>{title}</title>
        {stylesheets.map((href) => (
          <link rel="stylesheet" href={href} />
        ))}
        {scripts.map((src) => (
          <script src={src} defer />
        ))}
      </head>
      <body class={bodyClass} {...data}>
        <a class="skip-link" href={`#${MAIN_ID}`}>
          {skipLink}
        </a>
        {props.children}
      </body>
    </html>
  );
}

/** Sends a document with its doctype (standards mode), as HTML in UTF-8. */
export async function sendDocument(
  c: Context,
  page: HtmlEscapedString | Promise<HtmlEscapedString>,
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  // A node renders synchronously unless a component in it is async; awaiting covers both.
  const html = await (await page).toString();
  return c.html(`<!DOCTYPE html>${html}`, status);
}
