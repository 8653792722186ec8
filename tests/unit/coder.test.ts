import { describe, expect, it } from 'vitest';
import { codeOccupation, levelCue, REVIEW_THRESHOLD } from '../../src/taxonomy/coder.ts';
import { cleanTitle, titleWords } from '../../src/taxonomy/coder-text.ts';
import { isKldbCode } from '../../src/taxonomy/kldb.ts';
import { SYNONYM_TITLES } from '../../src/taxonomy/synonyms.ts';

const best = (title: string) => codeOccupation({ title }).best?.code;

describe('cleanTitle and titleWords', () => {
  it('removes gender markers and reduces gender forms', () => {
    expect(cleanTitle('Koch (m/w/d) in Vollzeit')).toBe('Koch in Vollzeit');
    expect(cleanTitle('Lagerhelfer m/w/d')).toBe('Lagerhelfer');
    expect(titleWords('Verkäufer:in')).toEqual(['verkäufer']);
    expect(titleWords('Mitarbeiter*innen Lager')).toEqual(['mitarbeiter', 'lager']);
    expect(titleWords('Kaufmann/-frau - Büromanagement')).toEqual(['kaufmann', 'büromanagement']);
    expect(titleWords('Kfz-Mechatroniker')).toEqual(['kfz', 'mechatroniker', 'kfzmechatroniker']);
  });
});

describe('codeOccupation', () => {
  it.each([
    ['Koch/Köchin (m/w/d) in Stuttgart', '29302'],
    ['Lagerhelfer (m/w/d) Teilzeit', '51311'],
    ['Fachkraft für Lagerlogistik (m/w/d)', '51312'],
    ['Kfz-Mechatroniker (m/w/d)', '25212'],
    ['Verkäufer:in ab sofort', '62102'],
    ['Reinigungskraft Minijob', '54101'],
    ['Software Developer (m/w/d)', '43414'],
    ['Kauffrau für Büromanagement', '71402'],
    ['Gesundheits- und Krankenpflegerin', '81302'],
  ])('codes %s as %s', (title, code) => {
    expect(best(title)).toBe(code);
  });

  it('corrects one typo', () => {
    expect(best('Reinigunskraft (m/w/d)')).toBe('54101');
  });

  it('moves to the level a cue names when the title leaves it open', () => {
    expect(best('Aushilfe Küche')).toBe('29301');
    expect(best('Aushilfe Verkauf')).toBe('62101');
    expect(levelCue('Lagerleiter (m/w/d)')).toBe(4);
    expect(levelCue('Staatlich geprüfter Techniker')).toBe(3);
    expect(levelCue('Sozialpädagoge Jugendhilfe')).toBeNull();
  });

  it('uses hints when the title says little', () => {
    const result = codeOccupation({ title: 'Mitarbeiter (m/w/d)', hints: ['Berufskraftfahrer/in'] });
    expect(result.best?.code).toBe('52122');
  });

  it('flags weak matches for review and returns nothing for nonsense', () => {
    const exact = codeOccupation({ title: 'Lagerhelfer' });
    expect(exact.needsReview).toBe(false);
    expect(exact.best?.confidence).toBeGreaterThanOrEqual(REVIEW_THRESHOLD);
    expect(codeOccupation({ title: 'Pflegehelfer' }).needsReview).toBe(true);
    expect(codeOccupation({ title: 'xyz qqq' })).toEqual({ candidates: [], best: null, needsReview: true });
    expect(codeOccupation({ title: '' }).best).toBeNull();
  });

  it('returns at most three candidates with confidences in 0..1 and real codes', () => {
    const { candidates } = codeOccupation({ title: 'Mitarbeiter Produktion Schichtarbeit' });
    expect(candidates.length).toBeLessThanOrEqual(3);
    for (const c of candidates) {
      expect(isKldbCode(c.code)).toBe(true);
      expect(c.confidence).toBeGreaterThanOrEqual(0);
      expect(c.confidence).toBeLessThanOrEqual(1);
    }
  });

  it('codes a title in well under a millisecond once warm', () => {
    const titles = ['Lagerhelfer (m/w/d)', 'Koch', 'Pflegefachkraft Altenpflege', 'Elektriker Stuttgart', 'Bürokraft'];
    for (const title of titles) codeOccupation({ title });
    const start = performance.now();
    for (let i = 0; i < 200; i++) for (const title of titles) codeOccupation({ title: `${title} ${i}` });
    expect((performance.now() - start) / 1000).toBeLessThan(1);
  });
});

describe('synonyms', () => {
  it('name existing five-digit codes', () => {
    for (const [, code] of SYNONYM_TITLES) expect(isKldbCode(code) && code.length === 5).toBe(true);
  });
});
