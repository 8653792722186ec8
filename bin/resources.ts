/**
 * What a CLI command may use: the database core and the Redis parts. Run on its own, a command opens them lazily and
 * the runner closes them afterwards; run inside the service (forwarded from the CLI, see bin/service-link.ts), it
 * borrows the service's open instances.
 */
import type { MatchService } from '../matchers/match-service.ts';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/logging.ts';
import type { SearchEngine } from '../src/search/search-engine.ts';
import { type Core, openCore, openRedis, type RedisParts } from './container.ts';
import { lockEmbeddedDatabase } from './service-link.ts';

export interface Resources {
  /** True inside the running service: the command borrows the service's connections. */
  shared: boolean;
  core(): Promise<Core>;
  redis(): Promise<RedisParts>;
  /** Only inside the service: its own search engine (the embedded index lives there). */
  search?(): Promise<SearchEngine>;
  /** Only inside the service: its loaded matcher, so a forwarded command need not load another. */
  matchService?(): Promise<MatchService>;
}

export function localResources(config: Config, log: Logger): Resources & { close(): Promise<void> } {
  let core: Promise<Core> | undefined;
  let redis: Promise<RedisParts> | undefined;
  let unlock: (() => void) | undefined;
  const open = async () => {
    if (config.db.kind === 'pglite') unlock = lockEmbeddedDatabase(config.dataDir);
    return openCore(config, log);
  };
  return {
    shared: false,
    core: () => (core ??= open()),
    redis: () => (redis ??= openRedis(config, log)),
    async close() {
      await (await redis?.catch(() => undefined))?.close();
      await (await core?.catch(() => undefined))?.database.close();
      unlock?.();
    },
  };
}

export function sharedResources(
  core: Core,
  redis: RedisParts,
  search: SearchEngine,
  matchService: MatchService,
): Resources {
  return {
    shared: true,
    core: async () => core,
    redis: async () => redis,
    search: async () => search,
    matchService: async () => matchService,
  };
}
