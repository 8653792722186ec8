/**
 * The worker role of `jobbruecke start` (`--worker`, or both roles by default): one BullMQ worker per queue, the
 * relays that re-derive lost jobs from the database (with the SLA timers and the periodic jobs' schedulers), and the
 * sweep that closes expired vacancies.
 */
import { closeSharedBrowser } from '../crawlers/browser-provider.ts';
import { startRelays } from '../queues/relays.ts';
import { startWorkers, WORKER_DRAIN_MS } from '../queues/workers.ts';
import { closeExpired } from '../src/vacancies/ingest/close-expired.ts';
import type { Container } from './container.ts';

const EXPIRY_SWEEP_MS = 10 * 60_000;

export async function startWorker(container: Container): Promise<{ stop(drainUntil?: number): Promise<void> }> {
  const { log, config } = container;
  const { ctx } = await container.core();
  const queues = await container.queues();
  const processors = await container.processors();
  const workers = startWorkers({ backend: queues.backend, processors, log });
  const relays = startRelays({ ctx, queues, log, sla: { deliverNotifications: config.smtp !== undefined } });
  if (!config.smtp) log.info('no SMTP_URL: notifications stay in the in-app inbox');
  const sweep = setInterval(
    () =>
      void closeExpired(ctx, { staleAfterDays: config.vacancies.staleAfterDays }).catch((err) =>
        log.warn({ err: err.message }, 'closing expired vacancies failed'),
      ),
    EXPIRY_SWEEP_MS,
  );
  return {
    /** Running jobs get until `drainUntil` (epoch ms) to finish; the rest is left to stalled-job recovery. */
    async stop(drainUntil = Date.now() + WORKER_DRAIN_MS) {
      clearInterval(sweep);
      // Together: the workers start draining at once, while the relay pass in flight ends at its next add.
      await Promise.all([relays.stop(), workers.close(Math.max(0, drainUntil - Date.now()))]);
      await closeSharedBrowser();
    },
  };
}
