import { outboxHead } from '../../src/outbox/read-log.ts';
import { rebuildIndex, sharedIndexCursor } from '../../src/search/index-sync.ts';
import type { Command } from './command.ts';
import { reindexUsage } from './usage.ts';

export const reindexCommand: Command = {
  ...reindexUsage,
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
