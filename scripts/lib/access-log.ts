/**
 * Server-side time per route from the service's access log (one JSON line per request, api/app.ts): how long the
 * service's handlers took, without the time a request waited for the process to get a CPU. Beside the load
 * generator's latencies, it tells a slow service from a busy machine.
 */
import { readFile } from 'node:fs/promises';

export interface RouteFigures {
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<string, number>;
}

/** Ids and query strings folded away, so each route is one line: `GET /api/v1/vacancies/:id/matches`. */
function routeOf(method: string, path: string): string {
  return `${method} ${path.replace(/\/[0-9a-f]{8}-[0-9a-f-]{27}/g, '/:id').replace(/\?.*$/, '')}`;
}

/**
 * Routes with at least `minRequests` requests logged between `from` and `to` (ISO times, inclusive), over the logs of
 * one or more service processes.
 */
export async function accessLogFigures(
  logFiles: string | readonly string[],
  window: { from?: Date; to?: Date } = {},
  minRequests = 10,
): Promise<Record<string, RouteFigures>> {
  const from = window.from?.toISOString() ?? '';
  const to = window.to?.toISOString() ?? '~';
  const groups = new Map<string, { ms: number[]; statuses: Record<string, number> }>();
  const texts = await Promise.all(
    (typeof logFiles === 'string' ? [logFiles] : logFiles).map((f) => readFile(f, 'utf8')),
  );
  for (const line of texts.flatMap((text) => text.split('\n'))) {
    if (!line.includes('"msg":"request"')) continue;
    const r = JSON.parse(line) as { time: string; method: string; path: string; status: number; ms: number };
    if (r.time < from || r.time > to) continue;
    const key = routeOf(r.method, r.path);
    const group = groups.get(key) ?? { ms: [], statuses: {} };
    groups.set(key, group);
    group.ms.push(r.ms);
    group.statuses[r.status] = (group.statuses[r.status] ?? 0) + 1;
  }
  const figures: Record<string, RouteFigures> = {};
  for (const [route, group] of groups) {
    if (group.ms.length < minRequests) continue;
    const sorted = group.ms.sort((a, b) => a - b);
    const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0;
    figures[route] = {
      requests: sorted.length,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      maxMs: sorted.at(-1) ?? 0,
      statuses: group.statuses,
    };
  }
  return figures;
}
