/**
 * Customer CSV import benchmark on synthetic data (deterministic), with a baseline in the same run. Prints one JSON
 * line. Run: `npm run bench:import`. Embedded PGlite (in memory).
 *
 * - import: `importCustomersCsv` with 30,000 rows (Windows-1252, as office software writes it): decode, check every
 *   row, then one transaction with chunked set-based upserts and the outbox rows. Run twice: first all new, then all
 *   updates (the same customer numbers again).
 * - baseline: the same checked rows upserted one statement per row (plus one outbox row each) in one transaction,
 *   into a fresh database.
 * Target: 30,000 rows in under 30 s.
 */
import { performance } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import iconv from 'iconv-lite';
import type { Actor } from '../src/audit/record.ts';
import type { Ctx } from '../src/context.ts';
import { checkCsv, importCustomersCsv } from '../src/customers/import-csv.ts';
import { type Database, openPglite } from '../src/db/client.ts';
import { branches } from '../src/db/schema.ts';
import { createRandom } from '../src/demo/random.ts';
import { regionStuttgartPostcodes } from '../src/geo/plz.ts';
import { createLogger } from '../src/logging.ts';
import { appendOutbox } from '../src/outbox/append.ts';

const ROWS = Number(process.env.BENCH_ROWS ?? 30_000);
const NOW = new Date('2026-11-20T09:00:00Z');
const HEADER =
  'kundennummer;name;profillage;zielberufe;qualifikationen;kenntnisse;fuehrerscheine;sprachen;plz;max_km;arbeitszeit;verfuegbar_ab;einwilligung_vermittlung;einwilligung_kontakt;gesperrt_bis;sperrgrund';
const CODES = ['29302', '51311', '52122', '25212', '81302', '71402', '62102', '34212'];
const GROUPS = ['Marktprofil', 'Aktivierungsprofil', 'Förderprofil', 'Komplexes Profil'];

function syntheticCsv(): Buffer {
  const random = createRandom(10);
  const postcodes = regionStuttgartPostcodes().map((p) => p.plz);
  const lines = [HEADER];
  for (let i = 0; i < ROWS; i++) {
    lines.push(
      [
        `B-${String(i).padStart(6, '0')}`,
        `Testkundin ${i} Müller (Synthetisch)`,
        random.pick(GROUPS),
        random.pick(CODES),
        'Ausbildung (Test)',
        'Kasse,Lager',
        random.chance(0.5) ? 'B' : '',
        'de:B2',
        random.pick(postcodes),
        String(5 + random.int(0, 40)),
        random.chance(0.5) ? 'vollzeit' : 'vollzeit,teilzeit',
        '01.12.2026',
        'ja',
        'nein',
        '',
        '',
      ].join(';'),
    );
  }
  return iconv.encode(`${lines.join('\r\n')}\r\n`, 'win1252');
}

async function fresh(): Promise<{ database: Database; ctx: Ctx }> {
  const database = await openPglite(undefined);
  await database.migrate();
  await database.db.insert(branches).values({ id: 1, name: 'Zweigstelle (Bench)', plz: '70173', catchmentPlz: [] });
  return { database, ctx: { db: database.db, log: createLogger('silent'), now: () => NOW } };
}

const actor: Actor = {
  userId: '00000000-0000-0000-0000-000000000000',
  role: 'admin',
  branchId: null,
  employerId: null,
  operator: 'bench',
};
const seconds = (ms: number) => Math.round(ms) / 1000;

const bytes = syntheticCsv();
const a = await fresh();
let t = performance.now();
const first = await importCustomersCsv({ ctx: a.ctx, actor, bytes, branchId: 1 });
const importNew = performance.now() - t;
t = performance.now();
const second = await importCustomersCsv({ ctx: a.ctx, actor, bytes, branchId: 1 });
const importUpdate = performance.now() - t;
t = performance.now();
const checked = checkCsv(bytes, { branchId: 1, now: NOW });
const checkOnly = performance.now() - t;
await a.database.close();

const b = await fresh();
t = performance.now();
await b.ctx.db.transaction(async (tx) => {
  const ids: string[] = [];
  for (const { line: _line, ...row } of checked.rows) {
    const result = await tx.execute<{ id: string }>(sql`
      insert into customers (case_number, display_name, branch_id, profile_group, target_kldb_codes, qualifications,
        skills, licences, languages, plz, lat, lon, max_commute_km, working_times, available_from, consent,
        contact_consent, updated_at)
      values (${row.case_number}, ${row.display_name}, ${row.branch_id}, ${row.profile_group},
        ${`{${row.target_kldb_codes.join(',')}}`}::text[], ${`{${row.qualifications.map((q) => `"${q}"`).join(',')}}`}::text[],
        ${`{${row.skills.join(',')}}`}::text[], ${`{${row.licences.join(',')}}`}::text[], ${JSON.stringify(row.languages)}::jsonb,
        ${row.plz}, ${row.lat}, ${row.lon}, ${row.max_commute_km}, ${`{${row.working_times.join(',')}}`}::text[],
        ${row.available_from}, ${row.consent}, ${row.contact_consent}, ${row.updated_at})
      on conflict (case_number) do update set display_name = excluded.display_name
      returning id`);
    ids.push((result as unknown as { rows: Array<{ id: string }> }).rows[0]!.id);
  }
  await appendOutbox(
    { ...b.ctx, db: tx as never },
    ids.map((id) => ({ topic: 'match', aggregateType: 'customer', aggregateId: id })),
  );
});
const baseline = performance.now() - t;
await b.database.close();

console.log(
  JSON.stringify({
    bench: 'import',
    rows: ROWS,
    encoding: first.encoding,
    valid: first.valid,
    problems: first.problems.length + second.problems.length,
    check_only_s: seconds(checkOnly),
    import_new_s: seconds(importNew),
    import_update_s: seconds(importUpdate),
    baseline_row_by_row_s: seconds(baseline),
    speedup: Math.round((baseline / importNew) * 10) / 10,
    rss_mb: Math.round(process.memoryUsage().rss / 1048576),
  }),
);
