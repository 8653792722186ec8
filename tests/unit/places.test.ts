import { describe, expect, it } from 'vitest';
import { resolveLocation } from '../../src/ingest/location.ts';
import { salaryFromText } from '../../src/ingest/salary.ts';
import { employerFromText, placesFromText } from '../../src/ingest/text-facts.ts';

describe('places', () => {
  it('keeps every place, main one with a postcode first, foreign names in German', () => {
    const r = resolveLocation([{ city: 'Cologne' }, { plz: '70173', city: 'Stuttgart' }, { city: 'Munich, Germany' }]);
    expect(r.plz).toBe('70173');
    expect(r.places.map((p) => p.place)).toEqual(['Stuttgart', 'Köln', 'München']);
    expect(r.places.every((p) => p.lat !== null)).toBe(true);
  });
  it('reads "Remote" as remote work, not as a town', () => {
    expect(resolveLocation([{ city: 'Remote' }])).toMatchObject({ place: null, remote: true, places: [] });
  });
});

describe('employer and place from text', () => {
  it('reads labelled lines and a postcode followed by a town, and ignores unknown postcodes', () => {
    const text = 'Arbeitgeber: Beispiel Pflege gGmbH\nOrt: 89073 Ulm\nBewerbung bis 12345 Zeichen.';
    expect(employerFromText(text)).toBe('Beispiel Pflege gGmbH');
    expect(placesFromText(text)).toEqual([{ plz: '89073', city: 'Ulm' }]);
    expect(placesFromText('Einsatz in 70173 Stuttgart und 71032 Böblingen.')).toHaveLength(2);
    expect(placesFromText('Referenz 00000 Irgendwo')).toEqual([]);
  });
});

describe('salary text', () => {
  it('takes ranges and figures with a stated period and leaves a bare number out', () => {
    expect(salaryFromText('45.000 – 55.000 € pro Jahr')).toEqual({
      min: 45000,
      max: 55000,
      currency: 'EUR',
      unit: 'year',
    });
    expect(salaryFromText('ab 16,50 €/Std.')).toEqual({ min: 16.5, currency: 'EUR', unit: 'hour' });
    expect(salaryFromText('2800')).toBeUndefined();
    expect(salaryFromText('2800', { period: 'month' })).toEqual({
      min: 2800,
      max: 2800,
      currency: 'EUR',
      unit: 'month',
    });
  });
});
