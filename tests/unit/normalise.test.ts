import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateVacancies } from '../../src/demo/synthetic-vacancies.ts';
import { RawPosting, type RawPostingInput } from '../../src/domain/posting.ts';
import { isExpired, parseDate, vacancyDates } from '../../src/ingest/dates.ts';
import { findLanguages } from '../../src/ingest/languages.ts';
import { findLicences } from '../../src/ingest/licences.ts';
import { resolveLocation } from '../../src/ingest/location.ts';
import { normalisePosting } from '../../src/ingest/normalise.ts';
import { findSkills } from '../../src/ingest/skills.ts';
import { plainText } from '../../src/ingest/text.ts';
import { contractType, isRemote, offerType, workingTimes } from '../../src/ingest/working-time.ts';
import { Coder, codeOccupation, installCoder } from '../../src/taxonomy/coder.ts';
import { buildIndex } from '../../src/taxonomy/coder-index.ts';
import { cleanTitle } from '../../src/taxonomy/coder-text.ts';
import { NormalisedVacancy } from '../../src/vacancies/vacancy.ts';

const NOW = new Date('2025-06-01T10:00:00Z');
const normalise = (input: RawPostingInput) => normalisePosting(RawPosting.parse(input), { now: NOW });

describe('plainText', () => {
  it('strips HTML, decodes entities and collapses whitespace', () => {
    expect(plainText('<p>Wir&nbsp;suchen</p><ul><li>SAP</li><li>Excel &amp; Word</li></ul><script>x()</script>')).toBe(
      'Wir suchen SAP Excel & Word',
    );
    expect(plainText('  a \n\n b  ')).toBe('a b');
    expect(plainText('&constructor; &#0; &#x41;')).toBe('&constructor; A');
    expect(plainText('')).toBe('');
  });

  it('caps gigantic input', () => {
    expect(plainText('<b>x</b> '.repeat(200_000)).length).toBeLessThanOrEqual(100_000);
  });
});

describe('working time, contract and offer type', () => {
  it('prefers structured working times', () => {
    expect(workingTimes(['teilzeit'], ['FULL_TIME'], 'vollzeit')).toEqual(['teilzeit']);
  });
  it('maps schema.org employment types and German words', () => {
    expect(workingTimes(undefined, ['FULL_TIME', 'PART_TIME'], '')).toEqual(['vollzeit', 'teilzeit']);
    expect(workingTimes(undefined, ['Minijob'], '')).toEqual(['minijob']);
  });
  it('reads cues from the text', () => {
    expect(workingTimes(undefined, [], 'aushilfe auf 538-euro-basis, nachtschicht')).toEqual([
      'schicht_nacht_wochenende',
      'minijob',
    ]);
    expect(workingTimes(undefined, [], 'teilzeit, 2 tage homeoffice')).toEqual(['teilzeit', 'heim_telearbeit']);
  });
  it('derives the contract type', () => {
    expect(contractType(undefined, [], 'zunächst befristet auf 12 monate')).toBe('befristet');
    expect(contractType(undefined, [], 'unbefristeter arbeitsvertrag')).toBe('unbefristet');
    expect(contractType(undefined, ['TEMPORARY'], '')).toBe('befristet');
    expect(contractType('unbefristet', ['TEMPORARY'], '')).toBe('unbefristet');
    expect(contractType(undefined, [], '')).toBeNull();
  });
  it('derives the offer type from the title, not from requirements in the description', () => {
    expect(offerType(undefined, [], 'Ausbildung zum Koch (m/w/d)')).toBe('ausbildung');
    expect(offerType(undefined, [], 'Azubi Einzelhandel')).toBe('ausbildung');
    expect(offerType(undefined, [], 'Werkstudent IT')).toBe('praktikum');
    expect(offerType(undefined, [], 'Franchisepartner gesucht')).toBe('selbstaendigkeit');
    expect(offerType(undefined, ['INTERN'], 'Marketing')).toBe('praktikum');
    expect(offerType(undefined, [], 'Koch mit abgeschlossener Ausbildung')).toBe('arbeit');
  });
  it('treats only plainly remote work as remote', () => {
    expect(isRemote(undefined, '100% remote')).toBe(true);
    expect(isRemote(undefined, 'zwei tage homeoffice')).toBe(false);
    expect(isRemote(false, '100% remote')).toBe(false);
  });
});

describe('resolveLocation', () => {
  it('takes the first valid postcode, with source coordinates when inside Germany', () => {
    const loc = resolveLocation([{ plz: '99999' }, { plz: '70173', city: 'Stuttgart', lat: 48.78, lon: 9.18 }]);
    expect(loc).toMatchObject({ plz: '70173', place: 'Stuttgart', lat: 48.78, lon: 9.18 });
  });
  it('replaces implausible coordinates with the postcode centre', () => {
    const loc = resolveLocation([{ plz: '70173', lat: 0, lon: 0 }]);
    expect(loc.lat).toBeCloseTo(48.78, 1);
  });
  it('falls back to the place name without inventing a postcode', () => {
    const loc = resolveLocation([{ city: 'Esslingen am Neckar' }]);
    expect(loc.plz).toBeNull();
    expect(loc.place).toBeTruthy();
    expect(loc.lat).not.toBeNull();
  });
  it('reads a postcode written into the city field and survives absurd input', () => {
    expect(resolveLocation([{ city: '70173 Stuttgart' }]).plz).toBe('70173');
    expect(resolveLocation([{ plz: 'abcde', city: '' }])).toMatchObject({
      plz: null,
      place: null,
      lat: null,
      lon: null,
    });
    expect(resolveLocation([])).toMatchObject({ plz: null, place: null, lat: null, lon: null });
  });
  it('takes a place called like a property of every object for a name', () => {
    expect(resolveLocation([{ city: '__proto__' }])).toMatchObject({ plz: null, place: '__proto__' });
    expect(resolveLocation([{ city: 'constructor' }])).toMatchObject({ plz: null, place: 'constructor' });
  });
});

describe('skills, licences, languages', () => {
  it('finds skills as whole words under canonical names', () => {
    expect(findSkills('kenntnisse in sap und ms-office, erfahrung mit cnc-programmierung und haccp')).toEqual([
      'SAP',
      'MS Office',
      'CNC',
      'HACCP',
    ]);
    expect(findSkills('krankenkasse in sapporo')).toEqual([]);
  });
  it('finds driving and forklift licences', () => {
    expect(findLicences('führerschein klasse b erforderlich')).toEqual(['B']);
    expect(findLicences('fahrerlaubnis ce und fahrerkarte')).toEqual(['CE']);
    expect(findLicences('fs kl. b')).toEqual(['B']);
    expect(findLicences('führerscheinklassen c1/c1e')).toEqual(['C1', 'C1E']);
    expect(findLicences('lkw-führerschein von vorteil')).toEqual(['C']);
    expect(findLicences('staplerschein oder flurförderzeugschein')).toEqual(['STAPLER']);
    expect(findLicences('')).toEqual([]);
  });
  it('finds languages and levels', () => {
    expect(findLanguages('deutsch b2 und englisch c1')).toEqual([
      { language: 'de', level: 'B2' },
      { language: 'en', level: 'C1' },
    ]);
    expect(findLanguages('gute deutschkenntnisse')).toEqual([{ language: 'de', level: 'B1' }]);
    expect(findLanguages('verhandlungssicheres englisch')).toEqual([{ language: 'en', level: 'C1' }]);
    expect(findLanguages('englisch fließend')).toEqual([{ language: 'en', level: 'C1' }]);
    expect(findLanguages('grundkenntnisse in deutsch')).toEqual([{ language: 'de', level: 'A2' }]);
    expect(findLanguages('türkisch als muttersprache')).toEqual([{ language: 'tr', level: 'native' }]);
    expect(findLanguages('ein deutschlandweit tätiges unternehmen')).toEqual([]);
  });
});

describe('dates', () => {
  it('parses ISO and German dates and rejects invalid ones', () => {
    expect(parseDate('2025-05-20')?.toISOString()).toBe('2025-05-20T00:00:00.000Z');
    expect(parseDate('2025-05-20T08:30:00+02:00')?.toISOString()).toBe('2025-05-20T06:30:00.000Z');
    expect(parseDate('20.05.2025')?.toISOString()).toBe('2025-05-20T00:00:00.000Z');
    expect(parseDate('31.02.2025')).toBeNull();
    expect(parseDate('2025-13-01')).toBeNull();
    expect(parseDate('gestern')).toBeNull();
    expect(parseDate('')).toBeNull();
  });
  it('handles future publication, expiry before publication and past expiry', () => {
    expect(vacancyDates('2030-01-01', undefined, NOW).publishedAt).toEqual(NOW);
    expect(vacancyDates('2025-05-01', '2025-04-01', NOW).validThrough).toBeNull();
    const past = vacancyDates('2025-04-01', '30.04.2025', NOW);
    expect(isExpired(past, NOW)).toBe(true);
    expect(isExpired({ validThrough: new Date('2025-06-01T00:00:00Z') }, NOW)).toBe(false);
  });
});

describe('normalisePosting', () => {
  it('normalises a typical job-board posting', () => {
    const v = normalise({
      externalId: 'x-1',
      title: 'Berufskraftfahrer (m/w/d) CE – unbefristet',
      description:
        '<p>Wir suchen ab sofort in Vollzeit.</p><ul><li>Führerschein Klasse CE</li><li>Staplerschein</li><li>Gute Deutschkenntnisse</li></ul>',
      employerName: '  Muster Logistik GmbH ',
      locations: [{ plz: '70173', city: 'Stuttgart' }],
      employmentTypes: ['FULL_TIME'],
      datePosted: '2025-05-20',
    });
    expect(NormalisedVacancy.parse(v)).toBeTruthy();
    expect(v).toMatchObject({
      title: 'Berufskraftfahrer (m/w/d) CE – unbefristet',
      employerName: 'Muster Logistik GmbH',
      kldbCode: '52122',
      requirementLevel: 2,
      plz: '70173',
      workingTimes: ['vollzeit'],
      contractType: 'unbefristet',
      offerType: 'arbeit',
      licences: ['CE', 'STAPLER'],
      languages: [{ language: 'de', level: 'B1' }],
    });
    expect(v.description).not.toContain('<');
  });

  it('lets a stated KldB code win with full confidence', () => {
    const v = normalise({ externalId: 'e-1', title: 'Mitarbeiter (m/w/d)', kldbCode: '51311' });
    expect(v).toMatchObject({ kldbCode: '51311', kldbConfidence: 1, kldbNeedsReview: false, requirementLevel: 1 });
  });

  it('ignores a stated code that is not in the classification', () => {
    const v = normalise({ externalId: 'e-2', title: 'Koch (m/w/d)', kldbCode: '00000' });
    expect(v.kldbCode).toBe('29302');
  });

  it('never throws and always yields a valid vacancy for arbitrary input', () => {
    const text = fc.string({ maxLength: 300 });
    fc.assert(
      fc.property(
        fc.record({
          title: fc.string({ minLength: 1, maxLength: 200 }),
          description: text,
          employerName: text,
          plz: fc.string({ maxLength: 10 }),
          city: text,
          lat: fc.double({ min: -90, max: 90, noNaN: true }),
          lon: fc.double({ min: -180, max: 180, noNaN: true }),
          date: fc.string({ maxLength: 40 }),
        }),
        (r) => {
          const v = normalise({
            externalId: 'p',
            title: r.title,
            description: r.description,
            employerName: r.employerName,
            locations: [{ plz: r.plz, city: r.city, lat: r.lat, lon: r.lon }],
            datePosted: r.date,
            validThrough: r.date,
          });
          expect(NormalisedVacancy.safeParse(v).success).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('handles a gigantic description', () => {
    // A regular expression that backtracks badly on long input would make this run into the test timeout.
    const description = `${'<div>Lager Kommissionierung SAP Teilzeit</div>'.repeat(2_000)}`.slice(0, 100_000);
    const v = normalise({ externalId: 'big', title: 'Lagerhelfer', description });
    expect(v.skills).toContain('Kommissionierung');
  });
});

describe('occupation codes kept per title', () => {
  /** What the coder gives a posting when asked afresh, with its description, as normalisation did before it kept codes. */
  function codedAfresh(input: RawPostingInput) {
    const raw = RawPosting.parse(input);
    const title = plainText(raw.title);
    const result = codeOccupation({
      title: cleanTitle(title),
      description: plainText(raw.description),
      hints: raw.occupationHints,
    });
    return {
      kldbCode: result.best?.code ?? null,
      kldbConfidence: result.best?.confidence ?? 0,
      kldbNeedsReview: result.needsReview,
    };
  }
  const codeOf = (input: RawPostingInput) => {
    const { kldbCode, kldbConfidence, kldbNeedsReview } = normalise(input);
    return { kldbCode, kldbConfidence, kldbNeedsReview };
  };

  it('codes every posting as the coder does afresh, the second time a title comes as the first', () => {
    const ads = generateVacancies(300, 7, Date.UTC(2026, 10, 20)).map((v, i) => ({
      externalId: `s-${i}`,
      title: v.title,
      description: v.description,
      locations: [{ plz: v.plz }],
    }));
    const hinted = { externalId: 'h', title: 'Mitarbeiter (m/w/d)', occupationHints: ['Berufskraftfahrer'] };
    for (const ad of [...ads, ...ads, hinted, { ...hinted, occupationHints: [] }])
      expect(codeOf(ad)).toEqual(codedAfresh(ad));
  });

  it('reads the description of each posting whose title says nothing to the coder', () => {
    const unknown = 'Xyzzy Quux (m/w/d)';
    const warehouse = {
      externalId: 'u-1',
      title: unknown,
      description: 'Wir suchen Verstärkung im Lager: Kommissionierung und Staplerfahren.',
    };
    const kitchen = {
      externalId: 'u-2',
      title: unknown,
      description: 'Für unsere Küche suchen wir Unterstützung beim Kochen.',
    };
    expect(codeOf(warehouse)).toEqual(codedAfresh(warehouse));
    expect(codeOf(kitchen)).toEqual(codedAfresh(kitchen));
    expect(codeOf(kitchen).kldbCode).not.toBe(codeOf(warehouse).kldbCode);
    expect(codeOf({ externalId: 'u-3', title: unknown }).kldbCode).toBeNull();
  });

  it('codes with a newly installed coder, not with codes kept from the one before', () => {
    const ad = { externalId: 'c-1', title: 'Brommelflicker (m/w/d)' };
    const before = codeOf(ad);
    installCoder(new Coder(buildIndex([{ code: '24412', text: 'Brommelflicker/in', factor: 1 }])));
    try {
      expect(codeOf(ad).kldbCode).toBe('24412');
    } finally {
      installCoder(null);
    }
    expect(codeOf(ad)).toEqual(before);
  });
});
