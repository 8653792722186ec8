/**
 * The BA's full job-title index (Gesamtberufsliste der BA) as the operator downloads it: one workbook per list, sheet
 * "Gesamtberufsliste der BA", columns DKZ-ID, Codenummer ("B 29302-10100"; the first five digits are the KldB 2010
 * code), Zustand, and the title in three forms. The list has no licence for redistribution, so it is never shipped
 * with the product: `jobbruecke taxonomy import` reads the operator's copy into the database (title-store.ts).
 */
import readXlsxFile from 'read-excel-file/node';
import { ValidationFailed } from '../errors.ts';

/**
 * E: current title; T: used only for tax/insurance coding (Tätigkeitsschlüssel); R: outdated title, kept so old
 * data can be read; M: meta entry (an umbrella for a group of titles).
 */
export type TitleState = 'E' | 'T' | 'R' | 'M';
const STATES: ReadonlySet<string> = new Set(['E', 'T', 'R', 'M']);

export interface OfficialTitle {
  /** Stable across versions of the list: the same id in two lists is the same title. */
  dkzId: number;
  /** Five-digit KldB 2010 code. */
  code: string;
  state: TitleState;
  neutral: string;
  male: string;
  female: string;
}

export interface TitleList {
  /** "Stand" of the list as printed in its imprint (dd.mm.yyyy), when found. */
  asOf: string | null;
  titles: OfficialTitle[];
  /** Rows left out because a cell was missing or malformed. */
  skipped: number;
}

export const TITLE_SHEET = 'Gesamtberufsliste der BA';
/** Header cells as the BA writes them, whitespace folded; "BKZ" is the name the explanation sheet uses. */
const COLUMNS = {
  dkzId: ['dkz-id'],
  code: ['codenummer', 'bkz'],
  state: ['zustand'],
  neutral: ['bezeichnung neutral kurz', 'bezeichnung neutral/kurz'],
  male: ['bezeichnung männlich lang', 'bezeichnung männlich/lang'],
  female: ['bezeichnung weiblich lang', 'bezeichnung weiblich/lang'],
} as const;
const CODE = /^B\s*(\d{5})-\d+$/;
/** The workbook lists about 19,000 (2025) to 28,000 (2019) rows; far more means the wrong file. */
const MAX_ROWS = 200_000;

type Cell = string | number | boolean | Date | null;

const headerKey = (cell: Cell) =>
  String(cell ?? '')
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .trim();

function text(cell: Cell | undefined): string {
  return cell === null || cell === undefined ? '' : String(cell).replace(/\s+/g, ' ').trim();
}

/** Column index per field, from the header row; null when the row is not the header. */
function columnsOf(row: Cell[]): Record<keyof typeof COLUMNS, number> | null {
  const keys = row.map(headerKey);
  const out: Partial<Record<keyof typeof COLUMNS, number>> = {};
  for (const [field, names] of Object.entries(COLUMNS) as Array<[keyof typeof COLUMNS, readonly string[]]>) {
    const i = keys.findIndex((k) => names.includes(k));
    if (i < 0) return null;
    out[field] = i;
  }
  return out as Record<keyof typeof COLUMNS, number>;
}

/** The imprint's "Stand:" value, e.g. "29.12.2025". */
function asOfDate(sheets: Array<{ data: Cell[][] }>): string | null {
  for (const { data } of sheets) {
    for (const row of data) {
      const label = row.findIndex((c) => headerKey(c) === 'stand:');
      if (label < 0) continue;
      const value = row.slice(label + 1).find((c) => c !== null && text(c) !== '');
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      if (value !== undefined) return text(value);
    }
  }
  return null;
}

/** Rows of the title sheet after its header, as titles; malformed rows are counted, not thrown. */
export function titlesFromRows(rows: Cell[][]): { titles: OfficialTitle[]; skipped: number } | null {
  const headerAt = rows.findIndex((r) => columnsOf(r) !== null);
  if (headerAt < 0) return null;
  const col = columnsOf(rows[headerAt] as Cell[]) as Record<keyof typeof COLUMNS, number>;
  const titles: OfficialTitle[] = [];
  const seen = new Set<number>();
  let skipped = 0;
  for (const row of rows.slice(headerAt + 1)) {
    if (row.every((c) => c === null || text(c) === '')) continue;
    const dkzId = Number(text(row[col.dkzId]));
    const code = CODE.exec(text(row[col.code]))?.[1];
    const state = text(row[col.state]).toUpperCase();
    const neutral = text(row[col.neutral]);
    const male = text(row[col.male]) || neutral;
    const female = text(row[col.female]) || neutral;
    if (!Number.isSafeInteger(dkzId) || dkzId <= 0 || !code || !STATES.has(state) || !neutral || seen.has(dkzId)) {
      skipped++;
      continue;
    }
    seen.add(dkzId);
    titles.push({ dkzId, code, state: state as TitleState, neutral, male, female });
  }
  return { titles, skipped };
}

/** Reads a Gesamtberufsliste workbook (path or file content). Throws ValidationFailed when it is not one. */
export async function readTitleWorkbook(input: string | Buffer): Promise<TitleList> {
  let sheets: Array<{ sheet: string; data: Cell[][] }>;
  try {
    sheets = (await readXlsxFile(input)) as Array<{ sheet: string; data: Cell[][] }>;
  } catch (err) {
    throw new ValidationFailed(`Die Datei ist keine lesbare Excel-Arbeitsmappe (.xlsx): ${(err as Error).message}`);
  }
  // The BA's sheet first; any other sheet with the same header row is accepted, so a re-saved copy still reads.
  const ordered = [...sheets].sort((a, b) => Number(b.sheet === TITLE_SHEET) - Number(a.sheet === TITLE_SHEET));
  for (const { data } of ordered) {
    if (data.length > MAX_ROWS) continue;
    const parsed = titlesFromRows(data);
    if (parsed === null) continue;
    if (parsed.titles.length === 0) throw new ValidationFailed('Die Gesamtberufsliste enthält keine gültigen Zeilen.');
    return { asOf: asOfDate(sheets), ...parsed };
  }
  throw new ValidationFailed(
    `Keine Tabelle mit den Spalten der Gesamtberufsliste gefunden (DKZ-ID, Codenummer, Zustand, Bezeichnung …); erwartet wird das Blatt "${TITLE_SHEET}".`,
  );
}
