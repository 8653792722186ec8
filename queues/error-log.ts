/**
 * Error listeners for the queue backend's connections and BullMQ queues and workers. While Redis (or PostgreSQL) is
 * away, the clients reconnect every few hundred milliseconds and every client and queue on the connection reports
 * each failed attempt; logging them all would bury the log. So each distinct message is logged once, then at most once per interval with the number of
 * repeats it stands for.
 */
import type { Logger } from '../src/logging.ts';

export const REPEAT_INTERVAL_MS = 60_000;

/** Above this many remembered messages, those not seen for an interval are forgotten. */
const MAX_REMEMBERED = 100;

/** Returns how many identical messages were held back since the last one logged, or undefined to hold this one back. */
export type ErrorThrottle = (message: string) => number | undefined;

export function createErrorThrottle(intervalMs = REPEAT_INTERVAL_MS, now: () => number = Date.now): ErrorThrottle {
  const seen = new Map<string, { loggedAt: number; heldBack: number }>();
  return (message) => {
    const at = now();
    const entry = seen.get(message);
    if (entry && at - entry.loggedAt < intervalMs) {
      entry.heldBack += 1;
      return undefined;
    }
    if (!entry && seen.size >= MAX_REMEMBERED) {
      for (const [key, value] of seen) if (at - value.loggedAt >= intervalMs) seen.delete(key);
    }
    seen.set(message, { loggedAt: at, heldBack: 0 });
    return entry?.heldBack ?? 0;
  };
}

/** Shared by the whole process: the producer, its queues and every worker see the same outage. */
const processThrottle = createErrorThrottle();

/** An 'error' listener that logs through the process-wide throttle; `where` names the client, queue or worker. */
export function logQueueErrors(log: Logger, where: string, throttle = processThrottle): (err: Error) => void {
  return (err) => {
    const repeats = throttle(err.message);
    if (repeats === undefined) return;
    log.error({ where, err: err.message, ...(repeats > 0 ? { repeats } : {}) }, 'queue backend error');
  };
}

/**
 * A warning for work that is retried anyway (a relay pass, a follow-up job the relay queues again): the first of
 * each message is logged, repeats at most once per interval with their count, as for the connections above.
 */
export function throttledWarn(log: Logger, throttle = createErrorThrottle()): (message: string, err: unknown) => void {
  return (message, err) => {
    const reason = err instanceof Error ? err.message : String(err);
    const repeats = throttle(`${message}\n${reason}`);
    if (repeats === undefined) return;
    log.warn({ err: reason, ...(repeats > 0 ? { repeats } : {}) }, message);
  };
}
