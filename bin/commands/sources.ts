import { ATS_ENDPOINTS, AtsCompany, atsEndpoint, isAtsType } from '../../src/sources/source-config.ts';
import {
  addSource,
  listSources,
  parseInterval,
  setSourceEnabled,
  withoutCredentials,
} from '../../src/sources/sources.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { sourcesUsage } from './usage.ts';

export const sourcesCommand: Command = {
  ...sourcesUsage,
  async run({ config, values, positionals, io, resources }) {
    const [action, id] = positionals;
    if (action === 'add') {
      const type = stringOption(values, 'type');
      const company = stringOption(values, 'company');
      if (company !== undefined && !(type && isAtsType(type))) {
        throw new UsageError(
          `--company is for the applicant-tracking systems: ${Object.keys(ATS_ENDPOINTS).join(', ')}.`,
        );
      }
      if (company !== undefined && stringOption(values, 'url') !== undefined) {
        throw new UsageError('Give --company or --url, not both.');
      }
      if (company !== undefined && !AtsCompany.safeParse(company).success) {
        throw new UsageError(
          `--company must be the board name from the careers address (letters, digits, . - _), got "${company}".`,
        );
      }
      const url =
        stringOption(values, 'url') ??
        (type === 'ba_jobsuche' ? config.crawl.baJobsucheUrl : undefined) ??
        (company !== undefined && type && isAtsType(type) ? atsEndpoint(type, company) : undefined);
      if (!type || !url)
        throw new UsageError('--type and --url (or --company for an applicant-tracking system) are required.');
      const every = stringOption(values, 'every');
      const everyMinutes = every === undefined ? undefined : parseInterval(every);
      if (every !== undefined && everyMinutes === undefined)
        throw new UsageError(`--every must look like 30m, 2h or 1d (5 minutes to 7 days), got "${every}".`);
      let sourceConfig: Record<string, unknown> = {};
      const configText = stringOption(values, 'config');
      if (configText) {
        try {
          sourceConfig = JSON.parse(configText);
        } catch {
          throw new UsageError('--config must be valid JSON.');
        }
      }
      const params = Object.fromEntries(new URLSearchParams(stringOption(values, 'params') ?? ''));
      const core = await resources.core();
      const source = await addSource({
        ctx: core.ctx,
        input: {
          type: type as never,
          url,
          name: stringOption(values, 'name'),
          params,
          config: sourceConfig,
          everyMinutes,
          legalBasis: stringOption(values, 'legal-basis'),
        },
      });
      io.out(
        `Source added: ${source.id} (${source.type}, ${source.enabled ? 'enabled' : 'DISABLED until an administrator enables it'})`,
      );
      io.out(`Crawled every ${source.everyMinutes} minutes. Legal basis: ${source.legalBasis}`);
      return 0;
    }
    if (action === 'list') {
      const core = await resources.core();
      const rows = await listSources(core.ctx);
      if (rows.length === 0) io.out('No sources yet. Add one with "jobbruecke sources add".');
      for (const s of rows) {
        const stats = s.lastRunStats
          ? Object.entries(s.lastRunStats)
              .map(([k, v]) => `${k}=${v}`)
              .join(' ')
          : 'never crawled';
        io.out(
          `${s.id}  ${s.enabled ? 'on ' : 'off'}  ${s.type.padEnd(11)} every ${String(s.everyMinutes).padStart(4)} min  ${s.name}`,
        );
        // Sources added before credentials were refused may still carry them: never printed.
        io.out(`    ${withoutCredentials(s.url)}`);
        io.out(
          `    last run: ${s.lastRunAt?.toISOString() ?? '–'}  ${stats}${s.lastError ? `  last error: ${withoutCredentials(s.lastError)}` : ''}`,
        );
      }
      return 0;
    }
    if (action === 'enable' || action === 'disable') {
      if (!id) throw new UsageError(`sources ${action} needs a source id.`);
      const core = await resources.core();
      const source = await setSourceEnabled(core.ctx, id, action === 'enable');
      io.out(`Source ${source.id} ${source.enabled ? 'enabled' : 'disabled'}.`);
      return 0;
    }
    throw new UsageError('Expected "sources add", "sources list", "sources enable <id>" or "sources disable <id>".');
  },
};
