import { type Logger, pino } from 'pino';
import type { LogLevel } from './config/config.js';

export type { Logger };

/** Paths pino blanks out wherever they appear: secrets must never reach a log line. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  '*.appSecret',
  '*.accessToken',
  '*.access_token',
  '*.token',
  '*.encryptionKey',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'yunying' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    destination,
  );
}
