import type { ColumnType, Generated } from 'kysely';

export type AccountPlatform = 'wechat' | 'weibo';
export type WechatKind = 'subscription' | 'service';
export type PublishMode = 'masssend' | 'freepublish';
export type AccountTier = 'city_government' | 'city_department' | 'county_government' | 'county_unit';
export type InspectionCadence = 'daily' | 'twice_weekly' | 'weekly' | 'monthly';
export type AccountStatus = 'active' | 'needs_reauth' | 'disabled';

export interface AccountsTable {
  id: Generated<string>;
  organisation_id: string;
  platform: AccountPlatform;
  name: string;
  external_id: string;
  wechat_kind: WechatKind | null;
  verified: Generated<boolean>;
  publish_mode: PublishMode | null;
  daily_masssend_quota: Generated<number>;
  tier: AccountTier | null;
  inspection_cadence: InspectionCadence | null;
  status: ColumnType<AccountStatus, AccountStatus | undefined>;
  status_reason: string | null;
  sandbox: Generated<boolean>;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
