/** One vacancy as the public may see it (kiosk, public API): no internal fields, no personal data. */
import { and, eq } from 'drizzle-orm';
import type { Ctx } from '../context.ts';
import { vacancies, vacancySources } from '../db/schema.ts';
import { isRowId } from '../domain/ids.ts';
import { NotFound } from '../errors.ts';
import { VACANCY_DETAIL_COLUMNS, type VacancyDetailRow } from './vacancy.ts';

export interface PublicVacancy {
  vacancy: VacancyDetailRow;
  /** URLs of the postings still listed at their sources. */
  links: string[];
}

export async function getPublicVacancy(ctx: Ctx, id: string): Promise<PublicVacancy> {
  if (!isRowId(id)) throw new NotFound('Stellenangebot', id);
  const [vacancy] = await ctx.db.select(VACANCY_DETAIL_COLUMNS).from(vacancies).where(eq(vacancies.id, id));
  if (!vacancy) throw new NotFound('Stellenangebot', id);
  const links = await ctx.db
    .select({ url: vacancySources.url })
    .from(vacancySources)
    .where(and(eq(vacancySources.vacancyId, id), eq(vacancySources.status, 'active')));
  return { vacancy, links: [...new Set(links.map((l) => l.url).filter((u): u is string => !!u))] };
}
