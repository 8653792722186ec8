import { DEMO_ACCOUNTS, seedDemo } from '../../src/demo/seed.ts';
import { type Command, UsageError } from './command.ts';
import { seedUsage } from './usage.ts';

export function demoAccountsText(): string {
  return [
    'Demo accounts (DEMO ONLY: these tokens are public, never use them on a real system):',
    ...DEMO_ACCOUNTS.map((a) => `  ${a.role.padEnd(12)} ${a.email.padEnd(38)} Authorization: Bearer ${a.token}`),
  ].join('\n');
}

export const seedCommand: Command = {
  ...seedUsage,
  async run({ config, log, values, io, resources }) {
    if (!values.demo) throw new UsageError('Only demo seeding exists: pass --demo.');
    // The demo accounts' tokens are public (README): they must never exist next to real data.
    if (config.env === 'production') {
      throw new UsageError(
        'Refusing to seed demo data with NODE_ENV=production: the demo accounts have public tokens.',
      );
    }
    const core = await resources.core();
    const started = Date.now();
    const result = await seedDemo(core.ctx, (step, count) => log.info({ step, count }, 'seeded'));
    io.out(
      result.seeded
        ? `Demo data seeded in ${Math.round((Date.now() - started) / 1000)} s.`
        : 'Demo data were already seeded.',
    );
    io.out(demoAccountsText());
    return 0;
  },
};
