/**
 * Inviting employer users: admins and the employer-service caseworkers (AG-pAp) of the branch responsible for the
 * employer's postcode. The answer carries, once, the new user's API token and the path of their invitation link (to set
 * a password for the pages); both are stored as hashes only.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { InviteEmployerUserInput, inviteEmployerUser } from '../../src/employers/invite.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { json } from '../validate.ts';

const Fields = InviteEmployerUserInput.shape;

/** A known employer by id, or a new one by name and postcode. */
const InviteBody = z
  .object({
    email: Fields.email,
    display_name: Fields.displayName,
    employer_id: Fields.employerId,
    employer: Fields.employer.unwrap().strict().optional(),
  })
  .strict();

const InvitedJson = z.strictObject({
  user_id: z.string(),
  employer_id: z.string(),
  branch_id: z.number().int().nullable(),
  token: z.string().describe('The one-time API token of the new user; shown in this answer only'),
  invitation_path: z
    .string()
    .describe("The invitation page's path, after the service's public address: set a password, then sign in"),
  invitation_expires_at: z.iso.datetime(),
});

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front; the verb checks who may invite). */
export function employerUserRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.post(
    '/employer-users',
    describe({
      operationId: 'inviteEmployerUser',
      summary: 'Invite an employer user (admins and the employer service of the responsible branch)',
      responses: {
        201: { description: 'The new user, their token and their invitation link', body: InvitedJson },
      },
      // Not the employer service of that branch; an unknown employer; an e-mail address in use.
      problems: [403, 404, 409],
    }),
    json(InviteBody),
    async (c) => {
      const body = c.req.valid('json');
      const result = await inviteEmployerUser({
        ctx,
        actor: c.get('actor'),
        input: {
          email: body.email,
          displayName: body.display_name,
          employerId: body.employer_id,
          employer: body.employer,
        },
      });
      const answer: z.infer<typeof InvitedJson> = {
        user_id: result.userId,
        employer_id: result.employerId,
        branch_id: result.branchId,
        // Shown once: only its hash is stored.
        token: result.token,
        // Shown once too: the link's token is stored as a hash.
        invitation_path: result.invitation.path,
        invitation_expires_at: result.invitation.expiresAt.toISOString(),
      };
      return c.json(answer, 201);
    },
  );

  return app;
}
