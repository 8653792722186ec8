/**
 * What the CLI shows of each command before loading it: name, summary, help and options. Loading a command's
 * implementation means loading the database, queue, search or matcher modules it uses, which takes seconds; the
 * overview, every help and the parsing of a command line need none of them (see bin/commands/catalogue.ts).
 * So this module imports only small modules, and help that names values from a heavy one loads it when asked.
 */
import { Role, SourceType } from '../../src/domain/enums.ts';
import { ATS_ENDPOINTS } from '../../src/sources/source-config.ts';

/** How a command presents itself; its implementation adds `run` (`Command`). */
export interface CommandUsage {
  name: string;
  summary: string;
  /** The full help, or a function building it where it names values defined in a heavy module. */
  help: string | (() => Promise<string>);
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
}

/** The full help text of a command. */
export async function helpText(usage: CommandUsage): Promise<string> {
  return typeof usage.help === 'string' ? usage.help : await usage.help();
}

/** Named in the help and printed by `taxonomy status`. */
export const CREDIT =
  'Bundesagentur für Arbeit, Gesamtberufsliste der BA; KldB 2010 – überarbeitete Fassung 2020; eigene Aufbereitung';

export const startUsage: CommandUsage = {
  name: 'start',
  summary: 'run the service (API and workers; --api or --worker for one of them)',
  help: [
    'Usage: jobbruecke start [--api | --worker]',
    '',
    'Without options, runs the HTTP API and all queue workers in one process (embedded mode).',
    '  --api      only the HTTP API (PORT, default 3000)',
    '  --worker   only the queue workers; any number of worker processes may share one Redis or PostgreSQL',
    '',
    'On an empty embedded database (no DATABASE_URL) the demo data are seeded first.',
    'While it runs, other jobbruecke commands on the same embedded database are executed by this process.',
    'SIGTERM or SIGINT shut down gracefully: HTTP stops, running jobs finish, then the database closes.',
  ].join('\n'),
  options: { api: { type: 'boolean' }, worker: { type: 'boolean' } },
};

export const migrateUsage: CommandUsage = {
  name: 'migrate',
  summary: 'apply database migrations',
  help: 'Usage: jobbruecke migrate\n\nApplies all pending migrations to the configured database (DATABASE_URL, or the embedded one in ./data/db).',
  options: {},
};

export const seedUsage: CommandUsage = {
  name: 'seed',
  summary: 'fill the database with the synthetic demo city (--demo)',
  help: [
    'Usage: jobbruecke seed --demo',
    '',
    'Builds a deterministic, obviously synthetic city: 14 branches, about 31,000 customers in the six profile',
    'groups, 20,000 open vacancies from about 1,000 employers and several sources, and one demo account per role.',
    'Runs in one transaction: an interrupted seed leaves nothing behind; a completed one is not repeated.',
    'Run automatically by the first "npm start" on an empty embedded database, never against DATABASE_URL.',
  ].join('\n'),
  options: { demo: { type: 'boolean' } },
};

export const usersUsage: CommandUsage = {
  name: 'users',
  summary: 'manage users: users add | invite-employer | employer-service | list | disable | enable | revoke-token',
  help: [
    'Usage: jobbruecke users <add | invite-employer | employer-service | list | disable | enable | revoke-token> …',
    '',
    '  jobbruecke users add --role <role> --email <email> [--branch <n>] [--name <display name>]',
    '  jobbruecke users invite-employer (--employer <id> | --employer-name <name> --plz <postcode>)',
    '                                   --email <email> [--name <display name>]',
    '  jobbruecke users employer-service --user <id> (--on | --off)',
    '  jobbruecke users list [--role <role>] [--branch <n>] [--json]',
    '  jobbruecke users disable EMAIL',
    '  jobbruecke users enable EMAIL',
    '  jobbruecke users revoke-token EMAIL (--label <label> | --token-id <id>)',
    '',
    `Roles for add: ${Role.options.filter((r) => r !== 'employer').join(', ')}. Caseworkers and branch leads need`,
    '--branch <n> (see "branches list"). invite-employer creates an employer user for a known employer, or for a',
    'new one whose postcode decides the responsible branch (catchment). employer-service marks a caseworker as',
    'employer service (AG-pAp) of their branch: they receive its employer orders.',
    'add and invite-employer print a one-time API token, usable as "Authorization: Bearer <token>"; only its hash',
    'is stored. invite-employer and employer-service are written to the audit log with your login name.',
    '',
    'list shows every account with role, branch, employer and state, and its tokens by label with creation and',
    "last use (never a token itself). disable refuses the account's tokens from that moment and ends its page",
    'sessions; enable lets its tokens work again. revoke-token ends one token, named by label or id; the others',
    'keep working. list, disable, enable and revoke-token are written to the audit log with your login name.',
  ].join('\n'),
  options: {
    role: { type: 'string' },
    email: { type: 'string' },
    branch: { type: 'string' },
    name: { type: 'string' },
    employer: { type: 'string' },
    'employer-name': { type: 'string' },
    plz: { type: 'string' },
    user: { type: 'string' },
    on: { type: 'boolean' },
    off: { type: 'boolean' },
    json: { type: 'boolean' },
    label: { type: 'string' },
    'token-id': { type: 'string' },
  },
};

export const customersUsage: CommandUsage = {
  name: 'customers',
  summary: 'customer data: customers import FILE | export ID | delete ID | restrict ID | unrestrict ID',
  // The reasons are defined beside the rules for them, in a module that loads the database schema.
  async help() {
    const { DeletionReason, RestrictionReason } = await import('../../src/customers/retention.ts');
    return [
      'Usage: jobbruecke customers import FILE --branch <n> [--dry-run] [--encoding utf-8|windows-1252] [--report OUT.csv]',
      '       jobbruecke customers export ID [--output FILE]',
      '       jobbruecke customers delete ID --reason <code>',
      '       jobbruecke customers restrict ID --reason <code>',
      '       jobbruecke customers unrestrict ID',
      '',
      'Imports customers from a semicolon-separated CSV export of the case management system (layout:',
      'docs/customers-import.md), upserting by customer number (Kundennummer). All valid rows are written in one',
      'transaction; invalid rows are listed (row, field, reason) and not imported. --dry-run only checks.',
      'The encoding is detected (UTF-8, else Windows-1252) unless given. --report writes the problems as CSV.',
      'Exit code 1 when any row was refused.',
      '',
      'export writes everything held about one customer as JSON (subject access, Art. 15 GDPR), to FILE or stdout;',
      'it never overwrites a file. delete removes a customer whose purpose has ended, from the database, the match',
      'lists, the matchers and the queues; their proposals stay without a person. restrict keeps the data but takes',
      'the customer out of all matching (Art. 18 GDPR); unrestrict lifts that. Each is audited. See',
      'docs/data-protection.md.',
      `Deletion reasons: ${DeletionReason.options.join(', ')}.`,
      `Restriction reasons: ${RestrictionReason.options.join(', ')}.`,
    ].join('\n');
  },
  options: {
    branch: { type: 'string' },
    'dry-run': { type: 'boolean' },
    encoding: { type: 'string' },
    report: { type: 'string' },
    output: { type: 'string' },
    reason: { type: 'string' },
  },
};

export const employersUsage: CommandUsage = {
  name: 'employers',
  summary: "an employer's named contact in the employer service: employers contact",
  help: [
    'Usage: jobbruecke employers contact --employer <id> --caseworker <user id | none>',
    '',
    "Names the employer's contact in the employer service (AG-pAp): their orders go to this caseworker while they",
    'serve the responsible branch, before any round robin. The caseworker must be marked as employer service of',
    'that branch (jobbruecke users employer-service). "none" clears the contact. Written to the audit log with your',
    'login name.',
  ].join('\n'),
  options: {
    employer: { type: 'string' },
    caseworker: { type: 'string' },
  },
};

export const catchmentUsage: CommandUsage = {
  name: 'catchment',
  summary: 'which postcodes each branch serves for employers: list, set',
  help: [
    'Usage: jobbruecke catchment <list | set> …',
    '',
    '  jobbruecke catchment list',
    '  jobbruecke catchment set --branch <n> --plz 70173,70174',
    '',
    "An employer is served by the branch whose catchment holds the employer's postcode. Catchments do not overlap:",
    'set replaces the branch’s list, and postcodes listed for another branch move to this one (the answer names',
    'them). --plz "" empties the list. Changes are written to the audit log with your login name.',
  ].join('\n'),
  options: {
    branch: { type: 'string' },
    plz: { type: 'string' },
  },
};

export const reindexUsage: CommandUsage = {
  name: 'reindex',
  summary: 'rebuild the search index from the database',
  help: [
    'Usage: jobbruecke reindex',
    '',
    'Rebuilds the search index from the database, the system of record. With Meilisearch (MEILI_URL) the shared',
    'index is rebuilt; the embedded engine loads its snapshot (DATA_DIR/search-index.snapshot) at start or rebuilds, and this command, run against a',
    "running service, rebuilds the service's own index.",
  ].join('\n'),
  options: {},
};

export const backupUsage: CommandUsage = {
  name: 'backup',
  summary: 'write a consistent backup of the embedded database: backup FILE',
  help: [
    'Usage: jobbruecke backup FILE',
    '',
    'Writes a backup of the embedded database (DATA_DIR/db: data, and the queues of the embedded backend) to FILE,',
    'also while the service runs: the command then runs inside the service, and FILE must be an absolute path. The',
    'backup is one consistent moment; database work pauses only for a checkpoint, a count of the rows and a copy of',
    'the files (seconds). FILE gets mode 600 (it holds social data), is written completely or not at all, and is',
    'never overwritten. Its header records the format, the migration level, the installation id, the time, rows per',
    'table and a SHA-256 checksum, which "jobbruecke restore" checks. See docs/backup.md.',
    'With DATABASE_URL the database is a PostgreSQL server: back it up with pg_dump -Fc instead.',
  ].join('\n'),
  options: {},
};

export const restoreUsage: CommandUsage = {
  name: 'restore',
  summary: 'restore a backup into an empty data directory: restore FILE [--data-dir DIR]',
  help: [
    'Usage: jobbruecke restore FILE [--data-dir DIR] [--new-installation]',
    '',
    'Restores a backup written by "jobbruecke backup" into an empty data directory (DIR, default DATA_DIR), while no',
    'service uses it. A damaged, truncated or foreign file, one of a newer Jobbrücke, and a directory that is not',
    "empty are refused, and nothing is written. The restored database is checked against the backup's record",
    '(rows of every table, sequences, installation id) before it is put in place. The search index and the matcher',
    'are rebuilt from it at the first "jobbruecke start"; queued jobs are in the backup, and the relays re-derive',
    'any others from the database.',
    '  --new-installation   give the copy a new installation id (and so its own Redis key prefix), for a test',
    '                       system that runs beside the original; a restore that replaces the original keeps the id',
  ].join('\n'),
  options: { 'data-dir': { type: 'string' }, 'new-installation': { type: 'boolean' } },
};

export const sourcesUsage: CommandUsage = {
  name: 'sources',
  summary: 'manage vacancy sources: add, list, enable, disable',
  help: [
    'Usage: jobbruecke sources <add | list | enable | disable> …',
    '',
    '  jobbruecke sources add --type <type> --url <url> [--name <name>] [--params "wo=Stuttgart&umkreis=25"]',
    '                         [--every 2h] [--config <json>] [--legal-basis <text>]',
    '  jobbruecke sources add --type <ats> --company <board name> [--config \'{"employerName":"…"}\'] …',
    '  jobbruecke sources list',
    '  jobbruecke sources enable <id>',
    '  jobbruecke sources disable <id>',
    '',
    `Types: ${SourceType.options.filter((t) => t !== 'employer').join(', ')}.`,
    'Every source records the legal basis or terms under which it is crawled (--legal-basis; public career pages and',
    'feeds get a default). ba_jobsuche sources start disabled: enable them only under an agreement with the BA;',
    'their --url defaults to BA_JOBSUCHE_URL.',
    '--config takes the type-specific settings as JSON, e.g. {"pages":["https://…"]} or {"sitemap":"https://…/sitemap.xml"}',
    'for jsonld, or the CSS selectors for browser (see docs/crawling.md).',
    "Applicant-tracking systems (the company's board name from its careers address gives the API address):",
    ...Object.entries(ATS_ENDPOINTS).map(([type, url]) => `  ${type.padEnd(16)} ${url}`),
    "exchange reads another job centre's feed: --url https://<their address>/austausch/stellen.jsonld",
  ].join('\n'),
  options: {
    type: { type: 'string' },
    url: { type: 'string' },
    name: { type: 'string' },
    params: { type: 'string' },
    every: { type: 'string' },
    config: { type: 'string' },
    'legal-basis': { type: 'string' },
    company: { type: 'string' },
  },
};

export const crawlUsage: CommandUsage = {
  name: 'crawl',
  summary: 'crawl sources now: crawl [--source ID | --all] [--wait]',
  help: [
    'Usage: jobbruecke crawl (--source <id> | --all) [--wait]',
    '',
    'Without --wait, queues a crawl job per source for the running workers and returns.',
    'With --wait, crawls here and now, ingests what was found, waits until the running service has updated the',
    'search index, and prints per source: fetched, new, updated, unchanged, closed, duplicates, errors, and the',
    'first error. Exits with 1 when a source failed: nothing could be read, the crawl broke off, or (with --source)',
    'the source was skipped.',
  ].join('\n'),
  options: { source: { type: 'string' }, all: { type: 'boolean' }, wait: { type: 'boolean' } },
};

export const matchUsage: CommandUsage = {
  name: 'match',
  summary: 'ranked matches with explanations: match --vacancy ID | --customer ID',
  // The longest list is the one the match store keeps.
  async help() {
    const { STORED_LIMIT } = await import('../../matchers/service/match-store.ts');
    return [
      'Usage: jobbruecke match --vacancy <id> [--limit 20] [--include-activation]',
      '       jobbruecke match --customer <id> [--limit 20]',
      '',
      'Prints the ranked list with the German explanation of every score, the cap on open proposals and who was',
      'skipped because of it, the same list caseworkers get from GET /api/v1/{vacancies|customers}/<id>/matches.',
      '  --vacancy <id>         best customers for an open vacancy (all branches)',
      '  --customer <id>        best open vacancies for a customer',
      `  --limit <n>            length of the list, 1–${STORED_LIMIT} (default 20)`,
      '  --include-activation   with --vacancy: include customers in the activation profile',
      '',
      'Customer data are social data: every run is written to the audit log (actor "cli", purpose "matching").',
    ].join('\n');
  },
  options: {
    vacancy: { type: 'string' },
    customer: { type: 'string' },
    limit: { type: 'string' },
    'include-activation': { type: 'boolean' },
  },
};

export const taxonomyUsage: CommandUsage = {
  name: 'taxonomy',
  summary: "occupation coding: import the BA's title index, show it, map old KldB codes",
  help: [
    'Usage: jobbruecke taxonomy <import | status | map> …',
    '',
    '  jobbruecke taxonomy import FILE.xlsx                 the current Gesamtberufsliste (KldB 2010, revised 2020)',
    '  jobbruecke taxonomy import --legacy OLD.xlsx [FILE.xlsx]',
    '                                                       a list coded with the original KldB 2010 (e.g. of 2019),',
    '                                                       with or without the current one',
    '  jobbruecke taxonomy status',
    '  jobbruecke taxonomy map CODE [--title TITLE]          an original KldB 2010 code (and title) in the 2020 revision',
    '',
    'FILE is the BA\'s workbook as downloaded (Gesamtberufsliste_der_BA.xlsx, sheet "Gesamtberufsliste der BA").',
    "Without an import the coder knows the classification's example titles only. With it, it also knows every title",
    'of the list in its male and female forms. When both a current and an older list are in the database, the',
    'crosswalk from the original KldB 2010 to the 2020 revision is derived from them (by DKZ-ID), whichever of the',
    'two was imported last. Each import replaces the list of its kind; running services pick it up before their',
    'next ingest batch. The lists are not shipped with Jobbrücke: the BA publishes them without a licence for',
    'redistribution. Give absolute paths when a service is running (the command then runs inside it).',
    `Credit: ${CREDIT}.`,
  ].join('\n'),
  options: { legacy: { type: 'string' }, title: { type: 'string' } },
};
