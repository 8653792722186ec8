/**
 * The one way a route reads its input: path parameters, query, headers and JSON body, each through a zod schema, as
 * Hono validator middleware (`c.req.valid(target)` is then typed). Bad input becomes one problem+json naming every
 * bad field in German; a body that is not JSON becomes 415. Query values given twice arrive as an array, so a schema
 * of single values refuses them instead of silently taking one.
 *
 * Status of refused input: 400 for a malformed request (path, query, headers, unparsable JSON). A JSON body that
 * parses but whose content is refused answers 400 too, except on routes whose body validator is given
 * `{ refused: 422 }` (the employer API, as its issue specifies): there the body's content is refused with 422, both
 * by the schema here and by any `ValidationFailed` the verb raises afterwards (api/errors.ts reads the mark).
 *
 * Each helper also carries its schema into the OpenAPI document (api/openapi.ts): the parameters and the request body
 * of an operation, and the refusals this module answers, are described from the very schemas that validate them.
 */
import type { Context } from 'hono';
import { validator } from 'hono/validator';
import { resolver } from 'hono-openapi';
import { z } from 'zod';
import { isRowId, RowId } from '../src/domain/ids.ts';
import { AppError, issuesOf, NotFound, ValidationFailed } from '../src/errors.ts';
import { hasControlCharacters } from '../src/ingest/text.ts';
import { jsonSchemaOf, problemResponses, withDescription } from './openapi.ts';
import type { ProblemStatus } from './problem.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

/** The status a refused body content answers with on this request, set by `json(schema, { refused })`. */
export interface ValidateVariables {
  refusedContentStatus?: 422;
}

/** Read by api/errors.ts: 422 once a route's body validator has marked the request, else 400. */
export function refusedContentStatus(c: Context): 400 | 422 {
  return (c.get('refusedContentStatus') as ValidateVariables['refusedContentStatus']) ?? 400;
}

/**
 * Where in a value (keys included) a string carries control characters or broken Unicode: no text a person types
 * has them, the database refuses NUL and broken surrogates outright, and escape sequences would reach terminals
 * through the CLI's output. Refused at the edge with the field named, instead of failing the insert with a 500.
 */
function unacceptedTextAt(value: unknown, path: string[] = []): string[] | undefined {
  if (typeof value === 'string') return hasControlCharacters(value) ? path : undefined;
  const entries = Array.isArray(value)
    ? value.map((v, i) => [String(i), v] as const)
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  for (const [key, v] of entries) {
    if (hasControlCharacters(key)) return [...path, '?'];
    const found = unacceptedTextAt(v, [...path, key]);
    if (found) return found;
  }
  return undefined;
}

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const bad = unacceptedTextAt(value);
  if (bad) {
    throw new ValidationFailed(what, [
      { path: bad.join('.'), message: 'enthält Steuerzeichen oder ungültige Unicode-Zeichen' },
    ]);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationFailed(what, issuesOf(parsed.error));
  return parsed.data;
}

type ParameterPlace = 'path' | 'query' | 'header';

/** The operation's parameters in `place`, one per property of the object schema, as the request sends them. */
function parametersOf(schema: z.ZodType, place: ParameterPlace) {
  const json = jsonSchemaOf(schema, 'input') as {
    properties?: Record<string, Record<string, unknown>>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: place,
      // Path parameters are always required (OpenAPI); a defaulted query value is not.
      required: place === 'path' || (json.required ?? []).includes(name),
      ...(typeof description === 'string' ? { description } : {}),
      schema: rest,
    };
  });
}

function describedParameters<M extends object>(
  middleware: M,
  schema: z.ZodType,
  place: ParameterPlace,
  problems: readonly ProblemStatus[] = [400],
): M {
  return withDescription(middleware, {
    parameters: parametersOf(schema, place) as never,
    responses: problemResponses(problems),
  });
}

export const params = <S extends z.ZodType>(schema: S) => {
  const validate = validator('param', (value) => parseWith(schema, value, 'Ungültige Angabe im Pfad'));
  return describedParameters(validate, schema, 'path');
};

/**
 * The row id in the path (`:id`). A malformed one names nothing that exists, so it answers like an unknown one, 404,
 * as the verbs do for ids they are given.
 */
export const idParam = (what: string) => {
  const validate = validator('param', (value: Record<string, string>): { id: string } => {
    const id = value.id ?? '';
    if (!isRowId(id)) throw new NotFound(what, id.length > 100 ? `${id.slice(0, 100)}…` : id);
    return { id };
  });
  return describedParameters(validate, z.object({ id: RowId.describe(`Id (${what})`) }), 'path', [404]);
};

export const query = <S extends z.ZodType>(schema: S) => {
  const validate = validator('query', (value) => parseWith(schema, value, 'Ungültige Parameter'));
  return describedParameters(validate, schema, 'query');
};

/**
 * Request headers, by their lower-case names (`{ 'idempotency-key': … }`). Other headers pass untouched, so the
 * schema should not be strict.
 */
export const header = <S extends z.ZodType>(schema: S) => {
  const validate = validator('header', (value) => parseWith(schema, value, 'Ungültige Kopfzeile'));
  return describedParameters(validate, schema, 'header');
};

export interface JsonOptions {
  /** The body may be left out (no Content-Type, empty body): the schema then sees `{}`. @defaultValue false */
  optional?: boolean;
  /** Status for a body whose content is refused, by the schema or later by the verb. @defaultValue 400 */
  refused?: 422;
}

/** Malformed JSON never reaches the schema: Hono refuses it first, and api/errors.ts words that answer. */
export const json = <S extends z.ZodType>(schema: S, { optional = false, refused }: JsonOptions = {}) => {
  const validate = validator('json', async (value, c) => {
    const contentType = c.req.header('content-type');
    const mediaType = (contentType ?? '').split(';')[0]?.trim() ?? '';
    // Hono hands `{}` for a body it did not read; an optional body may only be absent, not of another type.
    const absent = optional && contentType === undefined && (await c.req.text()) === '';
    if (!absent && !JSON_MEDIA_TYPE.test(mediaType)) {
      throw new AppError('unsupported_media_type', 'Der Anfragetext muss JSON sein (Content-Type: application/json).');
    }
    if (refused) c.set('refusedContentStatus', refused);
    return parseWith(schema, value, 'Ungültige Angaben');
  });
  return withDescription(validate, {
    requestBody: { required: !optional, content: { 'application/json': { schema: resolver(schema) } } },
    // Malformed JSON is 400 on every route; refused content 400 or `refused`; 413 is api/app.ts's body limit.
    responses: problemResponses(refused ? [400, 413, 415, refused] : [400, 413, 415]),
  });
};

/** A number in a query string: decimal digits only, so "0x10", "1e3" or " 5" are refused, never reinterpreted. */
export const queryNumber = z
  .string()
  .regex(/^\d+(\.\d+)?$/, 'Erwartet: Zahl')
  .transform(Number);
/** A whole number in a query string, decimal digits only. */
export const queryInteger = z.string().regex(/^\d+$/, 'Erwartet: ganze Zahl').transform(Number);
/** A comma-separated list in a query string ("vollzeit,teilzeit"). */
export const queryList = <S extends z.ZodType<unknown, string>>(item: S) =>
  z
    .string()
    .transform((v) => v.split(',').map((s) => s.trim()))
    .pipe(z.array(item));
