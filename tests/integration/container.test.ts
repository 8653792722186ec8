/** The composition root (bin/container.ts): parts built once per process, one index follower, and a clean close. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Job } from 'bullmq';
import { afterAll, describe, expect, it } from 'vitest';
import { createContainer } from '../../bin/container.ts';
import { loadConfig } from '../../src/config.ts';
import { withTransaction } from '../../src/context.ts';
import { createLogger } from '../../src/logging.ts';
import { appendOutbox, vacancyChanged } from '../../src/outbox/append.ts';
import { insertSyntheticVacancies } from '../helpers/vacancies.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function containerIn(options: { api: boolean }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-container-'));
  dirs.push(dataDir);
  // The embedded defaults: the queues live in the data directory's database.
  const config = loadConfig({ DATA_DIR: dataDir, DEMO_DATA: 'off' });
  return { dataDir, config, container: createContainer(config, createLogger('silent'), options) };
}

const NOW = new Date('2026-11-20T09:00:00Z');
const noJob = {} as Job;

describe('createContainer', () => {
  it('gives the API process one index follower, which the index jobs use too', async () => {
    const { container, dataDir, config } = containerIn({ api: true });
    try {
      const { ctx, database } = await container.core();
      await insertSyntheticVacancies(database.db, 3, NOW, 11);

      const follower = await container.indexFollower();
      expect(follower).toBeDefined();
      expect(await container.indexFollower()).toBe(follower);
      expect(await container.matchService()).toBe(await container.matchService());
      const search = await container.search();
      expect(await search.count()).toBe(3);

      const added = await insertSyntheticVacancies(database.db, 2, NOW, 12);
      await withTransaction(ctx, (tx) =>
        appendOutbox(
          tx,
          added.flatMap((id) => vacancyChanged(id)),
        ),
      );
      const processors = await container.processors();
      expect((await container.queues()).backend.kind).toBe('embedded');
      expect(await processors.index({}, noJob)).toEqual({ status: 'done', detail: { applied: 2 } });
      expect(await search.count()).toBe(5);
      expect(await follower?.sync(ctx)).toBe(0);
    } finally {
      await container.close();
    }
    expect(existsSync(join(dataDir, 'db.lock'))).toBe(false);

    // Closed and unlocked: the next process opens the same database.
    const next = createContainer(config, createLogger('silent'));
    try {
      const { database } = await next.core();
      expect(await database.ping()).toBe(true);
    } finally {
      await next.close();
    }
  });

  it('keeps no embedded index in a worker-only process: its index jobs are skipped', async () => {
    const { container } = containerIn({ api: false });
    try {
      expect(await container.indexFollower()).toBeUndefined();
      const processors = await container.processors();
      expect((await processors.index({}, noJob)).status).toBe('skipped');
    } finally {
      await container.close();
    }
  });

  it('closes without having opened anything', async () => {
    const { container, dataDir } = containerIn({ api: false });
    await container.close();
    expect(existsSync(join(dataDir, 'db.lock'))).toBe(false);
  });
});
