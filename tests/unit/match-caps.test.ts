import { describe, expect, it } from 'vitest';
import { spreadSuggestions } from '../../matchers/engine/caps.ts';
import { buildCustomerIndex, rankCustomersForVacancy } from '../../matchers/engine/customer-index.ts';
import type { MatchResult } from '../../matchers/engine/types.ts';
import { buildVacancyIndex, rankVacanciesForCustomer } from '../../matchers/engine/vacancy-index.ts';
import { fixedProfile, fixedVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const counts = (perVacancy: Record<string, number>, perCustomer: Record<string, number>) => ({
  perVacancy: new Map(Object.entries(perVacancy)),
  perCustomer: new Map(Object.entries(perCustomer)),
});

function candidate(customerId: string, vacancyId: string, score: number): MatchResult {
  return { customerId, vacancyId, score, parts: [], passedConstraints: [] };
}

describe('caps in the ranking', () => {
  const customers = buildCustomerIndex(['a', 'b', 'c'].map((id) => fixedProfile({ id })));

  it('a vacancy with 5 open proposals gets no new suggestions, and says so', () => {
    const out = rankCustomersForVacancy(customers, fixedVacancy(), { now, openProposals: counts({ v1: 5 }, {}) });
    expect(out.results).toEqual([]);
    expect(out.capNote).toBe('Obergrenze von 5 offenen Vorschlägen erreicht');
  });

  it('below the cap the note says how many are left', () => {
    const out = rankCustomersForVacancy(customers, fixedVacancy(), { now, openProposals: counts({ v1: 3 }, {}) });
    expect(out.results).toHaveLength(3);
    expect(out.capNote).toBe('3 offene Vorschläge, noch 2 bis zur Obergrenze von 5');
  });

  it('a customer at their cap is skipped with a note', () => {
    const out = rankCustomersForVacancy(customers, fixedVacancy(), { now, openProposals: counts({}, { b: 3 }) });
    expect(out.results.map((r) => r.customerId)).toEqual(['a', 'c']);
    expect(out.skipped).toEqual([
      { id: 'b', score: out.results[0]?.score, note: 'übersprungen: hat bereits 3 offene Vorschläge (Obergrenze)' },
    ]);
  });

  it('a customer at their cap gets no vacancy list', () => {
    const vacancies = buildVacancyIndex([fixedVacancy()]);
    const out = rankVacanciesForCustomer(vacancies, fixedProfile(), { now, openProposals: counts({}, { k1: 3 }) });
    expect(out.results).toEqual([]);
    expect(out.capNote).toBe('Obergrenze von 3 offenen Vorschlägen für diese Person erreicht');
  });
});

describe('spread over a batch', () => {
  // Ten vacancies, three stand-out customers (90) and twelve good ones (80–85) ranked by every vacancy.
  const stars = ['s1', 's2', 's3'];
  const good = Array.from({ length: 12 }, (_, i) => `g${i}`);
  const batch = Array.from({ length: 10 }, (_, v) => ({
    vacancyId: `v${v}`,
    ranked: [
      ...stars.map((id) => candidate(id, `v${v}`, 90)),
      ...good.map((id, i) => candidate(id, `v${v}`, 85 - (i % 6))),
    ],
  }));

  it('without the spread every vacancy would get the same three names', () => {
    const naive = batch.map((b) =>
      b.ranked
        .slice(0, 3)
        .map((r) => r.customerId)
        .join(),
    );
    expect(new Set(naive).size).toBe(1);
  });

  it('distributes suggestions and respects both caps', () => {
    const result = spreadSuggestions(batch, counts({ v9: 5 }, { g0: 3 }));
    const perCustomer = new Map<string, number>();
    for (const r of result) {
      for (const s of r.suggestions) perCustomer.set(s.customerId, (perCustomer.get(s.customerId) ?? 0) + 1);
    }
    expect(Math.max(...perCustomer.values())).toBeLessThanOrEqual(3);
    expect(perCustomer.has('g0')).toBe(false);
    expect(perCustomer.size).toBeGreaterThanOrEqual(12);
    const v9 = result.find((r) => r.vacancyId === 'v9');
    expect(v9?.suggestions).toEqual([]);
    expect(v9?.capNote).toBe('Obergrenze von 5 offenen Vorschlägen erreicht');
    const lists = result.filter((r) => r.vacancyId !== 'v9').map((r) => r.suggestions.map((s) => s.customerId).join());
    expect(new Set(lists).size).toBeGreaterThan(5);
    // 14 customers with 3 free places each fill 42 of the 45 open slots; no vacancy is starved.
    expect(result.reduce((n, r) => n + r.suggestions.length, 0)).toBe(42);
    for (const r of result.filter((x) => x.vacancyId !== 'v9')) expect(r.suggestions.length).toBeGreaterThanOrEqual(4);
    expect(result[0]?.skipped.some((s) => s.id === 'g0' && s.note.includes('bereits 3 offene'))).toBe(true);
  });
});
