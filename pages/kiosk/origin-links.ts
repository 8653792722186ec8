/**
 * Where a vacancy was published, for the "how to apply" section and its QR code. Only http(s) addresses are
 * shown: anything else a source might carry (javascript:, data:) is no address for a job seeker.
 */
import QRCode from 'qrcode';

/** Longer addresses are shown shortened (the QR code holds the whole address). */
const SHOWN_CHARS = 120;

export interface OriginLink {
  url: string;
  shown: string;
}

export function originLinks(links: readonly string[]): OriginLink[] {
  const out: OriginLink[] = [];
  for (const link of links) {
    let url: URL;
    try {
      url = new URL(link);
    } catch {
      continue;
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') continue;
    const text = url.href;
    out.push({ url: text, shown: text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS - 1)}…` : text });
  }
  return out;
}

/**
 * The QR code of an address as an SVG data URI (the CSP allows data: images, and an <img> needs no markup of ours
 * inside the page). Undefined when the address is too long for a QR code.
 */
export async function qrDataUri(url: string): Promise<string | undefined> {
  try {
    const svg = await QRCode.toString(url, { type: 'svg', margin: 2, errorCorrectionLevel: 'M' });
    return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  } catch {
    return undefined;
  }
}
