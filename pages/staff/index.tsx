import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';

/** Sign-in, sign-out, invitation links, and the employer portal (/arbeitgeber). */
export function mountStaffPages(_app: Hono<AppEnv>, _deps: AppDeps): void {}
