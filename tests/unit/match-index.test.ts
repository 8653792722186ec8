import { describe, expect, it } from 'vitest';
import { buildCustomerIndex, rankCustomersForVacancy, whyNotCustomer } from '../../matchers/engine/customer-index.ts';
import type { MatchResult } from '../../matchers/engine/types.ts';
import { buildVacancyIndex, rankVacanciesForCustomer } from '../../matchers/engine/vacancy-index.ts';
import { bruteForceCustomersForVacancy, bruteForceVacanciesForCustomer } from '../helpers/match-brute-force.ts';
import { fixedProfile, fixedVacancy, prng, syntheticProfile, syntheticVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const ids = (results: MatchResult[], key: 'customerId' | 'vacancyId') => results.map((r) => `${r[key]}:${r.score}`);

describe('narrowed ranking equals brute force', () => {
  const rng = prng(7);
  const profiles = Array.from({ length: 3000 }, (_, i) => syntheticProfile(rng, `k${i}`, { now }));
  const vacancies = Array.from({ length: 6000 }, (_, i) => syntheticVacancy(rng, `v${i}`, now, { regionShare: 0.6 }));
  const customerIndex = buildCustomerIndex(profiles);
  const vacancyIndex = buildVacancyIndex(vacancies);

  it('top-20 customers for a vacancy', () => {
    let nonEmpty = 0;
    for (const vacancy of vacancies.slice(0, 300)) {
      for (const includeActivation of [false, true]) {
        const opts = { now, includeActivation };
        const narrowed = rankCustomersForVacancy(customerIndex, vacancy, opts);
        const brute = bruteForceCustomersForVacancy(profiles, vacancy, opts);
        expect(ids(narrowed.results, 'customerId')).toEqual(ids(brute.results, 'customerId'));
        if (narrowed.results.length > 0) nonEmpty++;
      }
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });

  it('top-20 vacancies for a customer', () => {
    let nonEmpty = 0;
    for (const profile of profiles.slice(0, 300)) {
      const opts = { now, includeActivation: true, includeIntegrated: true };
      const narrowed = rankVacanciesForCustomer(vacancyIndex, profile, opts);
      const brute = bruteForceVacanciesForCustomer(vacancies, profile, opts);
      expect(ids(narrowed.results, 'vacancyId')).toEqual(ids(brute.results, 'vacancyId'));
      if (narrowed.results.length > 0) nonEmpty++;
    }
    expect(nonEmpty).toBeGreaterThan(30);
  });
});

describe('incremental updates', () => {
  it('a changed profile is re-matched without a rebuild', () => {
    const index = buildCustomerIndex([
      fixedProfile({ id: 'a' }),
      fixedProfile({ id: 'b', targetKldbCodes: ['51311'] }),
    ]);
    const vacancy = fixedVacancy();
    expect(rankCustomersForVacancy(index, vacancy, { now }).results.map((r) => r.customerId)).toEqual(['a']);
    index.upsert(fixedProfile({ id: 'b', targetKldbCodes: ['29302'] }));
    expect(rankCustomersForVacancy(index, vacancy, { now }).results.map((r) => r.customerId)).toEqual(['a', 'b']);
    expect(index.remove('a')).toBe(true);
    expect(rankCustomersForVacancy(index, vacancy, { now }).results.map((r) => r.customerId)).toEqual(['b']);
    expect(index.size).toBe(1);
  });

  it('a moved or closed vacancy is re-matched without a rebuild', () => {
    const index = buildVacancyIndex([fixedVacancy({ id: 'x' })]);
    const profile = fixedProfile();
    expect(rankVacanciesForCustomer(index, profile, { now }).results).toHaveLength(1);
    index.upsert(fixedVacancy({ id: 'x', lat: 52.52, lon: 13.405 }));
    expect(rankVacanciesForCustomer(index, profile, { now }).results).toHaveLength(0);
    index.upsert(fixedVacancy({ id: 'x' }));
    index.remove('x');
    expect(rankVacanciesForCustomer(index, profile, { now }).results).toHaveLength(0);
    expect(index.codesByPrefix.size).toBe(0);
    expect(index.codes.every((c) => c.length === 0 && c.cells.size === 0)).toBe(true);
  });

  it('remote vacancies are found from anywhere', () => {
    const index = buildVacancyIndex([fixedVacancy({ id: 'r', remote: true, lat: null, lon: null })]);
    const far = fixedProfile({ lat: 53.55, lon: 9.99, plz: '20095', maxCommuteKm: 10 });
    expect(rankVacanciesForCustomer(index, far, { now }).results.map((r) => r.vacancyId)).toEqual(['r']);
  });

  it('explains why a customer is missing', () => {
    const index = buildCustomerIndex([fixedProfile({ consent: false })]);
    const exclusion = whyNotCustomer(index, fixedVacancy(), 'k1', { now });
    expect(exclusion?.failed.map((f) => f.code)).toEqual(['consent']);
    expect(whyNotCustomer(index, fixedVacancy(), 'nobody', { now })).toBeUndefined();
  });
});
