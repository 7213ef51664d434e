import * as OTPAuth from 'otpauth';
import QRCode from 'qrcode';

/** RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30-second steps. */
const PERIOD = 30;
const DIGITS = 6;

function totp(secret: string, label = 'user', issuer = '运营 Yunying'): OTPAuth.TOTP {
  return new OTPAuth.TOTP({
    issuer,
    label,
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

/** A new 160-bit secret in base32. */
export function generateTotpSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function totpUri(o: { secret: string; username: string; issuer?: string }): string {
  return totp(o.secret, o.username, o.issuer).toString();
}

export function totpQrDataUrl(uri: string): Promise<string> {
  return QRCode.toDataURL(uri, { errorCorrectionLevel: 'M', margin: 2, width: 240 });
}

/**
 * Accepts the code of the current step or one step either side (clock drift), but never a step at or
 * before `lastUsedStep`: a code seen once cannot be replayed.
 */
export function verifyTotp(
  secret: string,
  code: string,
  lastUsedStep: number | null,
  now = Date.now(),
): { ok: true; step: number } | { ok: false; reason: 'invalid' | 'replayed' } {
  if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'invalid' };
  const delta = totp(secret).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return { ok: false, reason: 'invalid' };
  const step = Math.floor(now / 1000 / PERIOD) + delta;
  if (lastUsedStep !== null && step <= lastUsedStep) return { ok: false, reason: 'replayed' };
  return { ok: true, step };
}
