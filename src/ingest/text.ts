/**
 * Plain text from what sources send: markup removed, entities decoded, control characters dropped, whitespace
 * collapsed, length capped. Crawled text is written by strangers and served to kiosks and caseworkers, so the result
 * must never carry markup, in any encoding, nor characters the database refuses.
 */
import sanitizeHtml from 'sanitize-html';

export const MAX_DESCRIPTION = 100_000;
/** Cue detection reads only the start of a description: ads state conditions early, and scanning stays cheap. */
export const CUE_SCAN_CHARS = 20_000;

/**
 * Decoding rounds: one per level of entity encoding. Feeds that encode their HTML twice are common, three times
 * rare; more levels than this are hostile, and what is left of them is neutralised below.
 */
const MAX_ROUNDS = 5;

/** Block-level tags become spaces so words of adjacent paragraphs do not merge ("<li>SAP</li><li>Excel</li>"). */
const BLOCK_TAG = /<\/?(?:br|p|div|li|ul|ol|h[1-6]|tr|td|th|table|section|article|header|footer)\b[^>]*>/gi;

/** C0 controls and DEL, except tab, line feed and carriage return (whitespace, collapsed later). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;
/** A UTF-16 surrogate without its partner: no character at all, and PostgreSQL refuses it in jsonb. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
/** Where the HTML tokenizer would open a tag, comment or processing instruction ("<<" runs included). */
const TAG_OPEN = /<+(?=[a-z!/?])/gi;
/** A character reference as HTML parsers read one, also without the closing ";" (legacy named references). */
const ENTITY_REF = /&(?:#x?[\da-f]+|[a-z][a-z\d]*);?/gi;

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [],
  allowedAttributes: {},
  // Their content is code or a second document, never text of the ad.
  nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'embed'],
};

/** sanitize-html returns text HTML-escaped (only these three); undone exactly once, in one pass. */
const ESCAPED: Record<string, string> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/**
 * One round: the HTML parser reads the text (every entity of the HTML standard decoded once, every tag and comment
 * removed, script and style content dropped). Text with neither "<" nor "&" has nothing the parser would change.
 */
function parseRound(text: string): string {
  if (!text.includes('<') && !text.includes('&')) return text;
  return sanitizeHtml(text.replace(BLOCK_TAG, ' '), SANITIZE).replace(/&(?:amp|lt|gt);/g, (e) => ESCAPED[e] as string);
}

/** Without control characters and broken surrogates: text PostgreSQL can store in text and jsonb columns. */
function withoutUnstorable(text: string): string {
  return text.replace(CONTROL, '').replace(LONE_SURROGATE, '\ufffd');
}

/**
 * Text without markup. Entities are decoded and markup removed round by round until nothing changes, so markup that
 * arrives entity-encoded (once or several times) is decoded into markup and then removed, never decoded after the
 * last removal. Hostile leftovers (more encoding levels than rounds, references the parser keeps inside a broken
 * construct) are neutralised: a tag opening loses its "<", and character references go, so that no later decoding
 * can turn them into markup either.
 */
export function plainText(input: string, maxLength = MAX_DESCRIPTION): string {
  let text = withoutUnstorable(input);
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const next = parseRound(text);
    if (next === text) break;
    text = next;
  }
  text = withoutUnstorable(text).replace(TAG_OPEN, '');
  if (parseRound(text) !== text) text = text.replace(ENTITY_REF, '').replace(TAG_OPEN, '');
  text = text.replace(/\ufffd+/g, ' ');
  // Collapsing before the cap keeps the cap about content.
  const collapsed = text.replace(/\s+/g, ' ').trim();
  return collapsed.length > maxLength ? collapsed.slice(0, maxLength).replace(LONE_SURROGATE, '').trimEnd() : collapsed;
}

/** Title + the start of the description, lower-cased, for cue matching. */
export function cueText(title: string, description: string): string {
  return `${title}\n${description.slice(0, CUE_SCAN_CHARS)}`.toLowerCase();
}

/**
 * What in a value (a string, or anything JSON-like, keys included) PostgreSQL cannot store, if anything: a NUL
 * character anywhere (text and jsonb refuse it) or a broken surrogate (jsonb refuses it).
 */
export function unstorableText(value: unknown): 'a NUL character' | 'broken Unicode' | undefined {
  if (typeof value === 'string') {
    if (value.includes('\u0000')) return 'a NUL character';
    return new RegExp(LONE_SURROGATE.source).test(value) ? 'broken Unicode' : undefined;
  }
  const parts = Array.isArray(value)
    ? value
    : value !== null && typeof value === 'object'
      ? Object.entries(value).flat()
      : [];
  for (const part of parts) {
    const found = unstorableText(part);
    if (found) return found;
  }
  return undefined;
}

export const hasUnstorableText = (value: unknown): boolean => unstorableText(value) !== undefined;

/** Whether text has what no person types: control characters (tab, line feed, CR aside), DEL, broken surrogates. */
export function hasControlCharacters(text: string): boolean {
  return new RegExp(CONTROL.source).test(text) || new RegExp(LONE_SURROGATE.source).test(text);
}

/**
 * Caller-supplied text made safe to store and to show in a log or audit row: control characters removed, broken
 * surrogates replaced, at most `maxLength` characters (then "…").
 */
export function storableText(value: string, maxLength: number): string {
  const text = withoutUnstorable(value);
  return text.length > maxLength ? `${text.slice(0, maxLength).replace(LONE_SURROGATE, '')}…` : text;
}
