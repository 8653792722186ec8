/**
 * Every German text of the sign-in pages and the employer portal, in plain language (kurze Sätze, "Sie").
 * One place, so wording is reviewed together and the pages hold no literal text.
 */
import type { Role } from '../../src/domain/enums.ts';

export const productName = 'Jobbrücke';

export const roleLabel: Record<Role, string> = {
  employer: 'Arbeitgeber',
  caseworker: 'Arbeitsvermittlung',
  branch_lead: 'Teamleitung',
  admin: 'Verwaltung',
};

export const layout = {
  skipLink: 'Zum Inhalt springen',
  signedInAs: 'Angemeldet als',
  mainNav: 'Hauptnavigation',
  signOut: 'Abmelden',
  footer: 'Jobbrücke – ein Angebot des Jobcenters.',
};

export const refusal = {
  signInTitle: 'Bitte melden Sie sich an',
  signInText: 'Ihre Sitzung ist abgelaufen oder Sie sind nicht angemeldet. Ihre Eingaben wurden nicht gespeichert.',
  signInLink: 'Zur Anmeldung',
  forbiddenTitle: 'Kein Zugriff',
  forbiddenText: 'Diese Seite ist für Ihr Konto nicht freigegeben.',
  csrfTitle: 'Formular abgelaufen',
  csrfText:
    'Das Formular war zu alt oder stammt nicht von dieser Seite. Ihre Eingaben wurden nicht gespeichert. Bitte laden Sie die Seite neu und senden Sie das Formular noch einmal.',
  backHome: 'Zur Startseite',
  notFoundTitle: 'Seite nicht gefunden',
  notFoundText: 'Diese Seite gibt es nicht oder nicht mehr.',
};

export const signIn = {
  title: 'Anmelden',
  intro: 'Melden Sie sich mit Ihrer E-Mail-Adresse und Ihrem Passwort an.',
  email: 'E-Mail-Adresse',
  password: 'Passwort',
  submit: 'Anmelden',
  errorHeading: 'Die Anmeldung hat nicht geklappt',
  emailMissing: 'Bitte geben Sie Ihre E-Mail-Adresse ein.',
  passwordMissing: 'Bitte geben Sie Ihr Passwort ein.',
  formExpired: 'Das Formular war abgelaufen. Bitte versuchen Sie es noch einmal.',
  signedOut: 'Sie sind abgemeldet.',
  signedOutEverywhere: 'Sie sind jetzt auf allen Geräten abgemeldet.',
  noAccount: 'Noch kein Zugang? Ihr Jobcenter schickt Ihnen einen Einladungslink.',
  alreadySignedIn: 'Sie sind bereits angemeldet.',
};

export const signOut = {
  everywhere: 'Auf allen Geräten abmelden',
  everywhereHint: 'Beendet Ihre Anmeldung auch auf anderen Computern und Handys.',
};

export const invitation = {
  title: 'Passwort festlegen',
  intro: 'Willkommen bei Jobbrücke. Legen Sie jetzt Ihr Passwort fest. Danach sind Sie angemeldet.',
  account: 'Ihr Zugang',
  password: 'Neues Passwort',
  passwordHint: (min: number) => `Mindestens ${min} Zeichen. Ein ganzer Satz ist gut zu merken und sicher.`,
  confirm: 'Passwort wiederholen',
  submit: 'Passwort speichern',
  errorHeading: 'Bitte prüfen Sie Ihre Eingaben',
  tooShort: (min: number) => `Das Passwort muss mindestens ${min} Zeichen lang sein.`,
  tooLong: (max: number) => `Das Passwort darf höchstens ${max} Zeichen lang sein.`,
  mismatch: 'Die beiden Passwörter sind nicht gleich.',
  invalidTitle: 'Einladung nicht gültig',
  invalidText:
    'Dieser Einladungslink ist abgelaufen oder wurde schon benutzt. Bitten Sie Ihr Jobcenter um einen neuen Link.',
};

export const invitationErrors = {
  invalid: 'Dieser Einladungslink ist abgelaufen oder wurde schon benutzt.',
};

export const account = {
  title: 'Ihr Zugang',
  everywhereText:
    'Sie haben sich auf einem anderen Gerät angemeldet und sind nicht sicher, ob Sie sich dort abgemeldet haben? Dann melden Sie sich hier überall ab.',
};

export const employer = {
  nav: { vacancies: 'Meine Stellen', newVacancy: 'Neue Stelle melden' },
  listTitle: 'Meine Stellen',
  listIntro: 'Hier sehen Sie Ihre gemeldeten Stellen, den Stand der Bearbeitung und die Vorschläge des Jobcenters.',
  empty: 'Sie haben noch keine Stelle gemeldet.',
  newVacancyButton: 'Neue Stelle melden',
  columns: {
    reference: 'Nummer',
    title: 'Stelle',
    status: 'Stand',
    response: 'Rückmeldung des Jobcenters',
    proposals: 'Vorschläge',
  },
  status: { open: 'Offen', closed: 'Zurückgezogen', filled: 'Besetzt' } as Record<string, string>,
  sla: {
    publishOnly: 'Nur Veröffentlichung',
    due: (when: string) => `Bis ${when}`,
    answered: (when: string) => `Erhalten am ${when}`,
    overdue: 'Überfällig – wir kümmern uns',
    ended: '–',
  },
  formTitle: 'Neue Stelle melden',
  formIntro:
    'Felder mit * müssen Sie ausfüllen. Alles andere hilft uns, passende Bewerberinnen und Bewerber zu finden.',
  required: '*',
  sections: {
    job: 'Die Stelle',
    place: 'Arbeitsort',
    conditions: 'Bedingungen',
    contact: 'Ansprechperson und Bewerbung',
    service: 'Unterstützung durch das Jobcenter',
  },
  fields: {
    title: 'Berufsbezeichnung',
    titleHint: 'Zum Beispiel: Pflegefachkraft, Lagerhelfer/in, Bürokauffrau/-mann.',
    suggest: 'Vorschlag',
    suggestHint:
      'Der Vorschlag zeigt, wie wir Ihre Stelle in die Berufsklassifikation einordnen. Ein Klick auf das Passende übernimmt die Anforderung.',
    suggestFound: 'So ordnen wir Ihre Stelle voraussichtlich ein:',
    suggestNone: 'Keine Vorschläge gefunden. Sie können Ihre Bezeichnung trotzdem verwenden.',
    chosen: (title: string) => `Ausgewählt: ${title}`,
    description: 'Beschreibung der Tätigkeit',
    descriptionHint: 'Was ist zu tun? Was bieten Sie? Kurze Sätze helfen beim Lesen.',
    plz: 'Postleitzahl',
    place: 'Ort',
    placeHint: 'Leer lassen: Wir nehmen den Ort zur Postleitzahl.',
    street: 'Straße und Hausnummer',
    workingTimes: 'Arbeitszeit',
    contractType: 'Vertrag',
    contract: { unbefristet: 'Unbefristet', befristet: 'Befristet' } as Record<string, string>,
    offerType: 'Art des Angebots',
    startDate: 'Beginn',
    startDateHint: 'Leer lassen: ab sofort.',
    positions: 'Anzahl der Stellen',
    level: 'Anforderung',
    levelAny: 'Bitte wählen (freiwillig)',
    skills: 'Wichtige Kenntnisse',
    skillsHint: 'Eine Kenntnis pro Zeile, zum Beispiel: Staplerschein, Kasse, MS Office.',
    contactName: 'Name der Ansprechperson',
    contactEmail: 'E-Mail der Ansprechperson',
    contactPhone: 'Telefon der Ansprechperson',
    routeKind: 'So bewerben sich Interessierte',
    routeNone: 'Bitte wählen (freiwillig)',
    route: {
      email: 'Per E-Mail',
      online: 'Online-Formular',
      post: 'Per Post',
      phone: 'Per Telefon',
      in_person: 'Persönlich vorbeikommen',
    } as Record<string, string>,
    routeValue: 'Adresse, Internetadresse oder Telefonnummer für die Bewerbung',
    placement: 'Bitte schlagen Sie mir Bewerberinnen und Bewerber vor',
    placementHint: 'Sie bekommen innerhalb von 48 Stunden eine Rückmeldung vom Jobcenter.',
  },
  submit: 'Stelle melden',
  errorHeading: 'Bitte prüfen Sie Ihre Angaben',
  positionsNumber: 'Bitte geben Sie eine ganze Zahl ein.',
  confirmTitle: 'Vielen Dank – Ihre Stelle ist angekommen',
  confirmReference: 'Ihre Nummer für Rückfragen:',
  confirmPromise: (when: string) => `Wir melden uns spätestens am ${when} bei Ihnen.`,
  confirmPublishOnly: 'Wir veröffentlichen Ihre Stelle. Vorschläge machen wir nur, wenn Sie es wünschen.',
  confirmCaseworker: (name: string) => `Ihre Ansprechperson im Jobcenter: ${name}.`,
  confirmNext: 'Zur Stelle',
  toList: 'Zu meinen Stellen',
  detailFacts: {
    reference: 'Nummer',
    status: 'Stand',
    response: 'Rückmeldung',
    submitted: 'Gemeldet am',
    place: 'Arbeitsort',
    positions: 'Stellen besetzt',
  },
  proposalsTitle: 'Vorschläge des Jobcenters',
  proposalsNone: 'Noch keine Vorschläge. Sobald das Jobcenter jemanden vorschlägt, sehen Sie es hier.',
  proposalsPrivacy:
    'Aus Datenschutzgründen sehen Sie den Namen nur, wenn die Person zugestimmt hat. Die Kontaktdaten gibt Ihnen das Jobcenter.',
  candidate: {
    proposedAt: 'Vorgeschlagen am',
    qualifications: 'Abschlüsse',
    skills: 'Kenntnisse',
    languages: 'Sprachen',
    licences: 'Führerscheine',
    workingTimes: 'Arbeitszeit',
    availableFrom: 'Verfügbar ab',
    commute: 'Entfernung zum Arbeitsort',
    commuteKm: (km: number) => `${km} km`,
    note: 'Hinweis des Jobcenters',
    none: 'keine Angabe',
    status: 'Stand',
  },
  proposalStatus: {
    open: 'Offen',
    invited: 'Zum Gespräch eingeladen',
    hired: 'Eingestellt',
    rejected: 'Abgesagt',
    no_reaction: 'Keine Rückmeldung',
    withdrawn: 'Zurückgezogen',
  } as Record<string, string>,
  outcomeLegend: (label: string) => `Wie ist es mit ${label} weitergegangen?`,
  outcomeReason: 'Grund der Absage (nur bei Absage)',
  outcomeNote: 'Bemerkung (freiwillig)',
  outcomeButtons: { invited: 'Zum Gespräch eingeladen', hired: 'Eingestellt', rejected: 'Abgesagt' },
  outcomeSaved: 'Ihr Ergebnis ist gespeichert. Vielen Dank für die Rückmeldung.',
  noReactionHint:
    'Die Person hat sich nicht gemeldet? Sagen Sie es Ihrer Ansprechperson im Jobcenter; sie trägt „keine Rückmeldung“ ein.',
  manageTitle: 'Stelle beenden',
  withdrawReason: 'Grund (freiwillig)',
  withdraw: 'Stelle zurückziehen',
  withdrawn: 'Die Stelle ist zurückgezogen. Wir schlagen niemanden mehr vor.',
  markFilled: 'Stelle ist besetzt',
  filled: 'Die Stelle ist als besetzt eingetragen. Vielen Dank für Ihre Rückmeldung.',
  closedNote: 'Diese Stelle ist beendet.',
  conflict: 'Das ging nicht:',
  unknownNumber: '–',
};
