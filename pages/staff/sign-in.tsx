/**
 * `/anmelden`, `/abmelden`, `/abmelden/ueberall` and `/einladung/:token`: how people get into the pages and out again.
 *
 * The sign-in and invitation forms exist before any session, so their CSRF token is bound to the browser by a
 * short-lived cookie (double submit): another site cannot sign a victim into the attacker's account (login CSRF).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';
import { clientAddress } from '../../api/middleware/client-address.ts';
import type { Role } from '../../src/domain/enums.ts';
import { ValidationFailed } from '../../src/errors.ts';
import { InvitationInvalid, invitationFor, redeemInvitation } from '../../src/users/invitations.ts';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../src/users/password.ts';
import { SignInRefused, signIn, signOut, signOutEverywhere, verifySession } from '../../src/users/sessions.ts';
import { CSRF_FIELD, CsrfField } from '../csrf-field.tsx';
import { signIn as T, invitation as T_INV } from '../messages/staff.de.ts';
import { requireSession } from '../session.ts';
import {
  clearSessionCookie,
  readFormBinding,
  readSessionCookie,
  writeFormBinding,
  writeSessionCookie,
} from '../session-cookie.ts';
import { StaffLayout, sendPage } from './layout.tsx';
import { describedBy, ErrorSummary, FieldError, type FieldIssue, Notice } from './ui.tsx';

export const SIGN_IN_PATH = '/anmelden';

/** Where each role starts after signing in. */
export function homeOf(role: Role): string {
  return role === 'employer' ? '/arbeitgeber' : '/app';
}

/** Only a path of this site: `//evil.example` or `/\evil.example` would leave it (open redirect). */
export function safeReturnPath(value: string | undefined): string | undefined {
  if (!value || value.length > 500 || !/^\/(?![/\\])[^\s]*$/.test(value)) return undefined;
  return value;
}

function formBinding(c: Context): string {
  const existing = readFormBinding(c);
  if (existing && /^[A-Za-z0-9_-]{20,100}$/.test(existing)) return existing;
  const value = randomBytes(24).toString('base64url');
  writeFormBinding(c, value);
  return value;
}

function bindingMatches(c: Context, given: unknown): boolean {
  const expected = readFormBinding(c);
  if (!expected || typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');

interface SignInView {
  email?: string;
  returnTo?: string | undefined;
  issues?: FieldIssue[];
  notice?: string;
  fieldErrors?: { email?: string; password?: string };
}

function SignInForm({ binding, view }: { binding: string; view: SignInView }) {
  const { email = '', returnTo, issues = [], notice, fieldErrors = {} } = view;
  return (
    <StaffLayout title={T.title}>
      <div class="narrow">
        <h1>{T.title}</h1>
        {notice && <Notice>{notice}</Notice>}
        <ErrorSummary heading={T.errorHeading} issues={issues} />
        <p>{T.intro}</p>
        <form method="post" action={SIGN_IN_PATH} class="card" novalidate data-once>
          <CsrfField token={binding} />
          {returnTo && <input type="hidden" name="weiter" value={returnTo} />}
          <div class={`field${fieldErrors.email ? ' has-error' : ''}`}>
            <label for="signin-email">{T.email}</label>
            <FieldError id="signin-email" message={fieldErrors.email} />
            <input
              type="email"
              id="signin-email"
              name="email"
              value={email}
              autocomplete="username"
              required
              maxlength={320}
              aria-invalid={fieldErrors.email ? 'true' : undefined}
              aria-describedby={describedBy('signin-email', false, fieldErrors.email)}
            />
          </div>
          <div class={`field${fieldErrors.password ? ' has-error' : ''}`}>
            <label for="signin-password">{T.password}</label>
            <FieldError id="signin-password" message={fieldErrors.password} />
            <input
              type="password"
              id="signin-password"
              name="password"
              autocomplete="current-password"
              required
              maxlength={PASSWORD_MAX_LENGTH}
              aria-invalid={fieldErrors.password ? 'true' : undefined}
              aria-describedby={describedBy('signin-password', false, fieldErrors.password)}
            />
          </div>
          <button type="submit" class="button">
            {T.submit}
          </button>
        </form>
        <p class="muted">{T.noAccount}</p>
      </div>
    </StaffLayout>
  );
}

function PasswordForm(props: {
  token: string;
  binding: string;
  who: { email: string; displayName: string };
  issues?: FieldIssue[];
  errors?: { password?: string; confirm?: string };
}) {
  const { token, binding, who, issues = [], errors = {} } = props;
  return (
    <StaffLayout title={T_INV.title}>
      <div class="narrow">
        <h1>{T_INV.title}</h1>
        <ErrorSummary heading={T_INV.errorHeading} issues={issues} />
        <p>{T_INV.intro}</p>
        <form method="post" action={`/einladung/${encodeURIComponent(token)}`} class="card" novalidate data-once>
          <CsrfField token={binding} />
          <p>
            <span class="label">{T_INV.account}</span>
            {who.displayName} ({who.email})
          </p>
          <input type="hidden" name="username" value={who.email} autocomplete="username" />
          <div class={`field${errors.password ? ' has-error' : ''}`}>
            <label for="invite-password">{T_INV.password}</label>
            <span class="hint" id="invite-password-hint">
              {T_INV.passwordHint(PASSWORD_MIN_LENGTH)}
            </span>
            <FieldError id="invite-password" message={errors.password} />
            <input
              type="password"
              id="invite-password"
              name="password"
              autocomplete="new-password"
              required
              minlength={PASSWORD_MIN_LENGTH}
              maxlength={PASSWORD_MAX_LENGTH}
              aria-invalid={errors.password ? 'true' : undefined}
              aria-describedby={describedBy('invite-password', true, errors.password)}
            />
          </div>
          <div class={`field${errors.confirm ? ' has-error' : ''}`}>
            <label for="invite-confirm">{T_INV.confirm}</label>
            <FieldError id="invite-confirm" message={errors.confirm} />
            <input
              type="password"
              id="invite-confirm"
              name="confirm"
              autocomplete="new-password"
              required
              maxlength={PASSWORD_MAX_LENGTH}
              aria-invalid={errors.confirm ? 'true' : undefined}
              aria-describedby={describedBy('invite-confirm', false, errors.confirm)}
            />
          </div>
          <button type="submit" class="button">
            {T_INV.submit}
          </button>
        </form>
      </div>
    </StaffLayout>
  );
}

function invalidInvitation(c: Context) {
  return sendPage(
    c,
    <StaffLayout title={T_INV.invalidTitle}>
      <h1>{T_INV.invalidTitle}</h1>
      <p>{T_INV.invalidText}</p>
      <p>
        <a href={SIGN_IN_PATH}>{T.title}</a>
      </p>
    </StaffLayout>,
    410,
  );
}

export function mountSignInPages(app: Hono<AppEnv>, { ctx }: AppDeps): void {
  app.get(SIGN_IN_PATH, async (c) => {
    const returnTo = safeReturnPath(c.req.query('weiter'));
    const token = readSessionCookie(c);
    const session = token ? await verifySession(ctx, token) : null;
    if (session) return c.redirect(returnTo ?? homeOf(session.actor.role), 303);
    const notice =
      c.req.query('abgemeldet') !== undefined
        ? T.signedOut
        : c.req.query('ueberall') !== undefined
          ? T.signedOutEverywhere
          : undefined;
    return sendPage(c, <SignInForm binding={formBinding(c)} view={{ returnTo, notice }} />);
  });

  app.post(SIGN_IN_PATH, async (c) => {
    const body = await c.req.parseBody();
    const email = text(body.email).trim().slice(0, 320);
    const password = text(body.password);
    const returnTo = safeReturnPath(text(body.weiter));
    const again = (view: SignInView, status: 401 | 403 | 422 | 429) =>
      sendPage(c, <SignInForm binding={formBinding(c)} view={{ email, returnTo, ...view }} />, status);
    if (!bindingMatches(c, body[CSRF_FIELD])) {
      return again({ issues: [{ fieldId: 'signin-email', message: T.formExpired }] }, 403);
    }
    const fieldErrors = {
      email: email ? undefined : T.emailMissing,
      password: password ? undefined : T.passwordMissing,
    };
    if (fieldErrors.email || fieldErrors.password) {
      const issues = [
        ...(fieldErrors.email ? [{ fieldId: 'signin-email', message: fieldErrors.email }] : []),
        ...(fieldErrors.password ? [{ fieldId: 'signin-password', message: fieldErrors.password }] : []),
      ];
      return again({ issues, fieldErrors }, 422);
    }
    try {
      const session = await signIn(ctx, { email, password, clientAddress: clientAddress(c) });
      writeSessionCookie(c, session.token);
      return c.redirect(returnTo ?? homeOf(session.actor.role), 303);
    } catch (err) {
      if (!(err instanceof SignInRefused)) throw err;
      return again(
        { issues: [{ fieldId: 'signin-email', message: err.message }] },
        err.reason === 'locked' ? 429 : 401,
      );
    }
  });

  app.post('/abmelden', requireSession(ctx, ['employer', 'caseworker', 'branch_lead', 'admin']), async (c) => {
    const token = readSessionCookie(c);
    if (token) await signOut(ctx, token);
    clearSessionCookie(c);
    return c.redirect(`${SIGN_IN_PATH}?abgemeldet`, 303);
  });

  app.post('/abmelden/ueberall', requireSession(ctx, ['employer', 'caseworker', 'branch_lead', 'admin']), async (c) => {
    await signOutEverywhere(ctx, c.get('actor'));
    clearSessionCookie(c);
    return c.redirect(`${SIGN_IN_PATH}?ueberall`, 303);
  });

  app.get('/einladung/:token', async (c) => {
    const token = c.req.param('token');
    const who = await invitationFor(ctx, token);
    if (!who) return invalidInvitation(c);
    return sendPage(c, <PasswordForm token={token} binding={formBinding(c)} who={who} />);
  });

  app.post('/einladung/:token', async (c) => {
    const token = c.req.param('token');
    const who = await invitationFor(ctx, token);
    if (!who) return invalidInvitation(c);
    const body = await c.req.parseBody();
    const password = text(body.password);
    const confirm = text(body.confirm);
    const again = (errors: { password?: string; confirm?: string }, status: 403 | 422) => {
      const issues = [
        ...(errors.password ? [{ fieldId: 'invite-password', message: errors.password }] : []),
        ...(errors.confirm ? [{ fieldId: 'invite-confirm', message: errors.confirm }] : []),
      ];
      return sendPage(
        c,
        <PasswordForm token={token} binding={formBinding(c)} who={who} issues={issues} errors={errors} />,
        status,
      );
    };
    if (!bindingMatches(c, body[CSRF_FIELD])) return again({ password: T.formExpired }, 403);
    if (password !== confirm) return again({ confirm: T_INV.mismatch }, 422);
    try {
      const session = await redeemInvitation(ctx, token, password);
      writeSessionCookie(c, session.token);
      return c.redirect(homeOf(session.actor.role), 303);
    } catch (err) {
      if (err instanceof InvitationInvalid) return invalidInvitation(c);
      if (err instanceof ValidationFailed) return again({ password: err.issues[0]?.message ?? err.message }, 422);
      throw err;
    }
  });
}
