/**
 * Every text of the kiosk in German: short sentences, plain words, "Sie". The German catalogue is the reference:
 * its shape is the type every other language must fill completely (`KioskMessages`).
 */
import type { ContractType, OfferType, WorkingTime } from '../../src/domain/enums.ts';

/** The KldB Berufsbereiche (first digit of the code): the occupational fields the kiosk filters by. */
export type OccupationalField = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9';

export interface KioskMessages {
  /** BCP 47 locale for dates and numbers. */
  locale: string;
  productName: string;
  serviceName: string;
  skipLink: string;
  languageNav: string;
  newSearch: string;
  startTitle: string;
  startIntro: string;
  searchHeading: string;
  whatLabel: string;
  whatHint: string;
  whereLabel: string;
  whereHint: string;
  radiusLabel: string;
  radiusOption: (km: string) => string;
  workingTimeLegend: string;
  workingTime: Record<WorkingTime, string>;
  fieldLabel: string;
  fieldAny: string;
  field: Record<OccupationalField, string>;
  offerTypeLegend: string;
  offerTypeAny: string;
  offerType: Record<OfferType, string>;
  contractType: Record<ContractType, string>;
  submit: string;
  /** Shown beside a filter choice: how many of the results have it. */
  count: (n: string) => string;
  resultsTitle: string;
  resultsHeading: (total: string) => string;
  resultsHeadingEstimated: (total: string) => string;
  noResults: string;
  noResultsHelp: string;
  changeSearch: string;
  distance: (km: string) => string;
  publishedOn: (date: string) => string;
  employer: string;
  place: string;
  workingTimeLabel: string;
  published: string;
  pagination: string;
  previousPage: string;
  nextPage: string;
  pageOf: (page: string, pages: string) => string;
  backToResults: string;
  backToStart: string;
  detailFacts: string;
  occupation: string;
  contract: string;
  offer: string;
  salary: string;
  salaryRange: (min: string | null, max: string | null, unit: 'hour' | 'month' | 'year') => string;
  validThrough: string;
  description: string;
  descriptionNote: string;
  howToApply: string;
  applyWithLink: string;
  applyAddress: string;
  applyQr: string;
  qrAlt: string;
  applyWithoutLink: string;
  applyNoKioskForms: string;
  closed: string;
  printLink: string;
  printTitle: string;
  printButton: string;
  printHint: string;
  printShortened: string;
  backToDetail: string;
  printFooter: (date: string) => string;
  resetQuestion: string;
  /** `{n}` is replaced by the seconds left, in the page's script. */
  resetCountdown: string;
  resetContinue: string;
  errorSummary: string;
  errorPlace: string;
  errorTooLong: string;
  errorChoice: string;
  errorPage: string;
  notFoundTitle: string;
  notFoundText: string;
  failureTitle: string;
  failureText: string;
  tooManyTitle: string;
  tooManyText: string;
}

export const kioskDe: KioskMessages = {
  locale: 'de-DE',
  productName: 'Jobbrücke',
  serviceName: 'Stellensuche',
  skipLink: 'Zum Inhalt springen',
  languageNav: 'Sprache',
  newSearch: 'Neue Suche',
  startTitle: 'Arbeit und Ausbildung finden',
  startIntro: 'Hier finden Sie freie Stellen. Sie brauchen kein Konto. Ihre Suche wird nicht gespeichert.',
  searchHeading: 'Stellen suchen',
  whatLabel: 'Was suchen Sie?',
  whatHint: 'Zum Beispiel: Lager, Koch, Pflege',
  whereLabel: 'Wo? Ort oder Postleitzahl',
  whereHint: 'Zum Beispiel: Stuttgart oder 70173',
  radiusLabel: 'Umkreis',
  radiusOption: (km) => `bis ${km} km`,
  workingTimeLegend: 'Arbeitszeit',
  workingTime: {
    vollzeit: 'Vollzeit',
    teilzeit: 'Teilzeit',
    minijob: 'Minijob',
    schicht_nacht_wochenende: 'Schicht, Nacht oder Wochenende',
    heim_telearbeit: 'Arbeit von zu Hause',
  },
  fieldLabel: 'Berufsfeld',
  fieldAny: 'Alle Berufsfelder',
  field: {
    '0': 'Militär',
    '1': 'Landwirtschaft, Tiere, Garten',
    '2': 'Produktion und Fertigung',
    '3': 'Bau und Gebäudetechnik',
    '4': 'Naturwissenschaft und Informatik',
    '5': 'Verkehr, Lager, Sicherheit',
    '6': 'Handel, Verkauf, Hotel und Gastronomie',
    '7': 'Büro, Verwaltung, Recht',
    '8': 'Gesundheit, Soziales, Erziehung',
    '9': 'Medien, Kunst, Kultur, Sprachen',
  },
  offerTypeLegend: 'Art des Angebots',
  offerTypeAny: 'Alle Angebote',
  offerType: {
    arbeit: 'Arbeitsstelle',
    ausbildung: 'Ausbildungsplatz',
    praktikum: 'Praktikum',
    selbstaendigkeit: 'Selbstständigkeit',
  },
  contractType: { befristet: 'befristet', unbefristet: 'unbefristet' },
  submit: 'Suchen',
  count: (n) => `${n} Treffer`,
  resultsTitle: 'Suchergebnis',
  resultsHeading: (total) => `${total} Stellen gefunden`,
  resultsHeadingEstimated: (total) => `Etwa ${total} Stellen gefunden`,
  noResults: 'Wir haben keine passende Stelle gefunden.',
  noResultsHelp: 'Versuchen Sie andere Wörter. Oder wählen Sie einen größeren Umkreis.',
  changeSearch: 'Suche ändern',
  distance: (km) => `${km} km entfernt`,
  publishedOn: (date) => `seit ${date}`,
  employer: 'Arbeitgeber',
  place: 'Ort',
  workingTimeLabel: 'Arbeitszeit',
  published: 'Veröffentlicht',
  pagination: 'Seiten',
  previousPage: 'Vorherige Seite',
  nextPage: 'Nächste Seite',
  pageOf: (page, pages) => `Seite ${page} von ${pages}`,
  backToResults: 'Zurück zum Suchergebnis',
  backToStart: 'Zur Startseite',
  detailFacts: 'Das Wichtigste',
  occupation: 'Beruf',
  contract: 'Vertrag',
  offer: 'Angebot',
  salary: 'Gehalt',
  salaryRange: (min, max, unit) => {
    const per = { hour: 'pro Stunde', month: 'im Monat', year: 'im Jahr' }[unit];
    if (min && max) return `${min} bis ${max} ${per}`;
    return min ? `ab ${min} ${per}` : `bis ${max} ${per}`;
  },
  validThrough: 'Bewerben bis',
  description: 'Beschreibung',
  descriptionNote: 'Diesen Text hat der Arbeitgeber geschrieben.',
  howToApply: 'So bewerben Sie sich',
  applyWithLink: 'Bewerben Sie sich so, wie es in der Anzeige steht. Die Anzeige finden Sie im Internet:',
  applyAddress: 'Adresse der Anzeige',
  applyQr: 'Scannen Sie den Code mit Ihrem Handy. Dann haben Sie die Anzeige auf dem Handy.',
  qrAlt: 'QR-Code mit der Adresse der Anzeige',
  applyWithoutLink:
    'Diese Stelle hat der Arbeitgeber dem Jobcenter gemeldet. Drucken Sie die Stelle aus. Zeigen Sie den Ausdruck Ihrer Ansprechperson im Jobcenter.',
  applyNoKioskForms: 'Geben Sie an diesem Gerät keine persönlichen Daten ein.',
  closed: 'Diese Stelle ist nicht mehr frei.',
  printLink: 'Drucken',
  printTitle: 'Druckansicht',
  printButton: 'Jetzt drucken',
  printHint: 'So sieht der Ausdruck aus.',
  printShortened: 'Der Text ist gekürzt. Den ganzen Text finden Sie in der Anzeige.',
  backToDetail: 'Zurück zur Stelle',
  printFooter: (date) => `Gedruckt am ${date} an einem Jobcenter-Computer.`,
  resetQuestion: 'Sind Sie noch da?',
  resetCountdown: 'Die Seite wird gleich gelöscht. Noch {n} Sekunden.',
  resetContinue: 'Ich bin noch da',
  errorSummary: 'Bitte prüfen Sie Ihre Eingabe.',
  errorPlace: 'Diesen Ort kennen wir nicht. Prüfen Sie die Schreibweise. Oder geben Sie eine Postleitzahl ein.',
  errorTooLong: 'Bitte geben Sie höchstens 200 Zeichen ein.',
  errorChoice: 'Diese Auswahl gibt es nicht. Bitte wählen Sie neu.',
  errorPage: 'Diese Seite gibt es nicht. Bitte suchen Sie neu.',
  notFoundTitle: 'Stelle nicht gefunden',
  notFoundText: 'Diese Stelle gibt es nicht mehr. Bitte suchen Sie neu.',
  failureTitle: 'Das hat nicht geklappt',
  failureText: 'Es gab einen Fehler. Bitte versuchen Sie es gleich noch einmal.',
  tooManyTitle: 'Zu viele Anfragen',
  tooManyText:
    'An diesem Gerät wurde gerade sehr viel gesucht. Bitte warten Sie eine Minute und versuchen Sie es dann erneut.',
};
