/**
 * Deterministic synthetic vacancies for the demo seed and the search/ingest benchmarks. Employers are obviously
 * fake ("Muster Logistik GmbH"); titles, occupations and places are realistic, and occupations follow a Zipf-like
 * frequency (many warehouse, care, retail and kitchen jobs, a long tail of rare ones) so benchmarks see the skew
 * of a real pool. Same (count, seed, now) → same output.
 */
import type { OfferType, WorkingTime } from '../domain/enums.ts';
import { lookupPlace, type PlzEntry, regionStuttgartPostcodes } from '../geo/plz.ts';
import { findLanguages } from '../ingest/languages.ts';
import { findLicences } from '../ingest/licences.ts';
import { findSkills } from '../ingest/skills.ts';
import { cueText } from '../ingest/text.ts';
import { type KldbEntry, kldbEntry, kldbLeaves, requirementLevel } from '../taxonomy/kldb.ts';
import type { NormalisedVacancy } from '../vacancies/vacancy.ts';
import { mulberry32 } from './random.ts';

type Always = 'employerName' | 'kldbCode' | 'plz' | 'place' | 'lat' | 'lon' | 'publishedAt';
/** The fields the generator draws, those in `Always` never null; `normaliseSynthetic` derives the rest. */
export type SyntheticVacancy = Pick<
  NormalisedVacancy,
  'title' | 'description' | 'workingTimes' | 'contractType' | 'offerType'
> & { [K in Always]: NonNullable<NormalisedVacancy[K]> };

const DAY_MS = 86_400_000;
const PUBLISHED_WITHIN_DAYS = 60;
const NATIONWIDE_SHARE = 0.05;
/** Zipf exponent and rank offset: the head (warehouse, care, retail, kitchen) is large without one job dominating. */
const ZIPF_S = 1.05;
const ZIPF_RANK_OFFSET = 3;

interface Occupation {
  /** Title without the gender marker, e.g. "Fachkraft für Lagerlogistik". */
  base: string;
  kldbCode: string;
}

/** The phrasings job ads actually use for the most common jobs, most frequent first. */
const COMMON_ADS: Array<[base: string, kldbCode: string]> = [
  ['Helfer Lager', '51311'],
  ['Lagerhelfer', '51311'],
  ['Pflegefachkraft', '81302'],
  ['Verkäufer', '62102'],
  ['Fachkraft für Lagerlogistik', '51312'],
  ['Koch / Köchin', '29302'],
  ['Küchenhilfe', '29301'],
  ['Kommissionierer', '51312'],
  ['Reinigungskraft', '54101'],
  ['Pflegehelfer', '81301'],
  ['Berufskraftfahrer CE', '52122'],
  ['Servicekraft Gastronomie', '63301'],
  ['Altenpfleger', '82102'],
  ['Staplerfahrer', '52531'],
  ['Bürokaufmann/-frau Teilzeit', '71402'],
  ['Elektroniker für Betriebstechnik', '26252'],
  ['Mitarbeiter Verkauf', '62102'],
  ['Produktionshelfer', '25101'],
  ['Maschinen- und Anlagenführer', '25122'],
  ['Kfz-Mechatroniker', '25212'],
  ['Elektriker', '26212'],
  ['Altenpflegehelfer', '82101'],
  ['Erzieher', '83113'],
  ['Paketzusteller', '51321'],
  ['Kassierer', '62101'],
  ['Industriemechaniker', '25102'],
  ['Anlagenmechaniker SHK', '34212'],
  ['Hausmeister', '34102'],
  ['Sicherheitsmitarbeiter', '53111'],
  ['Kurierfahrer', '52182'],
  ['Medizinische Fachangestellte', '81102'],
  ['Busfahrer', '52132'],
  ['Gebäudereiniger', '54112'],
  ['Mitarbeiter Kundenservice', '92122'],
  ['Sachbearbeiter Buchhaltung', '72213'],
  ['Restaurantfachmann/-frau', '63302'],
  ['Bäcker', '29222'],
  ['Fleischer', '29232'],
  ['Friseur', '82312'],
  ['Maler und Lackierer', '33212'],
  ['Tischler', '22342'],
  ['Fachinformatiker Anwendungsentwicklung', '43412'],
  ['Mechatroniker', '26112'],
  ['Hotelfachmann/-frau', '63222'],
  ['Gärtner Garten- und Landschaftsbau', '12142'],
];

const TITLE_FORMS = [
  '{base} (m/w/d)',
  '{base} (m/w/d)',
  '{base} (w/m/d)',
  '{base} (m/w/d) in Vollzeit',
  '{base} (m/w/d) in Teilzeit',
  '{base} (m/w/d) ab sofort',
  'Quereinsteiger als {base} (m/w/d)',
  '{base} (m/w/d) – unbefristet',
];

const EMPLOYER_PREFIXES = ['Muster', 'Beispiel', 'Demo', 'Fiktiv', 'Probe', 'Testfirma'];
const EMPLOYER_FORMS = ['GmbH', 'GmbH & Co. KG', 'AG', 'e.K.'];
/** Sector words per KldB Berufsbereich (first digit); a few Berufshauptgruppen get their own. */
const SECTORS: Record<string, string[]> = {
  '0': ['Sicherheit'],
  '1': ['Garten', 'Agrar', 'Grün'],
  '2': ['Metall', 'Technik', 'Elektro', 'Produktion', 'Automotive'],
  '29': ['Gastro', 'Küche', 'Catering'],
  '3': ['Bau', 'Haustechnik', 'Ausbau'],
  '4': ['IT', 'Labor', 'Software'],
  '5': ['Logistik', 'Lager', 'Versand'],
  '52': ['Transport', 'Spedition', 'Kurier'],
  '54': ['Reinigung', 'Gebäudeservice'],
  '6': ['Handel', 'Markt', 'Vertrieb'],
  '63': ['Gastro', 'Hotel', 'Event'],
  '7': ['Büro', 'Verwaltung', 'Finanz'],
  '8': ['Pflege', 'Klinik', 'Soziales', 'Kita', 'Praxis'],
  '9': ['Medien', 'Kommunikation'],
};
const CARE_FORM = 'gGmbH';

const REQUIREMENTS = [
  'Deutschkenntnisse mindestens auf Niveau B2.',
  'Gute Deutschkenntnisse in Wort und Schrift (B1).',
  'Führerschein Klasse B ist wünschenswert.',
  'Berufserfahrung ist von Vorteil, aber keine Voraussetzung.',
  'Quereinsteiger sind herzlich willkommen.',
  'Zuverlässigkeit, Teamfähigkeit und Freundlichkeit.',
  'Bereitschaft zu Schicht- und Wochenendarbeit.',
  'Sichere Kenntnisse in MS Office.',
  'Körperliche Belastbarkeit.',
  'Eine abgeschlossene Berufsausbildung im genannten Bereich.',
];
const FIELD_REQUIREMENTS: Record<string, string[]> = {
  '51': [
    'Staplerschein (Flurförderzeugschein) erforderlich.',
    'Erfahrung mit Handscannern und Warenwirtschaftssystemen.',
  ],
  '52': ['Führerschein Klasse C/CE mit Modul 95 und Fahrerkarte.', 'ADR-Schein wünschenswert.'],
  '81': ['Examen als Pflegefachkraft oder Pflegehelfer mit Erfahrung.', 'Einfühlungsvermögen im Umgang mit Patienten.'],
  '82': ['Freude an der Arbeit mit älteren Menschen.', 'Erfahrung in der Grundpflege.'],
  '29': ['Hygieneschulung nach Infektionsschutzgesetz (Rote Karte).', 'Belastbarkeit im Stoßgeschäft.'],
  '26': ['Elektrofachkraft nach DGUV V3.', 'Erfahrung mit SPS-Steuerungen (Siemens S7).'],
};
const BENEFITS = [
  'Wir bieten einen sicheren Arbeitsplatz, Bezahlung nach Tarif und 30 Tage Urlaub.',
  'Es erwarten Sie ein kollegiales Team, Jobticket und betriebliche Altersvorsorge.',
  'Wir bieten flexible Arbeitszeiten, Weiterbildung und Zuschläge für Nacht- und Sonntagsarbeit.',
  'Faire Bezahlung, pünktliche Lohnzahlung und eine strukturierte Einarbeitung.',
];

const NATIONWIDE_CITIES = [
  'Hamburg',
  'Berlin',
  'München',
  'Köln',
  'Frankfurt am Main',
  'Leipzig',
  'Hannover',
  'Nürnberg',
  'Karlsruhe',
  'Mannheim',
  'Ulm',
  'Heilbronn',
  'Augsburg',
  'Dortmund',
];

/** Postcodes that the geo data lists under a company or authority instead of a place name. */
const NOT_A_PLACE =
  /GmbH|\b(AG|SE|eG)\b|e\.\s?V\.|a\.G|Bank|[Kk]asse|Agentur|Versicherung|[Vv]erwaltung|Stadt |Amtsgericht|Lotterie|Bosch|Festo|Dürr|Genossenschaft|Paulinenpflege|[A-Z]{3,}|\d/;
/** The region's postcode list carries a few mislabelled far-away entries; keep what is really near Stuttgart. */
const REGION_BOX = { minLat: 48.4, maxLat: 49.2, minLon: 8.7, maxLon: 10.0 };

interface Location {
  plz: string;
  place: string;
  lat: number;
  lon: number;
}

function placeName(entry: PlzEntry): string {
  const name = entry.places[0] ?? '';
  // "Stuttgart Vaihingen" is how the data names a city district; ads write "Stuttgart-Vaihingen".
  if (name.startsWith('Stuttgart ')) {
    const district = name.slice('Stuttgart '.length);
    return district.startsWith('Stuttgart-') ? district : `Stuttgart-${district}`;
  }
  return name;
}

function regionLocations(): Location[] {
  return regionStuttgartPostcodes()
    .filter(
      (e) =>
        e.lat >= REGION_BOX.minLat &&
        e.lat <= REGION_BOX.maxLat &&
        e.lon >= REGION_BOX.minLon &&
        e.lon <= REGION_BOX.maxLon &&
        !NOT_A_PLACE.test(e.places[0] ?? ''),
    )
    .map((e) => ({ plz: e.plz, place: placeName(e), lat: e.lat, lon: e.lon }));
}

function nationwideLocations(): Location[] {
  return NATIONWIDE_CITIES.flatMap((city) => {
    const e = lookupPlace(city);
    return e ? [{ plz: e.plz, place: city, lat: e.lat, lon: e.lon }] : [];
  });
}

/** "Verkäufer/in" → "Verkäufer"; BA occupation names with legal references or long qualifiers are skipped. */
function occupationFromKldb(entry: KldbEntry): Occupation | undefined {
  const name = entry.occupations.find((o) => !/[§()]/.test(o) && o.length <= 40);
  if (!name) return undefined;
  const base = name.replace(/\/-?in\b/g, '').replace(/\/-\w+/g, '');
  return { base, kldbCode: entry.code };
}

/** Common phrasings first (the Zipf head), then one occupation per remaining KldB leaf in a fixed shuffled order. */
function buildOccupations(): Occupation[] {
  const head: Occupation[] = COMMON_ADS.filter(([, code]) => kldbEntry(code)).map(([base, kldbCode]) => ({
    base,
    kldbCode,
  }));
  const headCodes = new Set(head.map((o) => o.kldbCode));
  const tail = kldbLeaves()
    .filter((e) => !headCodes.has(e.code))
    .flatMap((e) => occupationFromKldb(e) ?? []);
  const random = mulberry32(2010);
  for (let i = tail.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [tail[i], tail[j]] = [tail[j] as Occupation, tail[i] as Occupation];
  }
  return [...head, ...tail];
}

function cumulativeZipf(n: number): Float64Array {
  const cumulative = new Float64Array(n);
  let sum = 0;
  for (let rank = 1; rank <= n; rank++) {
    sum += 1 / (rank + ZIPF_RANK_OFFSET) ** ZIPF_S;
    cumulative[rank - 1] = sum;
  }
  for (let i = 0; i < n; i++) cumulative[i] = (cumulative[i] as number) / sum;
  return cumulative;
}

function pickIndex(cumulative: Float64Array, r: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((cumulative[mid] as number) < r) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sectorWords(kldbCode: string): string[] {
  return SECTORS[kldbCode.slice(0, 2)] ?? SECTORS[kldbCode.slice(0, 1)] ?? ['Service'];
}

function workingTimesFor(kldbCode: string, random: () => number): WorkingTime[] {
  const times: WorkingTime[] = [];
  const r = random();
  if (r < 0.55) times.push('vollzeit');
  else if (r < 0.75) times.push('teilzeit');
  else if (r < 0.92) times.push('vollzeit', 'teilzeit');
  else times.push('minijob');
  const shiftWork = /^(51|52|81|82|29|63|24|25|54)/.test(kldbCode);
  if (shiftWork && random() < 0.35) times.push('schicht_nacht_wochenende');
  if (/^(7|4|9)/.test(kldbCode) && random() < 0.25) times.push('heim_telearbeit');
  return times;
}

/** The start of the KldB leaf's typical activities, as the tasks sentence of the ad. */
function tasksSentence(kldbCode: string): string {
  const activities = kldbEntry(kldbCode)?.activities ?? '';
  const short = activities.split(/\s+/).slice(0, 28).join(' ');
  return short ? `Ihre Aufgaben: ${short.replace(/[\s,.;]+$/, '')}.` : '';
}

/**
 * Generates `count` vacancies. Everything derives from `seed` and `now`, so two calls with the same arguments
 * return equal data; `now` defaults to the current time so demo data always look fresh.
 */
export function generateVacancies(count: number, seed: number, now: number = Date.now()): SyntheticVacancy[] {
  const random = mulberry32(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const occupations = buildOccupations();
  const zipf = cumulativeZipf(occupations.length);
  const region = regionLocations();
  const nationwide = nationwideLocations();

  const vacancies: SyntheticVacancy[] = [];
  for (let i = 0; i < count; i++) {
    const occupation = occupations[pickIndex(zipf, random())] as Occupation;
    const offerRoll = random();
    // Apprenticeships lead to a skilled trade, so only Fachkraft codes (fifth digit 2) get them.
    const trainable = occupation.kldbCode.endsWith('2');
    const offerType: OfferType =
      offerRoll < 0.88
        ? 'arbeit'
        : offerRoll < 0.96
          ? trainable
            ? 'ausbildung'
            : 'arbeit'
          : offerRoll < 0.99
            ? 'praktikum'
            : 'selbstaendigkeit';
    const title =
      offerType === 'ausbildung'
        ? `Ausbildung zum ${occupation.base} (m/w/d)`
        : offerType === 'praktikum'
          ? `Praktikum ${occupation.base} (m/w/d)`
          : pick(TITLE_FORMS).replace('{base}', occupation.base);
    const sector = pick(sectorWords(occupation.kldbCode));
    const form = /^8/.test(occupation.kldbCode) && random() < 0.5 ? CARE_FORM : pick(EMPLOYER_FORMS);
    const employerName = `${pick(EMPLOYER_PREFIXES)} ${sector} ${form}`;
    const location = random() < NATIONWIDE_SHARE ? pick(nationwide) : pick(region);
    const fieldRequirements = FIELD_REQUIREMENTS[occupation.kldbCode.slice(0, 2)] ?? [];
    const description = [
      `Die ${employerName} sucht für den Standort ${location.place} ab sofort eine engagierte Verstärkung als ${occupation.base}.`,
      tasksSentence(occupation.kldbCode),
      'Ihr Profil:',
      ...(fieldRequirements.length ? [pick(fieldRequirements)] : []),
      pick(REQUIREMENTS),
      pick(REQUIREMENTS),
      pick(BENEFITS),
      'Wir freuen uns auf Ihre Bewerbung!',
    ]
      .filter(Boolean)
      .join(' ');
    const contractRoll = random();
    vacancies.push({
      title,
      kldbCode: occupation.kldbCode,
      description,
      employerName,
      plz: location.plz,
      place: location.place,
      lat: location.lat,
      lon: location.lon,
      workingTimes: workingTimesFor(occupation.kldbCode, random),
      contractType: contractRoll < 0.62 ? 'unbefristet' : contractRoll < 0.95 ? 'befristet' : null,
      offerType,
      publishedAt: new Date(now - Math.floor(random() * PUBLISHED_WITHIN_DAYS * DAY_MS)),
    });
  }
  return vacancies;
}

/**
 * The whole normalised vacancy of a generated one, with the same skill, licence and language extraction ingest
 * applies, so demo vacancies ask for them like real ones. Kept out of `generateVacancies`, which the benchmarks call
 * for far more vacancies and which need only the drawn fields.
 */
export function normaliseSynthetic(v: SyntheticVacancy, kldbConfidence = 0.9): NormalisedVacancy {
  const cues = cueText(v.title, v.description);
  return {
    ...v,
    kldbConfidence,
    kldbNeedsReview: false,
    requirementLevel: requirementLevel(v.kldbCode) ?? null,
    remote: false,
    salary: null,
    skills: findSkills(cues),
    licences: findLicences(cues),
    languages: findLanguages(cues),
    validThrough: null,
  };
}
