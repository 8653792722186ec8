/**
 * Finds the Redis the queues use: the configured REDIS_URL; else 127.0.0.1:6379 if it answers; else a private
 * redis-server with AOF persistence under the data directory, stopped with the process.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Config } from '../config.ts';
import type { Logger } from '../logging.ts';
import { logRedisErrors } from './error-log.ts';
import { portAnswers, type RedisServerHandle, redisServerAvailable, startRedisServer } from './redis-server.ts';

export interface RedisEndpoint {
  url: string;
  /** Set when this process started its own redis-server. */
  privateServer: RedisServerHandle | undefined;
}

export class RedisUnavailableError extends Error {
  constructor() {
    super(
      'No Redis found: REDIS_URL is not set, nothing answers on 127.0.0.1:6379, and redis-server is not on PATH.\n' +
        'Install Redis (Debian/Ubuntu: "sudo apt-get install redis-server"; macOS: "brew install redis") or set REDIS_URL.',
    );
    this.name = 'RedisUnavailableError';
  }
}

/** Where an unconfigured installation first looks for Redis. */
export const DEFAULT_REDIS_PORT = 6379;

export async function resolveRedis(
  config: Config['redis'],
  log: Logger,
  defaultPort = DEFAULT_REDIS_PORT,
): Promise<RedisEndpoint> {
  if (config.url) return { url: config.url, privateServer: undefined };
  if (await portAnswers('127.0.0.1', defaultPort)) {
    log.info(`REDIS_URL not set: using the Redis answering on 127.0.0.1:${defaultPort}`);
    return { url: `redis://127.0.0.1:${defaultPort}`, privateServer: undefined };
  }
  // Another process of this installation (the service, or a CLI run) may already have started the private server.
  const portFile = join(config.privateDir, 'port');
  if (existsSync(portFile)) {
    const port = Number(readFileSync(portFile, 'utf8'));
    if (port > 0 && (await portAnswers('127.0.0.1', port))) {
      log.info({ port }, 'using the private redis-server started by another process of this installation');
      return { url: `redis://127.0.0.1:${port}`, privateServer: undefined };
    }
  }
  if (!redisServerAvailable()) throw new RedisUnavailableError();
  const server = await startRedisServer({ dir: config.privateDir });
  writeFileSync(portFile, String(server.port));
  log.info(
    { port: server.port, dir: config.privateDir },
    'REDIS_URL not set and no Redis on 127.0.0.1:6379: started a private redis-server with AOF persistence',
  );
  return { url: server.url, privateServer: server };
}

/**
 * BullMQ keeps only what Redis keeps: without AOF a Redis restart loses acknowledged jobs, and an evicting
 * memory policy drops queue keys. Warn loudly; the DB-side outbox and deadlines let the work be re-derived.
 */
export async function warnIfRedisUnsafe(redis: Redis, log: Logger): Promise<void> {
  try {
    const [, appendOnly] = (await redis.config('GET', 'appendonly')) as [string, string];
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as [string, string];
    if (appendOnly !== 'yes') {
      log.warn(
        'Redis runs without AOF persistence (appendonly no): queued jobs are lost if Redis restarts. Set appendonly yes.',
      );
    }
    if (policy !== 'noeviction') {
      log.warn(
        { policy },
        'Redis maxmemory-policy is not noeviction: queue data may be evicted. Set maxmemory-policy noeviction.',
      );
    }
  } catch {
    // Managed Redis services often forbid CONFIG; nothing to check then.
  }
}

/** A connection for BullMQ workers (blocking commands need maxRetriesPerRequest: null). */
export function workerConnection(url: string, log: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
  redis.on('error', logRedisErrors(log, 'worker connection'));
  return redis;
}

/** A connection for producers and health checks: fail fast instead of queueing commands while Redis is away. */
export function producerConnection(url: string, log: Logger): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: false, lazyConnect: false });
  redis.on('error', logRedisErrors(log, 'producer connection'));
  return redis;
}
