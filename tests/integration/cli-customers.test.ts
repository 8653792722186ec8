/** `jobbruecke customers import`, in process on PGlite with a fake terminal (as cli-employers.test.ts does). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { customersCommand } from '../../bin/commands/customers.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { auditLog, branches, customers, outbox } from '../../src/db/schema.ts';
import { testContext } from '../helpers/context.ts';
import { runInProcess } from '../helpers/in-process-command.ts';

const HEADER = 'Kundennummer;Name;Profillage;Zielberufe;PLZ;Max_km;Arbeitszeit;Verfuegbar_ab;Einwilligung_Vermittlung';
let database: Database;
let ctx: ReturnType<typeof testContext>;
let dir: string;

async function run(argv: string[]): Promise<{ code: number; out: string[] }> {
  const { code, lines } = await runInProcess(customersCommand, argv, { ctx, database });
  return { code, out: lines };
}

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  ctx = testContext(database.db);
  await database.db
    .insert(branches)
    .values({ id: 1, name: 'Zweigstelle (Test)', plz: '70173', catchmentPlz: ['70173'] });
  dir = mkdtempSync(join(tmpdir(), 'jb-import-'));
});
afterAll(async () => {
  await database?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('customers import', () => {
  it('checks only on --dry-run, then imports the valid rows in one go and writes a safe report', async () => {
    const file = join(dir, 'kunden.csv');
    writeFileSync(
      file,
      [
        HEADER,
        'K-1;Testkunde Eins (Synthetisch);market;29302;70173;10;vollzeit;01.12.2026;ja',
        '=K-2;Testkunde Zwei (Synthetisch);market;29302;70173;10;vollzeit;01.12.2026;ja',
        'K-3;Testkunde Drei (Synthetisch);market;29302;00000;10;vollzeit;01.12.2026;ja',
      ].join('\n'),
    );
    const dry = await run(['import', file, '--branch', '1', '--dry-run']);
    expect(dry.code).toBe(1);
    expect(await database.db.select().from(customers)).toHaveLength(0);
    const report = join(dir, 'bericht.csv');
    const real = await run(['import', file, '--branch', '1', '--report', report]);
    expect(real.out.join('\n')).toContain('Zeile 4, plz');
    const rows = await database.db.select().from(customers);
    expect(rows.map((r) => r.caseNumber)).toEqual(['K-1']);
    expect(await database.db.select().from(outbox).where(eq(outbox.aggregateId, rows[0]!.id))).toHaveLength(1);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, 'import'))).toHaveLength(1);
    const text = readFileSync(report, 'utf8');
    expect(text).toContain('Zeile;Feld;Grund');
    expect(text).toMatch(/^3;kundennummer;/m);
  });

  it('refuses a file without the required columns as a whole', async () => {
    const file = join(dir, 'kaputt.csv');
    writeFileSync(file, 'Kundennummer;Name\nK-9;Testkunde (Synthetisch)\n');
    await expect(run(['import', file, '--branch', '1'])).rejects.toThrow('Pflichtspalten');
  });
});
