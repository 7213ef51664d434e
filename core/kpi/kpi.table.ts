import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Baseline, KpiMetric, Milestone } from './kpi.compute.js';

type Day = ColumnType<string, string, string>;

export interface KpiTargetsTable {
  id: Generated<string>;
  organisation_id: string;
  /** null: every account of the organisation together. */
  account_id: string | null;
  metric: KpiMetric;
  name: string;
  baseline: JSONColumnType<Baseline | null, string | null, string | null>;
  milestones: JSONColumnType<Milestone[], string, string>;
  contract_start: Day;
  contract_end: Day;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
