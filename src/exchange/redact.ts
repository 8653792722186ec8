/**
 * Contact details inside free text. An employer's order text sometimes names the person to write to; the order form
 * keeps that person in its own field (never published), but what is typed into the description goes wherever the
 * description goes. Before a text leaves the job centre for another one, e-mail addresses and phone numbers in it are
 * replaced by a pointer to the job centre's own contact. Names cannot be recognised reliably and are not touched.
 */

/** What stands in place of a removed address or number. */
export const REDACTED_CONTACT = '[Kontakt über das Jobcenter]';

const EMAIL = /[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu;
/**
 * A phone number as Germans write one: starting with +, 00 or 0, then digits with spaces, slashes, dashes or
 * brackets, seven digits at least. Postcodes, years, dates and amounts do not start that way or are too short.
 */
const PHONE = /(?<![\p{L}\p{N}])(?:\+|00|0)[\d ()/-]{5,}\d(?![\p{L}\p{N}])/gu;
const MIN_PHONE_DIGITS = 7;

export function redactContacts(text: string): string {
  return text
    .replace(EMAIL, REDACTED_CONTACT)
    .replace(PHONE, (match) => (match.replace(/\D/g, '').length >= MIN_PHONE_DIGITS ? REDACTED_CONTACT : match));
}
