import type { Config } from '../../src/config.ts';
import type { Logger } from '../../src/logging.ts';
import type { CommandIo } from '../command-io.ts';
import type { Container } from '../container.ts';
import type { CommandUsage } from './usage.ts';

/** What a command may use: parts of a container, each opened on first use. */
export interface Resources extends Pick<Container, 'core' | 'queues' | 'search' | 'matchService'> {
  /** True inside the running service: the command borrows the service's parts, which the service closes. */
  shared: boolean;
}

/** A command's view of a container: its own, or (`shared`) the running service's. */
export function resourcesOf(container: Container, shared: boolean): Resources {
  const { core, queues, search, matchService } = container;
  return { shared, core, queues, search, matchService };
}

export interface CommandInput {
  config: Config;
  log: Logger;
  io: CommandIo;
  resources: Resources;
  /** Login name of whoever ran the command, also when it was forwarded into the service; for the audit trail. */
  operator: string;
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
  /** Runs another command line with given resources: how the service executes commands forwarded to it. */
  execute(argv: string[], env: Omit<CommandInput, 'values' | 'positionals' | 'execute'>): Promise<number>;
}

/** A command's implementation: its usage (bin/commands/usage.ts) and what it does. */
export interface Command extends CommandUsage {
  /** Exit code; -1 keeps the process alive (long-running service). */
  run(input: CommandInput): Promise<number>;
}

export class UsageError extends Error {}

export function stringOption(values: CommandInput['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
