/** Producers: the only way jobs enter the queues, with deterministic ids so a repeated add is harmless. */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/logging.ts';
import { logRedisErrors } from '../src/redis/error-log.ts';
import { type JobPayload, QueueName } from './jobs.ts';

export interface Queues {
  prefix: string;
  /** The producer connection, also used for small shared state such as per-host crawl spacing. */
  connection: Redis;
  byName: Record<QueueName, Queue>;
  crawl(sourceId: string, window?: string): Promise<void>;
  ingest(batchId: string): Promise<void>;
  /** Asks the index follower to catch up; collapses with a waiting request and queues one behind an active one. */
  index(): Promise<void>;
  match(payload: JobPayload<'match'>): Promise<void>;
  close(): Promise<void>;
}

const defaultJobOptions = {
  attempts: 5,
  backoff: { type: 'exponential' as const, delay: 1_000 },
  removeOnComplete: { age: 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

export function createQueues(connection: Redis, log: Logger, prefix = 'jobbruecke'): Queues {
  const byName = Object.fromEntries(
    Object.values(QueueName).map((name) => [name, new Queue(name, { connection, prefix, defaultJobOptions })]),
  ) as Record<QueueName, Queue>;
  for (const [name, queue] of Object.entries(byName)) queue.on('error', logRedisErrors(log, `queue ${name}`));
  return {
    prefix,
    connection,
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
    async close() {
      await Promise.all(Object.values(byName).map((q) => q.close()));
    },
  };
}
