/**
 * A deleted customer leaves the queue backend too, on every backend (embedded, Redis, PostgreSQL): finished and
 * waiting `match` jobs naming them, their deduplication keys and the queue's events that name them are removed,
 * and afterwards no Redis key or value, and no row of any table in the database (the embedded and PostgreSQL
 * backends keep their queues there), holds the id outside the audit trail. Another customer's job stays.
 */
import { type Job, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { createLogger } from '../../src/logging.ts';
import { type RightsWorld, rightsWorld, tablesMentioning } from '../helpers/customer-rights-world.ts';
import { type QueueTestSetup, testQueueBackends } from '../helpers/queue-backends.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const log = createLogger('silent');
// biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON
const json = async (res: Response): Promise<any> => res.json();

/** Every key of the prefix, with its whole content as text, whatever its type. */
async function redisContents(redis: Redis, prefix: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const key of await redis.keys(`${prefix}:*`)) {
    const type = await redis.type(key);
    const value =
      type === 'string'
        ? await redis.get(key)
        : type === 'hash'
          ? await redis.hgetall(key)
          : type === 'list'
            ? await redis.lrange(key, 0, -1)
            : type === 'set'
              ? await redis.smembers(key)
              : type === 'zset'
                ? await redis.zrange(key, '0', '-1')
                : type === 'stream'
                  ? await redis.xrange(key, '-', '+')
                  : type;
    out.set(key, JSON.stringify(value));
  }
  return out;
}

describe.each(testQueueBackends())('a deleted customer leaves the $name queue backend', (backend) => {
  let setup: QueueTestSetup;
  let queues: Queues;
  let w: RightsWorld;

  beforeAll(async () => {
    setup = await backend.open();
    queues = createQueues(setup.backend, log);
    w = await rightsWorld(setup.database, NOW, { queues });
  });
  afterAll(async () => {
    await w?.close();
    await queues?.byName.match.obliterate({ force: true }).catch(() => {});
    await queues?.close();
    await setup?.close();
  });

  it('removes finished and waiting jobs, deduplication keys and events that name the customer', async () => {
    const other = w.others[0]!;
    // One job runs to the end (a finished job keeps its payload for an hour), as the match processor would.
    await queues.match({ kind: 'customer', id: w.subject, outboxId: 1 });
    const connection = setup.backend.workerConnection();
    let done = 0;
    const worker = new Worker(
      'match',
      async (job: Job) => {
        done++;
        return { status: 'done', detail: { kind: job.data.kind } };
      },
      { connection: connection.connection, prefix: setup.backend.prefix, autorun: true },
      setup.backend.factory,
    );
    const deadline = Date.now() + 20_000;
    while (done === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    await worker.close();
    connection.close();
    expect(done).toBe(1);
    // Then the relay adds the next change twice (the second is deduplicated), and another customer's.
    await queues.match({ kind: 'customer', id: w.subject, outboxId: 2 });
    await queues.match({ kind: 'customer', id: w.subject, outboxId: 3 });
    await queues.match({ kind: 'customer', id: other, outboxId: 4 });
    const naming = async () =>
      (await queues.byName.match.getJobs(['waiting', 'completed', 'delayed', 'failed', 'active'], 0, -1)).filter(
        (j) => j.data.id === w.subject,
      );
    expect((await naming()).length).toBe(2);
    if (setup.backend.kind === 'redis') {
      const before = await redisContents(setup.backend.connection as Redis, setup.backend.prefix);
      expect([...before.entries()].some(([k, v]) => k.includes(w.subject) || v.includes(w.subject))).toBe(true);
    } else {
      expect(Object.keys(await tablesMentioning(setup.database, w.subject))).toEqual(
        expect.arrayContaining(['bullmq.job', 'bullmq.dedup']),
      );
    }

    const res = await w.call('caseworker1', 'DELETE', `/api/v1/customers/${w.subject}?reason=purpose_ended`);
    expect(res.status).toBe(200);
    expect((await json(res)).queued_jobs_removed).toBe(2);

    expect(await naming()).toEqual([]);
    const left = await queues.byName.match.getJobs(['waiting'], 0, -1);
    expect(left.map((j) => j.data.id)).toEqual([other]);
    if (setup.backend.kind === 'redis') {
      const after = await redisContents(setup.backend.connection as Redis, setup.backend.prefix);
      const found = [...after.entries()].filter(([k, v]) => k.includes(w.subject) || v.includes(w.subject));
      expect(found).toEqual([]);
      expect([...after.values()].some((v) => v.includes(other))).toBe(true);
    }
    // The database (with the queues, for the embedded and PostgreSQL backends): only the audit trail has the id.
    expect(Object.keys(await tablesMentioning(setup.database, w.subject))).toEqual(['public.audit_log']);
  });
});
