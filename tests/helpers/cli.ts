/**
 * Runs the real CLI as a child process, the way an administrator does, with timeouts budgeted from how long a CLI
 * run takes on this machine right now: other work sharing the cores makes it several times slower, so no constant
 * fits every machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/jobbruecke.js');

/**
 * Milliseconds one CLI run takes now, measured once per test file: `migrate` on a new embedded database, the
 * slowest thing a command does before its own work (help alone answers in a fraction of it). It also absorbs the
 * one build of the compiled CLI after a source changed (bin/build.js), so the runs it budgets do not.
 */
export function measureCliStart(): number {
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-cli-probe-'));
  try {
    const started = performance.now();
    const probe = spawnSync(process.execPath, [BIN, 'migrate'], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    });
    if (probe.status !== 0) throw new Error(`the CLI did not start (exit ${probe.status})`);
    return performance.now() - started;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The time one CLI run may take: a few probes' worth, with room for a machine whose load rises meanwhile. */
export function cliRunBudget(startMs: number): number {
  return 3 * startMs + 10_000;
}

/** A test's timeout: its CLI runs, each within the budget, plus what else it waits for. */
export function cliTestTimeout(startMs: number, runs: number, otherMs = 0): number {
  return runs * cliRunBudget(startMs) + otherMs;
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs one command with `env` as its whole environment (PATH and HOME added). Asynchronous, so servers in the test
 * process keep answering while the CLI talks to them. Killed after `timeoutMs`. `nodeArgs` go to Node before the CLI.
 */
export function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs: number,
  { nodeArgs = [] }: { nodeArgs?: string[] } = {},
): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [...nodeArgs, BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}
