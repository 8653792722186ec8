/**
 * BullMQ keeps only what Redis keeps. Two settings decide whether an acknowledged job survives: AOF persistence
 * (`appendonly yes`; without it a restart loses every job since the last snapshot) and `maxmemory-policy noeviction`
 * (any other policy lets Redis delete queue keys, locks and schedulers when memory runs short). The relays re-derive
 * most work from the database, but a job added between two relay passes, a delay already waited or a scheduler's
 * rhythm would be gone. So `start` checks the Redis it is given: a warning outside production, a refusal in it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from '../src/logging.ts';

export interface RedisDurability {
  /** `yes`/`no`; undefined when Redis answered neither CONFIG GET nor INFO. */
  appendOnly: string | undefined;
  maxmemoryPolicy: string | undefined;
}

/**
 * Reads both settings with CONFIG GET; managed Redis services often forbid CONFIG, so each falls back to INFO
 * (`aof_enabled` in `persistence`, `maxmemory_policy` in `memory`).
 */
export async function readRedisDurability(redis: Redis): Promise<RedisDurability> {
  const fromConfig = async (name: string) => {
    try {
      const [, value] = (await redis.config('GET', name)) as [string?, string?];
      return value;
    } catch {
      return undefined;
    }
  };
  const fromInfo = async (section: string, field: string) => {
    try {
      const text = await redis.info(section);
      return new RegExp(`^${field}:(.*)$`, 'm').exec(text)?.[1]?.trim();
    } catch {
      return undefined;
    }
  };
  const aofEnabled = async () => {
    const enabled = await fromInfo('persistence', 'aof_enabled');
    return enabled === undefined ? undefined : enabled === '1' ? 'yes' : 'no';
  };
  const appendOnly = (await fromConfig('appendonly')) ?? (await aofEnabled());
  const maxmemoryPolicy = (await fromConfig('maxmemory-policy')) ?? (await fromInfo('memory', 'maxmemory_policy'));
  return { appendOnly, maxmemoryPolicy };
}

export interface DurabilityVerdict {
  /** What is set wrong, one sentence each, naming the setting, its value and what it costs. */
  missing: string[];
  /** Settings Redis would not tell. */
  unchecked: string[];
}

export function judgeRedisDurability({ appendOnly, maxmemoryPolicy }: RedisDurability): DurabilityVerdict {
  const missing: string[] = [];
  const unchecked: string[] = [];
  if (appendOnly === undefined) unchecked.push('appendonly');
  else if (appendOnly !== 'yes') {
    missing.push(`appendonly is ${appendOnly} (a Redis restart loses the jobs queued since its last snapshot)`);
  }
  if (maxmemoryPolicy === undefined) unchecked.push('maxmemory-policy');
  else if (maxmemoryPolicy !== 'noeviction') {
    missing.push(
      `maxmemory-policy is ${maxmemoryPolicy} (when memory runs short Redis deletes queued jobs, locks and schedulers)`,
    );
  }
  return { missing, unchecked };
}

/** Thrown by `start` in production when the given Redis may lose acknowledged jobs; the message is one line. */
export class UnsafeRedis extends Error {
  constructor(missing: string[]) {
    super(
      `Refusing to start in production: the Redis of REDIS_URL may lose acknowledged jobs: ${missing.join('; ')}. ` +
        'Run it with appendonly yes and maxmemory-policy noeviction.',
    );
    this.name = 'UnsafeRedis';
  }
}

/**
 * The check `start` runs on its queue backend; the PostgreSQL backends keep their jobs in the database and pass.
 * Outside production each missing setting is a warning; in production they throw {@link UnsafeRedis}. Settings Redis
 * would not tell are a warning everywhere: refusing what cannot be checked would shut out every locked-down service.
 */
export async function checkQueueDurability(
  backend: { durability?(): Promise<RedisDurability> },
  { production, log }: { production: boolean; log: Logger },
): Promise<void> {
  if (!backend.durability) return;
  const { missing, unchecked } = judgeRedisDurability(await backend.durability());
  if (unchecked.length > 0) {
    log.warn(
      { settings: unchecked },
      'could not check whether Redis keeps queued jobs (CONFIG GET and INFO refused): make sure it runs with ' +
        'appendonly yes and maxmemory-policy noeviction',
    );
  }
  if (missing.length === 0) return;
  if (production) throw new UnsafeRedis(missing);
  for (const problem of missing) log.warn(`Redis may lose acknowledged jobs: ${problem}`);
}
