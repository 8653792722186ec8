/**
 * CSV import of customers from the case management system (column layout: docs/customers-import.md). The file is
 * decoded (UTF-8, or Windows-1252 as older office software writes it), every row checked, and then all valid rows
 * are upserted by customer number in ONE transaction together with their outbox rows and one audit row: a failure
 * leaves nothing half-imported. Invalid rows are reported (row, field, German reason) and not imported; a dry run
 * only reports.
 */
import { parse as parseCsv } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { type Actor, recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { branches } from '../db/schema.ts';
import { LanguageLevel, Licence, ProfileGroup, WorkingTime } from '../domain/enums.ts';
import { Forbidden, ValidationFailed } from '../errors.ts';
import { lookupPlz } from '../geo/plz.ts';
import { hasControlCharacters, storableText } from '../ingest/text.ts';
import { appendOutbox } from '../outbox/append.ts';
import { mapLegacyKldb } from '../taxonomy/title-index.ts';
import { customerScope } from './access.ts';
import { CaseNumber } from './profile.ts';

export type ImportEncoding = 'utf-8' | 'windows-1252';

/** Column names as they appear in the header row (case-insensitive); see docs/customers-import.md. */
export const IMPORT_COLUMNS = [
  'kundennummer',
  'name',
  'profillage',
  'zielberufe',
  'qualifikationen',
  'kenntnisse',
  'fuehrerscheine',
  'sprachen',
  'plz',
  'max_km',
  'arbeitszeit',
  'verfuegbar_ab',
  'einwilligung_vermittlung',
  'einwilligung_kontakt',
  'gesperrt_bis',
  'sperrgrund',
] as const;
type Column = (typeof IMPORT_COLUMNS)[number];
export const REQUIRED_COLUMNS: readonly Column[] = [
  'kundennummer',
  'name',
  'profillage',
  'zielberufe',
  'plz',
  'max_km',
  'arbeitszeit',
  'verfuegbar_ab',
];

export interface RowProblem {
  /** Line number in the file (the header is line 1). */
  row: number;
  field: string;
  reason: string;
}

export interface ImportReport {
  encoding: ImportEncoding;
  rows: number;
  valid: number;
  created: number;
  updated: number;
  dryRun: boolean;
  problems: RowProblem[];
}

/** A customer row ready for the database (snake_case, as jsonb_populate_recordset reads it). */
interface ImportRow {
  case_number: string;
  display_name: string;
  branch_id: number;
  profile_group: string;
  target_kldb_codes: string[];
  qualifications: string[];
  skills: string[];
  licences: string[];
  languages: Array<{ language: string; level: string }>;
  plz: string;
  lat: number;
  lon: number;
  max_commute_km: number;
  working_times: string[];
  available_from: string;
  consent: boolean;
  contact_consent: boolean;
  blocked_until: string | null;
  blocked_reason: string | null;
  updated_at: string;
}

/** Labels as case management exports write them, besides the internal keys. */
const PROFILE_GROUP_ALIASES: Record<string, string> = {
  marktprofil: 'market',
  aktivierungsprofil: 'activation',
  förderprofil: 'support',
  unterstützungsprofil: 'support',
  'förder-/unterstützungsprofil': 'support',
  'komplexes profil': 'complex',
  'nicht verfügbar': 'not_available',
  integriert: 'integrated',
};

/** UTF-8 if the bytes are UTF-8; else Windows-1252, unless the file mixes both (then bad rows are reported). */
export function decodeCsv(bytes: Uint8Array, encoding?: ImportEncoding): { text: string; encoding: ImportEncoding } {
  if (encoding === 'windows-1252') return { text: iconv.decode(Buffer.from(bytes), 'win1252'), encoding };
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const lenient = new TextDecoder('utf-8').decode(bytes);
    // Valid multi-byte characters next to invalid bytes: a UTF-8 file with some broken rows, which the row checks
    // report (U+FFFD), instead of turning every correct umlaut into mojibake.
    if (encoding === 'utf-8' || /[\u0080-\uFFFC\uFFFE\uFFFF]/u.test(lenient.replace(/\uFEFF/g, ''))) {
      return { text: lenient, encoding: 'utf-8' };
    }
    return { text: iconv.decode(Buffer.from(bytes), 'win1252'), encoding: 'windows-1252' };
  }
}

const list = (cell: string) =>
  cell
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');

function parseDate(cell: string): string | null {
  const german = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(cell);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(cell);
  const [y, m, d] = german ? [german[3], german[2], german[1]] : iso ? [iso[1], iso[2], iso[3]] : [];
  if (!y || !m || !d) return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) return null;
  return date.toISOString().slice(0, 10);
}

function parseBool(cell: string): boolean | null {
  const v = cell.toLowerCase();
  if (['ja', 'j', '1', 'x', 'true'].includes(v)) return true;
  if (['nein', 'n', '0', '', 'false'].includes(v)) return false;
  return null;
}

/** A cell quoted in a problem's reason: cells can be megabytes long, the report stays readable. */
const MAX_QUOTED_CHARS = 60;
const MAX_PROBLEMS_PER_FIELD = 3;
function quote(cell: string): string {
  return `„${storableText(cell, MAX_QUOTED_CHARS)}“`;
}

/** Checks one record; returns the row or the problems found (all of them, so a file is fixed in one pass). */
function checkRow(
  cells: Record<Column, string>,
  line: number,
  branchId: number,
  now: string,
): { row?: ImportRow; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const perField = new Map<string, number>();
  // A list cell of thousands of bad entries makes one row's report, not thousands.
  const bad = (field: string, reason: string) => {
    const seen = perField.get(field) ?? 0;
    perField.set(field, seen + 1);
    if (seen < MAX_PROBLEMS_PER_FIELD) problems.push({ row: line, field, reason });
  };
  for (const [field, value] of Object.entries(cells)) {
    if (value.includes('\uFFFD')) bad(field, 'ungültige Zeichenkodierung (weder UTF-8 noch Windows-1252)');
    // The database refuses NUL and broken surrogates: one such cell would fail the whole file's transaction.
    else if (hasControlCharacters(value)) bad(field, 'enthält Steuerzeichen oder ungültige Unicode-Zeichen');
  }
  const caseNumber = CaseNumber.safeParse(cells.kundennummer);
  if (!caseNumber.success) bad('kundennummer', caseNumber.error.issues[0]?.message ?? 'ungültig');
  const name = cells.name.trim();
  if (name === '' || name.length > 200) bad('name', 'Name fehlt oder ist länger als 200 Zeichen');
  const groupCell = cells.profillage.trim().toLowerCase();
  const group = PROFILE_GROUP_ALIASES[groupCell] ?? groupCell;
  if (!ProfileGroup.safeParse(group).success) bad('profillage', `unbekannte Profillage ${quote(cells.profillage)}`);
  const codes: string[] = [];
  for (const raw of list(cells.zielberufe)) {
    // Older exports carry KldB 2010 codes; the crosswalk maps them to the 2020 revision.
    const mapped = /^\d{5}$/.test(raw) ? mapLegacyKldb(raw) : null;
    if (mapped) codes.push(mapped.code);
    else bad('zielberufe', `unbekannter KldB-Code ${quote(raw)}`);
  }
  if (codes.length === 0 && list(cells.zielberufe).length === 0) bad('zielberufe', 'mindestens ein Zielberuf nötig');
  if (codes.length > 10) bad('zielberufe', 'höchstens 10 Zielberufe');
  const licences = list(cells.fuehrerscheine).map((l) => l.toUpperCase());
  for (const l of licences) if (!Licence.safeParse(l).success) bad('fuehrerscheine', `unbekannte Klasse ${quote(l)}`);
  const languages: ImportRow['languages'] = [];
  for (const entry of list(cells.sprachen)) {
    const [language = '', level = ''] = entry.split(':').map((s) => s.trim());
    const lvl =
      level.toUpperCase() === 'NATIVE' || level.toLowerCase() === 'muttersprache' ? 'native' : level.toUpperCase();
    if (!/^[a-z]{2}$/.test(language.toLowerCase()) || !LanguageLevel.safeParse(lvl).success) {
      bad('sprachen', `${quote(entry)}: erwartet Sprache:Niveau, z. B. de:B2`);
    } else languages.push({ language: language.toLowerCase(), level: lvl });
  }
  const plz = cells.plz.trim();
  const place = /^\d{5}$/.test(plz) ? lookupPlz(plz) : undefined;
  if (!place) bad('plz', `ungültige oder unbekannte Postleitzahl ${quote(plz)}`);
  const km = Number(cells.max_km.trim().replace(',', '.'));
  if (cells.max_km.trim() === '' || !Number.isFinite(km) || km < 0 || km > 1000) {
    bad('max_km', 'Zahl zwischen 0 und 1000 erwartet');
  }
  const times = list(cells.arbeitszeit).map((t) => t.toLowerCase());
  if (times.length === 0) bad('arbeitszeit', 'mindestens eine Arbeitszeit nötig');
  for (const t of times)
    if (!WorkingTime.safeParse(t).success) bad('arbeitszeit', `unbekannte Arbeitszeit ${quote(t)}`);
  const availableFrom = parseDate(cells.verfuegbar_ab.trim());
  if (!availableFrom) bad('verfuegbar_ab', 'Datum erwartet (TT.MM.JJJJ)');
  const consent = parseBool(cells.einwilligung_vermittlung.trim());
  if (consent === null) bad('einwilligung_vermittlung', 'ja oder nein erwartet');
  const contactConsent = parseBool(cells.einwilligung_kontakt.trim());
  if (contactConsent === null) bad('einwilligung_kontakt', 'ja oder nein erwartet');
  const blockedCell = cells.gesperrt_bis.trim();
  const blockedUntil = blockedCell === '' ? null : parseDate(blockedCell);
  if (blockedCell !== '' && !blockedUntil) bad('gesperrt_bis', 'Datum erwartet (TT.MM.JJJJ)');
  const reason = cells.sperrgrund.trim() || null;
  if ((blockedCell === '') !== (reason === null)) bad('sperrgrund', 'Sperrdatum und Sperrgrund nur zusammen');
  const qualifications = list(cells.qualifikationen);
  const skills = list(cells.kenntnisse);
  if (qualifications.some((q) => q.length > 200) || qualifications.length > 50) {
    bad('qualifikationen', 'höchstens 50 Einträge zu je 200 Zeichen');
  }
  if (skills.some((s) => s.length > 100) || skills.length > 100)
    bad('kenntnisse', 'höchstens 100 Einträge zu je 100 Zeichen');
  if (problems.length > 0) return { problems };
  return {
    problems,
    row: {
      case_number: cells.kundennummer.trim(),
      display_name: name,
      branch_id: branchId,
      profile_group: group,
      target_kldb_codes: [...new Set(codes)],
      qualifications,
      skills,
      licences,
      languages,
      plz,
      lat: place!.lat,
      lon: place!.lon,
      max_commute_km: km,
      working_times: times,
      available_from: availableFrom!,
      consent: consent!,
      contact_consent: contactConsent!,
      blocked_until: blockedUntil ? `${blockedUntil}T23:59:59Z` : null,
      blocked_reason: reason,
      updated_at: now,
    },
  };
}

/** Parses and checks a whole file; a file without the required header columns is refused as a whole. */
export function checkCsv(
  bytes: Uint8Array,
  { branchId, now, encoding }: { branchId: number; now: Date; encoding?: ImportEncoding },
): { rows: Array<ImportRow & { line: number }>; problems: RowProblem[]; encoding: ImportEncoding; total: number } {
  const decoded = decodeCsv(bytes, encoding);
  let records: string[][];
  let lines: number[] = [];
  try {
    const parsed = parseCsv(decoded.text, {
      delimiter: ';',
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as Array<{ record: string[]; info: { lines: number } }>;
    records = parsed.map((p) => p.record);
    lines = parsed.map((p) => p.info.lines);
  } catch (err) {
    throw new ValidationFailed('Die Datei ist keine lesbare CSV-Datei', [
      { path: 'datei', message: (err as Error).message.slice(0, 200) },
    ]);
  }
  const [header = [], ...data] = records;
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = REQUIRED_COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) {
    throw new ValidationFailed('Pflichtspalten fehlen in der Kopfzeile', [
      ...missing.map((c) => ({ path: c, message: 'Spalte fehlt' })),
    ]);
  }
  const at = new Map(IMPORT_COLUMNS.map((c) => [c, names.indexOf(c)] as const));
  const nowIso = now.toISOString();
  const problems: RowProblem[] = [];
  const rows: Array<ImportRow & { line: number }> = [];
  data.forEach((record, i) => {
    const line = lines[i + 1] ?? i + 2;
    if (record.length < header.length) {
      problems.push({ row: line, field: '', reason: `Zeile hat ${record.length} statt ${header.length} Spalten` });
      return;
    }
    const cells = Object.fromEntries(
      IMPORT_COLUMNS.map((c) => {
        const index = at.get(c) ?? -1;
        return [c, index < 0 ? '' : (record[index] ?? '')];
      }),
    ) as Record<Column, string>;
    const checked = checkRow(cells, line, branchId, nowIso);
    problems.push(...checked.problems);
    if (checked.row) rows.push({ ...checked.row, line });
  });
  // Two rows for one customer number: which one is right is not for the import to guess, so neither is imported.
  const linesOf = new Map<string, number[]>();
  for (const r of rows) linesOf.set(r.case_number, [...(linesOf.get(r.case_number) ?? []), r.line]);
  const kept: Array<ImportRow & { line: number }> = [];
  for (const r of rows) {
    const same = linesOf.get(r.case_number)!;
    if (same.length > 1) {
      problems.push({
        row: r.line,
        field: 'kundennummer',
        reason: `Kundennummer mehrfach in der Datei (Zeilen ${same.join(', ')})`,
      });
    } else kept.push(r);
  }
  problems.sort((a, b) => a.row - b.row);
  return { rows: kept, problems, encoding: decoded.encoding, total: data.length };
}

const UPSERT_CHUNK = 1000;
const COLUMNS = [
  'case_number',
  'display_name',
  'branch_id',
  'profile_group',
  'target_kldb_codes',
  'qualifications',
  'skills',
  'licences',
  'languages',
  'plz',
  'lat',
  'lon',
  'max_commute_km',
  'working_times',
  'available_from',
  'consent',
  'contact_consent',
  'blocked_until',
  'blocked_reason',
  'updated_at',
] as const;

/**
 * Imports a file for a branch: the actor's own (admins name it). Rows whose customer number belongs to another
 * branch are reported, not moved: a move is a decision (PATCH with branch_id), not a side effect of a file.
 */
export async function importCustomersCsv({
  ctx,
  actor,
  bytes,
  branchId: requested,
  dryRun = false,
  encoding,
}: {
  ctx: Ctx;
  actor: Actor;
  bytes: Uint8Array;
  branchId?: number;
  dryRun?: boolean;
  encoding?: ImportEncoding;
}): Promise<ImportReport> {
  const scope = customerScope(actor);
  if (scope !== null && requested !== undefined && requested !== scope) {
    throw new Forbidden('Import nur für die eigene Zweigstelle');
  }
  const branchId = scope ?? requested;
  if (branchId === undefined) {
    throw new ValidationFailed('Zweigstelle fehlt', [{ path: 'branch', message: 'Pflichtangabe für Admins' }]);
  }
  const [branch] = await ctx.db.select({ id: branches.id }).from(branches).where(sql`${branches.id} = ${branchId}`);
  if (!branch)
    throw new ValidationFailed(`Zweigstelle ${branchId} gibt es nicht`, [{ path: 'branch', message: 'unbekannt' }]);
  const checked = checkCsv(bytes, { branchId, now: ctx.now(), encoding });
  const problems = [...checked.problems];
  return withTransaction(ctx, async (tx) => {
    const numbers = checked.rows.map((r) => r.case_number);
    const existing = new Map<string, number>();
    if (numbers.length > 0) {
      const result = await tx.db.execute<{ case_number: string; branch_id: number }>(
        sql`select case_number, branch_id from customers where case_number in (select jsonb_array_elements_text(${JSON.stringify(numbers)}::jsonb))`,
      );
      for (const r of (result as unknown as { rows: Array<{ case_number: string; branch_id: number }> }).rows) {
        existing.set(r.case_number, r.branch_id);
      }
    }
    const valid = checked.rows.filter((r) => {
      const at = existing.get(r.case_number);
      if (at === undefined || at === branchId) return true;
      problems.push({
        row: r.line,
        field: 'kundennummer',
        reason: `Kundennummer ${r.case_number} gehört zu einer anderen Zweigstelle`,
      });
      return false;
    });
    problems.sort((a, b) => a.row - b.row);
    const updated = valid.filter((r) => existing.has(r.case_number)).length;
    const report: ImportReport = {
      encoding: checked.encoding,
      rows: checked.total,
      valid: valid.length,
      created: valid.length - updated,
      updated,
      dryRun,
      problems,
    };
    if (dryRun || valid.length === 0) return report;
    const ids: string[] = [];
    const list = sql.join(
      COLUMNS.map((c) => sql.identifier(c)),
      sql`, `,
    );
    const set = sql.join(
      COLUMNS.filter((c) => c !== 'case_number').map((c) => sql`${sql.identifier(c)} = excluded.${sql.identifier(c)}`),
      sql`, `,
    );
    for (let i = 0; i < valid.length; i += UPSERT_CHUNK) {
      const chunk = valid.slice(i, i + UPSERT_CHUNK);
      const result = await tx.db.execute<{ id: string }>(sql`
        insert into customers (${list})
        select ${list} from jsonb_populate_recordset(null::customers, ${JSON.stringify(chunk)}::jsonb)
        on conflict (case_number) do update set ${set}
        where customers.branch_id = excluded.branch_id
        returning id`);
      for (const r of (result as unknown as { rows: Array<{ id: string }> }).rows) ids.push(r.id);
    }
    // The check above and this write run in one transaction, but another import may have claimed a number since.
    if (ids.length !== valid.length)
      throw new ValidationFailed('Kundennummern wurden gleichzeitig geändert; bitte erneut importieren');
    await recordAudit(tx, {
      actor,
      action: 'import',
      objectType: 'customer',
      purpose: 'case_management',
      detail: { branchId, created: report.created, updated: report.updated, refused: problems.length },
    });
    await appendOutbox(
      tx,
      ids.map((id) => ({ topic: 'match', aggregateType: 'customer', aggregateId: id })),
    );
    return report;
  });
}

/** A cell a spreadsheet would run as a formula is prefixed with ' (CSV injection), so the report is safe to open. */
export function safeCell(value: string | number): string {
  const text = String(value);
  const guarded = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[;"\n\r]/.test(guarded) ? `"${guarded.replace(/"/g, '""')}"` : guarded;
}

/** The problems as a semicolon-separated CSV (Zeile;Feld;Grund), as German office software reads it. */
export function reportCsv(report: ImportReport): string {
  return ['Zeile;Feld;Grund', ...report.problems.map((p) => [p.row, p.field, p.reason].map(safeCell).join(';'))]
    .map((l) => `${l}\r\n`)
    .join('');
}
