/**
 * The embedded index in one file, so a restart loads it in a second instead of re-reading every vacancy from the DB.
 *
 * Layout: one line of JSON (the header: format, analysis rules, the caller's metadata, the list of sections and a
 * CRC-32 over them), then the sections, each padded to 8 bytes: small JSON parts (ids, terms, vocabulary), and raw
 * bytes for the rest (summaries as JSON text with offsets, columns, posting lists), which load without parsing.
 *
 * A write goes to a temporary file, is fsynced and renamed over the old one, and the directory is fsynced: a crash
 * leaves the old snapshot or the new one, never half of one. A read checks everything it can (format, rules,
 * lengths, checksum) and reports a problem instead of throwing; the caller then rebuilds from the DB.
 */
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { readSnapshotFile, type SnapshotFileRead, writeFileAtomically } from '../files/snapshot-file.ts';
import { EMBEDDED_STATE_LAYOUT, type EmbeddedIndexState } from './embedded.ts';
import { ANALYSIS_RULES } from './german.ts';

const MAGIC = 'jobbruecke-search-index';
const FORMAT = 1;
/** Any change to the layout or the analysis makes older snapshots unusable: they would answer differently. */
const RULES = crc32(`${EMBEDDED_STATE_LAYOUT}\n${ANALYSIS_RULES}`);
const ALIGN = 8;
/** A header longer than this is not ours. */
const MAX_HEADER_BYTES = 1 << 20;

/** Where the snapshot stood relative to the DB it was taken from; checked by the caller, opaque here. */
export const SnapshotMeta = z.object({
  /** Id of the last outbox row applied. */
  position: z.number().int().nonnegative(),
  /** The newest vacancy row of the outbox at or below `position`, so a different or restored DB is noticed. */
  positionRow: z.object({ id: z.number().int(), aggregateId: z.string(), createdAt: z.number() }).nullable(),
  database: z.string(),
  documents: z.number().int().nonnegative(),
  writtenAt: z.string(),
});
export type SnapshotMeta = z.infer<typeof SnapshotMeta>;

const SectionType = z.enum(['json', 'u8', 'i32', 'u32', 'f64']);
type SectionType = z.infer<typeof SectionType>;

const Header = z.object({
  magic: z.literal(MAGIC),
  format: z.literal(FORMAT),
  rules: z.number(),
  meta: SnapshotMeta,
  sections: z.array(z.object({ name: z.string(), type: SectionType, bytes: z.number().int().nonnegative() })),
  crc: z.number().int(),
});

type Typed = Uint8Array | Int32Array | Uint32Array | Float64Array;
interface Section {
  name: string;
  type: SectionType;
  data: Uint8Array;
}

const bytesOf = (array: Typed): Uint8Array => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const json = (name: string, value: unknown): Section => ({
  name,
  type: 'json',
  data: Buffer.from(JSON.stringify(value)),
});

function sectionsOf(state: EmbeddedIndexState): Section[] {
  const sections: Section[] = [json('ids', state.ids)];
  const { otherPlaces, ...columns } = state.columns;
  sections.push(
    json('slots', { free: state.freeSlots, removed: state.removedSlots, otherPlaces }),
    json('terms', state.terms),
    json('vocabulary', state.vocabulary),
    { name: 'summaries', type: 'u8', data: bytesOf(state.summaries.json) },
    { name: 'summaryOffsets', type: 'f64', data: bytesOf(state.summaries.offsets) },
    { name: 'alive', type: 'u8', data: bytesOf(columns.alive) },
    { name: 'lat', type: 'f64', data: bytesOf(columns.lat) },
    { name: 'lon', type: 'f64', data: bytesOf(columns.lon) },
    { name: 'publishedAt', type: 'f64', data: bytesOf(columns.publishedAt) },
    { name: 'kldb', type: 'i32', data: bytesOf(columns.kldb) },
    { name: 'workingTimes', type: 'u8', data: bytesOf(columns.workingTimes) },
    { name: 'contractType', type: 'u8', data: bytesOf(columns.contractType) },
    { name: 'offerType', type: 'u8', data: bytesOf(columns.offerType) },
  );
  for (const postings of state.postings) {
    sections.push(
      { name: 'postingLengths', type: 'u32', data: bytesOf(postings.lengths) },
      { name: 'postingSlots', type: 'u32', data: bytesOf(postings.slots) },
    );
  }
  return sections;
}

/**
 * Writes the state atomically to `file`; returns the bytes written. The state must have been taken synchronously
 * (`EmbeddedSearchEngine.toState`), the meta describe that moment.
 */
export async function writeSnapshot(file: string, state: EmbeddedIndexState, meta: SnapshotMeta): Promise<number> {
  const sections = sectionsOf(state);
  let crc = 0;
  for (const section of sections) crc = crc32(section.data, crc);
  const header = {
    magic: MAGIC,
    format: FORMAT,
    rules: RULES,
    meta,
    sections: sections.map(({ name, type, data }) => ({ name, type, bytes: data.byteLength })),
    crc,
  };
  const headerLine = Buffer.from(`${JSON.stringify(header)}\n`);
  return writeFileAtomically(file, async (append) => {
    await append(headerLine);
    await append(new Uint8Array(padding(headerLine.byteLength)));
    for (const { data } of sections) {
      await append(data);
      await append(new Uint8Array(padding(data.byteLength)));
    }
  });
}

const padding = (bytes: number) => (ALIGN - (bytes % ALIGN)) % ALIGN;

export type SnapshotRead = SnapshotFileRead<{ meta: SnapshotMeta; state: EmbeddedIndexState }>;

/** Reads and checks a snapshot. Never throws for a missing, damaged or foreign file: it says what is wrong. */
export function readSnapshot(file: string): Promise<SnapshotRead> {
  return readSnapshotFile(file, decode);
}

function decode(buffer: Buffer): { meta: SnapshotMeta; state: EmbeddedIndexState } {
  const end = buffer.subarray(0, MAX_HEADER_BYTES).indexOf(0x0a);
  if (end < 0) throw new Error('no header');
  let raw: unknown;
  try {
    raw = JSON.parse(buffer.subarray(0, end).toString('utf8'));
  } catch {
    throw new Error('header is not JSON');
  }
  const parsed = Header.safeParse(raw);
  if (!parsed.success) throw new Error('not a snapshot of this format');
  const header = parsed.data;
  if (header.rules !== RULES) throw new Error('made under other analysis rules or layout');

  let offset = end + 1 + padding(end + 1);
  let crc = 0;
  const sections = header.sections.map(({ name, type, bytes }) => {
    if (offset + bytes > buffer.byteLength) throw new Error('truncated');
    // Sections start at multiples of 8 in the file, so views into an aligned buffer suit every typed array;
    // otherwise copy.
    const view = buffer.subarray(offset, offset + bytes);
    const data = buffer.byteOffset % ALIGN === 0 ? view : new Uint8Array(view);
    crc = crc32(data, crc);
    offset += bytes + padding(bytes);
    return { name, type, data };
  });
  if (crc !== header.crc) throw new Error('checksum mismatch');

  const take = (name: string, type: SectionType) => {
    const index = sections.findIndex((s) => s.name === name && s.type === type);
    if (index < 0) throw new Error(`section ${name} missing`);
    return sections.splice(index, 1)[0] as Section;
  };
  const parse = (name: string): unknown => JSON.parse(Buffer.from(take(name, 'json').data).toString('utf8'));
  const typed = <T extends Typed>(
    name: string,
    type: SectionType,
    make: (b: ArrayBuffer, offset: number, length: number) => T,
  ): T => {
    const { data } = take(name, type);
    const size = type === 'u8' ? 1 : type === 'f64' ? 8 : 4;
    if (data.byteLength % size !== 0) throw new Error(`section ${name} cut`);
    return make(data.buffer as ArrayBuffer, data.byteOffset, data.byteLength / size);
  };

  const slots = parse('slots') as { free: number[]; removed: number[]; otherPlaces: Array<[number, number[]]> };
  const state: EmbeddedIndexState = {
    ids: parse('ids') as EmbeddedIndexState['ids'],
    summaries: {
      json: typed('summaries', 'u8', (b, o, n) => new Uint8Array(b, o, n)),
      offsets: typed('summaryOffsets', 'f64', (b, o, n) => new Float64Array(b, o, n)),
    },
    freeSlots: slots.free,
    removedSlots: slots.removed,
    terms: parse('terms') as string[],
    vocabulary: parse('vocabulary') as EmbeddedIndexState['vocabulary'],
    columns: {
      alive: typed('alive', 'u8', (b, o, n) => new Uint8Array(b, o, n)),
      lat: typed('lat', 'f64', (b, o, n) => new Float64Array(b, o, n)),
      lon: typed('lon', 'f64', (b, o, n) => new Float64Array(b, o, n)),
      publishedAt: typed('publishedAt', 'f64', (b, o, n) => new Float64Array(b, o, n)),
      kldb: typed('kldb', 'i32', (b, o, n) => new Int32Array(b, o, n)),
      workingTimes: typed('workingTimes', 'u8', (b, o, n) => new Uint8Array(b, o, n)),
      contractType: typed('contractType', 'u8', (b, o, n) => new Uint8Array(b, o, n)),
      offerType: typed('offerType', 'u8', (b, o, n) => new Uint8Array(b, o, n)),
      otherPlaces: slots.otherPlaces,
    },
    postings: [],
  };
  while (sections.some((s) => s.name === 'postingLengths')) {
    state.postings.push({
      lengths: typed('postingLengths', 'u32', (b, o, n) => new Uint32Array(b, o, n)),
      slots: typed('postingSlots', 'u32', (b, o, n) => new Uint32Array(b, o, n)),
    });
  }
  if (sections.length) throw new Error(`unknown section ${sections[0]?.name}`);
  if (state.ids.length !== header.meta.documents + state.freeSlots.length + state.removedSlots.length)
    throw new Error('document count differs from the header');
  return { meta: header.meta, state };
}
