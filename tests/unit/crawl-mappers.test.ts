import { describe, expect, it } from 'vitest';
import { mapBaItem } from '../../crawlers/ba-jobsuche.ts';
import { htmlToText } from '../../crawlers/common.ts';
import { FeedConfig, mapFeed } from '../../crawlers/feed.ts';
import { extractJobPostings, findJobPostings, mapJobPosting } from '../../crawlers/jsonld.ts';
import { mapPersonioFeed } from '../../crawlers/personio.ts';
import { parseSitemap } from '../../crawlers/sitemap.ts';
import type { CrawlErrorRecord } from '../../crawlers/types.ts';

const PAGE = 'https://karriere.beispiel.example/jobs/1';

describe('JSON-LD JobPosting mapping', () => {
  it('maps every schema.org field we use', () => {
    const errors: CrawlErrorRecord[] = [];
    const posting = mapJobPosting(
      {
        '@type': 'JobPosting',
        title: 'Lagerhelfer (m/w/d)',
        description: '<p>Kommissionierung</p><ul><li>Staplerschein</li><li>Schicht</li></ul>',
        identifier: { '@type': 'PropertyValue', name: 'Beispiel', value: 'LAG-1' },
        hiringOrganization: { '@type': 'Organization', name: 'Beispiel Logistik GmbH' },
        employmentType: ['FULL_TIME', 'TEMPORARY'],
        datePosted: '2026-11-01',
        validThrough: '2026-12-01',
        jobLocation: [
          {
            '@type': 'Place',
            address: { postalCode: '70173', addressLocality: 'Stuttgart', addressCountry: { name: 'DE' } },
          },
          {
            '@type': 'Place',
            address: { addressLocality: 'Ludwigsburg' },
            geo: { latitude: '48.89', longitude: 9.19 },
          },
        ],
        baseSalary: {
          '@type': 'MonetaryAmount',
          currency: 'eur',
          value: { minValue: '2800', maxValue: 3200, unitText: 'MONTH' },
        },
        occupationalCategory: ['Lagerwirtschaft'],
      },
      PAGE,
      `${PAGE}#0`,
      errors,
    );
    expect(errors).toEqual([]);
    expect(posting).toEqual({
      externalId: 'LAG-1',
      url: PAGE,
      title: 'Lagerhelfer (m/w/d)',
      description: 'Kommissionierung\n\nStaplerschein\nSchicht',
      employerName: 'Beispiel Logistik GmbH',
      locations: [
        { plz: '70173', city: 'Stuttgart', country: 'DE' },
        { city: 'Ludwigsburg', lat: 48.89, lon: 9.19 },
      ],
      employmentTypes: ['FULL_TIME', 'TEMPORARY'],
      salary: { min: 2800, max: 3200, currency: 'EUR', unit: 'month' },
      occupationHints: ['Lagerwirtschaft'],
      datePosted: '2026-11-01',
      validThrough: '2026-12-01',
    });
  });

  it('uses the posting URL as id when there is no identifier, and marks telecommuting as remote', () => {
    const posting = mapJobPosting(
      {
        '@type': 'JobPosting',
        name: 'Disponent',
        url: '/jobs/disponent',
        jobLocationType: 'TELECOMMUTE',
        hiringOrganization: 'Beispiel GmbH',
      },
      PAGE,
      `${PAGE}#0`,
      [],
    );
    expect(posting).toMatchObject({
      externalId: 'https://karriere.beispiel.example/jobs/disponent',
      url: 'https://karriere.beispiel.example/jobs/disponent',
      remote: true,
      employerName: 'Beispiel Gmbh'.replace('Gmbh', 'GmbH'),
    });
  });

  it('converts a weekly salary to a yearly one and drops a daily one', () => {
    const week = mapJobPosting(
      { title: 'A', baseSalary: { currency: 'EUR', value: { value: 500, unitText: 'WEEK' } } },
      PAGE,
      'x',
      [],
    );
    expect(week?.salary).toEqual({ min: 26_000, max: 26_000, currency: 'EUR', unit: 'year' });
    const day = mapJobPosting({ title: 'B', baseSalary: { value: { value: 100, unitText: 'DAY' } } }, PAGE, 'y', []);
    expect(day?.salary).toBeUndefined();
  });

  it('finds postings in @graph, arrays and nested entities', () => {
    const found = findJobPostings({
      '@graph': [
        { '@type': 'WebPage', mainEntity: { '@type': ['JobPosting'], title: 'A' } },
        [{ '@type': 'schema:JobPosting', title: 'B' }],
      ],
    });
    expect(found.map((n) => n.title)).toEqual(['A', 'B']);
  });

  it('skips a malformed block with a parse error and keeps the rest of the page', () => {
    const errors: CrawlErrorRecord[] = [];
    const html = `<html><head>
      <script type="application/ld+json">{"@type": "JobPosting", "title": </script>
      <script type="Application/LD+JSON">{"@type": "JobPosting", "title": "Gärtner"}</script>
      <script type="application/ld+json">{"@type": "JobPosting", "title": "Koch"}</script>
      </head><body><p>unclosed`;
    const postings = extractJobPostings(html, PAGE, errors);
    expect(postings.map((p) => [p.title, p.externalId])).toEqual([
      ['Gärtner', `${PAGE}#0`],
      ['Koch', `${PAGE}#1`],
    ]);
    expect(errors).toEqual([expect.objectContaining({ kind: 'parse', url: PAGE })]);
  });
});

describe('BA item mapping', () => {
  it('maps a v6 item', () => {
    const posting = mapBaItem(
      {
        referenznummer: '10000-1-S',
        stellenangebotsTitel: 'Koch (m/w/d)',
        stellenangebotsart: 'PRAKTIKUM_TRAINEE',
        hauptberuf: 'Koch/Köchin',
        alleBerufe: ['Koch/Köchin', 'Beikoch/-köchin'],
        firma: 'Beispiel Gastro GmbH',
        arbeitszeitVollzeit: true,
        arbeitszeitTeilzeitAbend: true,
        istGeringfuegigeBeschaeftigung: true,
        vertragsdauer: 'UNBEFRISTET',
        veroeffentlichungszeitraum: { von: '2026-11-10', bis: '2026-12-10' },
        unbekanntesNeuesFeld: { egal: true },
      },
      [],
    );
    expect(posting).toMatchObject({
      externalId: '10000-1-S',
      url: 'https://www.arbeitsagentur.de/jobsuche/jobdetail/10000-1-S',
      offerType: 'praktikum',
      workingTimes: ['vollzeit', 'teilzeit', 'minijob'],
      contractType: 'unbefristet',
      occupationHints: ['Koch/Köchin', 'Beikoch/-köchin'],
      datePosted: '2026-11-10',
      validThrough: '2026-12-10',
    });
  });

  it('states no working time when the item has no flags', () => {
    expect(mapBaItem({ refnr: '1', titel: 'Helfer' }, [])?.workingTimes).toBeUndefined();
  });

  it('records items of the wrong shape', () => {
    const errors: CrawlErrorRecord[] = [];
    expect(mapBaItem({ referenznummer: 42 }, errors)).toBeUndefined();
    expect(mapBaItem('kein Objekt', errors)).toBeUndefined();
    expect(errors).toHaveLength(2);
  });
});

describe('Personio mapping', () => {
  const feed = (positions: string) => `<?xml version="1.0"?><workzag-jobs>${positions}</workzag-jobs>`;

  it('keeps ids as strings and maps schedule and employment type', () => {
    const postings = mapPersonioFeed(
      feed(
        '<position><id>007</id><name>Werkstudent (m/w/d)</name><office>Stuttgart</office><employmentType>working_student</employmentType><schedule>part-time</schedule></position>',
      ),
      'https://beispiel.jobs.personio.de/xml',
      'Beispiel AG',
      [],
    );
    expect(postings).toEqual([
      expect.objectContaining({
        externalId: '007',
        url: 'https://beispiel.jobs.personio.de/job/007',
        employerName: 'Beispiel AG',
        workingTimes: ['teilzeit'],
        offerType: 'arbeit',
        employmentTypes: ['working_student', 'part-time'],
      }),
    ]);
  });

  it('accepts an empty feed and refuses a foreign document', () => {
    expect(mapPersonioFeed('<workzag-jobs></workzag-jobs>', 'https://b.jobs.personio.de/xml', undefined, [])).toEqual(
      [],
    );
    expect(() => mapPersonioFeed('<rss/>', 'https://b.jobs.personio.de/xml', undefined, [])).toThrow(
      expect.objectContaining({ kind: 'parse' }),
    );
  });
});

describe('feed mapping', () => {
  it('uses guid, else link, as id and reads custom location tags', () => {
    const xml = `<rss version="2.0"><channel><item><title>Koch</title><link>https://b.example/1</link><location>Fellbach</location></item></channel></rss>`;
    expect(mapFeed(xml, 'https://b.example/feed', FeedConfig.parse({}), [])).toEqual([
      expect.objectContaining({ externalId: 'https://b.example/1', locations: [{ city: 'Fellbach' }] }),
    ]);
  });
});

describe('sitemaps and text', () => {
  it('parses urlset and sitemapindex', () => {
    expect(
      parseSitemap(
        '<urlset><url><loc> https://b.example/a </loc></url><url><loc>https://b.example/b</loc></url></urlset>',
      ),
    ).toEqual({
      pages: ['https://b.example/a', 'https://b.example/b'],
      sitemaps: [],
    });
    expect(
      parseSitemap('<sitemapindex><sitemap><loc>https://b.example/s1.xml</loc></sitemap></sitemapindex>').sitemaps,
    ).toEqual(['https://b.example/s1.xml']);
    expect(() => parseSitemap('<urlset><url>')).toThrow(expect.objectContaining({ kind: 'parse' }));
  });

  it('strips HTML, including entity-encoded HTML, but keeps literal angle brackets in text', () => {
    expect(htmlToText('<p>Eins</p><script>alert(1)</script><p>Zwei&nbsp;&amp; drei</p>')).toBe('Eins\n\nZwei & drei');
    expect(htmlToText('&lt;p&gt;Teilzeit&lt;/p&gt;')).toBe('Teilzeit');
    expect(htmlToText('Koch &lt;m/w/d&gt;')).toBe('Koch <m/w/d>');
  });
});
