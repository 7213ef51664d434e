import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { generateTotpSecret, totpQrDataUrl, totpUri, verifyTotp } from './totp.js';

// RFC 6238 appendix B, SHA-1: the ASCII secret "12345678901234567890".
const RFC_SECRET = OTPAuth.Secret.fromUTF8('12345678901234567890').base32;
const AT = 1_700_000_000_000; // in the middle of step 56,666,666
const STEP = Math.floor(AT / 30_000);

function codeAt(timestamp: number, secret = RFC_SECRET): string {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 }).generate({
    timestamp,
  });
}

describe('verifyTotp', () => {
  it('matches the RFC 6238 SHA-1 test vectors (last 6 of the 8 digits)', () => {
    expect(verifyTotp(RFC_SECRET, '287082', null, 59_000)).toEqual({ ok: true, step: 1 }); // 94287082
    expect(verifyTotp(RFC_SECRET, '081804', null, 1_111_111_109_000)).toMatchObject({ ok: true }); // 07081804
    expect(verifyTotp(RFC_SECRET, '005924', null, 1_234_567_890_000)).toMatchObject({ ok: true }); // 89005924
    expect(verifyTotp(RFC_SECRET, '279037', null, 2_000_000_000_000)).toMatchObject({ ok: true }); // 69279037
  });

  it('accepts the previous and the next step, and returns the step the code belongs to', () => {
    expect(verifyTotp(RFC_SECRET, codeAt(AT), null, AT)).toEqual({ ok: true, step: STEP });
    expect(verifyTotp(RFC_SECRET, codeAt(AT - 30_000), null, AT)).toEqual({ ok: true, step: STEP - 1 });
    expect(verifyTotp(RFC_SECRET, codeAt(AT + 30_000), null, AT)).toEqual({ ok: true, step: STEP + 1 });
  });

  it('refuses codes two steps away', () => {
    expect(verifyTotp(RFC_SECRET, codeAt(AT - 60_000), null, AT)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyTotp(RFC_SECRET, codeAt(AT + 60_000), null, AT)).toEqual({ ok: false, reason: 'invalid' });
  });

  it('refuses a code of another secret', () => {
    expect(verifyTotp(generateTotpSecret(), codeAt(AT), null, AT)).toMatchObject({ ok: false });
  });

  it('refuses a code whose step was already used, or an earlier one', () => {
    const first = verifyTotp(RFC_SECRET, codeAt(AT), null, AT);
    expect(first).toEqual({ ok: true, step: STEP });
    expect(verifyTotp(RFC_SECRET, codeAt(AT), STEP, AT)).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(RFC_SECRET, codeAt(AT), STEP, AT + 20_000)).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(RFC_SECRET, codeAt(AT - 30_000), STEP, AT)).toEqual({ ok: false, reason: 'replayed' });
    expect(verifyTotp(RFC_SECRET, codeAt(AT + 30_000), STEP, AT)).toEqual({ ok: true, step: STEP + 1 });
  });

  it('refuses anything but exactly six ASCII digits', () => {
    const good = codeAt(AT);
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456', ` ${good}`, `${good} `, `${good}0`]) {
      expect(verifyTotp(RFC_SECRET, bad, null, AT)).toEqual({ ok: false, reason: 'invalid' });
    }
    const fullWidth = good.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d)));
    expect(verifyTotp(RFC_SECRET, fullWidth, null, AT)).toEqual({ ok: false, reason: 'invalid' });
  });
});

describe('enrolment', () => {
  it('makes distinct 160-bit base32 secrets', () => {
    const a = generateTotpSecret();
    expect(a).toMatch(/^[A-Z2-7]{32}$/);
    expect(OTPAuth.Secret.fromBase32(a).bytes.length).toBe(20);
    expect(generateTotpSecret()).not.toBe(a);
  });

  it('writes an otpauth URI that authenticator apps read as SHA-1, 6 digits, 30 s', () => {
    const secret = generateTotpSecret();
    const parsed = OTPAuth.URI.parse(totpUri({ secret, username: 'zhang.wei' }));
    expect(parsed).toBeInstanceOf(OTPAuth.TOTP);
    const t = parsed as OTPAuth.TOTP;
    expect(t.issuer).toBe('运营 Yunying');
    expect(t.label).toBe('zhang.wei');
    expect(t.algorithm).toBe('SHA1');
    expect(t.digits).toBe(6);
    expect(t.period).toBe(30);
    expect(t.secret.base32).toBe(secret);
    const other = OTPAuth.URI.parse(totpUri({ secret, username: 'li', issuer: 'Test' }));
    expect(other.issuer).toBe('Test');
  });

  it('draws the URI as a PNG data URL', async () => {
    const url = await totpQrDataUrl(totpUri({ secret: generateTotpSecret(), username: 'zhang.wei' }));
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(url.slice('data:image/png;base64,'.length), 'base64');
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });
});
