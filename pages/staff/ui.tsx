/** Form pieces of the sign-in pages and the employer portal: the linked error summary, notices, field messages. */
import type { Child } from 'hono/jsx';
import type { Issue } from '../../src/errors.ts';

/** An issue with the id of the field it belongs to, when there is one on the page. */
export interface FieldIssue {
  fieldId: string | undefined;
  message: string;
}

/** The list at the top of a refused form: every problem, each a link to its field; focused by staff.js. */
export function ErrorSummary({ heading, issues }: { heading: string; issues: readonly FieldIssue[] }) {
  if (issues.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} data-error-summary aria-labelledby="error-summary-title">
      <h2 id="error-summary-title">{heading}</h2>
      <ul>
        {issues.map((i) => (
          <li>{i.fieldId ? <a href={`#${i.fieldId}`}>{i.message}</a> : i.message}</li>
        ))}
      </ul>
    </div>
  );
}

export function Notice({
  kind = 'success',
  children,
}: {
  kind?: 'success' | 'info' | 'warning' | 'error';
  children?: Child;
}) {
  return (
    <div class={`notice notice--${kind}`} role={kind === 'warning' || kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** The error text under a label; its id goes into the field's aria-describedby. */
export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  if (!message) return null;
  return (
    <span class="field-error" id={`${id}-error`}>
      <span class="visually-hidden">Fehler: </span>
      {message}
    </span>
  );
}

/** The aria-describedby of a field: its hint and its error, whichever are shown. */
export function describedBy(id: string, hint: boolean, error: string | undefined): string | undefined {
  const ids = [hint ? `${id}-hint` : undefined, error ? `${id}-error` : undefined].filter(Boolean);
  return ids.length ? ids.join(' ') : undefined;
}

/** First message per field path: a field shows one problem at a time, the most basic one first. */
export function messagesByPath(issues: readonly Issue[]): Map<string, string> {
  const byPath = new Map<string, string>();
  for (const i of issues) if (!byPath.has(i.path)) byPath.set(i.path, i.message);
  return byPath;
}
