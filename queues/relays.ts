/**
 * Re-derives queue work from the DB, so a Redis that lost its jobs loses no work (BullMQ keeps only what Redis
 * keeps; docs/architecture.md): pending ingest batches, unprocessed match rows of the outbox, new index rows, and
 * one job scheduler per enabled source.
 * Adds use deterministic job ids or deduplication, so relaying twice is harmless.
 */
import { and, asc, eq, isNull, ne } from 'drizzle-orm';
import type { Ctx } from '../src/context.ts';
import { ingestBatches, outbox, sources } from '../src/db/schema.ts';
import type { Logger } from '../src/logging.ts';
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
}

/** One pass; exported for tests. */
export async function relayOnce(ctx: Ctx, queues: Queues, state: RelayState): Promise<void> {
  const batches = await ctx.db
    .select({ id: ingestBatches.id })
    .from(ingestBatches)
    .where(isNull(ingestBatches.processedAt))
    .orderBy(asc(ingestBatches.createdAt))
    .limit(500);
  for (const b of batches) await queues.ingest(b.id);

  const matchRows = await ctx.db
    .select({ id: outbox.id, type: outbox.aggregateType, aggregateId: outbox.aggregateId })
    .from(outbox)
    .where(and(eq(outbox.topic, 'match'), isNull(outbox.processedAt)))
    .orderBy(asc(outbox.id))
    .limit(500);
  for (const r of matchRows) await queues.match({ outboxId: r.id, kind: r.type, id: r.aggregateId });

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

export function startRelays({ ctx, queues, log, intervalMs = 2_000 }: RelayOptions): { stop(): Promise<void> } {
  const state: RelayState = { schedulers: '' };
  let current: Promise<void> | undefined;
  const tick = () => {
    current ??= relayOnce(ctx, queues, state)
      .catch((err) => log.warn({ err: (err as Error).message }, 'relay pass failed; retrying'))
      .finally(() => {
        current = undefined;
      });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    // Waits for a pass in flight, so shutdown closes the database only after it.
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}
