/**
 * The caseworkers' workbench (/app) and the branch lead's dashboard (/app/sla): server-rendered pages behind the
 * signed-in session (pages/session.ts), calling the same verbs as the caseworkers' JSON API. Each route carries its
 * guard, as the API's audiences do (api/audience.ts), so no middleware leaks onto other paths below the mount.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppDeps, AppEnv } from '../../api/app.ts';
import { STAFF_ROLES } from '../../api/v1.ts';
import type { Role } from '../../src/domain/enums.ts';
import { NotFound } from '../../src/errors.ts';
import { requireSession } from '../session.ts';
import { customerListPage, customerPage, customerSaveAction } from './customers.tsx';
import { errorPage } from './errors.tsx';
import { importAction, importBodyLimit, importFormPage } from './import.tsx';
import { inboxPage } from './inbox.tsx';
import { WORKBENCH_IMPORT_PATH } from './paths.ts';
import { slaDashboardPage } from './sla.tsx';
import { taskDoneAction, tasksPage } from './tasks.tsx';
import type { WorkbenchEnv } from './ui.tsx';
import { codingAction, proposeAction, responseAction, vacancyPage } from './vacancy.tsx';

/** Who reads the dashboard: the branch's lead, and admins. */
export const DASHBOARD_ROLES: readonly Role[] = ['branch_lead', 'admin'];

/** Builds the workbench's routes; `guard(roles)` is the session check in front of each. */
export function workbenchRoutes(
  deps: AppDeps,
  guard: (roles: readonly Role[]) => MiddlewareHandler,
): Hono<WorkbenchEnv> {
  const staff = guard(STAFF_ROLES);
  const leads = guard(DASHBOARD_ROLES);
  const pages = new Hono<WorkbenchEnv>();
  const vacancy = { ctx: deps.ctx, matchService: deps.matchService, pairCheck: deps.pairCheck };
  pages.get('/app', staff, inboxPage(deps));
  pages.get('/app/stellen/:id', staff, vacancyPage(vacancy));
  pages.post('/app/stellen/:id/verschluesselung', staff, codingAction(vacancy));
  pages.post('/app/stellen/:id/vorschlaege', staff, proposeAction(vacancy));
  pages.post('/app/stellen/:id/rueckmeldung', staff, responseAction(vacancy));
  pages.get('/app/kunden', staff, customerListPage(deps));
  pages.get('/app/kunden/:id', staff, customerPage(deps));
  pages.post('/app/kunden/:id', staff, customerSaveAction(deps));
  pages.get(WORKBENCH_IMPORT_PATH, staff, importFormPage());
  // The limit comes first: the guard reads the form for its CSRF token.
  pages.post(WORKBENCH_IMPORT_PATH, importBodyLimit(), staff, importAction(deps));
  pages.get('/app/aufgaben', staff, tasksPage(deps));
  pages.post('/app/aufgaben/:id/erledigt', staff, taskDoneAction(deps));
  pages.get('/app/sla', leads, slaDashboardPage(deps));
  // Anything else below /app is answered as a page too, after the session check (no hint what exists).
  pages.all('/app/*', staff, (c) => errorPage(c, new NotFound('Seite', c.req.path)));
  return pages;
}

/** The caseworkers' workbench (/app) and the branch lead's dashboard (/app/sla). */
export function mountWorkbenchPages(app: Hono<AppEnv>, deps: AppDeps): void {
  app.route(
    '/',
    workbenchRoutes(deps, (roles) => requireSession(deps.ctx, roles) as unknown as MiddlewareHandler),
  );
}
