/**
 * Property-based fuzzing of the JSON API, driven by its OpenAPI document (issue 12, point 1): for every operation in
 * /openapi.json and every caller (anonymous, kiosk PC, employer, employer of another company, caseworker of the
 * branch, caseworker of another branch, branch lead, admin), fast-check generates requests from the operation's own
 * parameter and body schemas: valid values and the fixture's real ids, boundary values, and hostile mutations (wrong
 * types, huge strings, control characters and broken Unicode, prototype-pollution keys, extra and missing fields,
 * malformed path ids, wrong media types, broken JSON). They go to the app in-process. Every answer must
 * - never be a 5xx;
 * - have a status the document declares for that operation, with the declared media type;
 * - be valid against the declared schema of that operation and status, read back from the document itself
 *   (`z.fromJSONSchema`), so the document and the routes cannot drift apart;
 * - if a problem, stay within the problem size bound.
 * Runs on PGlite only: the authorization matrix runs on both databases (role-matrix.test.ts), and this file's cost is
 * the number of requests. `FUZZ_RUNS` sets the cases per operation and caller: 300 by default (about 120,000
 * requests in all, some 7 minutes on 2 cores; at 1,000 the file alone took about half an hour there and no longer fit
 * beside the rest of CI), more for a deeper run before a release (`FUZZ_RUNS=2000 npx vitest run
 * tests/integration/api-fuzz.test.ts`).
 */
import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AppEnv, createApp } from '../../api/app.ts';
import { PROBLEM_LIMITS } from '../../api/problem.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { openPglite } from '../../src/db/client.ts';
import { fireMilestone } from '../../src/sla/milestones.ts';
import { type EmployerWorld, employerWorld, MINIMAL_ORDER, SIGNED_IN, type Who } from '../helpers/employer-world.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 300);
const NOW = new Date('2026-11-20T09:00:00Z');
const KIOSK_TOKEN = 'kiosk-fuzz-token-0123456789';
const V = '/api/v1';

type Caller = Who | 'kiosk';
const CALLERS: Caller[] = ['anonymous', 'kiosk', ...SIGNED_IN];

type Schema = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
};
type Parameter = { name: string; in: 'path' | 'query' | 'header'; required?: boolean; schema: Schema };
type Answer = { $ref?: string; content?: Record<string, { schema: Schema }> };
type Operation = {
  operationId: string;
  parameters?: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Schema }> };
  responses: Record<string, Answer>;
};
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Answer> };
};

interface FuzzRequest {
  path: string;
  query: Array<[string, string]>;
  headers: Record<string, string>;
  body?: string | FormData;
  /** What the case tried, for the report of a failure. */
  kind: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Values from the document's schemas.

const HOSTILE_TEXT = [
  '\u0000',
  'a\u0000b',
  '\u001b[31mrot\u001b[0m',
  '\u007f',
  '\ud800',
  'x\udfffy',
  '\u202eevil',
  '<script>alert(1)</script>',
  '&lt;img src=x onerror=alert(1)&gt;',
  "'; drop table customers; --",
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  '=HYPERLINK("http://x.invalid")',
  '0x10',
  '1e3',
  ' 5',
  '-0',
  'NaN',
  'Infinity',
  '9'.repeat(400),
  'ä'.repeat(300),
  '🧑‍🍳'.repeat(50),
  '__proto__',
  'constructor',
];
const hostileString = fc.oneof(
  fc.constantFrom(...HOSTILE_TEXT),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.constantFrom(1_000, 10_000, 100_000).map((n) => 'A'.repeat(n)),
);
const wrongType = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
  fc.constant([]),
  fc.constant({}),
);
/** Objects whose own keys could pollute a prototype if a route merged them carelessly. */
const pollutingKeys = fc.constantFrom('__proto__', 'constructor', 'prototype');

function resolve(schema: Schema, defs: Record<string, Schema>): Schema {
  if (schema.$ref) return resolve(defs[schema.$ref.split('/').pop()!]!, defs);
  return schema;
}

/** An arbitrary of values the schema accepts (where fast-check can say so), with its boundary values. */
function valid(raw: Schema, defs: Record<string, Schema>, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(raw, defs);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => valid(s, defs, depth)));
  if (schema.allOf) return valid(schema.allOf[0]!, defs, depth);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1) return fc.oneof(...types.map((type) => valid({ ...schema, type }, defs, depth)));
  const min = (key: string) => (typeof schema[key] === 'number' ? (schema[key] as number) : undefined);
  switch (types[0]) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const lo = min('minimum') ?? (min('exclusiveMinimum') ?? -1_000_000) + 1;
      const hi = min('maximum') ?? (min('exclusiveMaximum') ?? 1_000_000) - 1;
      const whole = fc.integer({ min: Math.ceil(lo), max: Math.floor(hi) });
      // The bounds themselves and one beyond each: off-by-one errors live there.
      const edges = fc.constantFrom(lo, hi, lo - 1, hi + 1, 0);
      return types[0] === 'integer'
        ? fc.oneof(whole, edges)
        : fc.oneof(whole, edges, fc.double({ min: lo, max: hi, noNaN: true }));
    }
    case 'string': {
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === 'date') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'email') return fc.emailAddress();
      if (typeof schema.pattern === 'string') return fc.stringMatching(new RegExp(schema.pattern));
      const minLength = min('minLength') ?? 0;
      const maxLength = Math.min(min('maxLength') ?? 60, 200);
      return fc.oneof(
        fc.string({ minLength, maxLength: Math.max(minLength, maxLength) }),
        fc.constantFrom('a'.repeat(minLength), 'a'.repeat(Math.max(0, maxLength)), 'a'.repeat(maxLength + 1)),
      );
    }
    case 'array': {
      const item = schema.items ? valid(schema.items, defs, depth + 1) : fc.jsonValue({ maxDepth: 1 });
      return fc.array(item, { minLength: min('minItems') ?? 0, maxLength: Math.min(min('maxItems') ?? 4, 4) });
    }
    case 'object': {
      const properties = schema.properties ?? {};
      if (depth > 4 || Object.keys(properties).length === 0) return fc.constant({});
      const shape = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, valid(s, defs, depth + 1)]));
      return fc.record(shape, { requiredKeys: schema.required ?? [] });
    }
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

type Mutation = (value: Record<string, unknown>) => fc.Arbitrary<{ value: Record<string, unknown>; kind: string }>;

/** Hostile changes to an object of fields (query or body): one field broken, extra or missing, or polluting keys. */
const mutations: Mutation[] = [
  (v) => fc.constant({ value: v, kind: 'valid' }),
  (v) =>
    fc
      .tuple(fc.constantFrom(...(Object.keys(v).length ? Object.keys(v) : ['x'])), wrongType)
      .map(([k, w]) => ({ value: { ...v, [k]: w }, kind: 'wrong type' })),
  (v) =>
    fc
      .tuple(fc.constantFrom(...(Object.keys(v).length ? Object.keys(v) : ['x'])), hostileString)
      .map(([k, s]) => ({ value: { ...v, [k]: s }, kind: 'hostile text' })),
  (v) =>
    fc
      .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue({ maxDepth: 1 }))
      .map(([k, x]) => ({ value: { ...v, [k]: x }, kind: 'extra field' })),
  (v) =>
    fc.subarray(Object.keys(v)).map((drop) => ({
      value: Object.fromEntries(Object.entries(v).filter(([k]) => !drop.includes(k))),
      kind: 'missing fields',
    })),
  (v) =>
    pollutingKeys.map((k) => ({
      // JSON.parse makes `__proto__` an own key, as a body parser would.
      value: { ...v, ...JSON.parse(`{"${k}": {"polluted": true, "isAdmin": true}}`) },
      kind: 'prototype pollution',
    })),
];

function mutated(base: fc.Arbitrary<unknown>) {
  return base.chain((v) =>
    fc.oneof(
      { weight: 4, arbitrary: fc.oneof(...mutations.map((m) => m((v ?? {}) as Record<string, unknown>))) },
      {
        weight: 1,
        arbitrary: wrongType.map((w) => ({ value: w as Record<string, unknown>, kind: 'wrong body type' })),
      },
    ),
  );
}

/** Header values must be byte strings without line breaks, or the request cannot even be built. */
const headerSafe = (s: unknown) =>
  String(s)
    .replace(/[^\x20-\x7e]/g, '?')
    .slice(0, 8_000);

// ---------------------------------------------------------------------------------------------------------------
// Requests for one operation.

interface Fixture {
  vacancy: string;
  proposal: string;
  customer: string;
  task: string;
  staffNotification: string;
  employerNotification: string;
  employer: string;
  caseworker: string;
}

/** The fixture's real ids by path, so that valid requests reach the verbs and not only the 404 of an unknown id. */
function realIds(path: string, name: string, f: Fixture): string[] {
  if (name === 'customerId') return [f.customer];
  if (path.startsWith(`${V}/admin/branches`)) return ['1', '2', '99'];
  if (path.startsWith(`${V}/admin/employers`)) return [f.employer];
  if (path.startsWith(`${V}/admin/users`)) return [f.caseworker];
  if (path.includes('/notifications/')) {
    return [path.startsWith(`${V}/employer/`) ? f.employerNotification : f.staffNotification];
  }
  if (path.includes('/proposals/{id}')) return [f.proposal];
  if (path.includes('/tasks/')) return [f.task];
  if (path.includes('/customers/')) return [f.customer];
  return [f.vacancy];
}

const malformedId = fc.oneof(
  fc.constantFrom(
    '\u0000',
    'a%00b',
    '00000000-0000-0000-0000-00000000000\u0000',
    'x'.repeat(15_000),
    '..',
    '%2F',
    'not-a-uuid',
    '00000000-0000-4000-8000-000000000000',
    '0',
    '-1',
    '1e3',
    '0x10',
    '🧑‍🍳',
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 40 }),
);

function requestArbitrary(path: string, op: Operation, doc: Document, f: Fixture): fc.Arbitrary<FuzzRequest> {
  const defs = doc.components.schemas;
  const params = op.parameters ?? [];
  const pathNames = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
  const pathArb = fc
    .tuple(
      ...pathNames.map((name) => {
        const declared = params.find((p) => p.in === 'path' && p.name === name);
        return fc.oneof(
          { weight: 5, arbitrary: fc.constantFrom(...realIds(path, name, f)) },
          { weight: 2, arbitrary: declared ? valid(declared.schema, defs).map(String) : fc.uuid() },
          { weight: 3, arbitrary: malformedId },
        );
      }),
    )
    .chain((values) =>
      // Mostly encoded as a client would; sometimes raw, so that slashes and dots reach the router.
      fc.boolean().map((raw) => {
        let i = 0;
        return path.replace(/\{\w+\}/g, () => {
          const value = values[i++]!;
          // Never a raw '?' or '#': the case would address another route than the one it fuzzes.
          return raw && !/[?#]/.test(value) ? value : encodeURIComponent(value);
        });
      }),
    );

  const queryParams = params.filter((p) => p.in === 'query');
  const queryShape = { type: 'object', properties: {}, required: [] } as Schema;
  for (const p of queryParams) {
    queryShape.properties![p.name] = p.schema;
    if (p.required) queryShape.required!.push(p.name);
  }
  const queryArb = mutated(valid(queryShape, defs)).chain(({ value, kind }) =>
    fc.boolean().map((twice) => {
      const entries = Object.entries(value ?? {}).flatMap(
        ([k, v]): Array<[string, string]> =>
          Array.isArray(v)
            ? v.map((x) => [k, String(x)])
            : [[k, typeof v === 'object' ? JSON.stringify(v) : String(v)]],
      );
      // A parameter given twice must be refused, never silently take one of the values.
      if (twice && entries.length > 0) entries.push(entries[0]!);
      return { entries, kind: `query: ${kind}${twice && entries.length ? ', repeated' : ''}` };
    }),
  );

  const headerParams = params.filter((p) => p.in === 'header');
  const headersArb = fc
    .tuple(
      ...headerParams.map((p) =>
        fc.option(fc.oneof(valid(p.schema, defs), hostileString), { nil: undefined }).map((v) => [p.name, v] as const),
      ),
    )
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined).map(([k, v]) => [k, headerSafe(v)])));

  const bodyArb = bodyArbitrary(op, defs);

  return fc.record({ path: pathArb, query: queryArb, headers: headersArb, body: bodyArb }).map((r) => ({
    path: r.path,
    query: r.query.entries,
    headers: { ...r.headers, ...r.body.headers },
    body: r.body.body,
    kind: `${r.query.kind}; body: ${r.body.kind}`,
    // A counterexample is printed clipped: a case may carry a 300 KB body.
    [fc.toStringMethod]() {
      const clip = (s: string) => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);
      const body = typeof r.body.body === 'string' ? clip(r.body.body) : r.body.body ? 'multipart' : 'none';
      return `${clip(r.path)} query=${clip(JSON.stringify(r.query.entries))} headers=${clip(JSON.stringify(r.headers))} body=${body} (${r.query.kind}; body: ${r.body.kind})`;
    },
  }));
}

type BodyCase = { body?: string | FormData; headers: Record<string, string>; kind: string };

function bodyArbitrary(op: Operation, defs: Record<string, Schema>): fc.Arbitrary<BodyCase> {
  const jsonSchema = op.requestBody?.content['application/json']?.schema;
  const multipart = op.requestBody?.content['multipart/form-data'];
  const json = (text: string, kind: string): BodyCase => ({
    body: text,
    headers: { 'content-type': 'application/json' },
    kind,
  });
  const transport = fc.oneof(
    fc.constant<BodyCase>({ headers: {}, kind: 'no body' }),
    fc.constantFrom('{"a":', '{', 'null', '[]', '"text"', '{"a":1}{', '\u0000').map((t) => json(t, 'malformed JSON')),
    fc.constant<BodyCase>({ body: '{}', headers: { 'content-type': 'text/plain' }, kind: 'wrong media type' }),
    fc.constant<BodyCase>({ body: '{}', headers: {}, kind: 'no media type' }),
    // Over the 256 KiB body limit.
    fc.constant(json(`{"x":"${'A'.repeat(300_000)}"}`, 'too large')),
  );
  if (multipart) {
    const csv = fc
      .array(fc.array(fc.oneof(fc.string({ maxLength: 20 }), hostileString), { maxLength: 6 }), { maxLength: 5 })
      .map((rows) => rows.map((r) => r.join(';')).join('\n'));
    const form = csv.map((text): BodyCase => {
      const data = new FormData();
      data.append('file', new File([text], 'kunden.csv', { type: 'text/csv' }));
      return { body: data, headers: {}, kind: 'multipart CSV' };
    });
    return fc.oneof({ weight: 3, arbitrary: form }, { weight: 1, arbitrary: transport });
  }
  if (!jsonSchema) return fc.oneof({ weight: 4, arbitrary: fc.constant({ headers: {}, kind: 'none' }) }, transport);
  const content = mutated(valid(jsonSchema, defs)).map(({ value, kind }) => json(JSON.stringify(value), kind));
  return fc.oneof({ weight: 6, arbitrary: content }, { weight: 1, arbitrary: transport });
}

// ---------------------------------------------------------------------------------------------------------------
// Answers against the document.

/** Keyed by the document's own schema objects: built once each, not per case. */
const validators = new WeakMap<object, z.ZodType>();
const timing = { request: 0 };

/** The declared schema of one answer, from the document, as a validator (cached). */
function declaredSchema(doc: Document, answer: Answer, mediaType: string): z.ZodType | undefined {
  const resolved = answer.$ref ? doc.components.responses[answer.$ref.split('/').pop()!]! : answer;
  const media = resolved.content?.[mediaType];
  if (!media) return undefined;
  let schema = validators.get(media);
  if (!schema) {
    const local = (s: unknown) => JSON.parse(JSON.stringify(s).replaceAll('"#/components/schemas/', '"#/$defs/'));
    schema = z.fromJSONSchema({ ...local(media.schema), $defs: local(doc.components.schemas) });
    validators.set(media, schema);
  }
  return schema;
}

// ---------------------------------------------------------------------------------------------------------------

describe('fuzzing the API from its OpenAPI document', () => {
  let w: EmployerWorld;
  let app: Hono<AppEnv>;
  let doc: Document;
  let f: Fixture;
  const counts: Record<string, Record<string, number>> = {};
  const statuses: Record<string, Record<number, number>> = {};
  const started = performance.now();

  /** The fixture's answers are arbitrary JSON; the setup reads the ids it needs. */
  // biome-ignore lint/suspicious/noExplicitAny: see above
  const call = async (who: Caller, method: string, path: string, body?: unknown): Promise<{ json(): Promise<any> }> =>
    w.call(who === 'kiosk' ? 'anonymous' : who, method, path, body);

  beforeAll(async () => {
    const database = await openPglite(undefined);
    await database.migrate();
    w = await employerWorld(database, NOW);
    // The fixture, as the role matrix builds it: an order with a proposal, a due task, a notification each.
    const order = await (await call('employerA', 'POST', `${V}/employer/vacancies`, MINIMAL_ORDER)).json();
    const other = await (
      await call('employerA', 'POST', `${V}/employer/vacancies`, { ...MINIMAL_ORDER, title: 'Spüler (m/w/d)' })
    ).json();
    await call('caseworker1', 'POST', `${V}/vacancies/${order.vacancy_id}/coding`, { kldb_code: '29302' });
    const sent = await (
      await call('caseworker1', 'POST', `${V}/vacancies/${order.vacancy_id}/proposals`, {
        customer_ids: [w.customers.market[0]],
      })
    ).json();
    w.ctx.setNow(new Date(NOW.getTime() + 24 * 3_600_000));
    await fireMilestone(w.ctx, { vacancyId: other.vacancy_id, kind: 'reminder' });
    const tasks = await (await call('caseworker1', 'GET', `${V}/tasks?include=upcoming`)).json();
    const staffInbox = await (await call('caseworker1', 'GET', `${V}/notifications`)).json();
    const employerInbox = await (await call('employerA', 'GET', `${V}/employer/notifications`)).json();
    f = {
      vacancy: order.vacancy_id,
      proposal: sent.proposals[0].proposal_id,
      customer: w.customers.market[0]!,
      task: tasks.items[0].id,
      staffNotification: staffInbox.items[0].id,
      employerNotification: employerInbox.items[0].id,
      employer: w.employerIds.A,
      caseworker: w.userIds.caseworker2,
    };
    // The world's app, with a kiosk token and limits high enough that the cases reach the routes (the limits have
    // tests of their own), and a real health report.
    app = createApp({
      ctx: w.ctx,
      search: w.search,
      matchService: await MatchService.load(w.ctx),
      network: { kioskToken: KIOSK_TOKEN },
      publicRequestsPerMinute: 1e9,
      kioskRequestsPerMinute: 1e9,
      authFailuresPerMinute: 1e9,
      exchange: { requestsPerMinute: 1e9 },
      health: async () => ({
        status: 'up',
        components: {
          db: { status: 'up', kind: 'pglite' },
          queue: { status: 'up', kind: 'embedded' },
          search: { status: 'up', kind: 'embedded' },
        },
      }),
    });
    doc = (await (await app.request('/openapi.json')).json()) as Document;
  });

  afterAll(async () => {
    const ops = Object.keys(counts).sort();
    const lines = ops.map((op) => `${op.padEnd(34)} ${CALLERS.map((c) => String(counts[op]![c] ?? 0)).join(' ')}`);
    console.info(
      `fuzz cases per operation and caller (${CALLERS.join(' ')}), ${Math.round(performance.now() - started) / 1000} s:\n${lines.join('\n')}`,
    );
    console.info(`time in app.request: ${Math.round(timing.request)} ms`);
    console.info(`statuses per operation:\n${ops.map((op) => `${op}: ${JSON.stringify(statuses[op])}`).join('\n')}`);
    await w?.close();
  });

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    );

  it('finds operations to fuzz in the document', () => {
    expect(operations().length).toBeGreaterThanOrEqual(40);
  });

  it.each(CALLERS)(
    'as %s: no 5xx, every answer as declared',
    async (caller) => {
      for (const { path, method, op } of operations()) {
        counts[op.operationId] ??= {};
        statuses[op.operationId] ??= {};
        const opCounts = counts[op.operationId]!;
        const opStatuses = statuses[op.operationId]!;
        await fc.assert(
          fc.asyncProperty(requestArbitrary(path, op, doc, f), async (req) => {
            const url = `${req.path}${req.query.length ? `?${new URLSearchParams(req.query).toString()}` : ''}`;
            const headers: Record<string, string> = { ...req.headers };
            if (caller === 'kiosk') headers['x-kiosk-token'] = KIOSK_TOKEN;
            else if (caller !== 'anonymous') headers.authorization = `Bearer ${w.tokens[caller]}`;
            const t0 = performance.now();
            const res = await app.request(url, { method, headers, body: method === 'GET' ? undefined : req.body });
            const text = await res.text();
            timing.request += performance.now() - t0;
            const context = `${caller} ${method} ${url.slice(0, 300)} (${req.kind}) → ${res.status} ${text.slice(0, 400)}`;
            opCounts[caller] = (opCounts[caller] ?? 0) + 1;
            opStatuses[res.status] = (opStatuses[res.status] ?? 0) + 1;

            expect(res.status, context).toBeLessThan(500);
            const answer = op.responses[String(res.status)];
            expect(answer, `undeclared status: ${context}`).toBeDefined();
            // A bodiless answer (the exchange feed's 304) is declared without content.
            if (!answer!.$ref && answer!.content === undefined) {
              expect(text, `a body where none is declared: ${context}`).toBe('');
              return;
            }
            const mediaType = (res.headers.get('content-type') ?? '').split(';')[0]!.trim();
            const declared = answer!.$ref
              ? doc.components.responses[answer!.$ref.split('/').pop()!]!.content
              : answer!.content;
            const declaredType = Object.keys(declared ?? {}).find((t) => t.split(';')[0] === mediaType);
            expect(declaredType, `undeclared media type ${mediaType}: ${context}`).toBeDefined();
            const schema = declaredSchema(doc, answer!, declaredType!)!;
            const body = mediaType.endsWith('json') ? JSON.parse(text) : text;
            const checked = schema.safeParse(body);
            expect(checked.success, `${context}\n${checked.error?.message.slice(0, 1500)}`).toBe(true);
            if (mediaType === 'application/problem+json')
              expect(text.length, context).toBeLessThanOrEqual(PROBLEM_LIMITS.total);
          }),
          { numRuns: RUNS, endOnFailure: true },
        );
      }
      // No answer may have polluted a prototype on the way.
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    },
    600_000,
  );
});
