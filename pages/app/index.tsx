import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';

/** The caseworkers' workbench (/app) and the branch lead's dashboard (/app/sla). */
export function mountWorkbenchPages(_app: Hono<AppEnv>, _deps: AppDeps): void {}
