import { hash, verify } from '@node-rs/argon2';

/**
 * argon2id with 64 MiB and 3 passes: one verify takes about 65 ms on the 2-core development machine
 * (docs/perf.md), inside the 50–250 ms the contract's login budget allows, and well above OWASP's
 * minimum (19 MiB, 2 passes).
 */
export const ARGON2_OPTIONS = {
  // Algorithm.Argon2id (a const enum the compiler cannot inline across packages here).
  algorithm: 2,
  memoryCost: 65_536,
  timeCost: 3,
  parallelism: 1,
} as const;

/** Longer passwords are refused before hashing: argon2 on megabytes of input is a cheap DoS. */
export const MAX_PASSWORD_LENGTH = 128;
export const MAX_PASSWORD_BYTES = 512;

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

/** False for a wrong password and for a malformed hash; never throws. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  if (Buffer.byteLength(password) > MAX_PASSWORD_BYTES) return false;
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

let dummy: Promise<string> | null = null;

/** The same work as a real verify, for unknown users: the answer takes as long as a wrong password. */
export async function dummyVerify(password: string): Promise<void> {
  dummy ??= hashPassword('yunying-dummy-password-for-timing');
  await verifyPassword(await dummy, password);
}

/** True when a stored hash was made with other parameters (rehash it at the next successful login). */
export function needsRehash(passwordHash: string): boolean {
  const m = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  return (
    !m ||
    Number(m[1]) !== ARGON2_OPTIONS.memoryCost ||
    Number(m[2]) !== ARGON2_OPTIONS.timeCost ||
    Number(m[3]) !== ARGON2_OPTIONS.parallelism
  );
}
