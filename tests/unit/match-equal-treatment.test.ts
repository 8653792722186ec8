import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairContext } from '../../matchers/engine/constraints.ts';
import { buildCustomerIndex, rankCustomersForVacancy } from '../../matchers/engine/customer-index.ts';
import { explainMatch } from '../../matchers/engine/explain.ts';
import type { MatchResult } from '../../matchers/engine/types.ts';
import { type Customer, type MatchProfile, toMatchProfile } from '../../src/domain/customer.ts';
import { prng, syntheticCustomer, syntheticProtected, syntheticVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const opts = { now, includeActivation: true, includeIntegrated: true };

function ranking(customers: Customer[], seed: number): MatchResult[][] {
  const index = buildCustomerIndex(customers.map(toMatchProfile));
  const rng = prng(seed);
  return Array.from(
    { length: 15 },
    (_, i) => rankCustomersForVacancy(index, syntheticVacancy(rng, `v${i}`, now, { regionShare: 1 }), opts).results,
  );
}

describe('equal treatment', () => {
  it('changing only protected attributes and the name changes no score and no ranking', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        (dataSeed, swapSeed) => {
          const rng = prng(dataSeed);
          const customers = Array.from({ length: 300 }, (_, i) => syntheticCustomer(rng, `k${i}`, { now }));
          const swap = prng(swapSeed);
          const changed = customers.map((c) => ({
            ...c,
            displayName: `Person ${Math.floor(swap() * 1e6)}`,
            protected: syntheticProtected(swap),
          }));
          const before = ranking(customers, dataSeed);
          expect(before.flat().length).toBeGreaterThan(0);
          expect(ranking(changed, dataSeed)).toEqual(before);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('a Customer record passed in place of its profile scores the same', () => {
    const rng = prng(3);
    let compared = 0;
    for (let i = 0; i < 2000; i++) {
      const customer = syntheticCustomer(rng, `k${i}`, { now });
      const vacancy = syntheticVacancy(rng, `v${i}`, now, { regionShare: 1 });
      // A Customer is structurally a MatchProfile plus extra fields; the matcher must not notice them.
      const withExtras: MatchProfile = customer;
      const a = explainMatch(pairContext(withExtras, vacancy, opts), opts);
      const b = explainMatch(pairContext(toMatchProfile(customer), vacancy, opts), opts);
      expect(a).toEqual(b);
      compared++;
    }
    expect(compared).toBe(2000);
  });

  it('no matcher code path reads a protected field', () => {
    const rng = prng(11);
    const customers = Array.from({ length: 400 }, (_, i) => syntheticCustomer(rng, `k${i}`, { now }));
    const touched = new Set<string>();
    const guarded = customers.map((customer) => {
      const trap = <T extends object>(target: T, label: string): T =>
        new Proxy(target, {
          get(obj, key, receiver) {
            touched.add(`${label}.${String(key)}`);
            return Reflect.get(obj, key, receiver);
          },
        });
      return { ...customer, displayName: customer.displayName, protected: trap(customer.protected, 'protected') };
    });
    const index = buildCustomerIndex(guarded);
    for (let i = 0; i < 30; i++)
      rankCustomersForVacancy(index, syntheticVacancy(rng, `v${i}`, now, { regionShare: 1 }), opts);
    expect([...touched]).toEqual([]);
  });
});
