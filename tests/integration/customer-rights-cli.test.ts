/**
 * `jobbruecke customers export|restrict|unrestrict|delete`, in process on PGlite with a fake terminal and the
 * embedded queues (as cli-customers.test.ts runs `customers import`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../bin/commands/command.ts';
import { customersCommand } from '../../bin/commands/customers.ts';
import { openQueueBackend, type QueueBackend } from '../../queues/backend.ts';
import { createQueues, type Queues } from '../../queues/queues.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { auditLog } from '../../src/db/schema.ts';
import { createLogger } from '../../src/logging.ts';
import {
  type RightsWorld,
  rightsWorld,
  SUBJECT_NAME,
  subjectRow,
  tablesMentioning,
} from '../helpers/customer-rights-world.ts';
import { runInProcess } from '../helpers/in-process-command.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
let database: Database;
let backend: QueueBackend;
let queues: Queues;
let w: RightsWorld;
let dir: string;

const run = (argv: string[]) =>
  runInProcess(customersCommand, argv, {
    ctx: w.ctx,
    database,
    operator: 'dsb-test',
    resources: { queues: async () => queues },
  });

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  backend = await openQueueBackend({ kind: 'embedded' }, { database, log: createLogger('silent') });
  queues = createQueues(backend, createLogger('silent'));
  w = await rightsWorld(database, NOW);
  dir = mkdtempSync(join(tmpdir(), 'jb-rights-'));
});
afterAll(async () => {
  await w?.close();
  await queues?.close();
  await backend?.close();
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('customers export, restrict, unrestrict and delete', () => {
  it('exports everything held to a file it never overwrites, audited under the operator', async () => {
    const file = join(dir, 'auskunft.json');
    const { code, out } = await run(['export', w.subject, '--output', file]);
    expect(code).toBe(0);
    expect(out.join('\n')).toContain('1 Vorschläge');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    expect(doc.customer).toMatchObject({ id: w.subject, display_name: SUBJECT_NAME, religion: 'Testreligion' });
    expect(doc.proposals).toHaveLength(1);
    expect(doc.audit_entries).toBeInstanceOf(Array);
    const [audit] = await database.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'customer.export'), eq(auditLog.objectId, w.subject)));
    expect(audit).toMatchObject({ actorUserId: null, purpose: 'subject_access' });
    expect(audit!.detail).toMatchObject({ actor: 'cli', osUser: 'dsb-test', outcome: 'ok' });

    writeFileSync(join(dir, 'vorhanden.json'), 'alt');
    await expect(run(['export', w.subject, '--output', join(dir, 'vorhanden.json')])).rejects.toThrow(/EEXIST/);
    expect(readFileSync(join(dir, 'vorhanden.json'), 'utf8')).toBe('alt');
    // Without --output the document goes to the terminal.
    const printed = await run(['export', w.subject]);
    expect(JSON.parse(printed.out.join('\n')).customer_id).toBe(w.subject);
  });

  it('restricts and lifts with a reason code, and refuses a missing or unknown one', async () => {
    await expect(run(['restrict', w.subject])).rejects.toThrow(/Grund fehlt/);
    await expect(run(['restrict', w.subject, '--reason', 'gefühlt'])).rejects.toThrow(/Ungültiger Grund/);
    expect((await subjectRow(w))?.restrictedAt).toBeNull();
    const restricted = await run(['restrict', w.subject, '--reason', 'objection']);
    expect(restricted.out.join('\n')).toMatch(/Verarbeitung eingeschränkt: .*Widerspruch/);
    expect((await subjectRow(w))?.restrictedReason).toBe('objection');
    await run(['unrestrict', w.subject]);
    expect((await subjectRow(w))?.restrictedAt).toBeNull();
  });

  it('deletes with a reason code; bad input is refused and changes nothing; a second delete is not found', async () => {
    await expect(run(['delete', w.subject])).rejects.toThrow(/Grund fehlt/);
    await expect(run(['delete'])).rejects.toThrow(UsageError);
    await expect(run(['delete', 'kein-kunde', '--reason', 'purpose_ended'])).rejects.toThrow(/nicht gefunden/);
    await expect(run(['forget', w.subject])).rejects.toThrow(/Unknown subcommand/);
    expect(await subjectRow(w)).toBeDefined();
    await queues.match({ kind: 'customer', id: w.subject });

    const { code, out } = await run(['delete', w.subject, '--reason', 'retention_expired']);
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/Gelöscht: .*Aufbewahrungsfrist.*1 Vorschläge ohne Person.*1 Aufträgen/);
    expect(await subjectRow(w)).toBeUndefined();
    // The embedded queues live in the same database: only the audit trail has the id.
    expect(Object.keys(await tablesMentioning(database, w.subject))).toEqual(['public.audit_log']);
    expect(await tablesMentioning(database, SUBJECT_NAME)).toEqual({});
    await expect(run(['delete', w.subject, '--reason', 'retention_expired'])).rejects.toThrow(/nicht gefunden/);
  });
});
