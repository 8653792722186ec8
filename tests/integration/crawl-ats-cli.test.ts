/**
 * `jobbruecke sources add` for the ATS and exchange types, in process on PGlite: the board name gives the documented
 * API address, each type gets its legal basis, and bad input is refused with a clear message and stores nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../bin/commands/command.ts';
import { sourcesCommand } from '../../bin/commands/sources.ts';
import { type Database, openPglite } from '../../src/db/client.ts';
import { sources } from '../../src/db/schema.ts';
import { testContext } from '../helpers/context.ts';
import { runInProcess } from '../helpers/in-process-command.ts';

let database: Database;
let ctx: ReturnType<typeof testContext>;

beforeAll(async () => {
  database = await openPglite(undefined);
  await database.migrate();
  ctx = testContext(database.db);
});
afterAll(async () => {
  await database?.close();
});

const run = (argv: string[]) => runInProcess(sourcesCommand, argv, { ctx, database });
const stored = async () => database.db.select().from(sources);

describe('sources add for applicant-tracking systems and the exchange', () => {
  it.each([
    ['recruitee', 'beispiel-logistik', 'https://beispiel-logistik.recruitee.com/api/offers/', 'Recruitee'],
    [
      'greenhouse',
      'beispielsoftware',
      'https://boards-api.greenhouse.io/v1/boards/beispielsoftware/jobs',
      'Greenhouse',
    ],
    ['lever', 'beispielpflege', 'https://api.lever.co/v0/postings/beispielpflege', 'Lever'],
    [
      'smartrecruiters',
      'BeispielBau',
      'https://api.smartrecruiters.com/v1/companies/BeispielBau/postings',
      'SmartRecruiters',
    ],
    ['workable', 'beispiel-gastro', 'https://apply.workable.com/api/v1/widget/accounts/beispiel-gastro', 'Workable'],
  ])('%s --company %s', async (type, company, url, system) => {
    const result = await run(['add', '--type', type, '--company', company, '--config', '{"employerName":"Test GmbH"}']);
    expect(result.code).toBe(0);
    expect(result.out[0]).toMatch(new RegExp(`^Source added: [0-9a-f-]{36} \\(${type}, enabled\\)$`));
    const row = (await stored()).find((s) => s.url === url);
    expect(row).toMatchObject({ type, enabled: true, config: { employerName: 'Test GmbH' } });
    expect(row?.legalBasis).toContain(`öffentliche, dokumentierte Job-Schnittstelle von ${system}`);
  });

  it('adds another job centre’s exchange feed by its address', async () => {
    const url = 'https://jobcenter-b.example/austausch/stellen.jsonld';
    const result = await run(['add', '--type', 'exchange', '--url', url, '--name', 'Jobcenter B (Test)']);
    expect(result.code).toBe(0);
    expect((await stored()).find((s) => s.url === url)?.legalBasis).toMatch(/^Stellenaustausch zwischen Jobcentern/);
  });

  it('refuses bad input and stores nothing', async () => {
    const before = (await stored()).length;
    await expect(run(['add', '--type', 'feed', '--company', 'beispiel'])).rejects.toThrow(UsageError);
    await expect(run(['add', '--type', 'lever', '--company', '../admin'])).rejects.toThrow(/board name/);
    await expect(
      run(['add', '--type', 'lever', '--company', 'x', '--url', 'https://api.lever.co/v0/postings/x']),
    ).rejects.toThrow(/not both/);
    await expect(
      run(['add', '--type', 'lever', '--company', 'beispiel', '--config', '{"pageSize":1000}']),
    ).rejects.toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'config.page_size' })] }));
    expect((await stored()).length).toBe(before);
  });
});
