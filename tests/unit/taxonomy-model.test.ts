/**
 * The learnt title model (coder-model.ts) and the compound split on the written word (coder-terms.ts): titles the
 * index has never seen, coded from the other titles of their code. The titles are invented, so only what the
 * examples teach can code them.
 */
import { describe, expect, it } from 'vitest';
import { Coder } from '../../src/taxonomy/coder.ts';
import { buildIndex, type IndexSource } from '../../src/taxonomy/coder-index.ts';
import { TitleModel, titleFeatures } from '../../src/taxonomy/coder-model.ts';
import { stem, TermMaker } from '../../src/taxonomy/coder-terms.ts';
import { titleWords } from '../../src/taxonomy/coder-text.ts';
import { deserializeIndex, serializeIndex } from '../../src/taxonomy/index-snapshot.ts';

/** Invented heads: "-flicker" titles are one code, "-schwurbler" titles another. */
const FRONTS = ['Brommel', 'Zurbel', 'Kammel', 'Wuppel', 'Plinsel', 'Gnatzel', 'Fimmel', 'Quassel'];
const SOURCES: IndexSource[] = [
  ...FRONTS.map((front) => ({ code: '24412', text: `${front}flicker/in`, factor: 1 })),
  ...FRONTS.map((front) => ({ code: '71402', text: `${front}schwurbler/in`, factor: 1 })),
];

const features = (terms: TermMaker, title: string) => {
  const words = titleWords(title);
  return titleFeatures(
    words.flatMap((w) => terms.terms(w)),
    words,
  );
};

describe('the learnt title model', () => {
  const withModel = new Coder(buildIndex(SOURCES, { model: true }));
  const withoutModel = new Coder(buildIndex(SOURCES));

  it('codes an unseen title from the letters its code’s titles share, where title matching finds nothing', () => {
    // No indexed word, no known part, too far from every word for a typo: the matching alone has no code.
    expect(withoutModel.code({ title: 'Trottelflicker (m/w/d)' }).best).toBeNull();
    expect(withModel.code({ title: 'Trottelflicker (m/w/d)' }).best?.code).toBe('24412');
    expect(withModel.code({ title: 'Trottelschwurblerin' }).best?.code).toBe('71402');
  });

  it('sends such a guess to review with the model’s other candidates', () => {
    const result = withModel.code({ title: 'Trottelflicker' });
    expect(result.candidates.length).toBeGreaterThan(1);
    expect(result.candidates.map((c) => c.code)).toContain('24412');
  });

  it('trains the same model from the same titles', () => {
    const terms = withModel.index.termMaker;
    const examples = SOURCES.map((s) => ({ code: s.code, features: features(terms, s.text) }));
    const predict = (model: TitleModel) => model.predict(model.place(features(terms, 'Trottelflicker'))!, 3);
    const a = predict(TitleModel.train(examples));
    const b = predict(TitleModel.train(examples));
    expect([...a]).toEqual([...b]);
    const total = [...a.values()].reduce((x, y) => x + y, 0);
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThanOrEqual(1 + 1e-9);
  });

  it('finds the nearest training titles in the code whose titles share the unseen title’s letters', () => {
    const model = withModel.index.model;
    const place = model?.place(features(withModel.index.termMaker, 'Trottelflicker'));
    const near = place && model?.nearest(place, ['24412', '71402']);
    const flicker = near?.get('24412') ?? 0;
    expect(flicker).toBeGreaterThan(near?.get('71402') ?? 1);
    expect(flicker).toBeLessThanOrEqual(1);
  });

  it('codes the same after a round trip through the index snapshot (embeddings stored as bytes)', () => {
    const restored = deserializeIndex(serializeIndex(withModel.index, new Map()));
    expect(restored?.index.model).not.toBeNull();
    const coder = new Coder(restored?.index ?? withModel.index);
    for (const title of ['Trottelflicker', 'Trottelschwurblerin', 'Brommelflicker'])
      expect(coder.code({ title }).best?.code).toBe(withModel.code({ title }).best?.code);
  });

  it('predicts nothing for a title none of whose features it knows', () => {
    expect(withModel.modelScores(titleWords('xyz')).size).toBe(0);
  });
});

describe('compound split on the written word', () => {
  it('finds the head the stem of the compound hides', () => {
    // "raumreiniger" stems to "raumrein", "reiniger" to "reinig": only the written word splits.
    const terms = new TermMaker(new Set([stem('reiniger'), stem('raum')]));
    expect(terms.split(stem('raumreiniger'))).toBeNull();
    expect(terms.surfaceSplit('raumreiniger')).toEqual([stem('raum'), stem('reiniger')]);
    expect(terms.terms('raumreinigerin').map(([t]) => t)).toContain(stem('reiniger'));
  });
});
