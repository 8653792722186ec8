/**
 * The kiosk's search form: its parameters in the address (German names, so an address read aloud makes sense),
 * their checks, and the search query they become. The query goes to the same search engine and the same
 * `SearchQuery` schema as the public API (api/public/vacancies.ts); the kiosk adds place names besides postcodes.
 */
import { OfferType, WorkingTime } from '../../src/domain/enums.ts';
import { lookupPlace, lookupPlz } from '../../src/geo/plz.ts';
import { type GeoFilter, MAX_RESULT_WINDOW, SearchQuery } from '../../src/search/search-engine.ts';
import { DEFAULT_LANG, type KioskMessages, type Lang, type OccupationalField } from '../messages/index.ts';

export const PER_PAGE = 10;
export const MAX_PAGE = MAX_RESULT_WINDOW / PER_PAGE;
export const RADII_KM = [5, 10, 25, 50, 100] as const;
export const DEFAULT_RADIUS_KM = 25;
export const MAX_TEXT = 200;
export const FIELDS: readonly OccupationalField[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0'];

export interface KioskForm {
  q: string;
  ort: string;
  umkreis: number;
  arbeitszeit: WorkingTime[];
  berufsfeld: OccupationalField | '';
  angebot: OfferType | '';
  seite: number;
}

export type FormField = keyof KioskForm;
type ErrorKey = 'errorPlace' | 'errorTooLong' | 'errorChoice' | 'errorPage';

export interface FieldError {
  field: FormField;
  message: ErrorKey;
}

export const EMPTY_FORM: KioskForm = {
  q: '',
  ort: '',
  umkreis: DEFAULT_RADIUS_KM,
  arbeitszeit: [],
  berufsfeld: '',
  angebot: '',
  seite: 1,
};

/** Reads the form from the query string; every value it cannot take is reported, and the form keeps the rest. */
export function readForm(params: Record<string, string[]>): { form: KioskForm; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const first = (name: string) => params[name]?.[0]?.trim() ?? '';
  const form: KioskForm = { ...EMPTY_FORM, arbeitszeit: [] };

  for (const name of ['q', 'ort'] as const) {
    const value = first(name);
    if (value.length > MAX_TEXT) errors.push({ field: name, message: 'errorTooLong' });
    form[name] = value.slice(0, MAX_TEXT);
  }

  const radius = first('umkreis');
  if (radius) {
    const km = Number(radius);
    if ((RADII_KM as readonly number[]).includes(km)) form.umkreis = km;
    else errors.push({ field: 'umkreis', message: 'errorChoice' });
  }

  for (const value of params.arbeitszeit ?? []) {
    const parsed = WorkingTime.safeParse(value);
    if (!parsed.success) errors.push({ field: 'arbeitszeit', message: 'errorChoice' });
    else if (!form.arbeitszeit.includes(parsed.data)) form.arbeitszeit.push(parsed.data);
  }

  const field = first('berufsfeld');
  if (field) {
    if ((FIELDS as readonly string[]).includes(field)) form.berufsfeld = field as OccupationalField;
    else errors.push({ field: 'berufsfeld', message: 'errorChoice' });
  }

  const offer = first('angebot');
  if (offer) {
    const parsed = OfferType.safeParse(offer);
    if (parsed.success) form.angebot = parsed.data;
    else errors.push({ field: 'angebot', message: 'errorChoice' });
  }

  const page = first('seite');
  if (page) {
    const n = /^\d{1,4}$/.test(page) ? Number(page) : 0;
    if (n >= 1 && n <= MAX_PAGE) form.seite = n;
    else errors.push({ field: 'seite', message: 'errorPage' });
  }
  return { form, errors };
}

/** The place the form names, as postcode or place name ("70173", "Stuttgart", "70173 Stuttgart"). */
export function placeOf(ort: string): { lat: number; lon: number } | undefined {
  if (!ort) return undefined;
  const plz = /\b(\d{5})\b/.exec(ort)?.[1];
  if (plz) return lookupPlz(plz);
  if (/\d/.test(ort)) return undefined;
  return lookupPlace(ort);
}

/** The search query of a checked form; a place the lookup does not know is an error on its field. */
export function toSearchQuery(form: KioskForm): { query?: SearchQuery; errors: FieldError[] } {
  let near: GeoFilter | undefined;
  if (form.ort) {
    const place = placeOf(form.ort);
    if (!place) return { errors: [{ field: 'ort', message: 'errorPlace' }] };
    near = { lat: place.lat, lon: place.lon, radiusKm: form.umkreis };
  }
  const parsed = SearchQuery.safeParse({
    q: form.q || undefined,
    near,
    kldb: form.berufsfeld || undefined,
    workingTimes: form.arbeitszeit.length ? form.arbeitszeit : undefined,
    offerType: form.angebot || undefined,
    // Words first by relevance; a place alone nearest first; neither: newest first.
    sort: form.q ? 'relevance' : near ? 'distance' : 'date',
    page: form.seite,
    perPage: PER_PAGE,
  });
  if (!parsed.success) return { errors: [{ field: 'seite', message: 'errorPage' }] };
  return { query: parsed.data, errors: [] };
}

/**
 * The form as query parameters, for links that carry the search (paging, detail, back, language switch): only
 * what differs from the empty form, so addresses stay short. The interface language travels along.
 */
export function formParams(form: KioskForm, lang: Lang, overrides: Partial<KioskForm> = {}): URLSearchParams {
  const f = { ...form, ...overrides };
  const params = new URLSearchParams();
  if (f.q) params.set('q', f.q);
  if (f.ort) params.set('ort', f.ort);
  if (f.ort && f.umkreis !== DEFAULT_RADIUS_KM) params.set('umkreis', String(f.umkreis));
  for (const t of f.arbeitszeit) params.append('arbeitszeit', t);
  if (f.berufsfeld) params.set('berufsfeld', f.berufsfeld);
  if (f.angebot) params.set('angebot', f.angebot);
  if (f.seite !== 1) params.set('seite', String(f.seite));
  if (lang !== DEFAULT_LANG) params.set('lang', lang);
  return params;
}

export function withQuery(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query ? `${path}?${query}` : path;
}

export function errorText(m: KioskMessages, error: FieldError): string {
  return m[error.message];
}
