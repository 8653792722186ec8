/**
 * `jobbruecke backup FILE` for the embedded database, also while the service runs.
 *
 * Consistent: the copy is taken inside a read-only transaction, which in PGlite (one session) holds the lock every
 * other transaction and statement waits for, and under PGlite's query lock, the one its own `dumpDataDir` takes. So
 * no statement runs while the files are copied, and they are what a crash at that moment would leave: every
 * committed transaction is in the write-ahead log (PGlite commits synchronously, only the fsync is off), and opening
 * the copy replays it. A `CHECKPOINT` at the start of the transaction keeps that replay short, and only the log
 * segments it needs are copied. The database state the manifest records is read in the same transaction, so `restore` can check the
 * restored database against it. Application and queue work waits only for the checkpoint, the count of the rows
 * and the copy of the files into a staging directory beside the database (a reflink where the file system has them); packing,
 * compressing and writing the file run afterwards, with the service going on.
 *
 * Written atomically: into a temporary file beside FILE (mode 600: a backup holds social data), fsynced, then linked
 * to its name, which fails if the name exists meanwhile (a backup never overwrites a file). A failure removes the
 * temporary file and the staging copy; a process that dies leaves a staging directory named with its pid, which the
 * next backup removes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { constants, createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, open, readdir, readFile, rename, rm, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { installationId } from '../installation.ts';
import { databaseState } from './database-state.ts';
import { BACKUP_FORMAT, type BackupManifest, encodeHeader, HEADER_BYTES } from './manifest.ts';
import { BackupRefused } from './refused.ts';
import { tarDirectory } from './tar.ts';

const STAGING_PREFIX = '.backup-staging-';

export interface WriteBackupOptions {
  db: Db;
  pglite: Pick<PGlite, '_runExclusiveQuery'>;
  /** PGlite's data directory (`DATA_DIR/db`). */
  databaseDir: string;
  /** Absolute path of the backup file; must not exist. */
  file: string;
  now?: () => Date;
  /**
   * Runs at the consistent point, inside the backup's transaction, after the manifest's state was read: sees
   * exactly what the backup holds (the round-trip test records its checksums here).
   */
  atSnapshot?: (tx: Db) => Promise<void>;
}

export interface BackupWritten {
  manifest: BackupManifest;
  /** How long application and queue work waited for the consistent copy. */
  pausedMs: number;
  totalMs: number;
}

export async function writeBackup({
  db,
  pglite,
  databaseDir,
  file,
  now = () => new Date(),
  atSnapshot,
}: WriteBackupOptions): Promise<BackupWritten> {
  const started = performance.now();
  await refuseExisting(file);
  await removeAbandonedStaging(dirname(databaseDir));
  // Drawn now if this installation never needed it, so the backup and every restore of it name the same one.
  await installationId(db);

  const staging = join(dirname(databaseDir), `${STAGING_PREFIX}${process.pid}-${randomBytes(4).toString('hex')}`);
  const temporary = join(dirname(file), `.${basename(file)}.${randomBytes(4).toString('hex')}.partial`);
  try {
    let pausedMs = 0;
    let createdAt = '';
    const state = await db.transaction(
      async (tx) => {
        const pauseStarted = performance.now();
        // Here rather than before the transaction: then no write comes between it and the copy. PGlite runs it
        // synchronously, so it holds the service up wherever it runs.
        await tx.execute(sql`checkpoint`);
        const state = await databaseState(tx);
        await atSnapshot?.(tx);
        createdAt = now().toISOString();
        const wal = await neededWal(tx);
        await pglite._runExclusiveQuery(() => copyTree(databaseDir, staging, (name) => keepFile(name, wal)));
        pausedMs = performance.now() - pauseStarted;
        return state;
      },
      { isolationLevel: 'repeatable read', accessMode: 'read only' },
    );
    const postgresMajor = (await readFile(join(staging, 'PG_VERSION'), 'utf8')).trim();
    const payload = await writePayload(staging, temporary);
    const manifest: BackupManifest = {
      format: BACKUP_FORMAT,
      kind: 'pglite-data-directory',
      createdAt,
      postgresMajor,
      database: state,
      payload,
    };
    await publish(temporary, file, encodeHeader(manifest));
    return { manifest, pausedMs, totalMs: performance.now() - started };
  } finally {
    await rm(staging, { recursive: true, force: true });
    await rm(temporary, { force: true });
  }
}

async function refuseExisting(file: string): Promise<void> {
  const dir = dirname(file);
  if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
    throw new BackupRefused(`${dir} is not a directory; create it first.`);
  }
  try {
    await stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  throw new BackupRefused(`${file} exists; a backup never overwrites a file. Choose a new name.`);
}

/** Staging directories of backups whose process is gone. */
async function removeAbandonedStaging(dataDir: string): Promise<void> {
  for (const name of await readdir(dataDir)) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const pid = Number(name.slice(STAGING_PREFIX.length).split('-')[0]);
    if (pid !== process.pid && !alive(pid)) await rm(join(dataDir, name), { recursive: true, force: true });
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A write-ahead log segment's name: timeline, log and segment number, 24 hex digits that sort in log order. */
const WAL_SEGMENT = /^pg_wal\/[0-9A-F]{24}$/;

/**
 * The segments recovery replays: from the one holding the last checkpoint's redo point to the one being written.
 * The others are done with, or recycled for later use: up to `max_wal_size` of old data that would make up half a
 * backup and prolong the pause for nothing.
 */
async function neededWal(tx: Db): Promise<{ first: string; last: string }> {
  const result = await tx.execute(
    sql`select (select redo_wal_file from pg_control_checkpoint()) as first,
               pg_walfile_name(pg_current_wal_insert_lsn()) as last`,
  );
  const [row] = (result as unknown as { rows: Array<{ first: string; last: string }> }).rows;
  if (!row?.first || !row.last) throw new Error('the database did not name its write-ahead log position');
  return row;
}

function keepFile(name: string, wal: { first: string; last: string }): boolean {
  if (!WAL_SEGMENT.test(name)) return true;
  const segment = name.slice('pg_wal/'.length);
  return segment >= wal.first && segment <= wal.last;
}

/**
 * Copies a directory tree, the files `keep` accepts (by their path relative to the root); a reflink where the file
 * system offers one, so the pause stays short.
 */
async function copyTree(from: string, to: string, keep: (name: string) => boolean, relative = ''): Promise<void> {
  await mkdir(join(to, relative), { mode: 0o700 });
  for (const entry of await readdir(join(from, relative), { withFileTypes: true })) {
    const name = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await copyTree(from, to, keep, name);
    else if (!entry.isFile()) throw new Error(`${join(from, name)} is neither a file nor a directory`);
    else if (keep(name)) await copyFile(join(from, name), join(to, name), constants.COPYFILE_FICLONE);
  }
}

/** Writes the gzipped archive after the header's place and returns its length and checksum. */
async function writePayload(staging: string, temporary: string): Promise<BackupManifest['payload']> {
  const hash = createHash('sha256');
  let bytes = 0;
  const measure = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  const totals = { files: 0, bytes: 0 };
  await pipeline(
    tarDirectory(staging, totals),
    createGzip(),
    measure,
    createWriteStream(temporary, { flags: 'wx', mode: 0o600, start: HEADER_BYTES }),
  );
  return { bytes, sha256: hash.digest('hex'), files: totals.files, unpackedBytes: totals.bytes };
}

/** Writes the header, makes the file durable, and gives it its name unless that name was taken meanwhile. */
async function publish(temporary: string, file: string, header: Buffer): Promise<void> {
  const handle = await open(temporary, 'r+');
  try {
    await handle.write(header, 0, header.length, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await link(temporary, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new BackupRefused(`${file} was created while the backup was written; not replaced.`);
    // File systems without hard links (some network shares): the name is checked, then taken by rename.
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    await refuseExisting(file);
    await rename(temporary, file);
  }
  await unlink(temporary).catch(() => {});
  await syncDirectory(dirname(file));
}

async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on a directory; the rename is then as durable as they make it.
  } finally {
    await handle.close();
  }
}
