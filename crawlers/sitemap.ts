/** sitemaps.org sitemaps and sitemap indexes, read to find career pages; capped so a huge index cannot run away. */
import { gunzipSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { asArray, clean } from './common.ts';
import { decodeBody } from './http/charset.ts';
import { CrawlError } from './http/errors.ts';
import type { Fetcher, Validators } from './http/fetcher.ts';

const parser = new XMLParser({ ignoreAttributes: true, removeNSPrefix: true, processEntities: true });

export interface ParsedSitemap {
  pages: string[];
  sitemaps: string[];
}

/** Pure parse of a urlset or sitemapindex document. */
export function parseSitemap(xml: string, url?: string): ParsedSitemap {
  if (XMLValidator.validate(xml) !== true) throw new CrawlError('parse', 'sitemap is not well-formed XML', url);
  const doc = parser.parse(xml) as { urlset?: { url?: unknown }; sitemapindex?: { sitemap?: unknown } };
  const locs = (entries: unknown) =>
    asArray(entries as Array<{ loc?: unknown }>)
      .map((entry) => clean(entry?.loc))
      .filter((loc): loc is string => loc !== undefined);
  if (!doc.urlset && !doc.sitemapindex) throw new CrawlError('parse', 'neither urlset nor sitemapindex', url);
  return { pages: locs(doc.urlset?.url), sitemaps: locs(doc.sitemapindex?.sitemap) };
}

export interface SitemapWalk {
  pages: string[];
  /** The cap cut the list, or a child sitemap failed: the listing is not whole. */
  truncated: boolean;
  notModified: boolean;
  validators?: Validators;
}

const MAX_SITEMAPS = 50;

/**
 * Reads the root sitemap with a conditional GET (a 304 means the listing is unchanged) and child sitemaps of an
 * index breadth-first, until `maxUrls` pages are known. Child failures are thrown to the caller's error list.
 */
export async function walkSitemap(
  fetcher: Fetcher,
  rootUrl: string,
  options: {
    maxUrls: number;
    include?: RegExp;
    validators?: Validators;
    onError: (error: unknown, url: string) => void;
  },
): Promise<SitemapWalk> {
  const root = await fetcher.fetch(rootUrl, { validators: options.validators, headers: { accept: 'application/xml' } });
  if (root.notModified) return { pages: [], truncated: false, notModified: true, validators: root.validators };
  const pages = new Set<string>();
  const queue: Array<{ url: string; body?: Buffer; contentType?: string }> = [
    { url: rootUrl, body: root.body, contentType: root.headers['content-type'] },
  ];
  let truncated = false;
  let visited = 0;
  while (queue.length > 0) {
    const next = queue.shift()!;
    if (++visited > MAX_SITEMAPS) {
      truncated = true;
      break;
    }
    try {
      const body = next.body ?? (await fetcher.fetch(next.url)).body;
      const parsed = parseSitemap(
        decodeBody(maybeGunzip(body, fetcher.options.maxBodyBytes, next.url), next.contentType),
        next.url,
      );
      for (const sitemap of parsed.sitemaps) queue.push({ url: new URL(sitemap, next.url).href });
      for (const page of parsed.pages) {
        if (options.include && !options.include.test(page)) continue;
        if (pages.size >= options.maxUrls) {
          truncated = true;
          break;
        }
        pages.add(new URL(page, next.url).href);
      }
    } catch (error) {
      truncated = true;
      options.onError(error, next.url);
    }
  }
  return { pages: [...pages], truncated, notModified: false, validators: root.validators };
}

/** sitemap.xml.gz is common; decompression is capped like any body so a gzip bomb is refused. */
function maybeGunzip(body: Buffer, maxBytes: number, url: string): Buffer {
  if (body[0] !== 0x1f || body[1] !== 0x8b) return body;
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    const kind = (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'too_large' : 'parse';
    throw new CrawlError(kind, `gzipped sitemap: ${(error as Error).message}`, url);
  }
}
