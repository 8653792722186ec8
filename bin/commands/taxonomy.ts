import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { kldbTitle } from '../../src/taxonomy/kldb.ts';
import { readTitleWorkbook } from '../../src/taxonomy/official-titles.ts';
import { mapLegacyKldb, mapLegacyTitle } from '../../src/taxonomy/title-index.ts';
import { importTitleLists, type ListInfo, refreshTitleIndex, titleIndexMeta } from '../../src/taxonomy/title-store.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { CREDIT, taxonomyUsage } from './usage.ts';

function workbookPath(file: string): string {
  const path = resolve(file);
  if (!existsSync(path)) throw new UsageError(`No such file: ${path}`);
  return path;
}

function describe(label: string, info: ListInfo | null): string {
  return info
    ? `${label}: ${info.titles} titles, as of ${info.asOf ?? 'unknown'}, imported ${info.importedAt}`
    : `${label}: not imported`;
}

export const taxonomyCommand: Command = {
  ...taxonomyUsage,
  async run({ values, positionals, io, resources }) {
    const [action, ...args] = positionals;
    if (action === 'import') {
      const legacyFile = stringOption(values, 'legacy');
      if (args.length > 1) throw new UsageError('Give at most one current list (and an older one with --legacy).');
      const currentFile = args[0];
      if (!currentFile && !legacyFile) throw new UsageError('Name the workbook to import.');
      const started = Date.now();
      const current = currentFile ? await readTitleWorkbook(workbookPath(currentFile)) : undefined;
      const legacy = legacyFile ? await readTitleWorkbook(workbookPath(legacyFile)) : undefined;
      const core = await resources.core();
      const report = await importTitleLists(core.ctx, { current, legacy });
      for (const warning of report.warnings) io.err(`Warning: ${warning}`);
      const skipped = (current?.skipped ?? 0) + (legacy?.skipped ?? 0);
      if (skipped > 0) io.err(`Skipped ${skipped} malformed rows.`);
      if (report.unknownCodes > 0)
        io.err(`Left out ${report.unknownCodes} titles whose codes the classification file does not know.`);
      io.out(describe('Current list', report.meta.current));
      io.out(describe('Older list', report.meta.legacy));
      io.out(
        report.meta.crosswalkPairs > 0
          ? `Crosswalk KldB 2010 → 2020: ${report.meta.crosswalkPairs} code pairs.`
          : 'Crosswalk: needs both lists.',
      );
      // This process codes with the new index at once; other processes notice the new revision themselves.
      const loadStarted = Date.now();
      await refreshTitleIndex(core.ctx);
      io.out(
        `Imported in ${((loadStarted - started) / 1000).toFixed(1)} s; coder index built in ${Date.now() - loadStarted} ms.`,
      );
      return 0;
    }
    if (action === 'status') {
      const core = await resources.core();
      const meta = await titleIndexMeta(core.ctx);
      io.out(describe('Current list', meta?.current ?? null));
      io.out(describe('Older list', meta?.legacy ?? null));
      io.out(`Crosswalk: ${meta?.crosswalkPairs ? `${meta.crosswalkPairs} code pairs` : 'none'}`);
      if (meta?.current) io.out(`Credit: ${CREDIT}.`);
      return 0;
    }
    if (action === 'map') {
      const code = args[0];
      if (!code || !/^\d{5}$/.test(code)) throw new UsageError('Give a 5-digit KldB 2010 code.');
      const core = await resources.core();
      await refreshTitleIndex(core.ctx);
      const title = stringOption(values, 'title');
      const mapped = title ? mapLegacyTitle(title, code) : null;
      const byCode = mapLegacyKldb(code);
      if (!byCode && !mapped) {
        io.err(`Unknown code ${code}.`);
        return 1;
      }
      if (byCode) {
        io.out(`${code} → ${byCode.code} ${kldbTitle(byCode.code) ?? ''} (${byCode.basis}, share ${byCode.share})`);
        for (const alt of byCode.alternatives)
          io.out(`       ${alt.code} ${kldbTitle(alt.code) ?? ''} (share ${alt.share})`);
      }
      if (mapped) io.out(`"${title}" → ${mapped.code} ${kldbTitle(mapped.code) ?? ''} (${mapped.basis})`);
      return 0;
    }
    throw new UsageError(action ? `Unknown action "${action}".` : 'Name an action: import, status or map.');
  },
};
