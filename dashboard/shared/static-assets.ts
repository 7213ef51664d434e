import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The pages' static files: our browser modules and stylesheets from `dashboard/<surface>/assets`, and
 * chart.js from node_modules (the machine is offline; no CDN). Each file is read once and addressed by a
 * content hash, so a page may ask browsers to cache it for a year and a deploy still reaches them at once.
 */

export interface StaticAsset {
  body: Buffer;
  contentType: string;
  /** First 12 hex digits of the SHA-256 of the body. */
  hash: string;
}

export interface AssetStore<Name extends string> {
  /** The asset of that name, or null for any other name (no path is ever joined from a URL). */
  get(name: string): StaticAsset | null;
  /** The URL a page uses: versioned by content, so it can be cached as immutable. */
  url(name: Name): string;
  /** The path prefix the store is served under, e.g. `/portal/assets`. */
  readonly prefix: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

function chartJsPath(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return path.join(path.dirname(entry), 'chart.umd.js');
}

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Browser modules both surfaces serve (dashboard/shared/assets): the first-login password form. */
const SHARED_FILES = ['password-change.js'] as const;

/** Run from source, `root` is the repository; built (dist/dashboard/shared), the assets sit next to dist/. */
function assetDir(parts: string[], probe: string): string {
  return (
    [path.join(root, ...parts), path.join(root, '..', ...parts)].find((d) =>
      existsSync(path.join(d, probe)),
    ) ?? path.join(root, ...parts)
  );
}

/**
 * A store for one surface: its own files, the shared modules and chart.js. The Docker image copies
 * `dashboard/<surface>/assets` and `dashboard/shared/assets` next to dist/ because tsc does not copy
 * .js/.css files.
 */
export function assetStore<const Files extends readonly string[]>(
  surface: 'admin' | 'portal',
  files: Files,
): AssetStore<Files[number] | (typeof SHARED_FILES)[number] | 'chart.umd.js'> {
  const dir = assetDir(['dashboard', surface, 'assets'], files[0] ?? '');
  const sharedDir = assetDir(['dashboard', 'shared', 'assets'], SHARED_FILES[0]);
  const prefix = `/${surface}/assets`;
  let loaded: Map<string, StaticAsset> | null = null;
  const load = () => {
    loaded ??= new Map(
      [
        ...files.map((name): [string, string] => [name, path.join(dir, name)]),
        ...SHARED_FILES.map((name): [string, string] => [name, path.join(sharedDir, name)]),
        ['chart.umd.js', chartJsPath()] as [string, string],
      ].map(([name, file]) => {
        const body = readFileSync(file);
        const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
        const contentType = CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream';
        return [name, { body, hash, contentType }];
      }),
    );
    return loaded;
  };
  return {
    prefix,
    get: (name) => load().get(name) ?? null,
    url(name) {
      const asset = load().get(name);
      if (!asset) throw new Error(`unknown ${surface} asset ${name}`);
      return `${prefix}/${name}?v=${asset.hash}`;
    },
  };
}
