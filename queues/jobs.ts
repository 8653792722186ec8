/**
 * The job catalogue: queue names and one zod schema per payload. Payloads carry ids and small values only, never
 * personal data; processors parse them again, since anything that crossed the queue backend is external input.
 */
import { z } from 'zod';

export const QueueName = {
  crawl: 'crawl',
  ingest: 'ingest',
  index: 'index',
  match: 'match',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];

export const CrawlJob = z.object({ sourceId: z.string().uuid() });
export const IngestJob = z.object({ batchId: z.string().uuid() });
/** Index jobs carry nothing: the processor follows the outbox from its cursor. */
export const IndexJob = z.object({});
export const MatchJob = z.object({
  outboxId: z.number().int().positive().optional(),
  kind: z.enum(['vacancy', 'customer']),
  id: z.string().uuid(),
});

export const JobSchemas = {
  crawl: CrawlJob,
  ingest: IngestJob,
  index: IndexJob,
  match: MatchJob,
} satisfies Record<QueueName, z.ZodTypeAny>;

export type JobPayload<Q extends QueueName> = z.infer<(typeof JobSchemas)[Q]>;

/** What a processor did; a disabled source or a vanished vacancy is 'skipped', not an error. */
export type JobOutcome = { status: 'done' | 'skipped'; detail?: Record<string, unknown> };
