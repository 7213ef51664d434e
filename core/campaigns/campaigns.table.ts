import type { ColumnType, Generated, JSONColumnType } from 'kysely';

type Day = ColumnType<string, string, string>;

/** 营销活动 / 主题活动 / 专题. */
export type CampaignType = 'marketing' | 'theme' | 'topic';

export interface CampaignGoal {
  metric: string;
  target: number;
  note?: string;
}

export interface CampaignsTable {
  id: Generated<string>;
  organisation_id: string;
  type: CampaignType;
  name: string;
  description: Generated<string>;
  starts_on: Day;
  ends_on: Day;
  short_event: Generated<boolean>;
  goals: JSONColumnType<CampaignGoal[], string | undefined, string>;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface CampaignContentsTable {
  campaign_id: string;
  content_id: string;
}

export type DeliverableKind = 'feature' | 'topic_page';

export interface DeliverablesTable {
  id: Generated<string>;
  organisation_id: string;
  campaign_id: string | null;
  kind: DeliverableKind;
  title: string;
  delivered_on: Day;
  url: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
}
