/** The processor registry: every queue has exactly one thin processor over a verb. */
import { DatabaseHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { runCrawl } from '../../crawlers/run-crawl.ts';
import type { MatchService } from '../../matchers/service/match-service.ts';
import { rematch } from '../../matchers/service/rematch.ts';
import type { Config } from '../../src/config.ts';
import type { Ctx } from '../../src/context.ts';
import type { Logger } from '../../src/logging.ts';
import type { OutboxFollower } from '../../src/outbox/follow.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import type { Queues } from '../queues.ts';
import type { ProcessorRegistry } from '../workers.ts';

export interface ProcessorDeps {
  config: Config;
  ctx: Ctx;
  queues: Queues;
  /** Absent in a worker-only process of embedded mode: the embedded index lives in the API process. */
  indexFollower: OutboxFollower | undefined;
  /** The process's matcher indexes; the API of the same process serves from them too. */
  matchService: MatchService;
  log: Logger;
}

export function createProcessors({
  config,
  ctx,
  queues,
  indexFollower,
  matchService,
}: ProcessorDeps): ProcessorRegistry {
  const rateLimiter = new DatabaseHostRateLimiter(ctx.db);
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
      if (!indexFollower) return { status: 'skipped', detail: { reason: 'no search engine in this process' } };
      return { status: 'done', detail: { applied: await indexFollower.sync(ctx) } };
    },
    async match(payload) {
      const result = await rematch(ctx, matchService, payload);
      return { status: result.status, detail: result.detail };
    },
  };
}
