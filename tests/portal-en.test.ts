import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The portal's English switch: every Chinese string the browser modules pass to t() has an English entry
 * in portal-en.js with the same placeholders, no entry is left over, and no Chinese text is shown without
 * going through t(). The monthly report's module is the exception: the report is Chinese only.
 */
const PORTAL = path.resolve('dashboard/portal/assets');
const MODULES = [
  ...readdirSync(PORTAL)
    .filter((f) => f.endsWith('.js') && !['portal-en.js', 'portal-report.js'].includes(f))
    .map((f) => path.join(PORTAL, f)),
  path.resolve('dashboard/shared/assets/password-change.js'),
];
const T_CALL = /\bt\(\s*'((?:[^'\\]|\\.)*)'/g;
const CJK = /[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]/;
const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

async function dictionary(): Promise<Record<string, string>> {
  const url = pathToFileURL(path.join(PORTAL, 'portal-en.js')).href;
  return (await import(url)).EN;
}

function keysUsed(): Set<string> {
  const keys = new Set<string>();
  for (const file of MODULES)
    for (const m of readFileSync(file, 'utf8').matchAll(T_CALL)) keys.add(m[1] as string);
  return keys;
}

describe('portal English dictionary', () => {
  it('has an English entry, with the same placeholders, for every t() string, and none unused', async () => {
    const en = await dictionary();
    const used = keysUsed();
    expect(used.size).toBeGreaterThan(100);
    expect([...used].filter((k) => !(k in en))).toEqual([]);
    expect(Object.keys(en).filter((k) => !used.has(k))).toEqual([]);
    const mismatched = Object.entries(en).filter(([zh, text]) => {
      const a = placeholders(zh);
      return a.join() !== placeholders(text).join() || CJK.test(text);
    });
    expect(mismatched).toEqual([]);
  });

  it('leaves no Chinese text in the modules outside t() calls and comments', () => {
    const stray = MODULES.flatMap((file) =>
      readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ''))
        // Emptied in place: a call split over two lines keeps its line break, so line numbers hold.
        .replace(T_CALL, (call) => call.replace(/'[\s\S]*'$/, "''"))
        .split('\n')
        .map((line, i) => [i, line.replace(/\/\/.*$/, '')] as const)
        .filter(([, line]) => CJK.test(line))
        .map(([i, line]) => `${path.basename(file)}:${i + 1} ${line.trim()}`),
    );
    expect(stray).toEqual([]);
  });
});
