/**
 * Until each installation had a Redis prefix of its own (queues/backend.ts), every installation used `jobbruecke`,
 * and two of them on one Redis took each other's jobs. An installation that upgrades takes what is its own from
 * there, once per database: the one-off crawl jobs of its sources (`crawl` from the CLI, which nothing re-derives)
 * move to its prefix; its waiting ingest, match and milestone jobs are removed, since the relays re-derive them from
 * the database under the new prefix (queues/relays.ts); its sources' crawl schedulers are removed, and the relay sets
 * them up again. Whatever names nothing of this database stays for the installation it belongs to, as do the jobs
 * that name nothing at all (index and periodic jobs, which every installation re-derives itself).
 */
import { type BackendFactory, type IQueueBackend, type JobsOptions, Queue } from 'bullmq';
import { eq } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import type { Db } from '../src/db/client.ts';
import { appMeta } from '../src/db/schema.ts';
import type { Logger } from '../src/logging.ts';
import { type JobName, Jobs, jobOn, QueueName } from './jobs.ts';
import { knownIds, type Subject, type SubjectKind, subjectOf } from './known-subjects.ts';

/** The prefix every installation shared before. */
export const LEGACY_PREFIX = 'jobbruecke';

/** Set in `app_meta` once this database's jobs were taken from the legacy prefix. */
export const LEGACY_ADOPTED_KEY = 'queue_legacy_prefix_adopted';

const PENDING_STATES = ['waiting', 'delayed', 'prioritized'] as const;

/** Keys that every queue used under the legacy prefix had; none of them means there is nothing to look at. */
const LEGACY_KEYS = ['meta', 'wait', 'delayed', 'prioritized', 'repeat'];

export interface AdoptionOutcome {
  /** One-off crawl jobs moved to this installation's prefix. */
  moved: number;
  /** Jobs removed there whose work the relays re-derive from the database. */
  removed: number;
  /** Crawl schedulers of this installation's sources removed there. */
  schedulers: number;
  /** Pending jobs left there: another installation's, running ones, and those that name nothing. */
  left: number;
}

export interface AdoptOptions {
  redis: Redis;
  factory: BackendFactory<IQueueBackend, unknown>;
  /** This installation's prefix. */
  prefix: string;
  db: Db;
  log: Logger;
}

/**
 * Takes this installation's jobs from the legacy prefix, unless that was done for this database before or the
 * installation still uses the legacy prefix. Undefined when nothing was looked at.
 */
export async function adoptLegacyJobs({ redis, factory, prefix, db, log }: AdoptOptions) {
  if (prefix === LEGACY_PREFIX) return undefined;
  const [done] = await db.select({ at: appMeta.value }).from(appMeta).where(eq(appMeta.key, LEGACY_ADOPTED_KEY));
  if (done) return undefined;
  const queues = Object.values(QueueName);
  const keys = queues.flatMap((queue) => LEGACY_KEYS.map((key) => `${LEGACY_PREFIX}:${queue}:${key}`));
  let outcome: AdoptionOutcome | undefined;
  if ((await redis.exists(...keys)) > 0) {
    outcome = { moved: 0, removed: 0, schedulers: 0, left: 0 };
    for (const queue of queues) await adoptQueue(queue, { redis, factory, prefix, db }, outcome);
    log.info(
      { from: LEGACY_PREFIX, to: prefix, ...outcome },
      'this installation’s jobs taken from the old queue prefix',
    );
  }
  await db.insert(appMeta).values({ key: LEGACY_ADOPTED_KEY, value: new Date().toISOString() }).onConflictDoNothing();
  return outcome;
}

interface Pending {
  job: Awaited<ReturnType<Queue['getJobs']>>[number];
  name: JobName;
  subject: Subject;
}

async function adoptQueue(
  queue: QueueName,
  { redis, factory, prefix, db }: Omit<AdoptOptions, 'log'>,
  outcome: AdoptionOutcome,
): Promise<void> {
  // skipMetasUpdate: looking must not write the legacy queue's metadata back.
  const legacy = new Queue(queue, { connection: redis, prefix: LEGACY_PREFIX, skipMetasUpdate: true }, factory);
  const target = new Queue(queue, { connection: redis, prefix }, factory);
  try {
    const pending: Pending[] = [];
    for (const job of await legacy.getJobs([...PENDING_STATES], 0, -1)) {
      const name = jobOn(queue, job.name);
      const parsed = name ? Jobs[name].schema.safeParse(job.data) : undefined;
      const subject = name && parsed?.success ? subjectOf(name, parsed.data as never) : undefined;
      if (name && subject) pending.push({ job, name, subject });
      else outcome.left++;
    }
    const known = await knownByKind(
      db,
      pending.map((p) => p.subject),
    );
    for (const { job, name, subject } of pending) {
      // A scheduler's next run goes with the scheduler, below.
      if (!known[subject.kind].has(subject.id) || job.repeatJobKey) {
        outcome.left++;
        continue;
      }
      try {
        if (name === 'crawl') {
          const dueAt = job.timestamp + (job.delay ?? 0);
          await target.add(job.name, job.data, {
            ...carriedOptions(job.opts),
            jobId: job.id,
            delay: Math.max(0, dueAt - Date.now()),
          });
          await job.remove();
          outcome.moved++;
        } else {
          await job.remove();
          outcome.removed++;
        }
      } catch {
        // Taken by a worker meanwhile (one of the old version still running): it finishes there.
        outcome.left++;
      }
    }
    if (queue === QueueName.crawl) {
      const schedulers = await legacy.getJobSchedulers();
      const sourceIds = schedulers.map((s) => s.key.replace(/^source_/, ''));
      const ours = await knownIds(db, 'source', sourceIds);
      for (const s of schedulers) {
        if (!ours.has(s.key.replace(/^source_/, ''))) continue;
        await legacy.removeJobScheduler(s.key);
        outcome.schedulers++;
      }
    }
  } finally {
    await Promise.all([legacy.close(), target.close()]);
  }
}

async function knownByKind(db: Db, subjects: Subject[]): Promise<Record<SubjectKind, Set<string>>> {
  const of = (kind: SubjectKind) =>
    knownIds(
      db,
      kind,
      subjects.filter((s) => s.kind === kind).map((s) => s.id),
    );
  const [source, batch, vacancy, customer] = await Promise.all([
    of('source'),
    of('batch'),
    of('vacancy'),
    of('customer'),
  ]);
  return { source, batch, vacancy, customer };
}

/** The options a moved job keeps; its id and remaining delay are set apart. */
function carriedOptions(opts: JobsOptions): JobsOptions {
  const { attempts, backoff, removeOnComplete, removeOnFail, priority } = opts;
  const carried = { attempts, backoff, removeOnComplete, removeOnFail, priority };
  return Object.fromEntries(Object.entries(carried).filter(([, v]) => v !== undefined));
}
