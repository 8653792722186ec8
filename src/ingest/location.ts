/**
 * Where a vacancy is: every place the source names, each resolved to postcode, place name and coordinates through
 * the PLZ data (English and other foreign names of German towns first turned into the German one), the first one
 * with a postcode as the vacancy's main place. A location that only says "Remote" is no place but a remote flag.
 */
import type { PostingLocation } from '../domain/posting.ts';
import { lookupPlace, lookupPlz, type PlzEntry } from '../geo/plz.ts';

export interface ResolvedPlace {
  plz: string | null;
  place: string | null;
  lat: number | null;
  lon: number | null;
}

export interface ResolvedLocation extends ResolvedPlace {
  /** Every place, the main one (the fields above) first; empty when there is at most that one. */
  places: ResolvedPlace[];
  /** A location said only "Remote", "Homeoffice" or the like: the source states remote work. */
  remote: boolean;
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

/**
 * Foreign names of German towns that international boards and English career pages write (lower case, as typed).
 * Only names the PLZ data cannot find itself; a town whose English name equals the German one needs no entry.
 */
export const EXONYMS: Readonly<Record<string, string>> = {
  cologne: 'Köln',
  munich: 'München',
  nuremberg: 'Nürnberg',
  hanover: 'Hannover',
  brunswick: 'Braunschweig',
  dusseldorf: 'Düsseldorf',
  duesseldorf: 'Düsseldorf',
  'frankfurt/main': 'Frankfurt am Main',
  'frankfurt (main)': 'Frankfurt am Main',
  wurzburg: 'Würzburg',
  tubingen: 'Tübingen',
  gottingen: 'Göttingen',
  lubeck: 'Lübeck',
  osnabruck: 'Osnabrück',
  saarbrucken: 'Saarbrücken',
  munster: 'Münster',
  constance: 'Konstanz',
  'aix-la-chapelle': 'Aachen',
  ratisbon: 'Regensburg',
  treves: 'Trier',
  mayence: 'Mainz',
  coblenz: 'Koblenz',
};

/** A location whose only content is one of these states remote work rather than a place. */
const REMOTE_PLACE =
  /^(?:remote|fully remote|100\s?% remote|home[- ]?office|homeoffice|mobiles arbeiten|telearbeit|deutschlandweit(?: remote)?|bundesweit(?: remote)?|remote\s*[(,/-]\s*(?:de|deutschland|germany)\)?|germany\s*[(,/-]\s*remote\)?|deutschland\s*[(,/-]\s*remote\)?)$/i;

/** Country names a location line often ends with: "Cologne, Germany", "Stuttgart, DE". */
const COUNTRY_SUFFIX = /,?\s*(?:germany|deutschland|de|ger|brd)\.?$/i;

const POSTCODE = /(?<!\d)\d{5}(?!\d)/;

/** A five-digit postcode from the PLZ field or, failing that, from "70173 Stuttgart" in the city field. */
function postcodeOf(loc: PostingLocation): PlzEntry | undefined {
  for (const text of [loc.plz, loc.city, loc.street]) {
    const match = text?.match(POSTCODE);
    const entry = match ? lookupPlz(match[0]) : undefined;
    if (entry) return entry;
  }
  return undefined;
}

function cityName(city: string | undefined): string | null {
  const name = city?.replace(POSTCODE, '').replace(/\s+/g, ' ').replace(COUNTRY_SUFFIX, '').trim();
  return name ? name : null;
}

/** Own entries only: a place called "__proto__" or "constructor" is a name, not the object's prototype. */
function exonym(key: string): string | undefined {
  return Object.hasOwn(EXONYMS, key) ? EXONYMS[key] : undefined;
}

/** The German name of a town given in another language, or the name as given. */
export function germanPlaceName(name: string): string {
  const key = name.toLowerCase().replace(/\s+/g, ' ').trim();
  return exonym(key) ?? exonym(key.split(/\s*[,/]\s*/)[0] ?? '') ?? name;
}

/** A place name the PLZ data knows, directly or through its German name. */
export function lookupTown(name: string): PlzEntry | undefined {
  return lookupPlace(germanPlaceName(name)) ?? lookupPlace(name);
}

function coordinates(loc: PostingLocation, entry: PlzEntry | undefined): Pick<ResolvedPlace, 'lat' | 'lon'> {
  if (insideGermany(loc.lat, loc.lon)) return { lat: loc.lat as number, lon: loc.lon as number };
  return entry ? { lat: entry.lat, lon: entry.lon } : { lat: null, lon: null };
}

/** How sure a resolved place is: 2 with a postcode, 1 with a known town's coordinates, 0 a name only. */
type Resolved = ResolvedPlace & { rank: 0 | 1 | 2 };

/**
 * One location: its postcode (place named as the source names it, since bulk-recipient postcodes carry a company
 * name; a foreign name in German); else a known place name (its central postcode's coordinates, but no postcode: a
 * guessed one would mislead); else the name as given.
 */
function resolveOne(loc: PostingLocation): Resolved | 'remote' | undefined {
  const name = cityName(loc.city);
  if (name && REMOTE_PLACE.test(name) && !postcodeOf(loc)) return 'remote';
  const entry = postcodeOf(loc);
  if (entry) {
    const shown = name ? germanPlaceName(name) : (entry.places[0] ?? null);
    return { plz: entry.plz, place: shown, ...coordinates(loc, entry), rank: 2 };
  }
  const town = name ? lookupTown(name) : undefined;
  if (town) return { plz: null, place: town.places[0] ?? name, ...coordinates(loc, town), rank: 1 };
  if (name) return { plz: null, place: name, ...coordinates(loc, undefined), rank: 0 };
  return undefined;
}

const NONE: ResolvedLocation = { plz: null, place: null, lat: null, lon: null, places: [], remote: false };

const sameKey = (p: ResolvedPlace) => `${p.plz ?? ''}|${(p.place ?? '').toLowerCase()}`;

/**
 * Every location resolved; the main place is the first with a postcode, else the first known town, else the first
 * name. Locations saying "Remote" set `remote` and are no place.
 */
export function resolveLocation(locations: PostingLocation[]): ResolvedLocation {
  let remote = false;
  const resolved: Resolved[] = [];
  const seen = new Set<string>();
  for (const loc of locations) {
    const one = resolveOne(loc);
    if (one === 'remote') remote = true;
    else if (one && !seen.has(sameKey(one))) {
      seen.add(sameKey(one));
      resolved.push(one);
    }
  }
  if (resolved.length === 0) return { ...NONE, remote };
  const best = Math.max(...resolved.map((r) => r.rank));
  const mainIndex = resolved.findIndex((r) => r.rank === best);
  // A name we could not place beside places we could is most likely noise ("Region Süd"); it is kept only alone.
  const ordered = [resolved[mainIndex] as Resolved, ...resolved.filter((_, i) => i !== mainIndex)]
    .filter((r) => r.rank > 0 || best === 0)
    .map(({ rank: _rank, ...place }) => place);
  const main = ordered[0] as ResolvedPlace;
  return { ...main, places: ordered.length > 1 ? ordered : [], remote };
}
