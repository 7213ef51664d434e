import { type Logger, pino } from 'pino';
import type { LogLevel } from './config/config.js';

export type { Logger };

/** Property names whose values pino blanks out (see REDACTED_PATHS for how deep). */
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

/** Headers that carry a session or a credential, as accessors after `headers`. */
const SECRET_HEADERS = ['.authorization', '.cookie', '["set-cookie"]', '["x-csrf-token"]'];

/** Paths pino blanks out at the top level and one or two levels deep: secrets never reach a log line. */
export const REDACTED_PATHS = [
  ...SECRET_KEYS.flatMap((k) => [k, `*.${k}`, `*.*.${k}`]),
  ...SECRET_HEADERS.flatMap((h) => [`headers${h}`, `*.headers${h}`, `*.*.headers${h}`]),
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
