import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { createQueues } from '../../queues/queues.ts';
import { createLogger } from '../../src/logging.ts';
import { producerConnection, resolveRedis } from '../../src/redis/connect.ts';
import { freePort } from '../../src/redis/redis-server.ts';

const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-redis-resolve-'));
const log = createLogger('silent');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('finding Redis without REDIS_URL', () => {
  it('uses REDIS_URL when set', async () => {
    const url = inject('redisUrl');
    expect((await resolveRedis({ url, privateDir: dir }, log)).url).toBe(url);
  });

  it('uses a Redis answering on the default port', async () => {
    const port = Number(new URL(inject('redisUrl')).port);
    const endpoint = await resolveRedis({ url: undefined, privateDir: dir }, log, port);
    expect(endpoint).toEqual({ url: `redis://127.0.0.1:${port}`, privateServer: undefined });
  });

  it('otherwise starts a private redis-server with AOF persistence, which a second process reuses', async () => {
    const nothingThere = await freePort();
    const first = await resolveRedis({ url: undefined, privateDir: join(dir, 'redis') }, log, nothingThere);
    try {
      expect(first.privateServer).toBeDefined();
      const client = new Redis(first.url);
      try {
        expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
        expect(await client.config('GET', 'maxmemory-policy')).toEqual(['maxmemory-policy', 'noeviction']);
      } finally {
        client.disconnect();
      }
      const second = await resolveRedis({ url: undefined, privateDir: join(dir, 'redis') }, log, nothingThere);
      expect(second).toEqual({ url: first.url, privateServer: undefined });
    } finally {
      await first.privateServer?.stop();
    }
  });
});

describe('a Redis that is down', () => {
  it('is logged once, not at every reconnect by the client and each of its queues', async () => {
    const lines: Array<{ msg: string; where: string; err: string }> = [];
    const capture = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const connection = producerConnection(`redis://127.0.0.1:${await freePort()}`, capture);
    const queues = createQueues(connection, capture, 'down-test');
    try {
      await new Promise((r) => setTimeout(r, 1_500));
    } finally {
      connection.disconnect();
      await queues.close();
    }
    expect(lines).toEqual([
      expect.objectContaining({ msg: 'Redis error', err: expect.stringMatching(/ECONNREFUSED/) }),
    ]);
  });
});
