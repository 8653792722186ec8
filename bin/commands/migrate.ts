import { openCore } from '../container.ts';
import type { Command } from './command.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply database migrations',
  help: 'Usage: jobbruecke migrate\n\nApplies all pending migrations to the configured database (DATABASE_URL, or the embedded one in ./data/db).',
  options: {},
  async run({ config, log }) {
    const core = await openCore(config, log);
    console.log(`Migrations applied (${core.database.kind}).`);
    await core.database.close();
    return 0;
  },
};
