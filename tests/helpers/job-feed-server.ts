/**
 * A local RSS job board for pipeline tests: `count` obviously synthetic postings, optionally streamed slowly so a
 * test can disturb the pipeline while a crawl is in flight.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const OCCUPATIONS = [
  'Fachkraft für Lagerlogistik',
  'Koch',
  'Verkäufer',
  'Pflegefachkraft',
  'Elektroniker',
  'Berufskraftfahrer CE',
  'Reinigungskraft',
  'Bürokaufmann',
];
const PLACES = ['Stuttgart', 'Esslingen am Neckar', 'Ludwigsburg', 'Böblingen', 'Waiblingen', 'Göppingen'];

export interface JobFeedServer {
  origin: string;
  feedUrl: string;
  /** Resolves when a client starts reading the feed. */
  feedRequested: Promise<void>;
  /** Replace what the feed lists (for lifecycle tests). */
  setItems(ids: number[]): void;
  close(): Promise<void>;
}

function item(i: number, origin: string): string {
  const occupation = OCCUPATIONS[i % OCCUPATIONS.length];
  const place = PLACES[i % PLACES.length];
  return `<item><guid isPermaLink="false">feed-${i}</guid><title>${occupation} (m/w/d) Nr. ${i}</title><link>${origin}/stellen/${i}</link><description>Synthetische Teststelle ${i} in ${place}, Vollzeit.</description><pubDate>Tue, 10 Nov 2026 08:00:00 +0100</pubDate><job:company>Beispiel Testfirma ${i} GmbH</job:company><job:location>${place}</job:location></item>`;
}

export async function startJobFeedServer(options: { count: number; streamMs?: number }): Promise<JobFeedServer> {
  let items = Array.from({ length: options.count }, (_, i) => i);
  let notify: () => void = () => {};
  const feedRequested = new Promise<void>((resolve) => (notify = resolve));
  const server = createServer((req, res) => {
    if (req.url === '/robots.txt') {
      res.writeHead(404).end();
      return;
    }
    if (req.url !== '/feed.rss') {
      res.writeHead(404).end();
      return;
    }
    notify();
    res.writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8' });
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" xmlns:job="https://jobbruecke.example/ns/job"><channel><title>Testbörse</title>',
      ...items.map((i) => item(i, origin)),
      '</channel></rss>',
    ];
    const streamMs = options.streamMs ?? 0;
    if (streamMs === 0) {
      res.end(parts.join(''));
      return;
    }
    // Sent in ten slices over streamMs, so the crawl is measurably "in the middle".
    const slice = Math.ceil(parts.length / 10);
    let at = 0;
    const timer = setInterval(() => {
      res.write(parts.slice(at, at + slice).join(''));
      at += slice;
      if (at >= parts.length) {
        clearInterval(timer);
        res.end();
      }
    }, streamMs / 10);
    req.on('close', () => clearInterval(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    feedUrl: `${origin}/feed.rss`,
    feedRequested,
    setItems: (ids) => {
      items = ids;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
