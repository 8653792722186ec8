import type { Config } from '../config.ts';
import type { Logger } from '../logging.ts';
import { createEmbeddedSearchEngine } from './embedded.ts';
import { createMeilisearchEngine } from './meilisearch.ts';
import type { SearchEngine } from './search-engine.ts';

/** Embedded by default; Meilisearch when MEILI_URL is set. */
export function createSearchEngine(config: Config['search'], log?: Logger): SearchEngine {
  return config.kind === 'meilisearch'
    ? createMeilisearchEngine({
        host: config.url,
        apiKey: config.apiKey,
        indexUid: config.index,
        log: log?.child({ component: 'meilisearch' }),
      })
    : createEmbeddedSearchEngine();
}
