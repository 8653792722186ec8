/**
 * The service and the Redis it is given, over real processes. At start it checks that Redis keeps acknowledged jobs
 * (AOF, `maxmemory-policy noeviction`): in production it refuses one that does not, with one line, reading the
 * settings from INFO where CONFIG is forbidden; elsewhere it warns. And SIGTERM ends the service within its drain
 * deadline also when Redis is gone in the middle of a crawl, where it used to wait for Redis forever.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHUTDOWN_DEADLINE_MS } from '../../bin/commands/start.ts';
import { checkQueueDurability, readRedisDurability } from '../../queues/redis-durability.ts';
import { crawlRuns, ingestBatches, sources, vacancies } from '../../src/db/schema.ts';
import { withEmbeddedDatabase } from '../helpers/chaos.ts';
import { type JobFeedServer, startJobFeedServer } from '../helpers/job-feed-server.ts';
import { type RedisServerHandle, startRedisServer } from '../helpers/redis-server.ts';
import { type ServiceProcess, startService } from '../helpers/service-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'jobbruecke-chaos-startup-'));
/** How long a service process on a busy machine may take to build its indexes and answer /health. */
const START_MS = 180_000;
let redis: RedisServerHandle;

/** A Redis user as managed services hand out: allowed everything but the named commands. */
async function restrictedUser(name: string, forbidden: string[]): Promise<string> {
  const admin = new Redis(redis.url);
  try {
    await admin.acl('SETUSER', name, 'on', `>${name}-synthetic-secret`, '~*', '&*', '+@all', ...forbidden);
  } finally {
    admin.disconnect();
  }
  return `redis://${name}:${name}-synthetic-secret@127.0.0.1:${redis.port}`;
}

beforeAll(async () => {
  // What the check must notice: no AOF, and a policy that evicts keys under memory pressure.
  redis = await startRedisServer({ dir: join(dir, 'redis'), appendOnly: false });
  const admin = new Redis(redis.url);
  await admin.config('SET', 'maxmemory-policy', 'allkeys-lru');
  admin.disconnect();
});

afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the start-up check of the given Redis', () => {
  it('refuses to start in production with one line naming what is missing, read from INFO when CONFIG is forbidden', async () => {
    const service = await startService({
      NODE_ENV: 'production',
      DATA_DIR: join(dir, 'production'),
      REDIS_URL: await restrictedUser('no-config', ['-config']),
      QUEUE_PREFIX: 'chaos:startup',
      LOG_LEVEL: 'warn',
    });
    const code = service.child.exitCode ?? (await new Promise<number | null>((r) => service.child.once('exit', r)));
    const output = service.output();
    expect(code, output).toBe(2);
    const refusal = output.split('\n').filter((line) => line.startsWith('Refusing to start'));
    expect(refusal).toHaveLength(1);
    expect(refusal[0]).toContain('appendonly is no');
    expect(refusal[0]).toContain('maxmemory-policy is allkeys-lru');
    expect(output).not.toMatch(/^\s+at /m);
  });

  it('warns that it could not check when Redis answers neither CONFIG nor INFO', async () => {
    const url = await restrictedUser('no-config-no-info', ['-config', '-info']);
    // Without INFO, ioredis's own ready check would fail: it is what this user may not run.
    const client = new Redis(url, { enableReadyCheck: false });
    const lines: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => lines.push(JSON.parse(line).msg) });
    try {
      await checkQueueDurability({ durability: () => readRedisDurability(client) }, { production: true, log });
    } finally {
      client.disconnect();
    }
    expect(lines).toEqual([expect.stringContaining('could not check whether Redis keeps queued jobs')]);
  });
});

describe('SIGTERM while Redis is gone in the middle of a crawl', () => {
  const dataDir = join(dir, 'shutdown');
  let board: JobFeedServer;
  let service: ServiceProcess;

  beforeAll(async () => {
    // A board that takes a minute to send its feed: the crawl is still reading when the service is told to stop.
    board = await startJobFeedServer({ count: 200, streamMs: 60_000 });
    await withEmbeddedDatabase(dataDir, async (db) => {
      await db.insert(sources).values({
        name: 'Testbörse (langsam)',
        type: 'feed',
        url: board.feedUrl,
        legalBasis: 'Testaufbau',
        everyMinutes: 1440,
      });
    });
    service = await startService({
      DATA_DIR: dataDir,
      DEMO_DATA: 'off',
      REDIS_URL: redis.url,
      QUEUE_PREFIX: 'chaos:shutdown',
      CRAWL_ALLOWED_PRIVATE_HOSTS: new URL(board.origin).host,
    });
    await service.waitForHealthy(START_MS);
  });

  afterAll(async () => {
    await service?.stop('SIGKILL');
    await board?.close();
  });

  it('warns at start that this Redis may lose acknowledged jobs', () => {
    expect(service.output()).toContain('Redis may lose acknowledged jobs: appendonly is no');
    expect(service.output()).toContain('Redis may lose acknowledged jobs: maxmemory-policy is allkeys-lru');
  });

  it('ends within the drain deadline with a clear line, exit code 0, and leaves nothing half-written', async () => {
    // The source's job scheduler starts the crawl as soon as the relay installs it.
    await board.feedRequested;
    redis.process.kill('SIGKILL');
    await new Promise((r) => setTimeout(r, 2_000));

    // Past the deadline and a margin for a loaded machine, the helper kills the process: then the code is null.
    const code = await service.stop('SIGTERM', SHUTDOWN_DEADLINE_MS + 10_000);
    const output = service.output();
    expect(code, output.slice(-3000)).toBe(0);
    expect(output).toContain('jobs still running at the drain deadline');
    const stoppedAfter = /"ms":(\d+),"msg":"stopped"/.exec(output)?.[1];
    expect(stoppedAfter).toBeDefined();
    console.log(
      `[chaos] SIGTERM with Redis gone mid-crawl: stopped after ${stoppedAfter} ms (deadline ${SHUTDOWN_DEADLINE_MS} ms)`,
    );

    // The crawl was cut off before it staged anything: no batch, no vacancy, and no run recorded as finished.
    await withEmbeddedDatabase(dataDir, async (db) => {
      expect(await db.$count(ingestBatches)).toBe(0);
      expect(await db.$count(vacancies)).toBe(0);
      const runs = await db.select({ finishedAt: crawlRuns.finishedAt }).from(crawlRuns);
      expect(runs.every((r) => r.finishedAt === null)).toBe(true);
    });
  });
});
