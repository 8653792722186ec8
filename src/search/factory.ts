import type { Config } from '../config.ts';
import { createEmbeddedSearchEngine } from './embedded.ts';
import { createMeilisearchEngine } from './meilisearch.ts';
import type { SearchEngine } from './search-engine.ts';

/** Embedded by default; Meilisearch when MEILI_URL is set. */
export function createSearchEngine(config: Config['search']): SearchEngine {
  return config.kind === 'meilisearch'
    ? createMeilisearchEngine({ host: config.url, apiKey: config.apiKey, indexUid: config.index })
    : createEmbeddedSearchEngine();
}
