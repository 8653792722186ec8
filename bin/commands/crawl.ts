import { and, eq, ne } from 'drizzle-orm';
import { closeSharedBrowser } from '../../crawlers/browser-provider.ts';
import { DatabaseHostRateLimiter } from '../../crawlers/http/rate-limiter.ts';
import {
  ALREADY_RUNNING,
  type CrawlRunSummary,
  crawlRunSummary,
  runCrawl,
  waitForRunningCrawl,
} from '../../crawlers/run-crawl.ts';
import { sources } from '../../src/db/schema.ts';
import { withoutCredentials } from '../../src/sources/sources.ts';
import { ingestRunNow } from '../../src/vacancies/ingest/ingest-run.ts';
import { type Command, stringOption, UsageError } from './command.ts';
import { crawlUsage } from './usage.ts';

const INDEX_DRAIN_TIMEOUT_MS = 60_000;

export const crawlCommand: Command = {
  ...crawlUsage,
  async run({ config, log, values, io, resources }) {
    const sourceId = stringOption(values, 'source');
    if (!sourceId && !values.all) throw new UsageError('Name a source with --source <id>, or use --all.');
    const core = await resources.core();
    const queues = await resources.queues();
    try {
      const selected = await core.ctx.db
        .select({ id: sources.id, name: sources.name, enabled: sources.enabled })
        .from(sources)
        .where(sourceId ? eq(sources.id, sourceId) : and(eq(sources.enabled, true), ne(sources.type, 'employer')));
      if (sourceId && selected.length === 0) {
        io.err(`No source ${sourceId}. See "jobbruecke sources list".`);
        return 1;
      }
      if (!values.wait) {
        for (const s of selected) await queues.crawl(s.id, `cli-${Date.now()}`);
        io.out(`Queued ${selected.length} crawl job(s).`);
        return 0;
      }
      const rateLimiter = new DatabaseHostRateLimiter(core.ctx.db);
      let failed = false;
      for (const s of selected) {
        const label = `${s.name} (${s.id})`;
        try {
          const result = await runCrawl({ ctx: core.ctx, crawl: config.crawl, rateLimiter }, s.id);
          let runId = result.runId;
          if (result.reason === ALREADY_RUNNING) {
            io.out(`${label}: a crawl is already running; waiting for it to finish …`);
            runId = await waitForRunningCrawl(core.ctx, s.id);
          } else if (result.status === 'skipped') {
            io.out(`${label}: skipped, ${result.reason}`);
            failed ||= !!sourceId;
            continue;
          }
          if (!runId) {
            io.err(`${label}: no finished crawl run to report.`);
            failed = true;
            continue;
          }
          const r = await ingestRunNow(core.ctx, runId, { staleAfterDays: config.vacancies.staleAfterDays });
          const run = await crawlRunSummary(core.ctx, runId);
          io.out(
            run?.notModified
              ? `${label}: unchanged since the last crawl`
              : `${label}: fetched ${r.fetched}, new ${r.new}, updated ${r.updated + r.reopened}, unchanged ${r.unchanged}, ` +
                  `closed ${r.closed}, duplicates ${r.duplicates}, errors ${r.errors}${r.complete ? '' : ' (listing incomplete: nothing closed)'}`,
          );
          if (run?.status === 'failed') {
            io.err(`${label}: failed: ${describeError(run.firstError)}`);
            failed = true;
          } else if (run?.firstError) {
            io.out(`${label}: first error: ${describeError(run.firstError)}`);
          }
        } catch (err) {
          // One broken source must not keep the others from being crawled and reported.
          log.error({ err, sourceId: s.id }, 'crawl failed');
          io.err(`${label}: failed: ${(err as Error).message}`);
          failed = true;
        }
      }
      await queues.index();
      const drained = await queues.drained('index', INDEX_DRAIN_TIMEOUT_MS);
      io.out(
        drained
          ? 'Search index updated.'
          : 'Stored in the database; the search index follows as soon as the service runs ("npm start" or "npm run start:worker").',
      );
      return failed ? 1 : 0;
    } finally {
      // The service keeps its browser for scheduled crawls; a CLI process must not leave one running.
      if (!resources.shared) await closeSharedBrowser();
    }
  },
};

function describeError(error: CrawlRunSummary['firstError']): string {
  if (!error) return 'no error recorded';
  return withoutCredentials(`${error.kind}: ${error.message}${error.url ? ` (${error.url})` : ''}`);
}
