/** Source records: where vacancies come from, under which legal basis, how often they are crawled. */
import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Actor } from '../audit/record.ts';
import { recordAudit } from '../audit/record.ts';
import { type Ctx, withTransaction } from '../context.ts';
import { sources } from '../db/schema.ts';
import { SourceType } from '../domain/enums.ts';
import { issuesOf, NotFound, ValidationFailed } from '../errors.ts';
import { SOURCE_CONFIG } from './source-config.ts';

/** "30m", "2h", "1d" → minutes. */
export function parseInterval(text: string): number | undefined {
  const m = /^(\d+)\s*(m|min|h|d)$/i.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2]!.toLowerCase();
  const minutes = unit === 'd' ? n * 1440 : unit === 'h' ? n * 60 : n;
  return minutes >= 5 && minutes <= 7 * 1440 ? minutes : undefined;
}

const DEFAULT_LEGAL_BASIS: Partial<Record<SourceType, string>> = {
  jsonld: 'Öffentlich zugängliche Stellenanzeigen des Arbeitgebers; robots.txt beachtet',
  personio: 'Öffentlicher Stellen-Feed des Arbeitgebers',
  feed: 'Öffentlicher Stellen-Feed; Nutzungsbedingungen des Anbieters beachtet',
  recruitee: ats('Recruitee'),
  greenhouse: ats('Greenhouse'),
  lever: ats('Lever'),
  smartrecruiters: ats('SmartRecruiters'),
  workable: ats('Workable'),
  exchange:
    'Stellenaustausch zwischen Jobcentern: öffentlicher Austausch-Feed des anderen Jobcenters (nur zur Veröffentlichung freigegebene Arbeitgeberstellen, keine personenbezogenen Daten)',
};

/** An employer's board in an applicant-tracking system is their own publication, through the system's public API. */
function ats(system: string): string {
  return `Vom Arbeitgeber veröffentlichte Stellen über die öffentliche, dokumentierte Job-Schnittstelle von ${system}; Nutzungsbedingungen des Anbieters beachtet`;
}

/** `scheme://user[:password]@`: credentials written into a URL. */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s"@]*@/gi;
const NO_CREDENTIALS =
  'Zugangsdaten in der URL sind nicht erlaubt (sie stünden im Klartext in der Datenbank, in Protokollen und Ausgaben)';
const hasCredentials = (text: string) => new RegExp(URL_CREDENTIALS.source, 'i').test(text);

/** Text with every URL's credentials replaced by "***", for output: `https://***@host/…`. */
export function withoutCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1***@');
}

export const AddSourceInput = z
  .object({
    type: SourceType.exclude(['employer']),
    url: z
      .string()
      // One problem, one message: a string that is no URL at all is not also reported as "not http(s)".
      .url({ error: 'keine gültige URL', abort: true })
      .refine((u) => /^https?:/.test(u), { message: 'nur http(s)-URLs', abort: true })
      .refine((u) => !hasCredentials(u), NO_CREDENTIALS),
    name: z.string().trim().min(1).max(200).optional(),
    params: z
      .record(z.string(), z.string())
      .refine((p) => !hasCredentials(JSON.stringify(p)), NO_CREDENTIALS)
      .default({}),
    // Pages and sitemaps of a source are URLs too.
    config: z
      .record(z.string(), z.unknown())
      .refine((c) => !hasCredentials(JSON.stringify(c)), NO_CREDENTIALS)
      .default({}),
    everyMinutes: z
      .number()
      .int()
      .min(5)
      .max(7 * 1440)
      .default(120),
    legalBasis: z.string().trim().min(3).max(1000).optional(),
  })
  .superRefine((input, issue) => {
    // Types with a known config are checked now, so a typo is refused here rather than failing every crawl.
    const schema = SOURCE_CONFIG[input.type];
    const parsed = schema?.safeParse(input.config);
    for (const problem of parsed?.error?.issues ?? []) {
      issue.addIssue({ code: 'custom', path: ['config', ...problem.path.map(String)], message: problem.message });
    }
  });
export type AddSourceInput = z.input<typeof AddSourceInput>;

export async function addSource({ ctx, input, actor }: { ctx: Ctx; input: AddSourceInput; actor?: Actor | null }) {
  const parsed = AddSourceInput.safeParse(input);
  if (!parsed.success) {
    throw new ValidationFailed('Ungültige Quelle', issuesOf(parsed.error));
  }
  const v = parsed.data;
  const legalBasis = v.legalBasis ?? DEFAULT_LEGAL_BASIS[v.type];
  if (!legalBasis) {
    throw new ValidationFailed(
      `Für Quellen vom Typ ${v.type} muss die Rechtsgrundlage angegeben werden (--legal-basis)`,
    );
  }
  // The BA interface may only be used under an agreement with the BA: it starts disabled until an admin enables it.
  const enabled = v.type !== 'ba_jobsuche';
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .insert(sources)
      .values({
        name: v.name ?? new URL(v.url).hostname,
        type: v.type,
        url: v.url,
        params: v.params,
        config: v.config,
        everyMinutes: v.everyMinutes,
        legalBasis,
        enabled,
      })
      .returning();
    await recordAudit(tx, {
      actor: actor ?? null,
      action: 'source.add',
      objectType: 'source',
      objectId: row!.id,
      detail: { type: v.type },
    });
    return row!;
  });
}

export async function setSourceEnabled(ctx: Ctx, id: string, enabled: boolean, actor: Actor | null = null) {
  return withTransaction(ctx, async (tx) => {
    const [row] = await tx.db
      .update(sources)
      .set({ enabled, updatedAt: tx.now() })
      .where(eq(sources.id, id))
      .returning();
    if (!row) throw new NotFound('Quelle', id);
    await recordAudit(tx, {
      actor,
      action: enabled ? 'source.enable' : 'source.disable',
      objectType: 'source',
      objectId: id,
    });
    return row;
  });
}

export async function listSources(ctx: Ctx) {
  return ctx.db.select().from(sources).orderBy(asc(sources.createdAt), asc(sources.name));
}
