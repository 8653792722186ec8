/**
 * Worker processes: one BullMQ Worker per queue, handing each job to the processor of its name from a registry typed
 * by job name, so a missing processor is a compile error (and, for registries built at run time, a start-up error).
 * Processors parse their payload and call a verb; they stay thin.
 */
import { type Job, UnrecoverableError, Worker } from 'bullmq';
import { ZodError } from 'zod';
import type { Logger } from '../src/logging.ts';
import type { QueueBackend } from './backend.ts';
import { logQueueErrors } from './error-log.ts';
import { JOB_NAMES, type JobName, type JobOutcome, type JobPayload, Jobs, jobOn, QueueName } from './jobs.ts';
import { UnknownSubject } from './known-subjects.ts';
import { FAILED_JOB_RETENTION } from './queues.ts';

/**
 * `token` is the worker's lock on the job, which BullMQ's `job.moveToDelayed` needs; absent when a test calls a
 * processor directly.
 */
export type Processor<J extends JobName> = (payload: JobPayload<J>, job: Job, token?: string) => Promise<JobOutcome>;
export type ProcessorRegistry = { [J in JobName]: Processor<J> };

/**
 * Jobs per worker process and queue; crawling is I/O bound, ingest and index touch the DB in transactions, a
 * milestone is one short transaction, and one delivery pass at a time is enough (it sends up to 50 messages).
 */
export const CONCURRENCY: Record<QueueName, number> = {
  crawl: 4,
  ingest: 1,
  index: 1,
  match: 2,
  sla: 2,
  notifications: 1,
};

/** How long shutdown waits for running jobs, inside the usual 30 s a service manager allows before SIGKILL. */
export const WORKER_DRAIN_MS = 20_000;

export interface Workers {
  close(): Promise<void>;
}

export function startWorkers(options: { backend: QueueBackend; processors: ProcessorRegistry; log: Logger }): Workers {
  const { backend, processors, log } = options;
  const reportUnknownSubject = (job: Job, err: UnknownSubject, queue: QueueName) => {
    log.error(
      { queue, job: err.job, jobId: job.id, [err.subject.kind]: err.subject.id, prefix: backend.prefix },
      `job names a ${err.subject.kind} this installation does not know; failed without retry`,
    );
    // Kept among the failed jobs for the operator to find, also where the job asked to be removed when it fails
    // (ingest and milestone jobs do, so that their fixed ids never block a re-enqueue: an id this installation does
    // not know is never re-enqueued by it). BullMQ reads the option from the job object as it moves it to failed.
    job.opts.removeOnFail = FAILED_JOB_RETENTION;
  };
  const missing = JOB_NAMES.filter((name) => typeof processors[name] !== 'function');
  if (missing.length > 0) throw new Error(`No processor for the jobs ${missing.join(', ')} (queues/processors/)`);
  const workers = Object.values(QueueName).map((queue) => {
    const connection = backend.workerConnection();
    const worker = new Worker(
      queue,
      async (job: Job, token?: string) => {
        const name = jobOn(queue, job.name);
        // A job this program does not know (an older or newer version added it) will never be known: no retries.
        if (!name) throw new UnrecoverableError(`unknown job ${job.name} on queue ${queue}`);
        let payload: unknown;
        try {
          payload = Jobs[name].schema.parse(job.data);
        } catch (err) {
          // A malformed payload will never parse: retrying is pointless.
          throw new UnrecoverableError(
            err instanceof ZodError ? `invalid ${name} payload: ${err.message}` : String(err),
          );
        }
        let outcome: JobOutcome;
        try {
          outcome = await (processors[name] as Processor<typeof name>)(payload as never, job, token);
        } catch (err) {
          if (err instanceof UnknownSubject) reportUnknownSubject(job, err, queue);
          throw err;
        }
        log.debug({ queue, job: name, jobId: job.id, ...outcome }, 'job finished');
        return outcome;
      },
      { connection: connection.connection, prefix: backend.prefix, concurrency: CONCURRENCY[queue], autorun: true },
      backend.factory,
    );
    worker.on('failed', (job, err) =>
      log.warn({ queue, jobId: job?.id, attempts: job?.attemptsMade, err: err.message }, 'job failed'),
    );
    worker.on('error', logQueueErrors(log, `worker ${queue}`));
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
