/**
 * Worker processes: one BullMQ Worker per queue, each with a processor from a registry typed by queue name, so a
 * missing processor is a compile error. Processors parse their payload and call a verb; they stay thin.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { ZodError } from 'zod';
import type { Logger } from '../src/logging.ts';
import type { QueueBackend } from './backend.ts';
import { logQueueErrors } from './error-log.ts';
import { type JobOutcome, type JobPayload, JobSchemas, QueueName } from './jobs.ts';

export type Processor<Q extends QueueName> = (payload: JobPayload<Q>, job: Job) => Promise<JobOutcome>;
export type ProcessorRegistry = { [Q in QueueName]: Processor<Q> };

/** Jobs per worker process and queue; crawling is I/O bound, ingest and index touch the DB in transactions. */
export const CONCURRENCY: Record<QueueName, number> = { crawl: 4, ingest: 1, index: 1, match: 2 };

/** How long shutdown waits for running jobs, inside the usual 30 s a service manager allows before SIGKILL. */
export const WORKER_DRAIN_MS = 20_000;

export interface Workers {
  close(): Promise<void>;
}

export function startWorkers(options: { backend: QueueBackend; processors: ProcessorRegistry; log: Logger }): Workers {
  const { backend, processors, log } = options;
  const workers = Object.values(QueueName).map((name) => {
    const connection = backend.workerConnection();
    const worker = new Worker(
      name,
      async (job: Job) => {
        let payload: unknown;
        try {
          payload = JobSchemas[name].parse(job.data);
        } catch (err) {
          // A malformed payload will never parse: retrying is pointless.
          throw new UnrecoverableError(
            err instanceof ZodError ? `invalid ${name} payload: ${err.message}` : String(err),
          );
        }
        const outcome = await (processors[name] as Processor<typeof name>)(payload as never, job);
        log.debug({ queue: name, jobId: job.id, ...outcome }, 'job finished');
        return outcome;
      },
      { connection: connection.connection, prefix: backend.prefix, concurrency: CONCURRENCY[name], autorun: true },
      backend.factory,
    );
    worker.on('failed', (job, err) =>
      log.warn({ queue: name, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', logQueueErrors(log, `worker ${name}`));
    return { worker, connection };
  });
  backend.localWorkers += workers.length;
  log.info({ queues: Object.values(QueueName), backend: backend.kind }, 'workers started');
  return {
    async close() {
      // Running jobs get a grace period to finish; after it they are left to BullMQ's stalled-job recovery, which
      // hands them to another worker (processors are idempotent, and crawled postings are already in the DB).
      const graceful = Promise.all(workers.map(({ worker }) => worker.close()));
      const timedOut = await Promise.race([
        graceful.then(() => false),
        new Promise<boolean>((r) => setTimeout(() => r(true), WORKER_DRAIN_MS).unref()),
      ]);
      if (timedOut) await Promise.all(workers.map(({ worker }) => worker.close(true)));
      for (const { connection } of workers) connection.close();
      backend.localWorkers -= workers.length;
    },
  };
}
