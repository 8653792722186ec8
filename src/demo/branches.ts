/**
 * The 14 demo branch offices (Zweigstellen), named after Stuttgart districts, each serving the postcodes nearest to
 * it. Synthetic: real branch names and catchment areas come from the job centre's own configuration.
 */
import { distanceKm, lookupPlz, regionStuttgartPostcodes } from '../geo/plz.ts';

export interface DemoBranch {
  id: number;
  name: string;
  plz: string;
  catchmentPlz: string[];
}

const BRANCH_SITES: Array<[name: string, plz: string]> = [
  ['Zweigstelle Mitte', '70173'],
  ['Zweigstelle Nord', '70191'],
  ['Zweigstelle Ost', '70190'],
  ['Zweigstelle Süd', '70180'],
  ['Zweigstelle West', '70176'],
  ['Zweigstelle Bad Cannstatt', '70372'],
  ['Zweigstelle Feuerbach', '70469'],
  ['Zweigstelle Zuffenhausen', '70435'],
  ['Zweigstelle Vaihingen', '70563'],
  ['Zweigstelle Möhringen', '70567'],
  ['Zweigstelle Degerloch', '70597'],
  ['Zweigstelle Untertürkheim', '70327'],
  ['Zweigstelle Weilimdorf', '70499'],
  ['Zweigstelle Mühlhausen', '70378'],
];

/** Stuttgart's own postcodes (the city's job centre serves its residents). */
export function stuttgartPostcodes() {
  return regionStuttgartPostcodes().filter((e) => e.plz.startsWith('70') && /Stuttgart/.test(e.district));
}

export function demoBranches(): DemoBranch[] {
  const sites = BRANCH_SITES.map(([name, plz], i) => {
    const entry = lookupPlz(plz);
    if (!entry) throw new Error(`demo branch postcode ${plz} missing from the postcode data`);
    return { id: i + 1, name, plz, entry, catchmentPlz: [] as string[] };
  });
  for (const pc of stuttgartPostcodes()) {
    let best = sites[0]!;
    for (const site of sites) if (distanceKm(pc, site.entry) < distanceKm(pc, best.entry)) best = site;
    best.catchmentPlz.push(pc.plz);
  }
  return sites.map(({ id, name, plz, catchmentPlz }) => ({ id, name, plz, catchmentPlz }));
}
