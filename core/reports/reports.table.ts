import type { ColumnType, Generated } from 'kysely';

export type ReportStatus = 'queued' | 'generating' | 'done' | 'failed';

export interface ReportsTable {
  id: Generated<string>;
  organisation_id: string;
  /** The month's first day, 'YYYY-MM-01' (pg returns `date` as text here). */
  month: ColumnType<string, string, string>;
  version: number;
  status: ColumnType<ReportStatus, ReportStatus | undefined, ReportStatus>;
  pdf_path: string | null;
  pdf_sha256: string | null;
  pdf_bytes: number | null;
  xlsx_path: string | null;
  xlsx_sha256: string | null;
  xlsx_bytes: number | null;
  error: string | null;
  attempts: Generated<number>;
  created_by: string | null;
  created_at: Generated<Date>;
  generated_at: Date | null;
}
