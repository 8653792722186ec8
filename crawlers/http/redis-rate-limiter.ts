import type { Redis } from 'ioredis';
import { type HostRateLimiter, sleep } from './rate-limiter.ts';

/**
 * Reserves the next free slot for a host atomically. Redis' own clock is used so workers on machines with skewed
 * clocks still agree; the key expires once its reservations are in the past.
 */
const RESERVE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'))
redis.call('SET', KEYS[1], slot + interval, 'PX', slot - now + interval + 1000)
return slot - now
`;

export class RedisHostRateLimiter implements HostRateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix = 'jobbruecke:crawl:host:',
  ) {}

  async acquire(host: string, minIntervalMs: number): Promise<void> {
    const waitMs = Number(
      await this.redis.eval(RESERVE_SLOT, 1, this.keyPrefix + host.toLowerCase(), Math.ceil(minIntervalMs)),
    );
    if (waitMs > 0) await sleep(waitMs);
  }
}
