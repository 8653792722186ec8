/**
 * The CLI's compiled form: bin/cli.ts and everything it imports from this repository, bundled by esbuild into
 * `.build/<id>/` (packages stay in node_modules, each chunk loads only what its commands use). Running the TypeScript
 * through tsx's loader costs about 3 s at every start; the compiled form starts in a fraction of that.
 *
 * The sources stay the only truth: `current.json` records every file the build read (modification time and size,
 * taken before reading), and a start whose recorded files differ in any way from the files on disk builds again
 * first; a build that fails leaves the CLI on tsx, never on older output. `npm ci`/`npm install` build once (the
 * `prepare` script); otherwise the first start after a change does, in about a second.
 *
 * Bundling moves code away from its file, so `import.meta.url`, `.dirname` and `.filename` are rewritten to name
 * the source file (migrations, data files and page assets are found beside it), and JSON imports stay imports of
 * the source's JSON files. A build is removed once superseded, unused by any live process and ten minutes old.
 *
 * Plain JavaScript: it runs before anything can compile TypeScript.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const BUILD_DIR = join(ROOT, '.build');
const CURRENT = join(BUILD_DIR, 'current.json');
/** Changes whenever this file changes what it writes; older builds are then not used. */
const FORMAT = 1;
/** Files that shape the output besides the sources esbuild reads. */
const SETTINGS = ['bin/build.js', 'tsconfig.json', 'package.json', 'node_modules/esbuild/package.json'];
/** A superseded build no live process uses is removed once it is this old. */
const SUPERSEDED_KEEP_MS = 10 * 60_000;

/** `[mtimeMs, size]`: a file counts as unchanged only while both are exactly as recorded. */
function stamp(file) {
  const stat = statSync(file);
  return [stat.mtimeMs, stat.size];
}

function readCurrent() {
  try {
    const info = JSON.parse(readFileSync(CURRENT, 'utf8'));
    return info.format === FORMAT ? info : undefined;
  } catch {
    return undefined;
  }
}

/** The entry of the build made from exactly the files now on disk, if there is one. */
export function freshBuild() {
  const info = readCurrent();
  if (!info) return undefined;
  for (const [file, recorded] of Object.entries(info.inputs)) {
    let now;
    try {
      now = stamp(join(ROOT, file));
    } catch {
      return undefined;
    }
    if (now[0] !== recorded[0] || now[1] !== recorded[1]) return undefined;
  }
  const entry = join(BUILD_DIR, info.dir, 'cli.js');
  return existsSync(entry) ? entry : undefined;
}

/** What `import.meta` said in the source file, computed from where its code now runs (a file in the build dir). */
function importMetaOf(fromBuild) {
  return [
    "import { fileURLToPath as __jbFileURLToPath } from 'node:url';",
    `const __jbImportMetaUrl = new URL(${JSON.stringify(fromBuild)}, import.meta.url).href;`,
    'const __jbImportMetaFilename = __jbFileURLToPath(__jbImportMetaUrl);',
    `const __jbImportMetaDirname = __jbFileURLToPath(new URL('.', __jbImportMetaUrl)).replace(/[\\\\/]$/, '');`,
    '',
  ].join('\n');
}

const IMPORT_META = /\bimport\.meta\.(url|dirname|filename)\b/g;
const IMPORT_META_NAME = {
  url: '__jbImportMetaUrl',
  dirname: '__jbImportMetaDirname',
  filename: '__jbImportMetaFilename',
};

const inRepository = (path) => path.startsWith(ROOT + sep) && !path.includes(`${sep}node_modules${sep}`);

/** Builds from the sources now on disk and makes it current; returns its entry. */
export async function build() {
  const { build: esbuild } = await import('esbuild');
  const dir = `${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  const outdir = join(BUILD_DIR, dir);
  const inputs = {};
  /** A source file's address relative to the build's files, which all lie flat in `outdir`. */
  const fromBuild = (path) => relative(outdir, path).split(sep).join('/');
  const record = (path) => {
    inputs[relative(ROOT, path).split(sep).join('/')] = stamp(path);
  };
  for (const file of SETTINGS) if (existsSync(join(ROOT, file))) record(join(ROOT, file));
  const sources = {
    name: 'jobbruecke-sources',
    setup(b) {
      // Read from the source tree when the module loads, as without a build: one JSON.parse, and never a copy that
      // could go stale. (esbuild drops the `type: 'json'` attribute Node requires from an external import.)
      b.onResolve({ filter: /\.json$/ }, (args) =>
        args.path.startsWith('.') ? { path: resolve(args.resolveDir, args.path), namespace: 'source-json' } : undefined,
      );
      b.onLoad({ filter: /.*/, namespace: 'source-json' }, (args) => ({
        contents: [
          "import { readFileSync } from 'node:fs';",
          `export default JSON.parse(readFileSync(new URL(${JSON.stringify(fromBuild(args.path))}, import.meta.url), 'utf8'));`,
        ].join('\n'),
        loader: 'js',
      }));
      b.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        if (!inRepository(args.path)) return undefined;
        // Stamped before reading: a change made while building makes the stamp differ, so the next start rebuilds.
        record(args.path);
        const text = readFileSync(args.path, 'utf8');
        const rewritten = text.replace(IMPORT_META, (_, key) => IMPORT_META_NAME[key]);
        const contents = rewritten === text ? text : importMetaOf(fromBuild(args.path)) + rewritten;
        const loader = args.path.match(/\.[cm]?([jt]sx?)$/)[1];
        return { contents, loader };
      });
    },
  };
  const staging = join(BUILD_DIR, `.staging-${dir}`);
  await esbuild({
    entryPoints: { cli: join(ROOT, 'bin/cli.ts') },
    outdir: staging,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    tsconfig: join(ROOT, 'tsconfig.json'),
    chunkNames: '[name]-[hash]',
    sourcemap: 'linked',
    plugins: [sources],
    logLevel: 'silent',
  });
  // Each chunk's code was placed (and import.meta computed) for `outdir`: the finished build moves there whole.
  renameSync(staging, outdir);
  mkdirSync(join(outdir, 'pids'), { recursive: true });
  const pointer = join(BUILD_DIR, `.current-${dir}.json`);
  writeFileSync(pointer, JSON.stringify({ format: FORMAT, dir, builtAt: new Date().toISOString(), inputs }));
  // Atomic: a concurrent start reads either the old build or this one, never half of either.
  renameSync(pointer, CURRENT);
  removeSuperseded(dir);
  return join(outdir, 'cli.js');
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/**
 * Marks the build as used by this process, so it is kept while this process may still load chunks of it. False when
 * the build was removed before the mark was made: the caller then looks for the current one again.
 */
export function useBuild(entry) {
  const mark = join(dirname(entry), 'pids', String(process.pid));
  try {
    writeFileSync(mark, '');
    process.on('exit', () => rmSync(mark, { force: true }));
  } catch {
    // No mark in a build this account cannot write; it is then kept ten minutes after being superseded.
  }
  return existsSync(entry);
}

function removeSuperseded(current) {
  const now = Date.now();
  for (const name of readdirSync(BUILD_DIR)) {
    if (name === current || name === 'current.json') continue;
    const path = join(BUILD_DIR, name);
    try {
      if (now - statSync(path).mtimeMs < SUPERSEDED_KEEP_MS) continue;
      const users = existsSync(join(path, 'pids')) ? readdirSync(join(path, 'pids')) : [];
      if (users.some((pid) => alive(Number(pid)))) continue;
      rmSync(path, { recursive: true, force: true });
    } catch {
      // Removed by a concurrent build, or not ours to remove: left alone.
    }
  }
}

/** The compiled CLI, built first if the sources changed; undefined when it cannot be built here. */
export async function compiledCli() {
  const fresh = freshBuild();
  if (fresh) return fresh;
  try {
    return await build();
  } catch {
    // No esbuild, a read-only checkout or a source esbuild refuses: tsx runs the sources (and names any error).
    return undefined;
  }
}

// `node bin/build.js` (the `prepare` script): build unless fresh. Never fails an install: the CLI can build later.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (!freshBuild()) await build();
  } catch (err) {
    console.warn(`jobbruecke: the CLI was not compiled now (${err.message}); its first start will try again.`);
  }
}
