/** Inserts synthetic open vacancies straight into the DB (for tests that are not about ingest). */
import type { Db } from '../../src/db/client.ts';
import { vacancies } from '../../src/db/schema.ts';
import { deterministicUuid } from '../../src/demo/random.ts';
import { generateVacancies } from '../../src/demo/synthetic-vacancies.ts';
import { requirementLevel } from '../../src/taxonomy/kldb.ts';

export async function insertSyntheticVacancies(db: Db, count: number, now: Date, seed = 7): Promise<string[]> {
  const generated = generateVacancies(count, seed, now.getTime());
  const rows = generated.map((v, i) => ({
    id: deterministicUuid(90 + (seed % 100), i + 1),
    title: v.title,
    description: v.description,
    employerName: v.employerName,
    kldbCode: v.kldbCode,
    kldbConfidence: 0.9,
    requirementLevel: requirementLevel(v.kldbCode) ?? null,
    plz: v.plz,
    place: v.place,
    lat: v.lat,
    lon: v.lon,
    workingTimes: v.workingTimes,
    contractType: v.contractType,
    offerType: v.offerType,
    publishedAt: v.publishedAt,
  }));
  for (let i = 0; i < rows.length; i += 500) await db.insert(vacancies).values(rows.slice(i, i + 500));
  return rows.map((r) => r.id);
}
