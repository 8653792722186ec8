/**
 * The compiled CLI is never a second source of truth (bin/build.js): a changed source is built before it runs, a
 * source that does not build runs nowhere (not even as its last good build), and code moved into chunks still finds
 * the files beside its source (`import.meta`) and reads JSON from the source tree. Run in a small project of its own
 * that uses this repository's launcher and builder, so the shared checkout is never touched.
 */
import { spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const REPO = resolve(import.meta.dirname, '../..');
const project = mkdtempSync(join(tmpdir(), 'jobbruecke-build-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(project, path, '..'), { recursive: true });
  writeFileSync(join(project, path), text);
}

/** The program's entry; `marker` is the only part that changes, and always keeps its length. */
function cliSource(marker: string): string {
  return [
    "import { readFileSync } from 'node:fs';",
    "import { join } from 'node:path';",
    "import info from '../data/info.json' with { type: 'json' };",
    `const marker: string = '${marker}';`,
    "const { lazyDir } = await import('./lazy/where.ts');",
    'console.log(JSON.stringify({',
    '  marker,',
    '  dirname: import.meta.dirname,',
    "  beside: readFileSync(join(import.meta.dirname, 'beside.txt'), 'utf8'),",
    '  lazyDir,',
    '  info,',
    '}));',
    '',
  ].join('\n');
}

write('package.json', JSON.stringify({ name: 'build-probe', private: true, type: 'module' }));
copyFileSync(join(REPO, 'tsconfig.json'), join(project, 'tsconfig.json'));
mkdirSync(join(project, 'bin'));
copyFileSync(join(REPO, 'bin/build.js'), join(project, 'bin/build.js'));
copyFileSync(join(REPO, 'bin/jobbruecke.js'), join(project, 'bin/jobbruecke.js'));
symlinkSync(join(REPO, 'node_modules'), join(project, 'node_modules'));
write('bin/cli.ts', cliSource('AAAA'));
write('bin/beside.txt', 'beside the source');
write('bin/lazy/where.ts', 'export const lazyDir: string = import.meta.dirname;\n');
write('data/info.json', JSON.stringify({ version: 1 }));

function runProgram(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [join(project, 'bin/jobbruecke.js')], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** Rewrites a source with new content of the same length and a later modification time than any build. */
function change(path: string, text: string, secondsAhead: number): void {
  writeFileSync(join(project, path), text);
  const when = new Date(Date.now() + secondsAhead * 1000);
  utimesSync(join(project, path), when, when);
}

describe('the compiled CLI', { timeout: 300_000 }, () => {
  it('is built at the first start and finds the files beside its sources', async () => {
    const r = await runProgram();
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(project, '.build/current.json'))).toBe(true);
    expect(JSON.parse(r.stdout)).toEqual({
      marker: 'AAAA',
      dirname: join(project, 'bin'),
      beside: 'beside the source',
      lazyDir: join(project, 'bin/lazy'),
      info: { version: 1 },
    });
  });

  it('runs a changed source, never the build made before the change', async () => {
    change('bin/cli.ts', cliSource('BBBB'), 10);
    expect(JSON.parse((await runProgram()).stdout).marker).toBe('BBBB');
    // A file only the lazily loaded chunk comes from counts as much as the entry.
    change('bin/lazy/where.ts', 'export const lazyDir: string = "elsewhere" + import.meta.dirname;\n', 20);
    expect(JSON.parse((await runProgram()).stdout).lazyDir).toBe(`elsewhere${join(project, 'bin/lazy')}`);
  });

  it('reads JSON from the source tree, so a changed data file needs no build', async () => {
    writeFileSync(join(project, 'data/info.json'), JSON.stringify({ version: 2 }));
    expect(JSON.parse((await runProgram()).stdout).info).toEqual({ version: 2 });
  });

  it('does not fall back to the last good build when a source no longer builds', async () => {
    change('bin/cli.ts', cliSource("CC' +"), 30);
    const r = await runProgram();
    expect(r.code).not.toBe(0);
    expect(r.stdout).not.toContain('BBBB');
    expect(r.stderr).toContain('cli.ts');
  });
});
