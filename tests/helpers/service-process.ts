/** Runs `jobbruecke start` as a child process, the way a user does, and talks to it over HTTP. */
import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from './ports.ts';

const BIN = resolve(import.meta.dirname, '../../bin/jobbruecke.js');

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  output(): string;
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** /health answers 200 and names nothing as still loading. */
  waitForHealthy(timeoutMs: number): Promise<void>;
  /** Sends a signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
}

export async function startService(env: Record<string, string>, args: string[] = ['start']): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: String(port), LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const until = async (check: () => Promise<boolean>, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(`service exited (${child.exitCode}) while waiting for ${what}:\n${output.slice(-3000)}`);
      if (await check()) return;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}:\n${output.slice(-3000)}`);
  };
  return {
    child,
    port,
    baseUrl,
    output: () => output,
    waitForOutput: (pattern, timeoutMs) => until(async () => pattern.test(output), timeoutMs, String(pattern)),
    waitForHealthy: (timeoutMs) =>
      until(
        async () => {
          try {
            // Healthy and fully started: the matcher loads while the service already serves (bin/api.ts).
            const health = await fetch(`${baseUrl}/health`);
            return health.status === 200 && !((await health.json()) as { loading?: string[] }).loading;
          } catch {
            return false;
          }
        },
        timeoutMs,
        'a healthy service',
      ),
    async stop(signal = 'SIGTERM', timeoutMs = 30_000) {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
