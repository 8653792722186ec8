/**
 * `jobbruecke <verb>`: the command line. Exit codes: 0 done, 1 failed, 2 bad usage or configuration.
 *
 * Everything beyond the catalogue of commands is imported when needed: help answers from the catalogue alone, a
 * command forwarded to the running service needs only the configuration and the link, and only a command run here
 * loads what it uses (bin/commands/catalogue.ts).
 */
import { userInfo } from 'node:os';
import type { Config } from '../src/config.ts';
import type { Logger } from '../src/logging.ts';
import { terminal } from './command-io.ts';
import { findCommand, mainHelp, unknownCommand } from './commands/catalogue.ts';
import { helpText } from './commands/usage.ts';

async function main(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (!verb || verb === '--help' || verb === '-h' || verb === 'help') {
    console.log(mainHelp());
    return verb ? 0 : 2;
  }
  const entry = findCommand(verb);
  if (!entry) {
    console.error(unknownCommand(verb));
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(await helpText(entry));
    return 0;
  }
  const { ConfigError, loadConfig } = await import('../src/config.ts');
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
  // Made when first needed: a forwarded command logs nothing here.
  let made: Logger | undefined;
  const logger = async () =>
    (made ??= (await import('../src/logging.ts')).createLogger(config.log.level, { command: verb }));
  // `restore` writes into a directory no service may use; handed to a running service it could only be refused.
  if (entry.name !== 'start' && entry.name !== 'restore' && config.db.kind === 'pglite') {
    const { forwardToService, runningService, ServiceUnreachable } = await import('./service-link.ts');
    const service = runningService(config.dataDir);
    if (service) {
      try {
        return await forwardToService(service, argv, terminal);
      } catch (err) {
        if (!(err instanceof ServiceUnreachable)) throw err;
        // service.json of a process that is gone (or a reused pid): the database lock decides below.
        (await logger()).warn({ err: err.message }, 'could not reach the running service; running the command here');
      }
    }
  }
  const log = await logger();
  const [{ createContainer }, { resourcesOf }, { executeCommand }] = await Promise.all([
    import('./container.ts'),
    import('./commands/command.ts'),
    import('./execute-command.ts'),
  ]);
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
