import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The portal's static files: our browser modules and stylesheet from dashboard/assets, and chart.js from
 * node_modules (the machine is offline; no CDN). Each is read once and addressed by a content hash, so a
 * page can ask browsers to cache it for a year and a deploy still reaches them at once.
 */

const here = path.dirname(fileURLToPath(import.meta.url));
// Run from source: <here>/../assets. Built (dist/dashboard/portal): the copied <root>/dashboard/assets.
const ASSET_DIR =
  [path.join(here, '..', 'assets'), path.join(here, '..', '..', '..', 'dashboard', 'assets')].find((dir) =>
    existsSync(path.join(dir, 'portal.css')),
  ) ?? path.join(here, '..', 'assets');

const OWN_FILES = [
  'portal.css',
  'portal-common.js',
  'portal-charts.js',
  'portal-login.js',
  'portal-dashboard.js',
  'portal-inbox.js',
] as const;
export type AssetName = (typeof OWN_FILES)[number] | 'chart.umd.js';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface Asset {
  body: Buffer;
  contentType: string;
  hash: string;
}

function chartJsPath(): string {
  const entry = createRequire(import.meta.url).resolve('chart.js');
  return path.join(path.dirname(entry), 'chart.umd.js');
}

let assets: Map<string, Asset> | null = null;
function load(): Map<string, Asset> {
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

/** The asset of that name, or null for any name that is not one of ours (no path is ever joined). */
export function portalAsset(name: string): Asset | null {
  return load().get(name) ?? null;
}

/** The URL a page uses: versioned by content, so it can be cached as immutable. */
export function portalAssetUrl(name: AssetName): string {
  const asset = load().get(name);
  if (!asset) throw new Error(`unknown portal asset ${name}`);
  return `/portal/assets/${name}?v=${asset.hash}`;
}
