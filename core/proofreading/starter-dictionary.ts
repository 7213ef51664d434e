/**
 * The starter typo dictionary shipped in `core/proofreading/data/typos.tsv` (provenance: NOTICE.md there).
 * Format: UTF-8, one `wrong<TAB>right` pair per line; blank lines and lines starting with `#` are ignored.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ProofRule } from './proofreading.types.js';

/**
 * Beside this module when it runs from source (tsx, vitest); the compiled module in
 * dist/core/proofreading/ finds it in the source tree (tsc does not copy .tsv files; the Dockerfile
 * copies the folder).
 */
export const STARTER_DICTIONARY_URL =
  [
    new URL('./data/typos.tsv', import.meta.url),
    new URL('../../../core/proofreading/data/typos.tsv', import.meta.url),
  ].find((u) => existsSync(u)) ?? new URL('./data/typos.tsv', import.meta.url);

const MIN_WRONG = 2;
const MAX_PATTERN = 50;

export interface TypoPair {
  wrong: string;
  right: string;
  /** 1-based line number in the file. */
  line: number;
}

export class DictionaryFormatError extends Error {
  constructor(
    readonly source: string,
    readonly line: number,
    reason: string,
  ) {
    super(`${source}:${line}: ${reason}`);
    this.name = 'DictionaryFormatError';
  }
}

/**
 * Parse and validate a typo dictionary. Throws `DictionaryFormatError` (with the 1-based line number)
 * when a line does not have exactly two tab-separated non-empty fields, a field has surrounding
 * whitespace, the wrong form is shorter than 2 or longer than 50 characters, wrong equals right, or a
 * wrong form appears twice.
 */
export function parseTypoDictionary(content: string, source = 'typos.tsv'): TypoPair[] {
  const pairs: TypoPair[] = [];
  const firstLine = new Map<string, number>();
  const lines = content.replace(/^\uFEFF/, '').split('\n');
  lines.forEach((raw, index) => {
    const line = index + 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '' || text.startsWith('#')) return;
    const fields = text.split('\t');
    if (fields.length !== 2) {
      throw new DictionaryFormatError(
        source,
        line,
        `expected 2 tab-separated fields, found ${fields.length}`,
      );
    }
    const [wrong, right] = fields as [string, string];
    if (wrong === '' || right === '') throw new DictionaryFormatError(source, line, 'empty field');
    if (wrong.trim() !== wrong || right.trim() !== right) {
      throw new DictionaryFormatError(source, line, 'field has leading or trailing whitespace');
    }
    if (wrong.length < MIN_WRONG || wrong.length > MAX_PATTERN) {
      throw new DictionaryFormatError(
        source,
        line,
        `wrong form must be ${MIN_WRONG}–${MAX_PATTERN} characters: "${wrong}"`,
      );
    }
    if (wrong === right)
      throw new DictionaryFormatError(source, line, `wrong and right are the same: "${wrong}"`);
    const seen = firstLine.get(wrong);
    if (seen !== undefined) {
      throw new DictionaryFormatError(
        source,
        line,
        `duplicate wrong form "${wrong}" (first on line ${seen})`,
      );
    }
    firstLine.set(wrong, line);
    pairs.push({ wrong, right, line });
  });
  return pairs;
}

const cache = new Map<string, ProofRule[]>();

/**
 * The starter dictionary as rules (severity 'warn', category 'typo', source 'starter', no exceptions).
 * Read and validated once per path, then cached; callers must not mutate the returned rules.
 */
export function loadStarterRules(path: string | URL = STARTER_DICTIONARY_URL): ProofRule[] {
  const key = path.toString();
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const pairs = parseTypoDictionary(readFileSync(path, 'utf8'), key);
  const rules = pairs.map(
    ({ wrong, right }): ProofRule => ({
      pattern: wrong,
      suggestion: right,
      severity: 'warn',
      category: 'typo',
      exceptions: [],
      source: 'starter',
    }),
  );
  cache.set(key, rules);
  return rules;
}
