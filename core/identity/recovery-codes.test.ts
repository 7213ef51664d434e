import { describe, expect, it } from 'vitest';
import { generateRecoveryCodes, hashRecoveryCode, normaliseRecoveryCode } from './recovery-codes.js';

// Letters and digits without 0/o, 1/l/i, in groups of 4-4-4.
const FORMAT = /^[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}-[a-hj-km-np-z2-9]{4}$/;

describe('generateRecoveryCodes', () => {
  it('makes 10 distinct readable codes by default, or as many as asked', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const c of codes) expect(c).toMatch(FORMAT);
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it('draws from the whole 31-character alphabet, so each code carries at least 50 bits', () => {
    const seen = new Set(generateRecoveryCodes(200).join('').replaceAll('-', ''));
    expect(seen.size).toBe(31);
    for (const ambiguous of '0o1li') expect(seen.has(ambiguous)).toBe(false);
    expect(12 * Math.log2(seen.size)).toBeGreaterThanOrEqual(50);
  });
});

describe('normaliseRecoveryCode and hashRecoveryCode', () => {
  it('ignore case, spaces and dashes', () => {
    expect(normaliseRecoveryCode(' K7M2-X9QF-P4TZ ')).toBe('k7m2x9qfp4tz');
    expect(normaliseRecoveryCode('k7m2 x9qf\tp4tz')).toBe('k7m2x9qfp4tz');
    expect(hashRecoveryCode('K7M2 X9QF P4TZ')).toBe(hashRecoveryCode('k7m2-x9qf-p4tz'));
  });

  it('hash to a fixed SHA-256, so stored codes stay valid across releases', () => {
    expect(hashRecoveryCode('k7m2-x9qf-p4tz')).toBe(
      'b0eb7c69294ec952fd5e222391b84e2e5465dd0d22e46fecec9f9cdb976f5616',
    );
    expect(hashRecoveryCode('k7m2-x9qf-p4ty')).not.toBe(hashRecoveryCode('k7m2-x9qf-p4tz'));
  });
});
