/**
 * The oracle at scale: a sample of customers, regional and supra-regional (where the vacancy index scans instead of
 * using its grid and skips rows by their score bound), ranked against 100,000 vacancies, must get exactly the
 * brute-force list. The full 1,000,000 comparison runs in `npm run bench:match` (too slow for the unit suite).
 */
import { describe, expect, it } from 'vitest';
import type { RankOptions, RankOutput } from '../../matchers/engine/rank.ts';
import { type MatchVacancy, proposalKey } from '../../matchers/engine/types.ts';
import { buildVacancyIndex, rankVacanciesForCustomer } from '../../matchers/engine/vacancy-index.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';
import { bruteForceVacanciesForCustomer } from '../helpers/match-brute-force.ts';
import { anyPlace, pick, prng, syntheticProfile, syntheticVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const VACANCIES = 100_000;
/** Brute force over 100,000 vacancies takes a while on a loaded machine; nothing here asserts a time. */
const SLOW = 120_000;

const view = (out: RankOutput) => ({
  results: out.results.map((r) => `${r.vacancyId}:${r.score}:${r.parts.map((p) => p.points).join('/')}`),
  skipped: out.skipped.map((s) => `${s.id}:${s.score}`),
  capNote: out.capNote,
});

describe('customer → vacancies equals brute force on 100,000 vacancies', () => {
  const rng = prng(14);
  const vacancies: MatchVacancy[] = [];
  for (let i = 0; i < VACANCIES; i++) {
    const vacancy = syntheticVacancy(rng, `v${i}`, now, { regionShare: 0.3 });
    // Some vacancies have several places (the nearest counts) and repeated working-time options.
    if (i % 40 === 0 && vacancy.lat !== null && vacancy.lon !== null) {
      const other = anyPlace(rng);
      vacancy.places = [
        { lat: vacancy.lat, lon: vacancy.lon },
        { lat: other.lat, lon: other.lon },
      ];
    }
    if (i % 97 === 0) vacancy.workingTimes = [...vacancy.workingTimes, ...vacancy.workingTimes];
    vacancies.push(vacancy);
  }
  const index = buildVacancyIndex(vacancies);

  const profiles: MatchProfile[] = [];
  for (let i = 0; i < 30; i++) profiles.push(syntheticProfile(rng, `r${i}`, { now, profileGroup: 'market' }));
  for (let i = 0; i < 40; i++) {
    const profile = syntheticProfile(rng, `far${i}`, { now, profileGroup: 'market' });
    profiles.push({ ...profile, maxCommuteKm: pick(rng, [150, 250, 500, 800, 1500]) });
  }
  for (let i = 0; i < 10; i++) {
    const home = anyPlace(rng);
    const profile = syntheticProfile(rng, `out${i}`, { now, profileGroup: 'market' });
    profiles.push({ ...profile, plz: home.plz, lat: home.lat, lon: home.lon, maxCommuteKm: pick(rng, [30, 120, 400]) });
  }

  it(
    'for regional, supra-regional and out-of-region customers',
    () => {
      let nonEmpty = 0;
      for (const profile of profiles) {
        const opts: RankOptions = { now, limit: 20 };
        const narrowed = rankVacanciesForCustomer(index, profile, opts);
        expect(view(narrowed), profile.id).toEqual(view(bruteForceVacanciesForCustomer(vacancies, profile, opts)));
        if (narrowed.results.length === 20) nonEmpty++;
      }
      expect(nonEmpty).toBeGreaterThan(60);
    },
    SLOW,
  );

  it(
    'with other limits, caps and existing proposals',
    () => {
      // The best vacancies of each customer: some at their cap, some already proposed.
      const perVacancy = new Map<string, number>();
      const existing = new Set<string>();
      for (const profile of profiles.slice(0, 40)) {
        const best = rankVacanciesForCustomer(index, profile, { now, limit: 10 }).results;
        best.forEach((r, i) => {
          if (i % 3 === 0) perVacancy.set(r.vacancyId, 5);
          if (i % 4 === 1) existing.add(proposalKey(profile.id, r.vacancyId));
        });
      }
      let skippedSeen = 0;
      for (const [i, profile] of profiles.slice(0, 40).entries()) {
        const opts: RankOptions = {
          now,
          limit: [1, 7, 50][i % 3] as number,
          openProposals: { perVacancy, perCustomer: new Map([[profile.id, i % 5 === 0 ? 2 : 0]]) },
          existingProposals: existing,
        };
        const narrowed = rankVacanciesForCustomer(index, profile, opts);
        expect(view(narrowed), profile.id).toEqual(view(bruteForceVacanciesForCustomer(vacancies, profile, opts)));
        skippedSeen += narrowed.skipped.length;
      }
      expect(skippedSeen).toBeGreaterThan(10);
    },
    SLOW,
  );
});
