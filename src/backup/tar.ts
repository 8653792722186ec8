/**
 * The payload of a backup: a plain ustar archive of the database directory (gzipped by the caller), so an operator
 * can also unpack it with `tar` alone (docs/backup.md). Only what a PostgreSQL data directory holds is written and
 * accepted: regular files and directories. Reading refuses anything else, and every name that would leave the
 * target directory, since a backup file is input from outside like any other.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';

const BLOCK = 512;
const END = Buffer.alloc(2 * BLOCK);
/** ustar stores the size in 11 octal digits: 8 GiB. PostgreSQL splits relations into 1 GiB segment files. */
const MAX_FILE_BYTES = 8 ** 11 - 1;

/** The archive could not be read: damaged, or not written by `tarDirectory`. */
export class ArchiveInvalid extends Error {}

/** A directory's entries, directories before their contents, names sorted so the same tree packs the same way. */
async function* walk(root: string, relative = ''): AsyncGenerator<{ name: string; dir: boolean }> {
  const entries = await readdir(join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const name = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      yield { name, dir: true };
      yield* walk(root, name);
    } else if (entry.isFile()) {
      yield { name, dir: false };
    } else {
      throw new Error(`${join(root, name)} is neither a file nor a directory; a database directory holds no others`);
    }
  }
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** ustar keeps names up to 100 bytes, or 255 split at a slash into prefix and name. */
function splitName(name: string): { prefix: string; base: string } {
  if (Buffer.byteLength(name) <= 100) return { prefix: '', base: name };
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const base = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(base) <= 100) return { prefix, base };
  }
  throw new Error(`name too long for the archive: ${name}`);
}

function header(name: string, { dir, size, mtime }: { dir: boolean; size: number; mtime: Date }): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { prefix, base } = splitName(dir ? `${name}/` : name);
  block.write(base, 0, 100, 'utf8');
  block.write(octal(dir ? 0o700 : 0o600, 8), 100, 'ascii');
  block.write(octal(0, 8), 108, 'ascii');
  block.write(octal(0, 8), 116, 'ascii');
  block.write(octal(dir ? 0 : size, 12), 124, 'ascii');
  block.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  block.write(' '.repeat(8), 148, 'ascii');
  block.write(dir ? '5' : '0', 156, 'ascii');
  block.write('ustar\0', 257, 'ascii');
  block.write('00', 263, 'ascii');
  block.write(prefix, 345, 155, 'utf8');
  block.write(octal(checksum(block), 7), 148, 'ascii');
  return block;
}

function checksum(block: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : (block[i] as number);
  return sum;
}

const padding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

/**
 * The archive of `root`'s contents, as chunks; `totals` counts the files and their bytes. The tree must not change
 * while it is read (the caller packs a copy taken at the consistent point): a file whose length changed is an error,
 * not a silently different archive.
 */
export async function* tarDirectory(
  root: string,
  totals: { files: number; bytes: number } = { files: 0, bytes: 0 },
): AsyncGenerator<Buffer> {
  for await (const { name, dir } of walk(root)) {
    const path = join(root, name);
    const info = await stat(path);
    if (info.size > MAX_FILE_BYTES) throw new Error(`${path} is larger than an archive entry may be`);
    yield header(name, { dir, size: info.size, mtime: info.mtime });
    if (dir) continue;
    let read = 0;
    for await (const chunk of createReadStream(path)) {
      read += (chunk as Buffer).length;
      if (read > info.size) break;
      yield chunk as Buffer;
    }
    if (read !== info.size) throw new Error(`${path} changed while it was archived`);
    totals.files += 1;
    totals.bytes += info.size;
    yield padding(info.size);
  }
  yield END;
}

/** Reads exact byte counts from a stream of chunks. */
class ChunkReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private readonly source: AsyncIterator<Buffer>;

  constructor(source: AsyncIterable<Buffer>) {
    this.source = source[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes (at least one) of what is buffered or arrives next; an empty buffer at the end. */
  async some(max: number): Promise<Buffer> {
    if (this.length === 0) {
      const next = await this.source.next();
      if (next.done) return Buffer.alloc(0);
      this.buffered.push(next.value);
      this.length += next.value.length;
    }
    const first = this.buffered[0] as Buffer;
    if (first.length <= max) {
      this.buffered.shift();
      this.length -= first.length;
      return first;
    }
    this.buffered[0] = first.subarray(max);
    this.length -= max;
    return first.subarray(0, max);
  }

  async exactly(count: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    let missing = count;
    while (missing > 0) {
      const part = await this.some(missing);
      if (part.length === 0) throw new ArchiveInvalid('the archive ends in the middle of an entry');
      parts.push(part);
      missing -= part.length;
    }
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }
}

function field(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end < 0 ? length : end).toString('utf8');
}

function number(block: Buffer, start: number, length: number, what: string): number {
  const text = field(block, start, length).trim();
  if (!/^[0-7]+$/.test(text)) throw new ArchiveInvalid(`an archive entry has no valid ${what}`);
  return Number.parseInt(text, 8);
}

/** A name inside the target: relative, and without a part that climbs out of it. */
function safeName(name: string): string {
  const trimmed = name.replace(/\/+$/, '');
  const parts = trimmed.split('/');
  if (
    trimmed === '' ||
    trimmed.startsWith('/') ||
    trimmed.includes('\\') ||
    trimmed.includes('\0') ||
    parts.some((p) => p === '' || p === '.' || p === '..')
  ) {
    throw new ArchiveInvalid(`the archive names a path outside its directory: ${JSON.stringify(name)}`);
  }
  return parts.join(sep);
}

/**
 * Unpacks an archive written by `tarDirectory` into `target` (an empty directory). Files are created exclusively,
 * so an archive cannot write one path twice. Returns what it wrote.
 */
export async function untarInto(
  source: AsyncIterable<Buffer>,
  target: string,
): Promise<{ files: number; bytes: number }> {
  const reader = new ChunkReader(source);
  let files = 0;
  let bytes = 0;
  for (;;) {
    const block = await reader.exactly(BLOCK);
    if (block.every((b) => b === 0)) {
      // Read to the end, so whoever checks the stream sees all of it; only zeros may follow the end marker.
      for (let rest = await reader.some(1 << 20); rest.length > 0; rest = await reader.some(1 << 20)) {
        if (!rest.every((b) => b === 0)) throw new ArchiveInvalid('the archive has data after its end');
      }
      return { files, bytes };
    }
    if (field(block, 257, 6) !== 'ustar') throw new ArchiveInvalid('an archive entry is not in ustar format');
    if (number(block, 148, 8, 'checksum') !== checksum(block)) {
      throw new ArchiveInvalid('an archive entry header fails its checksum');
    }
    const prefix = field(block, 345, 155);
    const name = safeName(prefix ? `${prefix}/${field(block, 0, 100)}` : field(block, 0, 100));
    const type = String.fromCharCode(block[156] as number);
    const size = number(block, 124, 12, 'size');
    const path = join(target, name);
    if (type === '5') {
      await mkdir(path, { recursive: true, mode: 0o700 });
      continue;
    }
    if (type !== '0' && type !== '\0') {
      throw new ArchiveInvalid(`the archive holds an entry of type ${JSON.stringify(type)} (${name}), not a file`);
    }
    const file = await open(path, 'wx', 0o600);
    try {
      let missing = size;
      while (missing > 0) {
        const part = await reader.some(Math.min(missing, 1 << 20));
        if (part.length === 0) throw new ArchiveInvalid('the archive ends in the middle of a file');
        await file.write(part);
        missing -= part.length;
      }
    } finally {
      await file.close();
    }
    await reader.exactly(padding(size).length);
    files += 1;
    bytes += size;
  }
}
