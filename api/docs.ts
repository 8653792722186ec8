/**
 * The interactive API reference at /docs: Swagger UI (swagger-ui-dist) reading /openapi.json, every file served by
 * this service, nothing from a CDN. The app's policy allows no inline script, so the page's initialiser is a file of
 * its own (`/docs/init.js`); swagger-ui styles its elements through the DOM (allowed by `style-src 'self'`), so the
 * page needs no exception from the policy. No sign-in: the page and the document hold no data; "Try it out" sends
 * the token a reader enters under "Authorize" to this origin only.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Env, Hono } from 'hono';
import { OPENAPI_PATH } from './openapi.ts';

export const DOCS_PATH = '/docs';

const DIST = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));

/** Loaded on first use (the bundle is 1.5 MB), then kept: the files never change while the process runs. */
const ASSETS = new Map([
  ['swagger-ui.css', 'text/css; charset=utf-8'],
  ['swagger-ui-bundle.js', 'text/javascript; charset=utf-8'],
  ['favicon-32x32.png', 'image/png'],
]);

const INIT_SCRIPT = `'use strict';
window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_PATH}',
    dom_id: '#swagger-ui',
    deepLinking: true,
    // No badge from validator.swagger.io: the page talks to this origin only.
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const PAGE = `<!DOCTYPE html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Jobbrücke API</title>
    <link rel="stylesheet" href="${DOCS_PATH}/swagger-ui.css">
    <link rel="icon" type="image/png" href="${DOCS_PATH}/favicon-32x32.png">
  </head>
  <body>
    <div id="swagger-ui"></div>
    <script src="${DOCS_PATH}/swagger-ui-bundle.js"></script>
    <script src="${DOCS_PATH}/init.js"></script>
  </body>
</html>
`;

/** The assets are public and versioned with the package: a browser may keep them for a day. */
const ASSET_CACHE = 'public, max-age=86400';

export function mountDocs<E extends Env>(app: Hono<E>): void {
  const loaded = new Map<string, Promise<Buffer>>();
  app.get(DOCS_PATH, (c) => c.html(PAGE));
  app.get(`${DOCS_PATH}/init.js`, (c) =>
    c.body(INIT_SCRIPT, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': ASSET_CACHE }),
  );
  app.get(`${DOCS_PATH}/:asset`, async (c, next) => {
    const file = c.req.param('asset');
    const type = ASSETS.get(file);
    if (!type) return next();
    let bytes = loaded.get(file);
    if (!bytes) {
      bytes = readFile(join(DIST, file));
      loaded.set(file, bytes);
    }
    return c.body(new Uint8Array(await bytes), 200, { 'content-type': type, 'cache-control': ASSET_CACHE });
  });
}
