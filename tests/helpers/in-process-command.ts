/** Runs one CLI command line in process, parsed as bin/cli.ts parses it, with a fake terminal. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { Command, CommandInput, Resources } from '../../bin/commands/command.ts';
import { type Config, loadConfig } from '../../src/config.ts';
import type { Ctx } from '../../src/context.ts';
import type { Database } from '../../src/db/client.ts';

const notUsed = async (): Promise<never> => {
  throw new Error('not used by this test');
};

export interface InProcessOptions {
  ctx: Ctx;
  database: Database;
  operator?: string;
  config?: Partial<Config>;
  /** Parts of the resources the command needs beyond the database; the others throw when used. */
  resources?: Partial<Resources>;
}

/** `out` and `err` as the command wrote them, and `lines`: both in the order they were written. */
export async function runInProcess(
  command: Command,
  argv: string[],
  { ctx, database, operator = 'pruefer-test', config = {}, resources = {} }: InProcessOptions,
): Promise<{ code: number; out: string[]; err: string[]; lines: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const lines: string[] = [];
  const { values, positionals } = parseArgs({
    args: argv,
    options: command.options as ParseArgsConfig['options'],
    allowPositionals: true,
    strict: true,
  });
  const input: CommandInput = {
    // The defaults of an empty environment, with what the test sets on top.
    config: { ...loadConfig({}), ...config },
    log: ctx.log,
    io: {
      out: (line) => {
        out.push(line);
        lines.push(line);
      },
      err: (line) => {
        err.push(line);
        lines.push(line);
      },
    },
    resources: {
      shared: false,
      core: async () => ({ ctx, database }) as never,
      queues: notUsed,
      search: notUsed,
      matchService: notUsed,
      ...resources,
    },
    operator,
    values,
    positionals,
    execute: notUsed,
  };
  const code = await command.run(input);
  return { code, out, err, lines };
}
