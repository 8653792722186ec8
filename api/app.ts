/**
 * The Hono application. `createApp` builds it without listening, so tests call `app.request(...)` in-process.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { type RequestIdVariables, requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { Ctx } from '../src/context.ts';
import type { HealthReport } from '../src/health.ts';
import { problem, toProblem } from './errors.ts';
import { type ApiRoutesDeps, mountApiV1 } from './v1.ts';

/** Larger than any vacancy or profile a client sends, far smaller than what could hurt the process. */
const MAX_BODY_BYTES = 256 * 1024;

/** Answers never echo more of the caller's input than a reader needs to recognise it. */
const clip = (text: string, max = 200) => (text.length > max ? `${text.slice(0, max)}…` : text);

export interface AppDeps extends ApiRoutesDeps {
  ctx: Ctx;
  health: () => Promise<HealthReport>;
}

export type AppEnv = { Variables: RequestIdVariables };

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const { ctx, health } = deps;
  const app = new Hono<AppEnv>();
  app.use(requestId());
  app.use(async function accessLog(c, next) {
    const started = performance.now();
    await next();
    // One line per request; paths carry ids only, never personal data.
    ctx.log.info(
      {
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(performance.now() - started),
      },
      'request',
    );
  });
  app.use(secureHeaders());
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
      detail: `Die Adresse ${c.req.method} ${clip(c.req.path)} gibt es nicht.`,
    }),
  );

  app.get('/health', async (c) => {
    const report = await health();
    return c.json(report, report.status === 'up' ? 200 : 503);
  });

  mountApiV1(app, '/api/v1', deps);
  return app;
}
