import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { HEADER_BYTES } from '../../src/backup/manifest.ts';
import { BackupRefused } from '../../src/backup/refused.ts';
import {
  DATABASE_DIR_NAME,
  inspectBackup,
  refuseNonEmptyTarget,
  restoreBackup,
} from '../../src/backup/restore-backup.ts';
import { writeBackup } from '../../src/backup/write-backup.ts';
import { lockEmbeddedDatabase, runningService } from '../service-link.ts';
import { type Command, type CommandInput, stringOption, UsageError } from './command.ts';
import { backupUsage, restoreUsage } from './usage.ts';

const PG_DUMP_LINE =
  'The database is a PostgreSQL server (DATABASE_URL): back it up with "pg_dump -Fc -f FILE" and restore with pg_restore; see docs/backup.md.';
/** The lock file `lockEmbeddedDatabase` leaves in a data directory while it is taken. */
const LOCK_FILE = 'db.lock';

function oneFile({ positionals }: CommandInput): string {
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('Give exactly one FILE.');
  return file;
}

/** A refusal is the operator's one line and exit code 1; anything else is a failure the CLI reports as such. */
async function refusalsAsLines(io: CommandInput['io'], run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (!(err instanceof BackupRefused)) throw err;
    io.err(`Error: ${err.message}`);
    return 1;
  }
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

export const backupCommand: Command = {
  ...backupUsage,
  async run(input) {
    const { config, io, resources } = input;
    const given = oneFile(input);
    if (config.db.kind === 'postgres') {
      io.err(PG_DUMP_LINE);
      return 2;
    }
    // The running service resolves a relative path against its own working directory, not the caller's.
    if (resources.shared && !isAbsolute(given)) {
      throw new UsageError('The running service writes the backup: give FILE as an absolute path.');
    }
    const file = resolve(given);
    const databaseDir = config.db.dir;
    return refusalsAsLines(io, async () => {
      // Opening a data directory without a database would create an empty one, and back that up.
      if (!resources.shared && !existsSync(join(databaseDir, 'PG_VERSION'))) {
        throw new BackupRefused(`There is no embedded database in ${databaseDir}: nothing to back up.`);
      }
      const { database } = await resources.core();
      if (!database.pglite) throw new Error('the embedded database has no PGlite instance');
      const { manifest, pausedMs, totalMs } = await writeBackup({
        db: database.db,
        pglite: database.pglite,
        databaseDir,
        file,
      });
      const rows = Object.values(manifest.database.tables).reduce((sum, n) => sum + n, 0);
      io.out(
        `Backup written: ${file} (${megabytes(HEADER_BYTES + manifest.payload.bytes)}; database ${megabytes(manifest.payload.unpackedBytes)}, ` +
          `${Object.keys(manifest.database.tables).length} tables, ${rows} rows; installation ${manifest.database.installationId}, ` +
          `migration ${manifest.database.migration.latest}), as of ${manifest.createdAt}. ` +
          `Database work paused ${Math.round(pausedMs)} ms; ${(totalMs / 1000).toFixed(1)} s in all.`,
      );
      return 0;
    });
  },
};

export const restoreCommand: Command = {
  ...restoreUsage,
  async run(input) {
    const { config, io, resources, values } = input;
    const given = oneFile(input);
    if (config.db.kind === 'postgres') {
      io.err(PG_DUMP_LINE);
      return 2;
    }
    const file = resolve(given);
    const dataDir = resolve(stringOption(values, 'data-dir') ?? config.dataDir);
    // The CLI never hands restore to a service (bin/cli.ts); a service running on the target says so first.
    if (resources.shared || runningService(dataDir)) {
      io.err(
        `Error: a Jobbrücke service is running on ${dataDir}. Stop it and move its data aside first, or restore ` +
          'into another, empty directory: jobbruecke restore FILE --data-dir DIR.',
      );
      return 1;
    }
    return refusalsAsLines(io, async () => {
      const existed = await refuseNonEmptyTarget(dataDir);
      const manifest = await inspectBackup(file);
      // Taken for the whole restore, so no service starts on the directory half way; it creates the directory.
      const unlock = lockEmbeddedDatabase(dataDir);
      let restored: Awaited<ReturnType<typeof restoreBackup>>;
      try {
        await refuseNonEmptyTarget(dataDir, [LOCK_FILE]);
        restored = await restoreBackup({
          file,
          manifest,
          dataDir,
          newInstallation: values['new-installation'] === true,
        });
      } catch (err) {
        unlock();
        // Nothing written: a directory this command created goes again (rmdir: only while it is empty).
        if (!existed) await rmdir(dataDir).catch(() => {});
        throw err;
      }
      unlock();
      const { database } = manifest;
      io.out(
        `Restored ${file} (installation ${database.installationId}, migration ${database.migration.latest}, ` +
          `taken ${manifest.createdAt}) into ${join(dataDir, DATABASE_DIR_NAME)}; every table's rows checked.`,
      );
      if (restored.installation) {
        io.out(
          `New installation id ${restored.installation.current} (was ${restored.installation.previous}): its queues ` +
            `in Redis use the prefix jobbruecke:${restored.installation.current} unless QUEUE_PREFIX is set.`,
        );
      }
      io.out(
        'The search index and the matcher are rebuilt from the database at the first "jobbruecke start"' +
          (config.search.kind === 'meilisearch'
            ? '; with Meilisearch run "jobbruecke reindex" once the service runs.'
            : '.'),
      );
      return 0;
    });
  },
};
