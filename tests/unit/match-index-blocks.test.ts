/**
 * The vacancy index's blocks (matchers/engine/vacancy-columns.ts): a scan skips blocks of rows by their summary (a
 * ball around their places, their newest publication date), after a seeding from the rows near home. Rows written
 * after the last spatial ordering only widen their block's summary; lists must stay exactly the brute-force ones
 * through all of it, for long commutes (scans) and short ones, in codes large enough to be seeded.
 */
import { describe, expect, it } from 'vitest';
import type { RankOutput } from '../../matchers/engine/rank.ts';
import type { MatchVacancy } from '../../matchers/engine/types.ts';
import { CodeColumns, type Row } from '../../matchers/engine/vacancy-columns.ts';
import { buildVacancyIndex, rankVacanciesForCustomer } from '../../matchers/engine/vacancy-index.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';
import { bruteForceVacanciesForCustomer } from '../helpers/match-brute-force.ts';
import { anyPlace, prng, syntheticProfile, syntheticVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const view = (out: RankOutput) => out.results.map((r) => `${r.vacancyId}:${r.score}`);
const CODE = '51311';

describe('vacancy columns', () => {
  it('hold every value of a row appended, moved into a gap and put in another order', () => {
    const columns = new CodeColumns(CODE, 0);
    const names = Object.keys(columns.columns) as Array<keyof Row>;
    // Distinct values per row and column that every column type holds exactly.
    const row = (n: number) => Object.fromEntries(names.map((name, i) => [name, (n * 7 + i) % 200])) as Row;
    for (let n = 0; n < 300; n++) columns.append(row(n));
    const valuesAt = (at: number) => Object.fromEntries(names.map((name) => [name, columns.columns[name][at]]));
    expect(valuesAt(123)).toEqual(row(123));
    columns.removeAt(10);
    expect(valuesAt(10)).toEqual(row(299));
    const order = Uint32Array.from({ length: columns.length }, (_, i) => columns.length - 1 - i);
    columns.reorder(order);
    expect(valuesAt(0)).toEqual(row(298));
    expect(valuesAt(columns.length - 1 - 10)).toEqual(row(299));
  });
});

describe('vacancy index blocks', () => {
  const rng = prng(31);
  /** Two in three in one code, so that code has far more rows than a seeding needs. */
  const version = (id: string): MatchVacancy => {
    const vacancy = syntheticVacancy(rng, id, now, { regionShare: 0.5 });
    if (rng() < 0.66) vacancy.kldbCode = CODE;
    if (rng() < 0.05 && vacancy.lat !== null && vacancy.lon !== null) {
      vacancy.places = [{ lat: vacancy.lat, lon: vacancy.lon }, anyPlace(rng)];
    }
    return vacancy;
  };
  const live = new Map<string, MatchVacancy>();
  for (let i = 0; i < 16_000; i++) live.set(`v${i}`, version(`v${i}`));
  const index = buildVacancyIndex(live.values());

  const customers: MatchProfile[] = Array.from({ length: 90 }, (_, i) => {
    const profile = syntheticProfile(rng, `k${i}`, { now, profileGroup: 'market' });
    const maxCommuteKm = [10, 30, 60, 150, 250, 500, 800, 1200, 2000][i % 9] as number;
    return { ...profile, targetKldbCodes: i % 2 === 0 ? [CODE] : profile.targetKldbCodes, maxCommuteKm };
  });
  const expectAllSame = (limit: number) => {
    const vacancies = [...live.values()];
    let nonEmpty = 0;
    for (const profile of customers) {
      const opts = { now, limit };
      const narrowed = rankVacanciesForCustomer(index, profile, opts);
      expect(view(narrowed), `${profile.id} (${profile.maxCommuteKm} km)`).toEqual(
        view(bruteForceVacanciesForCustomer(vacancies, profile, opts)),
      );
      if (narrowed.results.length === limit) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(60);
  };

  // Each check ranks 90 customers twice, narrowed and by brute force over 20,000 vacancies: seconds, not a unit's 5.
  it('in spatial order after a build', { timeout: 120_000 }, () => {
    expect(index.codes.find((c) => c.code === CODE)?.length).toBeGreaterThan(8_000);
    expectAllSame(20);
    expectAllSame(3);
  });

  it('after moves, removals and additions that widen blocks without a new ordering, and after one', {
    timeout: 240_000,
  }, () => {
    for (let round = 0; round < 4; round++) {
      // Fewer changes than a reordering waits for: every block summary is widened in place.
      for (let step = 0; step < 1_500; step++) {
        const id = `v${Math.floor(rng() * 20_000)}`;
        if (rng() < 0.3) {
          expect(index.remove(id)).toBe(live.delete(id));
          continue;
        }
        const vacancy = version(id);
        // Many land far from where the rows around them are: the blocks they move into must cover them.
        if (rng() < 0.5 && !vacancy.remote && !vacancy.places) {
          const place = anyPlace(rng);
          vacancy.lat = place.lat;
          vacancy.lon = place.lon;
        }
        index.upsert(vacancy);
        live.set(id, vacancy);
      }
      expectAllSame(20);
    }
  });
});
