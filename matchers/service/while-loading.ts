/**
 * The match service as the API holds it from the moment it listens: a restart makes the kiosk searchable as soon as
 * the search index is loaded, without waiting seconds for the matcher (its customers come from the DB on every start,
 * docs/matching.md). Until the matcher has loaded, every use of its indexes (match lists, "warum nicht?", the
 * workbench's suggestions) fails with `Unavailable`: a 503 with Retry-After, and /health names it as loading. Once
 * loaded, the stand-in passes everything to the real service.
 */
import { Unavailable } from '../../src/errors.ts';
import type { MatchService } from './match-service.ts';

/** How long a caller is asked to wait: loading takes a few seconds at 100,000 vacancies (docs/benchmarks.md). */
export const MATCHER_LOADING_RETRY_SECONDS = 5;

export interface MatcherWhileLoading {
  /** Stands in for the service: throws `Unavailable` on any use before it has loaded. */
  service: MatchService;
  loaded(): boolean;
}

export function matcherWhileLoading(loading: Promise<MatchService>): MatcherWhileLoading {
  let real: MatchService | undefined;
  // A failed load is the start's to report (it awaits the same promise); here it only means "not loaded".
  loading.then(
    (service) => {
      real = service;
    },
    () => {},
  );
  const service = new Proxy({} as MatchService, {
    get(_target, property) {
      if (real) {
        const value = Reflect.get(real, property, real);
        return typeof value === 'function' ? value.bind(real) : value;
      }
      // Not a use: `await` and inspection ask for these, and must not be told to retry.
      if (property === 'then' || typeof property === 'symbol') return undefined;
      // Catching up is done by the load itself (it reads the outbox head before the DB), so a route that syncs after
      // its committed change (a customer deleted or restricted) succeeds instead of reporting that change as failed.
      if (property === 'sync') return async () => 0;
      throw new Unavailable(
        'Der Abgleich wird nach dem Start des Dienstes noch geladen. Bitte in wenigen Sekunden erneut versuchen.',
        MATCHER_LOADING_RETRY_SECONDS,
      );
    },
  });
  return { service, loaded: () => real !== undefined };
}
