/**
 * `/metrics` in the Prometheus text format (prom-client): HTTP latency by route pattern, queue depths and failures,
 * crawl results per source, ingest and index lag, open SLA clocks by state. See docs/operations.md.
 *
 * The DB- and queue-backed gauges are read when scraped, at most once per `cacheMs`: several Prometheus servers or a
 * fast scrape interval then cost a handful of small queries, not one set each.
 *
 * Not public: the figures tell an outsider how busy the service is and which sources fail. Allowed from loopback and
 * `METRICS_NETWORKS` (by `clientAddress(c)`, so a trusted proxy cannot make the world look local), otherwise only with
 * an admin token.
 */
import { count, eq, gt, isNull, min, sql } from 'drizzle-orm';
import type { Context, Env, Hono, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import ipaddr from 'ipaddr.js';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { z } from 'zod';
import type { Queues } from '../queues/queues.ts';
import type { Ctx } from '../src/context.ts';
import { crawlRuns, ingestBatches, sources } from '../src/db/schema.ts';
import { outboxHead } from '../src/outbox/read-log.ts';
import { stateExpression } from '../src/sla/state.ts';
import { auth } from './middleware/auth.ts';
import { AuthThrottle } from './middleware/auth-throttle.ts';
import { clientAddress, inNetworks, parseNetworks } from './middleware/client-address.ts';
import { BEARER, describe } from './openapi.ts';

export interface MetricsOptions {
  /** Queue depths are reported when given. */
  queues?: Pick<Queues, 'counts'>;
  /** Where the search index stands in the outbox (the shared cursor, or this process's follower); index lag is reported when given. */
  indexCursor?: () => Promise<number>;
  /** Addresses or CIDRs allowed besides loopback (`METRICS_NETWORKS`). @defaultValue none */
  networks?: readonly string[];
  /** How long DB- and queue-backed figures are reused. @defaultValue 5000 */
  cacheMs?: number;
}

/** Crawl results are counted over this window, so a source that stopped working shows as such within a day. */
const CRAWL_WINDOW_HOURS = 24;

/** The route pattern that answered, never the raw path: ids in labels would make a series per vacancy. */
function routeLabel(c: Context): string {
  const handler = matchedRoutes(c).findLast((r) => r.method !== 'ALL');
  return handler?.path ?? 'unmatched';
}

export class Metrics {
  readonly registry = new Registry();
  private readonly http: Histogram<'method' | 'route' | 'status'>;
  private readonly ctx: Ctx;
  private readonly options: MetricsOptions;
  private refreshed = 0;
  private pending: Promise<void> | undefined;
  private readonly gauges;

  constructor(ctx: Ctx, options: MetricsOptions = {}) {
    this.ctx = ctx;
    this.options = options;
    collectDefaultMetrics({ register: this.registry });
    this.http = new Histogram({
      name: 'jobbruecke_http_request_duration_seconds',
      help: 'HTTP request latency by route pattern, method and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
    const gauge = <L extends string>(name: string, help: string, labelNames: L[] = []) =>
      new Gauge<L>({ name, help, labelNames, registers: [this.registry] });
    this.gauges = {
      queueJobs: gauge('jobbruecke_queue_jobs', 'Jobs per queue and state (failed: kept failed jobs)', [
        'queue',
        'state',
      ]),
      crawlRuns: gauge(
        'jobbruecke_crawl_runs',
        `Crawl runs started in the last ${CRAWL_WINDOW_HOURS} hours, per source and result`,
        ['source_id', 'source', 'status'],
      ),
      ingestPending: gauge('jobbruecke_ingest_pending_batches', 'Crawled batches not yet ingested'),
      ingestLag: gauge('jobbruecke_ingest_lag_seconds', 'Age of the oldest batch not yet ingested (0 when none)'),
      outboxHead: gauge('jobbruecke_outbox_head', 'Newest outbox entry id'),
      indexLag: gauge(
        'jobbruecke_index_lag_entries',
        'Outbox entries the search index has not applied yet (Meilisearch: the shared cursor; embedded: this process)',
      ),
      slaClocks: gauge('jobbruecke_sla_open_clocks', 'Running SLA clocks (employer promise) by state', ['state']),
      scrapeErrors: gauge('jobbruecke_metrics_refresh_failed', '1 when the last refresh of these figures failed'),
    };
  }

  /** Times every request; registered before routing, labelled after it. */
  middleware(): MiddlewareHandler {
    return async (c, next) => {
      const end = this.http.startTimer();
      try {
        await next();
      } finally {
        end({ method: c.req.method, route: routeLabel(c), status: String(c.res.status) });
      }
    };
  }

  /** The text a scrape gets; DB-backed figures at most `cacheMs` old. */
  async text(): Promise<string> {
    if (Date.now() - this.refreshed >= (this.options.cacheMs ?? 5_000)) {
      // Concurrent scrapes share one refresh.
      this.pending ??= this.refresh().finally(() => {
        this.pending = undefined;
      });
      await this.pending;
    }
    return this.registry.metrics();
  }

  private async refresh(): Promise<void> {
    try {
      await Promise.all([this.refreshQueues(), this.refreshDb()]);
      this.gauges.scrapeErrors.set(0);
    } catch (err) {
      // A scrape still answers with what it has; the failure is a figure of its own and a log line.
      this.ctx.log.warn({ err: (err as Error).message }, 'metrics refresh failed');
      this.gauges.scrapeErrors.set(1);
    }
    this.refreshed = Date.now();
  }

  private async refreshQueues(): Promise<void> {
    if (!this.options.queues) return;
    const counts = await this.options.queues.counts();
    this.gauges.queueJobs.reset();
    for (const [queue, states] of Object.entries(counts)) {
      for (const [state, n] of Object.entries(states)) this.gauges.queueJobs.set({ queue, state }, n);
    }
  }

  private async refreshDb(): Promise<void> {
    const { ctx } = this;
    const now = ctx.now();
    const since = new Date(now.getTime() - CRAWL_WINDOW_HOURS * 3_600_000);
    const [runs, [ingest], head, cursor, clocks] = await Promise.all([
      ctx.db
        .select({ sourceId: crawlRuns.sourceId, name: sources.name, status: crawlRuns.status, n: count() })
        .from(crawlRuns)
        .innerJoin(sources, eq(sources.id, crawlRuns.sourceId))
        .where(gt(crawlRuns.startedAt, since))
        .groupBy(crawlRuns.sourceId, sources.name, crawlRuns.status),
      ctx.db
        .select({ n: count(), oldest: min(ingestBatches.createdAt) })
        .from(ingestBatches)
        .where(isNull(ingestBatches.processedAt)),
      outboxHead(ctx),
      this.options.indexCursor?.(),
      ctx.db.execute<{ state: string; n: number | string }>(
        sql`select state, count(*) as n from (select ${stateExpression('c', now)} as state from sla_clocks c
          where c.outcome is null) s group by state`,
      ),
    ]);
    this.gauges.crawlRuns.reset();
    for (const r of runs) this.gauges.crawlRuns.set({ source_id: r.sourceId, source: r.name, status: r.status }, r.n);
    this.gauges.ingestPending.set(ingest?.n ?? 0);
    const oldest = ingest?.oldest ? new Date(ingest.oldest).getTime() : undefined;
    this.gauges.ingestLag.set(oldest === undefined ? 0 : Math.max(0, (now.getTime() - oldest) / 1000));
    this.gauges.outboxHead.set(head);
    if (cursor !== undefined) this.gauges.indexLag.set(Math.max(0, head - cursor));
    this.gauges.slaClocks.reset();
    for (const state of ['open', 'at_risk', 'escalated', 'breached']) this.gauges.slaClocks.set({ state }, 0);
    for (const r of (clocks as unknown as { rows: { state: string; n: number | string }[] }).rows) {
      this.gauges.slaClocks.set({ state: r.state }, Number(r.n));
    }
  }
}

const LOOPBACK = parseNetworks(['127.0.0.0/8', '::1']);

/** Mounts GET /metrics: loopback and the metrics networks freely, anyone else with an admin token. */
export function mountMetrics<E extends Env>(app: Hono<E>, ctx: Ctx, metrics: Metrics, options: MetricsOptions): void {
  const allowed = [...LOOPBACK, ...parseNetworks(options.networks ?? [])];
  // Its own throttle: /metrics is outside the API's audiences, and a scraper's wrong token must not lock out staff.
  const admin = auth({ ctx, roles: ['admin'], throttle: new AuthThrottle() }) as unknown as MiddlewareHandler;
  const guard: MiddlewareHandler = async (c, next) => {
    const address = clientAddress(c);
    if (address !== undefined && ipaddr.isValid(address) && inNetworks(ipaddr.parse(address), allowed)) {
      return next();
    }
    return admin(c, next);
  };
  const described = describe({
    operationId: 'getMetrics',
    summary: 'Figures for Prometheus',
    description: 'Free from loopback and METRICS_NETWORKS; from anywhere else only with an admin token.',
    tags: ['Operations'],
    security: [{}, { [BEARER]: [] }],
    responses: {
      200: { description: 'Prometheus text format', body: z.string(), mediaType: 'text/plain; version=0.0.4' },
    },
    problems: [401, 403, 429],
  });
  app.get('/metrics', described, guard, async (c) => {
    const text = await metrics.text();
    return c.body(text, 200, { 'content-type': metrics.registry.contentType });
  });
}
