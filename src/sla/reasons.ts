/**
 * The fixed list of documented answers that count as a qualified response when no proposal can be sent yet. Each
 * goes to the employer with the caseworker's free text; the codes are what the SLA summary reports.
 */
import { z } from 'zod';

export const ResponseReason = z.enum([
  'no_candidates_widen_radius',
  'no_candidates_adjust_requirements',
  'no_candidates_search_continues',
  'clarification_requested',
  'funding_advice',
  'candidates_being_contacted',
]);
export type ResponseReason = z.infer<typeof ResponseReason>;

export const RESPONSE_REASON_LABEL: Record<ResponseReason, string> = {
  no_candidates_widen_radius: 'Keine passenden Bewerberinnen/Bewerber; Vorschlag: Umkreis erweitern',
  no_candidates_adjust_requirements: 'Keine passenden Bewerberinnen/Bewerber; Vorschlag: Anforderungen anpassen',
  no_candidates_search_continues: 'Derzeit keine passenden Bewerberinnen/Bewerber; die Suche läuft weiter',
  clarification_requested: 'Rückfrage beim Arbeitgeber',
  funding_advice: 'Beratung zu Fördermöglichkeiten (z. B. Eingliederungszuschuss) angeboten',
  candidates_being_contacted: 'Geeignete Bewerberinnen/Bewerber werden angesprochen; Vorschläge folgen',
};

/** How a response is recorded: a proposal, or one of the documented answers. */
export type ResponseKind = 'proposal' | ResponseReason;

export function responseLabel(reason: string | null): string | null {
  if (reason === null) return null;
  if (reason === 'proposal') return 'Vermittlungsvorschlag gesendet';
  return RESPONSE_REASON_LABEL[reason as ResponseReason] ?? reason;
}
