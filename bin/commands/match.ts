import type { MatchResult } from '../../matchers/engine/types.ts';
import {
  type CustomerMatchList,
  customerMatchList,
  type VacancyMatchList,
  vacancyMatchList,
} from '../../matchers/service/match-lists.ts';
import { STORED_LIMIT } from '../../matchers/service/match-store.ts';
import { auditedRead } from '../../src/customers/audited-read.ts';
import { PROFILE_GROUP_LABEL } from '../../src/domain/enums.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { matchUsage } from './usage.ts';

const PART_LABEL: Readonly<Record<string, string>> = {
  occupation: 'Beruf',
  distance: 'Pendelweg',
  skills: 'Kenntnisse',
  requirementLevel: 'Niveau',
  workingTime: 'Arbeitszeit',
  licences: 'Führerschein',
  languages: 'Sprachen',
  employerPreferences: 'AG-Wünsche',
  freshness: 'Aktualität',
};

const TIME = new Intl.DateTimeFormat('de-DE', { timeZone: 'Europe/Berlin', dateStyle: 'medium', timeStyle: 'short' });

function explained(r: MatchResult): string[] {
  return [
    ...r.parts.map(
      (p) =>
        `      ${(PART_LABEL[p.code] ?? p.code).padEnd(13)} ${`${p.points.toFixed(1)}/${p.weight}`.padStart(9)}  ${p.text}`,
    ),
    `      erfüllt: ${r.passedConstraints.map((c) => c.text).join('; ')}`,
  ];
}

function footer(list: VacancyMatchList | CustomerMatchList, what: string): string[] {
  const lines = [
    `Berechnet ${TIME.format(list.computedAt)} (${list.source === 'stored' ? 'gespeicherte Liste' : 'neu berechnet'}), ` +
      `${list.excludedCount} ${what} ausgeschlossen`,
  ];
  if (list.capNote) lines.push(`Obergrenze: ${list.capNote}`);
  for (const s of list.skipped) lines.push(`  ${s.id}: ${s.note} (Punkte ${s.score})`);
  if (list.results.length === 0) lines.push('', 'Keine Vorschläge.');
  return lines;
}

export function formatVacancyList(list: VacancyMatchList): string {
  const v = list.subject;
  const where = [v.plz, v.place].filter(Boolean).join(' ');
  return [
    `Stelle ${v.id}: ${v.title}${v.employerName ? `, ${v.employerName}` : ''}${where ? `, ${where}` : ''} (KldB ${v.kldbCode ?? '–'})`,
    ...footer(list, 'Personen'),
    ...list.results.flatMap((r, i) => [
      '',
      `${String(i + 1).padStart(3)}. ${r.customer.displayName} · ${PROFILE_GROUP_LABEL[r.customer.profileGroup]} · PLZ ${r.customer.plz} · ${r.score} Punkte`,
      `      Kunden-Nr. ${r.customer.id}`,
      ...explained(r),
    ]),
  ].join('\n');
}

export function formatCustomerList(list: CustomerMatchList): string {
  const c = list.subject;
  return [
    `${c.displayName} (${c.id}) · ${PROFILE_GROUP_LABEL[c.profileGroup]} · PLZ ${c.plz}`,
    ...list.ineligible.map((r) => `Nicht vorschlagbar: ${r.text}`),
    ...footer(list, 'Stellen'),
    ...list.results.flatMap((r, i) => [
      '',
      `${String(i + 1).padStart(3)}. ${r.vacancy.title}${r.vacancy.employerName ? `, ${r.vacancy.employerName}` : ''} · ${[r.vacancy.plz, r.vacancy.place].filter(Boolean).join(' ')} · ${r.score} Punkte`,
      `      Stelle ${r.vacancy.id}`,
      ...explained(r),
    ]),
  ].join('\n');
}

export const matchCommand: Command = {
  ...matchUsage,
  async run({ io, resources, values, operator }) {
    const vacancyId = stringOption(values, 'vacancy');
    const customerId = stringOption(values, 'customer');
    if (!vacancyId === !customerId) throw new UsageError('Give exactly one of --vacancy and --customer.');
    if (customerId && values['include-activation']) throw new UsageError('--include-activation goes with --vacancy.');
    const limitText = stringOption(values, 'limit') ?? '20';
    const limit = Number(limitText);
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > STORED_LIMIT) {
      throw new UsageError(`--limit must be a whole number from 1 to ${STORED_LIMIT}, got "${limitText}".`);
    }
    const { ctx } = await resources.core();
    const service = await resources.matchService();
    const entry = {
      actor: null,
      action: 'read',
      purpose: 'matching',
      // The operator's login name: the CLI has no user account, but the trail must still name a person.
      detail: { actor: 'cli', osUser: operator, limit },
    };
    if (vacancyId) {
      const list = await auditedRead(
        ctx,
        { ...entry, objectType: 'vacancy_matches', objectId: vacancyId },
        () =>
          vacancyMatchList(ctx, service, vacancyId, {
            limit,
            includeActivation: values['include-activation'] === true,
            branchId: null,
          }),
        (l) => ({ customerIds: l.results.map((r) => r.customer.id), source: l.source }),
      );
      io.out(formatVacancyList(list));
    } else if (customerId) {
      const list = await auditedRead(
        ctx,
        { ...entry, objectType: 'customer_matches', objectId: customerId },
        () => customerMatchList(ctx, service, customerId, { limit, branchId: null }),
        (l) => ({ vacancyIds: l.results.map((r) => r.vacancy.id), source: l.source }),
      );
      io.out(formatCustomerList(list));
    }
    return 0;
  },
};
