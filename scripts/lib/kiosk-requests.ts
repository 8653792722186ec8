/**
 * The kiosk query mix (scripts/kiosk-queries.ts) as requests: each word alone, with a place and radius, with a
 * working time, and a second page, as a kiosk user types them. bench:pages asks for them as result pages and through
 * the JSON API, bench:api and soak through the JSON API over HTTP.
 */
import type { WorkingTime } from '../../src/domain/enums.ts';
import { lookupPlace, lookupPlz } from '../../src/geo/plz.ts';
import { KIOSK_PLACES, KIOSK_TIMES, KIOSK_WORDS } from '../kiosk-queries.ts';

const RADII = [10, 25, 50];

export interface KioskQuery {
  q: string;
  place?: string;
  radiusKm?: number;
  workingTimes?: WorkingTime[];
  page?: number;
}

/** 100 queries: five variants of each of the 20 kiosk words. */
export function kioskQueries(): KioskQuery[] {
  const out: KioskQuery[] = [];
  KIOSK_WORDS.forEach((q, i) => {
    const place = KIOSK_PLACES[i % KIOSK_PLACES.length] as string;
    const radiusKm = RADII[i % RADII.length] as number;
    const workingTimes = KIOSK_TIMES[i % KIOSK_TIMES.length] as WorkingTime[];
    out.push(
      { q },
      { q, place, radiusKm },
      { q, place, radiusKm, workingTimes },
      { q, workingTimes },
      { q, place, radiusKm, page: 2 },
    );
  });
  return out;
}

function plzOf(place: string): string {
  const entry = /^\d{5}$/.test(place) ? lookupPlz(place) : lookupPlace(place);
  if (!entry) throw new Error(`unknown place ${place}`);
  return entry.plz;
}

/** The kiosk result page's address (pages/kiosk/) for a query. */
export function kioskPagePath(query: KioskQuery): string {
  const p = new URLSearchParams({ q: query.q });
  if (query.place) p.set('ort', query.place);
  if (query.radiusKm) p.set('umkreis', String(query.radiusKm));
  for (const t of query.workingTimes ?? []) p.append('arbeitszeit', t);
  if (query.page) p.set('seite', String(query.page));
  return `/kiosk/suche?${p}`;
}

/** The same search through the public JSON API: same engine, same page size (10), same sort (relevance). */
export function kioskApiPath(query: KioskQuery): string {
  const p = new URLSearchParams({ q: query.q, per_page: '10' });
  if (query.place) p.set('plz', plzOf(query.place));
  if (query.radiusKm) p.set('radius_km', String(query.radiusKm));
  if (query.workingTimes) p.set('working_time', query.workingTimes.join(','));
  if (query.page) p.set('page', String(query.page));
  return `/api/v1/vacancies?${p}`;
}
