import { describe, expect, it } from 'vitest';
import { constraintReasons, pairContext, passesConstraints } from '../../matchers/engine/constraints.ts';
import { eligibilityReasons, isEligible } from '../../matchers/engine/eligibility.ts';
import { explainExclusion } from '../../matchers/engine/explain.ts';
import { type MatchRequest, type MatchVacancy, proposalKey } from '../../matchers/engine/types.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';
import { fixedProfile, fixedVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const req: MatchRequest = { now };

function failed(profile: MatchProfile, vacancy: MatchVacancy, request: MatchRequest = req) {
  return constraintReasons(pairContext(profile, vacancy, request)).failed;
}

function failedCodes(profile: MatchProfile, vacancy: MatchVacancy, request: MatchRequest = req) {
  return failed(profile, vacancy, request).map((r) => r.code);
}

describe('eligibility', () => {
  it('market profile by default, activation only on request', () => {
    expect(isEligible(fixedProfile(), req)).toBe(true);
    expect(isEligible(fixedProfile({ profileGroup: 'activation' }), req)).toBe(false);
    expect(isEligible(fixedProfile({ profileGroup: 'activation' }), { now, includeActivation: true })).toBe(true);
  });

  it('integrated customers only on request; support, complex, not available never', () => {
    expect(isEligible(fixedProfile({ profileGroup: 'integrated' }), req)).toBe(false);
    expect(isEligible(fixedProfile({ profileGroup: 'integrated' }), { now, includeIntegrated: true })).toBe(true);
    const all = { now, includeActivation: true, includeIntegrated: true };
    for (const group of ['support', 'complex', 'not_available'] as const) {
      expect(isEligible(fixedProfile({ profileGroup: group }), all)).toBe(false);
    }
    expect(eligibilityReasons(fixedProfile({ profileGroup: 'not_available' }), all).failed[0]?.text).toBe(
      'Profillage Nicht verfügbar (§ 10 SGB II) wird nicht vorgeschlagen',
    );
  });

  it('needs consent', () => {
    const profile = fixedProfile({ consent: false });
    expect(isEligible(profile, req)).toBe(false);
    expect(eligibilityReasons(profile, req).failed).toEqual([
      { code: 'consent', text: 'keine Einwilligung zur Vermittlung' },
    ]);
  });

  it('a caseworker block excludes until it ends', () => {
    const profile = fixedProfile({ blockedUntil: new Date('2026-03-15T00:00:00Z') });
    expect(isEligible(profile, req)).toBe(false);
    expect(eligibilityReasons(profile, req).failed[0]?.text).toBe('von der Fachkraft zurückgestellt bis 15.03.2026');
    expect(isEligible(profile, { now: new Date('2026-03-15T00:00:00Z') })).toBe(true);
  });
});

describe('hard constraints', () => {
  it('a plain matching pair passes all', () => {
    expect(passesConstraints(pairContext(fixedProfile(), fixedVacancy(), req))).toBe(true);
    expect(failed(fixedProfile(), fixedVacancy())).toEqual([]);
  });

  it('expired vacancies are excluded', () => {
    const vacancy = fixedVacancy({ validThrough: new Date('2026-02-27T12:00:00Z') });
    expect(failed(fixedProfile(), vacancy)).toEqual([
      { code: 'vacancy_valid', text: 'Stellenangebot abgelaufen am 27.02.2026' },
    ]);
  });

  it('another Berufshauptgruppe is excluded', () => {
    expect(failedCodes(fixedProfile(), fixedVacancy({ kldbCode: '51311', requirementLevel: 1 }))).toEqual([
      'occupation_field',
    ]);
    expect(failedCodes(fixedProfile(), fixedVacancy({ kldbCode: '29101', requirementLevel: 1 }))).toEqual([]);
  });

  it('full-time vacancy, part-time-only customer', () => {
    const reasons = failed(fixedProfile({ workingTimes: ['teilzeit'] }), fixedVacancy({ workingTimes: ['vollzeit'] }));
    expect(reasons).toEqual([
      { code: 'working_time', text: 'Arbeitszeit passt nicht: Stelle Vollzeit, möglich ist nur Teilzeit' },
    ]);
  });

  it('shift work for a customer who cannot work shifts', () => {
    const vacancy = fixedVacancy({ workingTimes: ['schicht_nacht_wochenende'] });
    expect(failedCodes(fixedProfile(), vacancy)).toEqual(['working_time']);
    expect(failedCodes(fixedProfile({ workingTimes: ['vollzeit', 'schicht_nacht_wochenende'] }), vacancy)).toEqual([]);
  });

  it('several working-time options pass if any fits', () => {
    const vacancy = fixedVacancy({ workingTimes: ['vollzeit', 'teilzeit'] });
    expect(failedCodes(fixedProfile({ workingTimes: ['teilzeit'] }), vacancy)).toEqual([]);
  });

  it('commute beyond the customer limit; remote passes', () => {
    // Esslingen am Neckar, about 12 km from Stuttgart-Mitte.
    const esslingen = fixedVacancy({ lat: 48.7406, lon: 9.3108 });
    expect(failedCodes(fixedProfile({ maxCommuteKm: 15 }), esslingen)).toEqual([]);
    expect(failed(fixedProfile({ maxCommuteKm: 5 }), esslingen)).toEqual([
      { code: 'commute', text: 'Pendelweg 10 km über dem Höchstwert von 5 km' },
    ]);
    const remote = fixedVacancy({ remote: true, lat: null, lon: null });
    expect(failedCodes(fixedProfile({ maxCommuteKm: 0 }), remote)).toEqual([]);
  });

  it('required licences, with implied classes', () => {
    const vacancy = fixedVacancy({ licences: ['C'] });
    expect(failed(fixedProfile({ licences: ['B'] }), vacancy)).toEqual([
      { code: 'licences', text: 'Führerschein C gefordert, fehlt' },
    ]);
    expect(failedCodes(fixedProfile({ licences: ['CE'] }), vacancy)).toEqual([]);
  });

  it('availability against the start date or the window', () => {
    const later = fixedProfile({ availableFrom: new Date('2026-05-01T00:00:00Z') });
    expect(failed(later, fixedVacancy())).toEqual([
      { code: 'availability', text: 'erst ab 01.05.2026 verfügbar, später als 28 Tage' },
    ]);
    expect(failedCodes(later, fixedVacancy({ startDate: new Date('2026-05-01T00:00:00Z') }))).toEqual([]);
    expect(failed(later, fixedVacancy({ startDate: new Date('2026-04-01T00:00:00Z') }))[0]?.text).toBe(
      'erst ab 01.05.2026 verfügbar, Stellenantritt 01.04.2026',
    );
  });

  it('language level not met', () => {
    const vacancy = fixedVacancy({ languages: [{ language: 'de', level: 'C1' }] });
    expect(failed(fixedProfile(), vacancy)).toEqual([
      { code: 'languages', text: 'Deutsch C1 gefordert, vorhanden B2' },
    ]);
    const english = fixedVacancy({ languages: [{ language: 'en', level: 'B1' }] });
    expect(failed(fixedProfile(), english)[0]?.text).toBe('Englisch B1 gefordert, nicht vorhanden');
    expect(failedCodes(fixedProfile({ languages: [{ language: 'de', level: 'native' }] }), vacancy)).toEqual([]);
  });

  it('already proposed or rejected', () => {
    const existingProposals = new Set([proposalKey('k1', 'v1')]);
    expect(failed(fixedProfile(), fixedVacancy(), { now, existingProposals })).toEqual([
      { code: 'not_yet_proposed', text: 'bereits für diese Stelle vorgeschlagen oder abgelehnt' },
    ]);
  });

  it('"why not" lists every failed rule at once', () => {
    const exclusion = explainExclusion(
      fixedProfile({ consent: false, workingTimes: ['teilzeit'] }),
      fixedVacancy({ licences: ['CE'] }),
      req,
      'customer',
    );
    expect(exclusion.id).toBe('k1');
    expect(exclusion.failed.map((f) => f.code)).toEqual(['consent', 'working_time', 'licences']);
  });

  it('passed constraints carry texts too', () => {
    const passed = constraintReasons(pairContext(fixedProfile(), fixedVacancy({ licences: ['B'] }), req)).passed;
    expect(passed.find((r) => r.code === 'licences')?.text).toBe('Führerschein B vorhanden');
    expect(passed.find((r) => r.code === 'commute')?.text).toBe('Pendelweg 0 km (höchstens 30 km)');
  });
});
