import { outboxHead } from '../../src/outbox/read-log.ts';
import { rebuildIndex, sharedIndexCursor } from '../../src/search/index-sync.ts';
import type { Command } from './command.ts';

export const reindexCommand: Command = {
  name: 'reindex',
  summary: 'rebuild the search index from the database',
  help: [
    'Usage: jobbruecke reindex',
    '',
    'Rebuilds the search index from the database, the system of record. With Meilisearch (MEILI_URL) the shared',
    'index is rebuilt; the embedded engine is rebuilt at every start of the service, and this command, run against a',
    "running service, rebuilds the service's own index.",
  ].join('\n'),
  options: {},
  async run({ config, io, resources }) {
    const core = await resources.core();
    const search = await resources.search();
    const head = await outboxHead(core.ctx);
    const started = Date.now();
    const count = await rebuildIndex(core.ctx, search, 5000);
    if (config.search.kind === 'meilisearch') await sharedIndexCursor(core.ctx).advance(head);
    io.out(
      `Indexed ${count} open vacancies into the ${config.search.kind} engine in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    );
    return 0;
  },
};
