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

/**
 * Once no job runs here, how long BullMQ's own close may still take (it finishes its blocking call and the lock
 * renewals). With the queue backend gone it never finishes: the connections are then cut instead.
 */
const CLOSE_WHEN_IDLE_MS = 2_000;

export interface Workers {
  /**
   * Stops taking jobs, lets running ones finish for at most `drainMs`, then cuts the connections. Jobs still
   * running then are left to BullMQ's stalled-job recovery. Resolves within `drainMs` plus a moment, also when the
   * queue backend is unreachable.
   */
  close(drainMs?: number): Promise<void>;
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
  // Jobs inside a processor here: once none runs, shutdown need not wait for BullMQ, which waits for its backend.
  let running = 0;
  let idle: (() => void) | undefined;
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
        running += 1;
        try {
          outcome = await (processors[name] as Processor<typeof name>)(payload as never, job, token);
        } catch (err) {
          if (err instanceof UnknownSubject) reportUnknownSubject(job, err, queue);
          throw err;
        } finally {
          running -= 1;
          if (running === 0) idle?.();
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
    async close(drainMs = WORKER_DRAIN_MS) {
      // BullMQ's close waits for running jobs and then for its backend; `close(true)` after it only returns the same
      // pending promise, so a forced close cannot cut it short. Each wait below is bounded instead.
      const started = Date.now();
      const deadline = started + drainMs;
      const closed = Promise.all(workers.map(({ worker }) => worker.close())).then(() => 'closed' as const);
      const noneRunning = () =>
        new Promise<void>((resolve) => {
          idle = resolve;
          if (running === 0) resolve();
        });
      let outcome: 'closed' | 'backend' | 'deadline';
      do {
        const left = Math.max(0, deadline - Date.now());
        outcome = await Promise.race([
          closed,
          noneRunning().then(() =>
            Promise.race([closed, delay(Math.min(CLOSE_WHEN_IDLE_MS, left), 'backend' as const)]),
          ),
          delay(left, 'deadline' as const),
        ]);
        // A job BullMQ had fetched before the close may start after the count reached 0: wait for it too.
      } while (outcome === 'backend' && running > 0);
      if (outcome !== 'closed' && running > 0) {
        log.warn(
          { running, drainMs },
          'jobs still running at the drain deadline: left to stalled-job recovery, which runs them again',
        );
      } else if (outcome !== 'closed') {
        log.warn(
          { ms: Date.now() - started },
          'no job running, but the workers had not finished closing (queue backend unreachable?): connections cut',
        );
      }
      log.debug({ outcome, ms: Date.now() - started }, 'workers closed');
      for (const { connection } of workers) connection.close();
      backend.localWorkers -= workers.length;
    },
  };
}

function delay<T>(ms: number, value: T): Promise<T> {
  return new Promise((resolve) => setTimeout(() => resolve(value), ms).unref());
}
