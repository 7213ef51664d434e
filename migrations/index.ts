import type { Migration } from 'kysely';
import * as m20261122120000 from './2026_11_22_120000_create_organisations_users_audit_log.js';
import * as m20261122120100 from './2026_11_22_120100_create_worker_heartbeats.js';
import * as m20261123090000 from './2026_11_23_090000_create_sessions_credentials_secrets.js';
import * as m20261123090100 from './2026_11_23_090100_audit_chain_and_retention.js';
import * as m20261123100000 from './2026_11_23_100000_create_accounts.js';
import * as m20261123120000 from './2026_11_23_120000_create_content.js';
import * as m20261123140000 from './2026_11_23_140000_create_publishing.js';
import * as m20261123150000 from './2026_11_23_150000_create_alerts.js';
import * as m20261124090000 from './2026_11_24_090000_create_metrics_kpi_campaigns.js';
import * as m20261124120000 from './2026_11_24_120000_create_reports.js';

/**
 * Every migration, by name. Static imports (rather than reading the folder at run time) keep the
 * list identical under tsx and in dist/; a test checks that every file in this folder is listed.
 */
export const migrations: Record<string, Migration> = {
  '2026_11_22_120000_create_organisations_users_audit_log': m20261122120000,
  '2026_11_22_120100_create_worker_heartbeats': m20261122120100,
  '2026_11_23_090000_create_sessions_credentials_secrets': m20261123090000,
  '2026_11_23_090100_audit_chain_and_retention': m20261123090100,
  '2026_11_23_100000_create_accounts': m20261123100000,
  '2026_11_23_120000_create_content': m20261123120000,
  '2026_11_23_140000_create_publishing': m20261123140000,
  '2026_11_23_150000_create_alerts': m20261123150000,
  '2026_11_24_090000_create_metrics_kpi_campaigns': m20261124090000,
  '2026_11_24_120000_create_reports': m20261124120000,
};
