/** Plain text from what sources send: HTML stripped, entities decoded, whitespace collapsed, length capped. */
import sanitizeHtml from 'sanitize-html';

export const MAX_DESCRIPTION = 100_000;
/** Cue detection reads only the start of a description: ads state conditions early, and scanning stays cheap. */
export const CUE_SCAN_CHARS = 20_000;

/** Block-level tags become spaces so words of adjacent paragraphs do not merge ("<li>SAP</li><li>Excel</li>"). */
const BLOCK_TAG = /<\/?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer)\b[^>]*>/gi;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', '#39': "'" };

function decodeEntities(text: string): string {
  return text.replace(/&(#\d+|#x[\da-f]+|[a-z]+\d*);/gi, (whole, name: string) => {
    const lower = name.toLowerCase();
    if (Object.hasOwn(ENTITIES, lower)) return ENTITIES[lower] as string;
    if (name[0] !== '#') return whole;
    const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : ' ';
  });
}

/** Text without markup; input without "<" skips the HTML parser, which is the common, fast case. */
export function plainText(input: string, maxLength = MAX_DESCRIPTION): string {
  let text = input;
  if (text.includes('<')) {
    text = sanitizeHtml(text.replace(BLOCK_TAG, ' '), { allowedTags: [], allowedAttributes: {} });
  }
  if (text.includes('&')) text = decodeEntities(text);
  // Collapsing before the cap keeps the cap about content; the slice cannot split a surrogate pair's meaning much.
  return text.replace(/\s+/g, ' ').trim().slice(0, maxLength);
}

/** Title + the start of the description, lower-cased, for cue matching. */
export function cueText(title: string, description: string): string {
  return `${title}\n${description.slice(0, CUE_SCAN_CHARS)}`.toLowerCase();
}
