/**
 * One Chromium per process, launched on first use: starting a browser costs a second or more and much memory, while
 * isolated contexts per crawl are cheap. The worker calls closeSharedBrowser on shutdown. Playwright itself is loaded
 * on first use too: loading it took about half a second of every service start, for the few sources that need a
 * browser.
 */
import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';

export interface BrowserProvider {
  getBrowser(): Promise<Browser>;
}

/** The distribution's Chromium; the product never downloads a browser. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let shared: Promise<Browser> | undefined;

export const sharedBrowser: BrowserProvider = {
  getBrowser() {
    if (!shared) {
      if (!existsSync(CHROMIUM_PATH)) {
        return Promise.reject(
          new Error(`Chromium not found at ${CHROMIUM_PATH}: install the Debian package "chromium"`),
        );
      }
      const launched = import('playwright-core').then(({ chromium }) =>
        chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS }),
      );
      shared = launched;
      launched.then(
        // A crashed browser is launched again on the next crawl instead of failing every crawl from then on.
        (browser) =>
          browser.on('disconnected', () => {
            if (shared === launched) shared = undefined;
          }),
        () => {
          if (shared === launched) shared = undefined;
        },
      );
    }
    return shared;
  },
};

export async function closeSharedBrowser(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current) await (await current.catch(() => undefined))?.close();
}
