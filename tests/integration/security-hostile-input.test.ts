/**
 * Hostile strings in every text field of the JSON bodies the API takes, in the query strings of the kiosk and in the
 * idempotency header: never a 500 (the database refuses NUL and broken surrogates, so they must be refused or cleaned
 * before it), and what is stored and served back carries no live markup. A table-driven stand-in for fuzzing from
 * the OpenAPI document, which does not exist yet.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.ts';
import { type EmployerWorld, employerWorld, MINIMAL_ORDER, type Who } from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const LIVE_MARKUP = /<[a-z!/?]/i;

const HOSTILE_STRINGS = [
  'a\u0000b',
  '\u0000',
  'x\ud800y',
  '\udfff',
  '\u0001\u001b[31m\u007f',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '&lt;img src=x onerror=alert(1)&gt;',
  '&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;',
  "'; drop table vacancies; --",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a template injection probe, meant literally
  '{{7*7}}${7*7}',
  '../../../../etc/passwd',
  '\u202eevil',
  'x'.repeat(20_000),
  '',
  ' ',
];

let w: EmployerWorld;
let vacancyId: string;

beforeAll(async () => {
  const database = await openPglite(undefined);
  await database.migrate();
  w = await employerWorld(database, NOW);
  const order = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER, {
    'idempotency-key': 'feindlich-basis',
  });
  expect(order.status).toBe(201);
  vacancyId = ((await order.json()) as { vacancy_id: string }).vacancy_id;
});
afterAll(async () => w?.close());

/** Every way of putting `value` into one string field of `body` (nested objects and arrays included). */
function variants(body: unknown, value: string): unknown[] {
  if (typeof body === 'string') return [value];
  if (Array.isArray(body)) return body.flatMap((item, i) => variants(item, value).map((v) => body.with(i, v)));
  if (body !== null && typeof body === 'object') {
    return Object.entries(body).flatMap(([key, item]) => variants(item, value).map((v) => ({ ...body, [key]: v })));
  }
  return [];
}

/** Percent-encoded as UTF-8; a broken surrogate (which encodeURIComponent refuses) as the bytes a client could send. */
const inUrl = (value: string) => {
  try {
    return encodeURIComponent(value);
  } catch {
    return '%ED%A0%80';
  }
};

const ROUTES: Array<{ name: string; who: Who; method: string; path: () => string; body: unknown }> = [
  {
    name: 'POST /employer/vacancies',
    who: 'employerA',
    method: 'POST',
    path: () => '/api/v1/employer/vacancies',
    body: MINIMAL_ORDER,
  },
  {
    name: 'PATCH /employer/vacancies/:id',
    who: 'employerA',
    method: 'PATCH',
    path: () => `/api/v1/employer/vacancies/${vacancyId}`,
    body: { title: 'Koch (Test)', description: 'Kantine sucht Koch (Test).' },
  },
  {
    name: 'POST /vacancies/:id/coding',
    who: 'caseworker1',
    method: 'POST',
    path: () => `/api/v1/vacancies/${vacancyId}/coding`,
    body: { kldb_code: '29302' },
  },
  {
    name: 'POST /vacancies/:id/response',
    who: 'caseworker1',
    method: 'POST',
    path: () => `/api/v1/vacancies/${vacancyId}/response`,
    body: { reason: 'clarification_requested', note: 'Rückfrage (Test)' },
  },
  {
    name: 'POST /employer-users',
    who: 'caseworker1',
    method: 'POST',
    path: () => '/api/v1/employer-users',
    body: { email: 'feind@hostile.test.invalid', employer: { name: 'Feind KG (Test)', plz: '70173' } },
  },
  {
    name: 'PUT /admin/branches/:id/catchment',
    who: 'admin',
    method: 'PUT',
    path: () => '/api/v1/admin/branches/2/catchment',
    body: { plz: ['70372'] },
  },
];

describe('hostile strings in JSON bodies', () => {
  it.each(ROUTES.map((r) => [r.name, r] as const))(
    '%s: never 500, every field, every hostile string',
    async (_, route) => {
      let tried = 0;
      for (const value of HOSTILE_STRINGS) {
        for (const body of variants(route.body, value)) {
          tried++;
          const res = await w.call(route.who, route.method, route.path(), body, {
            'idempotency-key': `feind-${tried}-${route.method}`,
          });
          const text = await res.text();
          expect(res.status, `${JSON.stringify(body).slice(0, 200)} → ${text.slice(0, 300)}`).toBeLessThan(500);
          expect(text.length).toBeLessThan(20_000);
        }
      }
      expect(tried).toBeGreaterThanOrEqual(HOSTILE_STRINGS.length);
    },
  );

  it('the idempotency key and the kiosk query: never 500', async () => {
    for (const value of HOSTILE_STRINGS) {
      const key = inUrl(value).slice(0, 500);
      const res = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', MINIMAL_ORDER, {
        'idempotency-key': key || 'leer',
      });
      expect(res.status, key).toBeLessThan(500);
      const search = await w.call('anonymous', 'GET', `/api/v1/vacancies?q=${inUrl(value).slice(0, 1_500)}`);
      expect(search.status, value.slice(0, 40)).toBeLessThan(500);
    }
  });

  it('what employers write is served back without live markup (their own verbatim `stated` copy aside)', async () => {
    const hostile = {
      ...MINIMAL_ORDER,
      title: 'Koch &lt;img src=x onerror=alert(1)&gt; <script>alert(1)</script>(m/w/d)',
      description: '&amp;lt;svg/onload=alert(1)&amp;gt; Kantine sucht Koch. <iframe src=//evil.example></iframe>',
    };
    const res = await w.call('employerA', 'POST', '/api/v1/employer/vacancies', hostile, {
      'idempotency-key': 'markup',
    });
    expect(res.status).toBe(201);
    const { vacancy_id } = (await res.json()) as { vacancy_id: string };
    for (const [who, path] of [
      ['employerA', `/api/v1/employer/vacancies/${vacancy_id}`],
      ['anonymous', `/api/v1/vacancies/${vacancy_id}`],
    ] as const) {
      // `stated` is the employer's own input, kept verbatim and shown only to them (src/orders/): clients encode it.
      const { stated: _, ...served } = (await (await w.call(who, 'GET', path)).json()) as Record<string, unknown>;
      expect(JSON.stringify(served), path).not.toMatch(LIVE_MARKUP);
    }
  });
});
