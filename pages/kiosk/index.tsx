import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';

/** The kiosk at /kiosk: search, detail, print view, in five interface languages. */
export function mountKioskPages(_app: Hono<AppEnv>, _deps: AppDeps): void {}
