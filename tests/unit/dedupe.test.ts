import { describe, expect, it } from 'vitest';
import { RawPosting, type RawPostingInput } from '../../src/domain/posting.ts';
import {
  type DedupeVacancy,
  dedupeKeys,
  normaliseEmployer,
  normaliseUrl,
  sameVacancy,
} from '../../src/ingest/dedupe.ts';
import { normalisePosting } from '../../src/ingest/normalise.ts';

const NOW = new Date('2025-06-01T00:00:00Z');

function vacancy(input: Partial<RawPostingInput> & { plz?: string; city?: string }): DedupeVacancy {
  const { plz, city, ...rest } = input;
  const raw = RawPosting.parse({
    externalId: 'x',
    title: 'Fachkraft für Lagerlogistik (m/w/d)',
    employerName: 'Schwabenlogistik GmbH',
    locations: plz || city ? [{ plz, city }] : [],
    ...rest,
  });
  return { ...normalisePosting(raw, { now: NOW }), url: raw.url, originUrl: raw.originUrl };
}

const base = vacancy({ plz: '70173', city: 'Stuttgart', url: 'https://karriere.example/jobs/1' });

describe('normalisation helpers', () => {
  it('ignores legal forms, case and punctuation in employer names', () => {
    expect(normaliseEmployer('Schwabenlogistik GmbH & Co. KG')).toBe('schwabenlogistik');
    expect(normaliseEmployer('SCHWABENLOGISTIK gmbh')).toBe('schwabenlogistik');
    expect(normaliseEmployer('Kita Sonnenschein e.V.')).toBe('kita sonnenschein');
    expect(normaliseEmployer('Neckar Pflege gGmbH')).toBe('neckar pflege');
    expect(normaliseEmployer('Müller AG')).toBe('mueller');
    expect(normaliseEmployer(null)).toBe('');
  });
  it('ignores scheme, www, tracking parameters and trailing slashes in URLs', () => {
    expect(normaliseUrl('https://www.Example.de/jobs/1/?utm_source=ba')).toBe('example.de/jobs/1');
    expect(normaliseUrl('not a url')).toBe('not a url');
  });
});

describe('sameVacancy', () => {
  it('merges title and legal-form variants at the same place', () => {
    const other = vacancy({
      title: 'Fachkraft Lagerlogistik (w/m/d) in Vollzeit',
      employerName: 'SCHWABENLOGISTIK GmbH & Co. KG',
      plz: '70176',
      city: 'Stuttgart',
    });
    expect(sameVacancy(base, other).same).toBe(true);
  });

  it('merges when one side lacks the postcode but names the same town', () => {
    expect(sameVacancy(base, vacancy({ city: 'Stuttgart' })).same).toBe(true);
  });

  it('merges a BA re-listing whose origin URL is the other posting', () => {
    const ba = vacancy({ title: 'Lagerist', employerName: undefined, originUrl: 'http://karriere.example/jobs/1/' });
    const result = sameVacancy(ba, base);
    expect(result).toMatchObject({ same: true, score: 1 });
    expect(dedupeKeys(ba).some((k) => dedupeKeys(base).includes(k))).toBe(true);
  });

  it('keeps the same employer and title in another town apart', () => {
    expect(sameVacancy(base, vacancy({ plz: '76131', city: 'Karlsruhe' })).same).toBe(false);
    expect(sameVacancy(base, vacancy({ city: 'Karlsruhe' })).same).toBe(false);
  });

  it('keeps the same title at another employer apart', () => {
    const other = vacancy({ employerName: 'Alb-Dienstleistungen GmbH', plz: '70173', city: 'Stuttgart' });
    expect(sameVacancy(base, other).same).toBe(false);
  });

  it('keeps other occupations and other levels of one occupation apart', () => {
    const koch = vacancy({ title: 'Koch (m/w/d)', employerName: 'Gasthaus Linde', plz: '71634' });
    const hilfe = vacancy({ title: 'Küchenhilfe (m/w/d)', employerName: 'Gasthaus Linde', plz: '71634' });
    expect(sameVacancy(koch, hilfe).same).toBe(false);
    const helfer = vacancy({ title: 'Lagerhelfer (m/w/d)', plz: '70173' });
    const result = sameVacancy(base, helfer);
    expect(result.same).toBe(false);
    expect(result.reasons.join(' ')).toMatch(/title|level/);
  });

  it('does not merge without an employer on both sides', () => {
    expect(sameVacancy(vacancy({ employerName: undefined, plz: '70173' }), base).same).toBe(false);
  });
});

describe('dedupeKeys', () => {
  it('gives title variants and legal forms a shared key', () => {
    const variant = vacancy({
      title: 'Fachkraft Lagerlogistik (w/m/d)',
      employerName: 'Schwabenlogistik GmbH & Co. KG',
      plz: '70173',
    });
    expect(dedupeKeys(variant).some((k) => dedupeKeys(base).includes(k))).toBe(true);
  });

  it('gives other towns no shared key', () => {
    const other = vacancy({ plz: '76131', city: 'Karlsruhe' });
    expect(dedupeKeys(other).some((k) => dedupeKeys(base).includes(k))).toBe(false);
  });

  it('returns no keys for a posting without employer or URL', () => {
    expect(dedupeKeys(vacancy({ employerName: undefined }))).toEqual([]);
  });
});
