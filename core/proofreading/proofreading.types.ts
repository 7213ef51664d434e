/** `block` stops publication until fixed or overridden; `warn` is shown to the editor only. */
export type ProofSeverity = 'block' | 'warn';

export type ProofCategory = 'typo' | 'sensitive' | 'formulation';

/** One dictionary entry as the matcher sees it. */
export interface ProofRule {
  /** The text to find (1–50 UTF-16 code units, matched exactly, case-sensitive). */
  pattern: string;
  /** The replacement to propose; null when there is no single right form. */
  suggestion: string | null;
  severity: ProofSeverity;
  category: ProofCategory;
  /**
   * Longer correct phrases that contain `pattern` (pattern 一但, exception 一但凡). A match lying inside
   * an occurrence of one of these in the checked text is not reported.
   */
  exceptions: readonly string[];
  /** Precedence when the same pattern comes from several sources: organisation > shared > starter. */
  source: 'starter' | 'shared' | 'organisation';
}

export interface ProofFinding {
  /** UTF-16 code-unit offset into the checked text (inclusive), as used by `String.prototype.slice`. */
  start: number;
  /** UTF-16 code-unit offset (exclusive). */
  end: number;
  /** The matched text, i.e. `text.slice(start, end)`. */
  match: string;
  suggestion: string | null;
  severity: ProofSeverity;
  category: ProofCategory;
  source: ProofRule['source'];
  /** The match with up to 10 code units either side (never splitting a surrogate pair). */
  context: string;
  /** Set by `checkFields`: the name of the field the finding is in, e.g. 'articles.0.title'. */
  field?: string;
}
