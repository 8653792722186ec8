/**
 * Account administration (src/users/manage.ts) on PGlite and PostgreSQL: the list of accounts with their tokens,
 * disabling (tokens refused by the API at once, page sessions ended), enabling, and revoking one token while the
 * others keep working. Every change is audited; errors name what was not found.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../src/audit/record.ts';
import type { Database } from '../../src/db/client.ts';
import { apiTokens, auditLog, webSessions } from '../../src/db/schema.ts';
import { Conflict, NotFound, ValidationFailed } from '../../src/errors.ts';
import { authenticateToken } from '../../src/users/authenticate.ts';
import { disableUser, enableUser, listUsers, revokeToken } from '../../src/users/manage.ts';
import { generateToken, hashToken } from '../../src/users/tokens.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type EmployerWorld, employerWorld } from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const HOUR = 3_600_000;
const OPERATOR = 'pruefer-konten';
const operator: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  role: 'admin',
  branchId: null,
  employerId: null,
  operator: OPERATOR,
};
const email = (who: string) => `${who.toLowerCase()}@employer-api.test.invalid`;

describe.each(testDatabases())('account administration on $name', (factory) => {
  let database: Database;
  let w: EmployerWorld;
  /** A second token of caseworker 1, labelled "laptop". */
  let laptopToken: string;

  /** A second token for a user, as a program would be given one. */
  async function addToken(userId: string, label: string): Promise<{ id: string; token: string }> {
    const token = generateToken();
    const [row] = await database.db
      .insert(apiTokens)
      .values({ userId, label, tokenHash: hashToken(token) })
      .returning({ id: apiTokens.id });
    return { id: row!.id, token };
  }

  /** A page session as the sign-in would leave it (only the cookie token's hash is stored). */
  async function addSession(userId: string): Promise<string> {
    const tokenHash = createHash('sha256').update(randomBytes(32)).digest('hex');
    await database.db.insert(webSessions).values({
      tokenHash,
      userId,
      csrfToken: randomBytes(16).toString('hex'),
      expiresAt: new Date(NOW.getTime() + 8 * HOUR),
    });
    return tokenHash;
  }

  const staffCall = (token: string) =>
    w.app.request('/api/v1/sla/response-reasons', { headers: { authorization: `Bearer ${token}` } });

  beforeAll(async () => {
    database = await openMigrated(factory);
    w = await employerWorld(database, NOW);
    laptopToken = (await addToken(w.userIds.caseworker1, 'laptop')).token;
  });
  afterAll(async () => {
    await w?.close();
  });

  it('lists every account with role, branch, employer and tokens by label, never a token or its hash', async () => {
    w.ctx.setNow(new Date(NOW.getTime() + HOUR));
    expect(await authenticateToken(w.ctx, laptopToken)).toMatchObject({ userId: w.userIds.caseworker1 });
    const all = await listUsers({ ctx: w.ctx, actor: operator });
    expect(all.map((u) => u.email)).toEqual([...all.map((u) => u.email)].sort());
    expect(all).toHaveLength(6);
    const caseworker = all.find((u) => u.email === email('caseworker1'))!;
    expect(caseworker).toMatchObject({
      role: 'caseworker',
      branchId: 1,
      employer: null,
      employerService: true,
      disabledAt: null,
    });
    expect(caseworker.tokens.map((t) => [t.label, t.lastUsedAt?.toISOString() ?? null])).toEqual([
      ['cli', null],
      ['laptop', '2026-11-20T10:00:00.000Z'],
    ]);
    const employerUser = all.find((u) => u.email === email('employerA'))!;
    expect(employerUser.employer).toEqual({ id: w.employerIds.A, name: 'Muster GmbH (Test)' });
    const text = JSON.stringify(all);
    expect(text).not.toContain(laptopToken);
    expect(text).not.toContain(hashToken(laptopToken));
    expect(text).not.toMatch(/tokenHash|token_hash|passwordHash/);

    const leads = await listUsers({ ctx: w.ctx, actor: operator, input: { role: 'branch_lead' } });
    expect(leads.map((u) => u.email)).toEqual([email('lead1')]);
    const branch2 = await listUsers({ ctx: w.ctx, actor: operator, input: { branch: 2 } });
    expect(branch2.map((u) => u.email)).toEqual([email('caseworker2')]);
    await expect(listUsers({ ctx: w.ctx, actor: operator, input: { role: 'chef' as never } })).rejects.toBeInstanceOf(
      ValidationFailed,
    );
    const listed = await database.db.select().from(auditLog).where(eq(auditLog.action, 'users.list'));
    expect(listed.map((r) => r.detail.returned)).toEqual([6, 1, 1]);
    expect(listed[0]).toMatchObject({ actorUserId: null, detail: { osUser: OPERATOR } });
  });

  it('disables an account: its tokens are refused by the API at once and its page sessions end', async () => {
    const session = await addSession(w.userIds.caseworker1);
    const otherSession = await addSession(w.userIds.caseworker2);
    expect((await staffCall(w.tokens.caseworker1)).status).toBe(200);

    const result = await disableUser({ ctx: w.ctx, actor: operator, email: ' CaseWorker1@employer-api.test.invalid ' });
    expect(result).toEqual({ userId: w.userIds.caseworker1, changed: true, sessionsEnded: 1 });
    for (const token of [w.tokens.caseworker1, laptopToken]) {
      expect(await authenticateToken(w.ctx, token)).toBeNull();
      const res = await staffCall(token);
      expect(res.status).toBe(401);
      expect(((await res.json()) as { detail: string }).detail).toBe('Token unbekannt oder widerrufen');
    }
    const [ended] = await database.db.select().from(webSessions).where(eq(webSessions.tokenHash, session));
    expect(ended?.revokedAt?.toISOString()).toBe('2026-11-20T10:00:00.000Z');
    const [kept] = await database.db.select().from(webSessions).where(eq(webSessions.tokenHash, otherSession));
    expect(kept?.revokedAt).toBeNull();
    // Other accounts carry on.
    expect((await staffCall(w.tokens.caseworker2)).status).toBe(200);
    const [listed] = await listUsers({ ctx: w.ctx, actor: operator, input: { role: 'caseworker', branch: 1 } });
    expect(listed?.disabledAt?.toISOString()).toBe('2026-11-20T10:00:00.000Z');

    expect(await disableUser({ ctx: w.ctx, actor: operator, email: email('caseworker1') })).toMatchObject({
      changed: false,
    });
    const [row] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'user.disable'));
    expect(row).toMatchObject({
      actorUserId: null,
      actorRole: 'admin',
      objectType: 'user',
      objectId: w.userIds.caseworker1,
      detail: { sessionsEnded: 1, actor: 'cli', osUser: OPERATOR },
    });
  });

  it('enables it again: the tokens work, the ended sessions stay ended', async () => {
    const result = await enableUser({ ctx: w.ctx, actor: operator, email: email('caseworker1') });
    expect(result).toEqual({ userId: w.userIds.caseworker1, changed: true });
    expect((await staffCall(w.tokens.caseworker1)).status).toBe(200);
    expect((await staffCall(laptopToken)).status).toBe(200);
    const open = await database.db
      .select()
      .from(webSessions)
      .where(and(eq(webSessions.userId, w.userIds.caseworker1), isNull(webSessions.revokedAt)));
    expect(open).toHaveLength(0);
    expect((await enableUser({ ctx: w.ctx, actor: operator, email: email('caseworker1') })).changed).toBe(false);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'user.enable'))).toHaveLength(1);
  });

  it('revokes one token by label, and the others keep working', async () => {
    const result = await revokeToken({
      ctx: w.ctx,
      actor: operator,
      input: { email: email('caseworker1'), label: 'laptop' },
    });
    expect(result).toMatchObject({ userId: w.userIds.caseworker1, label: 'laptop' });
    expect((await staffCall(laptopToken)).status).toBe(401);
    expect((await staffCall(w.tokens.caseworker1)).status).toBe(200);
    await expect(
      revokeToken({ ctx: w.ctx, actor: operator, input: { email: email('caseworker1'), label: 'laptop' } }),
    ).rejects.toThrow(
      new Conflict('Das Token „laptop“ von caseworker1@employer-api.test.invalid ist bereits widerrufen'),
    );
    const [row] = await database.db.select().from(auditLog).where(eq(auditLog.action, 'token.revoke'));
    expect(row).toMatchObject({
      objectId: w.userIds.caseworker1,
      detail: { tokenId: result.tokenId, label: 'laptop', osUser: OPERATOR },
    });
  });

  it('revokes by id, and asks for an id when a label is shared', async () => {
    const one = await addToken(w.userIds.caseworker2, 'skript');
    const two = await addToken(w.userIds.caseworker2, 'skript');
    const shared = revokeToken({
      ctx: w.ctx,
      actor: operator,
      input: { email: email('caseworker2'), label: 'skript' },
    });
    await expect(shared).rejects.toBeInstanceOf(Conflict);
    await expect(shared).rejects.toThrow(/2 aktive Tokens „skript“: bitte eines per Kennung wählen/);
    expect((await staffCall(one.token)).status).toBe(200);

    await revokeToken({ ctx: w.ctx, actor: operator, input: { email: email('caseworker2'), tokenId: one.id } });
    expect((await staffCall(one.token)).status).toBe(401);
    expect((await staffCall(two.token)).status).toBe(200);
    // With one active token left under the label, the label names it.
    await revokeToken({ ctx: w.ctx, actor: operator, input: { email: email('caseworker2'), label: 'skript' } });
    expect((await staffCall(two.token)).status).toBe(401);
    expect((await staffCall(w.tokens.caseworker2)).status).toBe(200);
  });

  it('names what it could not find, and changes nothing then', async () => {
    const before = await database.db.select().from(apiTokens).orderBy(apiTokens.id);
    const cases: Array<[() => Promise<unknown>, string]> = [
      [
        () => disableUser({ ctx: w.ctx, actor: operator, email: 'niemand@test.invalid' }),
        'Benutzer niemand@test.invalid nicht gefunden',
      ],
      [
        () => enableUser({ ctx: w.ctx, actor: operator, email: 'niemand@test.invalid' }),
        'Benutzer niemand@test.invalid nicht gefunden',
      ],
      [
        () => revokeToken({ ctx: w.ctx, actor: operator, input: { email: 'niemand@test.invalid', label: 'cli' } }),
        'Benutzer niemand@test.invalid nicht gefunden',
      ],
      [
        () => revokeToken({ ctx: w.ctx, actor: operator, input: { email: email('lead1'), label: 'gibt-es-nicht' } }),
        'Token „gibt-es-nicht“ von lead1@employer-api.test.invalid nicht gefunden',
      ],
      [
        // Another account's token is not this account's.
        () =>
          revokeToken({
            ctx: w.ctx,
            actor: operator,
            input: { email: email('lead1'), tokenId: before.find((t) => t.userId === w.userIds.admin)!.id },
          }),
        'nicht gefunden',
      ],
      [
        () => revokeToken({ ctx: w.ctx, actor: operator, input: { email: email('lead1'), tokenId: 'kein-token' } }),
        'Token mit der Kennung kein-token von lead1@employer-api.test.invalid nicht gefunden',
      ],
    ];
    for (const [attempt, message] of cases) {
      const failed = attempt();
      await expect(failed).rejects.toBeInstanceOf(NotFound);
      await expect(failed).rejects.toThrow(message);
    }
    await expect(revokeToken({ ctx: w.ctx, actor: operator, input: { email: email('lead1') } })).rejects.toBeInstanceOf(
      ValidationFailed,
    );
    expect(await database.db.select().from(apiTokens).orderBy(apiTokens.id)).toEqual(before);
    expect((await staffCall(w.tokens.lead1)).status).toBe(200);
    expect((await staffCall(w.tokens.admin)).status).toBe(200);
  });
});
