/**
 * The matcher's vacancies in one file in the data directory, so a restart reads them in a fraction of a second
 * instead of re-reading and re-checking every open vacancy from the DB (most of a restart before).
 *
 * Only vacancies: customer profiles are personal data, and a copy on disk would outlive an erasure, which must leave
 * nothing outside the database but the audit trail (docs/data-protection.md). They are read from the DB at each start.
 *
 * Layout: lines of JSON. First the ids of the open vacancies the matcher cannot use (they await coding), then the
 * records in chunks of `CHUNK` as arrays of field values, and last the footer: format, the records' rules, the
 * caller's metadata, line count and a CRC-32 over everything before it. The footer comes last so the file is written
 * in one pass, chunk by chunk, without holding all of it in memory.
 *
 * A write goes to a temporary file, is fsynced and renamed over the old one, and the directory is fsynced: a crash
 * leaves the old snapshot or the new one, never half of one. A read checks what it can (footer, rules, lengths,
 * checksum) and reports a problem instead of throwing; the caller then rebuilds from the DB.
 */
import { crc32 } from 'node:zlib';
import { z } from 'zod';
import { readSnapshotFile, type SnapshotFileRead, writeFileAtomically } from '../../src/files/snapshot-file.ts';
import { MatchVacancy } from '../engine/types.ts';
import { VACANCY_DERIVATION } from './load.ts';

const MAGIC = 'jobbruecke-match-vacancies';
const FORMAT = 1;
/** Records per line: small enough that writing one does not hold up requests, large enough to parse fast. */
const CHUNK = 5_000;
/** A footer longer than this is not ours. */
const MAX_FOOTER_BYTES = 1 << 16;

type Field = keyof MatchVacancy;
const SHAPE = MatchVacancy.shape as Record<Field, z.ZodType>;
const FIELDS = Object.keys(SHAPE) as Field[];
/** Dates travel as epoch milliseconds. (An object schema takes a Date too, but also a plain object.) */
const DATE_FIELDS = new Set(
  FIELDS.filter((f) => SHAPE[f].safeParse(new Date(0)).success && !SHAPE[f].safeParse({}).success),
);
/** Optional fields that take no null: JSON writes their absence as null, which therefore means absent. */
const ABSENT_AS_NULL = new Set(FIELDS.filter((f) => !SHAPE[f].safeParse(null).success));

/**
 * Any change to the record's schema or to how records are derived from the DB makes older snapshots unusable: they
 * would hold vacancies a rebuild would not.
 */
export const RECORD_RULES = crc32(
  JSON.stringify({
    schema: z.toJSONSchema(MatchVacancy, { unrepresentable: 'any' }),
    dates: [...DATE_FIELDS],
    derivation: VACANCY_DERIVATION,
  }),
);

/** Where the snapshot stood relative to the DB it was taken from; checked by the caller (match-start.ts). */
export const VacancySnapshotMeta = z.object({
  /** Id of the last outbox row applied. */
  position: z.number().int().nonnegative(),
  /** The newest vacancy row of the outbox at or below `position`, so a restored or replaced DB is noticed. */
  positionRow: z.object({ id: z.number().int(), aggregateId: z.string(), createdAt: z.number() }).nullable(),
  installation: z.string(),
  vacancies: z.number().int().nonnegative(),
  unmatchable: z.number().int().nonnegative(),
  writtenAt: z.string(),
});
export type VacancySnapshotMeta = z.infer<typeof VacancySnapshotMeta>;

const Footer = z.object({
  magic: z.literal(MAGIC),
  format: z.literal(FORMAT),
  rules: z.number(),
  meta: VacancySnapshotMeta,
  lines: z.number().int().positive(),
  crc: z.number().int(),
});

/** What the matcher holds of its vacancies at one moment. Records are never changed in place, only replaced. */
export interface VacancyState {
  vacancies: readonly MatchVacancy[];
  unmatchable: readonly string[];
}

function encode(vacancy: MatchVacancy): unknown[] {
  return FIELDS.map((field) => {
    const value = vacancy[field];
    return value instanceof Date ? value.getTime() : (value ?? null);
  });
}

function decode(values: unknown): MatchVacancy {
  if (!Array.isArray(values) || values.length !== FIELDS.length) throw new Error('record of another shape');
  const record: Record<string, unknown> = {};
  for (let i = 0; i < FIELDS.length; i++) {
    const field = FIELDS[i] as Field;
    const value = values[i];
    if (value === null && ABSENT_AS_NULL.has(field)) continue;
    record[field] = DATE_FIELDS.has(field) && value !== null ? new Date(value as number) : value;
  }
  return record as MatchVacancy;
}

/**
 * Writes the state atomically to `file`; returns the bytes written. Records are encoded chunk by chunk between the
 * writes, so a large state does not block the process for long.
 */
export async function writeVacancySnapshot(
  file: string,
  state: VacancyState,
  meta: Omit<VacancySnapshotMeta, 'vacancies' | 'unmatchable'>,
): Promise<number> {
  let crc = 0;
  let lines = 0;
  return writeFileAtomically(file, async (append) => {
    const line = async (value: unknown) => {
      const bytes = Buffer.from(`${JSON.stringify(value)}\n`);
      crc = crc32(bytes, crc);
      lines++;
      await append(bytes);
    };
    await line(state.unmatchable);
    for (let i = 0; i < state.vacancies.length; i += CHUNK) {
      await line(state.vacancies.slice(i, i + CHUNK).map(encode));
    }
    const footer = {
      magic: MAGIC,
      format: FORMAT,
      rules: RECORD_RULES,
      meta: { ...meta, vacancies: state.vacancies.length, unmatchable: state.unmatchable.length },
      lines,
      crc,
    };
    await append(Buffer.from(`${JSON.stringify(footer)}\n`));
  });
}

export type VacancySnapshotRead = SnapshotFileRead<{ meta: VacancySnapshotMeta; state: VacancyState }>;

/** Reads and checks a snapshot. Never throws for a missing, damaged or foreign file: it says what is wrong. */
export function readVacancySnapshot(file: string): Promise<VacancySnapshotRead> {
  return readSnapshotFile(file, decodeFile);
}

function decodeFile(buffer: Buffer): { meta: VacancySnapshotMeta; state: VacancyState } {
  if (buffer.byteLength === 0 || buffer[buffer.byteLength - 1] !== 0x0a) throw new Error('truncated');
  const bodyEnd = buffer.lastIndexOf(0x0a, buffer.byteLength - 2) + 1;
  if (buffer.byteLength - bodyEnd > MAX_FOOTER_BYTES) throw new Error('no footer');
  let raw: unknown;
  try {
    raw = JSON.parse(buffer.toString('utf8', bodyEnd, buffer.byteLength));
  } catch {
    throw new Error('footer is not JSON');
  }
  const parsed = Footer.safeParse(raw);
  if (!parsed.success) throw new Error('not a snapshot of this format');
  const footer = parsed.data;
  if (footer.rules !== RECORD_RULES) throw new Error('made under other record rules');
  if (crc32(buffer.subarray(0, bodyEnd)) !== footer.crc) throw new Error('checksum mismatch');

  const lines: unknown[] = [];
  for (let start = 0; start < bodyEnd; ) {
    const end = buffer.indexOf(0x0a, start);
    lines.push(JSON.parse(buffer.toString('utf8', start, end)));
    start = end + 1;
  }
  if (lines.length !== footer.lines) throw new Error('line count differs from the footer');
  const [unmatchable, ...chunks] = lines;
  if (!Array.isArray(unmatchable) || !unmatchable.every((id) => typeof id === 'string')) {
    throw new Error('unmatchable ids are not a list of ids');
  }
  const vacancies: MatchVacancy[] = [];
  for (const chunk of chunks) {
    if (!Array.isArray(chunk)) throw new Error('chunk is not a list');
    for (const values of chunk) vacancies.push(decode(values));
  }
  const { meta } = footer;
  if (vacancies.length !== meta.vacancies || unmatchable.length !== meta.unmatchable) {
    throw new Error('record count differs from the footer');
  }
  return { meta, state: { vacancies, unmatchable } };
}
