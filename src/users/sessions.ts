/**
 * Browser sessions of the pages (issue 13, point 5): signing in with a password, the session behind the cookie, and
 * signing out here or everywhere. API tokens stay for programs (./authenticate.ts).
 *
 * The cookie carries a random token; only its SHA-256 is stored. A session ends at the first of: its absolute
 * lifetime, an idle gap, a revocation, the user's account being disabled, or the user's password being set again
 * after the session began (so a password change signs every other browser out).
 */
import { randomBytes } from 'node:crypto';
import { and, count, eq, gt, isNull, lt } from 'drizzle-orm';
import type { Actor } from '../audit/record.ts';
import { recordAudit } from '../audit/record.ts';
import type { Ctx } from '../context.ts';
import { loginFailures, users, webSessions } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { hashPassword, PASSWORD_MAX_LENGTH, verifyPassword } from './password.ts';
import { hashToken } from './tokens.ts';

/** A working day: after it everyone signs in again, whatever they did. */
export const SESSION_LIFETIME_MS = 10 * 60 * 60 * 1000;
/** A desk left alone for half an hour is signed out (BSI ORP.4 / ASVS 3.3.2 ask for an idle limit). */
export const SESSION_IDLE_MS = 30 * 60 * 1000;
/** Like the API tokens' `last_used_at`: a minute is precise enough for the idle limit and saves a write per page. */
export const SESSION_TOUCH_PRECISION_MS = 60_000;

/** The window over which failed sign-ins count, and how many of them it takes. */
export const LOGIN_FAILURE_WINDOW_MS = 15 * 60 * 1000;
export const LOGIN_FAILURES_PER_ACCOUNT = 5;
/** Higher: a branch office's PCs share one address behind the city's proxy. */
export const LOGIN_FAILURES_PER_ADDRESS = 20;

const MAX_EMAIL_LENGTH = 320;
const MAX_SESSION_TOKEN_LENGTH = 128;

/** Failed sign-ins older than this are kept for nothing; deleting them keeps the table small. */
const LOGIN_FAILURE_RETENTION_MS = 24 * 60 * 60 * 1000;

/** Thrown for every refused sign-in; the text never tells whether the account exists. */
export class SignInRefused extends AppError {
  constructor(
    readonly reason: 'invalid' | 'locked',
    message: string,
  ) {
    super(reason === 'locked' ? 'limit_exceeded' : 'unauthorized', message, { reason });
  }
}

export const SIGN_IN_INVALID = 'E-Mail-Adresse oder Passwort ist falsch.';
export const SIGN_IN_LOCKED =
  'Zu viele fehlgeschlagene Anmeldeversuche. Bitte warten Sie 15 Minuten und versuchen Sie es dann erneut.';

export interface Session {
  actor: Actor;
  displayName: string;
  email: string;
  csrfToken: string;
  expiresAt: Date;
}

export interface NewSession extends Session {
  /** Goes into the cookie once; the database keeps only its hash. */
  token: string;
}

function randomToken(prefix: string): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

let dummyHash: Promise<string> | undefined;
/**
 * An unknown account or one without password costs an argon2 verification too, so the answer's timing does not tell
 * which e-mail addresses have an account.
 */
function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return dummyHash;
}

function accountKey(email: string): string {
  return `account:${hashToken(email)}`;
}
function addressKey(address: string): string {
  return `address:${address}`;
}

async function failuresSince(ctx: Ctx, key: string, since: Date): Promise<number> {
  const [row] = await ctx.db
    .select({ n: count() })
    .from(loginFailures)
    .where(and(eq(loginFailures.key, key), gt(loginFailures.at, since)));
  return row?.n ?? 0;
}

async function recordFailure(ctx: Ctx, keys: string[]): Promise<void> {
  const now = ctx.now();
  await ctx.db.insert(loginFailures).values(keys.map((key) => ({ key, at: now })));
  await ctx.db.delete(loginFailures).where(lt(loginFailures.at, new Date(now.getTime() - LOGIN_FAILURE_RETENTION_MS)));
}

export interface SignInInput {
  email: string;
  password: string;
  /** The client address as api/middleware/client-address.ts resolved it; undefined in-process. */
  clientAddress?: string | undefined;
}

/**
 * Checks the password and opens a session. While an account or an address is over its limit, even the right
 * password is refused: otherwise a guesser would learn from the answer when it hit.
 */
export async function signIn(ctx: Ctx, input: SignInInput): Promise<NewSession> {
  const email = input.email.trim().toLowerCase().slice(0, MAX_EMAIL_LENGTH);
  const password = input.password.slice(0, PASSWORD_MAX_LENGTH);
  const keys = [accountKey(email)];
  if (input.clientAddress) keys.push(addressKey(input.clientAddress));
  const since = new Date(ctx.now().getTime() - LOGIN_FAILURE_WINDOW_MS);
  const accountFailures = await failuresSince(ctx, keys[0]!, since);
  const addressFailures = keys[1] ? await failuresSince(ctx, keys[1], since) : 0;
  if (accountFailures >= LOGIN_FAILURES_PER_ACCOUNT || addressFailures >= LOGIN_FAILURES_PER_ADDRESS) {
    await recordAudit(ctx, {
      actor: null,
      action: 'sign_in_refused',
      objectType: 'web_session',
      detail: { reason: 'locked' },
    });
    throw new SignInRefused('locked', SIGN_IN_LOCKED);
  }
  const [user] = await ctx.db
    .select({ id: users.id, passwordHash: users.passwordHash, disabledAt: users.disabledAt })
    .from(users)
    .where(eq(users.email, email));
  const stored = user?.passwordHash && !user.disabledAt && password.length > 0 ? user.passwordHash : undefined;
  const ok = stored
    ? await verifyPassword(stored, password)
    : await verifyPassword(await dummyPasswordHash(), password).then(() => false);
  if (!ok || !user) {
    await recordFailure(ctx, keys);
    await recordAudit(ctx, {
      actor: null,
      action: 'sign_in_refused',
      objectType: 'web_session',
      // The user id only when the account exists: the trail is internal, and it shows who was being guessed.
      ...(user ? { objectId: user.id } : {}),
      detail: { reason: 'invalid' },
    });
    throw new SignInRefused('invalid', SIGN_IN_INVALID);
  }
  return openSession(ctx, user.id);
}

/** A new session for a user whose identity is already proven (password, or a redeemed invitation). */
export async function openSession(ctx: Ctx, userId: string): Promise<NewSession> {
  const token = randomToken('jbs_');
  const csrfToken = randomBytes(32).toString('base64url');
  const now = ctx.now();
  const expiresAt = new Date(now.getTime() + SESSION_LIFETIME_MS);
  await ctx.db.insert(webSessions).values({
    tokenHash: hashToken(token),
    userId,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
  });
  const session = await loadSession(ctx, token, now);
  if (!session) throw new Error('the new session could not be read back');
  await recordAudit(ctx, { actor: session.actor, action: 'sign_in', objectType: 'web_session' });
  return { ...session, token };
}

async function loadSession(ctx: Ctx, token: string, now: Date): Promise<(Session & { lastSeenAt: Date }) | null> {
  if (token.length > MAX_SESSION_TOKEN_LENGTH) return null;
  const [row] = await ctx.db
    .select({
      userId: users.id,
      role: users.role,
      branchId: users.branchId,
      employerId: users.employerId,
      displayName: users.displayName,
      email: users.email,
      passwordSetAt: users.passwordSetAt,
      csrfToken: webSessions.csrfToken,
      createdAt: webSessions.createdAt,
      lastSeenAt: webSessions.lastSeenAt,
      expiresAt: webSessions.expiresAt,
    })
    .from(webSessions)
    .innerJoin(users, eq(users.id, webSessions.userId))
    .where(
      and(
        eq(webSessions.tokenHash, hashToken(token)),
        isNull(webSessions.revokedAt),
        isNull(users.disabledAt),
        gt(webSessions.expiresAt, now),
      ),
    );
  if (!row) return null;
  if (row.lastSeenAt.getTime() + SESSION_IDLE_MS <= now.getTime()) return null;
  // A password set after the session began ends it: whoever changed it wants other browsers out.
  if (row.passwordSetAt && row.passwordSetAt > row.createdAt) return null;
  return {
    actor: { userId: row.userId, role: row.role, branchId: row.branchId, employerId: row.employerId },
    displayName: row.displayName,
    email: row.email,
    csrfToken: row.csrfToken,
    expiresAt: row.expiresAt,
    lastSeenAt: row.lastSeenAt,
  };
}

/** The session behind a cookie's token, or null when there is none (any more). Keeps an active session alive. */
export async function verifySession(ctx: Ctx, token: string): Promise<Session | null> {
  const now = ctx.now();
  const found = await loadSession(ctx, token, now);
  if (!found) return null;
  const { lastSeenAt, ...session } = found;
  const staleBefore = new Date(now.getTime() - SESSION_TOUCH_PRECISION_MS);
  if (lastSeenAt < staleBefore) await touchSession(ctx, token, now, staleBefore);
  return session;
}

/** Bookkeeping only: a failed write must not refuse a valid session. */
async function touchSession(ctx: Ctx, token: string, now: Date, staleBefore: Date): Promise<void> {
  try {
    await ctx.db
      .update(webSessions)
      .set({ lastSeenAt: now })
      .where(and(eq(webSessions.tokenHash, hashToken(token)), lt(webSessions.lastSeenAt, staleBefore)));
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'could not record the session use');
  }
}

/** Ends one session (the browser's "Abmelden"); an unknown or already ended one is no error. */
export async function signOut(ctx: Ctx, token: string): Promise<void> {
  if (token.length > MAX_SESSION_TOKEN_LENGTH) return;
  const [ended] = await ctx.db
    .update(webSessions)
    .set({ revokedAt: ctx.now() })
    .where(and(eq(webSessions.tokenHash, hashToken(token)), isNull(webSessions.revokedAt)))
    .returning({ userId: webSessions.userId });
  if (ended) {
    await recordAudit(ctx, {
      actor: null,
      action: 'sign_out',
      objectType: 'web_session',
      objectId: ended.userId,
    });
  }
}

/**
 * Ends every open session of a user: the one rule for "log out everywhere", a disabled account and a new password.
 * Returns how many were still open.
 */
export async function endSessionsOf(ctx: Ctx, userId: string): Promise<number> {
  const ended = await ctx.db
    .update(webSessions)
    .set({ revokedAt: ctx.now() })
    .where(and(eq(webSessions.userId, userId), isNull(webSessions.revokedAt)))
    .returning({ tokenHash: webSessions.tokenHash });
  return ended.length;
}

/** Ends every session of the user, on every device ("Überall abmelden"). Returns how many were still open. */
export async function signOutEverywhere(ctx: Ctx, actor: Actor): Promise<number> {
  const ended = await endSessionsOf(ctx, actor.userId);
  await recordAudit(ctx, {
    actor,
    action: 'sign_out_everywhere',
    objectType: 'web_session',
    objectId: actor.userId,
    detail: { sessions: ended },
  });
  return ended;
}

/** Whether a session still stands that `signOutEverywhere` or a password change would end; for tests and tools. */
export async function openSessionCount(ctx: Ctx, userId: string): Promise<number> {
  const now = ctx.now();
  const [row] = await ctx.db
    .select({ n: count() })
    .from(webSessions)
    .where(
      and(
        eq(webSessions.userId, userId),
        isNull(webSessions.revokedAt),
        gt(webSessions.expiresAt, now),
        gt(webSessions.lastSeenAt, new Date(now.getTime() - SESSION_IDLE_MS)),
      ),
    );
  return row?.n ?? 0;
}
