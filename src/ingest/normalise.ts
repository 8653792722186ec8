/**
 * Raw posting → normalised vacancy: occupation code, place, working time, contract, offer type, skills, licences,
 * languages and dates. Pure and fast (no I/O); every helper tolerates odd input rather than throwing, because one
 * bad posting must not stop a crawl batch.
 */
import type { RawPosting } from '../domain/posting.ts';
import { type Coder, currentCoder, levelCue } from '../taxonomy/coder.ts';
import { cleanTitle } from '../taxonomy/coder-text.ts';
import { isKldbCode, requirementLevel } from '../taxonomy/kldb.ts';
import { mapLegacyKldb } from '../taxonomy/title-index.ts';
import type { NormalisedVacancy } from '../vacancies/vacancy.ts';
import { vacancyDates } from './dates.ts';
import { findLanguages } from './languages.ts';
import { findLicences } from './licences.ts';
import { resolveLocation } from './location.ts';
import { findSkills } from './skills.ts';
import { cueText, plainText } from './text.ts';
import { contractType, isRemote, offerType, workingTimes } from './working-time.ts';

export interface NormaliseOptions {
  now: Date;
}

const MAX_TITLE = 500;
const MAX_EMPLOYER = 300;

type Occupation = Pick<NormalisedVacancy, 'kldbCode' | 'kldbConfidence' | 'kldbNeedsReview' | 'requirementLevel'>;

function occupationOf(code: Omit<Occupation, 'requirementLevel'>, title: string): Occupation {
  return {
    ...code,
    requirementLevel: (code.kldbCode ? requirementLevel(code.kldbCode) : undefined) ?? levelCue(title),
  };
}

/**
 * Coding a title is most of normalisation's cost, and a crawl repeats its titles ("Lagerhelfer (m/w/d)") many times,
 * so each title's code is kept per title and hints for the coder that gave it (an imported title index installs a
 * new coder, and then nothing kept is used). The coder reads the description only when title and hints tell it
 * nothing (src/taxonomy/coder.ts), so only a title without a code is coded afresh with its description; a unit test
 * holds the two ways equal.
 */
const KEPT_TITLES = 20_000;
let keptFor: Coder | undefined;
const keptTitles = new Map<string, Occupation>();

function codeTitle(coder: Coder, title: string, description: string | undefined, hints: string[]): Occupation {
  const result = coder.code({ title: cleanTitle(title), description, hints });
  return occupationOf(
    {
      kldbCode: result.best?.code ?? null,
      kldbConfidence: result.best?.confidence ?? 0,
      kldbNeedsReview: result.needsReview,
    },
    title,
  );
}

function codedTitle(title: string, description: string, hints: string[]): Occupation {
  const coder = currentCoder();
  if (coder !== keptFor) {
    keptTitles.clear();
    keptFor = coder;
  }
  const key = hints.length ? [title, ...hints].join('\u0000') : title;
  let coded = keptTitles.get(key);
  if (!coded) {
    coded = codeTitle(coder, title, undefined, hints);
    if (keptTitles.size >= KEPT_TITLES) keptTitles.clear();
    keptTitles.set(key, coded);
  }
  return coded.kldbCode === null && description ? codeTitle(coder, title, description, hints) : coded;
}

/**
 * The source's own code wins; a code only the original KldB 2010 has (an older system's) is mapped through the
 * crosswalk, confirmed by a caseworker unless all its titles went to one code. Otherwise the coder reads the title
 * with the source's occupation fields as hints (they decide when they name a known title or a code).
 */
function occupation(raw: RawPosting, title: string, description: string): Occupation {
  if (raw.kldbCode && isKldbCode(raw.kldbCode)) {
    return occupationOf({ kldbCode: raw.kldbCode, kldbConfidence: 1, kldbNeedsReview: false }, title);
  }
  const legacy = raw.kldbCode ? mapLegacyKldb(raw.kldbCode) : null;
  if (legacy !== null) {
    return occupationOf(
      { kldbCode: legacy.code, kldbConfidence: legacy.share, kldbNeedsReview: legacy.share < 1 },
      title,
    );
  }
  return codedTitle(title, description, raw.occupationHints ?? []);
}

export function normalisePosting(raw: RawPosting, opts: NormaliseOptions): NormalisedVacancy {
  // The title is displayed as the source gave it (markup and runs of spaces removed); only the coder sees it cleaned.
  const title = plainText(raw.title ?? '', MAX_TITLE) || raw.externalId.slice(0, MAX_TITLE);
  const description = plainText(raw.description ?? '');
  const employerName = plainText(raw.employerName ?? '', MAX_EMPLOYER) || null;
  const employmentTypes = raw.employmentTypes ?? [];
  const text = cueText(title, description);
  const code = occupation(raw, title, description);
  const { remote: remoteLocation, ...location } = resolveLocation(raw.locations ?? []);
  const dates = vacancyDates(raw.datePosted, raw.validThrough, opts.now);

  return {
    title,
    description,
    employerName,
    ...code,
    ...location,
    // A location that says "Remote" is the source stating it as much as a flag is.
    remote: isRemote(raw.remote ?? (remoteLocation || undefined), text),
    workingTimes: workingTimes(raw.workingTimes, employmentTypes, text),
    contractType: contractType(raw.contractType, employmentTypes, text),
    offerType: offerType(raw.offerType, employmentTypes, title),
    salary: raw.salary ?? null,
    skills: findSkills(text),
    licences: findLicences(text),
    languages: findLanguages(text),
    ...dates,
  };
}
