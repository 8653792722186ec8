/**
 * The exchange feed as Atom (RFC 4287) for feed readers and boards that take Atom: one entry per vacancy with the
 * same ids, text and facts as the JSON-LD, the KldB code as a category, paged with RFC 5005 `next` links.
 */
import { WORKING_TIME_LABEL } from '../domain/enums.ts';
import { placesOf } from '../vacancies/vacancy.ts';
import type { ExchangePage, ExchangeVacancy } from './feed.ts';
import { EXCHANGE_PATHS, type ExchangePublisher, vacancyPage, vacancyUri } from './job-posting.ts';
import { redactContacts } from './redact.ts';

/** XML 1.0's Char production: most control characters and unpaired surrogates may not appear, escaped or not. */
function isXmlChar(codePoint: number): boolean {
  return (
    codePoint === 0x9 ||
    codePoint === 0xa ||
    codePoint === 0xd ||
    (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
    (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
    codePoint >= 0x10000
  );
}

export function xmlText(value: string): string {
  let text = '';
  // Iterating a string yields code points, and an unpaired surrogate as itself.
  for (const char of value) if (isXmlChar(char.codePointAt(0) ?? 0)) text += char;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function summary(v: ExchangeVacancy): string {
  const facts = [
    v.content.employerName,
    placesOf(v.content)
      .map((p) => [p.plz, p.place].filter(Boolean).join(' '))
      .join('; '),
    v.content.workingTimes.map((t) => WORKING_TIME_LABEL[t]).join(', '),
    `${v.openPositions} ${v.openPositions === 1 ? 'Stelle' : 'Stellen'}`,
    `gültig bis ${v.validThrough.toISOString().slice(0, 10)}`,
  ];
  return facts.filter((f) => f).join(' · ');
}

function entry(v: ExchangeVacancy, publisher: ExchangePublisher): string {
  const code = v.content.kldbCode;
  return [
    '<entry>',
    `<id>${xmlText(vacancyUri(publisher, v.id))}</id>`,
    `<title>${xmlText(redactContacts(v.content.title))}</title>`,
    `<updated>${v.updatedAt.toISOString()}</updated>`,
    `<published>${v.publishedAt.toISOString()}</published>`,
    `<link rel="alternate" href="${xmlText(vacancyPage(publisher, v.id))}"/>`,
    code ? `<category scheme="urn:kldb:2010" term="${code}"/>` : '',
    `<summary>${xmlText(summary(v))}</summary>`,
    `<content type="text">${xmlText(redactContacts(v.content.description))}</content>`,
    '</entry>',
  ].join('');
}

export function exchangeAtom(
  page: ExchangePage,
  publisher: ExchangePublisher,
  nextPageUrl: string | undefined,
): string {
  const self = `${publisher.baseUrl}${EXCHANGE_PATHS.atom}`;
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom">',
    `<id>${xmlText(self)}</id>`,
    `<title>${xmlText(`Stellenaustausch: Arbeitgeberstellen von ${publisher.name}`)}</title>`,
    `<updated>${page.lastModified.toISOString()}</updated>`,
    `<author><name>${xmlText(publisher.name)}</name><uri>${xmlText(publisher.baseUrl)}</uri></author>`,
    `<link rel="self" href="${xmlText(self)}"/>`,
    `<link rel="alternate" type="application/ld+json" href="${xmlText(`${publisher.baseUrl}${EXCHANGE_PATHS.jsonLd}`)}"/>`,
    nextPageUrl ? `<link rel="next" href="${xmlText(nextPageUrl)}"/>` : '',
    ...page.vacancies.map((v) => entry(v, publisher)),
    '</feed>',
    '',
  ].join('\n');
}
