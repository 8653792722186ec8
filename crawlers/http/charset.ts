/**
 * Body decoding. German employers still serve ISO-8859-1 / windows-1252 pages, and the declared charset may sit in
 * the header, an XML prolog or an HTML meta tag; getting it wrong turns every umlaut into mojibake.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

/** WHATWG Encoding: browsers treat these labels as windows-1252, which is what such servers actually send. */
const WINDOWS_1252_ALIASES = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'cp1252']);

function normaliseCharset(label: string | undefined): string | undefined {
  const charset = label
    ?.trim()
    .replace(/^["']|["']$/g, '')
    .toLowerCase();
  if (!charset) return undefined;
  if (WINDOWS_1252_ALIASES.has(charset)) return 'windows-1252';
  return iconv.encodingExists(charset) ? charset : undefined;
}

function charsetFromBom(body: Buffer): string | undefined {
  if (body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf) return 'utf-8';
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  return undefined;
}

function charsetFromContentType(contentType: string | undefined): string | undefined {
  return normaliseCharset(/charset\s*=\s*([^;\s]+)/i.exec(contentType ?? '')?.[1]);
}

/** Looks only at the document head, as browsers do, so a large body is not scanned. */
function charsetFromMarkup(body: Buffer): string | undefined {
  const head = body.subarray(0, 2048).toString('latin1');
  const prolog = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']+)["']/i.exec(head)?.[1];
  if (prolog) return normaliseCharset(prolog);
  const meta =
    /<meta[^>]+charset\s*=\s*["']?([\w.:-]+)/i.exec(head)?.[1] ??
    /<meta[^>]+content\s*=\s*["'][^"']*charset=([\w.:-]+)/i.exec(head)?.[1];
  const declared = normaliseCharset(meta);
  // A declaration readable as ASCII cannot be UTF-16; the HTML standard reads such a page as UTF-8.
  return declared?.startsWith('utf-16') || declared?.startsWith('utf16') ? 'utf-8' : declared;
}

/**
 * A body declared (or assumed) UTF-8 that holds invalid sequences and not a single valid non-ASCII character is
 * windows-1252 behind a wrong declaration, as misconfigured servers send it: read that way, its umlauts survive
 * instead of becoming replacement characters. A UTF-8 page with one stray bad byte stays UTF-8.
 */
function isMislabelledWindows1252(body: Buffer): boolean {
  if (isUtf8(body)) return false;
  const text = body.toString('utf8');
  for (const char of text) if (char > '\u007f' && char !== '\ufffd') return false;
  return true;
}

/** BOM first, then the HTTP header, then the document's own declaration, else UTF-8. */
export function decodeBody(body: Buffer, contentType?: string): string {
  const bom = charsetFromBom(body);
  const charset = bom ?? charsetFromContentType(contentType) ?? charsetFromMarkup(body) ?? 'utf-8';
  if (!bom && charset === 'utf-8' && isMislabelledWindows1252(body)) return iconv.decode(body, 'windows-1252');
  return iconv.decode(body, charset);
}
