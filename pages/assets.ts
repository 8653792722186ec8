/**
 * `/assets/*`: the pages' stylesheets, scripts and images from `pages/assets/`, served by the service itself (no
 * CDN, no external fonts). Files are read once, on their first request, and kept in memory with a content hash.
 *
 * Caching: an address with the file's current hash (`assetUrl('kiosk.css')` → `/assets/kiosk.css?v=1a2b…`) is
 * immutable and cached for a year; a change to the file changes its address. Any other address of an asset is
 * cached for a day and revalidated by ETag, so a page that links `/assets/x.css` without the hash still gets
 * updates after a day at the latest.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env, Hono } from 'hono';

export const ASSETS_PATH = '/assets';
const ASSET_DIR = join(import.meta.dirname, 'assets');

/** Only flat names with a known type: no paths, no dot files, nothing the folder does not hold for the web. */
const ASSET_NAME = /^[a-z0-9][a-z0-9._-]*\.(css|js|svg|png|ico|woff2|txt)$/;

const CONTENT_TYPE: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  ico: 'image/x-icon',
  woff2: 'font/woff2',
  txt: 'text/plain; charset=utf-8',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'public, max-age=86400, must-revalidate';

interface Asset {
  body: Uint8Array<ArrayBuffer>;
  type: string;
  /** First 16 hex digits of the SHA-256 of the content: the version in URLs and the ETag. */
  hash: string;
}

const loaded = new Map<string, Asset | null>();

function load(name: string): Asset | undefined {
  if (!ASSET_NAME.test(name)) return undefined;
  const cached = loaded.get(name);
  if (cached !== undefined) return cached ?? undefined;
  let asset: Asset | null = null;
  try {
    const body = new Uint8Array(readFileSync(join(ASSET_DIR, name)));
    const type = CONTENT_TYPE[name.slice(name.lastIndexOf('.') + 1)] as string;
    asset = { body, type, hash: createHash('sha256').update(body).digest('hex').slice(0, 16) };
  } catch {
    // A missing file stays missing until restart, like a present one stays as read.
  }
  loaded.set(name, asset);
  return asset ?? undefined;
}

/**
 * The versioned address of an asset, for pages to link. Throws for a file that is not there, so a page linking a
 * missing asset fails its first render instead of shipping a broken link.
 *
 * @example assetUrl('kiosk.css') // '/assets/kiosk.css?v=3f1c9a0b5d2e7f64'
 */
export function assetUrl(name: string): string {
  const asset = load(name);
  if (!asset) throw new Error(`asset ${name} is not in pages/assets`);
  return `${ASSETS_PATH}/${name}?v=${asset.hash}`;
}

/** The asset's size in bytes, for the page-weight budget. */
export function assetSize(name: string): number | undefined {
  return load(name)?.body.byteLength;
}

export function mountAssets<E extends Env>(app: Hono<E>): void {
  app.get(`${ASSETS_PATH}/:name`, (c) => {
    const asset = load(c.req.param('name'));
    if (!asset) return c.notFound();
    const etag = `"${asset.hash}"`;
    const headers = {
      'Content-Type': asset.type,
      'Cache-Control': c.req.query('v') === asset.hash ? IMMUTABLE : REVALIDATE,
      ETag: etag,
    };
    if (c.req.header('If-None-Match') === etag) return c.body(null, 304, headers);
    return c.body(asset.body, 200, headers);
  });
}
