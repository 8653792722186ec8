import { getTableColumns } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { vacancies } from '../../src/db/schema.ts';
import { RawPosting } from '../../src/domain/posting.ts';
import { normalisePosting } from '../../src/ingest/normalise.ts';
import {
  CONTENT_FIELDS,
  contentOf,
  INTERNAL_CONTENT,
  NormalisedVacancy,
  RECORD_COLUMNS,
  toSummary,
  toVacancyDocument,
  VacancyDetailJson,
  VacancyHitJson,
  VacancyReferenceJson,
  type VacancyRow,
  vacancyDetailJson,
  vacancyHitJson,
  vacancyReferenceJson,
} from '../../src/vacancies/vacancy.ts';

const columns = Object.keys(getTableColumns(vacancies));
const record = new Set<string>(RECORD_COLUMNS);
const content = new Set<string>(CONTENT_FIELDS);

/** A full row with a value in every column, none of them a default. */
const row: VacancyRow = {
  places: [],
  id: '00000000-0000-4000-8000-000000000001',
  status: 'open',
  referenceNumber: 'AG-2026-000001',
  employerId: '00000000-0000-4000-8000-000000000002',
  employerName: 'Beispiel Gastro GmbH',
  branchId: 1,
  submittedBy: '00000000-0000-4000-8000-000000000003',
  title: 'Koch / Köchin (m/w/d)',
  description: 'Die Beispiel Gastro GmbH sucht einen Koch. Hygieneschulung erforderlich.',
  kldbCode: '29302',
  kldbConfidence: 0.8,
  kldbNeedsReview: false,
  kldbConfirmedBy: '00000000-0000-4000-8000-000000000004',
  requirementLevel: 2,
  plz: '70173',
  place: 'Stuttgart',
  lat: 48.7784,
  lon: 9.18,
  remote: true,
  workingTimes: ['vollzeit', 'schicht_nacht_wochenende'],
  contractType: 'befristet',
  offerType: 'arbeit',
  salary: { min: 3000, max: 3400, currency: 'EUR', unit: 'month' },
  skills: ['HACCP'],
  licences: ['B'],
  languages: [{ language: 'de', level: 'B1' }],
  publishedAt: new Date('2026-11-18T08:00:00Z'),
  validThrough: new Date('2026-12-31T00:00:00Z'),
  startDate: new Date('2027-01-01T00:00:00Z'),
  contentHash: 'hash',
  createdAt: new Date('2026-11-18T09:00:00Z'),
  updatedAt: new Date('2026-11-19T09:00:00Z'),
  closedAt: null,
  closeReason: null,
  placementOrder: true,
  positions: 2,
  positionsFilled: 1,
  contactPerson: { name: 'Erika Muster (Demo)', email: 'personal@example.invalid' },
  applicationRoute: { kind: 'email', value: 'bewerbung@example.invalid' },
  assignedCaseworkerId: '00000000-0000-4000-8000-000000000005',
  statedPosting: { title: 'Koch / Köchin (m/w/d)', plz: '70173' },
};

describe('the vacancy shape', () => {
  it('maps every column of the table: to the content, or to the record list with a reason', () => {
    const unmapped = columns.filter((c) => !content.has(c) && !record.has(c));
    expect(unmapped, 'columns neither in NormalisedVacancy nor in RECORD_COLUMNS').toEqual([]);
    expect(RECORD_COLUMNS.filter((c) => content.has(c))).toEqual([]);
    expect(
      RECORD_COLUMNS.filter((c) => !columns.includes(c)),
      'RECORD_COLUMNS that are no columns',
    ).toEqual([]);
  });

  it('is what normalisation yields: every content field, nothing else', () => {
    const v = normalisePosting(
      RawPosting.parse({ externalId: 'e-1', title: 'Koch (m/w/d)', locations: [{ plz: '70173' }] }),
      { now: new Date('2026-11-20T09:00:00Z') },
    );
    // Ingest writes a normalised vacancy into the row as it is (insert and update spread it).
    expect(Object.keys(v).sort()).toEqual([...CONTENT_FIELDS].sort());
    expect(NormalisedVacancy.safeParse(v).success).toBe(true);
  });

  it('reads the content of a row back unchanged', () => {
    const v = contentOf(row, CONTENT_FIELDS);
    expect(NormalisedVacancy.parse(v)).toEqual(v);
    for (const field of CONTENT_FIELDS) expect(v[field], field).toEqual(row[field]);
  });
});

describe('public JSON', () => {
  const snake = (key: string) =>
    key === 'employerName' ? 'employer' : key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

  it('shows every content field in the detail, except the coder’s internal ones', () => {
    const detail = VacancyDetailJson.strict().parse(vacancyDetailJson(row, ['https://karriere.beispiel.invalid/1']));
    const shown = CONTENT_FIELDS.filter((f) => !(INTERNAL_CONTENT as readonly string[]).includes(f));
    for (const field of shown) expect(detail, field).toHaveProperty(snake(field));
    for (const field of INTERNAL_CONTENT) expect(detail).not.toHaveProperty(snake(field));
    expect(detail).toMatchObject({
      id: row.id,
      status: 'open',
      employer: 'Beispiel Gastro GmbH',
      kldb_code: '29302',
      kldb_title: expect.stringContaining('Köche'),
      working_times: ['vollzeit', 'schicht_nacht_wochenende'],
      published_at: '2026-11-18T08:00:00.000Z',
      valid_through: '2026-12-31T00:00:00.000Z',
      links: ['https://karriere.beispiel.invalid/1'],
    });
    // Nothing of the record: no employer or user ids, no reference number, no hash.
    for (const key of [
      'employer_id',
      'submitted_by',
      'reference_number',
      'content_hash',
      'kldb_confirmed_by',
      'contact_person',
      'assigned_caseworker_id',
    ]) {
      expect(detail).not.toHaveProperty(key);
    }
  });

  it('gives a hit the summary fields and the distance, never the description', () => {
    const summary = toSummary(toVacancyDocument(row));
    const hit = VacancyHitJson.strict().parse(vacancyHitJson({ ...summary, distanceKm: 3.16 }));
    expect(hit).toMatchObject({ id: row.id, employer: row.employerName, distance_km: 3.2 });
    expect(hit).not.toHaveProperty('description');
    expect(vacancyHitJson(summary).distance_km).toBeNull();
  });

  it('names a vacancy by one short reference', () => {
    expect(VacancyReferenceJson.strict().parse(vacancyReferenceJson({ ...row }))).toEqual({
      vacancy_id: row.id,
      title: row.title,
      employer: row.employerName,
      place: 'Stuttgart',
      plz: '70173',
      kldb_code: '29302',
      kldb_title: expect.stringContaining('Köche'),
    });
  });
});
