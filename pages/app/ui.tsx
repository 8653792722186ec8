/**
 * The workbench's shared pieces: the page frame (the staff layout with the workbench's navigation), state badges,
 * the error summary linked to its fields, form fields with hint and error wired to `aria-describedby`, and notices.
 */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import type { RequestIdVariables } from 'hono/request-id';
import type { Actor } from '../../src/audit/record.ts';
import type { Issue } from '../../src/errors.ts';
import { SLA_STATE_LABEL, type SlaState } from '../../src/sla/state.ts';
import { assetUrl } from '../assets.ts';
import { CsrfField } from '../csrf-field.tsx';
import { W } from '../messages/workbench.de.ts';
import type { SessionVariables } from '../session.ts';
import { type NavItem, StaffLayout } from '../staff/layout.tsx';

export type WorkbenchEnv = { Variables: SessionVariables & RequestIdVariables };
export type WorkbenchContext = Context<WorkbenchEnv>;

export type Section = 'inbox' | 'customers' | 'import' | 'tasks' | 'sla';

/** Branch leads and admins see the dashboard; caseworkers do not get a link they could not open. */
export function mayReadDashboard(actor: Actor): boolean {
  return actor.role === 'branch_lead' || actor.role === 'admin';
}

function navFor(actor: Actor, current: Section | undefined): NavItem[] {
  const items: Array<[Section, string, string]> = [
    ['inbox', '/app', W.nav.inbox],
    ['customers', '/app/kunden', W.nav.customers],
    ['import', '/app/import', W.nav.import],
    ['tasks', '/app/aufgaben', W.nav.tasks],
  ];
  if (mayReadDashboard(actor)) items.push(['sla', '/app/sla', W.nav.sla]);
  return items.map(([key, href, label]) => ({ href, label, current: key === current }));
}

export function WorkbenchPage(props: { c: WorkbenchContext; title: string; section?: Section; children?: Child }) {
  const { c } = props;
  const actor = c.get('actor');
  return (
    <StaffLayout
      title={props.title}
      user={{ displayName: c.get('signedInAs')?.displayName ?? '', role: actor.role }}
      csrfToken={c.get('csrfToken')}
      nav={navFor(actor, props.section)}
      homeHref="/app"
      stylesheets={[assetUrl('workbench.css')]}
      scripts={[assetUrl('workbench.js')]}
    >
      <div class="wb">{props.children}</div>
    </StaffLayout>
  );
}

/** The hidden CSRF field of the signed-in session. */
export function Csrf({ c }: { c: WorkbenchContext }) {
  return <CsrfField token={c.get('csrfToken')} />;
}

/** A state in words and colour; the words alone carry the meaning. */
export function StateBadge({ state }: { state: SlaState }) {
  return <span class={`badge badge--${state}`}>{SLA_STATE_LABEL[state]}</span>;
}

export function Notice({ kind = 'success', children }: { kind?: 'success' | 'info' | 'warning'; children?: Child }) {
  return (
    <div class={`notice notice--${kind}`} role={kind === 'warning' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** The id of a form field, used by labels and by the error summary's links. */
export const fieldId = (form: string, name: string) => `${form}-${name.replace(/[^a-z0-9_-]/gi, '-')}`;

/** Every problem of a refused form, each a link to its field; focused by the workbench script on load. */
export function ErrorSummary({ form, issues, title }: { form: string; issues: Issue[]; title?: string }) {
  if (issues.length === 0) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1} aria-labelledby={`${form}-errors-title`} data-autofocus>
      <h2 id={`${form}-errors-title`}>{title ?? W.common.errorSummary}</h2>
      <p>{W.common.errorSummaryIntro(issues.length)}</p>
      <ul>
        {issues.map((i) => (
          <li>{i.path ? <a href={`#${fieldId(form, i.path)}`}>{i.message}</a> : i.message}</li>
        ))}
      </ul>
    </div>
  );
}

/** The first message for a field (paths are snake_case; list items count for their field). */
export function issueFor(issues: Issue[], name: string): string | undefined {
  return issues.find((i) => i.path === name || i.path.startsWith(`${name}.`))?.message;
}

interface FieldProps {
  form: string;
  name: string;
  label: string;
  value?: string | number | null;
  hint?: string;
  error?: string;
  required?: boolean;
  type?: 'text' | 'number' | 'date' | 'file';
  inputmode?: 'numeric' | 'text';
  autocomplete?: string;
  accept?: string;
  step?: string;
  multiline?: boolean;
  rows?: number;
}

/** A labelled input or textarea; hint and error are read out with it. */
export function Field(p: FieldProps) {
  const id = fieldId(p.form, p.name);
  const describedBy = [p.hint ? `${id}-hint` : '', p.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: p.name,
    required: p.required,
    'aria-invalid': p.error ? 'true' : undefined,
    'aria-describedby': describedBy,
  };
  return (
    <div class={p.error ? 'field field--error' : 'field'}>
      <label for={id}>
        {p.label}
        {p.required ? <span class="field__required"> {W.common.required}</span> : null}
      </label>
      {p.hint ? (
        <p class="field__hint" id={`${id}-hint`}>
          {p.hint}
        </p>
      ) : null}
      {p.error ? (
        <p class="field__error" id={`${id}-error`}>
          {p.error}
        </p>
      ) : null}
      {p.multiline ? (
        <textarea {...common} rows={p.rows ?? 4}>
          {p.value ?? ''}
        </textarea>
      ) : (
        <input
          {...common}
          type={p.type ?? 'text'}
          value={p.type === 'file' ? undefined : (p.value ?? '')}
          inputmode={p.inputmode}
          autocomplete={p.autocomplete ?? 'off'}
          accept={p.accept}
          step={p.step}
        />
      )}
    </div>
  );
}

/** Links to the previous and next page of a list, keeping the other query parameters. */
export function Pager(props: {
  base: string;
  params: Record<string, string | undefined>;
  page: number;
  hasNext: boolean;
}) {
  const link = (page: number) => {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(props.params)) if (v !== undefined && v !== '') q.set(k, v);
    if (page > 1) q.set('seite', String(page));
    const s = q.toString();
    return s ? `${props.base}?${s}` : props.base;
  };
  if (props.page <= 1 && !props.hasNext) return null;
  return (
    <nav class="pager" aria-label={W.common.pagination}>
      {props.page > 1 ? (
        <a href={link(props.page - 1)} rel="prev">
          {W.common.previous}
        </a>
      ) : null}
      <span>{W.common.page(props.page)}</span>
      {props.hasNext ? (
        <a href={link(props.page + 1)} rel="next">
          {W.common.next}
        </a>
      ) : null}
    </nav>
  );
}

/** A page number from the query (`seite`), 1 when absent or malformed. */
export function pageParam(c: WorkbenchContext, max = 10_000): number {
  const raw = c.req.query('seite');
  if (!raw || !/^\d{1,5}$/.test(raw)) return 1;
  return Math.min(Math.max(Number(raw), 1), max);
}

/** A table that scrolls sideways on small screens; focusable and named, so a keyboard can scroll it too. */
export function TableWrap({ id, children }: { id?: string; children?: Child }) {
  return (
    <section class="table-wrap" tabindex={0} aria-label={W.common.scrollTable} id={id}>
      {children}
    </section>
  );
}
