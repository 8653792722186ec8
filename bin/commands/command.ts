import type { Config } from '../../src/config.ts';
import type { Logger } from '../../src/logging.ts';

export interface CommandInput {
  config: Config;
  log: Logger;
  values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  positionals: string[];
}

export interface Command {
  name: string;
  summary: string;
  help: string;
  options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;
  /** Exit code; -1 keeps the process alive (long-running service). */
  run(input: CommandInput): Promise<number>;
}

export class UsageError extends Error {}

export function stringOption(values: CommandInput['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}
