import { pino, type Logger } from 'pino';

export type { Logger };

/** Secrets never reach a log line: these paths are censored wherever they appear. */
const redact = ['*.password', '*.secret', '*.clientSecret', '*.token', '*.authorization', 'req.headers.authorization', '*.settings'];

export function createLogger(level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact: { paths: redact, censor: '[redacted]' }, base: { app: 'mailferry' } });
}
