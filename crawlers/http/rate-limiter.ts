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
