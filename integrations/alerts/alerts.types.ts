/** What happened: each kind has a fixed Chinese title (see `KIND_TITLES` in messages.ts). */
export type AlertEventKind =
  | 'publish_failed'
  | 'publish_unconfirmed'
  | 'sla_at_risk'
  | 'sla_breached'
  | 'credentials_attention'
  | 'metrics_gap'
  | 'report_ready'
  | 'test';

/** One thing a team should hear about in its group chat. */
export interface AlertEvent {
  kind: AlertEventKind;
  organisationName: string;
  /** What it is about: the content title, or the account name for credential alerts. */
  title: string;
  /** Why, in Chinese, for the editors (e.g. "微信返回：素材已被删除"). */
  detail: string;
  /** Absolute URL of the item in Yunying, or null when there is no page to open. */
  link: string | null;
  occurredAt: Date;
  accountName?: string;
}

/**
 * Where an organisation's alerts go. The WeCom key, the DingTalk access token and both secrets are
 * credentials: they never appear in a `DeliveryResult.reason` or a log line.
 */
export type ChannelConfig =
  | { type: 'wecom'; webhookUrl: string }
  | { type: 'dingtalk'; webhookUrl: string; secret: string }
  | { type: 'webhook'; url: string; secret: string | null };

/**
 * The outcome of one message. `retryable: false` means sending the same message again cannot help
 * (wrong URL, revoked robot, bad signature): the channel needs a person's attention.
 * `reason` is Chinese, shown to the organisation's administrators, and free of credentials.
 */
export type DeliveryResult =
  | { ok: true }
  | { ok: false; retryable: boolean; retryAfterMs?: number; reason: string };
