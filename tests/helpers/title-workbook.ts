/**
 * Small synthetic workbooks in the layout of the BA's Gesamtberufsliste (imprint sheet with "Stand:", the title sheet
 * with three empty rows before its header, the explanation sheet), written with the xlsx library's companion writer.
 * Tests never use the BA's own workbooks: they may not be copied into the repository.
 */
import writeXlsxFile, { type SheetData } from 'write-excel-file/node';

export interface SyntheticTitle {
  dkzId: number | string;
  /** "B 29302-10100" style, or just the five digits (a suffix is added). */
  code: string;
  state: 'E' | 'T' | 'R' | 'M';
  neutral: string;
  male?: string;
  female?: string;
}

const HEADER = [
  'DKZ-ID',
  'Codenummer',
  'Zustand',
  'Bezeichnung neutral kurz',
  'Bezeichnung männlich lang',
  'Bezeichnung weiblich lang',
];

/** Male and female long forms from a neutral "X/in" title when not given. */
function forms(t: SyntheticTitle): [string, string] {
  const male = t.male ?? t.neutral.replace(/\/in\b/g, '');
  const female = t.female ?? t.neutral.replace(/\/in\b/g, 'in');
  return [male, female];
}

export async function titleWorkbook(
  titles: SyntheticTitle[],
  options: { asOf?: string; sheet?: string; extraRows?: SheetData } = {},
): Promise<Buffer> {
  const imprint: SheetData = [
    [null],
    [null],
    [null],
    ['Impressum'],
    [null],
    ['Titel:', null, 'Gesamtberufsliste (synthetisch)'],
  ];
  if (options.asOf) imprint.push([null], ['Stand:', null, options.asOf]);
  const rows: SheetData = [[null], [null], [null], HEADER];
  for (const t of titles) {
    const [male, female] = forms(t);
    const code = /^\d{5}$/.test(t.code) ? `B ${t.code}-10100` : t.code;
    rows.push([String(t.dkzId), code, t.state, t.neutral, male, female]);
  }
  rows.push(...(options.extraRows ?? []));
  return writeXlsxFile(
    [
      { sheet: 'Impressum', data: imprint },
      { sheet: options.sheet ?? 'Gesamtberufsliste der BA', data: rows },
      { sheet: 'Erläuterung', data: [['Hinweise zur Gesamtberufsliste (synthetisch)']] },
    ],
    {},
  ).toBuffer();
}
