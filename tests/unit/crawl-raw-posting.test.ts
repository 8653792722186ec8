/**
 * `toRawPosting` is the gate every crawled posting passes: links other than http(s) never get through, and the short
 * texts ingest stores as they are (places, employment types, occupation hints) lose their markup there.
 */
import { describe, expect, it } from 'vitest';
import { toRawPosting } from '../../crawlers/common.ts';
import type { CrawlErrorRecord } from '../../crawlers/types.ts';

describe('toRawPosting with hostile input', () => {
  it('drops javascript: and data: links, keeps http(s)', () => {
    const errors: CrawlErrorRecord[] = [];
    const posting = toRawPosting(
      {
        externalId: 'feind-1',
        title: 'Koch',
        url: 'javascript:alert(1)',
        originUrl: 'data:text/html,<script>alert(1)</script>',
      },
      errors,
    );
    expect(posting?.url).toBeUndefined();
    expect(posting?.originUrl).toBeUndefined();
    expect(errors).toEqual([]);
    const fine = toRawPosting({ externalId: 'ok', title: 'Koch', url: 'https://jobs.example/1' }, errors);
    expect(fine?.url).toBe('https://jobs.example/1');
  });

  it('removes markup from places, employment types and occupation hints', () => {
    const posting = toRawPosting(
      {
        externalId: 'feind-2',
        title: 'Koch',
        locations: [
          { city: '&lt;img src=x onerror=alert(1)&gt;Stuttgart', street: '<b>Königstraße</b> 1', plz: '70173' },
        ],
        employmentTypes: ['<script>x()</script>FULL_TIME', '<i></i>'],
        occupationHints: ['Koch/Köchin &amp;lt;svg onload=x&amp;gt;'],
      },
      [],
    );
    expect(posting?.locations).toEqual([{ city: 'Stuttgart', street: 'Königstraße 1', plz: '70173' }]);
    expect(posting?.employmentTypes).toEqual(['FULL_TIME']);
    expect(posting?.occupationHints).toEqual(['Koch/Köchin']);
  });
});
