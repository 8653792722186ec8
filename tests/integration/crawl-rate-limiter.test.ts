import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RedisHostRateLimiter } from '../../crawlers/http/redis-rate-limiter.ts';

describe('RedisHostRateLimiter', () => {
  let a: Redis;
  let b: Redis;
  const prefix = `test:crawl-rate:${process.pid}:`;

  beforeAll(() => {
    a = new Redis(inject('redisUrl'));
    b = new Redis(inject('redisUrl'));
  });
  afterAll(async () => {
    await a.quit();
    await b.quit();
  });

  it('keeps the spacing for one host across two limiter instances (two workers)', async () => {
    const workers = [new RedisHostRateLimiter(a, prefix), new RedisHostRateLimiter(b, prefix)];
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
    const limiter = new RedisHostRateLimiter(a, prefix);
    await limiter.acquire('eins.beispiel.example', 5_000);
    const started = performance.now();
    await limiter.acquire('zwei.beispiel.example', 5_000);
    expect(performance.now() - started).toBeLessThan(200);
  });

  it('lets the key expire once its reservations are past', async () => {
    const limiter = new RedisHostRateLimiter(a, prefix);
    await limiter.acquire('drei.beispiel.example', 50);
    const ttl = await a.pttl(`${prefix}drei.beispiel.example`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_050);
  });
});
