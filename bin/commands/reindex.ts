import { dbCursor, outboxHead, rebuildIndex } from '../../src/search/index-sync.ts';
import { openCore, openSearch } from '../container.ts';
import type { Command } from './command.ts';

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild the search index from the database',
  help: [
    'Usage: jobbruecke reindex',
    '',
    'Rebuilds the Meilisearch index (MEILI_URL) from the database, the system of record. The embedded engine is',
    'rebuilt at every start anyway; for it this command only reports how many vacancies would be indexed.',
  ].join('\n'),
  options: {},
  async run({ config, log }) {
    const core = await openCore(config, log);
    try {
      const search = await openSearch(config);
      const head = await outboxHead(core.ctx);
      const started = Date.now();
      const count = await rebuildIndex(core.ctx, search, 5000);
      if (config.search.kind === 'meilisearch') await dbCursor(core.ctx).set(head);
      await search.close();
      console.log(`Indexed ${count} open vacancies into the ${config.search.kind} engine in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
      return 0;
    } finally {
      await core.database.close();
    }
  },
};
