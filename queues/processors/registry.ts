/**
 * The processor registry: every job has exactly one thin processor over a verb. A job that names a source, batch,
 * vacancy or customer first proves it is this installation's (queues/known-subjects.ts), so a stranger's job fails
 * instead of completing as 'skipped'.
 */
import { DelayedError } from 'bullmq';
import { DatabaseHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import { runCrawl } from '../../crawlers/run-crawl.ts';
import type { MatchService } from '../../matchers/service/match-service.ts';
import { rematch } from '../../matchers/service/rematch.ts';
import type { Config } from '../../src/config.ts';
import type { Ctx } from '../../src/context.ts';
import type { Logger } from '../../src/logging.ts';
import { deliverDue } from '../../src/notifications/deliver.ts';
import type { MailTransport } from '../../src/notifications/transport.ts';
import { purgeExpiredKeys } from '../../src/orders/idempotency.ts';
import type { OutboxFollower } from '../../src/outbox/follow.ts';
import { createDueReactionReminders } from '../../src/proposals/reaction-reminders.ts';
import { fireMilestone } from '../../src/sla/milestones.ts';
import { ingestBatch } from '../../src/vacancies/ingest/ingest-batch.ts';
import { throttledWarn } from '../error-log.ts';
import { assertKnown } from '../known-subjects.ts';
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
  /** SMTP when `SMTP_URL` is set; without it notifications stay in the in-app inbox and delivery jobs are skipped. */
  mail: MailTransport | undefined;
  log: Logger;
}

export function createProcessors({
  config,
  ctx,
  queues,
  indexFollower,
  matchService,
  mail,
  log,
}: ProcessorDeps): ProcessorRegistry {
  const rateLimiter = new DatabaseHostRateLimiter(ctx.db);
  const warn = throttledWarn(log);
  /**
   * Queues the next step of work a job has committed. Failing the job when the queue backend is away would run the
   * committed work again (a second crawl of someone else's site); the relay queues the step from the database within
   * seconds anyway.
   */
  const followUp = async (step: string, enqueue: () => Promise<void>) => {
    try {
      await enqueue();
    } catch (err) {
      warn(`${step} not queued; the relay queues it from the database`, err);
    }
  };
  return {
    async crawl(payload, job) {
      await assertKnown(ctx.db, 'crawl', payload);
      const { sourceId } = payload;
      const result = await runCrawl({ ctx, crawl: config.crawl, rateLimiter }, sourceId, `job:${job.id}`);
      await followUp('ingest of the staged batches', async () => {
        for (const batchId of result.batchIds) await queues.ingest(batchId);
      });
      return { status: result.status, detail: { ...result, batchIds: result.batchIds.length } };
    },
    async ingest(payload) {
      await assertKnown(ctx.db, 'ingest', payload);
      const { batchId } = payload;
      const result = await ingestBatch(ctx, batchId, { staleAfterDays: config.vacancies.staleAfterDays });
      if (result.status === 'done') await followUp('index pass', () => queues.index());
      return { status: result.status, detail: result.stats ? { ...result.stats } : {} };
    },
    async index() {
      if (!indexFollower) return { status: 'skipped', detail: { reason: 'no search engine in this process' } };
      return { status: 'done', detail: { applied: await indexFollower.sync(ctx) } };
    },
    async match(payload) {
      await assertKnown(ctx.db, 'match', payload);
      const result = await rematch(ctx, matchService, payload);
      return { status: result.status, detail: result.detail };
    },
    async 'sla-milestone'(payload, job, token) {
      await assertKnown(ctx.db, 'sla-milestone', payload);
      const outcome = await fireMilestone(ctx, payload);
      if (outcome.status === 'not_due') {
        // The job came early (clocks of hosts differ). Adding it again under its id would be a no-op while this job
        // still holds the id, so this job itself goes back to the delayed set, for the time still left by the
        // clock the verb judged with; DelayedError tells the worker it is neither completed nor failed.
        const left = outcome.dueAt.getTime() - ctx.now().getTime();
        await job.moveToDelayed(Date.now() + Math.max(0, left), token);
        throw new DelayedError();
      }
      if (outcome.status === 'skipped') return { status: 'skipped', detail: { reason: outcome.reason } };
      return {
        status: 'done',
        detail: { dueAt: outcome.dueAt.toISOString(), firedAt: outcome.firedAt.toISOString() },
      };
    },
    async 'reaction-reminders'() {
      return { status: 'done', detail: await createDueReactionReminders(ctx) };
    },
    async 'purge-idempotency-keys'() {
      return { status: 'done', detail: { purged: await purgeExpiredKeys(ctx) } };
    },
    async 'deliver-notifications'() {
      // Scheduled only with SMTP_URL; a job left over from a run with it is skipped, the rows stay for the inbox.
      if (!mail) return { status: 'skipped', detail: { reason: 'no SMTP_URL' } };
      return { status: 'done', detail: { ...(await deliverDue(ctx, mail)) } };
    },
  };
}
