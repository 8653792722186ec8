/**
 * Builds the compact reference data files shipped in src/ from the official downloads (README, "Data sources"),
 * which are too large for the repository and are expected beside it, in ../shared/data. Run at development time
 * only (`npm run build:reference-data`); nothing reads them at run time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';

const shared = resolve(import.meta.dirname, '../../shared/data');
const out = resolve(import.meta.dirname, '../src');

function clean(text: string | undefined): string {
  return (text ?? '')
    .replace(/&nbsp;/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** "Zugeordnete Berufe (Beispiele):  29302-100 Koch/Köchin  29302-101 …" → ["Koch/Köchin", …] */
function assignedOccupations(text: string): string[] {
  const body = text.replace(/^.*?:/, '');
  return body
    .split(/\s*\d{5}-\d{3}\s+/)
    .map(clean)
    .filter((s) => s.length > 0);
}

/** "Nicht einzubeziehende Berufe:  Diätkoch/-köchin(29382)  Fachkraft - …(29202)" → [[title, code], …] */
function excludedOccupations(text: string): Array<[string, string]> {
  const parts = text.replace(/^.*?:/, '').split(/\((\d{5})\)/);
  const result: Array<[string, string]> = [];
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const title = clean(parts[i]);
    if (title) result.push([title, parts[i + 1] as string]);
  }
  return result;
}

function buildKldb(): void {
  const csv = readFileSync(resolve(shared, 'kldb2010/kldb2010-v2020-gliederung.csv'), 'utf8');
  const rows: string[][] = parse(csv, { delimiter: ';', bom: true, relax_column_count: true, from_line: 2 });
  const entries = rows.map((r) => {
    const [code, level, title, shortTitle, remarks, inclusions, furtherIncluded, exclusions] = r.map((c) => c ?? '');
    const isLeaf = level === '5';
    return {
      // The file writes codes as numbers, so military codes lose their leading zero ("1104" for 01104).
      code: clean(code).padStart(Number(level), '0'),
      title: clean(title),
      shortTitle: clean(shortTitle),
      description: clean(remarks),
      // On level 5, "Umfasst ferner" lists the assigned occupation titles; above, it lists sub-positions.
      occupations: isLeaf && furtherIncluded ? assignedOccupations(furtherIncluded) : [],
      excluded: isLeaf && exclusions ? excludedOccupations(exclusions) : [],
      activities: isLeaf ? clean(inclusions).slice(0, 600) : '',
    };
  });
  writeFileSync(resolve(out, 'taxonomy/kldb2010.json'), `${JSON.stringify(entries)}\n`);
  console.log(`kldb2010.json: ${entries.length} entries`);
}

const COMPANY =
  /GmbH|mbH|Gesellschaft|Corporate|\bAG\b|e\.V\.|\bKG\b|Ltd|Verwaltung|Dezernat|Filiale|Abt\.|\d|"|Zentrale|Amt\b|amt\b|Landes|Bundes|Service|Werbeagentur|Verlag|Zentrum|zentrum|Bereich/;

function buildPlz(): void {
  const csv = readFileSync(resolve(shared, 'geo/zipcodes.de.csv'), 'utf8');
  const rows: Record<string, string>[] = parse(csv, { columns: true, relax_quotes: true, skip_empty_lines: true });
  const byPlz = new Map<
    string,
    {
      places: Set<string>;
      district: string;
      state: string;
      lat: number[];
      lon: number[];
      placeLat: number[];
      placeLon: number[];
    }
  >();
  for (const r of rows) {
    const plz = r.zipcode ?? '';
    if (!/^\d{5}$/.test(plz)) continue;
    const lat = Number(r.latitude);
    const lon = Number(r.longitude);
    if (!Number.isFinite(lat) || !Number.isFinite(lon)) continue;
    let e = byPlz.get(plz);
    if (!e) {
      e = {
        places: new Set(),
        district: clean(r.community),
        state: clean(r.state),
        lat: [],
        lon: [],
        placeLat: [],
        placeLon: [],
      };
      byPlz.set(plz, e);
    }
    const place = clean(r.place);
    // Rows naming a company (large-customer postcodes) are kept for coordinates only when no real place exists.
    if (place && !COMPANY.test(place)) {
      e.places.add(place);
      e.placeLat.push(lat);
      e.placeLon.push(lon);
    }
    e.lat.push(lat);
    e.lon.push(lon);
  }
  const median = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return Math.round((sorted[Math.floor(sorted.length / 2)] as number) * 1e4) / 1e4;
  };
  const entries = [...byPlz.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([plz, e]) => [
      plz,
      [...e.places].join('|'),
      e.district,
      e.state,
      ...(e.placeLat.length ? [median(e.placeLat), median(e.placeLon)] : [median(e.lat), median(e.lon)]),
    ]);
  writeFileSync(resolve(out, 'geo/plz.de.json'), `${JSON.stringify(entries)}\n`);
  console.log(`plz.de.json: ${entries.length} postcodes`);
}

buildKldb();
buildPlz();
