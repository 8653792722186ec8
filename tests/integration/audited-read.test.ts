/** Reads of social data leave an audit row, and a lost audit row never turns a refusal into a server error. */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditedRead } from '../../src/customers/audited-read.ts';
import type { Database } from '../../src/db/client.ts';
import { auditLog } from '../../src/db/schema.ts';
import { NotFound } from '../../src/errors.ts';
import { testContext } from '../helpers/context.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';

const actor = {
  userId: '00000000-0000-4000-8000-0000000000aa',
  role: 'caseworker' as const,
  branchId: 1,
  employerId: null,
};
const entry = { actor, action: 'read', objectType: 'customer', objectId: 'kunde-test', purpose: 'matching' };

describe.each(testDatabases())('auditedRead on $name', (factory) => {
  let database: Database;
  const ctx = () => testContext(database.db);

  beforeAll(async () => {
    database = await openMigrated(factory);
  });
  afterAll(async () => {
    await database?.close();
  });

  it('records successful and refused reads', async () => {
    await auditedRead(ctx(), entry, async () => 'daten');
    await expect(
      auditedRead(ctx(), entry, async () => {
        throw new NotFound('Kunde', 'kunde-test');
      }),
    ).rejects.toBeInstanceOf(NotFound);
    const rows = await database.db.select({ detail: auditLog.detail }).from(auditLog);
    expect(rows.map((r) => r.detail.outcome)).toEqual(['ok', 'not_found']);
  });

  describe('with the audit log failing', () => {
    beforeAll(async () => {
      await database.db.execute(sql`create function refuse_audit() returns trigger language plpgsql as
        $$ begin raise exception 'audit unavailable'; end $$`);
      await database.db.execute(
        sql`create trigger refuse_audit before insert on audit_log for each row execute function refuse_audit()`,
      );
    });

    it('keeps a refusal a refusal', async () => {
      await expect(
        auditedRead(ctx(), entry, async () => {
          throw new NotFound('Kunde', 'kunde-test');
        }),
      ).rejects.toBeInstanceOf(NotFound);
    });

    it('serves no data that left no trace', async () => {
      await expect(auditedRead(ctx(), entry, async () => 'daten')).rejects.toThrow();
    });
  });
});
