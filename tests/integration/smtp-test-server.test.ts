/**
 * The tests' SMTP server (tests/helpers/smtp-server.ts) survives a sender that dies in the middle of a message: the
 * connection reset is recorded, not thrown at the test process (chaos tests kill deliverers mid-transfer on purpose).
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-server.ts';

/** Sends `line` and resolves with the server's next reply. */
function say(socket: Socket, line: string | undefined): Promise<string> {
  return new Promise((resolve) => {
    socket.once('data', (data: Buffer) => resolve(data.toString()));
    if (line !== undefined) socket.write(`${line}\r\n`);
  });
}

describe('test SMTP server', () => {
  let smtp: TestSmtpServer;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(async () => {
    await smtp.close();
  });

  it('records a connection reset in the middle of a message and keeps serving', async () => {
    const { port } = new URL(smtp.url);
    const socket = connect(Number(port), '127.0.0.1');
    expect(await say(socket, undefined)).toMatch(/^220/);
    expect(await say(socket, 'EHLO test.invalid')).toMatch(/^250/);
    expect(await say(socket, 'MAIL FROM:<from@test.invalid>')).toMatch(/^250/);
    expect(await say(socket, 'RCPT TO:<to@test.invalid>')).toMatch(/^250/);
    expect(await say(socket, 'DATA')).toMatch(/^354/);
    socket.write('Subject: halb\r\n\r\nabgebrochen');
    // Read by the server before the reset arrives (a reset right behind the bytes can discard them unread).
    await new Promise((r) => setTimeout(r, 200));
    // A killed process's socket: reset, not closed.
    socket.resetAndDestroy();
    await expect
      .poll(() => smtp.connectionErrors.map((e) => (e as NodeJS.ErrnoException).code))
      .toContain('ECONNRESET');
    expect(smtp.received).toEqual([]);

    const next = connect(Number(port), '127.0.0.1');
    expect(await say(next, undefined)).toMatch(/^220/);
    next.end('QUIT\r\n');
  });
});
