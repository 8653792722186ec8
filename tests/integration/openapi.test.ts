/**
 * The OpenAPI document at /openapi.json (api/openapi.ts) against the real app: every route of /api/v1, /health,
 * /metrics and the exchange feed (/austausch/…) is in it and described (a route without `describe(...)` fails here), it lists no route that does not
 * exist, Redocly's recommended rules find no error in it, and every schema in it is one a validator can use. Also
 * the interactive reference at /docs: served from this origin under the app's own Content-Security-Policy.
 */
import { createConfig, lintFromString } from '@redocly/openapi-core';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AppEnv, CONTENT_SECURITY_POLICY, createApp } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { testContext } from '../helpers/context.ts';

type Operation = {
  operationId?: string;
  summary?: string;
  tags?: string[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }>; $ref?: string }>;
};
type Document = {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, unknown> };
};

/** The routes the document must describe: the JSON API, the operators' two endpoints and the exchange feed. */
const DESCRIBED = (path: string) =>
  path.startsWith('/api/v1/') || path.startsWith('/austausch/') || path === '/health' || path === '/metrics';
/** Hono's `:id` is OpenAPI's `{id}`. */
const openApiPath = (path: string) => path.replace(/:([A-Za-z_]\w*)/g, '{$1}');

let database: Database;
let search: SearchEngine;
let app: Hono<AppEnv>;
let doc: Document;

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  const ctx = testContext(database.db);
  search = createEmbeddedSearchEngine();
  await search.init();
  app = createApp({
    ctx,
    search,
    matchService: await MatchService.load(ctx),
    health: async () => ({ status: 'up', components: {} as never }),
  });
  const res = await app.request('/openapi.json');
  expect(res.status).toBe(200);
  doc = (await res.json()) as Document;
});

afterAll(async () => {
  await search?.close();
  await database?.close();
});

describe('GET /openapi.json', () => {
  it('is served without sign-in as OpenAPI 3.1', async () => {
    const res = await app.request('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/json');
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  });

  it('describes every route of the app, and no route the app does not have', () => {
    const registered = new Set(
      app.routes
        .filter((r) => r.method !== 'ALL' && DESCRIBED(r.path))
        .map((r) => `${r.method} ${openApiPath(r.path)}`),
    );
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    expect(
      [...registered].filter((r) => !documented.has(r)),
      'routes missing from the document',
    ).toEqual([]);
    expect(
      [...documented].filter((r) => !registered.has(r)),
      'documented routes that do not exist',
    ).toEqual([]);
    expect(registered.size).toBeGreaterThanOrEqual(40);
  });

  it('gives every operation an id, a summary, a tag and a success answer with a schema', () => {
    const undescribed: string[] = [];
    const ids: string[] = [];
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(item)) {
        const success = Object.entries(op.responses ?? {}).filter(([status]) => /^2\d\d$/.test(status));
        const described =
          op.summary !== undefined &&
          op.operationId !== undefined &&
          (op.tags?.length ?? 0) > 0 &&
          success.length > 0 &&
          success.every(([, r]) => Object.values(r.content ?? {}).some((m) => m.schema !== undefined));
        // A route without `describe(...)` still shows up through its guard and validators, but without these.
        if (!described) undescribed.push(`${method.toUpperCase()} ${path}`);
        if (op.operationId) ids.push(op.operationId);
      }
    }
    expect(undescribed, 'routes without describe(...) (see api/openapi.ts)').toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('answers every refusal with the one Problem schema', () => {
    for (const item of Object.values(doc.paths)) {
      for (const op of Object.values(item)) {
        for (const [status, answer] of Object.entries(op.responses ?? {})) {
          if (status.startsWith('4')) expect(answer.$ref, status).toMatch(/^#\/components\/responses\/\w+$/);
        }
      }
    }
    expect(doc.components.schemas.Problem).toBeDefined();
  });

  it('has no error by Redocly’s recommended rules', async () => {
    const config = await createConfig({ extends: ['recommended'] });
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: '/openapi.json',
      config,
    });
    const errors = problems.filter((p) => p.severity === 'error');
    const warnings = problems.filter((p) => p.severity === 'warn');
    // Listed so a new one is seen in the output; each accepted one is explained in docs/api.md.
    for (const w of warnings) console.info(`redocly warning ${w.ruleId}: ${w.message} (${w.location[0]?.pointer})`);
    expect(errors.map((e) => `${e.ruleId}: ${e.message} at ${e.location[0]?.pointer}`)).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('holds only schemas a JSON Schema validator accepts (with every reference resolved)', () => {
    const $defs = doc.components.schemas;
    const resolvable = (schema: unknown) =>
      JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"#/$defs/'));
    const schemas: unknown[] = [];
    const collect = (node: unknown, key?: string) => {
      if (Array.isArray(node)) for (const v of node) collect(v);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'schema' && key !== 'properties') schemas.push(v);
          else collect(v, k);
        }
      }
    };
    collect(doc.paths);
    collect(doc.components.responses);
    expect(schemas.length).toBeGreaterThan(80);
    for (const schema of schemas) {
      expect(() => z.fromJSONSchema({ ...resolvable(schema), $defs: resolvable($defs) })).not.toThrow();
    }
  });
});

describe('GET /docs', () => {
  it('serves Swagger UI from this origin, its initialiser as a file, under the strict policy', async () => {
    const page = await app.request('/docs');
    expect(page.status).toBe(200);
    const html = await page.text();
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(CONTENT_SECURITY_POLICY.scriptSrc).toEqual(["'self'"]);
    // No inline script or style, and nothing from another host.
    expect(html).not.toMatch(/<script>|<script [^>]*>[^<]+<\/script>|<style|style=/);
    expect(html).not.toMatch(/https?:\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(assets).toEqual(
      expect.arrayContaining(['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js', '/docs/init.js']),
    );
    for (const asset of assets) {
      const res = await app.request(asset);
      expect(res.status, asset).toBe(200);
      expect((await res.arrayBuffer()).byteLength, asset).toBeGreaterThan(0);
    }
    const init = await (await app.request('/docs/init.js')).text();
    expect(init).toContain("url: '/openapi.json'");
    expect(init).toContain('validatorUrl: null');
  });

  it('answers unknown assets with a problem, never with a file from elsewhere', async () => {
    for (const name of ['constructor', '__proto__', '..%2Fpackage.json', 'index.html']) {
      const res = await app.request(`/docs/${name}`);
      expect(res.status, name).toBe(404);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
