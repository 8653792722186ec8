/**
 * A throttle on failed authentication: after `failuresPerWindow` failed attempts within a window, per client address
 * and per token prefix, every further attempt from that address (or with that prefix) is answered 429 with
 * Retry-After until the window ends, without checking the token: a check would tell the caller whether a guess was
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
  private windowStart = 0;
  private failures = new Map<string, number>();

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

  /** Fixed windows: all counts end together, so memory is freed without timers. */
  private roll(): void {
    const start = this.now() - (this.now() % this.windowMs);
    if (start !== this.windowStart) {
      this.windowStart = start;
      this.failures = new Map();
    }
  }

  /** Seconds until an attempt with these keys may be made, or 0 when it may be made now. */
  retryAfterSeconds(keys: readonly string[]): number {
    this.roll();
    const blocked = keys.some((key) => (this.failures.get(key) ?? 0) >= this.failuresPerWindow);
    return blocked ? Math.max(1, Math.ceil((this.windowStart + this.windowMs - this.now()) / 1000)) : 0;
  }

  recordFailure(keys: readonly string[]): void {
    this.roll();
    for (const key of keys) {
      const count = this.failures.get(key);
      if (count === undefined && this.failures.size >= this.maxKeys) continue;
      this.failures.set(key, (count ?? 0) + 1);
    }
  }
}
