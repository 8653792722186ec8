/**
 * `jobbruecke restore FILE`: an embedded backup into an empty data directory.
 *
 * Checked before anything is written: the header (a Jobbrücke backup, a format this version reads), the file's
 * length and the payload's SHA-256, and a migration level this version knows. Then the archive is unpacked into a
 * staging directory inside the target, the database opened there (PostgreSQL replays its write-ahead log, as after
 * a crash at the backup's moment) and compared with the state the manifest recorded: installation id, migration
 * level, rows of every table, sequences and outbox head. Only a database that agrees in every number is renamed to
 * `DATA_DIR/db`; anything else removes the staging directory and leaves the target as it was.
 *
 * Nothing derived is restored: the search index and the matcher's indexes are built from the database at the first
 * start, since the data directory holds no snapshot of them.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { openPglite } from '../db/client.ts';
import { resetInstallationId } from '../installation.ts';
import { databaseState, KNOWN_MIGRATIONS, stateDifferences } from './database-state.ts';
import { type BackupManifest, decodeHeader, HEADER_BYTES } from './manifest.ts';
import { BackupRefused } from './refused.ts';
import { ArchiveInvalid, untarInto } from './tar.ts';

/** The name of the database directory inside a data directory (config: `DATA_DIR/db`). */
export const DATABASE_DIR_NAME = 'db';

/** The manifest of a backup that can be restored here; refuses (one line) a file that cannot. */
export async function inspectBackup(file: string): Promise<BackupManifest> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new BackupRefused(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}.`);
  }
  let manifest: BackupManifest;
  let size: number;
  try {
    size = (await handle.stat()).size;
    const header = Buffer.alloc(Math.min(HEADER_BYTES, size));
    await handle.read(header, 0, header.length, 0);
    const decoded = decodeHeader(header);
    if (!decoded.ok) throw new BackupRefused(`${file} ${decoded.problem}.`);
    manifest = decoded.manifest;
  } finally {
    await handle.close();
  }
  const expected = HEADER_BYTES + manifest.payload.bytes;
  if (size < expected) throw new BackupRefused(`${file} is truncated: ${size} of ${expected} bytes.`);
  if (size > expected) throw new BackupRefused(`${file} is damaged: ${size} bytes, its header says ${expected}.`);
  if ((await payloadDigest(file)) !== manifest.payload.sha256) {
    throw new BackupRefused(`${file} is damaged: its content does not match the checksum in its header.`);
  }
  const { latest } = manifest.database.migration;
  if (!KNOWN_MIGRATIONS.some((m) => m.tag === latest)) {
    throw new BackupRefused(
      `${file} was written by a newer version of Jobbrücke (database migration ${latest}; this version knows up to ${KNOWN_MIGRATIONS.at(-1)?.tag}). Restore it with that version.`,
    );
  }
  return manifest;
}

async function payloadDigest(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { start: HEADER_BYTES })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Refuses a target that holds anything but the lock file the caller may already have taken (`allow`). Returns
 * whether the directory exists.
 */
export async function refuseNonEmptyTarget(dataDir: string, allow: string[] = []): Promise<boolean> {
  let entries: string[];
  try {
    if (!(await stat(dataDir)).isDirectory()) throw new BackupRefused(`${dataDir} is not a directory.`);
    entries = await readdir(dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
  const present = entries.filter((name) => !allow.includes(name));
  if (present.length > 0) {
    const shown = present.slice(0, 5).join(', ') + (present.length > 5 ? ', …' : '');
    throw new BackupRefused(`${dataDir} is not empty (${shown}); restore only into an empty data directory.`);
  }
  return true;
}

export interface RestoreOptions {
  file: string;
  /** The verified manifest (`inspectBackup`). */
  manifest: BackupManifest;
  /** The data directory; exists and is empty but for the lock file. */
  dataDir: string;
  /** Give the restored database a new installation id (a copy that runs beside its original). */
  newInstallation?: boolean;
}

export interface Restored {
  databaseDir: string;
  /** Set with `newInstallation`. */
  installation?: { previous: string | undefined; current: string };
}

export async function restoreBackup({ file, manifest, dataDir, newInstallation }: RestoreOptions): Promise<Restored> {
  const staging = join(dataDir, `.restore-${process.pid}-${randomBytes(4).toString('hex')}`);
  const databaseDir = join(dataDir, DATABASE_DIR_NAME);
  await mkdir(staging, { mode: 0o700 });
  try {
    await unpack(file, manifest, staging);
    const database = await openPglite(staging);
    let installation: Restored['installation'];
    try {
      const differences = stateDifferences(manifest.database, await databaseState(database.db));
      if (differences.length > 0) {
        throw new BackupRefused(
          `The database restored from ${file} does not match its manifest: ${differences.slice(0, 3).join('; ')}.`,
        );
      }
      if (newInstallation) installation = await resetInstallationId(database.db);
    } finally {
      // A clean shutdown: the restored directory then opens without replaying the log again.
      await database.close();
    }
    await rename(staging, databaseDir);
    return { databaseDir, installation };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function unpack(file: string, manifest: BackupManifest, target: string): Promise<void> {
  const hash = createHash('sha256');
  const hashed = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  try {
    await pipeline(createReadStream(file, { start: HEADER_BYTES }), hashed, createGunzip(), (archive) =>
      untarInto(archive, target),
    );
  } catch (err) {
    if (err instanceof ArchiveInvalid || (err as NodeJS.ErrnoException).code?.startsWith('Z_')) {
      throw new BackupRefused(`${file} is damaged: ${(err as Error).message}.`);
    }
    throw err;
  }
  // The file was checked before; this catches a change between that check and now.
  if (hash.digest('hex') !== manifest.payload.sha256) {
    throw new BackupRefused(`${file} changed while it was restored; nothing was restored.`);
  }
}
