import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { ContentStatus } from './content.workflow.js';

export type ContentKind = 'wechat_edition' | 'weibo_post';

export interface ContentsTable {
  id: Generated<string>;
  organisation_id: string;
  account_id: string;
  kind: ContentKind;
  status: ColumnType<ContentStatus, ContentStatus | undefined, ContentStatus>;
  revision: Generated<number>;
  /** The first article's title or the post's opening words: for lists and the calendar. */
  title: string;
  /** null: as soon as possible after approval (the SLA applies). */
  publish_at: Date | null;
  scheduled_at: Date | null;
  approved_revision: number | null;
  created_by: string | null;
  updated_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Publishing (core/publishing): the worker holding the item, and until when. */
  lease_owner: ColumnType<string | null, string | null | undefined, string | null>;
  lease_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  /** PublishProgress: every platform id recorded so far. */
  progress: JSONColumnType<object, string | undefined, string>;
  attempts: Generated<number>;
  published_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  published_urls: JSONColumnType<
    Array<{ articleId: string | null; url: string }>,
    string | undefined,
    string
  >;
  last_error: JSONColumnType<PublishErrorRecord | null, string | null | undefined, string | null>;
}

/** The last publishing error, translated for the editor. */
export interface PublishErrorRecord {
  kind: string;
  code: string | null;
  message: string;
  editorMessage: string;
  at: string;
}

export interface ContentRevisionsTable {
  content_id: string;
  revision: number;
  body: JSONColumnType<object, string, string>;
  findings: JSONColumnType<object[], string | undefined, string>;
  created_by: string | null;
  created_at: Generated<Date>;
}

export interface ContentTransitionsTable {
  id: Generated<string>;
  content_id: string;
  action: string;
  from_status: ContentStatus;
  to_status: ContentStatus;
  revision: number;
  actor_user_id: string | null;
  actor_role: string | null;
  reason: string | null;
  at: Generated<Date>;
}

export interface ContentReviewsTable {
  id: Generated<string>;
  content_id: string;
  revision: number;
  step: number;
  decision: 'approved' | 'rejected';
  reviewer_user_id: string | null;
  surface: 'backend' | 'portal';
  comment: string | null;
  at: Generated<Date>;
}

export interface SlaRecordsTable {
  content_id: string;
  organisation_id: string;
  approved_at: Date;
  working_day: boolean;
  at_risk_at: Date;
  deadline: Date;
  published_at: Date | null;
  outcome: ColumnType<
    'pending' | 'met' | 'missed' | 'void',
    'pending' | undefined,
    'pending' | 'met' | 'missed' | 'void'
  >;
  at_risk_raised_at: Date | null;
  breached_raised_at: Date | null;
}

export interface OrganisationReviewersTable {
  organisation_id: string;
  user_id: string;
  created_at: Generated<Date>;
}
