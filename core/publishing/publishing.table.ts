import type { Generated, JSONColumnType } from 'kysely';

export type AttemptOutcome = 'published' | 'failed' | 'unconfirmed' | 'retry' | 'abandoned';

export interface PublishAttemptsTable {
  id: Generated<string>;
  content_id: string;
  revision: number;
  attempt: number;
  worker: string;
  started_at: Generated<Date>;
  finished_at: Date | null;
  outcome: AttemptOutcome | null;
  error_kind: string | null;
  error_code: string | null;
  error_message: string | null;
  /** Each recorded step: what was done and when (`{ step, at }`). */
  steps: JSONColumnType<Array<{ step: string; at: string }>, string | undefined, string>;
}
