/**
 * An SMTP server on a free loopback port for tests that send real mail: it takes every message whole and answers as
 * `answer` decides (accept by default), and keeps the accepted ones with their recipients and Message-ID.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMessage {
  to: string[];
  raw: string;
  /** The Message-ID header, `(none)` when the message had none. */
  messageId: string;
}

/** 'accept', or the error the server answers with (an SMTP `responseCode` on it sets the reply code). */
export type SmtpAnswer = 'accept' | Error;

export interface TestSmtpServer {
  url: string;
  /** Accepted messages, in the order they were accepted. */
  received: ReceivedMessage[];
  /** Connection errors, such as a sender killed mid-transfer (ECONNRESET): the test's to judge, never a crash. */
  connectionErrors: Error[];
  close(): Promise<void>;
}

/** `answer` gets each message and its number (1, 2, …, counting refused ones); it may take its time. */
export async function startSmtpServer(
  answer: (message: ReceivedMessage, n: number) => SmtpAnswer | Promise<SmtpAnswer> = () => 'accept',
): Promise<TestSmtpServer> {
  const received: ReceivedMessage[] = [];
  let seen = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        seen += 1;
        const raw = Buffer.concat(chunks).toString();
        const headers = raw.replace(/\r\n[ \t]+/g, ' ');
        const message = {
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          messageId: /^Message-ID:\s*(<[^>]+>)/im.exec(headers)?.[1] ?? '(none)',
        };
        const decision = await answer(message, seen);
        if (decision !== 'accept') return callback(decision);
        received.push(message);
        callback();
      });
    },
  });
  // smtp-server emits a connection that breaks during a transaction as an 'error' on the server; without a listener it
  // would be an uncaught exception in the test process (it was, once, when a chaos test killed a sender mid-message).
  const connectionErrors: Error[] = [];
  server.on('error', (err: Error) => connectionErrors.push(err));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    connectionErrors,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
