/** Issue 10 point 6: the admins' queue dashboard, on the embedded (PostgreSQL) backend, behind the admin token. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_SECURITY_POLICY, createApp, QUEUE_BOARD_CSP } from '../../api/app.ts';
import { MatchService } from '../../matchers/service/match-service.ts';
import { openQueueBackend, type QueueBackend } from '../../queues/backend.ts';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { branches } from '../../src/db/schema.ts';
import { checkHealth } from '../../src/health.ts';
import { createEmbeddedSearchEngine } from '../../src/search/embedded.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { addUser } from '../../src/users/add-user.ts';
import { testContext } from '../helpers/context.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let database: Database;
let search: SearchEngine;
let backend: QueueBackend;
let queues: Queues;
let adminToken: string;
let caseworkerToken: string;
let app: ReturnType<typeof createApp>;

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  const ctx = testContext(database.db, NOW);
  search = createEmbeddedSearchEngine();
  await search.init();
  backend = await openQueueBackend({ kind: 'embedded' }, { database, log: ctx.log });
  queues = createQueues(backend, ctx.log);
  await queues.index();
  await database.db.insert(branches).values({ id: 1, name: 'Mitte', plz: '70173' });
  adminToken = (await addUser({ ctx, input: { email: 'admin@example.org', role: 'admin' } as never })).token;
  caseworkerToken = (
    await addUser({ ctx, input: { email: 'cw@example.org', role: 'caseworker', branchId: 1 } as never })
  ).token;
  app = createApp({
    ctx,
    search,
    matchService: await MatchService.load(ctx),
    queueBoard: Object.values(queues.byName),
    health: () =>
      checkHealth({
        db: { kind: 'pglite', check: () => database.ping() },
        queue: { kind: 'embedded', check: async () => true },
        search: { kind: 'embedded', check: () => search.health() },
      }),
  });
});

afterAll(async () => {
  await queues.close();
  await backend.close();
  await search.close();
  await database.close();
});

const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });

describe('/admin/queues', () => {
  it('is refused without a token and to other roles, page and API alike', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues']) {
      expect((await app.request(path)).status).toBe(401);
      expect((await app.request(path, as(caseworkerToken))).status).toBe(403);
    }
  });

  it('shows admins the page, with the relaxed policy on this path only', async () => {
    const res = await app.request('/admin/queues', as(adminToken));
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<html');
    expect(res.headers.get('content-security-policy')).toBe(QUEUE_BOARD_CSP);
    const health = await app.request('/health');
    expect(health.headers.get('content-security-policy')).toContain("style-src 'self';");
    expect(CONTENT_SECURITY_POLICY.styleSrc).toEqual(["'self'"]);
  });

  it('lists the queues of the PostgreSQL backend with their jobs', async () => {
    const res = await app.request('/admin/queues/api/queues', as(adminToken));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { queues: { name: string }[] };
    expect(body.queues.map((q) => q.name)).toEqual(expect.arrayContaining(['index', 'ingest', 'crawl']));
  });
});
