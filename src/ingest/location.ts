/** Where a vacancy is: postcode, place and coordinates from the source's locations, checked against the PLZ data. */
import type { PostingLocation } from '../domain/posting.ts';
import { lookupPlace, lookupPlz, type PlzEntry } from '../geo/plz.ts';

export interface ResolvedLocation {
  plz: string | null;
  place: string | null;
  lat: number | null;
  lon: number | null;
}

/** Germany's bounding box with a small margin; source coordinates outside it are taken as wrong. */
const GERMANY = { minLat: 47.2, maxLat: 55.1, minLon: 5.8, maxLon: 15.1 };

export function insideGermany(lat: number | undefined, lon: number | undefined): boolean {
  return (
    lat !== undefined &&
    lon !== undefined &&
    Number.isFinite(lat) &&
    Number.isFinite(lon) &&
    lat >= GERMANY.minLat &&
    lat <= GERMANY.maxLat &&
    lon >= GERMANY.minLon &&
    lon <= GERMANY.maxLon
  );
}

const NONE: ResolvedLocation = { plz: null, place: null, lat: null, lon: null };

/** A five-digit postcode from the PLZ field or, failing that, from "70173 Stuttgart" in the city field. */
function postcodeOf(loc: PostingLocation): PlzEntry | undefined {
  for (const text of [loc.plz, loc.city, loc.street]) {
    const match = text?.match(/(?<!\d)\d{5}(?!\d)/);
    const entry = match ? lookupPlz(match[0]) : undefined;
    if (entry) return entry;
  }
  return undefined;
}

function cityName(city: string | undefined): string | null {
  const name = city
    ?.replace(/(?<!\d)\d{5}(?!\d)/, '')
    .replace(/\s+/g, ' ')
    .trim();
  return name ? name : null;
}

function coordinates(loc: PostingLocation, entry: PlzEntry | undefined): Pick<ResolvedLocation, 'lat' | 'lon'> {
  if (insideGermany(loc.lat, loc.lon)) return { lat: loc.lat as number, lon: loc.lon as number };
  return entry ? { lat: entry.lat, lon: entry.lon } : { lat: null, lon: null };
}

/**
 * The first location with a valid German postcode (place named as the source names it, since bulk-recipient
 * postcodes carry a company name); else the first whose place name is known (its central
 * postcode's coordinates, but no postcode: a guessed one would mislead); else the first named place as given.
 */
export function resolveLocation(locations: PostingLocation[]): ResolvedLocation {
  for (const loc of locations) {
    const entry = postcodeOf(loc);
    if (entry)
      return { plz: entry.plz, place: cityName(loc.city) ?? entry.places[0] ?? null, ...coordinates(loc, entry) };
  }
  for (const loc of locations) {
    const name = cityName(loc.city);
    const entry = name ? lookupPlace(name) : undefined;
    if (entry) return { plz: null, place: entry.places[0] ?? name, ...coordinates(loc, entry) };
  }
  const first = locations.find((l) => cityName(l.city) !== null);
  return first ? { plz: null, place: cityName(first.city), ...coordinates(first, undefined) } : NONE;
}
