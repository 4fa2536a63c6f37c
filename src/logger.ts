import pino, { Logger } from 'pino';

export type { Logger };

/** JSON lines on standard output. Never log identifier values, codes or document bytes. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'onboarding-api' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.value', '*.code', '*.contentBase64', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
