/**
 * The pages people use in a browser (issue 13): the kiosk for job seekers (no login), sign-in and the employer
 * portal, and the caseworkers' workbench with the branch lead's dashboard. Served by the API process from the same
 * verbs as the JSON API.
 */
import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../api/app.ts';
import { mountWorkbenchPages } from './app/index.tsx';
import { mountAssets } from './assets.ts';
import { mountKioskPages } from './kiosk/index.tsx';
import { mountStaffPages } from './staff/index.tsx';

export function mountPages(app: Hono<AppEnv>, deps: AppDeps): void {
  // CSS, scripts and images of every audience's pages, served by the service itself (no external assets).
  mountAssets(app);
  mountKioskPages(app, deps);
  mountStaffPages(app, deps);
  mountWorkbenchPages(app, deps);
}
