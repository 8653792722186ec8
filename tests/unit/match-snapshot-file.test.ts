/**
 * The matcher's vacancy snapshot file (matchers/service/vacancy-snapshot.ts): what is written is read back as the
 * same records, and a file that is damaged, cut, foreign or made under other rules is refused with a reason.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MatchVacancy } from '../../matchers/engine/types.ts';
import { readVacancySnapshot, writeVacancySnapshot } from '../../matchers/service/vacancy-snapshot.ts';
import { prng, syntheticVacancy } from '../helpers/match-synthetic.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const META = {
  position: 4711,
  positionRow: { id: 4709, aggregateId: '6f1c0a52-1d7e-4a57-9a43-5a1b2c3d4e5f', createdAt: NOW.getTime() },
  installation: 'a1b2c3d4e5f6',
  writtenAt: NOW.toISOString(),
};

/** Every field in every form it takes: several places, preferences, start dates, no end, remote without a place. */
function records(count: number): MatchVacancy[] {
  const rng = prng(5);
  return Array.from({ length: count }, (_, i) => {
    const v = syntheticVacancy(rng, `v${i}`, NOW);
    if (i % 7 === 0 && v.lat !== null && v.lon !== null) {
      return {
        ...v,
        places: [
          { lat: v.lat, lon: v.lon },
          { lat: 52.52, lon: 13.405 },
        ],
      };
    }
    if (i % 11 === 0) {
      return {
        ...v,
        employerPreferences: {
          skills: ['Gabelstapler'],
          licences: ['B'],
          languages: [{ language: 'en', level: 'B1' }],
          minRequirementLevel: 2,
        },
      };
    }
    return v;
  });
}

describe('matcher vacancy snapshot file', () => {
  let dir: string;
  let file: string;
  const vacancies = records(6_789);
  const unmatchable = ['0b7f7c1e-8a53-4b8e-9d0a-1f2e3d4c5b6a', '1c8f8d2f-9b64-4c9f-8e1b-2a3f4e5d6c7b'];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'match-snapshot-'));
    file = join(dir, 'match-vacancies.snapshot');
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads back exactly what was written, in several chunks', async () => {
    expect(vacancies.some((v) => v.places?.length === 2)).toBe(true);
    expect(vacancies.some((v) => v.remote && v.lat === null)).toBe(true);
    expect(vacancies.some((v) => v.startDate !== null && v.validThrough === null)).toBe(true);
    const bytes = await writeVacancySnapshot(file, { vacancies, unmatchable }, META);
    const read = await readVacancySnapshot(file);
    if (!read.ok) throw new Error(read.problem);
    expect(read.bytes).toBe(bytes);
    expect(read.meta).toEqual({ ...META, vacancies: 6_789, unmatchable: 2 });
    expect(read.state.unmatchable).toEqual(unmatchable);
    // toStrictEqual: an absent `places` stays absent instead of coming back as null or undefined.
    expect(read.state.vacancies).toStrictEqual(vacancies);
  });

  it('writes and reads an empty matcher', async () => {
    const empty = join(dir, 'empty.snapshot');
    await writeVacancySnapshot(empty, { vacancies: [], unmatchable: [] }, { ...META, positionRow: null });
    const read = await readVacancySnapshot(empty);
    expect(read.ok && read.state).toEqual({ vacancies: [], unmatchable: [] });
  });

  it('refuses a missing, damaged, cut or foreign file, or one made under other rules', async () => {
    await writeVacancySnapshot(file, { vacancies: vacancies.slice(0, 500), unmatchable }, META);
    const good = await readFile(file);
    const problemOf = async (bytes: Buffer) => {
      await writeFile(file, bytes);
      const read = await readVacancySnapshot(file);
      return read.ok ? 'accepted' : read.problem;
    };

    expect(await readVacancySnapshot(join(dir, 'none'))).toEqual({ ok: false, problem: 'no snapshot' });
    const flipped = Buffer.from(good);
    flipped[1000] = (flipped[1000] as number) ^ 0x01;
    expect(await problemOf(flipped)).toBe('checksum mismatch');
    expect(await problemOf(good.subarray(0, good.length - 40))).toBe('truncated');
    expect(await problemOf(good.subarray(0, good.indexOf(0x0a) + 1))).toBe('not a snapshot of this format');
    expect(await problemOf(Buffer.from('{"search":"index"}\n'))).toBe('not a snapshot of this format');
    expect(await problemOf(Buffer.alloc(0))).toBe('truncated');

    const footerAt = good.lastIndexOf(0x0a, good.length - 2) + 1;
    const footer = JSON.parse(good.toString('utf8', footerAt));
    const withFooter = (changed: object) =>
      Buffer.concat([good.subarray(0, footerAt), Buffer.from(`${JSON.stringify({ ...footer, ...changed })}\n`)]);
    expect(await problemOf(withFooter({ rules: footer.rules + 1 }))).toBe('made under other record rules');
    expect(await problemOf(withFooter({ format: 2 }))).toBe('not a snapshot of this format');
    expect(await problemOf(withFooter({ meta: { ...footer.meta, vacancies: 499 } }))).toBe(
      'record count differs from the footer',
    );
    expect(await problemOf(good)).toBe('accepted');
  });
});
