import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { apiTokens } from '../../src/db/schema.ts';
import { addUser } from '../../src/users/add-user.ts';
import { authenticateToken, LAST_USED_PRECISION_MS } from '../../src/users/authenticate.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

describe.each(testDatabases())('token authentication on $name', (factory) => {
  let database: Database;
  beforeAll(async () => {
    database = await openMigrated(factory);
  });
  afterAll(() => database?.close());

  async function lastUsedAt(userId: string): Promise<Date | null> {
    const [row] = await database.db
      .select({ lastUsedAt: apiTokens.lastUsedAt })
      .from(apiTokens)
      .where(eq(apiTokens.userId, userId));
    return row!.lastUsedAt;
  }

  it('records when a token was last used, at most once a minute', async () => {
    const ctx = testContext(database.db, new Date('2026-11-20T09:00:00Z'));
    const { userId, token } = await addUser({ ctx, input: { email: 'last-used@test.invalid', role: 'admin' } });
    expect(await lastUsedAt(userId)).toBeNull();

    expect(await authenticateToken(ctx, token)).toMatchObject({ userId, role: 'admin' });
    expect(await lastUsedAt(userId)).toEqual(new Date('2026-11-20T09:00:00Z'));

    ctx.setNow(new Date(Date.parse('2026-11-20T09:00:00Z') + LAST_USED_PRECISION_MS - 1_000));
    await authenticateToken(ctx, token);
    expect(await lastUsedAt(userId)).toEqual(new Date('2026-11-20T09:00:00Z'));

    ctx.setNow(new Date('2026-11-20T09:05:00Z'));
    await authenticateToken(ctx, token);
    expect(await lastUsedAt(userId)).toEqual(new Date('2026-11-20T09:05:00Z'));
  });

  it('still lets a valid token in when recording its use fails', async () => {
    const ctx = testContext(database.db, new Date('2026-11-20T10:00:00Z'));
    const { userId, token } = await addUser({ ctx, input: { email: 'read-only@test.invalid', role: 'admin' } });
    await database.db.execute(sql`
      create function refuse_token_update() returns trigger language plpgsql as $$
      begin raise exception 'api_tokens is read-only here'; end $$`);
    await database.db.execute(sql`
      create trigger refuse_token_update before update on api_tokens
      for each row execute function refuse_token_update()`);
    try {
      expect(await authenticateToken(ctx, token)).toMatchObject({ userId });
      expect(await lastUsedAt(userId)).toBeNull();
    } finally {
      await database.db.execute(sql`drop trigger refuse_token_update on api_tokens`);
      await database.db.execute(sql`drop function refuse_token_update`);
    }
  });

  it('refuses an unknown token', async () => {
    const ctx = testContext(database.db);
    expect(await authenticateToken(ctx, 'jb_not-a-token-of-anyone-here')).toBeNull();
  });
});
