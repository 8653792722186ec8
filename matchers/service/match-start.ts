/**
 * How a process gets its matcher at start, and what it leaves behind at shutdown.
 *
 * The vacancies come from the snapshot in the data directory (vacancy-snapshot.ts) when it belongs to this
 * installation and its database is not behind it, and then catch up with the outbox from the position it records;
 * the customers always come from the DB. Anything else (no snapshot, damaged, other rules, another installation, a
 * restored or replaced database, a count that does not add up after the catch-up) is logged and everything is read
 * from the DB, as before snapshots existed. A snapshot is written after such a rebuild (in the background) and at
 * shutdown when the vacancies changed.
 */
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { sql } from 'drizzle-orm';
import type { Ctx } from '../../src/context.ts';
import { installationId } from '../../src/installation.ts';
import type { Logger } from '../../src/logging.ts';
import { outboxHead, vacancyPositionRow } from '../../src/outbox/read-log.ts';
import { MatchService } from './match-service.ts';
import { readVacancySnapshot, type VacancySnapshotMeta, writeVacancySnapshot } from './vacancy-snapshot.ts';

/** The snapshot's name in the data directory. */
export const MATCH_SNAPSHOT_FILE = 'match-vacancies.snapshot';
/** How long after a rebuild the first snapshot is written: after the start, not during it. */
const SAVE_AFTER_REBUILD_MS = 10_000;
/** A temporary file of a snapshot write untouched this long belongs to a write that will not finish. */
const UNFINISHED_AFTER_MS = 60_000;
/** How often the count check retries while writers keep moving the outbox head. */
const COUNT_CHECK_ATTEMPTS = 3;

export interface MatcherHandle {
  service: MatchService;
  /** Writes the snapshot if the vacancies changed since it was loaded or saved; call before the DB closes. */
  close(): Promise<void>;
}

/**
 * The process's matcher, loaded (snapshot and catch-up) or rebuilt, ready to rank when this resolves.
 * `bin/container.ts` calls it once per process.
 */
export async function openMatchService(
  ctx: Ctx,
  { dataDir, log }: { dataDir: string; log: Logger },
): Promise<MatcherHandle> {
  const file = join(dataDir, MATCH_SNAPSHOT_FILE);
  const started = Date.now();
  await removeUnfinishedWrites(dataDir);
  const loaded = await loadFromSnapshot(ctx, file);
  let matcher: MatchService;
  /** The vacancies as the snapshot on disk holds them; -1: no usable snapshot. */
  let savedVersion = -1;
  if (loaded.ok) {
    matcher = loaded.service;
    savedVersion = loaded.savedVersion;
    log.info(
      {
        customers: matcher.customers.size,
        vacancies: matcher.vacancies.size,
        caughtUp: loaded.caughtUp,
        ms: Date.now() - started,
        steps: loaded.steps,
      },
      'matcher indexes loaded: vacancies from their snapshot, customers from the database',
    );
  } else {
    log.info({ reason: loaded.problem }, 'matcher snapshot not used; building the indexes from the database');
    const rebuildStarted = Date.now();
    matcher = await MatchService.load(ctx);
    log.info(
      { customers: matcher.customers.size, vacancies: matcher.vacancies.size, ms: Date.now() - rebuildStarted },
      'matcher indexes built from the database',
    );
  }

  let saving: Promise<void> = Promise.resolve();
  const save = (): Promise<void> => {
    // After the previous save, whether it worked or not: one failed write must not stop every later one.
    saving = saving
      .catch(() => {})
      .then(async () => {
        if (matcher.vacancyVersion === savedVersion) return;
        const saveStarted = Date.now();
        const { version, bytes } = await saveSnapshot(ctx, matcher, file);
        savedVersion = version;
        log.info({ bytes, ms: Date.now() - saveStarted }, 'matcher snapshot written');
      });
    return saving;
  };
  const saveLogged = () =>
    save().catch((err) => log.warn({ err: (err as Error).message }, 'matcher snapshot not written'));
  // Soon after a rebuild, so a restart after a crash finds a snapshot too, not only one after a clean shutdown.
  const soon = loaded.ok ? undefined : setTimeout(saveLogged, SAVE_AFTER_REBUILD_MS).unref();
  return {
    service: matcher,
    close: () => {
      clearTimeout(soon);
      return saveLogged();
    },
  };
}

/**
 * A write cut short (the process killed, the shutdown deadline passed) leaves its temporary file behind; the
 * snapshot itself is whole, old or new. Such leftovers are removed, so they do not pile up in the data directory;
 * only old ones, since another process sharing the directory (PostgreSQL mode) may be writing one right now.
 */
async function removeUnfinishedWrites(dataDir: string): Promise<void> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(`${MATCH_SNAPSHOT_FILE}.`) || !name.endsWith('.tmp')) continue;
    const file = join(dataDir, name);
    const written = await stat(file).catch(() => undefined);
    if (written && Date.now() - written.mtimeMs > UNFINISHED_AFTER_MS) await rm(file, { force: true });
  }
}

type Loaded =
  | { ok: true; service: MatchService; savedVersion: number; caughtUp: number; steps: Record<string, number> }
  | { ok: false; problem: string };

/** The matcher from the snapshot, caught up with the outbox, if the snapshot fits this database. */
async function loadFromSnapshot(ctx: Ctx, file: string): Promise<Loaded> {
  // Where the start goes, logged with the outcome: milliseconds per step.
  const steps: Record<string, number> = {};
  let started = performance.now();
  const lap = (step: string) => {
    steps[step] = Math.round(performance.now() - started);
    started = performance.now();
  };
  const read = await readVacancySnapshot(file);
  if (!read.ok) return read;
  lap('read');
  const foreign = await foreignProblem(ctx, read.meta);
  if (foreign) return { ok: false, problem: foreign };
  lap('check');
  const service = await MatchService.resume(ctx, read.meta.position, read.state, (step, ms) => {
    steps[step] = Math.round(ms);
  });
  started = performance.now();
  // What the file holds; the catch-up's changes are written at the next save.
  const savedVersion = service.vacancyVersion;
  const caughtUp = await service.sync(ctx);
  lap('catchUp');
  const problem = await countProblem(ctx, service);
  lap('count');
  return problem ? { ok: false, problem } : { ok: true, service, savedVersion, caughtUp, steps };
}

/** Why the snapshot cannot describe this database, or undefined when it can. */
async function foreignProblem(ctx: Ctx, meta: VacancySnapshotMeta): Promise<string | undefined> {
  let installation: string;
  try {
    installation = await installationId(ctx.db);
  } catch (err) {
    return `no installation id: ${(err as Error).message}`;
  }
  if (meta.installation !== installation) return 'snapshot of another installation';
  if ((await outboxHead(ctx)) < meta.position) return 'snapshot ahead of the database';
  const row = await vacancyPositionRow(ctx, meta.position);
  if (JSON.stringify(row) !== JSON.stringify(meta.positionRow)) {
    return 'outbox differs from the snapshot (restored or replaced database)';
  }
  return undefined;
}

async function saveSnapshot(
  ctx: Ctx,
  service: MatchService,
  file: string,
): Promise<{ version: number; bytes: number }> {
  // The position is read before the state is taken: the state then holds at least every row up to it, and rows
  // after it that are already in are applied once more after a restart, which is harmless.
  const position = await service.position();
  const meta = {
    position,
    positionRow: await vacancyPositionRow(ctx, position),
    installation: await installationId(ctx.db),
    writtenAt: new Date().toISOString(),
  };
  // With PostgreSQL nothing else may have created the data directory yet.
  await mkdir(dirname(file), { recursive: true });
  const version = service.vacancyVersion;
  const bytes = await writeVacancySnapshot(file, service.vacancyState(), meta);
  return { version, bytes };
}

/**
 * After the catch-up the matcher must hold exactly the open vacancies. Compared only when nothing was written to the
 * outbox in between (head and count are read in one statement, so from one DB snapshot), else retried.
 */
async function countProblem(ctx: Ctx, service: MatchService): Promise<string | undefined> {
  for (let attempt = 0; attempt < COUNT_CHECK_ATTEMPTS; attempt++) {
    const result = await ctx.db.execute<{ head: string | number; open: string | number }>(
      sql`select (select coalesce(max(id), 0) from outbox) as head, (select count(*) from vacancies where status = 'open') as open`,
    );
    const [row] = (result as unknown as { rows: Array<{ head: string | number; open: string | number }> }).rows;
    if (Number(row?.head) === (await service.position())) {
      const held = service.openVacancies;
      return held === Number(row?.open) ? undefined : `matcher holds ${held} open vacancies, the database ${row?.open}`;
    }
    await service.sync(ctx);
  }
  return undefined;
}
