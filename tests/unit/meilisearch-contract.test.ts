/**
 * The search contract against a real Meilisearch, for an operator before switching (docs/search-engine.md):
 * `MEILI_URL=https://search.example:7700 MEILI_API_KEY=… npx vitest run tests/unit/meilisearch-contract.test.ts`.
 * In the unit project so it needs no Redis or PostgreSQL; skipped without MEILI_URL. Uses a fresh index per run
 * and deletes it (and its build index) afterwards.
 */
import { randomUUID } from 'node:crypto';
import { Meilisearch } from 'meilisearch';
import { afterAll, describe, it, vi } from 'vitest';
import { MeilisearchSearchEngine } from '../../src/search/meilisearch.ts';
import { describeSearchEngine } from '../contract/search-engine.contract.ts';

const host = process.env.MEILI_URL;
const apiKey = process.env.MEILI_API_KEY ?? process.env.MEILI_MASTER_KEY;
const indexUid = `contract_vacancies_${randomUUID().replaceAll('-', '').slice(0, 12)}`;

// Every write waits for its task on a real server, possibly across a network.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 120_000 });

describe.skipIf(host)('meilisearch contract', () => {
  it.skip('skipped: set MEILI_URL (and MEILI_API_KEY) to run the search contract against a Meilisearch server', () => {});
});

describe.skipIf(!host)('meilisearch contract', () => {
  describeSearchEngine(
    'meilisearch',
    async () => new MeilisearchSearchEngine({ host: host as string, apiKey, indexUid }),
  );

  afterAll(async () => {
    const client = new Meilisearch({ host: host as string, apiKey, timeout: 10_000 });
    await client.deleteIndexIfExists(indexUid);
    await client.deleteIndexIfExists(`${indexUid}_rebuild`);
  }, 60_000);
});
