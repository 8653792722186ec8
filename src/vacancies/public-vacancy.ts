/** One vacancy as the public sees it (kiosk, public API): no internal fields, no personal data. */
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { vacancies, vacancySources } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { NotFound } from '../errors.ts';
import { kldbTitle } from '../taxonomy/kldb.ts';

export interface PublicVacancy {
  id: string;
  status: 'open' | 'closed' | 'filled';
  title: string;
  description: string;
  employerName: string | null;
  place: string | null;
  plz: string | null;
  lat: number | null;
  lon: number | null;
  remote: boolean;
  kldbCode: string | null;
  kldbTitle: string | null;
  workingTimes: string[];
  contractType: string | null;
  offerType: string;
  salary: { min?: number; max?: number; currency: string; unit: string } | null;
  skills: string[];
  licences: string[];
  languages: Array<{ language: string; level: string }>;
  publishedAt: string | null;
  validThrough: string | null;
  /** Where the posting can be read at its source (career page, board); employer submissions have none. */
  links: string[];
}

export async function getPublicVacancy(ctx: Ctx, id: string): Promise<PublicVacancy> {
  if (!isRowId(id)) throw new NotFound('Stellenangebot', id);
  const [v] = await ctx.db.select().from(vacancies).where(eq(vacancies.id, id));
  if (!v) throw new NotFound('Stellenangebot', id);
  const links = await ctx.db
    .select({ url: vacancySources.url })
    .from(vacancySources)
    .where(and(eq(vacancySources.vacancyId, id), eq(vacancySources.status, 'active')));
  return {
    id: v.id,
    status: v.status,
    title: v.title,
    description: v.description,
    employerName: v.employerName,
    place: v.place,
    plz: v.plz,
    lat: v.lat,
    lon: v.lon,
    remote: v.remote,
    kldbCode: v.kldbCode,
    kldbTitle: v.kldbCode ? (kldbTitle(v.kldbCode) ?? null) : null,
    workingTimes: v.workingTimes,
    contractType: v.contractType,
    offerType: v.offerType,
    salary: v.salary ?? null,
    skills: v.skills,
    licences: v.licences,
    languages: v.languages,
    publishedAt: v.publishedAt?.toISOString() ?? null,
    validThrough: v.validThrough?.toISOString() ?? null,
    links: [...new Set(links.map((l) => l.url).filter((u): u is string => !!u))],
  };
}
