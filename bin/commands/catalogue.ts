/**
 * Every command the CLI knows, by its usage, with its implementation loaded only when it runs: `--help`, a mistyped
 * command line and a command forwarded to the running service then never load the database, queues, search or
 * matchers.
 */
import { branchesUsage } from './branches-usage.ts';
import type { Command } from './command.ts';
import {
  backupUsage,
  type CommandUsage,
  catchmentUsage,
  crawlUsage,
  customersUsage,
  employersUsage,
  matchUsage,
  migrateUsage,
  reindexUsage,
  restoreUsage,
  seedUsage,
  sourcesUsage,
  startUsage,
  taxonomyUsage,
  usersUsage,
} from './usage.ts';

export interface CatalogueEntry extends CommandUsage {
  load(): Promise<Command>;
}

export const COMMANDS: CatalogueEntry[] = [
  { ...startUsage, load: async () => (await import('./start.ts')).startCommand },
  { ...migrateUsage, load: async () => (await import('./migrate.ts')).migrateCommand },
  { ...seedUsage, load: async () => (await import('./seed.ts')).seedCommand },
  { ...usersUsage, load: async () => (await import('./users.ts')).usersCommand },
  { ...branchesUsage, load: async () => (await import('./branches.ts')).branchesCommand },
  { ...customersUsage, load: async () => (await import('./customers.ts')).customersCommand },
  { ...employersUsage, load: async () => (await import('./employers.ts')).employersCommand },
  { ...catchmentUsage, load: async () => (await import('./catchment.ts')).catchmentCommand },
  { ...reindexUsage, load: async () => (await import('./reindex.ts')).reindexCommand },
  { ...backupUsage, load: async () => (await import('./backup.ts')).backupCommand },
  { ...restoreUsage, load: async () => (await import('./backup.ts')).restoreCommand },
  { ...sourcesUsage, load: async () => (await import('./sources.ts')).sourcesCommand },
  { ...crawlUsage, load: async () => (await import('./crawl.ts')).crawlCommand },
  { ...matchUsage, load: async () => (await import('./match.ts')).matchCommand },
  { ...taxonomyUsage, load: async () => (await import('./taxonomy.ts')).taxonomyCommand },
];

export function findCommand(name: string | undefined): CatalogueEntry | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function mainHelp(): string {
  return [
    'Jobbrücke: Stellenvermittlung mit Stellenbündelung für ein kommunales Jobcenter',
    '',
    'Usage: jobbruecke <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(10)} ${c.summary}`),
    '',
    'Run "jobbruecke <command> --help" for the options of a command.',
    'Configuration comes from the environment (DATABASE_URL, REDIS_URL, MEILI_URL, PORT, …); see README.md.',
  ].join('\n');
}

export function unknownCommand(verb: string | undefined): string {
  return `Unknown command "${verb}".\n\n${mainHelp()}`;
}
