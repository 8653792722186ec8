import { and, eq } from 'drizzle-orm';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importCustomersCsv, reportCsv } from '../../src/customers/import-csv.ts';
import { auditLog, customers, outbox } from '../../src/db/schema.ts';
import { openMigrated, testDatabases } from '../helpers/databases.ts';
import { type EmployerWorld, employerWorld } from '../helpers/employer-world.ts';

const NOW = new Date('2026-11-20T09:00:00Z');
const V = '/api/v1';
// biome-ignore lint/suspicious/noExplicitAny: test bodies are arbitrary JSON
const json = async (res: Response): Promise<any> => res.json();

const NEW_CUSTOMER = {
  display_name: 'Testkunde Neu (Synthetisch)',
  case_number: 'T-API-1',
  profile_group: 'market',
  target_kldb_codes: ['29302'],
  target_occupation_text: 'Koch',
  plz: '70173',
  max_commute_km: 20,
  working_times: ['vollzeit'],
  available_from: '2026-12-01',
  consent: true,
  languages: [{ language: 'de', level: 'B2' }],
};

const HEADER =
  'kundennummer;name;profillage;zielberufe;qualifikationen;kenntnisse;fuehrerscheine;sprachen;plz;max_km;arbeitszeit;verfuegbar_ab;einwilligung_vermittlung;einwilligung_kontakt;gesperrt_bis;sperrgrund';
const row = (n: string, over: Partial<Record<string, string>> = {}) =>
  [
    over.kundennummer ?? n,
    over.name ?? `Testkundin Import ${n} (Synthetisch)`,
    over.profillage ?? 'Marktprofil',
    over.zielberufe ?? '29302',
    'Ausbildung Koch',
    'HACCP,Kasse',
    'B',
    'de:C1,en:A2',
    over.plz ?? '70173',
    '25,5',
    'vollzeit,teilzeit',
    '01.12.2026',
    'ja',
    'nein',
    '',
    '',
  ].join(';');

describe.each(testDatabases())('customer profiles and import on $name', (factory) => {
  let w: EmployerWorld;
  beforeAll(async () => {
    w = await employerWorld(await openMigrated(factory), NOW);
  });
  afterAll(async () => {
    await w?.close();
  });

  it('creates, reads, lists and changes a profile, audited and re-matched, never with protected attributes', async () => {
    const created = await w.call('caseworker1', 'POST', `${V}/customers`, NEW_CUSTOMER);
    expect(created.status).toBe(201);
    const body = await json(created);
    expect(body.branch_id).toBe(1);
    expect(body.occupation_suggestions.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/gender|birth|nationality|religion|disab/);
    const refused = await w.call('caseworker1', 'POST', `${V}/customers`, { ...NEW_CUSTOMER, gender: 'f' });
    expect(refused.status).toBe(400);
    const unknownCode = await w.call('caseworker1', 'POST', `${V}/customers`, {
      ...NEW_CUSTOMER,
      case_number: 'T-API-2',
      target_kldb_codes: ['99999'],
    });
    expect(unknownCode.status).toBe(400);

    const read = await w.call('caseworker1', 'GET', `${V}/customers/${body.id}`);
    expect(read.status).toBe(200);
    const etag = read.headers.get('etag')!;
    expect((await w.call('caseworker2', 'GET', `${V}/customers/${body.id}`)).status).toBe(403);

    const list = await json(await w.call('caseworker1', 'GET', `${V}/customers?profile_group=not_available&limit=5`));
    expect(list.items.every((c: { profile_group: string }) => c.profile_group === 'not_available')).toBe(true);
    expect(list.total).toBe(1);

    // The fake clock stands still; a real change happens later than the read it is based on.
    w.ctx.setNow(new Date(NOW.getTime() + 60_000));
    const patched = await w.call(
      'caseworker1',
      'PATCH',
      `${V}/customers/${body.id}`,
      { max_commute_km: 30 },
      { 'if-match': etag },
    );
    expect(patched.status).toBe(200);
    const stale = await w.call(
      'caseworker1',
      'PATCH',
      `${V}/customers/${body.id}`,
      { max_commute_km: 31 },
      { 'if-match': etag },
    );
    expect(stale.status).toBe(409);
    const halfBlock = await w.call('caseworker1', 'PATCH', `${V}/customers/${body.id}`, {
      blocked_until: '2026-12-24T00:00:00Z',
    });
    expect(halfBlock.status).toBe(400);

    const rows = await w.database.db
      .select()
      .from(outbox)
      .where(and(eq(outbox.aggregateType, 'customer'), eq(outbox.aggregateId, body.id)));
    expect(rows.length).toBe(2);
    const audits = await w.database.db.select().from(auditLog).where(eq(auditLog.objectId, body.id));
    expect(audits.map((a) => a.action)).toEqual(expect.arrayContaining(['create', 'read', 'update']));
  });

  it('lets a branch lead hand a customer over, which leaves the old branch at once; caseworkers cannot', async () => {
    const id = w.customers.market[2]!;
    expect((await w.call('caseworker1', 'PATCH', `${V}/customers/${id}`, { branch_id: 2 })).status).toBe(403);
    expect((await w.call('lead1', 'PATCH', `${V}/customers/${id}`, { branch_id: 2 })).status).toBe(200);
    expect((await w.call('caseworker1', 'GET', `${V}/customers/${id}`)).status).toBe(403);
    expect((await w.call('caseworker2', 'GET', `${V}/customers/${id}`)).status).toBe(200);
    const list = await json(await w.call('caseworker1', 'GET', `${V}/customers?limit=200`));
    expect(list.items.map((c: { id: string }) => c.id)).not.toContain(id);
  });

  it('imports exactly the valid rows of a broken file and reports the rest by row and field', async () => {
    const lines = [
      HEADER,
      row('T-1'),
      row('T-2', { zielberufe: '12345' }),
      row('T-3', { plz: '7017' }),
      row('T-4'),
      row('T-4', { name: 'Testkundin Doppelt (Synthetisch)' }),
      'T-5;Testkundin kurz (Synthetisch);Marktprofil',
      row('T-6', { name: 'Testkundin Jäger (Synthetisch)' }),
    ];
    const utf8 = Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
    // One row written in Windows-1252 inside an otherwise UTF-8 file: its umlaut is not UTF-8.
    const broken = Buffer.concat([
      utf8,
      iconv.encode(`${row('T-7', { name: 'Testkundin Müller (Synthetisch)' })}\r\n`, 'win1252'),
    ]);
    const actor = { userId: w.userIds.caseworker1, role: 'caseworker' as const, branchId: 1, employerId: null };
    const dry = await importCustomersCsv({ ctx: w.ctx, actor, bytes: broken, dryRun: true });
    expect(dry.valid).toBe(2);
    expect(await w.database.db.select().from(customers).where(eq(customers.caseNumber, 'T-1'))).toHaveLength(0);

    const report = await importCustomersCsv({ ctx: w.ctx, actor, bytes: broken });
    expect(report).toMatchObject({ encoding: 'utf-8', rows: 8, valid: 2, created: 2, updated: 0 });
    const fields = report.problems.map((p) => `${p.row}:${p.field}`);
    expect(fields).toEqual(['3:zielberufe', '4:plz', '5:kundennummer', '6:kundennummer', '7:', '9:name']);
    expect(report.problems.every((p) => p.reason.length > 5)).toBe(true);
    const imported = await w.database.db
      .select({ n: customers.caseNumber, name: customers.displayName })
      .from(customers);
    expect(
      imported
        .filter((c) => c.n?.startsWith('T-') && !c.n.startsWith('T-API'))
        .map((c) => c.n)
        .sort(),
    ).toEqual(['T-1', 'T-6']);
    expect(imported.find((c) => c.n === 'T-6')?.name).toContain('Jäger');

    // Windows-1252 as a whole is detected; an existing number is updated, not duplicated.
    const win = iconv.encode(`${HEADER}\r\n${row('T-1', { name: 'Testkundin Größe (Synthetisch)' })}\r\n`, 'win1252');
    const second = await importCustomersCsv({ ctx: w.ctx, actor, bytes: win });
    expect(second).toMatchObject({ encoding: 'windows-1252', created: 0, updated: 1, problems: [] });
    const [t1] = await w.database.db.select().from(customers).where(eq(customers.caseNumber, 'T-1'));
    expect(t1?.displayName).toBe('Testkundin Größe (Synthetisch)');
    expect(reportCsv({ ...report, problems: [{ row: 1, field: 'name', reason: '=HYPERLINK("x")' }] })).toContain(
      `'=HYPERLINK`,
    );
  });

  it('imports through the API as multipart, for the own branch only', async () => {
    const form = new FormData();
    form.set('file', new Blob([`${HEADER}\n${row('T-API-9')}\n`]), 'kunden.csv');
    const res = await w.app.request(`${V}/customers/import?dry_run=false`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.tokens.caseworker2}` },
      body: form,
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ valid: 1, created: 1, problems: [] });
    const [c] = await w.database.db.select().from(customers).where(eq(customers.caseNumber, 'T-API-9'));
    expect(c?.branchId).toBe(2);
  });

  it('takes a file larger than the JSON body limit, as a real export is', async () => {
    const rows = Array.from({ length: 2_000 }, (_, i) => row(`T-BIG-${i}`));
    const csv = `${HEADER}\n${rows.join('\n')}\n`;
    expect(csv.length).toBeGreaterThan(256 * 1024);
    const form = new FormData();
    form.set('file', new Blob([csv]), 'kunden.csv');
    const res = await w.app.request(`${V}/customers/import?dry_run=true`, {
      method: 'POST',
      headers: { authorization: `Bearer ${w.tokens.caseworker2}` },
      body: form,
    });
    const body = await json(res);
    expect(res.status, JSON.stringify(body).slice(0, 300)).toBe(200);
    expect(body).toMatchObject({ valid: 2_000, problems: [] });
  });
});
