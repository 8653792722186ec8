/**
 * The document of every signed-in page (and of the sign-in pages, without navigation): skip link, a header with
 * the product, the navigation the page passes in, who is signed in and a sign-out button, then the main landmark.
 * Built on the shared document (pages/layout.tsx): only this origin's stylesheets and scripts, nothing inline.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Role } from '../../src/domain/enums.ts';
import { assetUrl } from '../assets.ts';
import { CsrfField } from '../csrf-field.tsx';
import { Document, MAIN_ID, sendDocument } from '../layout.tsx';
import { layout, productName, roleLabel } from '../messages/staff.de.ts';

export interface NavItem {
  href: string;
  label: string;
  /** Marks the entry with aria-current="page". */
  current?: boolean;
}

export interface StaffUser {
  displayName: string;
  role: Role;
}

export interface StaffLayoutProps {
  /** The page's own title; the document title appends the product name. */
  title: string;
  /** Absent on the sign-in pages. */
  user?: StaffUser;
  /** The session's CSRF token for the sign-out form; needed whenever `user` is given. */
  csrfToken?: string;
  nav?: readonly NavItem[];
  /** Where the product name in the header leads. @defaultValue '/' */
  homeHref?: string;
  /** Extra stylesheets of this origin, after the shared one. */
  stylesheets?: readonly string[];
  /** Scripts of this origin, loaded deferred, after the shared one. */
  scripts?: readonly string[];
  children?: Child;
}

export function StaffLayout(props: StaffLayoutProps) {
  const { title, user, csrfToken, nav = [], homeHref = '/', stylesheets = [], scripts = [] } = props;
  return (
    <Document
      lang="de"
      title={`${title} – ${productName}`}
      skipLink={layout.skipLink}
      stylesheets={[assetUrl('staff.css'), ...stylesheets]}
      scripts={[assetUrl('staff.js'), ...scripts]}
      bodyClass="staff"
    >
      <header class="site-header">
        <div class="site-header__inner">
          <a class="brand" href={homeHref}>
            {productName}
          </a>
          {user && nav.length > 0 && (
            <nav aria-label={layout.mainNav} class="main-nav">
              <ul>
                {nav.map((item) => (
                  <li>
                    <a href={item.href} aria-current={item.current ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
          )}
          {user && (
            <div class="account">
              <p class="account__who">
                <span class="visually-hidden">{layout.signedInAs} </span>
                <span class="account__name">{user.displayName}</span>{' '}
                <span class="account__role">{roleLabel[user.role]}</span>
              </p>
              <form method="post" action="/abmelden" class="account__signout">
                {csrfToken && <CsrfField token={csrfToken} />}
                <button type="submit" class="button button--quiet">
                  {layout.signOut}
                </button>
              </form>
            </div>
          )}
        </div>
      </header>
      <main id={MAIN_ID} tabindex={-1}>
        {props.children}
      </main>
      <footer class="site-footer">
        <p>{layout.footer}</p>
      </footer>
    </Document>
  );
}

/** Sends a staff page with its doctype. */
export function sendPage(
  c: Context,
  page: Parameters<typeof sendDocument>[1],
  status: ContentfulStatusCode = 200,
): Promise<Response> {
  return sendDocument(c, page, status);
}
