import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const FILES = ['common-passwords.txt', 'common-passwords-zh.txt'];

/**
 * The data files sit beside this module under tsx; tsc does not copy them to dist/, so the compiled
 * module (dist/core/identity) looks in the source tree as well.
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

const LEET: Readonly<Record<string, string>> = {
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

/**
 * True when the password, or its core with trailing digits and symbols removed, or with common
 * look-alike substitutions undone, is a well-known password: "Password123!" is "password123".
 */
export function isCommonPassword(password: string): boolean {
  const words = commonPasswords();
  const lower = password.toLowerCase();
  const stripped = lower.replace(/[^a-z]+$/u, '');
  const strippedSymbols = lower.replace(/[^a-z0-9]+$/u, '');
  const unleet = lower.replace(/[013457@$!]/g, (c) => LEET[c] ?? c);
  return [lower, stripped, strippedSymbols, unleet].some((w) => w.length >= 4 && words.has(w));
}
