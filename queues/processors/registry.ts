/** The processor registry: every queue has exactly one thin processor over a verb. */
import { RedisHostRateLimiter } from '../../crawlers/http/redis-rate-limiter.ts';
import { runCrawl } from '../../crawlers/run-crawl.ts';
import type { MatchService } from '../../matchers/match-service.ts';
import { rematch } from '../../matchers/rematch.ts';
import type { Config } from '../../src/config.ts';
import type { Ctx } from '../../src/context.ts';
import type { Logger } from '../../src/logging.ts';
import { type IndexCursor, syncIndex } from '../../src/search/index-sync.ts';
import type { SearchEngine } from '../../src/search/search-engine.ts';
import { ingestBatch } from '../../src/vacancies/ingest-batch.ts';
import type { Queues } from '../queues.ts';
import type { ProcessorRegistry } from '../workers.ts';

export interface ProcessorDeps {
  config: Config;
  ctx: Ctx;
  queues: Queues;
  /** Absent in a worker-only process of embedded mode: the API process follows the outbox for its own index. */
  search: SearchEngine | undefined;
  cursor: IndexCursor | undefined;
  /** The process's matcher indexes; the API of the same process serves from them too. */
  matchService: MatchService;
  log: Logger;
}

export function createProcessors({
  config,
  ctx,
  queues,
  search,
  cursor,
  matchService,
}: ProcessorDeps): ProcessorRegistry {
  const rateLimiter = new RedisHostRateLimiter(queues.connection);
  return {
    async crawl({ sourceId }) {
      const result = await runCrawl({ ctx, crawl: config.crawl, rateLimiter }, sourceId);
      for (const batchId of result.batchIds) await queues.ingest(batchId);
      return { status: result.status, detail: { ...result, batchIds: result.batchIds.length } };
    },
    async ingest({ batchId }) {
      const result = await ingestBatch(ctx, batchId);
      if (result.status === 'done') await queues.index();
      return { status: result.status, detail: result.stats ? { ...result.stats } : {} };
    },
    async index() {
      if (!search || !cursor) return { status: 'skipped', detail: { reason: 'no search engine in this process' } };
      const applied = await syncIndex(ctx, search, cursor);
      return { status: 'done', detail: { applied } };
    },
    async match(payload) {
      const result = await rematch(ctx, matchService, payload);
      return { status: result.status, detail: result.detail };
    },
  };
}
