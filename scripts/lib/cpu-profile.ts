/**
 * Where a V8 CPU profile (`node --cpu-prof`) spent its time: self time per function and per source file, largest
 * first, as a share of all samples. Enough to say which part of a request path is slow without opening DevTools.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  /** Microseconds on the monotonic clock, the one `process.hrtime` reads in every process of this machine. */
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Hotspot {
  name: string;
  selfShare: number;
  selfMs: number;
}

const ROOT = resolve(import.meta.dirname, '../..');

function where(url: string): string {
  if (!url) return '(native)';
  const path = url.startsWith('file://') ? new URL(url).pathname : url;
  const rel = relative(ROOT, path);
  // Dependencies by package, our code by file.
  const dep = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(rel);
  return dep ? `dep:${dep[1]}` : rel.startsWith('..') ? path : rel;
}

/** Now on the profiles' clock, to mark the window of interest from another process. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time by function and by file of every profile in `dir` (one per process), top `limit` each; only the samples
 * inside `window` (from {@link monotonicUs}), so a service's start and stop do not blur the figures of a load run.
 */
export async function summariseProfiles(
  dir: string,
  window: { fromUs: number; toUs: number },
  limit = 25,
): Promise<{ totalMs: number; functions: Hotspot[]; files: Hotspot[] }> {
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(await readFile(join(dir, name), 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    let at = profile.startTime;
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      at += us;
      if (!node || node.callFrame.functionName === '(idle)' || at < window.fromUs || at > window.toUs) return;
      const file = where(node.callFrame.url);
      const fn = `${node.callFrame.functionName || '(anonymous)'} ${file}:${node.callFrame.lineNumber + 1}`;
      byFunction.set(fn, (byFunction.get(fn) ?? 0) + us);
      byFile.set(file, (byFile.get(file) ?? 0) + us);
      total += us;
    });
  }
  const top = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([name, us]) => ({
        name,
        selfShare: Math.round((us / total) * 1000) / 1000,
        selfMs: Math.round(us / 1000),
      }));
  return { totalMs: Math.round(total / 1000), functions: top(byFunction), files: top(byFile) };
}
