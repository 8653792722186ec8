/**
 * CLI start benchmark: spawns the real CLI the way an administrator runs it and times each run until it exits.
 * Cases: `--help`, `sources list` opening the embedded database itself, and `sources list` forwarded to a running
 * service (started here on a temporary data directory). Each runs compiled (bin/jobbruecke.js, as users run it) and
 * through tsx's loader (bin/cli.ts, the path without a build), interleaved round by round so that both see the same
 * load; `node -e ""` is the floor. Prints min/median/p95 per case, the ratios, and the load average before and after.
 * Run: `npm run bench:cli [-- --runs 15]`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startService } from '../tests/helpers/service-process.ts';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '15' } } });
const RUNS = Number(values.runs);
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error('--runs must be a positive whole number');

const ROOT = resolve(import.meta.dirname, '..');
const COMPILED = [join(ROOT, 'bin/jobbruecke.js')];
const TSX = ['--import', 'tsx', join(ROOT, 'bin/cli.ts')];

interface Case {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** What the output must contain: a run that answers something else does not count as fast. */
  expect: RegExp;
}

const loads = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** Wall time of one child process from spawn to exit, in ms; throws unless it exits 0 with the expected output. */
function timeRun({ name, args, env, expect }: Case): Promise<number> {
  return new Promise((done, fail) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', LOG_LEVEL: 'warn', ...env },
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('close', (code) => {
      const ms = performance.now() - started;
      if (code !== 0 || !expect.test(output)) fail(new Error(`${name}: exit ${code}\n${output.slice(-2000)}`));
      else done(ms);
    });
  });
}

function stats(samples: number[]): { min: number; median: number; p95: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  return { min: sorted[0] ?? Number.NaN, median: at(0.5), p95: at(0.95) };
}

const loadBefore = loads();
// The compiled form is built (or found fresh) once here, as the first start after a change or `npm ci` does.
const buildStarted = performance.now();
const build = spawnSync(process.execPath, [join(ROOT, 'bin/build.js')], { cwd: ROOT, encoding: 'utf8' });
if (build.status !== 0) throw new Error(`bin/build.js failed: ${build.stderr}`);
const buildCheckMs = performance.now() - buildStarted;

const directDir = mkdtempSync(join(os.tmpdir(), 'jobbruecke-bench-cli-direct-'));
const serviceDir = mkdtempSync(join(os.tmpdir(), 'jobbruecke-bench-cli-service-'));
const quiet = { DEMO_DATA: 'off' };
// Created and migrated once: the runs measure opening an existing database, as an administrator's commands do.
await timeRun({
  name: 'create',
  args: [...COMPILED, 'migrate'],
  env: { ...quiet, DATA_DIR: directDir },
  expect: /migrat/i,
});
const service = await startService({ ...quiet, DATA_DIR: serviceDir, LOG_LEVEL: 'warn' });
try {
  await service.waitForHealthy(600_000);
  const noSources = /No sources yet/;
  const cases: Case[] = [
    { name: 'node -e "" (floor)', args: ['-e', ''], env: {}, expect: /^$/ },
    { name: '--help, compiled', args: [...COMPILED, '--help'], env: {}, expect: /Commands:/ },
    { name: '--help, tsx', args: [...TSX, '--help'], env: {}, expect: /Commands:/ },
    {
      name: 'sources list forwarded, compiled',
      args: [...COMPILED, 'sources', 'list'],
      env: { ...quiet, DATA_DIR: serviceDir },
      expect: noSources,
    },
    {
      name: 'sources list forwarded, tsx',
      args: [...TSX, 'sources', 'list'],
      env: { ...quiet, DATA_DIR: serviceDir },
      expect: noSources,
    },
    {
      name: 'sources list direct, compiled',
      args: [...COMPILED, 'sources', 'list'],
      env: { ...quiet, DATA_DIR: directDir },
      expect: noSources,
    },
    {
      name: 'sources list direct, tsx',
      args: [...TSX, 'sources', 'list'],
      env: { ...quiet, DATA_DIR: directDir },
      expect: noSources,
    },
  ];
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  // One warm-up round (file cache), then rounds in which every case runs once, in turn.
  for (const c of cases) await timeRun(c);
  for (let round = 0; round < RUNS; round++) {
    for (const c of cases) samples.get(c.name)?.push(await timeRun(c));
  }
  const result = new Map(cases.map((c) => [c.name, stats(samples.get(c.name) ?? [])]));
  const floor = result.get(cases[0]?.name ?? '')?.median ?? Number.NaN;
  console.log(`CLI start, ${RUNS} runs each, Node ${process.version}, ${os.cpus().length} cores`);
  console.log(`load average before: ${loadBefore}; after: ${loads()}`);
  console.log(`build check (bin/build.js, builds only when a source changed): ${buildCheckMs.toFixed(0)} ms`);
  console.log(
    `${'case'.padEnd(36)} ${'min'.padStart(7)} ${'median'.padStart(7)} ${'p95'.padStart(7)}  median/floor  tsx/compiled`,
  );
  for (const c of cases) {
    const s = result.get(c.name);
    if (!s) continue;
    const tsx = c.name.endsWith(', compiled') ? result.get(c.name.replace(', compiled', ', tsx')) : undefined;
    console.log(
      `${c.name.padEnd(36)} ${s.min.toFixed(0).padStart(7)} ${s.median.toFixed(0).padStart(7)} ${s.p95
        .toFixed(0)
        .padStart(
          7,
        )}  ${(s.median / floor).toFixed(1).padStart(11)}x  ${tsx ? `${(tsx.median / s.median).toFixed(1)}x` : ''}`,
    );
  }
  console.log('(ms, wall time from spawn to exit)');
} finally {
  await service.stop();
  rmSync(directDir, { recursive: true, force: true });
  rmSync(serviceDir, { recursive: true, force: true });
}
