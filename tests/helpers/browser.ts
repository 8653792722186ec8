/**
 * Browser journeys (tests/browser): Debian's Chromium driven by playwright-core against a real `jobbruecke start`
 * with the demo data, axe-core on every page, and screenshots at desktop and phone size as test artefacts.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import { type Browser, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../crawlers/browser-provider.ts';
import { type ServiceProcess, startService } from './service-process.ts';

/** Where the journeys' screenshots go (named in the README); kept out of git. */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-results/screenshots');

export const DESKTOP = { width: 1280, height: 1024 } as const;
export const PHONE = { width: 390, height: 844 } as const;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
}

export interface DemoService {
  service: ServiceProcess;
  baseUrl: string;
  stop(): Promise<void>;
}

/** `jobbruecke start` on an empty data directory: it seeds the demo city, as a new user's first start does. */
export async function startDemoService(env: Record<string, string> = {}): Promise<DemoService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'jobbruecke-pages-'));
  const service = await startService({ DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env });
  try {
    await service.waitForHealthy(180_000);
  } catch (err) {
    await service.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    service,
    baseUrl: service.baseUrl,
    async stop() {
      await service.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** axe-core at WCAG 2.1 A and AA on the page as it is now; fails the test with every violation listed. */
export async function expectAccessible(page: Page): Promise<void> {
  const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  expect(found, `axe on ${page.url()}`).toEqual([]);
}

/** Saves the page at desktop and phone size as `<journey>/<step>-desktop.png` and `…-phone.png`. */
export async function screenshots(page: Page, journey: string, step: string): Promise<void> {
  const dir = join(SCREENSHOT_DIR, journey);
  mkdirSync(dir, { recursive: true });
  const original = page.viewportSize();
  for (const [name, size] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(size);
    await page.screenshot({ path: join(dir, `${step}-${name}.png`), fullPage: true });
  }
  if (original) await page.setViewportSize(original);
}
