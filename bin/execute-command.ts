/**
 * Parses and runs one command line: in the CLI's own process, and inside the running service for the commands other
 * CLI processes forward to it (bin/service-link.ts).
 */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { type Config, ConfigError } from '../src/config.ts';
import { AppError, ValidationFailed } from '../src/errors.ts';
import type { Logger } from '../src/logging.ts';
import type { CommandIo } from './command-io.ts';
import { findCommand, unknownCommand } from './commands/catalogue.ts';
import { type Resources, UsageError } from './commands/command.ts';
import { helpText } from './commands/usage.ts';

/** Returns the exit code (-1: keep running). */
export async function executeCommand(
  argv: string[],
  env: { config: Config; log: Logger; io: CommandIo; resources: Resources; operator: string },
): Promise<number> {
  const { io } = env;
  const [verb, ...rest] = argv;
  const entry = findCommand(verb);
  if (!entry) {
    io.err(unknownCommand(verb));
    return 2;
  }
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs({
      args: rest,
      options: entry.options as ParseArgsConfig['options'],
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${await helpText(entry)}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run({ ...env, values: args.values, positionals: args.positionals, execute: executeCommand });
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`${err.message}\n\n${await helpText(entry)}`);
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
