/**
 * Re-derives queue work from the DB, so a Redis that lost its jobs loses no work (BullMQ keeps only what Redis
 * keeps; docs/architecture.md): pending ingest batches, unprocessed match rows of the outbox, new index rows, and
 * one job scheduler per enabled source, every 2 seconds. The SLA timers have a pass of their own, at start and every
 * minute: the milestones due soon, or overdue, as delayed jobs, and the periodic jobs' schedulers.
 * Adds use deterministic job ids or deduplication, so relaying twice is harmless.
 */
import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import type { Ctx } from '../src/context.ts';
import { ingestBatches, outbox, sources } from '../src/db/schema.ts';
import type { Logger } from '../src/logging.ts';
import { pendingMilestones } from '../src/sla/milestones.ts';
import { throttledWarn } from './error-log.ts';
import { Jobs, PERIODIC_JOBS, type PeriodicJobName } from './jobs.ts';
import type { Queues } from './queues.ts';

export interface RelayState {
  schedulers: string;
}

export interface RelayOptions {
  ctx: Ctx;
  queues: Queues;
  log: Logger;
  /** @defaultValue 2000 */
  intervalMs?: number;
  sla?: SlaRelayOptions;
}

export interface SlaRelayOptions {
  /** How often the SLA pass runs, after the one at start. @defaultValue 60000 */
  intervalMs?: number;
  /**
   * Milestones due within this time from now are armed as delayed jobs; later ones on a later pass. Much longer
   * than the interval, so every milestone is armed on several passes before it is due and fires on time even when
   * a pass or two fail. @defaultValue 600000 (10 minutes)
   */
  horizonMs?: number;
  /** Schedule the e-mail delivery (only with SMTP_URL). @defaultValue false */
  deliverNotifications?: boolean;
  /** Intervals of the periodic jobs; tests shorten them. @defaultValue PERIODIC_JOBS */
  everyMs?: Partial<Record<PeriodicJobName, number>>;
}

export const SLA_RELAY_INTERVAL_MS = 60_000;
export const SLA_ARM_HORIZON_MS = 10 * 60_000;

/**
 * One pass; exported for tests. `signal` ends it early, between two adds, when the relays stop: a pass adds up to a
 * thousand jobs one by one, which on a busy machine takes seconds that shutdown needs, and the next start relays
 * the rest.
 */
export async function relayOnce(ctx: Ctx, queues: Queues, state: RelayState, signal?: AbortSignal): Promise<void> {
  const batches = await ctx.db
    .select({ id: ingestBatches.id })
    .from(ingestBatches)
    .where(isNull(ingestBatches.processedAt))
    .orderBy(asc(ingestBatches.createdAt))
    .limit(500);
  for (const b of batches) {
    if (signal?.aborted) return;
    await queues.ingest(b.id);
  }

  const matchRows = await ctx.db
    .select({ id: outbox.id, type: outbox.aggregateType, aggregateId: outbox.aggregateId })
    .from(outbox)
    .where(and(eq(outbox.topic, 'match'), isNull(outbox.processedAt)))
    .orderBy(asc(outbox.id))
    .limit(500);
  for (const r of matchRows) {
    if (signal?.aborted) return;
    await queues.match({ outboxId: r.id, kind: r.type, id: r.aggregateId });
  }

  // Every pass, not only when the log grew: a lost index job would otherwise wait for the next write.
  await queues.index();

  await syncSchedulers(ctx, queues, state);
}

/**
 * One BullMQ job scheduler per enabled source, kept in step with the sources table. Re-applied after a Redis loss,
 * since the DB, not Redis, knows which sources exist.
 */
async function syncSchedulers(ctx: Ctx, queues: Queues, state: { schedulers: string }): Promise<void> {
  const rows = await ctx.db
    .select({ id: sources.id, enabled: sources.enabled, everyMinutes: sources.everyMinutes })
    .from(sources)
    .where(ne(sources.type, 'employer'))
    .orderBy(asc(sources.id));
  const signature = JSON.stringify(rows);
  const existing = new Map((await queues.byName.crawl.getJobSchedulers()).map((s) => [s.key, Number(s.every)]));
  const wanted = new Map(rows.filter((s) => s.enabled).map((s) => [`source_${s.id}`, s]));
  // A Redis that lost its data lost the schedulers too: re-apply whenever one is missing.
  const complete = [...wanted.keys()].every((key) => existing.has(key));
  if (complete && signature === state.schedulers) return;
  // Schedulers of sources that are disabled or no longer exist must not keep firing.
  for (const key of existing.keys()) if (!wanted.has(key)) await queues.byName.crawl.removeJobScheduler(key);
  for (const [key, source] of wanted) {
    const every = source.everyMinutes * 60_000;
    // Re-upserting an unchanged scheduler would restart its interval; only new or changed ones are written.
    if (existing.get(key) === every) continue;
    await queues.byName.crawl.upsertJobScheduler(key, { every }, { name: 'crawl', data: { sourceId: source.id } });
  }
  state.schedulers = signature;
}

export interface SlaRelayState {
  /** The schedulers written last, so unchanged ones are not written again (that would restart their interval). */
  schedulers: string;
}

/**
 * One SLA pass; exported for tests and the benchmark. Arms every pending milestone due before now + horizon (the
 * overdue ones at once: what fell due while everything was down fires now and records its original due time), and
 * re-applies the periodic jobs' schedulers. Returns how many milestones it armed (or found armed).
 */
export async function slaRelayOnce(
  ctx: Ctx,
  queues: Queues,
  options: SlaRelayOptions = {},
  state: SlaRelayState = { schedulers: '' },
): Promise<{ armed: number }> {
  await syncPeriodicSchedulers(queues, options, state);
  const now = ctx.now();
  const horizon = now.getTime() + (options.horizonMs ?? SLA_ARM_HORIZON_MS);
  const due = (await pendingMilestones(ctx)).filter((m) => m.dueAt.getTime() <= horizon);
  await queues.armMilestones(due, now);
  return { armed: due.length };
}

/**
 * The periodic jobs as BullMQ job schedulers on their queues, re-applied when one is missing (a Redis that lost its
 * data lost them too) or changed, and the delivery's removed when SMTP is no longer configured.
 */
async function syncPeriodicSchedulers(queues: Queues, options: SlaRelayOptions, state: SlaRelayState) {
  const names = Object.keys(PERIODIC_JOBS) as PeriodicJobName[];
  const wanted = new Map<PeriodicJobName, number>();
  for (const name of names) {
    if (name === 'deliver-notifications' && !options.deliverNotifications) continue;
    wanted.set(name, options.everyMs?.[name] ?? PERIODIC_JOBS[name].everyMs);
  }
  const existing = new Map<string, number>();
  for (const queue of new Set(names.map((name) => Jobs[name].queue))) {
    for (const s of await queues.byName[queue].getJobSchedulers()) existing.set(s.key, Number(s.every));
  }
  const signature = JSON.stringify([...wanted]);
  const complete = [...wanted.keys()].every((key) => existing.has(key));
  if (complete && signature === state.schedulers) return;
  for (const name of names) {
    const queue = queues.byName[Jobs[name].queue];
    const every = wanted.get(name);
    if (every === undefined) {
      if (existing.has(name)) await queue.removeJobScheduler(name);
      continue;
    }
    if (existing.get(name) === every) continue;
    await queue.upsertJobScheduler(
      name,
      { every },
      { name, data: {}, opts: { removeOnComplete: true, removeOnFail: { age: 7 * 24 * 3600 } } },
    );
  }
  state.schedulers = signature;
}

/**
 * A pass run now and then every `intervalMs`, never two at once; `stop` waits for the one in flight. While the
 * queue backend is away every pass fails alike: the first failure is logged, repeats once a minute with their count.
 */
function repeat(run: (signal: AbortSignal) => Promise<void>, intervalMs: number, log: Logger, what: string) {
  let current: Promise<void> | undefined;
  const warn = throttledWarn(log);
  const stopping = new AbortController();
  const tick = () => {
    current ??= run(stopping.signal)
      .catch((err) => warn(`${what} failed; retrying`, err))
      .finally(() => {
        current = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    async stop() {
      clearInterval(timer);
      stopping.abort();
      await current;
    },
  };
}

export function startRelays({ ctx, queues, log, intervalMs = 2_000, sla = {} }: RelayOptions): {
  stop(): Promise<void>;
} {
  const state: RelayState = { schedulers: '' };
  const relays = repeat((signal) => relayOnce(ctx, queues, state, signal), intervalMs, log, 'relay pass');
  const slaState: SlaRelayState = { schedulers: '' };
  let first = true;
  const slaPass = repeat(
    async () => {
      const { armed } = await slaRelayOnce(ctx, queues, sla, slaState);
      // At start the count says what an outage left behind; later passes re-arm the same ids, which is routine.
      if (first) log.info({ armed }, 'sla milestones due within the horizon armed');
      first = false;
    },
    sla.intervalMs ?? SLA_RELAY_INTERVAL_MS,
    log,
    'sla pass',
  );
  return {
    // Waits for the passes in flight, so shutdown closes the database only after them.
    async stop() {
      await Promise.all([relays.stop(), slaPass.stop()]);
    },
  };
}
