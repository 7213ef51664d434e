import type { ColumnType, Generated } from 'kysely';
import type { ProofCategory, ProofSeverity } from './proofreading.types.js';

export interface ProofEntriesTable {
  id: Generated<string>;
  /** null: shared by every organisation. */
  organisation_id: string | null;
  pattern: string;
  suggestion: string | null;
  severity: ProofSeverity;
  category: ProofCategory;
  exceptions: ColumnType<string[], string[] | undefined, string[]>;
  note: string | null;
  created_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}
