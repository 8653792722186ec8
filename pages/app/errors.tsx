/**
 * The workbench's answer to a refused request: an HTML page a person can read, with the status the API would give
 * (403 for another branch's data, 404 for an unknown id, 409 for a conflict, 503 while the matcher still loads after a
 * start), and no data of the refused object.
 * Errors the handler does not know are passed on to the app's error handler (a generic 500).
 */
import type { Handler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { AppError, Unavailable } from '../../src/errors.ts';
import { W } from '../messages/workbench.de.ts';
import { type WorkbenchContext, type WorkbenchEnv, WorkbenchPage } from './ui.tsx';

const STATUS: Partial<Record<AppError['code'], ContentfulStatusCode>> = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  validation: 400,
  limit_exceeded: 429,
  unavailable: 503,
};

export function errorPage(c: WorkbenchContext, err: AppError) {
  const status = STATUS[err.code] ?? 400;
  const [title, text] =
    err.code === 'forbidden'
      ? [W.errors.forbiddenTitle, W.errors.forbidden]
      : err.code === 'not_found'
        ? [W.errors.notFoundTitle, W.errors.notFound]
        : err.code === 'conflict'
          ? [W.errors.conflictTitle, err.message]
          : err.code === 'unavailable'
            ? [W.errors.unavailableTitle, err.message]
            : [W.errors.badRequestTitle, err.message];
  if (err instanceof Unavailable) c.header('Retry-After', String(err.retryAfterSeconds));
  return c.html(
    <WorkbenchPage c={c} title={title}>
      <h1>{title}</h1>
      <p>{text}</p>
      <p>
        <a href="/app">{W.errors.toInbox}</a>
      </p>
    </WorkbenchPage>,
    status,
  );
}

/** A page handler whose domain refusals become {@link errorPage}. */
export function page(handler: (c: WorkbenchContext) => Promise<Response> | Response): Handler<WorkbenchEnv> {
  return async function workbenchPage(c) {
    try {
      return await handler(c);
    } catch (err) {
      if (err instanceof AppError) return errorPage(c, err);
      throw err;
    }
  };
}

/** A redirect after a successful form (Post/Redirect/Get), so a reload does not send it again. */
export function seeOther(c: WorkbenchContext, location: string) {
  return c.redirect(location, 303);
}

/** A form's text field; a file or a repeated field counts as absent. */
export function formText(form: Record<string, unknown>, name: string): string | undefined {
  const v = form[name];
  return typeof v === 'string' ? v : undefined;
}

/** Every value of a repeated form field (checkboxes), text only. */
export function formList(form: Record<string, unknown>, name: string): string[] {
  const v = form[name] ?? form[`${name}[]`];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}
