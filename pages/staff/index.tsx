import type { Hono } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';
import { transport } from '../transport.ts';
import { mountEmployerPages } from './employer/routes.tsx';
import { mountSignInPages } from './sign-in.tsx';

/** Sign-in, sign-out, invitation links, and the employer portal (/arbeitgeber). */
export function mountStaffPages(app: Hono<AppEnv>, deps: AppDeps): void {
  // Before the routes of this and every later page audience: the session cookie's name depends on it.
  app.use(transport(deps.network));
  mountSignInPages(app, deps);
  mountEmployerPages(app, deps);
}
