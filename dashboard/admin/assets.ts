import { assetStore } from '../shared/static-assets.js';

/**
 * The backend pages' stylesheet and browser modules (dashboard/admin/assets); the store adds the shared
 * modules (dashboard/shared/assets) and chart.js.
 */
export const adminAssets = assetStore('admin', [
  'admin.css',
  'admin-common.js',
  'admin-login.js',
  'admin-setup.js',
  'admin-calendar.js',
  'admin-contents.js',
  'admin-editor.js',
  'admin-manage.js',
  'admin-accounts.js',
  'admin-organisations.js',
  'admin-kpi.js',
  'admin-campaigns.js',
  'admin-deliverables.js',
  'admin-reports.js',
  'admin-imports.js',
  'admin-alerts.js',
  'admin-users.js',
  'admin-audit.js',
] as const);
export type AdminAssetName = Parameters<typeof adminAssets.url>[0];
