/**
 * After a customer's deletion (src/customers/retention.ts): the queue backend forgets them too. `match` jobs carry
 * the customer's id in their payload, and BullMQ keeps finished jobs for a while (queues.ts: an hour, failed ones a
 * week), names deduplication keys after it (`match_customer_<id>`) and logs those keys in the queue's events. All of
 * that is removed here, on every backend; a job that is running right now is waited for (its re-rank finds nobody
 * and stores nothing) and removed once it has finished.
 *
 * Like backend.ts, this module knows the backends' connections: the event log is not reachable through BullMQ's API.
 */
import type { PgPool } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../src/logging.ts';
import type { JobPayload } from './jobs.ts';
import type { Queues } from './queues.ts';

/** Every state a job can be found in; a removed job leaves all of them. */
const STATES = ['waiting', 'prioritized', 'delayed', 'active', 'completed', 'failed', 'waiting-children'] as const;

/** How long a running job naming the customer is waited for. */
const ACTIVE_WAIT_MS = 10_000;
const POLL_MS = 100;

export interface ForgetOutcome {
  /** Jobs naming the customer that were removed. */
  jobs: number;
  /** Event entries and keys that named the customer and were removed. */
  traces: number;
  /** Jobs still running after the wait: they finish without effect, and their record expires with the others. */
  stillRunning: number;
}

function namesCustomer(data: unknown, customerId: string): boolean {
  const payload = data as Partial<JobPayload<'match'>> | undefined;
  return payload?.kind === 'customer' && payload.id === customerId;
}

async function removeJobs(queues: Queues, customerId: string): Promise<{ removed: number; running: number }> {
  const queue = queues.byName.match;
  let removed = 0;
  const deadline = Date.now() + ACTIVE_WAIT_MS;
  for (;;) {
    const found = (await queue.getJobs([...STATES], 0, -1)).filter((j) => namesCustomer(j.data, customerId));
    const jobs = [...new Map(found.map((j) => [j.id, j])).values()];
    let running = 0;
    for (const job of jobs) {
      try {
        await job.remove();
        removed++;
      } catch {
        // Locked by the worker running it; any other failure is a job that finished and went meanwhile.
        if (await job.isActive().catch(() => false)) running++;
      }
    }
    if (running === 0 || Date.now() > deadline) return { removed, running };
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Redis: keys named after the customer (deduplication), and entries of the queue's event stream that name them. */
async function scrubRedis(redis: Redis, prefix: string, customerId: string): Promise<number> {
  let removed = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:match:*${customerId}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) removed += await redis.del(...keys);
  } while (cursor !== '0');
  const stream = `${prefix}:match:events`;
  let start = '-';
  for (;;) {
    const entries = (await redis.xrange(stream, start, '+', 'COUNT', 1000)) as Array<[string, string[]]>;
    const naming = entries.filter(([, fields]) => fields.some((f) => f.includes(customerId))).map(([id]) => id);
    if (naming.length > 0) removed += await redis.xdel(stream, ...naming);
    if (entries.length < 1000) return removed;
    start = `(${entries.at(-1)![0]}`;
  }
}

/** The PostgreSQL backends: the event log, and the job a deduplication key would add next. */
async function scrubPostgres(pool: PgPool, customerId: string): Promise<number> {
  const pattern = `%${customerId}%`;
  let removed = 0;
  for (const statement of [
    `delete from bullmq.event where queue = 'match' and data::text like $1`,
    `delete from bullmq.dedup where queue = 'match' and dedup_id like $1`,
    `delete from bullmq.dedup_next where queue = 'match' and (dedup_id like $1 or payload::text like $1)`,
  ]) {
    removed += (await pool.query(statement, [pattern])).rowCount ?? 0;
  }
  return removed;
}

/** Removes every queued or finished job, key and event that names the customer. Call after the deletion committed. */
export async function forgetCustomerInQueues(queues: Queues, customerId: string, log: Logger): Promise<ForgetOutcome> {
  const { removed, running } = await removeJobs(queues, customerId);
  await queues.byName.match.removeDeduplicationKey(`match_customer_${customerId}`);
  const { backend } = queues;
  const traces =
    backend.kind === 'redis'
      ? await scrubRedis(backend.connection as Redis, backend.prefix, customerId)
      : await scrubPostgres(backend.connection as PgPool, customerId);
  // Counts only: the id itself stays out of the log.
  if (running > 0) log.warn({ stillRunning: running }, 'a match job of a deleted customer was still running');
  return { jobs: removed, traces, stillRunning: running };
}
