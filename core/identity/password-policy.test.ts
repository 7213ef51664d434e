import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { commonPasswords, isCommonPassword } from './common-passwords.js';
import { checkPasswordPolicy, isPasswordReused } from './password-policy.js';
import { hashPassword } from './passwords.js';

const codes = (pw: string, username = 'zhang.wei', displayName?: string) =>
  checkPasswordPolicy(pw, { username, displayName }).map((v) => v.code);

describe('checkPasswordPolicy', () => {
  it('accepts strong passwords, including a passphrase whose only symbols are spaces', () => {
    expect(codes('Tr0ub4dor&3xyz')).toEqual([]);
    expect(codes('Harbour-Lamp-42x')).toEqual([]);
    expect(codes('Blue harbour 42')).toEqual([]);
  });

  // One password per rule, breaking that rule alone.
  const breaking: Record<string, string> = {
    PASSWORD_TOO_SHORT: 'Ab1!xyz',
    PASSWORD_TOO_LONG: `Aa1!${'x'.repeat(125)}`,
    PASSWORD_NEEDS_UPPERCASE: 'harbour-lamp-42x',
    PASSWORD_NEEDS_LOWERCASE: 'HARBOUR-LAMP-42X',
    PASSWORD_NEEDS_DIGIT: 'Harbour-Lamp-xyz',
    PASSWORD_NEEDS_SYMBOL: 'HarbourLamp42x',
    PASSWORD_CONTAINS_USERNAME: 'X9!ZHANG.WEIabc',
    PASSWORD_TOO_COMMON: 'Password123!',
  };

  it.each(Object.entries(breaking))('reports %s alone, in Chinese and in English', (code, pw) => {
    const violations = checkPasswordPolicy(pw, { username: 'zhang.wei' });
    expect(violations.map((v) => v.code)).toEqual([code]);
    const [v] = violations;
    expect(v?.message).toMatch(/[\u4e00-\u9fff]/);
    expect(v?.messageEn).toMatch(/^[A-Z][\x20-\x7e]+$/);
  });

  it('lists every broken rule at once', () => {
    expect(codes('abc')).toEqual([
      'PASSWORD_TOO_SHORT',
      'PASSWORD_NEEDS_UPPERCASE',
      'PASSWORD_NEEDS_DIGIT',
      'PASSWORD_NEEDS_SYMBOL',
    ]);
  });

  it('counts Unicode code points, not UTF-16 units or bytes', () => {
    expect(codes('密码安全性很重要Ab1!')).not.toContain('PASSWORD_TOO_SHORT'); // 12 code points
    expect(codes('😀😀😀😀😀😀😀Ab1!')).toContain('PASSWORD_TOO_SHORT'); // 11 code points, 18 units
    expect(codes(`Aa1!${'x'.repeat(124)}`)).not.toContain('PASSWORD_TOO_LONG'); // 128
    expect(codes(`Aa1!${'😀'.repeat(124)}`)).not.toContain('PASSWORD_TOO_LONG'); // 128, 500 bytes
    expect(codes(`Aa1!${'😀'.repeat(125)}`)).toContain('PASSWORD_TOO_LONG'); // 129, 504 bytes
  });

  it('refuses the username in any case, and the display name when it has 3 characters or more', () => {
    expect(codes('Harbour-zhang.wei-4', 'Zhang.Wei')).toContain('PASSWORD_CONTAINS_USERNAME');
    expect(codes('X9!liming-Harbour', 'editor7', 'LiMing')).toContain('PASSWORD_CONTAINS_USERNAME');
    expect(codes('X9!li-Harbour-Lamp', 'editor7', 'Li')).not.toContain('PASSWORD_CONTAINS_USERNAME');
    expect(codes('X9!editor-Harbour', 'editor7', 'Li')).not.toContain('PASSWORD_CONTAINS_USERNAME');
  });

  it('refuses common passwords behind capitals, trailing digits and symbols, or look-alikes', () => {
    expect(codes('Password123!')).toContain('PASSWORD_TOO_COMMON');
    expect(codes('P@ssw0rd2024!')).toContain('PASSWORD_TOO_COMMON');
    expect(codes('Dr4g0n!!1234xY')).not.toContain('PASSWORD_TOO_COMMON'); // letters after: not a suffix
    expect(isCommonPassword('Dr4g0n!!1234')).toBe(true);
    expect(isCommonPassword('Woaini1314!')).toBe(true);
    expect(isCommonPassword('QQ123456')).toBe(true);
    expect(isCommonPassword('Tr0ub4dor&3xyz')).toBe(false);
  });
});

describe('the bundled common-password list', () => {
  const file = readFileSync(new URL('./data/common-passwords.txt', import.meta.url), 'utf8');
  const lines = file.trimEnd().split('\n');

  it('has at least 10,000 lower-cased, distinct, sorted entries', () => {
    expect(lines.length).toBeGreaterThanOrEqual(10_000);
    expect(lines.every((w) => w !== '' && w === w.toLowerCase())).toBe(true);
    expect(new Set(lines).size).toBe(lines.length);
    expect(lines.every((w, i) => i === 0 || (lines[i - 1] as string) < w)).toBe(true);
    expect(commonPasswords().size).toBeGreaterThanOrEqual(lines.length);
  });

  it('holds the passwords the policy relies on, Chinese users’ favourites among them', () => {
    for (const w of ['password', 'password123', 'p@ssw0rd', 'woaini', 'woaini1314', 'qq123456', '5201314'])
      expect(commonPasswords().has(w)).toBe(true);
  });
});

describe('isPasswordReused', () => {
  it('matches any of the last five hashes and nothing else', async () => {
    const previous = await Promise.all([1, 2, 3, 4, 5].map((i) => hashPassword(`Old-Pass-${i}${i}${i}!`)));
    expect(await isPasswordReused('Old-Pass-555!', previous)).toBe(true);
    expect(await isPasswordReused('Old-Pass-111!', previous)).toBe(true);
    expect(await isPasswordReused('New-Pass-666!', previous)).toBe(false);
    expect(await isPasswordReused('New-Pass-666!', [])).toBe(false);
    expect(await isPasswordReused('Old-Pass-111!', ['not-a-hash', ...previous])).toBe(true);
  });
});
