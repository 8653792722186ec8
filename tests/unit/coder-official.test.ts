/**
 * The BA's title index and the crosswalk, on small synthetic workbooks in the BA's layout (the real ones may not be
 * copied into the repository), and the coder on how people really write titles.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../src/errors.ts';
import { codeOccupation, defaultCoder } from '../../src/taxonomy/coder.ts';
import { buildCrosswalk, Crosswalk } from '../../src/taxonomy/crosswalk.ts';
import { indexFingerprint } from '../../src/taxonomy/index-snapshot.ts';
import { type OfficialTitle, readTitleWorkbook } from '../../src/taxonomy/official-titles.ts';
import { installTitleIndex, mapLegacyKldb, mapLegacyTitle, TitleIndex } from '../../src/taxonomy/title-index.ts';
import { titleWorkbook } from '../helpers/title-workbook.ts';

const t = (dkzId: number, code: string, state: OfficialTitle['state'], neutral: string): OfficialTitle => ({
  dkzId,
  code,
  state,
  neutral,
  male: neutral.replace(/\/in\b/g, ''),
  female: neutral.replace(/\/in\b/g, 'in'),
});

/** Invented titles no classification knows, so only the imported list can code them. */
const CURRENT = [
  t(900001, '24412', 'E', 'Quantenkesselflicker/in'),
  t(900002, '71402', 'E', 'Wolkenschieber/in'),
  t(900003, '62102', 'R', 'Wolkenschieber/in'),
  t(900004, '83113', 'E', 'Erzieher/in - Jugend- und Heimerziehung'),
  t(900005, '83112', 'E', 'Kinderpfleger/in'),
  t(900006, '83113', 'E', 'Erzieher/in'),
  t(900007, '81772', 'E', 'Podologe/Podologin'),
];
/** The same ids coded with the original KldB 2010, plus one title the newer list dropped. */
const LEGACY = [
  t(900004, '83112', 'E', 'Erzieher/in - Jugend- und Heimerziehung'),
  t(900005, '83112', 'E', 'Kinderpfleger/in'),
  t(900006, '83112', 'E', 'Erzieher/in'),
  t(900007, '81122', 'E', 'Podologe/Podologin'),
  t(900008, '83112', 'T', 'Hortnerin/Hortner'),
  t(900009, '24412', 'T', 'Sternenkesselschmied/in'),
];

afterEach(() => installTitleIndex(null));

describe('readTitleWorkbook', () => {
  it('reads the BA layout: imprint date, header after empty rows, three forms, state', async () => {
    const file = await titleWorkbook(
      [
        { dkzId: '4233', code: 'B 32101-10600', state: 'R', neutral: 'Abbrucharbeiter/in' },
        {
          dkzId: 8202,
          code: 'B 42324-103',
          state: 'E',
          neutral: 'Abfallbeauftragte/r',
          male: 'Abfallbeauftragter',
          female: 'Abfallbeauftragte',
        },
        { dkzId: 'x', code: 'B 42324-103', state: 'E', neutral: 'Ohne gültige ID' },
        { dkzId: 77, code: '42324', state: 'Q' as 'E', neutral: 'Unbekannter Zustand' },
        { dkzId: 78, code: 'A 12345-100', state: 'E', neutral: 'Kein B-Code' },
      ],
      { asOf: '29.12.2025' },
    );
    const list = await readTitleWorkbook(file);
    expect(list.asOf).toBe('29.12.2025');
    expect(list.skipped).toBe(3);
    expect(list.titles).toEqual([
      {
        dkzId: 4233,
        code: '32101',
        state: 'R',
        neutral: 'Abbrucharbeiter/in',
        male: 'Abbrucharbeiter',
        female: 'Abbrucharbeiterin',
      },
      {
        dkzId: 8202,
        code: '42324',
        state: 'E',
        neutral: 'Abfallbeauftragte/r',
        male: 'Abfallbeauftragter',
        female: 'Abfallbeauftragte',
      },
    ]);
  });

  it('finds the title sheet under another name and refuses what is not a title list', async () => {
    const renamed = await titleWorkbook([{ dkzId: 1, code: '29302', state: 'E', neutral: 'Koch/Köchin' }], {
      sheet: 'Tabelle1',
    });
    expect((await readTitleWorkbook(renamed)).titles).toHaveLength(1);
    await expect(readTitleWorkbook(Buffer.from('kein Excel'))).rejects.toBeInstanceOf(ValidationFailed);
    const empty = await titleWorkbook([]);
    await expect(readTitleWorkbook(empty)).rejects.toThrow(/keine gültigen Zeilen/);
  });
});

describe('coder with an imported title index', () => {
  const index = TitleIndex.build({ current: CURRENT, legacy: LEGACY, crosswalk: buildCrosswalk(LEGACY, CURRENT) });

  it('codes titles only the list knows, in every form, capitals and with a typo', () => {
    for (const title of [
      'Quantenkesselflicker (m/w/d)',
      'Quantenkesselflickerin',
      'QUANTENKESSELFLICKER',
      'Quantenkesselflikker',
    ]) {
      expect(index.coder.code({ title }).best?.code).toBe('24412');
    }
    expect(defaultCoder().code({ title: 'Quantenkesselflicker' }).best?.code).not.toBe('24412');
    expect(index.coder.index.officialTitles).toBe(CURRENT.length);
  });

  it('weighs a current title above an outdated one with the same words', () => {
    expect(index.coder.code({ title: 'Wolkenschieberin' }).best?.code).toBe('71402');
  });

  it('keeps titles only the older list has, under the code the crosswalk gives', () => {
    expect(index.coder.code({ title: 'Sternenkesselschmied' }).best?.code).toBe('24412');
  });

  it('is what codeOccupation uses once installed, and the classification file alone after', () => {
    installTitleIndex(index);
    expect(codeOccupation({ title: 'Quantenkesselflicker' }).best?.code).toBe('24412');
    installTitleIndex(null);
    expect(codeOccupation({ title: 'Quantenkesselflicker' }).best?.code).not.toBe('24412');
  });

  it('reads back from its snapshot with the same results', () => {
    const restored = TitleIndex.restore(index.serialize(), buildCrosswalk(LEGACY, CURRENT));
    expect(restored).not.toBeNull();
    for (const title of [
      'Quantenkesselflikker',
      'Wolkenschieberin',
      'Koch (m/w/d)',
      'Lagerhefler',
      'Teamleiter Lager',
    ]) {
      expect(restored?.coder.code({ title })).toEqual(index.coder.code({ title }));
    }
    expect(restored?.currentCodeOfLegacyTitle('Erzieherin')).toBe('83113');
    expect(indexFingerprint()).toMatch(/^[\w-]{22}$/);
  });
});

describe('crosswalk from the original KldB 2010 to the 2020 revision', () => {
  const crosswalk = new Crosswalk(buildCrosswalk(LEGACY, CURRENT));

  it('maps an old code to where most of its titles went, with the rest as alternatives', () => {
    expect(crosswalk.map('83112')).toEqual({
      code: '83113',
      share: 0.667,
      alternatives: [{ code: '83112', share: 0.333 }],
      basis: 'crosswalk',
    });
    expect(crosswalk.map('81122')).toMatchObject({ code: '81772', share: 1, alternatives: [] });
    // A code no title of the lists moved keeps its number when the revision has it.
    expect(crosswalk.map('29302')).toMatchObject({ code: '29302', basis: 'unchanged' });
    expect(crosswalk.map('99999')).toBeNull();
  });

  it('is used by mapLegacyKldb and mapLegacyTitle once installed', () => {
    // Without an import: only codes the revision has, unchanged.
    expect(mapLegacyKldb('81122')).toBeNull();
    expect(mapLegacyKldb('29302')).toMatchObject({ code: '29302', basis: 'unchanged' });
    installTitleIndex(
      TitleIndex.build({ current: CURRENT, legacy: LEGACY, crosswalk: buildCrosswalk(LEGACY, CURRENT) }),
    );
    expect(mapLegacyKldb('81122')?.code).toBe('81772');
    // The title itself is in the older list and still current: its DKZ-ID decides.
    expect(mapLegacyTitle('Kinderpflegerin', '83112')).toEqual({ code: '83112', basis: 'title', confidence: 1 });
    // A title the lists do not have: the old code's targets, ranked by the title.
    expect(mapLegacyTitle('Erzieher im Kinderheim', '83112')).toMatchObject({
      code: '83113',
      basis: 'crosswalk+title',
    });
    expect(mapLegacyTitle('Fußpfleger', '81122')).toMatchObject({ code: '81772', basis: 'crosswalk' });
  });
});

describe('titles as people write them (classification file alone)', () => {
  const best = (title: string, hints?: string[]) => codeOccupation({ title, hints }).best?.code;

  it.each([
    // capitals, gender forms and suffixes
    ['LAGERHELFER (M/W/D)', '51311'],
    ['VERKÄUFERIN IN TEILZEIT', '62102'],
    ['ErzieherIn', '83113'],
    ['Mitarbeiter*innen Kasse', '62112'],
    ['Hotelfachfrau', '63222'],
    ['Koch (m/w/div.)', '29302'],
    // typos
    ['Lagerhefler', '51311'],
    ['Kommisionierer', '51312'],
    ['Berufskraftfahrrer', '52122'],
    ['Elecktriker', '26212'],
    // qualifiers and degrees set the level
    ['Dipl.-Ing. Maschinenbau', '25104'],
    ['B.Sc. Informatik', '43103'],
    // leadership: the field's Aufsichts- or Führungskraft, a Hausmeister is no master
    ['Teamleiter Lager', '51393'],
    ['Leitung Buchhaltung', '72294'],
    ['Meister Elektrotechnik', '26393'],
    ['Hausmeister (m/w/d)', '34102'],
    // English titles through the head-noun table
    ['Warehouse Associate', '51311'],
    ['Kitchen Helper', '29301'],
    ['Forklift Driver', '52531'],
    ['Head of Finance', '72294'],
    // compounds the classification lists no title for: their parts
    ['Zahnradschleifer', '24222'],
    ['Pferdemetzger', '29232'],
  ])('codes %s as %s', (title, code) => {
    expect(best(title)).toBe(code);
  });

  it('takes a source hint that names a title or a code before the title', () => {
    expect(best('Mitarbeiter (m/w/d)', ['Fachkraft - Lagerlogistik'])).toBe('51312');
    expect(best('Top-Job in Stuttgart', ['43414'])).toBe('43414');
    // A coarse category that matches no title loosely counts less than the title.
    expect(best('Koch (m/w/d)', ['Gastronomie'])).toBe('29302');
  });
});
