import type { Command } from './command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply database migrations',
  help: 'Usage: jobbruecke migrate\n\nApplies all pending migrations to the configured database (DATABASE_URL, or the embedded one in ./data/db).',
  options: {},
  async run({ io, resources }) {
    const core = await resources.core();
    io.out(`Migrations applied (${core.database.kind}).`);
    return 0;
  },
};
