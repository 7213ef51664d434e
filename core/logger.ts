import { type Logger, pino } from 'pino';
import type { LogLevel } from './config/config.js';

export type { Logger };

/** Paths pino blanks out wherever they appear: secrets must never reach a log line. */
const SECRET_KEYS = [
  'password',
  'newPassword',
  'currentPassword',
  'initialPassword',
  'otp',
  'secret',
  'appSecret',
  'app_secret',
  'accessToken',
  'access_token',
  'refreshToken',
  'refresh_token',
  'token',
  'ciphertext',
  'totpSecret',
  'totp_secret',
  'recoveryCodes',
  'encryptionKey',
  'csrfToken',
];

/** Paths pino blanks out at the top level and one or two levels deep: secrets never reach a log line. */
export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
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
