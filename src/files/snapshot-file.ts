/**
 * The file handling both index snapshots share (the embedded search index's, `src/search/snapshot.ts`; the matcher's
 * vacancies, `matchers/service/vacancy-snapshot.ts`): an atomic, durable write and a read that reports instead of
 * throwing. What goes into the file, and how it is checked, stays with each snapshot.
 */
import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Writes `file` through a temporary file beside it (`<file>.<random>.tmp`), synced, renamed over `file` and the
 * directory synced, so a reader sees the old file or the whole new one, also after a crash. `fill` appends the content;
 * on any failure the temporary file is removed and the error rethrown. Returns the bytes written.
 */
export async function writeFileAtomically(
  file: string,
  fill: (append: (data: Uint8Array) => Promise<void>) => Promise<void>,
): Promise<number> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temporary, 'w');
  let written = 0;
  try {
    await fill(async (data) => {
      if (data.byteLength) await handle.write(data);
      written += data.byteLength;
    });
    await handle.sync();
    await handle.close();
    await rename(temporary, file);
  } catch (err) {
    await handle.close().catch(() => {});
    await rm(temporary, { force: true });
    throw err;
  }
  // The rename is durable only once the directory entry is.
  const directory = await open(dirname(file), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
  return written;
}

export type SnapshotFileRead<T> = ({ ok: true; bytes: number } & T) | { ok: false; problem: string };

/**
 * Reads `file` whole and decodes it. Never throws for a missing, unreadable or damaged file: it says what is wrong
 * ('no snapshot', 'unreadable (EACCES)', or the message `decode` threw).
 */
export async function readSnapshotFile<T extends object>(
  file: string,
  decode: (buffer: Buffer) => T,
): Promise<SnapshotFileRead<T>> {
  let buffer: Buffer;
  try {
    buffer = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, problem: code === 'ENOENT' ? 'no snapshot' : `unreadable (${code ?? 'error'})` };
  }
  try {
    return { ok: true, bytes: buffer.byteLength, ...decode(buffer) };
  } catch (err) {
    return { ok: false, problem: (err as Error).message };
  }
}
