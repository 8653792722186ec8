import { randomUUID } from 'node:crypto';
import { Meilisearch } from 'meilisearch';
import { afterAll, describe, it } from 'vitest';
import { MeilisearchSearchEngine } from '../../src/search/meilisearch.ts';
import { describeSearchEngine } from '../contract/search-engine.contract.ts';

const host = process.env.MEILI_URL;
const apiKey = process.env.MEILI_API_KEY;
const indexUid = `test_vacancies_${randomUUID().replaceAll('-', '')}`;

describe.skipIf(host)('meilisearch adapter', () => {
  it.skip('skipped: set MEILI_URL (and MEILI_API_KEY if the server has one) to run the contract against Meilisearch', () => {});
});

describe.skipIf(!host)('meilisearch adapter', () => {
  describeSearchEngine(
    'meilisearch',
    async () => new MeilisearchSearchEngine({ host: host as string, apiKey, indexUid }),
  );

  afterAll(async () => {
    await new Meilisearch({ host: host as string, apiKey }).deleteIndexIfExists(indexUid);
  });
});
