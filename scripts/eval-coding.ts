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
 *     `withLegacyTitles` builds the index as production does once both lists are imported: with the older list's own
 *     titles too (not those of held-out ids, nor any equal to a held-out title).
 * (c) `legacy`: the 2019 titles (original KldB 2010) that are no longer in the 2025 list, neither by DKZ-ID nor by
 *     wording, coded with an index of the 2025 list (again without any entry equal to them) and scored against
 *     their 2019 code mapped through the crosswalk derived from the two lists. Where the revision split the old
 *     code, the right target is the one whose moved titles read most like the title (letter trigrams, independent of
 *     the coder); `top1_5_mainTarget` scores against the target most titles went to, as before.
 *
 * Each set reports its misses by class (`misses`); `--misses` prints 50 of them per set, drawn evenly, to stderr.
 * (b) and (c) read the BA's workbooks from ../shared at run time (they may not be copied into the repository) and
 * are reported as absent when the files are not there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { Coder, defaultCoder } from '../src/taxonomy/coder.ts';
import {
  buildIndex,
  classificationSources,
  type IndexSource,
  LEGACY_FACTOR,
  officialSources,
} from '../src/taxonomy/coder-index.ts';
import { stem } from '../src/taxonomy/coder-terms.ts';
import { cleanTitle, titleWords } from '../src/taxonomy/coder-text.ts';
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
const showMisses = process.argv.includes('--misses');
const MISS_SAMPLE = 50;

interface Case {
  title: string;
  /** The right code; for (c) the crosswalk target the title reads most like. */
  code: string;
  /** Any of these counts as right in `top1_5_anyTarget` (c: every crosswalk target of the old code). */
  accepted?: string[];
  /** (c): the target most of the old code's titles went to. */
  mainTarget?: string;
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
  if (outcomes.some((o) => o.c.mainTarget)) {
    out.top1_5_mainTarget = share(
      outcomes.filter((o) => o.codes[0] === (o.c.mainTarget ?? o.c.code)).length,
      outcomes.length,
    );
  }
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
  if (showMisses) {
    const misses = outcomes.filter((o) => o.codes[0] !== o.c.code);
    const step = Math.max(1, misses.length / MISS_SAMPLE);
    for (let i = 0; i < Math.min(MISS_SAMPLE, misses.length); i++) {
      const o = misses[Math.floor(i * step)] as Outcome;
      const [digits, shape] = missClass(o);
      console.error(`${label}\t${digits}\t${shape}\t${o.c.code}\t${o.codes[0] ?? '-'}\t${o.c.title}`);
    }
  }
  return outcomes;
}

/** Generic heads whose field the rest of the title names, and whose level the BA sets unevenly. */
const GENERIC_HEAD =
  /(?:ingenieur|berater|manager|assistent|techniker|meister|leiter|referent|fachwirt|betriebswirt|kaufmann|fachkraft|helfer|lehrer|arbeiter)/;

/**
 * A miss's class: how far up the classification the coder was right (level only: the first four digits right;
 * Berufsuntergruppe: three; Berufsgruppe: two; Berufshauptgruppe: one; area: none), and the title's shape.
 */
function missClass(o: Outcome): [digits: string, shape: string] {
  const got = o.codes[0] ?? '';
  let n = 0;
  while (n < 5 && got[n] === o.c.code[n]) n++;
  const digits = ['area', 'hauptgruppe', 'gruppe', 'untergruppe', 'level', 'right'][n] as string;
  const title = cleanTitle(o.c.title);
  const words = titleWords(title);
  const first = words[0] ?? '';
  const shape = /\s[-–]\s/.test(title)
    ? 'head - field'
    : title.includes('(')
      ? 'with brackets'
      : GENERIC_HEAD.test(first) && words.length === 1
        ? 'generic head compound'
        : words.length === 1
          ? 'one word'
          : 'several words';
  return [digits, shape];
}

function missClasses(outcomes: Outcome[]): Record<string, Record<string, number>> {
  const byDigits: Record<string, number> = {};
  const byShape: Record<string, number> = {};
  for (const o of outcomes) {
    if (o.codes[0] === o.c.code) continue;
    const [digits, shape] = missClass(o);
    byDigits[digits] = (byDigits[digits] ?? 0) + 1;
    byShape[shape] = (byShape[shape] ?? 0) + 1;
  }
  return { byDigits, byShape };
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

/** Letter trigrams of a title's words: a reading of the title that owes nothing to the coder. */
function trigrams(title: string): Set<string> {
  const out = new Set<string>();
  for (const word of titleWords(title)) {
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) out.add(padded.slice(i, i + 3));
  }
  return out;
}

function dice(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return a.size + b.size === 0 ? 0 : (2 * shared) / (a.size + b.size);
}

/** Old code → new code → trigrams of each older title (by DKZ-ID) that went from the one to the other. */
function movedTitlesByTarget(
  legacy: OfficialTitle[],
  current: OfficialTitle[],
): Map<string, Map<string, Set<string>[]>> {
  const codeById = new Map(current.map((t) => [t.dkzId, t.code]));
  const out = new Map<string, Map<string, Set<string>[]>>();
  for (const t of legacy) {
    const code = codeById.get(t.dkzId);
    if (code === undefined) continue;
    const byTarget = out.get(t.code) ?? new Map<string, Set<string>[]>();
    out.set(t.code, byTarget);
    byTarget.set(code, [...(byTarget.get(code) ?? []), trigrams(t.neutral)]);
  }
  return out;
}

/**
 * Of the targets a split old code has, the one whose moved titles include the title most like this one; the main
 * target (`targets[0]`) when none is alike at all.
 */
function targetByTitle(
  title: OfficialTitle,
  targets: string[],
  moved: Map<string, Map<string, Set<string>[]>>,
): string {
  const own = trigrams(title.neutral);
  let best = targets[0] as string;
  let bestScore = 0;
  for (const target of targets) {
    for (const other of moved.get(title.code)?.get(target) ?? []) {
      const score = dice(own, other);
      if (score > bestScore) {
        bestScore = score;
        best = target;
      }
    }
  }
  return best;
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
  // The same split with the index production builds from both lists: the older list's own titles (ids the current
  // list lacks, under the code the crosswalk gives) are in it, minus any that reads like a held-out title.
  const heldOutWithLegacyRun = (split: number) => {
    const heldOut = current.filter((t) => t.dkzId % 10 === split && t.state !== 'M');
    const train = current.filter((t) => t.dkzId % 10 !== split);
    const currentIds = new Set(current.map((t) => t.dkzId));
    const trainCrosswalk = new Crosswalk(buildCrosswalk(list2019.titles, train));
    const legacyOnly = list2019.titles.flatMap((t) => {
      const mapped = currentIds.has(t.dkzId) || t.state === 'M' ? null : trainCrosswalk.map(t.code);
      return mapped === null ? [] : [{ ...t, code: mapped.code }];
    });
    const coder = new Coder(
      buildIndex(
        [
          ...withoutTitles(classificationSources(), heldOut),
          ...officialSources(train),
          ...withoutTitles(
            officialSources(legacyOnly, () => LEGACY_FACTOR),
            heldOut,
          ),
        ],
        { model: true },
      ),
    );
    const cases: Case[] = heldOut.map((t) => ({ title: t.neutral, code: t.code }));
    return { outcomes: run(coder, cases, 'b-legacy') };
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
    withLegacyTitles: metrics(heldOutWithLegacyRun(HELD_OUT_SPLIT).outcomes),
  };
  (report.heldOut as Record<string, unknown>).misses = missClasses(b.outcomes);
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
  const movedTitles = movedTitlesByTarget(list2019.titles, list2025.titles);
  const casesC: Case[] = gone.map((t) => {
    const mapped = crosswalk.map(t.code);
    const main = mapped?.code ?? t.code;
    const accepted = [main, ...(mapped?.alternatives.map((a) => a.code) ?? [])];
    return {
      title: t.neutral,
      code: accepted.length > 1 ? targetByTitle(t, accepted, movedTitles) : main,
      accepted,
      mainTarget: main,
      group: accepted.length > 1 ? 'splitCode' : 'singleTarget',
    };
  });
  const outC = run(coderC, casesC, 'c');
  report.legacy = { ...metrics(outC), byCrosswalk: byGroup(outC), misses: missClasses(outC) };
  report.crosswalk = {
    pairs: crosswalkRows.length,
    legacyCodes: crosswalk.size,
    titlesMoved: crosswalkRows.filter((r) => r.legacyCode !== r.code).reduce((n, r) => n + r.titles, 0),
  };
}
// Timings of a loaded machine are inflated: the load average says how much, and the classification-only coder
// (usPerTitleDefault), timed in the same run, is the baseline to compare with.
report.timing = { ...timing, loadAverage: loadavg().map((x) => Math.round(x * 10) / 10) };
console.log(JSON.stringify(report));
