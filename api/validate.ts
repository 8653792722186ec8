/**
 * The one way a route reads its input: path parameters, query and JSON body, each through a zod schema, as Hono
 * validator middleware (`c.req.valid(target)` is then typed). Bad input becomes one 400 problem+json naming every bad
 * field in German; a body that is not JSON becomes 415. Query values given twice arrive as an array, so a schema of
 * single values refuses them instead of silently taking one.
 */
import { validator } from 'hono/validator';
import { z } from 'zod';
import { AppError, issuesOf, ValidationFailed } from '../src/errors.ts';

const JSON_MEDIA_TYPE = /^application\/([\w.-]+\+)?json$/i;

function parseWith<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationFailed(what, issuesOf(parsed.error));
  return parsed.data;
}

export const params = <S extends z.ZodType>(schema: S) =>
  validator('param', (value) => parseWith(schema, value, 'Ungültige Angabe im Pfad'));

export const query = <S extends z.ZodType>(schema: S) =>
  validator('query', (value) => parseWith(schema, value, 'Ungültige Parameter'));

/** Malformed JSON never reaches the schema: Hono refuses it first, and api/errors.ts words that answer. */
export const json = <S extends z.ZodType>(schema: S) =>
  validator('json', (value, c) => {
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]?.trim() ?? '';
    if (!JSON_MEDIA_TYPE.test(mediaType)) {
      throw new AppError('unsupported_media_type', 'Der Anfragetext muss JSON sein (Content-Type: application/json).');
    }
    return parseWith(schema, value, 'Ungültige Angaben');
  });

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
