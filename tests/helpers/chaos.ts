/**
 * The chaos suite's shared report: every fault scenario prints its counts in one fixed line, so a run's log shows at a
 * glance what was sent, what the system acknowledged, what ended up stored, and what was doubled or lost.
 * The scenario's test asserts `duplicated === 0` and `lost === 0` itself, next to the fault it injected.
 * Below it, small tools the scenarios share: waiting for a condition, the embedded database of a stopped service,
 * and a figure from the service's /metrics.
 */
import { join } from 'node:path';
import { type Db, openPglite } from '../../src/db/client.ts';

export interface ChaosCounts {
  /** Items the scenario offered to the system (postings fetched, orders created, commands issued). */
  sent: number;
  /** Items the system confirmed (a 2xx answer, a job id, a committed row) before or despite the fault. */
  acknowledged: number;
  /** Items found in the store once the system has drained. */
  stored: number;
  /** Acknowledged items stored more than once (counted once per extra copy). */
  duplicated: number;
  /** Acknowledged items not found in the store after draining. */
  lost: number;
}

/** The one format: `[chaos] <scenario>: sent=… acknowledged=… stored=… duplicated=… lost=…`. */
export function formatCounts(scenario: string, counts: ChaosCounts): string {
  const { sent, acknowledged, stored, duplicated, lost } = counts;
  return `[chaos] ${scenario}: sent=${sent} acknowledged=${acknowledged} stored=${stored} duplicated=${duplicated} lost=${lost}`;
}

/** Prints the scenario's counts to stdout (vitest shows it with the test) and returns the line. */
export function reportCounts(scenario: string, counts: ChaosCounts): string {
  const line = formatCounts(scenario, counts);
  process.stdout.write(`${line}\n`);
  return line;
}

/**
 * Waits until `probe` returns a value (not undefined); a probe that throws counts as not yet. `what` may be a
 * function, asked at the timeout, so the message can say what was seen last.
 */
export async function waitFor<T>(
  what: string | (() => string),
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${typeof what === 'string' ? what : what()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Opens the embedded database of a data directory in this process, migrated, and closes it after `use`. Only while
 * no service runs on it: the service holds the database for itself.
 */
export async function withEmbeddedDatabase<T>(dataDir: string, use: (db: Db) => Promise<T>): Promise<T> {
  const database = await openPglite(join(dataDir, 'db'));
  try {
    await database.migrate();
    return await use(database.db);
  } finally {
    await database.close();
  }
}

/** One sample of a Prometheus text exposition (the service's /metrics), summed over the series that match `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const series = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => series[k] === v)) sum += Number(match[3]);
  }
  return sum;
}
