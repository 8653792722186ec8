/**
 * The imported title index in the database, and how a process picks it up. `importTitleLists` replaces a list in one
 * transaction, re-derives the crosswalk when both lists are there and bumps a revision in `app_meta`.
 * `refreshTitleIndex` compares that revision with the one this process has installed (one primary-key read) and,
 * when it changed, loads the lists and builds the coder's index in memory; ingest calls it before each batch, so a
 * running worker codes with a new import from its next batch on, without any read per posting.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, ne, sql } from 'drizzle-orm';
import { type Ctx, withTransaction } from '../context.ts';
import { bulkInsert } from '../db/bulk-insert.ts';
import { appMeta, kldbCrosswalk, kldbIndexSnapshots, kldbTitles } from '../db/schema.ts';
import { ValidationFailed } from '../errors.ts';
import { buildCrosswalk, type CrosswalkRow } from './crosswalk.ts';
import { indexFingerprint } from './index-snapshot.ts';
import { isKldbCode } from './kldb.ts';
import type { OfficialTitle, TitleList, TitleState } from './official-titles.ts';
import { installTitleIndex, TitleIndex } from './title-index.ts';

export const TITLE_INDEX_META_KEY = 'kldb_title_index';

export type ListKind = 'current' | 'legacy';

export interface ListInfo {
  asOf: string | null;
  titles: number;
  importedAt: string;
}

/** What `app_meta` holds about the import: the revision processes compare, and what each list is. */
export interface TitleIndexMeta {
  revision: string;
  current: ListInfo | null;
  legacy: ListInfo | null;
  crosswalkPairs: number;
}

export interface ImportReport {
  meta: TitleIndexMeta;
  /** Titles left out of the current list because the classification file does not know their code. */
  unknownCodes: number;
  /** Remarks for the operator (German), e.g. a list whose date does not fit the slot it was imported into. */
  warnings: string[];
}

/** More titles with codes the 2020 classification lacks than this share: the list was not coded with it. */
const MAX_UNKNOWN_SHARE = 0.05;

function yearOf(asOf: string | null): number | null {
  const m = asOf?.match(/(\d{4})/);
  return m ? Number(m[1]) : null;
}

async function readMeta(ctx: Ctx): Promise<TitleIndexMeta | null> {
  const [row] = await ctx.db
    .select({ value: appMeta.value })
    .from(appMeta)
    .where(eq(appMeta.key, TITLE_INDEX_META_KEY));
  return row ? (JSON.parse(row.value) as TitleIndexMeta) : null;
}

export async function titleIndexMeta(ctx: Ctx): Promise<TitleIndexMeta | null> {
  return readMeta(ctx);
}

/**
 * One list, read as a single JSON value: on the embedded database this takes a quarter of the time of reading some
 * 47,000 rows one by one (about 0.1 s instead of 0.4–0.6 s), and it is the bulk of a process's start-up load.
 */
async function readList(ctx: Ctx, list: ListKind): Promise<OfficialTitle[]> {
  const result = await ctx.db.execute<{ titles: string | null }>(
    sql`select json_agg(json_build_array(dkz_id, code, state, neutral, male, female))::text as titles from ${kldbTitles} where list = ${list}`,
  );
  const text = (result as unknown as { rows: Array<{ titles: string | null }> }).rows[0]?.titles;
  if (!text) return [];
  return (JSON.parse(text) as Array<[number, string, TitleState, string, string, string]>).map(
    ([dkzId, code, state, neutral, male, female]) => ({ dkzId, code, state, neutral, male, female }),
  );
}

/**
 * Replaces the given lists (a current list coded with the 2020 revision, a legacy one coded with the original KldB
 * 2010, or both) and re-derives the crosswalk when both are in the database afterwards.
 */
export async function importTitleLists(
  ctx: Ctx,
  lists: { current?: TitleList; legacy?: TitleList },
): Promise<ImportReport> {
  if (!lists.current && !lists.legacy) throw new ValidationFailed('Keine Liste zum Einlesen angegeben.');
  const warnings: string[] = [];
  let unknownCodes = 0;
  if (lists.current) {
    const unknown = lists.current.titles.filter((t) => !isKldbCode(t.code)).length;
    if (unknown > lists.current.titles.length * MAX_UNKNOWN_SHARE) {
      throw new ValidationFailed(
        `${unknown} von ${lists.current.titles.length} Berufsbenennungen haben Codes, die die KldB 2010 (Fassung 2020) nicht kennt: Diese Liste ist nicht nach der Fassung 2020 codiert. Eine ältere Liste mit --legacy einlesen.`,
      );
    }
    unknownCodes = unknown;
    const year = yearOf(lists.current.asOf);
    if (year !== null && year < 2020)
      warnings.push(
        `Die Liste hat den Stand ${lists.current.asOf}, also vor der Fassung 2020; gemeint war vielleicht --legacy.`,
      );
  }
  if (lists.legacy) {
    const year = yearOf(lists.legacy.asOf);
    if (year !== null && year >= 2021)
      warnings.push(
        `Die ältere Liste hat den Stand ${lists.legacy.asOf}; sie ist wohl schon nach der Fassung 2020 codiert.`,
      );
  }

  const meta = await withTransaction(ctx, async (tx) => {
    const previous = await readMeta(tx);
    const now = tx.now().toISOString();
    const info: Record<ListKind, ListInfo | null> = {
      current: previous?.current ?? null,
      legacy: previous?.legacy ?? null,
    };
    for (const kind of ['current', 'legacy'] as const) {
      const list = lists[kind];
      if (!list) continue;
      const titles = kind === 'current' ? list.titles.filter((t) => isKldbCode(t.code)) : list.titles;
      await tx.db.delete(kldbTitles).where(eq(kldbTitles.list, kind));
      await bulkInsert(
        tx.db,
        kldbTitles,
        titles.map((t) => ({ list: kind, ...t })),
      );
      info[kind] = { asOf: list.asOf, titles: titles.length, importedAt: now };
    }
    // The crosswalk always follows the two lists in the database, whichever of them this import replaced.
    const current = lists.current ? lists.current.titles : info.current ? await readList(tx, 'current') : [];
    const legacy = lists.legacy ? lists.legacy.titles : info.legacy ? await readList(tx, 'legacy') : [];
    const rows = current.length > 0 && legacy.length > 0 ? buildCrosswalk(legacy, current) : [];
    await tx.db.delete(kldbCrosswalk);
    // Snapshots belong to the previous revision; the first process to load this one stores a new one.
    await tx.db.delete(kldbIndexSnapshots);
    await bulkInsert(tx.db, kldbCrosswalk, rows);
    const meta: TitleIndexMeta = { revision: randomUUID(), ...info, crosswalkPairs: rows.length };
    const value = JSON.stringify(meta);
    await tx.db
      .insert(appMeta)
      .values({ key: TITLE_INDEX_META_KEY, value })
      .onConflictDoUpdate({ target: appMeta.key, set: { value, updatedAt: tx.now() } });
    return meta;
  });
  return { meta, unknownCodes, warnings };
}

async function readCrosswalk(ctx: Ctx): Promise<CrosswalkRow[]> {
  return ctx.db
    .select({ legacyCode: kldbCrosswalk.legacyCode, code: kldbCrosswalk.code, titles: kldbCrosswalk.titles })
    .from(kldbCrosswalk);
}

/** Builds the title index from the lists in the database; null when no current list was imported. */
export async function buildTitleIndex(ctx: Ctx): Promise<TitleIndex | null> {
  const current = await readList(ctx, 'current');
  if (current.length === 0) return null;
  const legacy = await readList(ctx, 'legacy');
  return TitleIndex.build({ current, legacy, crosswalk: await readCrosswalk(ctx) });
}

/**
 * The title index of a revision: from its snapshot when one was stored by code with this fingerprint, else built
 * from the lists and stored as a snapshot for the next process (older snapshots are dropped).
 */
export async function loadTitleIndex(ctx: Ctx, revision: string): Promise<TitleIndex | null> {
  const fingerprint = indexFingerprint();
  const [stored] = await ctx.db
    .select({ data: kldbIndexSnapshots.data })
    .from(kldbIndexSnapshots)
    .where(and(eq(kldbIndexSnapshots.revision, revision), eq(kldbIndexSnapshots.fingerprint, fingerprint)));
  if (stored) {
    const restored = TitleIndex.restore(stored.data, await readCrosswalk(ctx));
    if (restored !== null) return restored;
  }
  const built = await buildTitleIndex(ctx);
  if (built === null) return null;
  const data = built.serialize();
  await withTransaction(ctx, async (tx) => {
    await tx.db.delete(kldbIndexSnapshots).where(ne(kldbIndexSnapshots.revision, revision));
    await tx.db
      .insert(kldbIndexSnapshots)
      .values({ revision, fingerprint, data })
      .onConflictDoUpdate({
        target: [kldbIndexSnapshots.revision, kldbIndexSnapshots.fingerprint],
        set: { data, createdAt: tx.now() },
      });
  });
  return built;
}

/** The revision this process has installed; '' = none checked yet, 'none' = checked, nothing imported. */
let installedRevision = '';
let inFlight: Promise<boolean> | null = null;

/**
 * Installs the database's title index in this process when its revision differs from the installed one. Cheap when
 * nothing changed (one primary-key read); a load builds the index, about a second for the full list. Concurrent
 * callers share one load. Returns whether the index changed.
 */
export async function refreshTitleIndex(ctx: Ctx): Promise<boolean> {
  if (inFlight !== null) return inFlight;
  inFlight = (async () => {
    const meta = await readMeta(ctx);
    const revision = meta?.current ? meta.revision : 'none';
    if (revision === installedRevision) return false;
    const index = revision === 'none' ? null : await loadTitleIndex(ctx, revision);
    const before = installedRevision;
    installTitleIndex(index);
    installedRevision = index === null ? 'none' : revision;
    // Nothing to say when a process starts without an import; an install or a removal is worth a line.
    if (index !== null || (before !== '' && before !== 'none')) {
      ctx.log.info(
        { revision: installedRevision, officialTitles: index?.coder.index.officialTitles ?? 0 },
        'occupation coder: title index installed',
      );
    }
    return true;
  })();
  try {
    return await inFlight;
  } finally {
    inFlight = null;
  }
}

/** Forgets what this process installed (tests that switch databases). */
export function resetTitleIndex(): void {
  installedRevision = '';
  installTitleIndex(null);
}
