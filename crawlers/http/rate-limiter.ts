import { sql } from 'drizzle-orm';
import type { Db } from '../../src/db/client.ts';
import { appMeta } from '../../src/db/schema.ts';

/**
 * Per-host politeness: requests to one host are spaced by at least a minimum interval across every worker. The
 * limiter hands out reserved time slots, so callers only sleep and never poll.
 */
export interface HostRateLimiter {
  /** Resolves when the caller may send one request to `host`; reserves that slot. */
  acquire(host: string, minIntervalMs: number): Promise<void>;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Process-local limiter for unit tests and single-process use. */
export class MemoryHostRateLimiter implements HostRateLimiter {
  private readonly nextSlot = new Map<string, number>();

  async acquire(host: string, minIntervalMs: number): Promise<void> {
    const now = Date.now();
    const slot = Math.max(now, this.nextSlot.get(host) ?? 0);
    this.nextSlot.set(host, slot + minIntervalMs);
    if (slot > now) await sleep(slot - now);
  }
}

/**
 * Spacing shared by every process of an installation, kept in the database that all of them use whatever the queue
 * backend. One atomic upsert per request reserves the next free slot of the host in `app_meta`; the database's clock
 * is used, so workers on machines with skewed clocks still agree. One row per host is kept: a few dozen rows.
 */
export class DatabaseHostRateLimiter implements HostRateLimiter {
  constructor(
    private readonly db: Db,
    private readonly keyPrefix = 'crawl_host_slot:',
  ) {}

  async acquire(host: string, minIntervalMs: number): Promise<void> {
    const interval = Math.ceil(minIntervalMs);
    const nowMs = sql`(extract(epoch from clock_timestamp()) * 1000)::bigint`;
    // `value` holds the end of the host's last reserved slot; this request's slot starts there, or now if later.
    const [row] = await this.db
      .insert(appMeta)
      .values({ key: this.keyPrefix + host.toLowerCase(), value: sql`(${nowMs} + ${interval})::text` })
      .onConflictDoUpdate({
        target: appMeta.key,
        set: { value: sql`(greatest(${appMeta.value}::bigint, ${nowMs}) + ${interval})::text`, updatedAt: sql`now()` },
      })
      .returning({ waitMs: sql<string>`${appMeta.value}::bigint - ${interval} - ${nowMs}` });
    const waitMs = Number(row?.waitMs ?? 0);
    if (waitMs > 0) await sleep(waitMs);
  }
}
