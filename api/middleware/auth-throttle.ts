/**
 * A throttle on failed authentication: after `failuresPerWindow` failed attempts within a window (starting at the
 * key's first failure), per client address and per token prefix, every further attempt from that address (or with
 * that prefix) is answered 429 with Retry-After until the window ends, without checking the token: a check would tell the caller whether a guess was
 * right. Successful sign-ins are not counted.
 *
 * The counts live in this process's memory: each API process counts on its own, so with N processes behind a load
 * balancer a client gets up to N × the limit. The client address is `clientAddress(c)` (./client-address.ts): behind a
 * trusted reverse proxy the forwarded one, see docs/security.md.
 */
import { createHash } from 'node:crypto';

export interface AuthThrottleOptions {
  /** Failed attempts allowed per key and window. @defaultValue 10 */
  failuresPerWindow?: number;
  /** @defaultValue 60_000 (one minute) */
  windowMs?: number;
  /**
   * Keys counted at once. More distinct addresses than this within one window are not counted (the throttle fails
   * open rather than growing without bound or blocking everyone). @defaultValue 10_000
   */
  maxKeys?: number;
  /** @defaultValue Date.now */
  now?: () => number;
}

/** Characters of a token that name its bucket: enough to group guesses at one token, far from enough to use it. */
const TOKEN_PREFIX = 12;

/** The keys an attempt counts against; never the token itself, only a hash of its first characters. */
export function throttleKeys(address: string | undefined, token: string | undefined): string[] {
  const keys: string[] = [];
  if (address) keys.push(`address:${address}`);
  if (token) {
    keys.push(`token:${createHash('sha256').update(token.slice(0, TOKEN_PREFIX)).digest('hex').slice(0, 32)}`);
  }
  return keys;
}

export class AuthThrottle {
  private readonly failuresPerWindow: number;
  private readonly windowMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;
  /** Per key: failures counted since the first one, whose instant starts the key's window. */
  private failures = new Map<string, { count: number; since: number }>();
  private lastSweep = 0;

  constructor({
    failuresPerWindow = 10,
    windowMs = 60_000,
    maxKeys = 10_000,
    now = Date.now,
  }: AuthThrottleOptions = {}) {
    this.failuresPerWindow = failuresPerWindow;
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    this.now = now;
  }

  /**
   * Each key's window starts at its first failure, so a burst of failures is counted whole wherever it falls on the
   * clock (windows aligned to the minute reset in the middle of a burst that crossed a full minute).
   */
  private current(key: string, now: number): { count: number; since: number } | undefined {
    const entry = this.failures.get(key);
    if (entry && now - entry.since >= this.windowMs) {
      this.failures.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Once a window, the ended counts are dropped, so memory stays bounded without timers. */
  private sweep(now: number): void {
    if (now - this.lastSweep < this.windowMs) return;
    this.lastSweep = now;
    for (const [key, entry] of this.failures) if (now - entry.since >= this.windowMs) this.failures.delete(key);
  }

  /** Seconds until an attempt with these keys may be made, or 0 when it may be made now. */
  retryAfterSeconds(keys: readonly string[]): number {
    const now = this.now();
    this.sweep(now);
    let wait = 0;
    for (const key of keys) {
      const entry = this.current(key, now);
      if (entry && entry.count >= this.failuresPerWindow) {
        wait = Math.max(wait, Math.ceil((entry.since + this.windowMs - now) / 1000), 1);
      }
    }
    return wait;
  }

  recordFailure(keys: readonly string[]): void {
    const now = this.now();
    this.sweep(now);
    for (const key of keys) {
      const entry = this.current(key, now);
      if (entry) entry.count++;
      else if (this.failures.size < this.maxKeys) this.failures.set(key, { count: 1, since: now });
    }
  }
}
