/**
 * A backup file: a fixed-size header, then the payload (a gzipped ustar archive of the database directory).
 *
 * The header is one line naming the format, then the manifest as JSON, padded with spaces to `HEADER_BYTES`, so
 * `head -c 8192 FILE` shows what a file holds and `tail -c +8193 FILE | tar -xz` unpacks it without Jobbrücke. The
 * manifest records what `restore` checks before it writes anything (format, length and SHA-256 of the payload, the
 * migration level) and after it opened the restored database (installation id, rows per table, sequences).
 */
import { z } from 'zod';

export const BACKUP_MAGIC = 'jobbruecke-backup';
/** Raised whenever the layout changes; `restore` refuses formats it does not know. */
export const BACKUP_FORMAT = 1;
export const HEADER_BYTES = 8192;

/** The database as the backup holds it, read at the consistent point (src/backup/database-state.ts). */
export const DatabaseState = z.object({
  installationId: z.string(),
  /** Tag of the newest migration applied (src/db/migrations), and how many are applied. */
  migration: z.object({ latest: z.string(), applied: z.number().int().nonnegative() }),
  /** Rows per table, `schema.table`: the application's, BullMQ's queues (embedded backend) and the migration log. */
  tables: z.record(z.string(), z.number().int().nonnegative()),
  /** Last value of every sequence, `schema.sequence`; null when never drawn. */
  sequences: z.record(z.string(), z.string().nullable()),
  /** Id of the newest outbox row: where every follower (search index, matcher) stands once caught up. */
  outboxHead: z.number().int().nonnegative(),
});
export type DatabaseState = z.infer<typeof DatabaseState>;

export const BackupManifest = z.object({
  format: z.literal(BACKUP_FORMAT),
  kind: z.literal('pglite-data-directory'),
  createdAt: z.string().datetime(),
  /** PostgreSQL major version of the data directory (its PG_VERSION file). */
  postgresMajor: z.string(),
  database: DatabaseState,
  payload: z.object({
    /** Length and SHA-256 (hex) of everything after the header. */
    bytes: z.number().int().nonnegative(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    files: z.number().int().nonnegative(),
    /** Size of the unpacked database directory. */
    unpackedBytes: z.number().int().nonnegative(),
  }),
});
export type BackupManifest = z.infer<typeof BackupManifest>;

const FIRST_LINE = /^jobbruecke-backup (\d+)\n/;

export function encodeHeader(manifest: BackupManifest): Buffer {
  const text = `${BACKUP_MAGIC} ${manifest.format}\n${JSON.stringify(manifest)}\n`;
  const length = Buffer.byteLength(text);
  // The tables are listed by name; a schema with hundreds of tables more would need a larger header.
  if (length > HEADER_BYTES - 1) throw new Error(`backup manifest too long (${length} bytes)`);
  const header = Buffer.alloc(HEADER_BYTES, ' ');
  header.write(text, 0, 'utf8');
  header.write('\n', HEADER_BYTES - 1, 'ascii');
  return header;
}

export type DecodedHeader = { ok: true; manifest: BackupManifest } | { ok: false; problem: string };

/** The manifest of a file's first `HEADER_BYTES`, or why the file is not a backup this version can restore. */
export function decodeHeader(header: Buffer): DecodedHeader {
  const start = header.subarray(0, 64).toString('latin1');
  const first = FIRST_LINE.exec(start);
  if (!first) return { ok: false, problem: 'is not a Jobbrücke backup' };
  const format = Number(first[1]);
  if (format !== BACKUP_FORMAT) {
    return {
      ok: false,
      problem: `has backup format ${format}; this version of Jobbrücke reads format ${BACKUP_FORMAT} (restore it with the version that wrote it)`,
    };
  }
  if (header.length < HEADER_BYTES) return { ok: false, problem: 'is truncated: its header is incomplete' };
  const text = header.subarray(first[0].length, HEADER_BYTES).toString('utf8');
  const newline = text.indexOf('\n');
  let parsed: unknown;
  try {
    parsed = JSON.parse(newline < 0 ? text : text.slice(0, newline));
  } catch {
    return { ok: false, problem: 'is damaged: its header is unreadable' };
  }
  const manifest = BackupManifest.safeParse(parsed);
  if (!manifest.success) return { ok: false, problem: 'is damaged: its header is incomplete' };
  return { ok: true, manifest: manifest.data };
}
