/**
 * Skills and competences named in German job ads, matched as whole words and reported under one canonical name.
 * The vocabulary was assembled by hand from the requirement sections typical of ads for job-centre customers
 * (logistics, care, retail, gastronomy, cleaning, crafts, production, office, IT, driving); extend it here.
 */
const SKILLS: ReadonlyArray<readonly [canonical: string, ...aliases: string[]]> = [
  // Office and business software
  ['SAP', 'sap', 'sap r/3', 'sap s/4hana', 'sap hana'],
  ['MS Office', 'ms office', 'ms-office', 'microsoft office', 'office 365', 'microsoft 365', 'ms-office-kenntnisse'],
  ['Excel', 'excel', 'ms excel', 'ms-excel'],
  ['Word', 'ms word', 'ms-word', 'microsoft word'],
  ['PowerPoint', 'powerpoint'],
  ['Outlook', 'outlook'],
  ['DATEV', 'datev'],
  ['Lexware', 'lexware'],
  ['ERP-Systeme', 'erp', 'erp-system', 'erp-systeme', 'warenwirtschaftssystem', 'warenwirtschaftssysteme'],
  ['CRM', 'crm', 'salesforce'],
  ['Buchhaltung', 'buchhaltung', 'finanzbuchhaltung', 'buchführung'],
  ['Lohnabrechnung', 'lohnabrechnung', 'entgeltabrechnung', 'gehaltsabrechnung', 'lohnbuchhaltung'],
  ['Rechnungswesen', 'rechnungswesen'],
  ['Controlling', 'controlling'],
  ['Korrespondenz', 'korrespondenz', 'geschäftskorrespondenz'],
  ['Terminplanung', 'terminplanung', 'terminkoordination', 'terminvereinbarung'],
  ['Telefonzentrale', 'telefonzentrale', 'telefondienst', 'telefonannahme'],
  ['Kundenservice', 'kundenservice', 'kundenbetreuung', 'kundenberatung'],
  ['Vertrieb', 'vertrieb', 'verkauf', 'akquise', 'kaltakquise'],
  ['Einkauf', 'einkauf', 'beschaffung'],
  ['Projektmanagement', 'projektmanagement'],
  ['Datenerfassung', 'datenerfassung', 'dateneingabe'],
  ['Zehnfingersystem', 'zehnfingersystem', '10-finger-system'],
  // IT
  ['Java', 'java'],
  ['JavaScript', 'javascript', 'js'],
  ['TypeScript', 'typescript'],
  ['Python', 'python'],
  ['C#', 'c#', '.net', 'dotnet'],
  ['C++', 'c++'],
  ['PHP', 'php'],
  ['SQL', 'sql', 'mysql', 'postgresql', 'oracle sql'],
  ['React', 'react', 'react.js'],
  ['Angular', 'angular'],
  ['Linux', 'linux'],
  ['Windows Server', 'windows server'],
  ['Active Directory', 'active directory'],
  ['Netzwerktechnik', 'netzwerktechnik', 'tcp/ip', 'netzwerkadministration'],
  ['Cloud', 'aws', 'azure', 'google cloud', 'cloud computing'],
  ['Docker', 'docker', 'kubernetes'],
  ['Git', 'git'],
  ['IT-Support', 'it-support', '1st level support', 'first level support', '2nd level support'],
  ['SPS', 'sps', 'sps-programmierung', 'siemens s7', 'simatic', 'tia portal'],
  ['CAD', 'cad', 'autocad', 'solidworks', 'catia', 'inventor'],
  // Production and crafts
  ['CNC', 'cnc', 'cnc-programmierung', 'cnc-technik', 'cnc-fräsen', 'cnc-drehen'],
  ['Heidenhain', 'heidenhain'],
  ['Fanuc', 'fanuc'],
  ['Schweißen', 'schweißen', 'schweissen', 'schweißkenntnisse', 'schweißerfahrung'],
  ['MIG/MAG-Schweißen', 'mig/mag', 'mag-schweißen', 'mig-schweißen', 'schutzgasschweißen'],
  ['WIG-Schweißen', 'wig', 'wig-schweißen'],
  ['Elektroschweißen', 'e-hand', 'lichtbogenhandschweißen'],
  ['Löten', 'löten', 'lötarbeiten'],
  ['Technisches Zeichnen', 'technische zeichnungen', 'technisches zeichnen', 'zeichnungslesen', 'technische zeichnung'],
  ['Messtechnik', 'messtechnik', 'messmittel', 'messen und prüfen'],
  ['Qualitätskontrolle', 'qualitätskontrolle', 'qualitätsprüfung', 'qualitätssicherung', 'sichtkontrolle'],
  ['Montage', 'montage', 'montagearbeiten'],
  ['Instandhaltung', 'instandhaltung', 'wartung', 'reparatur'],
  ['Maschinenbedienung', 'maschinenbedienung', 'maschinen bedienen', 'anlagenbedienung'],
  ['Elektroinstallation', 'elektroinstallation', 'elektroinstallationen'],
  ['Elektrotechnik', 'elektrotechnik'],
  ['Hydraulik', 'hydraulik'],
  ['Pneumatik', 'pneumatik'],
  ['Metallbearbeitung', 'metallbearbeitung'],
  ['Holzbearbeitung', 'holzbearbeitung'],
  ['Drehen', 'drehen'],
  ['Fräsen', 'fräsen'],
  ['Schleifen', 'schleifen'],
  ['Lackieren', 'lackieren', 'lackierarbeiten'],
  ['Trockenbau', 'trockenbau'],
  ['Fliesenlegen', 'fliesenlegen', 'fliesenarbeiten'],
  ['Malerarbeiten', 'malerarbeiten', 'streichen', 'tapezieren'],
  ['Sanitärinstallation', 'sanitärinstallation', 'sanitärtechnik'],
  ['Heizungstechnik', 'heizungstechnik', 'heizungsbau'],
  ['Kältetechnik', 'kältetechnik', 'klimatechnik'],
  ['Gartenpflege', 'gartenpflege', 'grünpflege', 'rasenmähen', 'heckenschnitt'],
  ['Hausmeistertätigkeiten', 'hausmeistertätigkeiten', 'kleinreparaturen'],
  // Logistics
  ['Kommissionierung', 'kommissionierung', 'kommissionieren', 'pick by voice', 'pick-by-voice', 'pick by light'],
  ['Verpackung', 'verpackung', 'verpacken', 'verpackungsarbeiten'],
  ['Wareneingang', 'wareneingang', 'warenannahme'],
  ['Warenausgang', 'warenausgang', 'versand'],
  ['Inventur', 'inventur'],
  ['Lagerverwaltung', 'lagerverwaltung', 'lagerverwaltungssystem', 'lvs'],
  ['Handscanner', 'handscanner', 'scanner', 'mde-gerät', 'mde'],
  ['Ladungssicherung', 'ladungssicherung'],
  ['Be- und Entladen', 'be- und entladen', 'entladen', 'beladen', 'verladen'],
  ['Tourenplanung', 'tourenplanung', 'disposition'],
  ['Gefahrgut', 'gefahrgut', 'adr', 'adr-schein', 'gefahrgutschein'],
  ['Fahrerkarte', 'fahrerkarte'],
  ['Modul 95', 'modul 95', 'modul-95', 'schlüsselzahl 95', 'bkrfqg'],
  ['Hubwagen', 'hubwagen', 'ameise', 'elektrohubwagen'],
  ['Zoll', 'zollabwicklung', 'zoll'],
  // Retail
  ['Kassensysteme', 'kassensystem', 'kassensysteme', 'kasse', 'kassieren', 'kassiertätigkeit'],
  ['Warenverräumung', 'warenverräumung', 'ware verräumen', 'regalpflege', 'warenpräsentation'],
  ['Beratung', 'beratung', 'verkaufsberatung'],
  ['Frischetheke', 'frischetheke', 'bedientheke', 'käsetheke', 'fleischtheke'],
  ['Visual Merchandising', 'visual merchandising', 'dekoration'],
  // Gastronomy and food
  ['HACCP', 'haccp'],
  ['Hygienevorschriften', 'hygienevorschriften', 'hygienestandards', 'hygieneregeln', 'lebensmittelhygiene'],
  ['Infektionsschutzbelehrung', 'infektionsschutzbelehrung', 'gesundheitszeugnis', 'rote karte', '§ 43 ifsg'],
  ['À-la-carte', 'à la carte', 'a la carte', 'à-la-carte', 'a-la-carte'],
  ['Speisenzubereitung', 'speisenzubereitung', 'zubereitung', 'kochen'],
  ['Frühstücksservice', 'frühstücksservice', 'frühstück'],
  ['Bankett', 'bankett', 'catering'],
  ['Barista', 'barista', 'kaffeespezialitäten'],
  ['Getränkeausschank', 'ausschank', 'getränkeausschank', 'zapfen'],
  ['Spülen', 'spülen', 'spülküche', 'geschirrspülen'],
  ['Backen', 'backen', 'backwaren'],
  // Cleaning
  ['Unterhaltsreinigung', 'unterhaltsreinigung'],
  ['Grundreinigung', 'grundreinigung'],
  ['Glasreinigung', 'glasreinigung', 'fensterreinigung'],
  ['Sonderreinigung', 'sonderreinigung', 'bauendreinigung'],
  ['Reinigungsmaschinen', 'reinigungsmaschinen', 'scheuersaugmaschine', 'reinigungsautomat'],
  ['Desinfektion', 'desinfektion', 'flächendesinfektion'],
  ['Wäschepflege', 'wäschepflege', 'bügeln', 'wäscherei'],
  ['Hauswirtschaft', 'hauswirtschaft', 'hauswirtschaftliche tätigkeiten'],
  // Care and health
  ['Grundpflege', 'grundpflege', 'körperpflege'],
  ['Behandlungspflege', 'behandlungspflege'],
  ['Pflegedokumentation', 'pflegedokumentation', 'dokumentation der pflege'],
  ['Medikamentengabe', 'medikamentengabe', 'medikamentenausgabe'],
  ['Wundversorgung', 'wundversorgung', 'wundmanagement'],
  ['Demenzbetreuung', 'demenzbetreuung', 'demenz', 'gerontopsychiatrie'],
  ['Palliativpflege', 'palliativpflege', 'palliativ'],
  ['Intensivpflege', 'intensivpflege', 'beatmung'],
  ['Mobilisation', 'mobilisation', 'mobilisierung'],
  ['Erste Hilfe', 'erste hilfe', 'erste-hilfe', 'ersthelfer'],
  ['Blutentnahme', 'blutentnahme', 'blut abnehmen'],
  ['Praxissoftware', 'praxissoftware', 'medistar', 'turbomed'],
  ['Abrechnung', 'abrechnung', 'kassenabrechnung', 'goä', 'ebm'],
  ['Sterilisation', 'sterilisation', 'aufbereitung von medizinprodukten'],
  ['Betreuung', 'betreuung', 'alltagsbegleitung', 'tagesstrukturierung'],
  // Education and social
  ['Pädagogik', 'pädagogik', 'pädagogische arbeit'],
  ['Kinderbetreuung', 'kinderbetreuung'],
  ['Elternarbeit', 'elternarbeit', 'elterngespräche'],
  ['Sprachförderung', 'sprachförderung'],
  ['Inklusion', 'inklusion', 'integration'],
  ['Beratungsgespräche', 'beratungsgespräche', 'gesprächsführung'],
  // Security
  ['Sachkunde §34a', '§34a', '§ 34a', '34a', 'sachkundeprüfung', 'unterrichtung nach § 34a'],
  ['Objektschutz', 'objektschutz', 'werkschutz'],
  ['Brandschutz', 'brandschutz', 'brandschutzhelfer'],
  ['Zutrittskontrolle', 'zutrittskontrolle', 'einlasskontrolle'],
  // Driving and general
  ['Navigation', 'navigationsgerät', 'navigation'],
  ['Kundenkontakt', 'kundenkontakt', 'kundenorientierung'],
  ['Teamfähigkeit', 'teamfähigkeit', 'teamfähig', 'teamplayer'],
  ['Zuverlässigkeit', 'zuverlässigkeit', 'zuverlässig'],
  ['Belastbarkeit', 'belastbarkeit', 'belastbar', 'körperliche belastbarkeit'],
  ['Flexibilität', 'flexibilität', 'flexibel'],
  ['Pünktlichkeit', 'pünktlichkeit', 'pünktlich'],
  ['Sorgfalt', 'sorgfalt', 'sorgfältige arbeitsweise', 'sorgfältig'],
  ['Selbständigkeit', 'selbständige arbeitsweise', 'selbstständige arbeitsweise', 'eigenverantwortlich'],
  ['Kommunikationsfähigkeit', 'kommunikationsfähigkeit', 'kommunikationsstärke', 'kommunikativ'],
  ['Freundlichkeit', 'freundlichkeit', 'freundliches auftreten', 'gepflegtes erscheinungsbild'],
  ['Handwerkliches Geschick', 'handwerkliches geschick', 'handwerklich geschickt', 'handwerkliche fähigkeiten'],
  ['Schichtbereitschaft', 'schichtbereitschaft', 'bereitschaft zur schichtarbeit'],
];

const CANONICAL = new Map<string, string>();
for (const [canonical, ...aliases] of SKILLS) for (const alias of aliases) CANONICAL.set(alias, canonical);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

// One alternation, longest alias first so "sap s/4hana" wins over "sap"; word edges on letters and digits so
// "sap" does not match inside "sapporo" and "kasse" not inside "krankenkasse".
const PATTERN = new RegExp(
  `(?<![\\p{L}\\d])(?:${[...CANONICAL.keys()]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegExp)
    .join('|')})(?![\\p{L}\\d#+])`,
  'gu',
);

/** Canonical skill names found in lower-case text, in vocabulary order. */
export function findSkills(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(PATTERN)) {
    const canonical = CANONICAL.get(match[0]);
    if (canonical) found.add(canonical);
  }
  return SKILLS.map(([canonical]) => canonical).filter((c) => found.has(c));
}
