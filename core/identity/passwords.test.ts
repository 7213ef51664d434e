import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import {
  ARGON2_OPTIONS,
  DUMMY_PASSWORD_HASH,
  dummyVerify,
  hashPassword,
  MAX_PASSWORD_LENGTH,
  needsRehash,
  verifyPassword,
} from './passwords.js';

const GOOD = 'Harbour-Lamp-42x';

describe('hashPassword and verifyPassword', () => {
  it('hashes with argon2id and the chosen parameters, and verifies only the right password', async () => {
    const h = await hashPassword(GOOD);
    const { memoryCost: m, timeCost: t, parallelism: p } = ARGON2_OPTIONS;
    expect(h.startsWith(`$argon2id$v=19$m=${m},t=${t},p=${p}$`)).toBe(true);
    expect(await verifyPassword(h, GOOD)).toBe(true);
    expect(await verifyPassword(h, 'Harbour-Lamp-42X')).toBe(false);
    expect(await verifyPassword(h, '')).toBe(false);
  });

  it('salts every hash', async () => {
    const [a, b] = await Promise.all([hashPassword(GOOD), hashPassword(GOOD)]);
    expect(a).not.toBe(b);
  });

  it('answers false instead of throwing for malformed hashes and over-long passwords', async () => {
    const h = await hashPassword(GOOD);
    for (const bad of ['', 'not-a-hash', '$argon2id$v=19$m=65536,t=3,p=1$', h.slice(0, -10), `${h}$extra`])
      expect(await verifyPassword(bad, GOOD)).toBe(false);
    expect(await verifyPassword(h, 'x'.repeat(513))).toBe(false);
  });

  it('refuses to hash more than 128 characters', async () => {
    expect(MAX_PASSWORD_LENGTH).toBe(128);
    await expect(hashPassword(`Aa1!${'x'.repeat(125)}`)).rejects.toMatchObject({
      code: 'PASSWORD_TOO_LONG',
      status: 422,
    });
    await expect(hashPassword('x'.repeat(10_000))).rejects.toBeInstanceOf(AppError);
    const longest = `Aa1!${'密'.repeat(124)}`;
    expect(await verifyPassword(await hashPassword(longest), longest)).toBe(true);
  });
});

describe('needsRehash', () => {
  it('is false for a hash with the current parameters and true for any other', async () => {
    const h = await hashPassword(GOOD);
    expect(needsRehash(h)).toBe(false);
    expect(needsRehash(h.replace(`t=${ARGON2_OPTIONS.timeCost}`, 't=2'))).toBe(true);
    expect(needsRehash(h.replace(`m=${ARGON2_OPTIONS.memoryCost}`, 'm=19456'))).toBe(true);
    expect(needsRehash(h.replace('p=1', 'p=2'))).toBe(true);
    expect(needsRehash(h.replace('$argon2id$', '$argon2i$'))).toBe(true);
    expect(needsRehash('not-a-hash')).toBe(true);
  });
});

describe('dummyVerify', () => {
  it('uses a hash made with the current parameters (regenerate DUMMY_PASSWORD_HASH when they change)', () => {
    expect(needsRehash(DUMMY_PASSWORD_HASH)).toBe(false);
  });

  // Its cost is measured, not asserted: bench:auth reports unknown-user vs wrong-password logins.
  it('resolves for any input, including one too long to hash', async () => {
    await expect(dummyVerify(GOOD)).resolves.toBeUndefined();
    await expect(dummyVerify('x'.repeat(600))).resolves.toBeUndefined();
  });
});
