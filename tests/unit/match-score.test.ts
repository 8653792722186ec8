import { describe, expect, it } from 'vitest';
import { pairContext } from '../../matchers/engine/constraints.ts';
import { explainMatch, explainParts } from '../../matchers/engine/explain.ts';
import { rawScore } from '../../matchers/engine/score.ts';
import { EmployerPreferences, type MatchRequest, MatchVacancy } from '../../matchers/engine/types.ts';
import { CAPS, NEUTRAL_VALUE, WEIGHTS } from '../../matchers/engine/weights.ts';
import type { MatchProfile } from '../../src/domain/customer.ts';
import { fixedProfile, fixedVacancy } from '../helpers/match-synthetic.ts';

const now = new Date('2026-03-01T10:00:00Z');
const req: MatchRequest = { now };

function part(code: string, profile: MatchProfile = fixedProfile(), vacancy: MatchVacancy = fixedVacancy()) {
  const found = explainParts(pairContext(profile, vacancy, req)).find((p) => p.code === code);
  if (!found) throw new Error(`no part ${code}`);
  return found;
}

describe('weights', () => {
  it('sum to 100 and caps default to 5 per vacancy, 3 per customer', () => {
    expect(Object.values(WEIGHTS).reduce((a, b) => a + b, 0)).toBe(100);
    expect(CAPS).toEqual({ perVacancy: 5, perCustomer: 3 });
  });
});

describe('occupation part', () => {
  it('ranks the KldB hierarchy: 5 > 4 > 3 > 2 shared digits', () => {
    const values = ['29302', '29301', '29312', '29202'].map(
      (code) =>
        part('occupation', fixedProfile(), fixedVacancy({ kldbCode: code, requirementLevel: Number(code[4]) })).value,
    );
    expect(values).toEqual([1, 0.75, 0.5, 0.25]);
  });

  it('names the shared level in German', () => {
    expect(part('occupation').text).toBe(
      'gleiche Berufsgattung: 29302 Köche/Köchinnen (ohne Spezialisierung) – fachlich ausgerichtete Tätigkeiten',
    );
    expect(part('occupation', fixedProfile(), fixedVacancy({ kldbCode: '29301', requirementLevel: 1 })).text).toBe(
      'gleiche Berufsuntergruppe: 2930 Köche/Köchinnen (ohne Spezialisierung)',
    );
  });

  it('the first target counts a little more than later ones', () => {
    const first = part('occupation', fixedProfile({ targetKldbCodes: ['29302', '51311'] }));
    const second = part('occupation', fixedProfile({ targetKldbCodes: ['51311', '29302'] }));
    expect(first.value).toBe(1);
    expect(second.value).toBe(0.9);
    expect(second.text).toContain('(2. Zielberuf 29302)');
  });
});

describe('requirement level part', () => {
  it('exact, one below, one above, two apart', () => {
    const at = (level: number) =>
      part('requirementLevel', fixedProfile(), fixedVacancy({ kldbCode: `2930${level}`, requirementLevel: level }))
        .value;
    expect(at(2)).toBe(1);
    expect(at(1)).toBe(0.6);
    expect(at(3)).toBe(0.5);
    expect(at(4)).toBe(0);
    expect(
      part('requirementLevel', fixedProfile(), fixedVacancy({ kldbCode: '29301', requirementLevel: 1 })).text,
    ).toBe('Anforderungsniveau eine Stufe unter dem Ziel (Helfer statt Fachkraft)');
  });
});

describe('skills part', () => {
  it('share of listed skills, case-insensitive; neutral when none listed', () => {
    const vacancy = fixedVacancy({ skills: ['haccp', 'Großküche'] });
    expect(part('skills', fixedProfile(), vacancy)).toMatchObject({
      value: 0.5,
      text: 'Kenntnisse: 1 von 2 vorhanden (haccp)',
    });
    expect(part('skills').value).toBe(NEUTRAL_VALUE);
  });
});

describe('licences part', () => {
  it('counts required and preferred licences', () => {
    const vacancy = fixedVacancy({
      licences: ['CE'],
      employerPreferences: EmployerPreferences.parse({ licences: ['D'] }),
    });
    const p = part('licences', fixedProfile({ licences: ['CE'] }), vacancy);
    expect(p.value).toBe(0.5);
    expect(p.text).toBe('Führerschein CE vorhanden; Führerschein D (erwünscht) fehlt');
    expect(part('licences').text).toBe('kein Führerschein gefragt');
  });
});

describe('languages part', () => {
  it('says which level is held and asked', () => {
    const p = part('languages', fixedProfile(), fixedVacancy({ languages: [{ language: 'de', level: 'B1' }] }));
    expect(p).toMatchObject({ value: 1, text: 'Deutsch B2 erfüllt (gefordert B1)' });
    const preferred = fixedVacancy({
      employerPreferences: EmployerPreferences.parse({ languages: [{ language: 'en', level: 'B1' }] }),
    });
    expect(part('languages', fixedProfile(), preferred)).toMatchObject({
      value: 0,
      text: 'Englisch B1 erwünscht, nicht vorhanden',
    });
  });
});

describe('distance part', () => {
  it('full within 5 km, linear to 0 at the customer maximum', () => {
    expect(part('distance').value).toBe(1);
    // Esslingen am Neckar, about 10 km from Stuttgart-Mitte, with a 30 km limit.
    const p = part('distance', fixedProfile(), fixedVacancy({ lat: 48.7406, lon: 9.3108 }));
    expect(p.text).toBe('Pendelweg 10 km');
    expect(p.value).toBeGreaterThan(0.7);
    expect(p.value).toBeLessThan(0.85);
    expect(part('distance', fixedProfile(), fixedVacancy({ remote: true, lat: null, lon: null })).text).toBe(
      'Heim-/Telearbeit, kein Pendelweg',
    );
  });
});

describe('working time part', () => {
  it('share of options the customer can take', () => {
    expect(
      part('workingTime', fixedProfile({ workingTimes: ['teilzeit'] }), fixedVacancy({ workingTimes: ['teilzeit'] })),
    ).toMatchObject({
      value: 1,
      text: 'Teilzeit passt',
    });
    const p = part(
      'workingTime',
      fixedProfile({ workingTimes: ['teilzeit'] }),
      fixedVacancy({ workingTimes: ['vollzeit', 'teilzeit'] }),
    );
    expect(p).toMatchObject({ value: 0.5, text: 'Vollzeit nicht möglich; Teilzeit passt' });
  });
});

describe('freshness part', () => {
  it('full for a week, zero after 60 days', () => {
    expect(part('freshness')).toMatchObject({ value: 1, text: 'gestern veröffentlicht' });
    const old = fixedVacancy({ publishedAt: new Date('2025-12-01T10:00:00Z') });
    expect(part('freshness', fixedProfile(), old)).toMatchObject({ value: 0, text: 'vor 90 Tagen veröffentlicht' });
  });
});

describe('employer preferences', () => {
  it('scores preferred skills and minimum level', () => {
    const vacancy = fixedVacancy({
      employerPreferences: EmployerPreferences.parse({ skills: ['HACCP', 'Kalkulation'], minRequirementLevel: 2 }),
    });
    const p = part('employerPreferences', fixedProfile(), vacancy);
    expect(p.value).toBeCloseTo(2 / 3);
    expect(p.text).toBe('Wünsche des Arbeitgebers: HACCP vorhanden; Kalkulation fehlt; mindestens Fachkraft erfüllt');
  });

  it('cannot express a preference on gender, age or origin', () => {
    for (const unlawful of [{ gender: 'm' }, { maxAge: 35 }, { nationality: 'DEU' }, { religion: 'rk' }]) {
      expect(EmployerPreferences.safeParse(unlawful).success).toBe(false);
      expect(MatchVacancy.safeParse({ ...fixedVacancy(), employerPreferences: unlawful }).success).toBe(false);
    }
    expect(MatchVacancy.safeParse(fixedVacancy()).success).toBe(true);
  });
});

describe('the explained result', () => {
  it('score is the rounded sum of points; parts and passed constraints are complete', () => {
    const ctx = pairContext(fixedProfile(), fixedVacancy(), req);
    const result = explainMatch(ctx, req);
    expect(result.score).toBe(Math.round(rawScore(ctx)));
    expect(Number.isInteger(result.score)).toBe(true);
    expect(result.parts.map((p) => p.code)).toEqual(Object.keys(WEIGHTS));
    for (const p of result.parts) {
      expect(p.value).toBeGreaterThanOrEqual(0);
      expect(p.value).toBeLessThanOrEqual(1);
      expect(p.text.length).toBeGreaterThan(0);
    }
    expect(result.passedConstraints.map((c) => c.code)).toEqual([
      'profile_group',
      'consent',
      'blocked',
      'vacancy_valid',
      'occupation_field',
      'working_time',
      'commute',
      'licences',
      'languages',
      'availability',
      'not_yet_proposed',
    ]);
  });

  it('a perfect pair scores 100', () => {
    const vacancy = fixedVacancy({
      skills: ['HACCP'],
      licences: ['B'],
      languages: [{ language: 'de', level: 'B1' }],
      employerPreferences: EmployerPreferences.parse({ minRequirementLevel: 2 }),
      workingTimes: ['vollzeit', 'teilzeit'],
    });
    expect(explainMatch(pairContext(fixedProfile(), vacancy, req), req).score).toBe(100);
  });
});
