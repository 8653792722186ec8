/**
 * Evaluates the KldB coder and prints one JSON line (`--errors` also lists the misses on stderr).
 *
 * (a) `current`: the labelled job-ad titles in tests/fixtures/eval/kldb-titles.csv, coded with the classification
 *     file alone (the default without an import) and with the BA's title index imported; plus the same without titles
 *     that equal a curated synonym (the leakage check).
 * (b) `heldOut`: generalisation to official titles the index has not seen. The 2025 list is split by DKZ-ID (every
 *     tenth id held out, and another tenth as a check on which nothing was tuned); the index is built from the rest,
 *     and every classification example or synonym whose words equal a held-out title's is removed too, so no
 *     held-out title is in the index in any form. The learnt model (coder-model.ts) is trained from exactly that
 *     index's titles, so it never sees a held-out one either; the same holds for (c).
 * (c) `legacy`: the 2019 titles (original KldB 2010) that are no longer in the 2025 list, neither by DKZ-ID nor by
 *     wording, coded with an index of the 2025 list (again without any entry equal to them) and scored against
 *     their 2019 code mapped through the crosswalk derived from the two lists.
 *
 * (b) and (c) read the BA's workbooks from ../shared at run time (they may not be copied into the repository) and
 * are reported as absent when the files are not there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Coder, defaultCoder } from '../src/taxonomy/coder.ts';
import { buildIndex, classificationSources, type IndexSource, officialSources } from '../src/taxonomy/coder-index.ts';
import { stem } from '../src/taxonomy/coder-terms.ts';
import { titleWords } from '../src/taxonomy/coder-text.ts';
import { buildCrosswalk, Crosswalk } from '../src/taxonomy/crosswalk.ts';
import { isKldbCode } from '../src/taxonomy/kldb.ts';
import { type OfficialTitle, readTitleWorkbook } from '../src/taxonomy/official-titles.ts';
import { SYNONYM_TITLES } from '../src/taxonomy/synonyms.ts';
import { TitleIndex } from '../src/taxonomy/title-index.ts';

const FIXTURE = new URL('../tests/fixtures/eval/kldb-titles.csv', import.meta.url);
const LISTS = resolve(import.meta.dirname, '../../shared/data/kldb2010/ba-gesamtberufsliste');
const LIST_2025 = resolve(LISTS, 'Gesamtberufsliste_der_BA_2025-12.xlsx');
const LIST_2019 = resolve(LISTS, 'Gesamtberufsliste_der_BA_Januar_2019.xlsx');
const DIGITS = [5, 3, 2] as const;
/** Every tenth DKZ-ID is held out (last digit 7): deterministic, and spread over the alphabet and the codes. */
const HELD_OUT_SPLIT = 7;
/** A second tenth, on which nothing was tuned. */
const CHECK_SPLIT = 3;
const showErrors = process.argv.includes('--errors');

interface Case {
  title: string;
  /** The right code; for (c) the crosswalk's main target. */
  code: string;
  /** Any of these counts as right in `top1_5_anyTarget` (c: every crosswalk target of the old code). */
  accepted?: string[];
  group?: string;
}

interface Outcome {
  c: Case;
  codes: string[];
  needsReview: boolean;
}

const round = (x: number) => Math.round(x * 1000) / 1000;
const share = (n: number, total: number) => (total === 0 ? 0 : round(n / total));

function metrics(outcomes: Outcome[]): Record<string, number> {
  const out: Record<string, number> = { n: outcomes.length };
  for (const d of DIGITS) {
    const hit = (o: Outcome, k: number) => o.codes.slice(0, k).some((c) => c.slice(0, d) === o.c.code.slice(0, d));
    out[`top1_${d}`] = share(outcomes.filter((o) => hit(o, 1)).length, outcomes.length);
    out[`top3_${d}`] = share(outcomes.filter((o) => hit(o, 3)).length, outcomes.length);
  }
  const accepted = outcomes.filter((o) => !o.needsReview);
  out.noCode = share(outcomes.filter((o) => o.codes.length === 0).length, outcomes.length);
  out.reviewRate = share(outcomes.length - accepted.length, outcomes.length);
  out.acceptedTop1_5 = share(accepted.filter((o) => o.codes[0] === o.c.code).length, accepted.length);
  if (outcomes.some((o) => o.c.accepted)) {
    out.top1_5_anyTarget = share(
      outcomes.filter((o) => (o.c.accepted ?? [o.c.code]).includes(o.codes[0] ?? '')).length,
      outcomes.length,
    );
  }
  return out;
}

function run(coder: Coder, cases: Case[], label: string): Outcome[] {
  const outcomes = cases.map((c) => {
    const result = coder.code({ title: c.title });
    return { c, codes: result.candidates.map((x) => x.code), needsReview: result.needsReview };
  });
  if (showErrors)
    for (const o of outcomes)
      if (o.codes[0] !== o.c.code) console.error(`${label}\t${o.c.code}\t${o.codes.join(',')}\t${o.c.title}`);
  return outcomes;
}

/** Mean warm time per title in microseconds (after one pass to warm caches and the JIT). */
function microsPerTitle(coder: Coder, titles: string[], passes = 5): number {
  for (const title of titles) coder.code({ title });
  const start = performance.now();
  for (let p = 0; p < passes; p++) for (const title of titles) coder.code({ title });
  return Math.round(((performance.now() - start) * 1000) / (titles.length * passes));
}

/** Words of a title, stemmed and sorted: equal keys are the same title for the leakage filter. */
const wordKey = (text: string) =>
  titleWords(text)
    .map((w) => stem(w))
    .sort()
    .join(' ');

function withoutTitles(sources: IndexSource[], titles: OfficialTitle[]): IndexSource[] {
  const keys = new Set(titles.flatMap((t) => [t.neutral, t.male, t.female].map(wordKey)));
  return sources.filter((s) => !keys.has(wordKey(s.text)));
}

function fixtureCases(): Case[] {
  return readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .slice(1)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [title = '', code = ''] = line.split(';');
      return { title, code };
    });
}

function byGroup(outcomes: Outcome[]): Record<string, Record<string, number>> {
  const groups = new Map<string, Outcome[]>();
  for (const o of outcomes) groups.set(o.c.group ?? '', [...(groups.get(o.c.group ?? '') ?? []), o]);
  return Object.fromEntries(
    [...groups].map(([g, list]) => [
      g,
      { n: list.length, top1_5: metrics(list).top1_5 as number, reviewRate: metrics(list).reviewRate as number },
    ]),
  );
}

const report: Record<string, unknown> = {};

// (a) the labelled ad titles
const fixture = fixtureCases();
const synonymKeys = new Set(SYNONYM_TITLES.map(([phrase]) => wordKey(phrase)));
const notSynonym = (o: Outcome) => !synonymKeys.has(wordKey(o.c.title));
let started = performance.now();
const classificationOnly = defaultCoder();
const defaultBuildMs = Math.round(performance.now() - started);
const aDefault = run(classificationOnly, fixture, 'a-default');
report.current = {
  classificationOnly: { ...metrics(aDefault), withoutSynonymTitles: metrics(aDefault.filter(notSynonym)) },
};
const timing: Record<string, number> = {
  defaultIndexBuildMs: defaultBuildMs,
  usPerTitleDefault: microsPerTitle(
    classificationOnly,
    fixture.map((c) => c.title),
  ),
};

if (!existsSync(LIST_2025) || !existsSync(LIST_2019)) {
  report.heldOut = report.legacy = `absent: the BA workbooks are not in ${LISTS}`;
} else {
  started = performance.now();
  const list2025 = await readTitleWorkbook(LIST_2025);
  const list2019 = await readTitleWorkbook(LIST_2019);
  timing.workbooksReadMs = Math.round(performance.now() - started);
  const current = list2025.titles.filter((t) => isKldbCode(t.code));
  const crosswalkRows = buildCrosswalk(list2019.titles, list2025.titles);
  const crosswalk = new Crosswalk(crosswalkRows);

  // (a) again, as production codes once the operator imported both lists.
  started = performance.now();
  const full = TitleIndex.build({ current, legacy: list2019.titles, crosswalk: crosswalkRows });
  timing.fullIndexBuildMs = Math.round(performance.now() - started);
  const aFull = run(full.coder, fixture, 'a-imported');
  (report.current as Record<string, unknown>).withTitleIndex = {
    ...metrics(aFull),
    withoutSynonymTitles: metrics(aFull.filter(notSynonym)),
  };
  timing.usPerTitleWithTitleIndex = microsPerTitle(
    full.coder,
    fixture.map((c) => c.title),
  );

  const snapshot = full.serialize();
  started = performance.now();
  const restored = TitleIndex.restore(snapshot, crosswalkRows);
  timing.snapshotRestoreMs = Math.round(performance.now() - started);
  timing.snapshotMegabytes = Math.round(snapshot.length / 100_000) / 10;
  // The snapshot stores the model's embeddings as bytes: the restored coder must code as the built one does.
  if (restored !== null)
    (report.current as Record<string, unknown>).withTitleIndexRestored = metrics(
      run(restored.coder, fixture, 'a-restored'),
    );

  // (b) held-out official titles. The coder was tuned on the first split; the second is the check that the tuning
  // did not just fit the first.
  const heldOutRun = (split: number, label: string) => {
    const heldOut = current.filter((t) => t.dkzId % 10 === split && t.state !== 'M');
    const train = current.filter((t) => t.dkzId % 10 !== split);
    const coder = new Coder(
      buildIndex([...withoutTitles(classificationSources(), heldOut), ...officialSources(train)], { model: true }),
    );
    const cases: Case[] = heldOut.map((t) => ({ title: t.neutral, code: t.code, group: t.state }));
    return { coder, heldOut, cases, outcomes: run(coder, cases, label) };
  };
  const b = heldOutRun(HELD_OUT_SPLIT, 'b');
  report.heldOut = {
    ...metrics(b.outcomes),
    byState: byGroup(b.outcomes),
    maleForm: metrics(
      run(
        b.coder,
        b.heldOut.map((t) => ({ title: t.male, code: t.code })),
        'b-male',
      ),
    ),
    otherSplit: metrics(heldOutRun(CHECK_SPLIT, 'b-check').outcomes),
  };
  timing.usPerTitleHeldOut = microsPerTitle(
    b.coder,
    b.cases.map((c) => c.title),
    2,
  );

  // (c) titles of 2019 that left the list, scored through the crosswalk
  const ids2025 = new Set(list2025.titles.map((t) => t.dkzId));
  const keys2025 = new Set(list2025.titles.flatMap((t) => [t.neutral, t.male, t.female].map(wordKey)));
  const gone = list2019.titles.filter(
    (t) =>
      !ids2025.has(t.dkzId) && t.state !== 'M' && !keys2025.has(wordKey(t.neutral)) && crosswalk.map(t.code) !== null,
  );
  const coderC = new Coder(
    buildIndex([...withoutTitles(classificationSources(), gone), ...officialSources(current)], { model: true }),
  );
  const casesC: Case[] = gone.map((t) => {
    const mapped = crosswalk.map(t.code);
    return {
      title: t.neutral,
      code: mapped?.code ?? t.code,
      accepted: [mapped?.code ?? t.code, ...(mapped?.alternatives.map((a) => a.code) ?? [])],
      group: mapped !== null && mapped.alternatives.length > 0 ? 'splitCode' : 'singleTarget',
    };
  });
  const outC = run(coderC, casesC, 'c');
  report.legacy = { ...metrics(outC), byCrosswalk: byGroup(outC) };
  report.crosswalk = {
    pairs: crosswalkRows.length,
    legacyCodes: crosswalk.size,
    titlesMoved: crosswalkRows.filter((r) => r.legacyCode !== r.code).reduce((n, r) => n + r.titles, 0),
  };
}
report.timing = timing;
console.log(JSON.stringify(report));
