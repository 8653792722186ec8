/** The one place where errors become HTTP answers: application/problem+json (RFC 9457) with the request id. */
import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { ZodError } from 'zod';
import {
  AppError,
  type ErrorCode,
  type Issue,
  issuesOf,
  LimitExceeded,
  Unavailable,
  ValidationFailed,
} from '../src/errors.ts';
import type { Logger } from '../src/logging.ts';
import { ProposalsRefused } from '../src/proposals/send.ts';
import { PROBLEM_LIMITS } from './problem.ts';
import { refusedContentStatus } from './validate.ts';

export { PROBLEM_LIMITS };

const STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  not_found: 404,
  conflict: 409,
  validation: 400,
  forbidden: 403,
  unauthorized: 401,
  limit_exceeded: 429,
  unsupported_media_type: 415,
  unavailable: 503,
};

const TITLE: Record<ErrorCode, string> = {
  not_found: 'Nicht gefunden',
  conflict: 'Konflikt',
  validation: 'Ungültige Eingabe',
  forbidden: 'Keine Berechtigung',
  unauthorized: 'Nicht angemeldet',
  limit_exceeded: 'Zu viele Anfragen',
  unsupported_media_type: 'Falsches Format',
  unavailable: 'Dienst nicht verfügbar',
};

/** German wording for the few errors Hono itself raises (malformed JSON, a body it cannot read). */
const HONO_STATUS_TITLE: Partial<Record<number, { title: string; code: string; detail: string }>> = {
  400: { title: TITLE.validation, code: 'validation', detail: 'Der Anfragetext ist kein gültiges JSON.' },
};

const snakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** Written by `problem` itself from the request; `title`, `code` and `detail` come from the caller. */
const STANDARD_MEMBERS = new Set(['type', 'status', 'instance', 'request_id']);

/** Answers never echo more of the caller's input than a reader needs to recognise it. */
export const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}…` : text);

function boundedIssues(issues: Issue[]): Issue[] {
  return issues.slice(0, PROBLEM_LIMITS.issues).map((i) => ({
    path: clip(i.path, PROBLEM_LIMITS.issuePath),
    message: clip(i.message, PROBLEM_LIMITS.issueMessage),
  }));
}

/**
 * Problem details (RFC 9457); extension members in snake_case like every other body on the wire. Bounded: the path,
 * the detail and the issues are clipped, and a problem still larger than `PROBLEM_LIMITS.total` keeps only its
 * standard members.
 */
export function problem(c: Context, status: ContentfulStatusCode, body: Record<string, unknown>): Response {
  // An extension member never replaces a standard one: a conflict's `status` is the record's (say "closed"), and the
  // problem's `status` must stay the HTTP status (RFC 9457). The record's value keeps its place as `record_status`.
  const members = Object.fromEntries(
    Object.entries(body).map(([key, value]) => {
      const name = snakeCase(key);
      return [STANDARD_MEMBERS.has(name) ? `record_${name}` : name, value];
    }),
  );
  if (typeof members.detail === 'string') members.detail = clip(members.detail, PROBLEM_LIMITS.detail);
  if (Array.isArray(members.issues)) members.issues = boundedIssues(members.issues as Issue[]);
  const head = {
    type: 'about:blank',
    status,
    instance: clip(c.req.path, PROBLEM_LIMITS.instance),
    request_id: c.get('requestId'),
  };
  let text = JSON.stringify({ ...head, ...members });
  if (text.length > PROBLEM_LIMITS.total) {
    const { title, code, detail } = members;
    text = JSON.stringify({ ...head, title, code, detail, truncated: true });
  }
  return c.body(text, status, { 'content-type': 'application/problem+json; charset=utf-8' });
}

/** What an error adds to its problem: its detail, with nested names in the wire's snake_case where they are not. */
function membersOf(err: AppError): Record<string, unknown> {
  if (err instanceof ProposalsRefused) {
    return {
      refusals: err.refusals.map((r) => ({
        customer_id: r.customerId,
        failed: r.failed.map(({ code, text }) => ({ code, text })),
      })),
    };
  }
  return err.detail;
}

export function toProblem(log: Logger) {
  return function onError(err: Error, c: Context): Response {
    if (err instanceof AppError) {
      if (err instanceof LimitExceeded || err instanceof Unavailable) {
        c.header('Retry-After', String(err.retryAfterSeconds));
      }
      // Refused body content answers 422 on the routes that ask for it (api/validate.ts); everything else 400.
      const status = err instanceof ValidationFailed ? refusedContentStatus(c) : STATUS[err.code];
      return problem(c, status, {
        title: TITLE[err.code],
        code: err.code,
        detail: err.message,
        ...membersOf(err),
      });
    }
    if (err instanceof ZodError) {
      return problem(c, 400, {
        title: TITLE.validation,
        code: 'validation',
        detail: 'Die Anfrage enthält ungültige Werte.',
        issues: issuesOf(err),
      });
    }
    if (err instanceof HTTPException) {
      const status = err.status as ContentfulStatusCode;
      return problem(c, status, HONO_STATUS_TITLE[status] ?? { title: 'Anfrage nicht möglich', code: 'http' });
    }
    // Unknown errors are logged once with their stack; the client never sees the message.
    log.error({ err, requestId: c.get('requestId'), path: c.req.path }, 'unhandled error');
    return problem(c, 500, {
      title: 'Interner Fehler',
      code: 'internal',
      detail: 'Ein unerwarteter Fehler ist aufgetreten.',
    });
  };
}
