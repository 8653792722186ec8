/**
 * Every rule of the employer promise in one place: the response deadline and its calendar, the milestones' shares,
 * the caps on proposals, the reaction reminder and the follow-ups after a hire. A zod-parsed object with defaults,
 * so the configuration (src/config.ts) maps environment variables onto it and tests build variants with
 * `slaRules({...})`. Verbs read the rules from the context (`rulesOf(ctx)`), defaulting to `DEFAULT_SLA_RULES`.
 */
import { z } from 'zod';
import type { Ctx } from '../context.ts';

/** A follow-up offset after a hire's start date: days and/or calendar months. */
export const FollowUpOffset = z
  .object({
    days: z.number().int().min(0).max(3660).default(0),
    months: z.number().int().min(0).max(120).default(0),
  })
  .refine((o) => o.days > 0 || o.months > 0, 'Ein Nachfass-Termin braucht Tage oder Monate');
export type FollowUpOffset = z.infer<typeof FollowUpOffset>;

export const SlaRules = z
  .object({
    /** Hours to a qualified response (quality standard 3: 48 hours). @defaultValue 48 */
    responseHours: z.number().positive().max(720).default(48),
    /**
     * 'clock': every hour counts. 'business': only hours of working days count (weekends and Baden-Württemberg's
     * public holidays are skipped), so Friday 16:00 + 48 h is Tuesday 16:00. @defaultValue 'clock'
     */
    calendar: z.enum(['clock', 'business']).default('clock'),
    /** Reminder to the assigned caseworker after this share of the response time. @defaultValue 0.5 */
    reminderShare: z.number().gt(0).lt(1).default(0.5),
    /** Escalation to the branch lead after this share (40 of 48 hours). @defaultValue 40/48 */
    escalationShare: z
      .number()
      .gt(0)
      .lt(1)
      .default(40 / 48),
    /** Caps on open proposals (quality standard 1, "Obergrenzen bei Vermittlungsvorschlägen"). */
    caps: z
      .object({
        /** @defaultValue 5 */
        perVacancy: z.number().int().min(1).max(100).default(5),
        /** @defaultValue 3 */
        perCustomer: z.number().int().min(1).max(100).default(3),
      })
      .default({ perVacancy: 5, perCustomer: 3 }),
    /** Days without an employer reaction to a proposal before the caseworker gets a reminder task. @defaultValue 14 */
    reactionReminderDays: z.number().int().min(1).max(365).default(14),
    /** Follow-up tasks after a hire, counted from its start date (quality standard 7). @defaultValue 14 days, 3 months */
    followUpOffsets: z
      .array(FollowUpOffset)
      .max(10)
      .default([
        { days: 14, months: 0 },
        { days: 0, months: 3 },
      ]),
    /** Local time of day (hour) at which date-based tasks (follow-ups) fall due. @defaultValue 9 */
    taskHour: z.number().int().min(0).max(23).default(9),
  })
  .refine((r) => r.reminderShare < r.escalationShare, {
    message: 'Die Erinnerung muss vor der Eskalation liegen',
    path: ['reminderShare'],
  });
export type SlaRules = z.infer<typeof SlaRules>;
export type SlaRulesInput = z.input<typeof SlaRules>;

/** The time zone the job centre works in: due times and business days are counted in it. */
export const TIME_ZONE = 'Europe/Berlin';
/** Public holidays of this state count as non-working days (the job centre is in Stuttgart). */
export const HOLIDAY_REGION = { country: 'DE', state: 'BW' } as const;

export function slaRules(input: SlaRulesInput = {}): SlaRules {
  return SlaRules.parse(input);
}

export const DEFAULT_SLA_RULES: SlaRules = slaRules();

/**
 * The context verbs read the rules from: the composition root sets `slaRules` from the configuration; without it,
 * the defaults apply.
 */
export type RulesCtx = Ctx & { slaRules?: SlaRules };

export function rulesOf(ctx: Ctx): SlaRules {
  return (ctx as RulesCtx).slaRules ?? DEFAULT_SLA_RULES;
}
