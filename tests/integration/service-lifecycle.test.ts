import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../../src/db/client.ts';
import { customers, vacancies } from '../../src/db/schema.ts';
import { startService } from '../helpers/service-process.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-service-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('jobbruecke start on embedded defaults', () => {
  it('SIGTERM during the demo seed, then a restart, leaves a consistent, fully seeded database', async () => {
    // Nothing but Node.js: no redis-server on the PATH, no REDIS_URL; the queues live in the embedded database.
    const env = { DATA_DIR: dataDir, PATH: dirname(process.execPath) };
    const first = await startService(env);
    await first.waitForOutput(/seeding the demo city/, 60_000);
    await new Promise((r) => setTimeout(r, 3_000));
    const code = await first.stop('SIGTERM');
    expect(first.output()).not.toMatch(/Jobbrücke läuft/);
    expect(code).not.toBeNull();

    // Behind a TLS proxy the exchange feed must name the public address, not the one the request arrived at.
    const second = await startService({
      ...env,
      PUBLIC_URL: 'https://jobbruecke.stadt.example',
      PUBLISHER_NAME: 'Jobcenter Musterstadt (Demo)',
    });
    await second.waitForHealthy(180_000);
    const health = (await (await fetch(`${second.baseUrl}/health`)).json()) as { components: unknown };
    expect(health.components).toEqual({
      db: { status: 'up', kind: 'pglite' },
      queue: { status: 'up', kind: 'embedded' },
      search: { status: 'up', kind: 'embedded' },
    });
    const search = (await (await fetch(`${second.baseUrl}/api/v1/vacancies?q=koch&plz=70173&radius_km=20`)).json()) as {
      total: number;
    };
    expect(search.total).toBeGreaterThan(10);
    const atom = await (await fetch(`${second.baseUrl}/austausch/stellen.atom`)).text();
    expect(atom).toContain('<uri>https://jobbruecke.stadt.example</uri>');
    expect(atom).toContain('Jobcenter Musterstadt (Demo)');
    expect(atom).not.toContain(second.baseUrl);
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(second.output()).toMatch(/"msg":"stopped"/);

    const database = await openPglite(join(dataDir, 'db'));
    try {
      expect(await database.db.$count(vacancies)).toBe(20_000);
      expect(await database.db.$count(customers)).toBe(30_890);
    } finally {
      await database.close();
    }
  });
});
