import { describe, expect, it } from 'vitest';
import { buildCustomerIndex, rankCustomersForVacancy } from '../../matchers/engine/customer-index.ts';
import { CUSTOMER_VIEW } from '../../matchers/engine/eligibility.ts';
import { applyProposals, type ProposalState } from '../../matchers/engine/proposals.ts';
import { type MatchResult, proposalKey } from '../../matchers/engine/types.ts';
import { buildVacancyIndex, rankVacanciesForCustomer } from '../../matchers/engine/vacancy-index.ts';
import { CAPS } from '../../matchers/engine/weights.ts';
import { toProfile, toVacancy } from '../../matchers/service/load.ts';
import { MATCH_PROFILE_COLUMNS } from '../../src/customers/access.ts';
import { fixedProfile, prng, syntheticProfile, syntheticVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const EVERYTHING = 100_000;
const show = (results: MatchResult[]) => results.map((r) => `${r.customerId}/${r.vacancyId}:${r.score}`);

describe('proposals applied to a stored ranking give the live ranking', () => {
  const rng = prng(11);
  const profiles = Array.from({ length: 2000 }, (_, i) => syntheticProfile(rng, `k${i}`, { now }));
  const vacancies = Array.from({ length: 2000 }, (_, i) => syntheticVacancy(rng, `v${i}`, now, { regionShare: 0.9 }));
  const customerIndex = buildCustomerIndex(profiles);
  const vacancyIndex = buildVacancyIndex(vacancies);

  // Many customers and vacancies at their caps, and earlier proposals in every status.
  const perVacancy = new Map<string, number>();
  const perCustomer = new Map<string, number>();
  const existing = new Set<string>();
  const propose = (customerId: string, vacancyId: string, open: boolean) => {
    existing.add(proposalKey(customerId, vacancyId));
    if (!open) return;
    perVacancy.set(vacancyId, (perVacancy.get(vacancyId) ?? 0) + 1);
    perCustomer.set(customerId, (perCustomer.get(customerId) ?? 0) + 1);
  };
  for (let i = 0; i < 3000; i++) {
    const profile = profiles[Math.floor(rng() * profiles.length)]!;
    const vacancy = vacancies[Math.floor(rng() * vacancies.length)]!;
    propose(profile.id, vacancy.id, rng() < 0.7);
  }
  const state: ProposalState = { perVacancy, perCustomer, existing };
  const live = { now, limit: 20, openProposals: state, existingProposals: existing };

  it('for vacancies', () => {
    let compared = 0;
    for (const vacancy of vacancies.slice(0, 400)) {
      const expected = rankCustomersForVacancy(customerIndex, vacancy, { ...live, includeActivation: true });
      const stored = rankCustomersForVacancy(customerIndex, vacancy, {
        now,
        includeActivation: true,
        limit: EVERYTHING,
      });
      const view = applyProposals(stored.results, { type: 'vacancy', id: vacancy.id }, state, 20, true);
      expect(show(view.results)).toEqual(show(expected.results));
      expect(view.capNote).toBe(expected.capNote ?? null);
      expect(view.skipped.map((s) => s.id)).toEqual(expect.arrayContaining(expected.skipped.map((s) => s.id)));
      if (expected.results.length > 0) compared++;
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('for customers', () => {
    let compared = 0;
    for (const profile of profiles.slice(0, 400)) {
      const expected = rankVacanciesForCustomer(vacancyIndex, profile, { ...live, ...CUSTOMER_VIEW });
      const stored = rankVacanciesForCustomer(vacancyIndex, profile, { now, ...CUSTOMER_VIEW, limit: EVERYTHING });
      const view = applyProposals(stored.results, { type: 'customer', id: profile.id }, state, 20, true);
      expect(show(view.results)).toEqual(show(expected.results));
      expect(view.capNote).toBe(expected.capNote ?? null);
      if (expected.results.length > 0) compared++;
    }
    expect(compared).toBeGreaterThan(50);
  });
});

describe('applyProposals', () => {
  const result = (customerId: string, score: number): MatchResult => ({
    customerId,
    vacancyId: 'v1',
    score,
    parts: [],
    passedConstraints: [],
  });
  const ranked = [result('a', 90), result('b', 80), result('c', 70)];
  const state = (open: Record<string, number>, openHere = 0, existing: string[] = []): ProposalState => ({
    perVacancy: new Map([['v1', openHere]]),
    perCustomer: new Map(Object.entries(open)),
    existing: new Set(existing.map((c) => proposalKey(c, 'v1'))),
  });

  it('closes the list at the cap with the German note', () => {
    const view = applyProposals(ranked, { type: 'vacancy', id: 'v1' }, state({}, CAPS.perVacancy), 20, true);
    expect(view).toEqual({
      results: [],
      skipped: [],
      capNote: 'Obergrenze von 5 offenen Vorschlägen erreicht',
      complete: true,
    });
  });

  it('drops proposed pairs, skips candidates at their cap and says how many slots are left', () => {
    const view = applyProposals(ranked, { type: 'vacancy', id: 'v1' }, state({ b: 3 }, 2, ['a']), 20, true);
    expect(view.results.map((r) => r.customerId)).toEqual(['c']);
    expect(view.skipped).toEqual([
      { id: 'b', score: 80, note: 'übersprungen: hat bereits 3 offene Vorschläge (Obergrenze)' },
    ]);
    expect(view.capNote).toBe('2 offene Vorschläge, noch 3 bis zur Obergrenze von 5');
  });

  it('reports a short page of a cut-off ranking as incomplete', () => {
    const cut = applyProposals(ranked, { type: 'vacancy', id: 'v1' }, state({}, 0, ['a']), 3, false);
    expect(cut.complete).toBe(false);
    const full = applyProposals(ranked, { type: 'vacancy', id: 'v1' }, state({}, 0, ['a']), 2, false);
    expect(full.complete).toBe(true);
  });
});

describe('loading rows for the matcher', () => {
  it('never selects a protected attribute or the display name', () => {
    const columns = Object.keys(MATCH_PROFILE_COLUMNS);
    for (const name of ['gender', 'birthYear', 'nationality', 'religion', 'severelyDisabled', 'displayName']) {
      expect(columns).not.toContain(name);
    }
  });

  it('keeps valid profiles and leaves out unusable ones', () => {
    const row = { ...fixedProfile({ id: 'k1' }) };
    expect(toProfile(row)).toEqual(row);
    expect(toProfile({ ...row, targetKldbCodes: [] })).toBeNull();
    expect(toProfile({ ...row, workingTimes: ['immer'] })).toBeNull();
  });

  it('maps open, coded vacancies and leaves out closed, uncoded and malformed ones', () => {
    const row = {
      id: 'v1',
      status: 'open' as const,
      kldbCode: '29302',
      kldbNeedsReview: false,
      requirementLevel: 2,
      lat: 48.78,
      lon: 9.18,
      remote: false,
      workingTimes: ['vollzeit'],
      contractType: null,
      offerType: 'arbeit' as const,
      skills: [],
      licences: [],
      languages: [],
      publishedAt: now,
      validThrough: null,
      startDate: null,
    };
    expect(toVacancy(row)).toMatchObject({ id: 'v1', kldbCode: '29302', workingTimes: ['vollzeit'] });
    expect(toVacancy({ ...row, status: 'closed' })).toBeNull();
    expect(toVacancy({ ...row, kldbNeedsReview: true })).toBeNull();
    expect(toVacancy({ ...row, workingTimes: ['immer'] })).toBeNull();
  });
});
