/**
 * `jobbruecke <verb>`: the command line. Exit codes: 0 done, 1 failed, 2 bad usage or configuration.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.ts';
import { AppError } from '../src/errors.ts';
import { createLogger } from '../src/logging.ts';
import { type Command, UsageError } from './commands/command.ts';
import { migrateCommand } from './commands/migrate.ts';
import { reindexCommand } from './commands/reindex.ts';
import { seedCommand } from './commands/seed.ts';
import { startCommand } from './commands/start.ts';
import { usersCommand } from './commands/users.ts';

const COMMANDS: Command[] = [startCommand, migrateCommand, seedCommand, usersCommand, reindexCommand];

function mainHelp(): string {
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

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(mainHelp());
    return verb ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === verb);
  if (!command) {
    console.error(`Unknown command "${verb}".\n\n${mainHelp()}`);
    return 2;
  }
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  if (wantsHelp) {
    console.log(command.help);
    return 0;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs({ args: rest, options: command.options as ParseArgsConfig['options'], allowPositionals: true, strict: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${command.help}`);
    return 2;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.log.level, { command: command.name });
  try {
    return await command.run({ config, log, values: args.values, positionals: args.positionals });
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`${err.message}\n\n${command.help}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    if (err instanceof AppError) {
      console.error(`Error: ${err.message}${err.detail && Object.keys(err.detail).length ? `\n${JSON.stringify(err.detail, null, 2)}` : ''}`);
      return 1;
    }
    log.error({ err }, 'command failed');
    console.error(`Error: ${(err as Error).message}`);
    return 1;
  }
}

const code = await main(process.argv.slice(2));
// `start` keeps running until a signal; every other command ends here.
if (code !== -1) process.exit(code);
