/** Dates and times as people in Germany read them, always in Berlin time whatever the server's zone. */
const TIME_ZONE = 'Europe/Berlin';

const dateTime = new Intl.DateTimeFormat('de-DE', {
  timeZone: TIME_ZONE,
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const shortDateTime = new Intl.DateTimeFormat('de-DE', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const date = new Intl.DateTimeFormat('de-DE', {
  timeZone: TIME_ZONE,
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
});

/** "Mittwoch, 13. Mai 2026 um 15:30 Uhr" */
export function longDateTime(at: Date): string {
  return `${dateTime.format(at)} Uhr`;
}

/** "13.05.2026, 15:30 Uhr" */
export function shortDateTimeText(at: Date): string {
  return `${shortDateTime.format(at)} Uhr`;
}

/** "13.05.2026" */
export function dateText(at: Date): string {
  return date.format(at);
}
