/** The port notifications are delivered through: e-mail over SMTP in production, a fake in tests. */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  /**
   * `<notification-id@domain>`: derived from the notification, so a message sent again after a crash between
   * sending and recording it carries the same Message-ID and can be recognised as a duplicate.
   */
  messageId: string;
}

export interface MailTransport {
  send(message: MailMessage): Promise<void>;
  close?(): Promise<void>;
}

/**
 * A transport error that retrying cannot fix (unknown recipient, rejected address): the notification is marked
 * failed at once instead of being retried.
 */
export class PermanentDeliveryError extends Error {
  constructor(readonly code: string) {
    super(code);
    this.name = 'PermanentDeliveryError';
  }
}
