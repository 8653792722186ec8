import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type ImportEncoding, importCustomersCsv, reportCsv } from '../../src/customers/import-csv.ts';
import { type Command, type CommandInput, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';

async function importFile({ values, positionals, io, resources, operator }: CommandInput): Promise<number> {
  const [, file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new UsageError('Give exactly one FILE.');
  const branch = stringOption(values, 'branch');
  if (!branch || !/^\d+$/.test(branch)) throw new UsageError('--branch <n> is required (the branch the file is for).');
  const encoding = stringOption(values, 'encoding');
  if (encoding !== undefined && encoding !== 'utf-8' && encoding !== 'windows-1252') {
    throw new UsageError('--encoding is utf-8 or windows-1252.');
  }
  // An absolute path, so a command forwarded into the running service reads the same file.
  const bytes = await readFile(resolve(file));
  const { ctx } = await resources.core();
  const report = await importCustomersCsv({
    ctx,
    actor: operatorActor(operator),
    bytes,
    branchId: Number(branch),
    dryRun: values['dry-run'] === true,
    encoding: encoding as ImportEncoding | undefined,
  });
  for (const p of report.problems) io.err(`Zeile ${p.row}${p.field ? `, ${p.field}` : ''}: ${p.reason}`);
  const reportFile = stringOption(values, 'report');
  if (reportFile) await writeFile(resolve(reportFile), reportCsv(report), 'utf8');
  io.out(
    `${report.dryRun ? 'Dry run (nothing imported)' : 'Imported'}: ${report.valid} of ${report.rows} rows valid` +
      ` (${report.created} new, ${report.updated} updated), ${report.problems.length} problems, encoding ${report.encoding}`,
  );
  return report.problems.length > 0 ? 1 : 0;
}

export const customersCommand: Command = {
  name: 'customers',
  summary: 'customer data: customers import FILE',
  help: [
    'Usage: jobbruecke customers import FILE --branch <n> [--dry-run] [--encoding utf-8|windows-1252] [--report OUT.csv]',
    '',
    'Imports customers from a semicolon-separated CSV export of the case management system (layout:',
    'docs/customers-import.md), upserting by customer number (Kundennummer). All valid rows are written in one',
    'transaction; invalid rows are listed (row, field, reason) and not imported. --dry-run only checks.',
    'The encoding is detected (UTF-8, else Windows-1252) unless given. --report writes the problems as CSV.',
    'Exit code 1 when any row was refused.',
  ].join('\n'),
  options: {
    branch: { type: 'string' },
    'dry-run': { type: 'boolean' },
    encoding: { type: 'string' },
    report: { type: 'string' },
  },
  async run(input) {
    if (input.positionals[0] !== 'import') throw new UsageError('Unknown subcommand; use "customers import FILE".');
    return importFile(input);
  },
};
