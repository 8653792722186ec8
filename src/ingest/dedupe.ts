/**
 * Cross-source deduplication, pure: blocking keys to find candidate duplicates cheaply (the DB lookup by key lives
 * elsewhere), and a decision whether two postings describe one vacancy. The rules favour precision: a wrong merge
 * hides a vacancy from job seekers, a missed one only shows it twice.
 */
import { distanceKm } from '../geo/plz.ts';
import { titleTermSet } from '../taxonomy/coder.ts';
import { stem } from '../taxonomy/coder-terms.ts';
import { foldCase } from '../taxonomy/coder-text.ts';
import type { NormalisedVacancy } from '../vacancies/vacancy.ts';

export type DedupeVacancy = NormalisedVacancy & {
  /** The posting's own address. */
  url?: string;
  /** The original ad a re-listing points to (BA `externeURL`). */
  originUrl?: string;
  /** The source that lists it and its id there: two ids of one source are two vacancies. */
  sourceId?: string;
  externalId?: string;
};

export interface SameVacancyResult {
  same: boolean;
  score: number;
  reasons: string[];
}

/** Two places this close are one workplace for dedupe purposes (neighbouring postcodes of one town). */
export const NEAR_KM = 5;
/** Share of title terms two titles must have in common (Jaccard). */
export const TITLE_SIMILARITY = 0.6;
/**
 * Share of word 3-shingles two descriptions must have in common (Jaccard) when an employer is missing, so that
 * title, place and text must agree. Chosen on the labelled pairs of scripts/eval-dedupe.ts: copies of one ad on two
 * boards (a footer added, a line break moved) scored 0.85–1, ads written from one template for two vacancies
 * (other hours, one sentence changed or added) 0.44–0.56; 0.7 lies in the gap. See docs/coding-and-dedupe.md.
 */
export const TEXT_SIMILARITY = 0.7;
/** Descriptions shorter than this many words say too little to tell two vacancies apart. */
const MIN_TEXT_WORDS = 12;

/** Legal forms and filler, longest first so "gmbh & co. kg" goes before "gmbh". */
const LEGAL_FORMS =
  /\b(?:gmbh\s*&\s*co\.?\s*kgaa|gmbh\s*&\s*co\.?\s*kg|ag\s*&\s*co\.?\s*kg|se\s*&\s*co\.?\s*kg|ug\s*\(haftungsbeschränkt\)|ggmbh|gmbh|mbh|kgaa|ag|kg|ohg|gbr|e\.\s?v\.?|ev|e\.\s?k\.?|ek|eg|se|ug|ltd\.?|inc\.?|plc|co\.?|limited|und|and)(?=\s|$|[.,])/g;

function fold(text: string): string {
  return foldCase(text).replace(/ä/g, 'ae').replace(/ö/g, 'oe').replace(/ü/g, 'ue');
}

/** "Muster Logistik GmbH & Co. KG" → "muster logistik"; case, punctuation and legal form do not matter. */
export function normaliseEmployer(name: string | null | undefined): string {
  if (!name) return '';
  return foldCase(name)
    .replace(LEGAL_FORMS, ' ')
    .replace(/ä/g, 'ae')
    .replace(/ö/g, 'oe')
    .replace(/ü/g, 'ue')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Words that grade a title without changing the job, as stems. */
const SENIORITY = new Set(
  ['senior', 'junior', 'lead', 'principal', 'erfahren', 'examiniert', 'staatlich', 'anerkannt', 'geprüft'].map(stem),
);

/**
 * A batch compares each new posting with every candidate sharing a key, and many vacancies share a title and a
 * place: their terms are kept (a title's come from the classification file alone, so they never change in a process).
 */
const KEPT_TITLES = 20_000;
const keptTerms = [new Map<string, Set<string>>(), new Map<string, Set<string>>()] as const;

function termsOfTitle(title: string, withParts: boolean): ReadonlySet<string> {
  const kept = keptTerms[withParts ? 1 : 0];
  let terms = kept.get(title);
  if (!terms) {
    terms = titleTermSet(title, withParts);
    if (kept.size >= KEPT_TITLES) kept.clear();
    kept.set(title, terms);
  }
  return terms;
}

/** The title's occupation terms: gender forms, noise, seniority and the vacancy's own place name removed. */
export function titleTerms(title: string, place: string | null, withParts = false): Set<string> {
  const inPlace = placeWords(place ?? '');
  const out = new Set<string>();
  for (const term of termsOfTitle(title, withParts)) if (!SENIORITY.has(term) && !inPlace.has(term)) out.add(term);
  return out;
}

const keptPlaces = new Map<string, ReadonlySet<string>>();

function placeWords(place: string): ReadonlySet<string> {
  let words = keptPlaces.get(place);
  if (!words) {
    words = new Set(
      foldCase(place)
        .split(/[^\p{L}]+/u)
        .filter((w) => w.length > 2)
        .map(stem),
    );
    if (keptPlaces.size >= KEPT_TITLES) keptPlaces.clear();
    keptPlaces.set(place, words);
  }
  return words;
}

function titleKey(v: NormalisedVacancy): string {
  return [...titleTerms(v.title, v.place)].sort().join(' ');
}

/** The town part of a place ("Stuttgart Vaihingen", "Stuttgart-Mitte" → "stuttgart"). */
function town(place: string | null): string {
  return fold(place ?? '').split(/[\s,/-]+/)[0] ?? '';
}

/** Scheme, "www.", fragment, tracking parameters and trailing slash do not make two addresses different. */
export function normaliseUrl(url: string | undefined): string {
  if (!url) return '';
  try {
    const u = new URL(url.trim());
    for (const name of [...u.searchParams.keys()])
      if (/^(?:utm_|ref$|source$|src$|trk)/i.test(name)) u.searchParams.delete(name);
    const query = u.searchParams.toString();
    return `${u.hostname.replace(/^www\./, '').toLowerCase()}${u.pathname.replace(/\/+$/, '')}${query ? `?${query}` : ''}`;
  } catch {
    return url.trim().toLowerCase();
  }
}

/**
 * Blocking keys: a candidate duplicate shares at least one. Employer + title terms + postcode or town, employer +
 * KldB code + town (catches reworded titles), and the posting's and its origin's address.
 */
export function dedupeKeys(v: DedupeVacancy): string[] {
  const keys = new Set<string>();
  const employer = normaliseEmployer(v.employerName);
  const title = titleKey(v);
  const where = [v.plz ? `plz:${v.plz}` : '', town(v.place) ? `town:${town(v.place)}` : ''].filter(Boolean);
  if (where.length === 0 && v.remote) where.push('remote');
  for (const w of where) {
    if (employer && title) keys.add(`emp:${employer}|title:${title}|${w}`);
    if (employer && v.kldbCode) keys.add(`emp:${employer}|kldb:${v.kldbCode}|${w}`);
    // Without the employer: a posting that lacks one must find, and be found by, its copies that name it.
    if (title) keys.add(`title:${title}|${w}`);
  }
  for (const url of [v.url, v.originUrl]) {
    const n = normaliseUrl(url);
    if (n) keys.add(`url:${n}`);
  }
  return [...keys];
}

function sameEmployer(a: string, b: string): boolean {
  if (!a || !b) return false;
  // "Senioren-Residenz" and "Seniorenresidenz".
  if (a === b || a.replaceAll(' ', '') === b.replaceAll(' ', '')) return true;
  // "bosch" and "robert bosch": one name inside the other with at most one extra word.
  const [short, long] = a.length <= b.length ? [a.split(' '), b.split(' ')] : [b.split(' '), a.split(' ')];
  return long.length - short.length <= 1 && short.every((w) => long.includes(w)) && short.join('').length >= 4;
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let common = 0;
  for (const t of a) if (b.has(t)) common++;
  return common / (a.size + b.size - common);
}

type PlaceMatch = 'same' | 'different' | 'unknown';

function placeMatch(a: NormalisedVacancy, b: NormalisedVacancy): PlaceMatch {
  if (a.plz && b.plz && a.plz === b.plz) return 'same';
  if (a.lat !== null && a.lon !== null && b.lat !== null && b.lon !== null) {
    if (distanceKm({ lat: a.lat, lon: a.lon }, { lat: b.lat, lon: b.lon }) <= NEAR_KM) return 'same';
    // Without a postcode on one side, coordinates are a town centre's: the town name decides.
    if (a.plz && b.plz) return 'different';
  }
  if (town(a.place) && town(a.place) === town(b.place)) return 'same';
  if (!a.place && !b.place && a.remote && b.remote) return 'same';
  if (!a.place || !b.place) return 'unknown';
  return 'different';
}

/** The description's word 3-shingles (folded, at most the first 3,000 words). */
function shingles(text: string): Set<string> {
  const words = fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 3000);
  const out = new Set<string>();
  for (let i = 0; i + 2 < words.length; i++) out.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
  return words.length >= MIN_TEXT_WORDS ? out : new Set();
}

/** How much two descriptions agree (Jaccard of word 3-shingles); 0 when either says too little. */
export function textSimilarity(a: string, b: string): number {
  return jaccard(shingles(a), shingles(b));
}

export function sameVacancy(a: DedupeVacancy, b: DedupeVacancy): SameVacancyResult {
  // The source itself tells its postings apart: however alike, two ids of one source are two vacancies.
  if (a.sourceId && a.sourceId === b.sourceId && a.externalId !== b.externalId) {
    return { same: false, score: 0, reasons: ['two postings of one source'] };
  }
  const urlA = normaliseUrl(a.url);
  const urlB = normaliseUrl(b.url);
  const originA = normaliseUrl(a.originUrl);
  const originB = normaliseUrl(b.originUrl);
  if ((originA && (originA === urlB || originA === originB)) || (originB && originB === urlA)) {
    return { same: true, score: 1, reasons: ['origin URL matches'] };
  }

  const reasons: string[] = [];
  const employerOk = sameEmployer(normaliseEmployer(a.employerName), normaliseEmployer(b.employerName));
  reasons.push(employerOk ? 'same employer' : 'employer differs or unknown');

  // Whole words, or compound parts when the titles compound differently ("Busfahrer" / "Omnibusfahrer").
  const titleSim = Math.max(
    jaccard(titleTerms(a.title, a.place), titleTerms(b.title, b.place)),
    jaccard(titleTerms(a.title, a.place, true), titleTerms(b.title, b.place, true)),
  );
  const sameCode = a.kldbCode !== null && a.kldbCode === b.kldbCode;
  const titleOk = titleSim >= TITLE_SIMILARITY || (sameCode && titleSim >= TITLE_SIMILARITY / 2);
  reasons.push(`title similarity ${titleSim.toFixed(2)}${sameCode ? ', same KldB code' : ''}`);

  // Helfer and Fachkraft of one occupation are two vacancies even when the titles look alike.
  const levelOk =
    a.requirementLevel === null || b.requirementLevel === null || a.requirementLevel === b.requirementLevel;
  if (!levelOk) reasons.push('requirement level differs');
  // A traineeship and a job with the same title are two offers.
  const offerOk = a.offerType === b.offerType;
  if (!offerOk) reasons.push('offer type differs');

  const place = placeMatch(a, b);
  reasons.push(`place ${place}`);

  const score = (employerOk ? 0.4 : 0) + 0.4 * titleSim + (place === 'same' ? 0.2 : place === 'unknown' ? 0.1 : 0);
  const agree = titleOk && levelOk && offerOk && place === 'same';
  if (employerOk) return { same: agree, score: Math.round(score * 1000) / 1000, reasons };
  // An employer named on both sides and different decides; a missing one is made up for by the text.
  const employerMissing = !normaliseEmployer(a.employerName) || !normaliseEmployer(b.employerName);
  let same = false;
  let withText = score;
  if (employerMissing && agree && titleSim >= TITLE_SIMILARITY) {
    const text = textSimilarity(a.description, b.description);
    reasons.push(`text similarity ${text.toFixed(2)}`);
    same = text >= TEXT_SIMILARITY;
    // The text stands in for the employer: of two near-identical candidates, the closer copy wins.
    withText += 0.4 * text;
  }
  return { same, score: Math.round(withText * 1000) / 1000, reasons };
}
