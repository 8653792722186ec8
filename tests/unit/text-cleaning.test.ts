/**
 * Crawled text is written by strangers. Whatever markup a source sends, in whatever encoding (raw, entity-encoded
 * once or several times, decimal or hex, with or without the HTML parser's help), the cleaned text that ingest stores
 * and the API serves must never carry it as live markup, nor characters the database cannot store.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { htmlToText } from '../../crawlers/common.ts';
import { RawPosting } from '../../src/domain/posting.ts';
import { normalisePosting } from '../../src/ingest/normalise.ts';
import { hasUnstorableText, plainText, storableText } from '../../src/ingest/text.ts';

/** A tag opening as the HTML tokenizer sees one: "<" then a letter, "/", "!" or "?". */
const LIVE_MARKUP = /<[a-z!/?]/i;
// biome-ignore lint/suspicious/noControlCharactersInRegex: the point is to find control characters
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const ATTACKS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg/onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '<iframe src="https://evil.example"></iframe>',
  '<scr<script>ipt>alert(1)</script>',
  '<<img src=x onerror=alert(1)>img src=x onerror=alert(1)>',
  '<title><img src=x onerror=alert(1)></title>',
  '<textarea><img src=x onerror=alert(1)></textarea>',
  '<!--><img src=x onerror=alert(1)>-->',
  '<![CDATA[<img src=x onerror=alert(1)>]]>',
  '<style>@import "https://evil.example";</style>',
  '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
  '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
];

/** One level of entity encoding, in the styles sources use. */
const ENCODERS: Record<string, (s: string) => string> = {
  named: (s) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;'),
  decimal: (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`),
  hex: (s) => s.replace(/[&<>"']/g, (c) => `&#x${c.charCodeAt(0).toString(16)};`),
  hexUpper: (s) => s.replace(/[&<>"']/g, (c) => `&#X${c.charCodeAt(0).toString(16).toUpperCase()};`),
  zeroPadded: (s) => s.replace(/[&<>]/g, (c) => `&#000${c.charCodeAt(0)};`),
  upperNamed: (s) => s.replace(/&/g, '&AMP;').replace(/</g, '&LT;').replace(/>/g, '&GT;'),
};

const fragment = fc.constantFrom(
  ...ATTACKS,
  '<',
  '>',
  '</',
  '<!',
  '<?',
  '&',
  ';',
  '&lt;',
  '&amp;',
  '&#60;',
  '&#x3c;',
  '"',
  "'",
  '=',
  'onerror',
  'script',
  'img',
  ' ',
  '\n',
  '\t',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u007f',
  '\ud800',
  'Koch',
  'Müller & Söhne',
  'Straße',
  '3 < 5',
);

const hostileText = fc
  .tuple(
    fc.array(fragment, { maxLength: 12 }).map((parts) => parts.join('')),
    fc.array(fc.constantFrom(...Object.keys(ENCODERS)), { maxLength: 3 }),
  )
  .map(([text, encoders]) => encoders.reduce((s, name) => ENCODERS[name]!(s), text));

/** Once more decoded, as a careless consumer might: still no markup. */
const decodedOnce = (s: string) =>
  s
    .replace(/&lt;/gi, '<')
    .replace(/&gt;/gi, '>')
    .replace(/&#0*60;/g, '<')
    .replace(/&#x0*3c;/gi, '<')
    .replace(/&amp;/gi, '&');

describe('plainText (crawled text → stored text)', () => {
  it.each(ATTACKS.map((a) => [a]))('leaves no markup of %s, raw or encoded up to three times', (attack) => {
    for (const encode of Object.values(ENCODERS)) {
      for (const text of [attack, encode(attack), encode(encode(attack)), encode(encode(encode(attack)))]) {
        const out = plainText(`Koch ${text} gesucht`);
        expect(out, text).not.toMatch(LIVE_MARKUP);
        expect(decodedOnce(out), text).not.toMatch(LIVE_MARKUP);
        expect(out).toMatch(/^Koch\b/);
      }
    }
  });

  it('cleans entity-encoded markup even when the raw text has no "<" (finding 1)', () => {
    expect(plainText('&lt;img src=x onerror=alert(1)&gt;Koch')).toBe('Koch');
    expect(plainText('&amp;lt;img src=x onerror=alert(1)&amp;gt;Koch')).toBe('Koch');
    expect(plainText('&#60;script&#62;alert(1)&#60;/script&#62;Koch')).toBe('Koch');
  });

  it('keeps ordinary text, decodes entities for display and collapses whitespace', () => {
    expect(plainText('Müller &amp; Söhne GmbH')).toBe('Müller & Söhne GmbH');
    expect(plainText('Gehalt &lt; 3.000 &euro; &auml;')).toBe('Gehalt < 3.000 € ä');
    expect(plainText('<p>Wir&nbsp;suchen</p><ul><li>SAP</li><li>Excel</li></ul>')).toBe('Wir suchen SAP Excel');
    expect(plainText('3 < 5 und 7 > 2')).toBe('3 < 5 und 7 > 2');
  });

  it('strips NUL and the other control characters, and repairs broken surrogates', () => {
    expect(plainText('Ko\u0000ch\u0007 (m/w/d)\u001b')).toBe('Koch (m/w/d)');
    expect(plainText('Koch&#0;&#1;in')).not.toMatch(CONTROL);
    expect(plainText('Koch \ud800 in')).not.toMatch(LONE_SURROGATE);
    expect(plainText('Koch 😀 in')).toBe('Koch 😀 in');
  });

  it('never leaves live markup, control characters or broken surrogates, for any mix of fragments and encodings', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = plainText(text);
        expect(out).not.toMatch(LIVE_MARKUP);
        expect(decodedOnce(out)).not.toMatch(LIVE_MARKUP);
        expect(out).not.toMatch(CONTROL);
        expect(out).not.toMatch(LONE_SURROGATE);
        expect(hasUnstorableText(out)).toBe(false);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is idempotent: cleaning clean text changes nothing', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const once = plainText(text);
        expect(plainText(once)).toBe(once);
      }),
      { numRuns: 1_000 },
    );
  });

  it('leaves text without markup or entities as it is, whitespace collapsed', () => {
    const safe = fc
      .string({ unit: fc.constantFrom(...'abcxyzäöüßÄÖÜ0123456789 .,;:-/()€%+!?"\'=>'.split('')), maxLength: 200 })
      .filter((s) => !s.includes('&'));
    fc.assert(
      fc.property(safe, (text) => {
        expect(plainText(text)).toBe(text.replace(/\s+/g, ' ').trim());
      }),
    );
  });

  it('caps the result', () => {
    expect(plainText('&lt;b&gt;x&lt;/b&gt; '.repeat(50_000), 1_000).length).toBeLessThanOrEqual(1_000);
  });
});

describe('crawled postings through the crawler helpers and normalisation', () => {
  it('no hostile title, employer or description comes out as markup', () => {
    fc.assert(
      fc.property(hostileText, hostileText, hostileText, (title, employer, description) => {
        const raw = RawPosting.parse({
          externalId: 'feindlich-1',
          title: `Koch ${title}`.slice(0, 500),
          employerName: employer.slice(0, 300),
          description: htmlToText(description),
        });
        const vacancy = normalisePosting(raw, { now: new Date('2026-11-20T09:00:00Z') });
        for (const field of [vacancy.title, vacancy.description, vacancy.employerName ?? '']) {
          expect(field).not.toMatch(LIVE_MARKUP);
          expect(field).not.toMatch(CONTROL);
          expect(decodedOnce(field)).not.toMatch(LIVE_MARKUP);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('storable text', () => {
  it('finds what PostgreSQL refuses: NUL anywhere, and broken surrogates', () => {
    expect(hasUnstorableText({ a: ['ok', { b: 'x\u0000' }] })).toBe(true);
    expect(hasUnstorableText({ 'k\u0000': 1 })).toBe(true);
    expect(hasUnstorableText('a\udc00')).toBe(true);
    expect(hasUnstorableText({ a: 'Köchin 😀', n: 1, t: true, z: null })).toBe(false);
  });

  it('makes any string storable, clipped', () => {
    expect(storableText('a\u0000b\ud800c', 10)).toBe('ab\ufffdc');
    expect(storableText('x'.repeat(300), 100)).toBe(`${'x'.repeat(100)}…`);
  });
});
