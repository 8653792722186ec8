/** Producers: the only way jobs enter the queues, with deterministic ids so a repeated add is harmless. */
import { type IQueueBackend, Queue } from 'bullmq';
import type { Logger } from '../src/logging.ts';
import { milestoneJobId, type PendingMilestone } from '../src/sla/milestones.ts';
import type { QueueBackend } from './backend.ts';
import { logQueueErrors } from './error-log.ts';
import { type JobPayload, QueueName } from './jobs.ts';

/** A BullMQ queue on whichever backend is configured. */
// biome-ignore lint/suspicious/noExplicitAny: job data are typed by the catalogue (jobs.ts), not by BullMQ's generics.
export type AnyQueue = Queue<any, any, string, any, any, string, IQueueBackend, unknown>;

export interface Queues {
  backend: QueueBackend;
  byName: Record<QueueName, AnyQueue>;
  crawl(sourceId: string, window?: string): Promise<void>;
  ingest(batchId: string): Promise<void>;
  /** Asks the index follower to catch up; collapses with a waiting request and queues one behind an active one. */
  index(): Promise<void>;
  match(payload: JobPayload<'match'>): Promise<void>;
  /**
   * Arms one delayed `sla-milestone` job per milestone, id `milestoneJobId(...)`, running at its due time by `now`'s
   * clock, at once when overdue. An id already armed (waiting, delayed or running) is left as it is: arming again is
   * harmless, and the DB decides whether a milestone fires.
   */
  armMilestones(milestones: readonly PendingMilestone[], now: Date): Promise<void>;
  /**
   * Waits until the queue has no job waiting, delayed or running. False at once when no worker serves the queue, and
   * after the timeout.
   */
  drained(name: QueueName, timeoutMs: number): Promise<boolean>;
  /** Jobs per queue and state, for /metrics; `getJobCounts` works alike on every backend. */
  counts(): Promise<Record<QueueName, Record<QueueCountState, number>>>;
  close(): Promise<void>;
}

/** The states /metrics reports: the depth (waiting, prioritized, delayed), the work in hand, and failures kept. */
export const QUEUE_COUNT_STATES = ['waiting', 'prioritized', 'delayed', 'active', 'failed'] as const;
export type QueueCountState = (typeof QUEUE_COUNT_STATES)[number];

/** How long a failed job is kept for inspection (the queue dashboard, /metrics). */
export const FAILED_JOB_RETENTION = { age: 7 * 24 * 3600 };

const defaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1_000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: FAILED_JOB_RETENTION,
};

/** Jobs per `addBulk` call: one statement on the PostgreSQL backends, so other work gets in between chunks. */
const ARM_CHUNK = 1_000;

const milestoneJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1_000 },
  // A finished job's id must not outlive it: a kept job would turn a later re-arm with the same id into a no-op.
  // A failed job is logged by the worker, and the reconciler arms the milestone afresh on its next pass.
  removeOnComplete: true,
  removeOnFail: true,
};

export function createQueues(backend: QueueBackend, log: Logger): Queues {
  const byName = Object.fromEntries(
    Object.values(QueueName).map((name) => [
      name,
      new Queue(name, { connection: backend.connection, prefix: backend.prefix, defaultJobOptions }, backend.factory),
    ]),
  ) as Record<QueueName, AnyQueue>;
  for (const [name, queue] of Object.entries(byName)) queue.on('error', logQueueErrors(log, `queue ${name}`));

  const workersServing = async (name: QueueName) =>
    backend.countsRemoteWorkers ? (await byName[name].getWorkersCount()) > 0 : backend.localWorkers > 0;

  return {
    backend,
    byName,
    async crawl(sourceId, window = new Date().toISOString()) {
      await byName.crawl.add(
        'crawl',
        { sourceId },
        { jobId: `crawl_${sourceId}_${window.replace(/[:.]/g, '-')}`, attempts: 2 },
      );
    },
    async ingest(batchId) {
      // A failed job is not kept: its fixed id would make BullMQ ignore the relay's re-enqueue of the batch.
      await byName.ingest.add('ingest', { batchId }, { jobId: `ingest_${batchId}`, removeOnFail: true });
    },
    async index() {
      await byName.index.add('index', {}, { deduplication: { id: 'index', keepLastIfActive: true } });
    },
    async match(payload) {
      await byName.match.add('match', payload, {
        deduplication: { id: `match_${payload.kind}_${payload.id}`, keepLastIfActive: true },
      });
    },
    async armMilestones(milestones, now) {
      for (let i = 0; i < milestones.length; i += ARM_CHUNK) {
        await byName.sla.addBulk(
          milestones.slice(i, i + ARM_CHUNK).map((m) => ({
            name: 'sla-milestone',
            data: { vacancyId: m.vacancyId, kind: m.kind } satisfies JobPayload<'sla-milestone'>,
            opts: {
              ...milestoneJobOptions,
              jobId: milestoneJobId(m),
              delay: Math.max(0, m.dueAt.getTime() - now.getTime()),
            },
          })),
        );
      }
    },
    async drained(name, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (!(await workersServing(name))) return false;
        const counts = await byName[name].getJobCounts('waiting', 'active', 'delayed', 'prioritized');
        if (Object.values(counts).every((n) => n === 0)) return true;
        await new Promise((r) => setTimeout(r, 250));
      }
      return false;
    },
    async counts() {
      const entries = await Promise.all(
        Object.entries(byName).map(async ([name, queue]) => {
          const counts = await queue.getJobCounts(...QUEUE_COUNT_STATES);
          const row = Object.fromEntries(QUEUE_COUNT_STATES.map((state) => [state, counts[state] ?? 0]));
          return [name, row] as const;
        }),
      );
      return Object.fromEntries(entries) as Record<QueueName, Record<QueueCountState, number>>;
    },
    async close() {
      await Promise.all(Object.values(byName).map((q) => q.close()));
    },
  };
}
