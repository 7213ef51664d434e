import { assetStore } from '../shared/static-assets.js';

/** The client portal's stylesheet and browser modules (dashboard/portal/assets), and chart.js. */
export const portalAssets = assetStore('portal', [
  'portal.css',
  'portal-print.css',
  'portal-i18n.js',
  'portal-en.js',
  'portal-sections.js',
  'portal-report.js',
  'portal-common.js',
  'portal-charts.js',
  'portal-login.js',
  'portal-setup.js',
  'portal-dashboard.js',
  'portal-inbox.js',
] as const);
export type PortalAssetName = Parameters<typeof portalAssets.url>[0];
