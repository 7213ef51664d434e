import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_TEXTS } from '../core/i18n/messages.js';

/** Every stable error code the code can answer with has a Chinese and an English text. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sources(full);
    return full.endsWith('.ts') && !full.endsWith('.test.ts') ? [full] : [];
  });
}

describe('error texts', () => {
  it('has a zh-CN and an en text for every AppError code thrown in api/ and core/', () => {
    const codes = new Set<string>();
    for (const file of [...sources('api'), ...sources('core')]) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(/AppError\(\s*'([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1] as string);
      for (const m of text.matchAll(/deny\(request, '([A-Z][A-Z0-9_]+)'/g)) codes.add(m[1] as string);
    }
    expect(codes.size).toBeGreaterThan(60);
    const missing = [...codes].filter((c) => !ERROR_TEXTS[c]?.['zh-CN'] || !ERROR_TEXTS[c]?.en).sort();
    expect(missing).toEqual([]);
  });
});
