import type { ColumnType, Generated } from 'kysely';

export interface CalendarOverridesTable {
  /** YYYY-MM-DD (Asia/Shanghai). */
  day: ColumnType<string, string, string>;
  working: boolean;
  name: string;
  updated_by: string | null;
  updated_at: Generated<Date>;
}
