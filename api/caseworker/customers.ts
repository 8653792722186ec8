/**
 * Customer profiles for caseworkers, branch leads and admins (issue 10): list, read, create, change, and the CSV
 * import. Scoped to the reader's branch (admins all), every read and change audited (src/customers/profile.ts).
 * Protected attributes are never on the wire, in either direction. The answer's ETag is the record's version;
 * a PATCH with If-Match is refused (409) once someone else changed the record.
 */
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { z } from 'zod';
import type { Ctx } from '../../src/context.ts';
import { importCustomersCsv } from '../../src/customers/import-csv.ts';
import {
  type CustomerProfile,
  createCustomer,
  listCustomers,
  type ProfileAnswer,
  patchCustomer,
  readCustomerProfile,
} from '../../src/customers/profile.ts';
import { PROFILE_GROUP_LABEL, ProfileGroup } from '../../src/domain/enums.ts';
import { ValidationFailed } from '../../src/errors.ts';
import { problem } from '../errors.ts';
import type { AuthVariables } from '../middleware/auth.ts';
import { describe } from '../openapi.ts';
import { idParam, json, query, queryInteger } from '../validate.ts';
import { MAX_INTEGER_ID, queryBranchId } from '../wire.ts';
import { RestrictionJson, restrictionJson } from './customer-rights.ts';

/** The import's own body limit; api/app.ts must exempt this route from the global 256 KiB limit. */
export const CUSTOMER_IMPORT_MAX_BYTES = 20 * 1024 * 1024;
export const CUSTOMER_IMPORT_PATH = '/customers/import';

const ListParams = z
  .object({
    limit: queryInteger.pipe(z.number().min(1).max(200)).default(50),
    offset: queryInteger.pipe(z.number().min(0).max(1_000_000)).default(0),
    profile_group: ProfileGroup.optional(),
    branch: queryBranchId.optional(),
  })
  .strict();

const ImportParams = z
  .object({
    dry_run: z.enum(['true', 'false']).optional(),
    branch: queryBranchId.optional(),
    encoding: z.enum(['utf-8', 'windows-1252']).optional(),
  })
  .strict();

const Language = z.object({ language: z.string(), level: z.string() }).strict();
/** The wire body (snake_case); the verb checks the content, this only renames. */
const Body = z
  .object({
    case_number: z.string().nullable(),
    display_name: z.string(),
    // Bounded here: beyond the integer column's range the verb's lookup would fail instead of refusing.
    branch_id: z.number().max(MAX_INTEGER_ID),
    profile_group: z.string(),
    target_kldb_codes: z.array(z.string()),
    target_occupation_text: z.string(),
    qualifications: z.array(z.string()),
    skills: z.array(z.string()),
    licences: z.array(z.string()),
    languages: z.array(Language),
    plz: z.string(),
    max_commute_km: z.number(),
    working_times: z.array(z.string()),
    available_from: z.string(),
    consent: z.boolean(),
    contact_consent: z.boolean(),
    blocked_until: z.string().nullable(),
    blocked_reason: z.string().nullable(),
  })
  .partial()
  .strict();

const Iso = z.iso.datetime();
const CustomerJson = z.strictObject({
  id: z.string(),
  case_number: z.string().nullable(),
  display_name: z.string(),
  branch_id: z.number().int(),
  profile_group: ProfileGroup,
  profile_group_label: z.string(),
  target_kldb_codes: z.array(z.string()),
  qualifications: z.array(z.string()),
  skills: z.array(z.string()),
  licences: z.array(z.string()),
  languages: z.array(z.object({ language: z.string(), level: z.string() })),
  plz: z.string(),
  max_commute_km: z.number(),
  working_times: z.array(z.string()),
  available_from: z.iso.date(),
  consent: z.boolean(),
  contact_consent: z.boolean(),
  blocked_until: Iso.nullable(),
  blocked_reason: z.string().nullable(),
  ...RestrictionJson.shape,
  updated_at: Iso,
});
type CustomerJson = z.infer<typeof CustomerJson>;
/** A created or changed profile; with the coder's suggestions when `target_occupation_text` was sent. */
const ProfileAnswerJson = CustomerJson.extend({
  occupation_suggestions: z
    .array(z.strictObject({ kldb_code: z.string(), title: z.string(), confidence: z.number() }))
    .optional(),
});
const CustomerPageJson = z.strictObject({
  items: z.array(CustomerJson),
  total: z.number().int().min(0),
  next_offset: z.number().int().nullable(),
});
const ImportReportJson = z.strictObject({
  encoding: z.enum(['utf-8', 'windows-1252']),
  rows: z.number().int(),
  valid: z.number().int(),
  created: z.number().int(),
  updated: z.number().int(),
  dry_run: z.boolean(),
  problems: z.array(z.strictObject({ row: z.number().int(), field: z.string(), reason: z.string() })),
});
const ETAG = { ETag: { description: "The record's version, for If-Match", schema: { type: 'string' as const } } };

const camel = (key: string) => key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
// biome-ignore lint/suspicious/noExplicitAny: the verb's strict schema checks every value.
const toInput = (body: Record<string, unknown>): any =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [camel(k), v]));

const etagOf = (c: CustomerProfile) => `"${c.updatedAt.toISOString()}"`;

function customerJson(c: CustomerProfile): CustomerJson {
  return {
    id: c.id,
    case_number: c.caseNumber,
    display_name: c.displayName,
    branch_id: c.branchId,
    profile_group: c.profileGroup,
    profile_group_label: PROFILE_GROUP_LABEL[c.profileGroup],
    target_kldb_codes: c.targetKldbCodes,
    qualifications: c.qualifications,
    skills: c.skills,
    licences: c.licences,
    languages: c.languages,
    plz: c.plz,
    max_commute_km: c.maxCommuteKm,
    working_times: c.workingTimes,
    available_from: c.availableFrom.toISOString().slice(0, 10),
    consent: c.consent,
    contact_consent: c.contactConsent,
    blocked_until: c.blockedUntil?.toISOString() ?? null,
    blocked_reason: c.blockedReason,
    ...restrictionJson(c),
    updated_at: c.updatedAt.toISOString(),
  };
}

function answerJson(a: ProfileAnswer): z.infer<typeof ProfileAnswerJson> {
  return {
    ...customerJson(a.customer),
    ...(a.suggestions
      ? {
          occupation_suggestions: a.suggestions.map((s) => ({
            kldb_code: s.code,
            title: s.title,
            confidence: s.confidence,
          })),
        }
      : {}),
  };
}

function ifMatch(header: string | undefined): Date | undefined {
  if (header === undefined) return undefined;
  const date = new Date(header.replace(/^W\//, '').replace(/"/g, ''));
  if (Number.isNaN(date.getTime())) {
    throw new ValidationFailed('Ungültige Kopfzeile', [
      { path: 'if-match', message: 'erwartet: ETag der letzten Antwort' },
    ]);
  }
  return date;
}

/** Part of the caseworkers' audience (api/v1.ts puts authentication in front). */
export function customerRoutes({ ctx }: { ctx: Ctx }) {
  const app = new Hono<{ Variables: AuthVariables }>();

  app.get(
    '/customers',
    describe({
      operationId: 'listCustomers',
      summary: "Customers of the reader's branch (admins: all, or one branch)",
      responses: { 200: { description: 'One page of profiles', body: CustomerPageJson } },
      // Another branch than the reader's.
      problems: [403],
    }),
    query(ListParams),
    async (c) => {
      const p = c.req.valid('query');
      const page = await listCustomers(ctx, c.get('actor'), {
        limit: p.limit,
        offset: p.offset,
        profileGroup: p.profile_group,
        branchId: p.branch,
      });
      const next = p.offset + page.items.length;
      return c.json({
        items: page.items.map(customerJson),
        total: page.total,
        next_offset: next < page.total ? next : null,
      });
    },
  );

  app.post(
    '/customers',
    describe({
      operationId: 'createCustomer',
      summary: 'Create a customer profile (matched at once)',
      responses: { 201: { description: 'The new profile', body: ProfileAnswerJson, headers: ETAG } },
      // Another branch than the reader's; a case number that exists.
      problems: [403, 409],
    }),
    json(Body),
    async (c) => {
      const answer = await createCustomer({ ctx, actor: c.get('actor'), input: toInput(c.req.valid('json')) });
      c.header('ETag', etagOf(answer.customer));
      return c.json(answerJson(answer), 201);
    },
  );

  app.post(
    CUSTOMER_IMPORT_PATH,
    describe({
      operationId: 'importCustomers',
      summary: 'Import customers from the case management system (CSV, upsert by case number)',
      description:
        'Semicolon-separated, UTF-8 or Windows-1252; all valid rows in one transaction, invalid rows reported. ' +
        'Up to 20 MB; `dry_run=true` only reports.',
      requestBody: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: {
              type: 'object',
              properties: { file: { type: 'string', contentMediaType: 'text/csv', description: 'The CSV file' } },
              required: ['file'],
            },
          },
        },
      },
      responses: {
        200: { description: 'What was (or would be) imported, and every refused row', body: ImportReportJson },
      },
      problems: [403, 413, 415],
    }),
    bodyLimit({
      maxSize: CUSTOMER_IMPORT_MAX_BYTES,
      onError: (c) =>
        problem(c, 413, { title: 'Anfrage zu groß', code: 'too_large', detail: 'Höchstens 20 MB je Importdatei' }),
    }),
    query(ImportParams),
    async (c) => {
      const p = c.req.valid('query');
      if (!(c.req.header('content-type') ?? '').toLowerCase().startsWith('multipart/form-data')) {
        return problem(c, 415, {
          title: 'Falsches Format',
          code: 'unsupported_media_type',
          detail: 'Die Datei wird als multipart/form-data im Feld "file" gesendet.',
        });
      }
      const form = await c.req.parseBody();
      const file = form.file;
      if (!(file instanceof File)) {
        throw new ValidationFailed('Datei fehlt', [{ path: 'file', message: 'CSV-Datei im Feld "file" erwartet' }]);
      }
      const report = await importCustomersCsv({
        ctx,
        actor: c.get('actor'),
        bytes: new Uint8Array(await file.arrayBuffer()),
        branchId: p.branch,
        dryRun: p.dry_run === 'true',
        encoding: p.encoding,
      });
      return c.json({
        encoding: report.encoding,
        rows: report.rows,
        valid: report.valid,
        created: report.created,
        updated: report.updated,
        dry_run: report.dryRun,
        problems: report.problems,
      });
    },
  );

  app.get(
    '/customers/:id',
    describe({
      operationId: 'getCustomer',
      summary: 'One customer profile',
      responses: { 200: { description: 'The profile', body: CustomerJson, headers: ETAG } },
      problems: [403],
    }),
    idParam('Kunde'),
    async (c) => {
      const customer = await readCustomerProfile(ctx, c.get('actor'), c.req.valid('param').id);
      c.header('ETag', etagOf(customer));
      return c.json(customerJson(customer));
    },
  );

  app.patch(
    '/customers/:id',
    describe({
      operationId: 'updateCustomer',
      summary: 'Change a customer profile (re-matched at once)',
      description: 'With `If-Match` (the ETag of the last answer) a change made meanwhile by someone else is refused.',
      parameters: [
        {
          name: 'If-Match',
          in: 'header',
          required: false,
          description: 'The ETag of the last answer',
          schema: { type: 'string' },
        },
      ],
      responses: { 200: { description: 'The changed profile', body: ProfileAnswerJson, headers: ETAG } },
      problems: [403, 409],
    }),
    idParam('Kunde'),
    json(Body),
    async (c) => {
      const answer = await patchCustomer({
        ctx,
        actor: c.get('actor'),
        id: c.req.valid('param').id,
        input: toInput(c.req.valid('json')),
        expectedUpdatedAt: ifMatch(c.req.header('if-match')),
      });
      c.header('ETag', etagOf(answer.customer));
      return c.json(answerJson(answer));
    },
  );

  return app;
}
