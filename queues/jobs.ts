/**
 * The job catalogue: queue names, job names, and one zod schema per payload. Payloads carry ids and small values
 * only, never personal data; processors parse them again, since anything that crossed the queue backend is external
 * input. A queue may carry several jobs (`sla` carries the milestones and the periodic SLA work); each queue has one
 * BullMQ worker, which hands a job to the processor of its name (queues/workers.ts).
 */
import { z } from 'zod';
import { FireMilestoneInput } from '../src/sla/milestones.ts';

export const QueueName = {
  crawl: 'crawl',
  ingest: 'ingest',
  index: 'index',
  match: 'match',
  /** SLA milestones (delayed jobs) and the periodic work of the employer promise. */
  sla: 'sla',
  /**
   * E-mail delivery, apart from `sla`: an SMTP server that hangs holds this queue's one slot, never the milestones.
   */
  notifications: 'notifications',
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
/** One milestone of one order's clock: `{ vacancyId, kind }`, the verb's own input. */
export const SlaMilestoneJob = FireMilestoneInput;
/** Periodic jobs carry nothing: each asks the DB what is due. */
export const PeriodicJob = z.object({});

/** Every job: the queue it travels on and its payload. The key is the BullMQ job name. */
export const Jobs = {
  crawl: { queue: 'crawl', schema: CrawlJob },
  ingest: { queue: 'ingest', schema: IngestJob },
  index: { queue: 'index', schema: IndexJob },
  match: { queue: 'match', schema: MatchJob },
  'sla-milestone': { queue: 'sla', schema: SlaMilestoneJob },
  'reaction-reminders': { queue: 'sla', schema: PeriodicJob },
  'purge-idempotency-keys': { queue: 'sla', schema: PeriodicJob },
  'deliver-notifications': { queue: 'notifications', schema: PeriodicJob },
} as const satisfies Record<string, { queue: QueueName; schema: z.ZodTypeAny }>;
export type JobName = keyof typeof Jobs;
export const JOB_NAMES = Object.keys(Jobs) as JobName[];

export type JobPayload<J extends JobName> = z.infer<(typeof Jobs)[J]['schema']>;

/** The job of this name on this queue, or undefined: a job under a wrong name or queue is refused. */
export function jobOn(queue: QueueName, name: string): JobName | undefined {
  const job = Jobs[name as JobName];
  return job?.queue === queue ? (name as JobName) : undefined;
}

const HOUR_MS = 3_600_000;

/**
 * Periodic work as BullMQ job schedulers, keyed by the job name, re-applied from here by the relay (queues/relays.ts)
 * at start and after a Redis loss. Each run asks the DB what is due, so an extra or a missed run is harmless.
 */
export const PERIODIC_JOBS = {
  /** Proposals without employer reaction for `PROPOSAL_REACTION_REMINDER_DAYS` get a reminder task. */
  'reaction-reminders': { everyMs: HOUR_MS },
  /** Expired idempotency keys of order submissions (they live 24 hours). */
  'purge-idempotency-keys': { everyMs: 24 * HOUR_MS },
  /** Only with SMTP_URL: without it, notifications stay in the in-app inbox. */
  'deliver-notifications': { everyMs: 10_000 },
} as const satisfies Partial<Record<JobName, { everyMs: number }>>;
export type PeriodicJobName = keyof typeof PERIODIC_JOBS;

/** What a processor did; a disabled source or a vanished vacancy is 'skipped', not an error. */
export type JobOutcome = { status: 'done' | 'skipped'; detail?: Record<string, unknown> };
