import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES = ['common-passwords.txt', 'common-passwords-zh.txt'];

/**
 * The data files sit beside this module when it runs from source (tsx, vitest): `<here>/data`. tsc does
 * not copy .txt files, so the compiled module in dist/core/identity/ finds them in the source tree
 * instead: `<here>/../../../core/identity/data`.
 */
function dataDir(): string {
  const candidates = [path.join(here, 'data'), path.join(here, '..', '..', '..', 'core', 'identity', 'data')];
  const found = candidates.find((d) => existsSync(path.join(d, FILES[0] as string)));
  if (!found) throw new Error(`common-password list not found (looked in ${candidates.join(', ')})`);
  return found;
}

let list: Set<string> | null = null;

export function commonPasswords(): ReadonlySet<string> {
  if (!list) {
    const dir = dataDir();
    list = new Set(
      FILES.flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n'))
        .map((w) => w.trim())
        .filter((w) => w !== ''),
    );
  }
  return list;
}

/** Look-alike characters; "1" and "!" are tried both as "i" and as "l". */
const LEET_I: Readonly<Record<string, string>> = {
  '0': 'o',
  '1': 'i',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '@': 'a',
  $: 's',
  '!': 'i',
};
const LEET_L: Readonly<Record<string, string>> = { ...LEET_I, '1': 'l', '!': 'l' };

function unleet(word: string, table: Readonly<Record<string, string>>): string {
  return word.replace(/[013457@$!]/g, (c) => table[c] ?? c);
}

/**
 * True when the password is a well-known one, also behind trailing digits and symbols or look-alike
 * characters: its lower-case form, that form with trailing non-letters (or trailing symbols) stripped,
 * and each of these with look-alikes undone are looked up. "Password123!" is "password123",
 * "Dr4g0n!!1234" is "dragon". Candidates shorter than 4 characters are ignored.
 */
export function isCommonPassword(password: string): boolean {
  const words = commonPasswords();
  const lower = password.toLowerCase();
  const bases = [lower, lower.replace(/[^a-z]+$/u, ''), lower.replace(/[^a-z0-9]+$/u, '')];
  const candidates = bases.flatMap((b) => [b, unleet(b, LEET_I), unleet(b, LEET_L)]);
  return candidates.some((w) => w.length >= 4 && words.has(w));
}
