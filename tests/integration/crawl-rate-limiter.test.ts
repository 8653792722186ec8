import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatabaseHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import type { Database } from '../../src/db/client.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

describe.each(testDatabases())('DatabaseHostRateLimiter on $name', (factory) => {
  let database: Database;

  beforeAll(async () => {
    database = await openMigrated(factory);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('keeps the spacing for one host across two limiter instances (two workers)', async () => {
    const workers = [new DatabaseHostRateLimiter(database.db), new DatabaseHostRateLimiter(database.db)];
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        workers[i % 2]!.acquire('stellen.beispiel.example', 100).then(() => granted.push(performance.now())),
      ),
    );
    granted.sort((x, y) => x - y);
    const gaps = granted.slice(1).map((t, i) => t - granted[i]!);
    // Timer granularity allows a few ms of slack; without the limiter the gaps would be ~0.
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(90);
    expect(granted.at(-1)! - granted[0]!).toBeGreaterThanOrEqual(490);
  });

  it('does not delay a different host', async () => {
    const limiter = new DatabaseHostRateLimiter(database.db);
    await limiter.acquire('eins.beispiel.example', 5_000);
    const started = performance.now();
    await limiter.acquire('zwei.beispiel.example', 5_000);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('does not delay a host whose last slot is past', async () => {
    const limiter = new DatabaseHostRateLimiter(database.db);
    await limiter.acquire('drei.beispiel.example', 50);
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await limiter.acquire('drei.beispiel.example', 50);
    expect(performance.now() - started).toBeLessThan(40);
  });
});
