/**
 * The OpenAPI 3.1 document of the JSON API (`GET /openapi.json`, interactive at `/docs`, see api/docs.ts), generated
 * by hono-openapi from the routes of the running app: every route carries its own description as middleware, so the
 * document cannot describe a route that does not exist, and tests/integration/openapi.test.ts fails for a route that
 * is not described. Details: docs/api.md.
 *
 * Where each part of an operation comes from:
 * - parameters, request body and the 400/413/415/422 answers: the zod schemas of api/validate.ts's helpers
 *   (`params`, `idParam`, `query`, `header`, `json`), the same schemas that validate the request;
 * - tag, security scheme and the 401/403/429 answers: the audience's guard (api/v1.ts, `describeGuard`);
 * - operation id, summary, the success answers with the zod schema of their body and the problems the route's verb
 *   can answer (404, 409, a branch's 403 …): `describe(...)`, first in the route's handler chain.
 *
 * To describe a new route:
 * 1. read its input only through api/validate.ts (`idParam('Kunde')`, `query(Params)`, `json(Body)` …);
 * 2. write the zod schema of its answer in the wire's snake_case next to the function that builds the answer, and
 *    type that function's result with it (`function customerJson(c): CustomerJson`), so the compiler keeps the two
 *    in step;
 * 3. put `describe({ operationId, summary, responses: { 200: { description, body: CustomerJson } }, problems: [404] })`
 *    before the validators: `app.get('/customers/:id', describe({...}), idParam('Kunde'), handler)`;
 * 4. mount it through an audience (api/v1.ts), whose guard adds tag, security and its refusals; a route outside the
 *    audiences (like /health) gives `tags` and `security` in its `describe` itself.
 */
import type { Env, Hono, MiddlewareHandler } from 'hono';
import { type DescribeRouteOptions, describeRoute, generateSpecs, resolver, uniqueSymbol } from 'hono-openapi';
import { z } from 'zod';
import { PROBLEM_STATUSES, Problem, type ProblemStatus } from './problem.ts';

export const OPENAPI_PATH = '/openapi.json';

/** The security schemes' names in the document. */
export const BEARER = 'bearerAuth';
export const KIOSK_TOKEN = 'kioskToken';

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** The reference to the shared answer of a refusal with this status (components.responses). */
function problemRef(status: ProblemStatus) {
  return { $ref: `#/components/responses/${PROBLEM_STATUSES[status].name}` };
}

/** Refusals by status, as an operation's `responses` entries. */
export function problemResponses(statuses: readonly ProblemStatus[]): Record<string, { $ref: string }> {
  return Object.fromEntries(statuses.map((s) => [String(s), problemRef(s)]));
}

/**
 * Marks a middleware as describing the operations it runs in front of (hono-openapi reads the mark when it walks
 * the app's routes, and merges what every handler of a route declares).
 */
export function withDescription<M extends object>(middleware: M, spec: DescribeRouteOptions): M {
  return Object.assign(middleware, { [uniqueSymbol]: { spec } });
}

export interface GuardDescription {
  /** The audience's tag in the document. */
  tag: string;
  /** Security requirements; an empty object in the list means "also without". */
  security: Array<Record<string, string[]>>;
  /** What the guard itself answers (401, 403, 429). */
  problems: readonly ProblemStatus[];
}

/** Describes an audience's guard (api/v1.ts): its tag, security and refusals go into every route it guards. */
export function describeGuard<M extends object>(guard: M, { tag, security, problems }: GuardDescription): M {
  return withDescription(guard, { tags: [tag], security, responses: problemResponses(problems) });
}

/** One answer of a route: what it means and the schema of its body (JSON unless `mediaType` says otherwise). */
export interface AnswerDescription {
  description: string;
  body: z.ZodType;
  /** @defaultValue 'application/json' */
  mediaType?: string;
  headers?: Record<string, { description: string; schema: { type: 'string' } }>;
}

/** An answer without a body: 304 to a reader whose copy is still current. */
export interface EmptyAnswerDescription {
  description: string;
  headers?: AnswerDescription['headers'];
}

export interface RouteDescription {
  operationId: string;
  summary: string;
  description?: string;
  /** The answers that are not refusals, by status, with their body's schema in the wire's snake_case. */
  responses: Partial<Record<200 | 201 | 503, AnswerDescription>> & { 304?: EmptyAnswerDescription };
  /** Refusals the route or its verb answer beyond what its guard and validators declare (404, 409 …). */
  problems?: readonly ProblemStatus[];
  /** Parameters a route reads itself, not through api/validate.ts (a header such as If-Match). */
  parameters?: DescribeRouteOptions['parameters'];
  /** A body not read through api/validate.ts's `json` (the CSV import's multipart form). */
  requestBody?: DescribeRouteOptions['requestBody'];
  /** Only for routes outside the audiences (/health, /metrics): the guard gives them otherwise. */
  tags?: string[];
  security?: Array<Record<string, string[]>>;
}

/**
 * A route's description, as the first middleware of its handler chain (see the header for the whole recipe). Every
 * route may answer 413 and 414: the body and address limits are checked before routing (api/app.ts), whatever the
 * route reads.
 */
export function describe(route: RouteDescription): MiddlewareHandler {
  const { responses, problems = [], ...rest } = route;
  const answers = Object.fromEntries(
    Object.entries(responses).map(([status, answer]: [string, AnswerDescription | EmptyAnswerDescription]) => [
      status,
      {
        description: answer.description,
        headers: answer.headers,
        content:
          'body' in answer
            ? {
                // Answers are written, not read: the schema of what a route outputs.
                [answer.mediaType ?? 'application/json']: {
                  schema: resolver(answer.body, { options: { io: 'output' } }),
                },
              }
            : undefined,
      },
    ]),
  );
  return describeRoute({ ...rest, responses: { ...answers, ...problemResponses([...problems, 413, 414]) } });
}

/** A zod schema as a JSON Schema of the document (OpenAPI 3.1 uses draft 2020-12). */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest;
}

function problemComponents() {
  const responses: Record<string, unknown> = {};
  for (const [status, { name, codes, description }] of Object.entries(PROBLEM_STATUSES)) {
    responses[name] = {
      description,
      content: {
        [PROBLEM_MEDIA_TYPE]: {
          schema: {
            allOf: [
              { $ref: '#/components/schemas/Problem' },
              {
                type: 'object',
                properties: { status: { const: Number(status) }, code: { enum: [...codes] } },
              },
            ],
          },
        },
      },
    };
  }
  return { schemas: { Problem: jsonSchemaOf(Problem, 'output') }, responses };
}

const DOCUMENTATION = {
  info: {
    title: 'Jobbrücke API',
    version: '1',
    description:
      'JSON API of Jobbrücke: public vacancy search for kiosks and anyone, and the signed-in audiences of ' +
      'caseworkers, employers and admins. Bodies and parameters are snake_case; every refusal is a problem+json ' +
      'answer (RFC 9457) with a German title and detail. See docs/api.md in the repository.',
    license: { name: 'Proprietary', identifier: 'LicenseRef-Proprietary' },
  },
  servers: [{ url: '/', description: 'This service' }],
  tags: [
    { name: 'Public', description: 'Vacancy search and detail: kiosks and anyone, rate limited per client' },
    { name: 'Caseworkers', description: 'Caseworkers, branch leads and admins, scoped to their branch' },
    { name: 'Employers', description: 'Employer users: their own orders, candidates and inbox' },
    { name: 'Admins', description: 'Catchment areas and the employer service' },
    {
      name: 'Exchange',
      description: "The job centre's public employer vacancies for other job centres (JSON-LD, Atom)",
    },
    { name: 'Operations', description: 'Health and metrics for the operators' },
  ],
};

/**
 * The document of `app`: every route some middleware describes. Generated once per app (a few hundred ms) and kept:
 * routes do not change while the app runs.
 */
export function openApiDocument<E extends Env>(app: Hono<E>): () => Promise<Record<string, unknown>> {
  let generated: Promise<Record<string, unknown>> | undefined;
  return () => {
    generated ??= generateSpecs(app, {
      documentation: {
        ...DOCUMENTATION,
        components: {
          ...problemComponents(),
          securitySchemes: {
            [BEARER]: {
              type: 'http',
              scheme: 'bearer',
              description: 'The API token of a user (`jobbruecke users add`, or an employer invitation)',
            },
            [KIOSK_TOKEN]: {
              type: 'apiKey',
              in: 'header',
              name: 'X-Kiosk-Token',
              description: "The kiosk PCs' shared token: the kiosks' larger request budget (KIOSK_TOKEN)",
            },
          },
        },
      } as never,
      // Every validator of ours declares its own refusals (api/validate.ts); hono-openapi's default body is not ours.
      defaultValidationErrorResponse: false,
      // Only described routes are listed anyway; by default a path with a dot in its last part (the exchange feed's
      // /austausch/stellen.jsonld) would be taken for a static file and left out.
      excludeStaticFile: false,
    }) as Promise<Record<string, unknown>>;
    return generated;
  };
}

/** Serves the document at /openapi.json: no sign-in, it holds no data. */
export function mountOpenApi<E extends Env>(app: Hono<E>): void {
  const document = openApiDocument(app);
  app.get(OPENAPI_PATH, async (c) => c.json(await document()));
}
