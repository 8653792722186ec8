/**
 * The notification templates, German, one per kind of message. A payload carries ids and the few values the text
 * needs (reference, title, due time, reason); names of people are read by id when the message is rendered, so the
 * outbox row holds no more personal data than the message needs.
 */
import { z } from 'zod';
import { RESPONSE_REASON_LABEL, ResponseReason } from '../sla/reasons.ts';

const Iso = z.iso.datetime();

const OrderRef = z.object({ reference: z.string(), title: z.string() });

export const TemplatePayloads = {
  /** To the employer: the order is received (quality standard 5, "unverzüglich"). */
  order_confirmation: OrderRef.extend({
    branchName: z.string(),
    caseworkerId: z.string().nullable(),
    placementOrder: z.boolean(),
    slaDueAt: Iso.nullable(),
  }),
  /** To the employer: a documented answer that counts as the qualified response. */
  qualified_response: OrderRef.extend({ reason: ResponseReason, note: z.string() }),
  /** To the employer: candidates were proposed. */
  proposals_received: OrderRef.extend({ count: z.number().int().positive() }),
  /** To the assigned caseworker: half the response time has passed. */
  sla_reminder: OrderRef.extend({ dueAt: Iso }),
  /** To the branch lead: the response is still missing shortly before the deadline. */
  sla_escalation: OrderRef.extend({ dueAt: Iso, caseworkerId: z.string().nullable() }),
  /** To the branch lead: the deadline passed without a qualified response. */
  sla_breach: OrderRef.extend({ dueAt: Iso, caseworkerId: z.string().nullable() }),
} as const;

export type NotificationTemplate = keyof typeof TemplatePayloads;
export const NOTIFICATION_TEMPLATES = Object.keys(TemplatePayloads) as NotificationTemplate[];
export type TemplatePayload<T extends NotificationTemplate> = z.infer<(typeof TemplatePayloads)[T]>;

export interface RenderedMessage {
  subject: string;
  text: string;
}

/** What rendering may look up: display names of staff by user id. */
export interface RenderLookups {
  userName(id: string | null): string | null;
}

const berlin = new Intl.DateTimeFormat('de-DE', {
  timeZone: 'Europe/Berlin',
  day: '2-digit',
  month: '2-digit',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});

/** "24.11.2026, 16:00 Uhr", Berlin time. */
export function formatDueTime(iso: string): string {
  return `${berlin.format(new Date(iso))} Uhr`;
}

const SIGNATURE =
  '\n\nMit freundlichen Grüßen\nIhr Jobcenter – Arbeitgeberservice\n\n(Diese Nachricht wurde automatisch erstellt.)';

type Renderer<T extends NotificationTemplate> = (p: TemplatePayload<T>, l: RenderLookups) => RenderedMessage;

const RENDERERS: { [T in NotificationTemplate]: Renderer<T> } = {
  order_confirmation: (p, l) => {
    const caseworker = l.userName(p.caseworkerId);
    const lines = [
      'Guten Tag,',
      '',
      `vielen Dank für Ihren Auftrag. Wir haben Ihr Stellenangebot „${p.title}“ erhalten.`,
      '',
      `Auftragsnummer: ${p.reference}`,
      `Zuständig: ${p.branchName}${caseworker ? `, ${caseworker}` : ''}`,
    ];
    if (p.placementOrder && p.slaDueAt) {
      lines.push(
        '',
        `Sie erhalten bis spätestens ${formatDueTime(p.slaDueAt)} eine qualifizierte Rückmeldung: Vorschläge passender Bewerberinnen und Bewerber oder eine begründete Antwort.`,
      );
    } else {
      lines.push('', 'Wir veröffentlichen Ihr Stellenangebot; ein Vermittlungsauftrag wurde nicht erteilt.');
    }
    return { subject: `Auftragsbestätigung ${p.reference}: ${p.title}`, text: lines.join('\n') + SIGNATURE };
  },
  qualified_response: (p) => ({
    subject: `Rückmeldung zu Ihrem Auftrag ${p.reference}`,
    text:
      [
        'Guten Tag,',
        '',
        `zu Ihrem Stellenangebot „${p.title}“ (Auftragsnummer ${p.reference}) geben wir Ihnen folgende Rückmeldung:`,
        '',
        RESPONSE_REASON_LABEL[p.reason],
        '',
        p.note,
      ].join('\n') + SIGNATURE,
  }),
  proposals_received: (p) => ({
    subject: `${p.count === 1 ? 'Neuer Vorschlag' : `${p.count} neue Vorschläge`} zu Ihrem Auftrag ${p.reference}`,
    text:
      [
        'Guten Tag,',
        '',
        `für Ihr Stellenangebot „${p.title}“ (Auftragsnummer ${p.reference}) schlagen wir Ihnen ${p.count === 1 ? 'eine Bewerberin oder einen Bewerber' : `${p.count} Bewerberinnen und Bewerber`} vor.`,
        'Die Profile sehen Sie in Ihrem Arbeitgeberzugang. Bitte teilen Sie uns mit, wen Sie einladen.',
      ].join('\n') + SIGNATURE,
  }),
  sla_reminder: (p) => ({
    subject: `Erinnerung: Rückmeldung zu ${p.reference} fällig bis ${formatDueTime(p.dueAt)}`,
    text: [
      `Die Hälfte der Reaktionsfrist für den Auftrag ${p.reference} („${p.title}“) ist verstrichen.`,
      `Bitte senden Sie bis ${formatDueTime(p.dueAt)} Vorschläge oder eine begründete Antwort an den Arbeitgeber.`,
    ].join('\n'),
  }),
  sla_escalation: (p, l) => ({
    subject: `Eskalation: Auftrag ${p.reference} noch ohne Rückmeldung`,
    text: [
      `Der Auftrag ${p.reference} („${p.title}“) hat noch keine qualifizierte Rückmeldung.`,
      `Frist: ${formatDueTime(p.dueAt)}. Zuständig: ${l.userName(p.caseworkerId) ?? 'niemand zugewiesen'}.`,
    ].join('\n'),
  }),
  sla_breach: (p, l) => ({
    subject: `Frist überschritten: Auftrag ${p.reference}`,
    text: [
      `Die 48-Stunden-Frist für den Auftrag ${p.reference} („${p.title}“) ist am ${formatDueTime(p.dueAt)} ohne qualifizierte Rückmeldung abgelaufen.`,
      `Zuständig: ${l.userName(p.caseworkerId) ?? 'niemand zugewiesen'}.`,
    ].join('\n'),
  }),
};

/** Renders a stored notification; the payload is parsed again (it was written by an earlier version, perhaps). */
export function renderTemplate(template: string, payload: unknown, lookups: RenderLookups): RenderedMessage {
  if (!(template in TemplatePayloads)) throw new Error(`unknown notification template ${template}`);
  const t = template as NotificationTemplate;
  const parsed = TemplatePayloads[t].parse(payload);
  return (RENDERERS[t] as Renderer<NotificationTemplate>)(parsed as never, lookups);
}

/** The ids of staff a payload names, so rendering can read their names in one query. */
export function namedUserIds(payload: Record<string, unknown>): string[] {
  const id = payload.caseworkerId;
  return typeof id === 'string' ? [id] : [];
}
