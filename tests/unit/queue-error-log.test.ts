import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createErrorThrottle, logQueueErrors, REPEAT_INTERVAL_MS } from '../../queues/error-log.ts';

function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('queue backend error listeners', () => {
  it('log the first of identical errors, then one per interval with the number held back', () => {
    let clock = 0;
    const throttle = createErrorThrottle(REPEAT_INTERVAL_MS, () => clock);
    const { log, lines } = capturingLogger();
    const producer = logQueueErrors(log, 'producer connection', throttle);
    const queue = logQueueErrors(log, 'queue crawl', throttle);
    const refused = () => new Error('connect ECONNREFUSED 127.0.0.1:6379');

    // Redis is down: ioredis retries every few hundred ms, and the client and each queue report every attempt.
    for (; clock < REPEAT_INTERVAL_MS; clock += 200) {
      producer(refused());
      queue(refused());
    }
    expect(lines).toEqual([
      expect.objectContaining({
        level: 50,
        msg: 'queue backend error',
        where: 'producer connection',
        err: refused().message,
      }),
    ]);
    expect(lines[0]).not.toHaveProperty('repeats');

    queue(refused());
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatchObject({ where: 'queue crawl', repeats: 2 * (REPEAT_INTERVAL_MS / 200) - 1 });
  });

  it('log a different error at once', () => {
    const throttle = createErrorThrottle(REPEAT_INTERVAL_MS, () => 0);
    const { log, lines } = capturingLogger();
    const listener = logQueueErrors(log, 'worker ingest', throttle);
    listener(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    listener(new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    listener(new Error('NOAUTH Authentication required.'));
    expect(lines.map((l) => l.err)).toEqual(['connect ECONNREFUSED 127.0.0.1:6379', 'NOAUTH Authentication required.']);
  });
});
