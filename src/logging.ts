/** One pino logger for the process. Never log personal data: log ids, counts and codes. */
import { type Logger, pino } from 'pino';

export type { Logger };

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({
    level,
    base: { service: 'jobbruecke', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', '*.token', '*.password', '*.email'], censor: '[redacted]' },
  });
}
