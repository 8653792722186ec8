/**
 * Bundesagentur für Arbeit Jobsuche (the BA's app backend, see docs/crawling.md for the legal standing: only under an
 * agreement with the BA, shipped disabled). Pages through the v6 search and stays tolerant of v4 answers, because
 * the service changes shape without notice.
 */
import { z } from 'zod';
import type { ContractType, OfferType, WorkingTime } from '../src/domain/enums.ts';
import type { RawPosting, RawPostingInput, Salary } from '../src/domain/posting.ts';
import { parseAmount, periodWord, salaryFromText, salaryOf } from '../src/ingest/salary.ts';
import { clean, compact, parseConfig, recordError, toRawPosting, unique } from './common.ts';
import { CrawlError } from './http/errors.ts';
import type { CrawlContext, CrawlErrorRecord, SourceResult } from './types.ts';

export const BA_API_KEY = 'jobboerse-jobsuche';
/** The search never returns more than this many results, however many match. */
export const BA_RESULT_CAP = 10_000;
const DETAIL_PAGE = 'https://www.arbeitsagentur.de/jobsuche/jobdetail/';

export const BaJobsucheConfig = z.object({
  /** Search path below the source URL; '/pc/v4/jobs' if v6 is withdrawn. */
  path: z.string().startsWith('/').default('/pc/v6/jobs'),
  pageSize: z.number().int().min(1).max(100).default(100),
  maxPages: z.number().int().min(1).max(100).default(100),
});

const Address = z.looseObject({
  strasse: z.string().optional(),
  hausnummer: z.string().optional(),
  plz: z.union([z.string(), z.number()]).optional(),
  ort: z.string().optional(),
  region: z.string().optional(),
  land: z.string().optional(),
});

/** v6 and v4 item fields side by side; everything optional so one odd item does not sink a page. */
const BaItem = z.looseObject({
  referenznummer: z.string().optional(),
  refnr: z.string().optional(),
  stellenangebotsTitel: z.string().optional(),
  titel: z.string().optional(),
  beruf: z.string().optional(),
  hauptberuf: z.string().optional(),
  alleBerufe: z.array(z.string()).optional(),
  firma: z.string().optional(),
  arbeitgeber: z.string().optional(),
  stellenangebotsart: z.union([z.string(), z.number()]).optional(),
  stellenlokationen: z
    .array(z.looseObject({ adresse: Address.optional(), breite: z.number().optional(), laenge: z.number().optional() }))
    .optional(),
  arbeitsort: Address.extend({
    koordinaten: z.object({ lat: z.number().optional(), lon: z.number().optional() }).optional(),
  }).optional(),
  arbeitszeitVollzeit: z.boolean().optional(),
  arbeitszeitTeilzeitVormittag: z.boolean().optional(),
  arbeitszeitTeilzeitNachmittag: z.boolean().optional(),
  arbeitszeitTeilzeitAbend: z.boolean().optional(),
  arbeitszeitTeilzeitFlexibel: z.boolean().optional(),
  arbeitszeitSchichtNachtWochenende: z.boolean().optional(),
  arbeitszeitHeimTelearbeit: z.boolean().optional(),
  homeofficemoeglich: z.boolean().optional(),
  istGeringfuegigeBeschaeftigung: z.boolean().optional(),
  vertragsdauer: z.string().optional(),
  veroeffentlichungszeitraum: z.object({ von: z.string().optional(), bis: z.string().optional() }).optional(),
  datumErsteVeroeffentlichung: z.string().optional(),
  aktuelleVeroeffentlichungsdatum: z.string().optional(),
  externeURL: z.string().optional(),
  externeUrl: z.string().optional(),
  // Pay: a range and what it refers to (STUNDENLOHN, MONATSGEHALT, JAHRESGEHALT), or a text.
  verguetungsangabe: z.string().optional(),
  artDerVerguetung: z.string().optional(),
  gehaltsspanneVon: z.union([z.number(), z.string()]).optional(),
  gehaltsspanneBis: z.union([z.number(), z.string()]).optional(),
  waehrung: z.string().optional(),
  verguetung: z.string().optional(),
});
type BaItem = z.infer<typeof BaItem>;

const BaSearchAnswer = z.looseObject({
  ergebnisliste: z.array(z.unknown()).optional(),
  stellenangebote: z.array(z.unknown()).optional(),
  maxErgebnisse: z.union([z.number(), z.string()]).optional(),
});

const OFFER_TYPES: Record<string, OfferType> = {
  ARBEIT: 'arbeit',
  '1': 'arbeit',
  SELBSTAENDIGKEIT: 'selbstaendigkeit',
  '2': 'selbstaendigkeit',
  AUSBILDUNG: 'ausbildung',
  '4': 'ausbildung',
  PRAKTIKUM_TRAINEE: 'praktikum',
  PRAKTIKUM: 'praktikum',
  '34': 'praktikum',
};

const CONTRACT_TYPES: Record<string, ContractType> = { BEFRISTET: 'befristet', UNBEFRISTET: 'unbefristet' };

function workingTimes(item: BaItem): WorkingTime[] | undefined {
  const times: WorkingTime[] = [];
  if (item.arbeitszeitVollzeit) times.push('vollzeit');
  if (
    item.arbeitszeitTeilzeitVormittag ||
    item.arbeitszeitTeilzeitNachmittag ||
    item.arbeitszeitTeilzeitAbend ||
    item.arbeitszeitTeilzeitFlexibel
  ) {
    times.push('teilzeit');
  }
  if (item.arbeitszeitSchichtNachtWochenende) times.push('schicht_nacht_wochenende');
  if (item.arbeitszeitHeimTelearbeit || item.homeofficemoeglich) times.push('heim_telearbeit');
  if (item.istGeringfuegigeBeschaeftigung) times.push('minijob');
  // An item without any flag (v4 search answers) states nothing; an empty list would claim "none of these".
  return times.length > 0 ? times : undefined;
}

/** v4 sends the postcode as a number, losing leading zeros (01067 Dresden). */
function plz(value: string | number | undefined): string | undefined {
  if (typeof value === 'number') return String(value).padStart(5, '0');
  return clean(value);
}

function locations(item: BaItem): RawPostingInput['locations'] {
  const v6 = (item.stellenlokationen ?? []).map((place) => ({
    street: clean([place.adresse?.strasse, place.adresse?.hausnummer].filter(Boolean).join(' ')),
    plz: plz(place.adresse?.plz),
    city: clean(place.adresse?.ort),
    region: clean(place.adresse?.region),
    country: clean(place.adresse?.land),
    lat: place.breite,
    lon: place.laenge,
  }));
  const v4 = item.arbeitsort
    ? [
        {
          street: clean(item.arbeitsort.strasse),
          plz: plz(item.arbeitsort.plz),
          city: clean(item.arbeitsort.ort),
          region: clean(item.arbeitsort.region),
          country: clean(item.arbeitsort.land),
          lat: item.arbeitsort.koordinaten?.lat,
          lon: item.arbeitsort.koordinaten?.lon,
        },
      ]
    : [];
  return [...v6, ...v4].map(compact).slice(0, 50);
}

const amount = (value: number | string | undefined) =>
  typeof value === 'number' ? value : value === undefined ? undefined : parseAmount(value);

/**
 * The BA's pay range with its period (`verguetungsangabe`); a range whose period is not stated (KEINE_ANGABEN, or
 * missing) is left out. A free-text `verguetung` is read like any pay text.
 */
function salary(item: BaItem): Salary | undefined {
  const period = periodWord(item.verguetungsangabe);
  const range = salaryOf({
    min: amount(item.gehaltsspanneVon),
    max: amount(item.gehaltsspanneBis),
    currency: item.waehrung,
    period,
  });
  return range ?? salaryFromText(item.verguetung, { period });
}

/** Pure mapping of one search item (v6 or v4 shape); undefined when it lacks a reference number or title. */
export function mapBaItem(raw: unknown, errors: CrawlErrorRecord[]): RawPosting | undefined {
  const parsed = BaItem.safeParse(raw);
  if (!parsed.success) {
    errors.push({ kind: 'parse', message: `BA item skipped: ${parsed.error.issues[0]?.message ?? 'invalid'}` });
    return undefined;
  }
  const item = parsed.data;
  const refnr = clean(item.referenznummer ?? item.refnr);
  const title = clean(item.stellenangebotsTitel ?? item.titel ?? item.beruf ?? item.hauptberuf);
  if (!refnr || !title) {
    errors.push({ kind: 'parse', message: `BA item without reference number or title (${refnr ?? title ?? '?'})` });
    return undefined;
  }
  const offerKey = item.stellenangebotsart === undefined ? '' : String(item.stellenangebotsart).toUpperCase();
  return toRawPosting(
    {
      externalId: refnr,
      url: DETAIL_PAGE + encodeURIComponent(refnr),
      title,
      employerName: clean(item.firma ?? item.arbeitgeber),
      locations: locations(item),
      workingTimes: workingTimes(item),
      // The BA's only statement on working away from the site: the job can be done from home.
      remote: item.homeofficemoeglich === true || undefined,
      salary: salary(item),
      contractType: CONTRACT_TYPES[item.vertragsdauer?.toUpperCase() ?? ''],
      offerType: OFFER_TYPES[offerKey],
      occupationHints: unique(
        [item.hauptberuf, item.beruf, ...(item.alleBerufe ?? [])].map(clean).filter((h) => h !== undefined),
      ).slice(0, 20),
      datePosted: clean(
        item.datumErsteVeroeffentlichung ??
          item.veroeffentlichungszeitraum?.von ??
          item.aktuelleVeroeffentlichungsdatum,
      ),
      validThrough: clean(item.veroeffentlichungszeitraum?.bis),
      originUrl: clean(item.externeURL ?? item.externeUrl),
    },
    errors,
  );
}

export async function crawlBaJobsuche(context: CrawlContext): Promise<SourceResult> {
  const config = parseConfig(BaJobsucheConfig, context);
  if (!config) return { postings: [], listingExhausted: false };
  const byRefnr = new Map<string, RawPosting>();
  const base = context.spec.url.replace(/\/+$/, '');
  let listingExhausted = false;
  /** What the first answer promised; a listing is complete only once every promised page was read. */
  let promised: number | undefined;
  let read = 0;

  for (let page = 1; page <= config.maxPages; page++) {
    const url = new URL(base + config.path);
    for (const [name, value] of Object.entries(context.spec.params ?? {})) url.searchParams.set(name, value);
    url.searchParams.set('page', String(page));
    url.searchParams.set('size', String(config.pageSize));
    let answer: z.infer<typeof BaSearchAnswer>;
    try {
      const response = await context.fetcher.fetch(url.href, {
        headers: { 'x-api-key': BA_API_KEY, accept: 'application/json' },
      });
      const parsed = BaSearchAnswer.safeParse(JSON.parse(response.text()));
      if (!parsed.success) throw new CrawlError('parse', 'search answer is not a BA search result', url.href);
      answer = parsed.data;
    } catch (error) {
      recordError(
        context.errors,
        error instanceof SyntaxError ? new CrawlError('parse', error.message, url.href) : error,
        url.href,
      );
      break;
    }
    const items = answer.ergebnisliste ?? answer.stellenangebote ?? [];
    for (const item of items) {
      const posting = mapBaItem(item, context.errors);
      // Paging over a live listing can shift items onto the next page; the first copy wins.
      if (posting && !byRefnr.has(posting.externalId)) byRefnr.set(posting.externalId, posting);
    }
    const total = Number(answer.maxErgebnisse ?? 0);
    promised ??= Number.isFinite(total) ? total : 0;
    if (page === 1 && total >= BA_RESULT_CAP) {
      context.errors.push({
        url: url.href,
        kind: 'incomplete',
        message: `search matches ${total} results, above the ${BA_RESULT_CAP} the API returns: split it by wo/umkreis/beruf`,
      });
    }
    const reachable = Math.min(promised, BA_RESULT_CAP);
    const lastPromisedPage = Math.ceil(reachable / config.pageSize);
    read += items.length;
    if (page >= lastPromisedPage) {
      // The promised pages are read; fewer items than promised means a page came back short or empty.
      if (read < reachable) {
        context.errors.push({
          url: url.href,
          kind: 'incomplete',
          message: `${read} of ${promised} promised results read over ${page} pages`,
        });
      } else listingExhausted = promised < BA_RESULT_CAP;
      break;
    }
    // A short or empty page before the promised end is not the end: the next page may still answer. An empty one
    // means the service stopped answering what it promised, so reading on would only repeat empty pages.
    if (items.length === 0) {
      context.errors.push({
        url: url.href,
        kind: 'incomplete',
        message: `page ${page} is empty although ${promised} results (${lastPromisedPage} pages) were promised`,
      });
      break;
    }
    if (page === config.maxPages && promised < BA_RESULT_CAP) {
      context.errors.push({
        url: url.href,
        kind: 'incomplete',
        message: `stopped after maxPages ${config.maxPages} of ${lastPromisedPage} promised pages`,
      });
    }
  }
  return { postings: [...byRefnr.values()], listingExhausted };
}
