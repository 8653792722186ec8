/**
 * The composition root: builds every dependency from the configuration. It lives outside src/ because it wires all
 * layers (api, queues, crawlers, matchers) together, and src/ must not import them.
 */
import type { Redis } from 'ioredis';
import { createQueues, type Queues } from '../queues/queues.ts';
import type { Config } from '../src/config.ts';
import type { Ctx } from '../src/context.ts';
import { type Database, openDatabase } from '../src/db/client.ts';
import type { Logger } from '../src/logging.ts';
import { producerConnection, type RedisEndpoint, resolveRedis, warnIfRedisUnsafe } from '../src/redis/connect.ts';
import { createSearchEngine } from '../src/search/factory.ts';
import type { SearchEngine } from '../src/search/search-engine.ts';

export interface Core {
  config: Config;
  log: Logger;
  database: Database;
  ctx: Ctx;
}

export async function openCore(config: Config, log: Logger): Promise<Core> {
  const database = await openDatabase(config.db);
  await database.migrate();
  log.debug({ db: database.kind }, 'database ready, migrations applied');
  return { config, log, database, ctx: { db: database.db, log, now: () => new Date() } };
}

export interface RedisParts {
  endpoint: RedisEndpoint;
  /** For producers and health checks. */
  producer: Redis;
  queues: Queues;
  close(): Promise<void>;
}

export async function openRedis(config: Config, log: Logger): Promise<RedisParts> {
  const endpoint = await resolveRedis(config.redis, log);
  const producer = producerConnection(endpoint.url);
  await new Promise<void>((resolve, reject) => {
    if (producer.status === 'ready') return resolve();
    const timer = setTimeout(() => reject(new Error(`Redis at ${endpoint.url} did not answer within 10 s`)), 10_000);
    producer.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await warnIfRedisUnsafe(producer, log);
  const queues = createQueues(producer);
  return {
    endpoint,
    producer,
    queues,
    async close() {
      await queues.close();
      producer.disconnect();
      await endpoint.privateServer?.stop();
    },
  };
}

export async function openSearch(config: Config): Promise<SearchEngine> {
  const search = createSearchEngine(config.search);
  await search.init();
  return search;
}
