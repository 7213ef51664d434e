import { assetStore } from '../shared/static-assets.js';

/** The backend pages' stylesheet and browser modules (dashboard/admin/assets), and chart.js. */
export const adminAssets = assetStore('admin', [
  'admin.css',
  'admin-common.js',
  'admin-login.js',
  'admin-calendar.js',
  'admin-contents.js',
  'admin-editor.js',
  'admin-manage.js',
] as const);
export type AdminAssetName = Parameters<typeof adminAssets.url>[0];
