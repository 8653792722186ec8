/** A hit near a searched place names the vacancy's place nearest to it, so "Köln" is what a search around Köln shows. */
import { distanceKm } from '../geo/plz.ts';
import { placesOf, type VacancySummary } from '../vacancies/vacancy.ts';
import type { GeoFilter } from './search-engine.ts';

/** The summary with plz, place and coordinates of its place nearest to `near` (unchanged with one place). */
export function nearestPlaceFirst(summary: VacancySummary, near: Pick<GeoFilter, 'lat' | 'lon'>): VacancySummary {
  let best: { km: number; index: number } | undefined;
  const places = placesOf(summary);
  places.forEach((p, index) => {
    if (p.lat === null || p.lon === null) return;
    const km = distanceKm(near, { lat: p.lat, lon: p.lon });
    if (!best || km < best.km) best = { km, index };
  });
  if (!best || best.index === 0) return summary;
  const place = places[best.index];
  return place ? { ...summary, plz: place.plz, place: place.place, lat: place.lat, lon: place.lon } : summary;
}

/** Distance to the nearest place with coordinates, or undefined when none has any. */
export function nearestKm(summary: VacancySummary, near: Pick<GeoFilter, 'lat' | 'lon'>): number | undefined {
  let best: number | undefined;
  for (const p of placesOf(summary)) {
    if (p.lat === null || p.lon === null) continue;
    const km = distanceKm(near, { lat: p.lat, lon: p.lon });
    if (best === undefined || km < best) best = km;
  }
  return best;
}
