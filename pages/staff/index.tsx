import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';

/** Sign-in, the caseworkers' workbench (/app), the branch lead's dashboard (/app/sla) and the employer portal. */
export function mountStaffPages(_app: Hono<AppEnv>, _deps: AppDeps): void {}
