/**
 * How a route's description is assembled (api/openapi.ts): parameters and bodies from the very schemas
 * api/validate.ts validates with, refusals by who answers them (validators, guard, route), and answers in the
 * wire's shape. A small app, no database.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { expect, describe as group, it } from 'vitest';
import { z } from 'zod';
import { toProblem } from '../../api/errors.ts';
import { describe, describeGuard, openApiDocument } from '../../api/openapi.ts';
import { header, idParam, json, query, queryInteger } from '../../api/validate.ts';
import { createLogger } from '../../src/logging.ts';

type Operation = {
  operationId: string;
  tags?: string[];
  security?: unknown[];
  parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
  requestBody?: { required: boolean; content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: Record<string, unknown> }> }>;
};

const Params = z.object({
  limit: queryInteger.pipe(z.number().min(1).max(50)).default(10),
  q: z.string().max(20),
});
const Body = z.object({ name: z.string().min(1), note: z.string().optional() }).strict();
const Answer = z.strictObject({ id: z.string(), name: z.string() });

function sample() {
  const app = new Hono();
  app.onError(toProblem(createLogger('silent')));
  const pass: MiddlewareHandler = async (_c, next) => next();
  const guard = describeGuard(pass, {
    tag: 'Test',
    security: [{ bearerAuth: [] }],
    problems: [401],
  });
  app.post(
    '/things/:id',
    guard,
    describe({
      operationId: 'changeThing',
      summary: 'Change a thing',
      responses: { 200: { description: 'The thing', body: Answer } },
      problems: [409],
    }),
    idParam('Ding'),
    query(Params),
    header(z.object({ 'idempotency-key': z.string().min(8).optional() })),
    json(Body, { refused: 422 }),
    (c) => c.json({ id: c.req.valid('param').id, name: c.req.valid('json').name }),
  );
  return app;
}

async function operation(): Promise<Operation> {
  const doc = (await openApiDocument(sample())()) as { paths: Record<string, Record<string, Operation>> };
  return doc.paths['/things/{id}']!.post!;
}

group('describing a route', () => {
  it('takes parameters from the validators’ schemas, with what the request must send', async () => {
    const op = await operation();
    const byName = Object.fromEntries(op.parameters.map((p) => [`${p.in} ${p.name}`, p]));
    expect(byName['path id']).toMatchObject({ required: true, schema: { type: 'string', format: 'uuid' } });
    // A defaulted value may be left out; its input is the digits the query string carries.
    expect(byName['query limit']).toMatchObject({ required: false, schema: { type: 'string', pattern: '^\\d+$' } });
    expect(byName['query q']).toMatchObject({ required: true, schema: { type: 'string', maxLength: 20 } });
    expect(byName['header idempotency-key']).toMatchObject({ required: false, schema: { minLength: 8 } });
  });

  it('takes the body from the json validator’s schema, closed as the schema is strict', async () => {
    const op = await operation();
    expect(op.requestBody?.required).toBe(true);
    const schema = op.requestBody?.content['application/json']?.schema;
    expect(schema).toMatchObject({ type: 'object', required: ['name'], additionalProperties: false });
  });

  it('declares each refusal where it is answered: validators, guard and route', async () => {
    const op = await operation();
    expect(Object.keys(op.responses).sort()).toEqual(
      ['200', '400', '401', '404', '409', '413', '414', '415', '422'].sort(),
    );
    expect(op.responses['422']?.$ref).toBe('#/components/responses/UnprocessableContent');
    expect(op.responses['200']?.content?.['application/json']?.schema).toMatchObject({
      required: ['id', 'name'],
      additionalProperties: false,
    });
    expect(op).toMatchObject({ operationId: 'changeThing', tags: ['Test'], security: [{ bearerAuth: [] }] });
  });

  it('leaves the validators’ behaviour as it was: German problems, 415 and 422', async () => {
    const app = sample();
    const id = '00000000-0000-4000-8000-000000000001';
    const send = (path: string, body: string, type = 'application/json') =>
      app.request(path, { method: 'POST', headers: { 'content-type': type }, body });
    const refused = await send(`/things/${id}?q=a`, JSON.stringify({ name: '' }));
    expect(refused.status).toBe(422);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { title: string }).title).toBe('Ungültige Eingabe');
    expect((await send(`/things/${id}?q=a`, '{}', 'text/plain')).status).toBe(415);
    expect((await send(`/things/${id}?q=a`, '{"name":')).status).toBe(400);
    expect((await send(`/things/${id}?q=a&q=b`, JSON.stringify({ name: 'x' }))).status).toBe(400);
    expect((await send(`/things/nope?q=a`, JSON.stringify({ name: 'x' }))).status).toBe(404);
    const ok = await send(`/things/${id}?q=a`, JSON.stringify({ name: 'Ding' }));
    expect(await ok.json()).toEqual({ id, name: 'Ding' });
  });
});
