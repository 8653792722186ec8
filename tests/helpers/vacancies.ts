/** Inserts synthetic open vacancies straight into the DB (for tests that are not about ingest). */
import type { Db } from '../../src/db/client.ts';
import { vacancies } from '../../src/db/schema.ts';
import { deterministicUuid } from '../../src/demo/random.ts';
import { generateVacancies, normaliseSynthetic } from '../../src/demo/synthetic-vacancies.ts';

export async function insertSyntheticVacancies(db: Db, count: number, now: Date, seed = 7): Promise<string[]> {
  const rows = generateVacancies(count, seed, now.getTime()).map((v, i) => ({
    id: deterministicUuid(90 + (seed % 100), i + 1),
    ...normaliseSynthetic(v),
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(vacancies).values(rows.slice(i, i + 500));
  return rows.map((r) => r.id);
}
