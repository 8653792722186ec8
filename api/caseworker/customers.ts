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
import { idParam, json, query, queryInteger } from '../validate.ts';

/** The import's own body limit; api/app.ts must exempt this route from the global 256 KiB limit. */
export const CUSTOMER_IMPORT_MAX_BYTES = 20 * 1024 * 1024;
export const CUSTOMER_IMPORT_PATH = '/customers/import';

const ListParams = z
  .object({
    limit: queryInteger.pipe(z.number().min(1).max(200)).default(50),
    offset: queryInteger.pipe(z.number().min(0).max(1_000_000)).default(0),
    profile_group: ProfileGroup.optional(),
    branch: queryInteger.pipe(z.number().int().positive()).optional(),
  })
  .strict();

const ImportParams = z
  .object({
    dry_run: z.enum(['true', 'false']).optional(),
    branch: queryInteger.pipe(z.number().int().positive()).optional(),
    encoding: z.enum(['utf-8', 'windows-1252']).optional(),
  })
  .strict();

const Language = z.object({ language: z.string(), level: z.string() }).strict();
/** The wire body (snake_case); the verb checks the content, this only renames. */
const Body = z
  .object({
    case_number: z.string().nullable(),
    display_name: z.string(),
    branch_id: z.number(),
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

const camel = (key: string) => key.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());
// biome-ignore lint/suspicious/noExplicitAny: the verb's strict schema checks every value.
const toInput = (body: Record<string, unknown>): any =>
  Object.fromEntries(Object.entries(body).map(([k, v]) => [camel(k), v]));

const etagOf = (c: CustomerProfile) => `"${c.updatedAt.toISOString()}"`;

function customerJson(c: CustomerProfile) {
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
    updated_at: c.updatedAt.toISOString(),
  };
}

function answerJson(a: ProfileAnswer) {
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

  app.get('/customers', query(ListParams), async (c) => {
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
  });

  app.post('/customers', json(Body), async (c) => {
    const answer = await createCustomer({ ctx, actor: c.get('actor'), input: toInput(c.req.valid('json')) });
    c.header('ETag', etagOf(answer.customer));
    return c.json(answerJson(answer), 201);
  });

  app.post(
    CUSTOMER_IMPORT_PATH,
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

  app.get('/customers/:id', idParam('Kunde'), async (c) => {
    const customer = await readCustomerProfile(ctx, c.get('actor'), c.req.valid('param').id);
    c.header('ETag', etagOf(customer));
    return c.json(customerJson(customer));
  });

  app.patch('/customers/:id', idParam('Kunde'), json(Body), async (c) => {
    const answer = await patchCustomer({
      ctx,
      actor: c.get('actor'),
      id: c.req.valid('param').id,
      input: toInput(c.req.valid('json')),
      expectedUpdatedAt: ifMatch(c.req.header('if-match')),
    });
    c.header('ETag', etagOf(answer.customer));
    return c.json(answerJson(answer));
  });

  return app;
}
