/**
 * What `jobbruecke branches` shows before it is loaded; kept beside the command until its entry moves into
 * ./usage.ts with the others.
 */
import type { CommandUsage } from './usage.ts';

export const branchesUsage: CommandUsage = {
  name: 'branches',
  summary: 'branch offices (Zweigstellen): branches list | add | rename',
  help: [
    'Usage: jobbruecke branches <list | add | rename> …',
    '',
    '  jobbruecke branches list [--json]',
    '  jobbruecke branches add --name <name> --plz <postcode> [--id <n>] [--catchment 70173,70174]',
    '  jobbruecke branches rename <n> --name <name>',
    '',
    'A new installation has no branches; staff accounts (users add --branch) and customers need one. add takes the',
    "name and the postcode of the branch's office, and the number people quote (--id; by default one above the",
    'highest in use). --catchment sets the postcodes it serves for employers at once, as "catchment set" does later;',
    'postcodes listed for another branch move to the new one. Names may hold any letters (umlauts too); two branches',
    'may not share a name, whatever its case. list shows each branch with its office postcode, how many postcodes it',
    'serves and how many active accounts it has. add and rename are written to the audit log with your login name.',
  ].join('\n'),
  options: {
    name: { type: 'string' },
    plz: { type: 'string' },
    id: { type: 'string' },
    catchment: { type: 'string' },
    json: { type: 'boolean' },
  },
};
