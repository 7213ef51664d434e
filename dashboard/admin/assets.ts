import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The backend pages' static files: our browser modules and stylesheet from dashboard/admin/assets, and
 * chart.js from node_modules (offline machine, no CDN). Each is read once and addressed by a content
 * hash, so a page may cache it for a year and a deploy still reaches browsers at once.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
// From source: <here>/assets. Built (dist/dashboard/admin): the copied <root>/dashboard/admin/assets.
const ASSET_DIR =
  [path.join(here, 'assets'), path.join(here, '..', '..', '..', 'dashboard', 'admin', 'assets')].find((dir) =>
    existsSync(path.join(dir, 'admin.css')),
  ) ?? path.join(here, 'assets');

const OWN_FILES = [
  'admin.css',
  'admin-common.js',
  'admin-login.js',
  'admin-calendar.js',
  'admin-contents.js',
  'admin-editor.js',
  'admin-manage.js',
] as const;
export type AdminAssetName = (typeof OWN_FILES)[number] | 'chart.umd.js';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface AdminAsset {
  body: Buffer;
  contentType: string;
  hash: string;
}

function chartJsPath(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return path.join(path.dirname(entry), 'chart.umd.js');
}

let assets: Map<string, AdminAsset> | null = null;
function load(): Map<string, AdminAsset> {
  if (assets) return assets;
  const files: Array<[string, string]> = [
    ...OWN_FILES.map((name): [string, string] => [name, path.join(ASSET_DIR, name)]),
    ['chart.umd.js', chartJsPath()],
  ];
  assets = new Map(
    files.map(([name, file]) => {
      const body = readFileSync(file);
      const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
      return [
        name,
        { body, hash, contentType: CONTENT_TYPES[path.extname(name)] ?? 'application/octet-stream' },
      ];
    }),
  );
  return assets;
}

/** The asset of that name, or null for any other name (no path is ever joined from the URL). */
export function adminAsset(name: string): AdminAsset | null {
  return load().get(name) ?? null;
}

/** The URL a page uses: versioned by content, so it can be cached as immutable. */
export function adminAssetUrl(name: AdminAssetName): string {
  const asset = load().get(name);
  if (!asset) throw new Error(`unknown admin asset ${name}`);
  return `/admin/assets/${name}?v=${asset.hash}`;
}
