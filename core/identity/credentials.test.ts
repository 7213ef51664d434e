import * as OTPAuth from 'otpauth';
import { describe, expect, it } from 'vitest';
import { commonPasswords, isCommonPassword } from './common-passwords.js';
import { checkPasswordPolicy, isPasswordReused } from './password-policy.js';
import { ARGON2_OPTIONS, dummyVerify, hashPassword, needsRehash, verifyPassword } from './passwords.js';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.js';
import { generateTotpSecret, totpUri, verifyTotp } from './totp.js';

const codes = (pw: string, username = 'zhang.wei', displayName?: string) =>
  checkPasswordPolicy(pw, { username, displayName }).map((v) => v.code);

describe('password policy', () => {
  it('accepts a long mixed password', () => {
    expect(codes('Harbour-Lamp-42x')).toEqual([]);
  });

  it('names every broken rule with a code and texts in both languages', () => {
    expect(codes('abc')).toEqual([
      'PASSWORD_TOO_SHORT',
      'PASSWORD_NEEDS_UPPERCASE',
      'PASSWORD_NEEDS_DIGIT',
      'PASSWORD_NEEDS_SYMBOL',
    ]);
    expect(codes('ABCDEFGHIJKL')).toEqual(
      expect.arrayContaining(['PASSWORD_NEEDS_LOWERCASE', 'PASSWORD_NEEDS_DIGIT', 'PASSWORD_NEEDS_SYMBOL']),
    );
    for (const v of checkPasswordPolicy('abc', { username: 'x1' })) {
      expect(v.message).toMatch(/[\u4e00-\u9fff]/);
      expect(v.messageEn).toMatch(/[a-z]/);
    }
  });

  it('counts characters, not bytes, and refuses more than 128', () => {
    expect(codes('密码安全性很重要Ab1!')).not.toContain('PASSWORD_TOO_SHORT');
    expect(codes(`Aa1!${'x'.repeat(125)}`)).toContain('PASSWORD_TOO_LONG');
    expect(codes(`Aa1!${'x'.repeat(124)}`)).not.toContain('PASSWORD_TOO_LONG');
  });

  it('refuses the username or display name inside the password, in any case', () => {
    expect(codes('X9!ZHANG.WEIabc', 'zhang.wei')).toContain('PASSWORD_CONTAINS_USERNAME');
    expect(codes('X9!liming-Harbour', 'editor7', 'LiMing')).toContain('PASSWORD_CONTAINS_USERNAME');
  });

  it('refuses common passwords, also behind trailing digits and symbols or look-alike characters', () => {
    expect(commonPasswords().size).toBeGreaterThanOrEqual(10_000);
    expect(codes('Password123!')).toContain('PASSWORD_TOO_COMMON');
    expect(codes('P@ssw0rd2024!')).toContain('PASSWORD_TOO_COMMON');
    expect(isCommonPassword('woaini1314')).toBe(true);
    expect(isCommonPassword('Harbour-Lamp-42x')).toBe(false);
  });
});

describe('argon2id', () => {
  it('hashes with the chosen parameters and verifies', async () => {
    const h = await hashPassword('Harbour-Lamp-42x');
    expect(h).toMatch(
      new RegExp(`^\\$argon2id\\$v=19\\$m=${ARGON2_OPTIONS.memoryCost},t=${ARGON2_OPTIONS.timeCost},p=1\\$`),
    );
    expect(await verifyPassword(h, 'Harbour-Lamp-42x')).toBe(true);
    expect(await verifyPassword(h, 'Harbour-Lamp-42y')).toBe(false);
    expect(await verifyPassword('not-a-hash', 'x')).toBe(false);
    expect(await verifyPassword(h, 'x'.repeat(600))).toBe(false);
    expect(needsRehash(h)).toBe(false);
    expect(needsRehash(h.replace('t=3', 't=2'))).toBe(true);
    await expect(dummyVerify('anything')).resolves.toBeUndefined();
  });

  it('detects reuse of any of the previous hashes', async () => {
    const old = await Promise.all(['Old-Pass-1111!', 'Old-Pass-2222!'].map(hashPassword));
    expect(await isPasswordReused('Old-Pass-2222!', old)).toBe(true);
    expect(await isPasswordReused('New-Pass-3333!', old)).toBe(false);
  });
});

describe('TOTP (RFC 6238)', () => {
  // RFC 6238 appendix B: SHA-1 secret "12345678901234567890", T = 59 s → 94287082 (8 digits).
  const rfcSecret = OTPAuth.Secret.fromUTF8('12345678901234567890').base32;

  it('matches the RFC test vector (last 6 digits)', () => {
    expect(verifyTotp(rfcSecret, '287082', null, 59_000)).toEqual({ ok: true, step: 1 });
  });

  it('accepts one step of drift either way, not two', () => {
    const at = 1_700_000_000_000;
    const t = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(rfcSecret), digits: 6, period: 30 });
    expect(verifyTotp(rfcSecret, t.generate({ timestamp: at - 30_000 }), null, at).ok).toBe(true);
    expect(verifyTotp(rfcSecret, t.generate({ timestamp: at + 30_000 }), null, at).ok).toBe(true);
    expect(verifyTotp(rfcSecret, t.generate({ timestamp: at - 60_000 }), null, at)).toEqual({
      ok: false,
      reason: 'invalid',
    });
  });

  it('refuses a replayed step and malformed codes', () => {
    const at = 1_700_000_000_000;
    const t = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(rfcSecret), digits: 6, period: 30 });
    const first = verifyTotp(rfcSecret, t.generate({ timestamp: at }), null, at);
    expect(first.ok).toBe(true);
    const step = first.ok ? first.step : -1;
    expect(verifyTotp(rfcSecret, t.generate({ timestamp: at }), step, at)).toEqual({
      ok: false,
      reason: 'replayed',
    });
    for (const bad of ['', '12345', '1234567', 'abcdef', '12 456'])
      expect(verifyTotp(rfcSecret, bad, null, at).ok).toBe(false);
  });

  it('makes 160-bit secrets and otpauth URIs with issuer and account', () => {
    const s = generateTotpSecret();
    expect(OTPAuth.Secret.fromBase32(s).bytes.length).toBe(20);
    expect(totpUri({ secret: s, username: 'zhang.wei' })).toMatch(
      /^otpauth:\/\/totp\/.*zhang\.wei\?.*secret=/,
    );
  });
});

describe('recovery codes', () => {
  it('makes 10 distinct readable codes and hashes them after normalising', () => {
    const list = generateRecoveryCodes();
    expect(new Set(list).size).toBe(10);
    for (const c of list)
      expect(c).toMatch(/^[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}$/);
    const c = list[0] as string;
    expect(normaliseRecoveryCode(` ${c.toUpperCase()} `)).toBe(c.replaceAll('-', ''));
    expect(hashRecoveryCode(c.toUpperCase().replaceAll('-', ' '))).toBe(hashRecoveryCode(c));
  });
});
