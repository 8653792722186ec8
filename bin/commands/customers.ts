import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { forgetCustomerInQueues } from '../../queues/forget-customer.ts';
import { type ImportEncoding, importCustomersCsv, reportCsv } from '../../src/customers/import-csv.ts';
import {
  DELETION_REASON_LABEL,
  deleteCustomer,
  liftRestriction,
  restrictCustomer,
  restrictionLabel,
} from '../../src/customers/retention.ts';
import { exportCustomerData } from '../../src/customers/subject-access.ts';
import { type Command, type CommandInput, stringOption, UsageError } from './command.ts';
import { operatorActor } from './operator.ts';
import { customersUsage } from './usage.ts';

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

function customerId({ positionals }: CommandInput): string {
  const [, id, ...extra] = positionals;
  if (!id || extra.length > 0) throw new UsageError('Give exactly one customer ID.');
  return id;
}

/** The matcher of the running service catches up at once; a CLI on its own has none, other processes follow the log. */
async function syncMatcher({ resources }: CommandInput): Promise<void> {
  if (!resources.shared) return;
  const { ctx } = await resources.core();
  await (await resources.matchService()).sync(ctx);
}

async function exportData(input: CommandInput): Promise<number> {
  const id = customerId(input);
  const { ctx } = await input.resources.core();
  const doc = await exportCustomerData(ctx, operatorActor(input.operator), id);
  const text = `${JSON.stringify(doc, null, 2)}\n`;
  const output = stringOption(input.values, 'output');
  if (output === undefined) {
    input.io.out(text.trimEnd());
    return 0;
  }
  // An absolute path, so a command forwarded into the running service writes where it was asked; never over a file.
  await writeFile(resolve(output), text, { encoding: 'utf8', flag: 'wx', mode: 0o600 });
  input.io.out(
    `Auskunft für ${id} geschrieben: ${resolve(output)} (${doc.proposals.length} Vorschläge, ` +
      `${doc.audit_entries.length} Protokolleinträge)`,
  );
  return 0;
}

async function deleteOne(input: CommandInput): Promise<number> {
  const id = customerId(input);
  const { ctx } = await input.resources.core();
  const result = await deleteCustomer({
    ctx,
    actor: operatorActor(input.operator),
    id,
    input: { reason: stringOption(input.values, 'reason') },
  });
  await syncMatcher(input);
  const queued = await forgetCustomerInQueues(await input.resources.queues(), id, input.log);
  input.io.out(
    `Gelöscht: ${id} (${DELETION_REASON_LABEL[result.reason]}); ${result.proposalsKept} Vorschläge ohne Person ` +
      `behalten, aus ${result.vacancyListsChanged} Trefferlisten und ${queued.jobs} Aufträgen der Warteschlange entfernt`,
  );
  return 0;
}

async function restrictOne(input: CommandInput): Promise<number> {
  const id = customerId(input);
  const { ctx } = await input.resources.core();
  const state = await restrictCustomer({
    ctx,
    actor: operatorActor(input.operator),
    id,
    input: { reason: stringOption(input.values, 'reason') },
  });
  await syncMatcher(input);
  input.io.out(`Verarbeitung eingeschränkt: ${id} (${restrictionLabel(state.reason)})`);
  return 0;
}

async function unrestrictOne(input: CommandInput): Promise<number> {
  const id = customerId(input);
  const { ctx } = await input.resources.core();
  await liftRestriction({ ctx, actor: operatorActor(input.operator), id });
  await syncMatcher(input);
  input.io.out(`Einschränkung aufgehoben: ${id}; die Person wird wieder abgeglichen`);
  return 0;
}

const SUBCOMMANDS: Record<string, (input: CommandInput) => Promise<number>> = {
  import: importFile,
  export: exportData,
  delete: deleteOne,
  restrict: restrictOne,
  unrestrict: unrestrictOne,
};

export const customersCommand: Command = {
  ...customersUsage,
  async run(input) {
    const name = input.positionals[0] ?? '';
    const run = Object.hasOwn(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
    if (!run) throw new UsageError(`Unknown subcommand; use "customers ${Object.keys(SUBCOMMANDS).join('|')}".`);
    return run(input);
  },
};
