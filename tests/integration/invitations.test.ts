/**
 * Invitation links (issue 13, point 5): expiry, single use, password rules, and that redeeming signs the person in;
 * plus the employer portal's form path in-process (validation kept at the field, one order per form token).
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userInvitations, vacancies } from '../../src/db/schema.ts';
import { inviteEmployerUser } from '../../src/employers/invite.ts';
import { createInvitation, InvitationInvalid, redeemInvitation } from '../../src/users/invitations.ts';
import { signIn, verifySession } from '../../src/users/sessions.ts';
import { hashToken } from '../../src/users/tokens.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type EmployerWorld, employerWorld } from '../helpers/employer-world.ts';

const START = new Date('2026-11-20T09:00:00Z');
const at = (hours: number) => new Date(START.getTime() + hours * 3_600_000);

describe.each(testDatabases())('invitations on $name', (factory) => {
  let w: EmployerWorld;
  beforeAll(async () => {
    w = await employerWorld(await openMigrated(factory), START);
  }, 60_000);
  afterAll(() => w?.close());

  it('an employer invitation yields a link that sets the password once and signs the person in', async () => {
    w.ctx.setNow(START);
    const invited = await inviteEmployerUser({
      ctx: w.ctx,
      actor: { userId: w.userIds.admin, role: 'admin', branchId: null, employerId: null },
      input: { email: 'neu@invitations.test.invalid', employerId: w.employerIds.A },
    });
    expect(invited.invitation.path).toBe(`/einladung/${invited.invitation.token}`);
    expect(invited.invitation.expiresAt).toEqual(at(72));
    const [row] = await w.database.db
      .select()
      .from(userInvitations)
      .where(eq(userInvitations.tokenHash, hashToken(invited.invitation.token)));
    expect(row).toMatchObject({ userId: invited.userId, createdBy: w.userIds.admin, usedAt: null });

    await expect(redeemInvitation(w.ctx, invited.invitation.token, 'kurz')).rejects.toMatchObject({
      issues: [{ path: 'password', message: expect.stringMatching(/mindestens 8 Zeichen/) }],
    });
    const session = await redeemInvitation(w.ctx, invited.invitation.token, 'ein langes passwort');
    expect(session.actor).toMatchObject({ userId: invited.userId, role: 'employer' });
    expect(await verifySession(w.ctx, session.token)).not.toBeNull();
    await expect(redeemInvitation(w.ctx, invited.invitation.token, 'ein anderes passwort')).rejects.toBeInstanceOf(
      InvitationInvalid,
    );
    await expect(
      signIn(w.ctx, { email: 'neu@invitations.test.invalid', password: 'ein langes passwort' }),
    ).resolves.toBeDefined();
  });

  it('refuses an expired link, and a newer link replaces the older one', async () => {
    w.ctx.setNow(at(100));
    const old = await createInvitation(w.ctx, {
      userId: w.userIds.caseworker2,
      createdBy: w.userIds.admin,
      ttlHours: 1,
    });
    w.ctx.setNow(at(101));
    await expect(redeemInvitation(w.ctx, old.token, 'ein langes passwort')).rejects.toBeInstanceOf(InvitationInvalid);

    w.ctx.setNow(at(110));
    const first = await createInvitation(w.ctx, { userId: w.userIds.caseworker2, createdBy: w.userIds.admin });
    const second = await createInvitation(w.ctx, { userId: w.userIds.caseworker2, createdBy: w.userIds.admin });
    await expect(redeemInvitation(w.ctx, first.token, 'ein langes passwort')).rejects.toBeInstanceOf(InvitationInvalid);
    await expect(redeemInvitation(w.ctx, second.token, 'ein langes passwort')).resolves.toMatchObject({
      actor: { userId: w.userIds.caseworker2 },
    });
  });

  it('redeeming ends the sessions the user had before', async () => {
    w.ctx.setNow(at(120));
    const before = await signIn(w.ctx, {
      email: 'caseworker2@employer-api.test.invalid',
      password: 'ein langes passwort',
    });
    const link = await createInvitation(w.ctx, { userId: w.userIds.caseworker2, createdBy: w.userIds.admin });
    w.ctx.setNow(at(120.5));
    await redeemInvitation(w.ctx, link.token, 'noch ein neues passwort');
    expect(await verifySession(w.ctx, before.token)).toBeNull();
  });

  it('the invitation page sets the password through the form and refuses a used link', async () => {
    w.ctx.setNow(at(130));
    const link = await createInvitation(w.ctx, { userId: w.userIds.lead1, createdBy: w.userIds.admin });
    const get = await w.app.request(`http://localhost${link.path}`);
    expect(get.status).toBe(200);
    const html = await get.text();
    expect(html).toContain('Passwort festlegen');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)![1]!;
    const binding = get.headers
      .getSetCookie()
      .find((c) => c.startsWith('jb_form='))!
      .split(';')[0]!;
    const post = (form: Record<string, string>) =>
      w.app.request(`http://localhost${link.path}`, {
        method: 'POST',
        headers: { cookie: binding, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ _csrf: csrf, ...form }).toString(),
        redirect: 'manual',
      });
    const mismatch = await post({ password: 'ein langes passwort', confirm: 'ein anderes passwort' });
    expect(mismatch.status).toBe(422);
    expect(await mismatch.text()).toContain('nicht gleich');
    const ok = await post({ password: 'ein langes passwort', confirm: 'ein langes passwort' });
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/app');
    expect(ok.headers.getSetCookie().some((c) => c.startsWith('jb_session='))).toBe(true);
    const again = await w.app.request(`http://localhost${link.path}`);
    expect(again.status).toBe(410);
    expect(await again.text()).toContain('abgelaufen oder wurde schon benutzt');
  });

  it('the vacancy form keeps values at a validation error and stores one order per form token', async () => {
    w.ctx.setNow(at(140));
    const session = await redeemInvitation(
      w.ctx,
      (await createInvitation(w.ctx, { userId: w.userIds.employerB, createdBy: null })).token,
      'ein langes passwort',
    );
    const cookie = `jb_session=${session.token}`;
    const form = await (
      await w.app.request('http://localhost/arbeitgeber/stellen/neu', { headers: { cookie } })
    ).text();
    const csrf = /name="_csrf" value="([^"]+)"/.exec(form)![1]!;
    const formToken = /name="form_token" value="([^"]+)"/.exec(form)![1]!;
    const send = (fields: Record<string, string>) =>
      w.app.request('http://localhost/arbeitgeber/stellen/neu', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          _csrf: csrf,
          form_token: formToken,
          contract_type: 'unbefristet',
          working_times: 'vollzeit',
          number_of_positions: '1',
          placement_order: 'ja',
          aktion: 'absenden',
          ...fields,
        }).toString(),
        redirect: 'manual',
      });
    const refused = await send({ title: 'Lagerhelfer (m/w/d)', description: 'Kommissionieren im Lager.', plz: '7017' });
    expect(refused.status).toBe(422);
    const page = await refused.text();
    expect(page).toContain('href="#vacancy-plz"');
    expect(page).toMatch(/id="vacancy-plz"[^>]*aria-describedby="vacancy-plz-error"/);
    expect(page).toContain('value="Lagerhelfer (m/w/d)"');

    const fields = { title: 'Lagerhelfer (m/w/d)', description: 'Kommissionieren im Lager.', plz: '70174' };
    const [a, b] = await Promise.all([send(fields), send(fields)]);
    expect(a.status).toBe(303);
    expect(b.headers.get('location')).toBe(a.headers.get('location'));
    const rows = await w.database.db.select().from(vacancies).where(eq(vacancies.employerId, w.employerIds.B));
    expect(rows.filter((r) => r.title.startsWith('Lagerhelfer'))).toHaveLength(1);

    const confirmation = await (
      await w.app.request(`http://localhost${a.headers.get('location')}`, { headers: { cookie } })
    ).text();
    expect(confirmation).toMatch(/JB-2026-\d{6}/);
    // Sent at START + 140 h = 2026-11-26T05:00Z; 48 hours later is 28 Nov 05:00Z, 06:00 in Berlin (CET).
    expect(confirmation.match(/spätestens am [^<]*/)?.[0]).toBe(
      'spätestens am Samstag, 28. November 2026 um 06:00 Uhr bei Ihnen.',
    );
  });
});
