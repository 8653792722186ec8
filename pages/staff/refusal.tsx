/** The pages a refused request gets instead of problem+json: a person reads them, not a program. */
import type { Context } from 'hono';
import { refusal } from '../messages/staff.de.ts';
import { StaffLayout, sendPage } from './layout.tsx';

export type RefusalKind = 'sign_in' | 'forbidden' | 'csrf' | 'not_found';

const TEXT: Record<RefusalKind, { title: string; text: string }> = {
  sign_in: { title: refusal.signInTitle, text: refusal.signInText },
  forbidden: { title: refusal.forbiddenTitle, text: refusal.forbiddenText },
  csrf: { title: refusal.csrfTitle, text: refusal.csrfText },
  not_found: { title: refusal.notFoundTitle, text: refusal.notFoundText },
};

const STATUS = { sign_in: 401, forbidden: 403, csrf: 403, not_found: 404 } as const;

export function refusalPage(c: Context, kind: RefusalKind) {
  const { title, text } = TEXT[kind];
  return sendPage(
    c,
    <StaffLayout title={title}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        {kind === 'sign_in' ? <a href="/anmelden">{refusal.signInLink}</a> : <a href="/anmelden">{refusal.backHome}</a>}
      </p>
    </StaffLayout>,
    STATUS[kind],
  );
}
