/**
 * Administration of the employer service: the branches' catchment areas (which postcodes each branch serves for
 * employers), an employer's named contact caseworker, and which caseworkers belong to the employer service (AG-pAp).
 * Every change is audited by its verb.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { RowId } from '../../src/domain/ids.ts';
import { setEmployerContact, setEmployerService } from '../../src/employers/assign-caseworker.ts';
import { listCatchments, SetCatchmentInput, setCatchment } from '../../src/employers/catchment.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { idParam, json, params, queryInteger } from '../validate.ts';

const BranchParams = z.object({ id: queryInteger.pipe(z.number().min(1)) });
const CatchmentBody = z.object({ plz: SetCatchmentInput.shape.plz }).strict();
const ContactBody = z.object({ caseworker_id: RowId.nullable() }).strict();
const EmployerServiceBody = z.object({ employer_service: z.boolean() }).strict();

/** The admins' audience (api/v1.ts puts authentication for role admin in front). */
export function adminRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get('/admin/catchments', async (c) => {
    const rows = await listCatchments(ctx);
    return c.json({ items: rows.map((b) => ({ branch_id: b.id, name: b.name, plz: b.plz })) });
  });

  app.put('/admin/branches/:id/catchment', params(BranchParams), json(CatchmentBody), async (c) => {
    const result = await setCatchment({
      ctx,
      actor: c.get('actor'),
      input: { branchId: c.req.valid('param').id, plz: c.req.valid('json').plz },
    });
    return c.json({
      branch_id: result.branchId,
      plz: result.plz,
      moved: result.moved.map((m) => ({ plz: m.plz, from_branch_id: m.fromBranchId })),
    });
  });

  app.put('/admin/employers/:id/contact', idParam('Arbeitgeber'), json(ContactBody), async (c) => {
    const result = await setEmployerContact({
      ctx,
      actor: c.get('actor'),
      input: { employerId: c.req.valid('param').id, caseworkerId: c.req.valid('json').caseworker_id },
    });
    return c.json({ employer_id: result.employerId, caseworker_id: result.caseworkerId });
  });

  app.put('/admin/users/:id/employer-service', idParam('Benutzer'), json(EmployerServiceBody), async (c) => {
    const result = await setEmployerService({
      ctx,
      actor: c.get('actor'),
      input: { userId: c.req.valid('param').id, employerService: c.req.valid('json').employer_service },
    });
    return c.json({ user_id: result.userId, employer_service: result.employerService });
  });

  return app;
}
