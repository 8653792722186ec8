/**
 * Offline evaluation of the matcher against graded judgements (tests/fixtures/eval/match-judgements.json, built by
 * tests/fixtures/eval/match-build.ts from the rules in docs/matching.md). Baseline in the same run: full-text search
 * (MiniSearch) of the customer's first target occupation over the candidates' titles and descriptions.
 * Prints one JSON line. Run: `npm run eval:match` (tsx scripts/eval-match.ts).
 */
import { readFileSync } from 'node:fs';
import MiniSearch from 'minisearch';
import { z } from 'zod';
import { MatchVacancy } from '../matchers/engine/types.ts';
import { buildVacancyIndex, rankVacanciesForCustomer } from '../matchers/engine/vacancy-index.ts';
import { MatchProfile } from '../src/domain/customer.ts';
import { kldbEntry } from '../src/taxonomy/kldb.ts';

const DATE_KEYS = new Set(['now', 'availableFrom', 'blockedUntil', 'publishedAt', 'validThrough', 'startDate']);

const Fixture = z.object({
  now: z.date(),
  profiles: z.array(MatchProfile),
  vacancies: z.array(MatchVacancy.extend({ title: z.string(), description: z.string() })),
  judgements: z.array(
    z.object({ customerId: z.string(), vacancyId: z.string(), grade: z.number().int().min(0).max(3) }),
  ),
});

const fixture = Fixture.parse(
  JSON.parse(
    readFileSync(new URL('../tests/fixtures/eval/match-judgements.json', import.meta.url), 'utf8'),
    (key, value) => (DATE_KEYS.has(key) && typeof value === 'string' ? new Date(value) : value),
  ),
);

function dcg(grades: number[], k: number): number {
  return grades.slice(0, k).reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);
}

/** Graded NDCG@k; candidates the system leaves out count as not retrieved. */
function ndcg(ranked: string[], grades: ReadonlyMap<string, number>, k: number): number {
  const ideal = dcg(
    [...grades.values()].sort((a, b) => b - a),
    k,
  );
  return ideal === 0
    ? 1
    : dcg(
        ranked.map((id) => grades.get(id) ?? 0),
        k,
      ) / ideal;
}

/** Recall@k of relevant candidates (grade ≥ 2). */
function recall(ranked: string[], grades: ReadonlyMap<string, number>, k: number): number {
  const relevant = [...grades].filter(([, g]) => g >= 2).map(([id]) => id);
  if (relevant.length === 0) return 1;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

const mean = (xs: number[]) => Math.round((xs.reduce((a, b) => a + b, 0) / xs.length) * 1000) / 1000;

const scores = {
  matcher: { ndcg10: [] as number[], recall20: [] as number[] },
  fulltext: { ndcg10: [] as number[], recall20: [] as number[] },
};

for (const profile of fixture.profiles) {
  const grades = new Map(
    fixture.judgements.filter((j) => j.customerId === profile.id).map((j) => [j.vacancyId, j.grade]),
  );
  const candidates = fixture.vacancies.filter((v) => grades.has(v.id));

  const index = buildVacancyIndex(candidates);
  const matched = rankVacanciesForCustomer(index, profile, { now: fixture.now, limit: 40 }).results.map(
    (r) => r.vacancyId,
  );

  const search = new MiniSearch({
    fields: ['title', 'description'],
    storeFields: [],
    searchOptions: { boost: { title: 2 }, prefix: true, fuzzy: 0.2 },
  });
  search.addAll(candidates.map((v) => ({ id: v.id, title: v.title, description: v.description })));
  const first = kldbEntry(profile.targetKldbCodes[0] as string);
  const query = first?.occupations[0] ?? first?.shortTitle ?? '';
  const found = search.search(query).map((r) => String(r.id));

  for (const [name, ranked] of [
    ['matcher', matched],
    ['fulltext', found],
  ] as const) {
    scores[name].ndcg10.push(ndcg(ranked, grades, 10));
    scores[name].recall20.push(recall(ranked, grades, 20));
  }
}

const grades = [0, 1, 2, 3].map((g) => fixture.judgements.filter((j) => j.grade === g).length);
console.log(
  JSON.stringify({
    eval: 'match',
    customers: fixture.profiles.length,
    judgements: fixture.judgements.length,
    grades,
    matcher: { ndcg10: mean(scores.matcher.ndcg10), recall20: mean(scores.matcher.recall20) },
    fulltextBaseline: { ndcg10: mean(scores.fulltext.ndcg10), recall20: mean(scores.fulltext.recall20) },
  }),
);
