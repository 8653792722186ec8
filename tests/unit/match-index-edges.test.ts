/**
 * The corners of the candidate indexes, each against brute force: the commute limit exactly, several places, ties,
 * repeated options and skills, the poles and the date line, and many updates in place (rows moved in the vacancy
 * columns, lists per profile group in the customer index).
 */
import { describe, expect, it } from 'vitest';
import { bitCount } from '../../matchers/engine/columns.ts';
import { buildCustomerIndex, rankCustomersForVacancy } from '../../matchers/engine/customer-index.ts';
import type { RankOptions, RankOutput } from '../../matchers/engine/rank.ts';
import type { MatchVacancy } from '../../matchers/engine/types.ts';
import { buildVacancyIndex, rankVacanciesForCustomer, VacancyIndex } from '../../matchers/engine/vacancy-index.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';
import { distanceKm } from '../../src/geo/plz.ts';
import { bruteForceCustomersForVacancy, bruteForceVacanciesForCustomer } from '../helpers/match-brute-force.ts';
import {
  anyPlace,
  fixedProfile,
  fixedVacancy,
  pick,
  prng,
  syntheticProfile,
  syntheticVacancy,
} from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const view = (out: RankOutput) => out.results.map((r) => `${r.customerId}/${r.vacancyId}:${r.score}`);

function expectSameForCustomer(vacancies: MatchVacancy[], profile: MatchProfile, opts: RankOptions = { now }) {
  const narrowed = rankVacanciesForCustomer(buildVacancyIndex(vacancies), profile, opts);
  expect(view(narrowed)).toEqual(view(bruteForceVacanciesForCustomer(vacancies, profile, opts)));
  return narrowed.results.map((r) => r.vacancyId);
}

/** Moves a point `km` kilometres due east along its parallel (for short hops; the test measures the result). */
function east(point: { lat: number; lon: number }, km: number) {
  return { lat: point.lat, lon: point.lon + km / (111.195 * Math.cos((point.lat * Math.PI) / 180)) };
}

describe('vacancy index corners', () => {
  const home = fixedProfile();

  it('a vacancy exactly at the commute limit is in, a metre beyond it is out, on the grid and in a scan', () => {
    const at = east(home, 40);
    const limit = distanceKm(home, at);
    const beyond = { lat: at.lat, lon: at.lon + 0.00002 };
    expect(distanceKm(home, beyond)).toBeGreaterThan(limit);
    const vacancies = [fixedVacancy({ id: 'at', ...at }), fixedVacancy({ id: 'beyond', ...beyond })];
    expect(expectSameForCustomer(vacancies, { ...home, maxCommuteKm: limit })).toEqual(['at']);
    // The same limit with a long commute (scan instead of the grid): 300 km exactly.
    const far = east(home, 300);
    const farLimit = distanceKm(home, far);
    const farOnes = [fixedVacancy({ id: 'far', ...far }), fixedVacancy({ id: 'farther', ...east(home, 300.01) })];
    expect(expectSameForCustomer(farOnes, { ...home, maxCommuteKm: farLimit })).toEqual(['far']);
  });

  it('a vacancy with several places counts its nearest one, found once', () => {
    const berlin = { lat: 52.52, lon: 13.405 };
    const near = east(home, 3);
    const several = fixedVacancy({ id: 'several', ...berlin, places: [berlin, near, east(home, 4)] });
    const vacancies = [several, fixedVacancy({ id: 'berlin', ...berlin })];
    for (const maxCommuteKm of [10, 30, 700]) {
      const profile = { ...home, maxCommuteKm };
      const ids = expectSameForCustomer(vacancies, profile);
      expect(ids).toEqual(maxCommuteKm < 600 ? ['several'] : ['several', 'berlin']);
    }
  });

  it('ties order by id, also where the limit cuts through them', () => {
    const vacancies = Array.from({ length: 30 }, (_, i) => fixedVacancy({ id: `t${String(29 - i).padStart(2, '0')}` }));
    for (const limit of [1, 5, 20, 40]) {
      for (const maxCommuteKm of [30, 500]) {
        const ids = expectSameForCustomer(vacancies, { ...home, maxCommuteKm }, { now, limit });
        expect(ids).toEqual(Array.from({ length: Math.min(limit, 30) }, (_, i) => `t${String(i).padStart(2, '0')}`));
      }
    }
  });

  it('repeated working-time options, repeated and case-variant skills and many skills score as brute force', () => {
    const manySkills = Array.from({ length: 90 }, (_, i) => `Fertigkeit ${i}`);
    const vacancies = [
      fixedVacancy({ id: 'a', workingTimes: ['vollzeit', 'vollzeit', 'schicht_nacht_wochenende'] }),
      fixedVacancy({ id: 'b', skills: ['HACCP', 'haccp', ' Haccp ', 'Großküche'] }),
      fixedVacancy({ id: 'c', skills: manySkills }),
      fixedVacancy({
        id: 'd',
        employerPreferences: {
          skills: ['HACCP', 'haccp', 'Kalkulation'],
          licences: ['B'],
          languages: [],
          minRequirementLevel: 2,
        },
      }),
      fixedVacancy({
        id: 'e',
        employerPreferences: { skills: manySkills, licences: [], languages: [], minRequirementLevel: 4 },
      }),
      fixedVacancy({ id: 'f', licences: ['B'], languages: [{ language: 'de', level: 'B1' }] }),
    ];
    const profile = { ...home, skills: ['haccp', 'Fertigkeit 3', 'Fertigkeit 70'] };
    for (const maxCommuteKm of [30, 500]) {
      expect(expectSameForCustomer(vacancies, { ...profile, maxCommuteKm })).toHaveLength(6);
    }
  });

  it('customers near a pole or the date line get the brute-force list', () => {
    const rng = prng(3);
    const places = [
      { lat: 84.9, lon: 10 },
      { lat: -84.9, lon: -120 },
      { lat: 10, lon: 179.95 },
      { lat: -20, lon: -179.95 },
    ];
    const wrap = (lon: number) => (lon >= 180 ? lon - 360 : lon < -180 ? lon + 360 : lon);
    // Enough vacancies of one code that the index uses its grid for short radii, spread across the date line.
    const vacancies = Array.from({ length: 6000 }, (_, i) => {
      const place = pick(rng, places);
      return fixedVacancy({
        id: `p${i}`,
        lat: place.lat + (rng() - 0.5) * 0.6,
        lon: wrap(place.lon + (rng() - 0.5) * 0.6),
      });
    });
    let found = 0;
    for (const place of places) {
      for (const maxCommuteKm of [10, 20, 60, 150]) {
        found += expectSameForCustomer(vacancies, { ...home, ...place, maxCommuteKm }, { now, limit: 500 }).length;
      }
    }
    expect(found).toBeGreaterThan(5000);
  });

  it('many upserts, moves and removals leave the index equal to one built afresh', () => {
    const rng = prng(21);
    const index = new VacancyIndex();
    const live = new Map<string, MatchVacancy>();
    // Most versions share one code, so that code is large enough for the grid and its rows move often.
    const version = (id: string): MatchVacancy => {
      const vacancy = syntheticVacancy(rng, id, now, { regionShare: 0.95 });
      if (rng() < 0.7) vacancy.kldbCode = '29302';
      if (rng() < 0.2 && vacancy.lat !== null && vacancy.lon !== null) {
        vacancy.places = [{ lat: vacancy.lat, lon: vacancy.lon }, anyPlace(rng)];
      }
      return vacancy;
    };
    for (let step = 0; step < 16_000; step++) {
      const id = `v${Math.floor(rng() * 5000)}`;
      if (rng() < 0.25) {
        expect(index.remove(id)).toBe(live.delete(id));
        continue;
      }
      const vacancy = version(id);
      index.upsert(vacancy);
      live.set(id, vacancy);
    }
    expect(index.size).toBe(live.size);
    expect(index.codes.reduce((n, c) => n + c.length, 0)).toBe(live.size);
    const vacancies = [...live.values()];
    const profiles = Array.from({ length: 150 }, (_, i) => {
      const profile = syntheticProfile(rng, `k${i}`, { now, profileGroup: 'market' });
      if (i % 3 === 0) return { ...profile, maxCommuteKm: 600 };
      return i % 3 === 1 ? { ...profile, targetKldbCodes: ['29302'], maxCommuteKm: 10 } : profile;
    });
    let nonEmpty = 0;
    for (const profile of profiles) {
      const opts = { now, limit: 30 };
      const narrowed = rankVacanciesForCustomer(index, profile, opts);
      expect(view(narrowed), profile.id).toEqual(view(bruteForceVacanciesForCustomer(vacancies, profile, opts)));
      if (narrowed.results.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(50);
  });
});

describe('customer index corners', () => {
  it('many upserts (group, targets, place changing) and removals rank as brute force', () => {
    const rng = prng(22);
    const index = buildCustomerIndex([]);
    const live = new Map<string, MatchProfile>();
    for (let step = 0; step < 8000; step++) {
      const id = `k${Math.floor(rng() * 2500)}`;
      if (rng() < 0.25) {
        expect(index.remove(id)).toBe(live.delete(id));
        continue;
      }
      const profile = syntheticProfile(rng, id, { now });
      index.upsert(profile);
      live.set(id, profile);
    }
    expect(index.size).toBe(live.size);
    const profiles = [...live.values()];
    let nonEmpty = 0;
    for (let i = 0; i < 300; i++) {
      const vacancy = syntheticVacancy(rng, `v${i}`, now, { regionShare: 0.9 });
      const opts: RankOptions = { now, includeActivation: i % 2 === 0, includeIntegrated: i % 3 === 0, limit: 25 };
      const narrowed = rankCustomersForVacancy(index, vacancy, opts);
      expect(view(narrowed)).toEqual(view(bruteForceCustomersForVacancy(profiles, vacancy, opts)));
      if (narrowed.results.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });
});

describe('bit masks', () => {
  it('bitCount counts the set bits of any 32-bit mask', () => {
    const rng = prng(5);
    for (let i = 0; i < 2000; i++) {
      const mask = Math.floor(rng() * 2 ** 32) | (i % 2 === 0 ? 1 << 31 : 0);
      let naive = 0;
      for (let b = 0; b < 32; b++) if ((mask >>> b) & 1) naive++;
      expect(bitCount(mask)).toBe(naive);
    }
    expect(bitCount(0)).toBe(0);
    expect(bitCount(-1)).toBe(32);
  });
});
