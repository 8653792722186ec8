/**
 * The Hono application. `createApp` builds it without listening, so tests call `app.request(...)` in-process.
 * Its headers and limits are policy (docs/security.md); tests/integration/security-headers.test.ts checks them
 * against OWASP ASVS 5.0 and BSI APP.3.1.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { RequestIdVariables } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { z } from 'zod';
import { WORKBENCH_IMPORT_PATH } from '../pages/app/paths.ts';
import { mountPages } from '../pages/index.ts';
import type { AnyQueue } from '../queues/queues.ts';
import type { Ctx } from '../src/context.ts';
import type { HealthReport } from '../src/health.ts';
import { mountQueueBoard, QUEUE_BOARD_PATH } from './admin/queues.ts';
import { CUSTOMER_IMPORT_PATH } from './caseworker/customers.ts';
import { mountDocs } from './docs.ts';
import { clip, problem, toProblem } from './errors.ts';
import { type ExchangeFeedDeps, mountExchangeFeed } from './exchange.ts';
import { Metrics, type MetricsOptions, mountMetrics } from './metrics.ts';
import type { AuthVariables } from './middleware/auth.ts';
import { AuthThrottle } from './middleware/auth-throttle.ts';
import { type ClientVariables, clientNetwork, type NetworkPolicy } from './middleware/client-address.ts';
import { describe, mountOpenApi } from './openapi.ts';
import { type ApiRoutesDeps, mountApiV1 } from './v1.ts';

const API_BASE = '/api/v1';

const ComponentHealth = z.strictObject({ status: z.enum(['up', 'down']), kind: z.string() });
/** The answer of /health (src/health.ts's report). */
const HealthJson = z.strictObject({
  status: z.enum(['up', 'down']),
  components: z.strictObject({ db: ComponentHealth, queue: ComponentHealth, search: ComponentHealth }),
  loading: z
    .array(z.enum(['matcher']))
    .optional()
    .describe('Parts still loading after a start; their routes answer 503 with Retry-After meanwhile'),
}) satisfies z.ZodType<HealthReport>;

/** Larger than any vacancy or profile a client sends, far smaller than what could hurt the process. */
const MAX_BODY_BYTES = 256 * 1024;
/** Longer than any address of this API with its query; longer ones are refused before routing (414). */
export const MAX_URL_CHARS = 2_048;

/**
 * The pages' policy: nothing but this origin's own scripts, styles and images (and data: images), no inline script,
 * no plugins, never framed, forms only to this origin. The JSON answers carry it too; it costs nothing there.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  frameAncestors: ["'none'"],
  baseUri: ["'none'"],
  formAction: ["'self'"],
  objectSrc: ["'none'"],
};

/**
 * The queue dashboard's exception (api/admin/queues.ts): its page sets inline styles. Scripts stay limited to this
 * origin; its web-font link to a CDN stays blocked (the page falls back to system fonts). Admins only.
 */
export const QUEUE_BOARD_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'";

/** Outside the secure headers, so it replaces their policy on the dashboard's answers only. */
const queueBoardCsp: MiddlewareHandler = async function queueBoardCsp(c, next) {
  await next();
  if (c.req.path === QUEUE_BOARD_PATH || c.req.path.startsWith(`${QUEUE_BOARD_PATH}/`)) {
    c.res.headers.set('Content-Security-Policy', QUEUE_BOARD_CSP);
  }
};

/**
 * Our own id for every request. A client-sent X-Request-Id is never adopted: it would let a caller choose the id
 * under which its requests are logged, or make them look like someone else's.
 */
function requestId(): MiddlewareHandler<AppEnv> {
  return async function ownRequestId(c, next) {
    const id = randomUUID();
    c.set('requestId', id);
    c.header('X-Request-Id', id);
    await next();
  };
}

/**
 * No answer may be kept by a browser or proxy unless its route says otherwise: signed-in answers carry personal or
 * order data, errors quote the request, and even a kiosk's search pages stay on a shared PC for the next user.
 */
const noStore: MiddlewareHandler = async function noStore(c, next) {
  await next();
  if (!c.res.headers.has('Cache-Control')) c.res.headers.set('Cache-Control', 'no-store');
};

export interface AppDeps extends ApiRoutesDeps {
  ctx: Ctx;
  health: () => Promise<HealthReport>;
  /** Trusted proxies, kiosk networks and the kiosk token (api/middleware/client-address.ts). @defaultValue none */
  network?: NetworkPolicy;
  /** What /metrics reports beyond the DB (queues, the shared index cursor) and who may read it. */
  metrics?: MetricsOptions;
  /** The queues the admins' dashboard at /admin/queues shows; no dashboard without them. */
  queueBoard?: readonly AnyQueue[];
  /** The exchange feed's public address, publisher name and rate limit (api/exchange.ts). @defaultValue its defaults */
  exchange?: Omit<ExchangeFeedDeps, 'ctx'>;
}

/** The actor is there once a signed-in audience's guard has let the request through. */
export type AppEnv = { Variables: RequestIdVariables & Partial<AuthVariables> & Partial<ClientVariables> };

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { ctx, health } = deps;
  const app = new Hono<AppEnv>();
  const metrics = new Metrics(ctx, deps.metrics);
  app.use(requestId());
  app.use(metrics.middleware());
  // Before every limiter: they all key on the client this resolves.
  app.use(clientNetwork(deps.network));
  if (deps.queueBoard) app.use(queueBoardCsp);
  app.use(async function accessLog(c, next) {
    const started = performance.now();
    await next();
    // One line per request; paths carry ids only, never personal data. The user id of a signed-in request makes
    // every successful authentication traceable (failed ones are in the audit trail).
    ctx.log.info(
      {
        requestId: c.get('requestId'),
        userId: c.get('actor')?.userId,
        method: clip(c.req.method, 20),
        path: clip(c.req.path, 200),
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use(
    secureHeaders({
      contentSecurityPolicy: CONTENT_SECURITY_POLICY,
      referrerPolicy: 'no-referrer',
      xFrameOptions: 'DENY',
      crossOriginOpenerPolicy: 'same-origin',
      crossOriginResourcePolicy: 'same-origin',
      // Browsers honour it only over HTTPS, i.e. behind the TLS-terminating proxy (docs/security.md).
      strictTransportSecurity: 'max-age=31536000; includeSubDomains',
      // Nothing here needs a device or sensor; a page that is ever hijacked gets none either.
      permissionsPolicy: {
        camera: [],
        microphone: [],
        geolocation: [],
        payment: [],
        usb: [],
        serial: [],
        hid: [],
        bluetooth: [],
        displayCapture: [],
      },
    }),
  );
  app.use(noStore);
  app.use(async function urlLimit(c, next) {
    if (c.req.url.length > MAX_URL_CHARS) {
      return problem(c, 414, {
        title: 'Adresse zu lang',
        code: 'uri_too_long',
        detail: `Die Adresse darf höchstens ${MAX_URL_CHARS} Zeichen lang sein.`,
      });
    }
    await next();
  });
  // Request bodies here are small JSON documents; a huge one is refused before it is read into memory. The customer
  // import alone takes files, under its own larger limit, through the API (api/caseworker/customers.ts) and the
  // workbench's upload form (pages/app/).
  const smallBodies = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: (c) =>
      problem(c, 413, {
        title: 'Anfrage zu groß',
        code: 'too_large',
        detail: `Höchstens ${MAX_BODY_BYTES / 1024} KiB`,
      }),
  });
  app.use(async function bodyLimitExceptImport(c, next) {
    // GET and HEAD carry no body; asking for one (hono's bodyLimit reads c.req.raw.body) makes @hono/node-server
    // build a full Fetch Request with its AbortSignal for every read, about as much CPU as a small answer itself.
    if (c.req.method === 'GET' || c.req.method === 'HEAD') return next();
    if (
      c.req.method === 'POST' &&
      (c.req.path === `${API_BASE}${CUSTOMER_IMPORT_PATH}` || c.req.path === WORKBENCH_IMPORT_PATH)
    ) {
      return next();
    }
    return smallBodies(c, next);
  });
  app.onError(toProblem(ctx.log));
  // Only unknown addresses end here; an unknown vacancy or customer is answered by its route with what was missing.
  app.notFound((c) =>
    problem(c, 404, {
      title: 'Nicht gefunden',
      code: 'not_found',
      detail: `Die Adresse ${clip(c.req.method, 20)} ${clip(c.req.path, 200)} gibt es nicht.`,
    }),
  );

  app.get(
    '/health',
    describe({
      operationId: 'getHealth',
      summary: 'Health of the database, the queues and the search index',
      tags: ['Operations'],
      security: [],
      responses: {
        200: { description: 'Every part is up', body: HealthJson },
        503: { description: 'At least one part is down', body: HealthJson },
      },
    }),
    async (c) => {
      const report = await health();
      return c.json(report, report.status === 'up' ? 200 : 503);
    },
  );

  mountMetrics(app, ctx, metrics, deps.metrics ?? {});
  if (deps.queueBoard) mountQueueBoard(app, { ctx, queues: deps.queueBoard, throttle: new AuthThrottle() });
  mountExchangeFeed(app, { ...deps.exchange, ctx });
  mountApiV1(app, API_BASE, deps);
  mountPages(app, deps);
  mountOpenApi(app);
  mountDocs(app);
  return app;
}
