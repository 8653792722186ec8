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
import type { Ctx } from '../src/context.ts';
import type { HealthReport } from '../src/health.ts';
import { clip, problem, toProblem } from './errors.ts';
import type { AuthVariables } from './middleware/auth.ts';
import { type ApiRoutesDeps, mountApiV1 } from './v1.ts';

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
}

/** The actor is there once a signed-in audience's guard has let the request through. */
export type AppEnv = { Variables: RequestIdVariables & Partial<AuthVariables> };

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { ctx, health } = deps;
  const app = new Hono<AppEnv>();
  app.use(requestId());
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
  // Request bodies here are small JSON documents; a huge one is refused before it is read into memory.
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) =>
        problem(c, 413, {
          title: 'Anfrage zu groß',
          code: 'too_large',
          detail: `Höchstens ${MAX_BODY_BYTES / 1024} KiB`,
        }),
    }),
  );
  app.onError(toProblem(ctx.log));
  // Only unknown addresses end here; an unknown vacancy or customer is answered by its route with what was missing.
  app.notFound((c) =>
    problem(c, 404, {
      title: 'Nicht gefunden',
      code: 'not_found',
      detail: `Die Adresse ${clip(c.req.method, 20)} ${clip(c.req.path, 200)} gibt es nicht.`,
    }),
  );

  app.get('/health', async (c) => {
    const report = await health();
    return c.json(report, report.status === 'up' ? 200 : 503);
  });

  mountApiV1(app, '/api/v1', deps);
  return app;
}
