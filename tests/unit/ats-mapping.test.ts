/**
 * The pure parts of the ATS sources: employment words, salary periods, dates, and each system's mapping on payloads
 * that are wrong in the ways real boards are (missing lists, entries that are no objects, markup in short fields).
 */
import { describe, expect, it } from 'vitest';
import { mapGreenhouseJobs } from '../../crawlers/ats/greenhouse.ts';
import { mapLeverPage } from '../../crawlers/ats/lever.ts';
import { mapRecruiteeOffers } from '../../crawlers/ats/recruitee.ts';
import { employmentFacts, isoDate, salaryOf } from '../../crawlers/ats/shared.ts';
import { mapSmartRecruitersPosting } from '../../crawlers/ats/smartrecruiters.ts';
import { mapWorkableAccount } from '../../crawlers/ats/workable.ts';
import type { CrawlErrorRecord } from '../../crawlers/types.ts';
import { atsEndpoint } from '../../src/sources/source-config.ts';
import { AddSourceInput } from '../../src/sources/sources.ts';

const URL = 'https://ats.example/api';

describe('employment words', () => {
  it.each([
    [['fulltime permanent'], { workingTimes: ['vollzeit'], contractType: 'unbefristet' }],
    [['parttime fixed term'], { workingTimes: ['teilzeit'], contractType: 'befristet' }],
    [['Unbefristet'], { contractType: 'unbefristet' }],
    [['Befristet'], { contractType: 'befristet' }],
    [['Vollzeit', 'Teilzeit'], { workingTimes: ['vollzeit', 'teilzeit'] }],
    [['Minijob'], { workingTimes: ['minijob'] }],
    [['internship'], { offerType: 'praktikum' }],
    [['Ausbildung'], { offerType: 'ausbildung' }],
    [['freelance'], { offerType: 'selbstaendigkeit' }],
  ])('%j states %j', (words, facts) => {
    expect(employmentFacts(words)).toMatchObject({ employmentTypes: words, ...facts });
  });

  it('states nothing for words it does not know, and keeps them for normalisation', () => {
    expect(employmentFacts(['Contract', undefined, ' '])).toEqual({ employmentTypes: ['Contract'] });
  });
});

describe('salaries', () => {
  it.each([
    [['3000', '3500', 'eur', 'month'], { min: 3000, max: 3500, currency: 'EUR', unit: 'month' }],
    [[40000, 50000, 'EUR', 'per-year-salary'], { min: 40000, max: 50000, currency: 'EUR', unit: 'year' }],
    [[15.5, undefined, 'EUR', 'per-hour-wage'], { min: 15.5, currency: 'EUR', unit: 'hour' }],
    [[800, 900, 'EUR', 'week'], { min: 41600, max: 46800, currency: 'EUR', unit: 'year' }],
    [['3.100,50', null, 'Euro', 'monthly'], { min: 3100.5, currency: 'EUR', unit: 'month' }],
  ])('%j → %j', (args, salary) => {
    expect(salaryOf(...(args as [unknown, unknown, unknown, unknown]))).toEqual(salary);
  });

  it.each([
    [[100, 120, 'EUR', 'per-day-wage']],
    [[null, null, 'EUR', 'month']],
    [['0', '', 'EUR', 'year']],
    [['viel', 'mehr', 'EUR', 'month']],
  ])('drops %j', (args) => {
    expect(salaryOf(...(args as [unknown, unknown, unknown, unknown]))).toBeUndefined();
  });
});

describe('dates', () => {
  it('reads epoch milliseconds, ISO text and Recruitee’s "UTC" suffix; drops the unreadable', () => {
    expect(isoDate(1762070400000)).toBe('2025-11-02T08:00:00.000Z');
    expect(isoDate('2026-11-02 08:00:00 UTC')).toBe('2026-11-02T08:00:00.000Z');
    expect(isoDate('2026-11-03T09:00:00-05:00')).toBe('2026-11-03T14:00:00.000Z');
    expect(isoDate('bald')).toBeUndefined();
    expect(isoDate(Number.NaN)).toBeUndefined();
  });
});

describe('mappings refuse what is not their system’s answer', () => {
  it.each([
    ['Recruitee', (b: unknown) => mapRecruiteeOffers(b, URL, undefined, [])],
    ['Greenhouse', (b: unknown) => mapGreenhouseJobs(b, URL, undefined, [])],
    ['Lever', (b: unknown) => mapLeverPage(b, URL, undefined, [])],
    ['Workable', (b: unknown) => mapWorkableAccount(b, URL, undefined, [])],
  ])('%s: a parse error naming the URL', (_name, map) => {
    for (const body of [null, 'text', { jobs: 'none', offers: 'none' }, 42]) {
      expect(() => map(body)).toThrow(expect.objectContaining({ kind: 'parse', url: URL }));
    }
  });
});

describe('mapping details', () => {
  it('Lever: list entries that are no objects are recorded, the rest mapped', () => {
    const errors: CrawlErrorRecord[] = [];
    const page = mapLeverPage([null, 'x', { id: 'a1', text: 'Koch (m/w/d)' }], URL, 'Kantine Test GmbH', errors);
    expect(page.count).toBe(3);
    expect(page.postings).toEqual([
      expect.objectContaining({ externalId: 'a1', title: 'Koch (m/w/d)', employerName: 'Kantine Test GmbH' }),
    ]);
    expect(errors).toHaveLength(2);
  });

  it('Recruitee: markup in places is removed, a javascript: link dropped, the configured employer a fallback', () => {
    const errors: CrawlErrorRecord[] = [];
    const [posting] = mapRecruiteeOffers(
      {
        offers: [
          {
            id: 7,
            title: 'Verkäufer (m/w/d)',
            careers_url: 'javascript:alert(1)',
            locations: [{ city: '<b>Stuttgart</b>', postal_code: '70173' }],
          },
        ],
      },
      URL,
      'Beispiel Handel GmbH (Test)',
      errors,
    );
    expect(errors).toEqual([]);
    expect(posting).toMatchObject({
      externalId: '7',
      employerName: 'Beispiel Handel GmbH (Test)',
      locations: [{ city: 'Stuttgart', plz: '70173' }],
    });
    expect(posting?.url).toBeUndefined();
  });

  it('Greenhouse: a location line with several places and a remote part', () => {
    const { postings, short } = mapGreenhouseJobs(
      { jobs: [{ id: 1, title: 'Entwickler (m/w/d)', location: { name: 'Stuttgart | München | Remote' } }] },
      URL,
      undefined,
      [],
    );
    expect(short).toBe(false);
    expect(postings[0]).toMatchObject({ locations: [{ city: 'Stuttgart' }, { city: 'München' }], remote: true });
  });

  it('SmartRecruiters: without a detail the listing still gives title, place and categories', () => {
    const posting = mapSmartRecruitersPosting(
      {
        id: '1',
        name: 'Elektriker (m/w/d)',
        location: { city: 'Esslingen', remote: true },
        typeOfEmployment: { id: 'permanent', label: 'Vollzeit' },
        creator: { name: 'Testperson Rekrutierung' },
      },
      undefined,
      URL,
      'Beispiel Elektro GmbH (Test)',
      [],
    );
    expect(posting).toMatchObject({
      title: 'Elektriker (m/w/d)',
      employerName: 'Beispiel Elektro GmbH (Test)',
      locations: [{ city: 'Esslingen' }],
      remote: true,
      workingTimes: ['vollzeit'],
      contractType: 'unbefristet',
      description: '',
    });
    expect(JSON.stringify(posting)).not.toContain('Testperson');
  });

  it('Workable: hidden places are left out', () => {
    const [posting] = mapWorkableAccount(
      {
        name: 'Beispiel Gastro GmbH (Test)',
        jobs: [
          {
            shortcode: 'ABC',
            title: 'Koch (m/w/d)',
            telecommuting: true,
            locations: [{ city: 'Geheim', hidden: true }, { city: 'Stuttgart' }],
          },
        ],
      },
      URL,
      undefined,
      [],
    );
    expect(posting).toMatchObject({ locations: [{ city: 'Stuttgart' }], remote: true });
  });
});

describe('adding an ATS or exchange source', () => {
  it('builds the documented API address from the board name', () => {
    expect(atsEndpoint('recruitee', 'beispiel')).toBe('https://beispiel.recruitee.com/api/offers/');
    expect(atsEndpoint('greenhouse', 'beispiel')).toBe('https://boards-api.greenhouse.io/v1/boards/beispiel/jobs');
    expect(atsEndpoint('lever', 'beispiel')).toBe('https://api.lever.co/v0/postings/beispiel');
    expect(atsEndpoint('smartrecruiters', 'Beispiel')).toBe(
      'https://api.smartrecruiters.com/v1/companies/Beispiel/postings',
    );
    expect(atsEndpoint('workable', 'beispiel')).toBe('https://apply.workable.com/api/v1/widget/accounts/beispiel');
    expect(() => atsEndpoint('lever', '../admin')).toThrow();
  });

  it('checks the type’s config and names each bad field', () => {
    const refused = AddSourceInput.safeParse({
      type: 'smartrecruiters',
      url: 'https://api.smartrecruiters.com/v1/companies/Beispiel/postings',
      config: { pageSize: 500, detials: false },
    });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(['config', 'config.pageSize']);
    expect(
      AddSourceInput.safeParse({
        type: 'exchange',
        url: 'https://jobcenter-b.example/austausch/stellen.jsonld',
        config: { maxPages: 10 },
      }).success,
    ).toBe(true);
  });
});
