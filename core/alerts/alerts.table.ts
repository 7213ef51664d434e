import type { Generated } from 'kysely';

export type AlertChannelType = 'wecom' | 'dingtalk' | 'webhook';

export interface AlertChannelsTable {
  id: Generated<string>;
  organisation_id: string;
  type: AlertChannelType;
  name: string;
  /** The URL with its query string masked, for display. */
  target: string;
  enabled: Generated<boolean>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface AlertsTable {
  id: Generated<string>;
  organisation_id: string;
  kind: string;
  content_id: string | null;
  account_id: string | null;
  title: string;
  detail: string;
  link: string | null;
  dedupe_key: string;
  occurred_at: Generated<Date>;
}

export interface AlertMessagesTable {
  id: Generated<string>;
  channel_id: string;
  sent_at: Generated<Date>;
  alerts: number;
  ok: boolean;
  error: string | null;
}

export interface AlertDeliveriesTable {
  alert_id: string;
  channel_id: string;
  status: Generated<'pending' | 'sent' | 'failed'>;
  attempts: Generated<number>;
  next_attempt_at: Generated<Date>;
  message_id: string | null;
  last_error: string | null;
}
