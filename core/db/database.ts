import type { Kysely, Transaction } from 'kysely';
import type { AccountsTable } from '../accounts/accounts.table.js';
import type {
  AlertChannelsTable,
  AlertDeliveriesTable,
  AlertMessagesTable,
  AlertsTable,
} from '../alerts/alerts.table.js';
import type { AuditLogTable } from '../audit/audit.table.js';
import type { CalendarOverridesTable } from '../calendar/calendar.table.js';
import type {
  CampaignContentsTable,
  CampaignsTable,
  DeliverablesTable,
} from '../campaigns/campaigns.table.js';
import type {
  ContentReviewsTable,
  ContentRevisionsTable,
  ContentsTable,
  ContentTransitionsTable,
  OrganisationReviewersTable,
  SlaRecordsTable,
} from '../content/content.table.js';
import type { WorkerHeartbeatsTable } from '../heartbeat/heartbeat.table.js';
import type {
  OrganisationsTable,
  PasswordHistoryTable,
  RecoveryCodesTable,
  SessionsTable,
  UsersTable,
} from '../identity/identity.table.js';
import type { KpiTargetsTable } from '../kpi/kpi.table.js';
import type { MediaPlatformRefsTable, MediaTable } from '../media/media.table.js';
import type {
  MetricAccountDailyTable,
  MetricAccountPeriodsTable,
  MetricArticleDailyTable,
  MetricBackfillsTable,
  MetricImportsTable,
} from '../metrics/metrics.table.js';
import type { ProofEntriesTable } from '../proofreading/proof-entries.table.js';
import type { PublishAttemptsTable } from '../publishing/publishing.table.js';
import type { ReportsTable } from '../reports/reports.table.js';
import type { SecretsTable } from '../secrets/secrets.table.js';

/** Every table, by name. Row types live beside their feature in `<feature>.table.ts`. */
export interface Database {
  organisations: OrganisationsTable;
  users: UsersTable;
  audit_log: AuditLogTable;
  worker_heartbeats: WorkerHeartbeatsTable;
  password_history: PasswordHistoryTable;
  recovery_codes: RecoveryCodesTable;
  sessions: SessionsTable;
  secrets: SecretsTable;
  accounts: AccountsTable;
  organisation_reviewers: OrganisationReviewersTable;
  media: MediaTable;
  media_platform_refs: MediaPlatformRefsTable;
  contents: ContentsTable;
  content_revisions: ContentRevisionsTable;
  content_transitions: ContentTransitionsTable;
  content_reviews: ContentReviewsTable;
  sla_records: SlaRecordsTable;
  calendar_overrides: CalendarOverridesTable;
  proof_entries: ProofEntriesTable;
  publish_attempts: PublishAttemptsTable;
  alert_channels: AlertChannelsTable;
  alerts: AlertsTable;
  alert_messages: AlertMessagesTable;
  alert_deliveries: AlertDeliveriesTable;
  metric_account_daily: MetricAccountDailyTable;
  metric_article_daily: MetricArticleDailyTable;
  metric_account_periods: MetricAccountPeriodsTable;
  metric_backfills: MetricBackfillsTable;
  metric_imports: MetricImportsTable;
  kpi_targets: KpiTargetsTable;
  campaigns: CampaignsTable;
  campaign_contents: CampaignContentsTable;
  deliverables: DeliverablesTable;
  reports: ReportsTable;
}

export type Db = Kysely<Database>;
/** A repository function accepts either the database or an open transaction. */
export type DbOrTx = Kysely<Database> | Transaction<Database>;
