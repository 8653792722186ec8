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
import { describe } from '../openapi.ts';
import { idParam, json, params } from '../validate.ts';
import { queryBranchId } from '../wire.ts';

const BranchParams = z.object({ id: queryBranchId });
const CatchmentBody = z.object({ plz: SetCatchmentInput.shape.plz }).strict();
const ContactBody = z.object({ caseworker_id: RowId.nullable() }).strict();
const EmployerServiceBody = z.object({ employer_service: z.boolean() }).strict();

const CatchmentsJson = z.strictObject({
  items: z.array(z.strictObject({ branch_id: z.number().int(), name: z.string(), plz: z.array(z.string()) })),
});
const CatchmentJson = z.strictObject({
  branch_id: z.number().int(),
  plz: z.array(z.string()),
  moved: z.array(z.strictObject({ plz: z.string(), from_branch_id: z.number().int() })),
});
const ContactJson = z.strictObject({ employer_id: z.string(), caseworker_id: z.string().nullable() });
const EmployerServiceJson = z.strictObject({ user_id: z.string(), employer_service: z.boolean() });

/** The admins' audience (api/v1.ts puts authentication for role admin in front). */
export function adminRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(
    '/admin/catchments',
    describe({
      operationId: 'listCatchments',
      summary: 'The postcodes each branch serves for employers',
      responses: { 200: { description: 'Every branch', body: CatchmentsJson } },
    }),
    async (c) => {
      const rows = await listCatchments(ctx);
      return c.json({ items: rows.map((b) => ({ branch_id: b.id, name: b.name, plz: b.plz })) });
    },
  );

  app.put(
    '/admin/branches/:id/catchment',
    describe({
      operationId: 'setCatchment',
      summary: "Set a branch's catchment area (postcodes move from other branches)",
      responses: { 200: { description: 'The new catchment and what moved', body: CatchmentJson } },
      problems: [404],
    }),
    params(BranchParams),
    json(CatchmentBody),
    async (c) => {
      const result = await setCatchment({
        ctx,
        actor: c.get('actor'),
        input: { branchId: c.req.valid('param').id, plz: c.req.valid('json').plz },
      });
      const answer: z.infer<typeof CatchmentJson> = {
        branch_id: result.branchId,
        plz: result.plz,
        moved: result.moved.map((m) => ({ plz: m.plz, from_branch_id: m.fromBranchId })),
      };
      return c.json(answer);
    },
  );

  app.put(
    '/admin/employers/:id/contact',
    describe({
      operationId: 'setEmployerContact',
      summary: "Name an employer's contact caseworker, or clear it",
      responses: { 200: { description: 'The contact', body: ContactJson } },
      problems: [409],
    }),
    idParam('Arbeitgeber'),
    json(ContactBody),
    async (c) => {
      const result = await setEmployerContact({
        ctx,
        actor: c.get('actor'),
        input: { employerId: c.req.valid('param').id, caseworkerId: c.req.valid('json').caseworker_id },
      });
      const answer: z.infer<typeof ContactJson> = {
        employer_id: result.employerId,
        caseworker_id: result.caseworkerId,
      };
      return c.json(answer);
    },
  );

  app.put(
    '/admin/users/:id/employer-service',
    describe({
      operationId: 'setEmployerService',
      summary: 'Put a caseworker into the employer service (AG-pAp) or take them out',
      responses: { 200: { description: 'The setting', body: EmployerServiceJson } },
      problems: [409],
    }),
    idParam('Benutzer'),
    json(EmployerServiceBody),
    async (c) => {
      const result = await setEmployerService({
        ctx,
        actor: c.get('actor'),
        input: { userId: c.req.valid('param').id, employerService: c.req.valid('json').employer_service },
      });
      const answer: z.infer<typeof EmployerServiceJson> = {
        user_id: result.userId,
        employer_service: result.employerService,
      };
      return c.json(answer);
    },
  );

  return app;
}
