/**
 * One load-generator run with autocannon against the service: a mix of requests taken in turn, per-request headers,
 * the figures that bench:api and soak report. Latencies include non-2xx answers, so a fast error cannot hide.
 */
import autocannon from 'autocannon';

export interface LoadRequest {
  method?: 'GET' | 'POST';
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadOptions {
  baseUrl: string;
  connections: number;
  durationSec: number;
  /** Called once per request for the next one: a query mix, rotating subjects, fresh bodies. */
  next: () => LoadRequest;
  /** Requests per second over all connections; as fast as the server answers when absent. */
  overallRate?: number;
  timeoutSec?: number;
}

export interface LoadFigures {
  requests: number;
  requestsPerSec: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Connection errors and timeouts: no answer at all. */
  errors: number;
  non2xx: number;
  statusCodes: Record<string, number>;
}

/** Starts the run; `instance` reports each answer as it comes, `figures` resolves when the run ends. */
export function startLoad(options: LoadOptions): { instance: autocannon.Instance; figures: Promise<LoadFigures> } {
  let settle: (result: autocannon.Result) => void = () => {};
  let fail: (err: unknown) => void = () => {};
  const figures = new Promise<autocannon.Result>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  }).then(figuresOf);
  const options_: autocannon.Options = {
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationSec,
    timeout: options.timeoutSec ?? 10,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        setupRequest: (request) => {
          const next = options.next();
          return {
            ...request,
            method: next.method ?? 'GET',
            path: next.path,
            headers: { ...next.headers, ...(next.body ? { 'content-type': 'application/json' } : {}) },
            ...(next.body ? { body: next.body } : {}),
          };
        },
      },
    ],
  };
  // The callback form: it returns the instance, whose events report each answer while the run goes on.
  const instance = autocannon(options_, (err, result) => (err ? fail(err) : settle(result)));
  return { instance, figures };
}

export function figuresOf(result: autocannon.Result): LoadFigures {
  const statusCodes: Record<string, number> = {};
  for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) statusCodes[code] = stats.count ?? 0;
  const requests = Object.values(statusCodes).reduce((sum, n) => sum + n, 0);
  return {
    requests,
    requestsPerSec: Math.round(requests / result.duration),
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    // autocannon counts a timeout among its errors as well as on its own.
    errors: result.errors,
    non2xx: result.non2xx,
    statusCodes,
  };
}

/** Round-robin over a list, for request mixes. */
export function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('cycle over an empty list');
  let i = 0;
  return () => items[i++ % items.length] as T;
}
