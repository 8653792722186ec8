/**
 * `jobbruecke <verb>`: the command line. Exit codes: 0 done, 1 failed, 2 bad usage or configuration.
 */
import { userInfo } from 'node:os';
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../src/config.ts';
import { AppError, ValidationFailed } from '../src/errors.ts';
import { createLogger, type Logger } from '../src/logging.ts';
import { type CommandIo, terminal } from './command-io.ts';
import { catchmentCommand } from './commands/catchment.ts';
import { type Command, type Resources, resourcesOf, UsageError } from './commands/command.ts';
import { crawlCommand } from './commands/crawl.ts';
import { customersCommand } from './commands/customers.ts';
import { employersCommand } from './commands/employers.ts';
import { matchCommand } from './commands/match.ts';
import { migrateCommand } from './commands/migrate.ts';
import { reindexCommand } from './commands/reindex.ts';
import { seedCommand } from './commands/seed.ts';
import { sourcesCommand } from './commands/sources.ts';
import { startCommand } from './commands/start.ts';
import { taxonomyCommand } from './commands/taxonomy.ts';
import { usersCommand } from './commands/users.ts';
import { createContainer } from './container.ts';
import { forwardToService, runningService, ServiceUnreachable } from './service-link.ts';

const COMMANDS: Command[] = [
  startCommand,
  migrateCommand,
  seedCommand,
  usersCommand,
  customersCommand,
  employersCommand,
  catchmentCommand,
  reindexCommand,
  sourcesCommand,
  crawlCommand,
  matchCommand,
  taxonomyCommand,
];

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

/**
 * Parses and runs one command with the given resources. Used by this process and, for forwarded commands, inside
 * the running service. Returns the exit code (-1: keep running).
 */
export async function executeCommand(
  argv: string[],
  env: { config: Config; log: Logger; io: CommandIo; resources: Resources; operator: string },
): Promise<number> {
  const { io } = env;
  const [verb, ...rest] = argv;
  const command = COMMANDS.find((c) => c.name === verb);
  if (!command) {
    io.err(`Unknown command "${verb}".\n\n${mainHelp()}`);
    return 2;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs({
      args: rest,
      options: command.options as ParseArgsConfig['options'],
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${command.help}`);
    return 2;
  }
  try {
    return await command.run({ ...env, values: args.values, positionals: args.positionals, execute: executeCommand });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${command.help}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(err.message);
      return 2;
    }
    if (err instanceof AppError) {
      io.err(`Error: ${err.message}`);
      // One line per problem, as the API lists them in `issues`; other details are for programs, not people.
      if (err instanceof ValidationFailed) {
        for (const issue of err.issues) io.err(`  ${issue.path ? `${issue.path}: ` : ''}${issue.message}`);
      }
      return 1;
    }
    env.log.error({ err }, 'command failed');
    io.err(`Error: ${(err as Error).message}`);
    return 1;
  }
}

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(mainHelp());
    return verb ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === verb);
  if (command && (rest.includes('--help') || rest.includes('-h'))) {
    console.log(command.help);
    return 0;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      return 2;
    }
    throw err;
  }
  const log = createLogger(config.log.level, { command: verb });
  if (command && command !== startCommand && config.db.kind === 'pglite') {
    const service = runningService(config.dataDir);
    if (service) {
      try {
        return await forwardToService(service, argv, terminal);
      } catch (err) {
        if (!(err instanceof ServiceUnreachable)) throw err;
        // service.json of a process that is gone (or a reused pid): the database lock decides below.
        log.warn({ err: err.message }, 'could not reach the running service; running the command here');
      }
    }
  }
  // Opens only what the command uses. `start` builds its own container, for the roles it runs.
  const container = createContainer(config, log);
  const resources = resourcesOf(container, false);
  const code = await executeCommand(argv, { config, log, io: terminal, resources, operator: userInfo().username });
  if (code !== -1) await container.close();
  return code;
}

// A reader that stops early (`jobbruecke sources list | head`) closes the pipe: that ends the output, not in a crash.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const code = await main(process.argv.slice(2));
// `start` keeps running until a signal; every other command ends here.
if (code !== -1) process.exit(code);
