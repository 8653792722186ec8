/**
 * How a process gets its follower of the index topic at start, and what it leaves behind at shutdown.
 *
 * - Meilisearch: the shared index follows the shared cursor in `app_meta`; nothing to load or save.
 * - Embedded: the index is loaded from the snapshot in the data directory (`snapshot.ts`) when that snapshot belongs
 *   to this database and is not ahead of it, then catches up with the outbox from the position it records. Anything
 *   else (no snapshot, damaged, another format, another or restored database, a count that does not add up after
 *   the catch-up) is logged and the index is rebuilt from the DB, as before snapshots existed. A snapshot is written
 *   after a rebuild (in the background) and at shutdown when the index changed.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { eq, sql } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { appMeta } from '../db/schema.ts';
import type { Logger } from '../logging.ts';
import { memoryCursor, type OutboxCursor } from '../outbox/cursor.ts';
import type { OutboxFollower } from '../outbox/follow.ts';
import { outboxHead, vacancyPositionRow } from '../outbox/read-log.ts';
import { EmbeddedSearchEngine } from './embedded.ts';
import { createIndexFollower, rebuildIndex, sharedIndexCursor } from './index-sync.ts';
import type { SearchEngine } from './search-engine.ts';
import { readSnapshot, type SnapshotMeta, writeSnapshot } from './snapshot.ts';

/** The snapshot's name in the data directory. */
export const SNAPSHOT_FILE = 'search-index.snapshot';
/** `app_meta` key of a random id naming this database, so a snapshot taken from another one is never loaded. */
const DATABASE_ID_KEY = 'search_snapshot_database';
/** How long after a rebuild the first snapshot is written. */
const SAVE_AFTER_REBUILD_MS = 10_000;
/** How often the count check retries while writers keep moving the outbox head. */
const COUNT_CHECK_ATTEMPTS = 3;

export interface IndexFollower extends OutboxFollower {
  /** Writes the embedded index's snapshot if the index changed since it was loaded or saved; call before the DB closes. */
  close(): Promise<void>;
}

export interface IndexFollowerOptions {
  kind: 'embedded' | 'meilisearch';
  /** Where the embedded index's snapshot lives. */
  dataDir: string;
  log: Logger;
}

/**
 * The index follower for this process, with the embedded index loaded or rebuilt first, so searches answer as soon
 * as this resolves. `bin/container.ts` calls it once per process that keeps an index.
 */
export async function openIndexFollower(
  ctx: Ctx,
  engine: SearchEngine,
  { kind, dataDir, log }: IndexFollowerOptions,
): Promise<IndexFollower> {
  if (kind === 'meilisearch' || !(engine instanceof EmbeddedSearchEngine)) {
    return { ...createIndexFollower(engine, sharedIndexCursor(ctx)), close: async () => {} };
  }
  const file = join(dataDir, SNAPSHOT_FILE);
  const cursor = memoryCursor();
  const follower = createIndexFollower(engine, cursor);
  let savedVersion = -1;
  let saving: Promise<void> = Promise.resolve();

  const save = (): Promise<void> => {
    // After the previous save, whether it worked or not: one failed write must not stop every later one.
    saving = saving
      .catch(() => {})
      .then(async () => {
        if (engine.version === savedVersion) return;
        const started = Date.now();
        const { version, bytes } = await saveSnapshot(ctx, engine, cursor, file);
        savedVersion = version;
        log.info({ bytes, ms: Date.now() - started }, 'search index snapshot written');
      });
    return saving;
  };

  const started = Date.now();
  let loaded = await loadSnapshot(ctx, engine, file);
  if (loaded.ok) {
    savedVersion = engine.version;
    await cursor.advance(loaded.position);
    const applied = await follower.sync(ctx);
    const problem = await countProblem(ctx, engine, follower, cursor);
    if (!problem) {
      log.info(
        { count: await engine.count(), caughtUp: applied, ms: Date.now() - started },
        'embedded search index loaded from its snapshot',
      );
    } else {
      loaded = { ok: false, problem };
    }
  }
  if (!loaded.ok) {
    log.info({ reason: loaded.problem }, 'search index snapshot not used; rebuilding from the database');
    // The head is read first, so changes made during the build are followed afterwards.
    const head = await outboxHead(ctx);
    const rebuildStarted = Date.now();
    const count = await rebuildIndex(ctx, engine);
    await cursor.advance(head);
    log.info({ count, ms: Date.now() - rebuildStarted }, 'embedded search index built from the database');
  }
  const saveLogged = () =>
    save().catch((err) => log.warn({ err: (err as Error).message }, 'search index snapshot not written'));
  // Soon after start, not during it (the rest of the start-up would wait for the event loop): a restart after a crash
  // then finds a snapshot too, not only one after a clean shutdown.
  const soon = loaded.ok ? undefined : setTimeout(saveLogged, SAVE_AFTER_REBUILD_MS).unref();
  return {
    sync: (c) => follower.sync(c),
    close: () => {
      clearTimeout(soon);
      return saveLogged();
    },
  };
}

type Loaded = { ok: true; position: number } | { ok: false; problem: string };

/** Loads the snapshot into the engine if it belongs to this database and is not ahead of it. */
async function loadSnapshot(ctx: Ctx, engine: EmbeddedSearchEngine, file: string): Promise<Loaded> {
  const read = await readSnapshot(file);
  if (!read.ok) return read;
  const { meta } = read;
  const database = await databaseId(ctx);
  if (meta.database !== database) return { ok: false, problem: 'snapshot of another database' };
  if ((await outboxHead(ctx)) < meta.position) return { ok: false, problem: 'snapshot ahead of the database' };
  const row = await vacancyPositionRow(ctx, meta.position);
  if (JSON.stringify(row) !== JSON.stringify(meta.positionRow)) {
    return { ok: false, problem: 'outbox differs from the snapshot (restored or replaced database)' };
  }
  try {
    engine.restore(read.state);
  } catch (err) {
    return { ok: false, problem: `inconsistent snapshot: ${(err as Error).message}` };
  }
  return { ok: true, position: meta.position };
}

async function saveSnapshot(
  ctx: Ctx,
  engine: EmbeddedSearchEngine,
  cursor: OutboxCursor,
  file: string,
): Promise<{ version: number; bytes: number }> {
  // The position is read before the state is taken: the state then holds at least every row up to it, and rows
  // after it that are already in are applied once more after a restart, which is harmless.
  const position = await cursor.get();
  const meta: Omit<SnapshotMeta, 'documents'> = {
    position,
    positionRow: await vacancyPositionRow(ctx, position),
    database: await createDatabaseId(ctx),
    writtenAt: new Date().toISOString(),
  };
  // With PostgreSQL nothing else may have created the data directory yet.
  await mkdir(dirname(file), { recursive: true });
  const version = engine.version;
  const documents = await engine.count();
  const state = engine.toState();
  const bytes = await writeSnapshot(file, state, { ...meta, documents });
  return { version, bytes };
}

async function databaseId(ctx: Ctx): Promise<string | undefined> {
  const [row] = await ctx.db.select({ value: appMeta.value }).from(appMeta).where(eq(appMeta.key, DATABASE_ID_KEY));
  return row?.value;
}

async function createDatabaseId(ctx: Ctx): Promise<string> {
  await ctx.db.insert(appMeta).values({ key: DATABASE_ID_KEY, value: randomUUID() }).onConflictDoNothing();
  return (await databaseId(ctx)) as string;
}

/**
 * After the catch-up the index must hold exactly the open vacancies. Compared only when nothing was written to the
 * outbox in between (head and count are read in one statement, so from one DB snapshot), else retried.
 */
async function countProblem(
  ctx: Ctx,
  engine: EmbeddedSearchEngine,
  follower: OutboxFollower,
  cursor: OutboxCursor,
): Promise<string | undefined> {
  for (let attempt = 0; attempt < COUNT_CHECK_ATTEMPTS; attempt++) {
    const result = await ctx.db.execute<{ head: string | number; open: string | number }>(
      sql`select (select coalesce(max(id), 0) from outbox) as head, (select count(*) from vacancies where status = 'open') as open`,
    );
    const [row] = (result as unknown as { rows: Array<{ head: string | number; open: string | number }> }).rows;
    if (Number(row?.head) === (await cursor.get())) {
      const count = await engine.count();
      return count === Number(row?.open) ? undefined : `index holds ${count} vacancies, the database ${row?.open} open`;
    }
    await follower.sync(ctx);
  }
  return undefined;
}
