import { hash, parseOptions, verify } from '@node-rs/argon2';
import { AppError } from '../errors.js';

/**
 * argon2id with 64 MiB and 3 passes, one lane. Median of 25 verifies on the 2-core machine
 * (2026-11-23): 63 ms idle, 75 ms with other work running — inside the 50–250 ms login budget.
 * m=19 MiB/t=2 (OWASP's floor) took 13 ms, cheap for an attacker; m=64 MiB/t=2 took 43 ms, under the
 * budget's floor; m=64 MiB/t=4 took 90 ms, but 210 ms at p90 under load. One lane keeps a verify on one
 * core, so two logins at once take 74 ms rather than twice as long.
 */
export const ARGON2_OPTIONS = {
  // Algorithm.Argon2id and Version.V0x13: const enums, which isolatedModules cannot inline from a .d.ts.
  algorithm: 2,
  version: 1,
  memoryCost: 65_536,
  timeCost: 3,
  parallelism: 1,
  outputLen: 32,
} as const;

/** Longer passwords are refused before hashing: argon2 over megabytes of input is a cheap DoS. */
export const MAX_PASSWORD_LENGTH = 128;
export const MAX_PASSWORD_BYTES = 512;

/**
 * A hash of a random password nobody knows, made with ARGON2_OPTIONS. Precomputed rather than made at
 * the first call, so even the first unknown-user login costs exactly one verify. Regenerate it whenever
 * ARGON2_OPTIONS change (a test fails until then):
 * `node -e "require('@node-rs/argon2').hash(require('crypto').randomUUID(), {...}).then(console.log)"`.
 */
export const DUMMY_PASSWORD_HASH =
  '$argon2id$v=19$m=65536,t=3,p=1$C30qT/YILwqOpf7apwdwug$NiiUOZXgi2Wecg+4z6xvBUUNAzDo5+tA9gOzh2Mhouo';

function tooLong(password: string): boolean {
  return Buffer.byteLength(password) > MAX_PASSWORD_BYTES || [...password].length > MAX_PASSWORD_LENGTH;
}

/** Callers check the password policy first; the length bound is repeated here so no path skips it. */
export function hashPassword(password: string): Promise<string> {
  if (tooLong(password))
    return Promise.reject(
      new AppError('PASSWORD_TOO_LONG', `Use at most ${MAX_PASSWORD_LENGTH} characters`, 422),
    );
  return hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password, an over-long one and a malformed hash; never throws. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  // Bytes, not characters: the bound is on argon2's input, and 128 characters never exceed 512 bytes.
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** The same work as a real verify, for unknown users: the answer takes as long as a wrong password. */
export async function dummyVerify(password: string): Promise<void> {
  await verifyPassword(DUMMY_PASSWORD_HASH, password);
}

/** True when a stored hash was made with other parameters (rehash it at the next successful login). */
export function needsRehash(passwordHash: string): boolean {
  try {
    const o = parseOptions(passwordHash);
    return (
      o.algorithm !== ARGON2_OPTIONS.algorithm ||
      o.version !== ARGON2_OPTIONS.version ||
      o.memoryCost !== ARGON2_OPTIONS.memoryCost ||
      o.timeCost !== ARGON2_OPTIONS.timeCost ||
      o.parallelism !== ARGON2_OPTIONS.parallelism ||
      o.outputLen !== ARGON2_OPTIONS.outputLen
    );
  } catch {
    return true;
  }
}
