/** Domain errors with stable codes; the HTTP edge maps them to problem+json once (api/errors.ts). */
import { useGermanValidationMessages } from './validation-messages.ts';

// Every boundary that reports validation problems imports this module, so this is the one place to install them.
useGermanValidationMessages();

export type ErrorCode =
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'forbidden'
  | 'unauthorized'
  | 'limit_exceeded'
  | 'unsupported_media_type'
  | 'unavailable';

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Ids come from the caller; an answer names them only as far as a reader needs to recognise them. */
const MAX_ECHOED_ID = 100;

export class NotFound extends AppError {
  constructor(what: string, id: string) {
    const shown = id.length > MAX_ECHOED_ID ? `${id.slice(0, MAX_ECHOED_ID)}…` : id;
    super('not_found', `${what} ${shown} nicht gefunden`, { what, id: shown });
  }
}

export class Conflict extends AppError {
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super('conflict', message, detail);
  }
}

export type Issue = { path: string; message: string };

/** The wire speaks snake_case; internal schemas are camelCase, so their paths are translated once, here. */
const snakeCase = (segment: string) => segment.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/** zod's issues as the API and the CLI report them: a dotted snake_case path and a German message per problem. */
export function issuesOf(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}): Issue[] {
  return error.issues.map((i) => ({ path: i.path.map((p) => snakeCase(String(p))).join('.'), message: i.message }));
}

export class ValidationFailed extends AppError {
  constructor(
    message: string,
    readonly issues: Issue[] = [],
  ) {
    super('validation', message, { issues });
  }
}

export class Forbidden extends AppError {
  constructor(message = 'Keine Berechtigung für diese Aktion') {
    super('forbidden', message);
  }
}

/** Too many attempts: the caller may try again after `retryAfterSeconds` (sent as Retry-After). */
export class LimitExceeded extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('limit_exceeded', message, { retryAfterSeconds });
  }
}

/** A part of the service is not ready yet (still loading after a start): try again after `retryAfterSeconds`. */
export class Unavailable extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('unavailable', message, { retryAfterSeconds });
  }
}

export class Unauthorized extends AppError {
  constructor(message = 'Anmeldung erforderlich') {
    super('unauthorized', message);
  }
}
