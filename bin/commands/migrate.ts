import type { Command } from './command.ts';
import { migrateUsage } from './usage.ts';

export const migrateCommand: Command = {
  ...migrateUsage,
  async run({ io, resources }) {
    const core = await resources.core();
    io.out(`Migrations applied (${core.database.kind}).`);
    return 0;
  },
};
