/**
 * SMTP delivery with nodemailer (maintained, the de-facto mail library for Node). Used when `SMTP_URL` is set:
 * `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`.
 */
import { createTransport } from 'nodemailer';
import { type MailMessage, type MailTransport, PermanentDeliveryError } from './transport.ts';

export interface SmtpOptions {
  url: string;
  /** Sender address, e.g. `"Jobcenter Arbeitgeberservice" <noreply@jobcenter.example>`. */
  from: string;
}

export function smtpTransport({ url, from }: SmtpOptions): MailTransport {
  const transport = createTransport(url);
  return {
    async send(message: MailMessage) {
      try {
        await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          messageId: message.messageId,
        });
      } catch (err) {
        const { responseCode, code } = err as { responseCode?: number; code?: string };
        // 5xx: the server refuses for good (unknown mailbox, policy); 4xx and connection errors may pass later.
        if (responseCode !== undefined && responseCode >= 500 && responseCode < 600) {
          throw new PermanentDeliveryError(`smtp_${responseCode}`);
        }
        throw Object.assign(new Error(code ?? (responseCode ? `smtp_${responseCode}` : 'smtp_error')), {
          code: code ?? (responseCode ? `smtp_${responseCode}` : 'smtp_error'),
        });
      }
    },
    async close() {
      transport.close();
    },
  };
}
