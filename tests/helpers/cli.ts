/**
 * Runs the real CLI as a child process, the way an administrator does, with timeouts budgeted from how long the CLI
 * takes to start on this machine right now: a start-up costs about 3 s on a quiet reference machine and several
 * times that while other work shares the cores, so no constant fits every machine.
 */
import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/jobbruecke.js');

/** Milliseconds one CLI start-up takes now (loading TypeScript and every module); measured once per test file. */
export function measureCliStart(): number {
  const started = performance.now();
  const probe = spawnSync(process.execPath, [BIN, 'migrate', '--help'], { stdio: 'ignore' });
  if (probe.status !== 0) throw new Error(`the CLI did not start (exit ${probe.status})`);
  return performance.now() - started;
}

/**
 * The time one CLI run may take: start-up and opening the embedded database (a few start-ups' worth; creating one
 * takes longest), with room for a loaded machine.
 */
export function cliRunBudget(startMs: number): number {
  return 6 * startMs + 10_000;
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
 * process keep answering while the CLI talks to them. Killed after `timeoutMs`.
 */
export function runCli(args: string[], env: Record<string, string>, timeoutMs: number): Promise<CliResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [BIN, ...args], {
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
