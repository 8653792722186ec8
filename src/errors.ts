/** Domain errors with stable codes; the HTTP edge maps them to problem+json once (api/errors.ts). */
export type ErrorCode =
  | 'not_found'
  | 'conflict'
  | 'validation'
  | 'forbidden'
  | 'unauthorized'
  | 'limit_exceeded'
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

export class NotFound extends AppError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} nicht gefunden`, { what, id });
  }
}

export class Conflict extends AppError {
  constructor(message: string, detail: Record<string, unknown> = {}) {
    super('conflict', message, detail);
  }
}

export type Issue = { path: string; message: string };

/** zod's issues as the API reports them: a dotted path and a message per problem. */
export function issuesOf(error: {
  issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>;
}): Issue[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
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

export class Unauthorized extends AppError {
  constructor(message = 'Anmeldung erforderlich') {
    super('unauthorized', message);
  }
}
