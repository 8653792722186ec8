/**
 * German postcodes (PLZ) with place names and coordinates, built by `npm run build:reference-data` from
 * GeoNames (CC BY 4.0, https://www.geonames.org/) as distributed in the project's shared data.
 */
import data from './plz.de.json' with { type: 'json' };

export interface PlzEntry {
  plz: string;
  /** Place names for the postcode, the main one first. */
  places: string[];
  district: string;
  state: string;
  lat: number;
  lon: number;
}

export interface Coordinates {
  lat: number;
  lon: number;
}

const byPlz = new Map<string, PlzEntry>();
const byPlace = new Map<string, PlzEntry[]>();

for (const [plz, places, district, state, lat, lon] of data as Array<
  [string, string, string, string, number, number]
>) {
  const entry: PlzEntry = { plz, places: places ? places.split('|') : [], district, state, lat, lon };
  byPlz.set(plz, entry);
  for (const place of entry.places) {
    // "Stuttgart Stuttgart-Mitte" is indexed under "stuttgart-mitte" and "stuttgart stuttgart-mitte" too.
    for (const key of placeKeys(place)) {
      const list = byPlace.get(key) ?? [];
      list.push(entry);
      byPlace.set(key, list);
    }
  }
}

function placeKeys(place: string): string[] {
  const full = normalisePlaceName(place);
  const keys = [full];
  const parts = place.split(' ');
  if (parts.length > 1) keys.push(normalisePlaceName(parts.slice(1).join(' ')), normalisePlaceName(parts[0] as string));
  return keys;
}

export function normalisePlaceName(name: string): string {
  return name
    .toLowerCase()
    .replace(/\(.*?\)/g, ' ')
    .replace(/\bst\.\s*/g, 'sankt ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function lookupPlz(plz: string): PlzEntry | undefined {
  return byPlz.get(plz.trim());
}

/**
 * Finds a place by name ("Stuttgart", "Esslingen am Neckar", "Stuttgart-Vaihingen"). Among several postcodes of a
 * place, the one whose own main name is the place and with the lowest number is taken, so a city maps to its
 * central postcode rather than a suburb's.
 */
export function lookupPlace(name: string): PlzEntry | undefined {
  const key = normalisePlaceName(name);
  const candidates =
    byPlace.get(key) ?? byPlace.get(key.replace(/-/g, ' ')) ?? byPlace.get(key.split(/[ ,/-]/)[0] ?? '');
  if (!candidates?.length) return undefined;
  const exact = candidates.filter((e) => normalisePlaceName(e.places[0] ?? '') === key);
  return (exact.length ? exact : candidates).reduce((a, b) => (a.plz <= b.plz ? a : b));
}

export function allPostcodes(): PlzEntry[] {
  return [...byPlz.values()];
}

const EARTH_RADIUS_KM = 6371;

/** Great-circle distance in km. */
export function distanceKm(a: Coordinates, b: Coordinates): number {
  const toRad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * toRad;
  const dLon = (b.lon - a.lon) * toRad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * toRad) * Math.cos(b.lat * toRad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/** The districts of Region Stuttgart, where most placements happen. */
export const REGION_STUTTGART_DISTRICTS = [
  'Stuttgart',
  'Stadtkreis Stuttgart',
  'Böblingen',
  'Landkreis Böblingen',
  'Esslingen',
  'Landkreis Esslingen',
  'Göppingen',
  'Landkreis Göppingen',
  'Ludwigsburg',
  'Landkreis Ludwigsburg',
  'Rems-Murr-Kreis',
] as const;

/** Postcodes of Region Stuttgart that name a real place. */
export function regionStuttgartPostcodes(): PlzEntry[] {
  const districts = new Set<string>(REGION_STUTTGART_DISTRICTS);
  return allPostcodes().filter((e) => districts.has(e.district) && e.places.length > 0);
}
