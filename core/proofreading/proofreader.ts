/**
 * 校对 — dictionary proofreading of plain text with an Aho–Corasick automaton.
 *
 * Positions: every `start`/`end` in a finding is a UTF-16 code-unit offset into the checked string
 * (the unit of `String.prototype.slice` and of JavaScript string indexes), so an emoji or any other
 * astral character before a match counts as 2. Matching is exact and code unit by code unit: no Unicode
 * normalisation, no case folding, no word or grapheme boundaries (Chinese text has no word separators,
 * so a pattern is found wherever its characters occur in sequence).
 *
 * Why not `modern-ahocorasick`: v3 segments the text into grapheme clusters with `Intl.Segmenter`, which
 * on Node 20 costs about 7 µs per non-ASCII character — about 140 ms for a 20,000-character Chinese
 * article, whatever the dictionary size (see `npm run bench:proofreading`, which times it next to this
 * matcher). The automaton below works on UTF-16 code units directly (about 1 ms for the same article)
 * and yields UTF-16 offsets without any mapping. It could match inside a grapheme cluster (a character
 * followed by a combining mark or a variation selector); for Chinese typo patterns that is harmless.
 */
import type { ProofFinding, ProofRule } from './proofreading.types.js';

const SOURCE_RANK: Record<ProofRule['source'], number> = { starter: 0, shared: 1, organisation: 2 };
const CONTEXT_UNITS = 10;

interface CompiledRule {
  readonly rule: ProofRule;
  readonly length: number;
  /** Each exception with the offsets at which `rule.pattern` occurs inside it. */
  readonly exceptions: readonly { readonly text: string; readonly offsets: readonly number[] }[];
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

function offsetsIn(haystack: string, needle: string): number[] {
  const offsets: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + 1)) offsets.push(at);
  return offsets;
}

/**
 * Merge rules from several sources: when a pattern occurs more than once, the rule from the source with
 * the higher precedence wins (organisation > shared > starter); within one source the later rule wins.
 * After the merge every pattern is unique, so there is at most one finding per pattern and start.
 */
export function mergeRules(rules: readonly ProofRule[]): ProofRule[] {
  const byPattern = new Map<string, ProofRule>();
  for (const rule of rules) {
    const current = byPattern.get(rule.pattern);
    if (current === undefined || SOURCE_RANK[rule.source] >= SOURCE_RANK[current.source]) {
      byPattern.set(rule.pattern, rule);
    }
  }
  return [...byPattern.values()];
}

export class Proofreader {
  /** The rules after merging, one per pattern. */
  readonly rules: readonly ProofRule[];
  /** Milliseconds spent building the automaton. */
  readonly buildMs: number;
  readonly #compiled: CompiledRule[];
  /** Transitions out of the root, indexed by UTF-16 code unit (0 = none; the root has id 0). */
  readonly #root = new Int32Array(0x10000);
  /** Transitions out of every other state. */
  readonly #children: (Map<number, number> | undefined)[] = [undefined];
  readonly #fail: number[] = [0];
  /** Rules (indexes into #compiled) whose pattern ends at the state, including via failure links. */
  readonly #output: (number[] | undefined)[] = [undefined];

  constructor(rules: readonly ProofRule[]) {
    const started = performance.now();
    this.rules = mergeRules(rules);
    this.#compiled = this.rules.map((rule) => {
      if (rule.pattern.length === 0) throw new RangeError('proofreading: a rule has an empty pattern');
      return {
        rule,
        length: rule.pattern.length,
        exceptions: rule.exceptions
          .map((text) => ({ text, offsets: offsetsIn(text, rule.pattern) }))
          .filter((exception) => exception.offsets.length > 0),
      };
    });
    this.#compiled.forEach((compiled, index) => {
      this.#insert(compiled.rule.pattern, index);
    });
    this.#link();
    this.buildMs = performance.now() - started;
  }

  #newState(): number {
    this.#children.push(undefined);
    this.#fail.push(0);
    this.#output.push(undefined);
    return this.#children.length - 1;
  }

  #insert(pattern: string, ruleIndex: number): void {
    let state = 0;
    for (let i = 0; i < pattern.length; i++) {
      const code = pattern.charCodeAt(i);
      if (state === 0) {
        let next = this.#root[code] ?? 0;
        if (next === 0) {
          next = this.#newState();
          this.#root[code] = next;
        }
        state = next;
      } else {
        let map = this.#children[state];
        if (map === undefined) {
          map = new Map();
          this.#children[state] = map;
        }
        let next = map.get(code);
        if (next === undefined) {
          next = this.#newState();
          map.set(code, next);
        }
        state = next;
      }
    }
    this.#output[state] = [ruleIndex];
  }

  /** Failure links and merged outputs, breadth first so a state's failure target is complete first. */
  #link(): void {
    const queue: number[] = [];
    for (let code = 0; code < 0x10000; code++) {
      const child = this.#root[code] ?? 0;
      if (child !== 0) queue.push(child); // depth-1 states fail to the root
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head] as number;
      const map = this.#children[state];
      if (map === undefined) continue;
      for (const [code, child] of map) {
        queue.push(child);
        const target = this.#step(this.#fail[state] ?? 0, code);
        this.#fail[child] = target;
        const inherited = this.#output[target];
        if (inherited !== undefined) {
          const own = this.#output[child];
          this.#output[child] = own === undefined ? inherited : [...own, ...inherited];
        }
      }
    }
  }

  #step(from: number, code: number): number {
    let state = from;
    for (;;) {
      if (state === 0) return this.#root[code] ?? 0;
      const next = this.#children[state]?.get(code);
      if (next !== undefined) return next;
      state = this.#fail[state] ?? 0;
    }
  }

  /**
   * Every dictionary hit in `text`, sorted by start (then longer first). Offsets are UTF-16 code units.
   * A hit inside an occurrence of one of its rule's exceptions is left out. Different patterns that
   * overlap or start at the same position are all reported.
   */
  check(text: string): ProofFinding[] {
    const findings: ProofFinding[] = [];
    const root = this.#root;
    const children = this.#children;
    const fail = this.#fail;
    const output = this.#output;
    let state = 0;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      for (;;) {
        if (state === 0) {
          state = root[code] ?? 0;
          break;
        }
        const next = children[state]?.get(code);
        if (next !== undefined) {
          state = next;
          break;
        }
        state = fail[state] ?? 0;
      }
      const hits = output[state];
      if (hits === undefined) continue;
      for (const ruleIndex of hits) {
        const compiled = this.#compiled[ruleIndex] as CompiledRule;
        const end = i + 1;
        const start = end - compiled.length;
        if (compiled.exceptions.length > 0 && insideException(text, start, compiled)) continue;
        const { rule } = compiled;
        findings.push({
          start,
          end,
          match: rule.pattern,
          suggestion: rule.suggestion,
          severity: rule.severity,
          category: rule.category,
          source: rule.source,
          context: contextOf(text, start, end),
        });
      }
    }
    return findings.sort((a, b) => a.start - b.start || b.end - a.end);
  }
}

function insideException(text: string, start: number, compiled: CompiledRule): boolean {
  for (const exception of compiled.exceptions) {
    for (const offset of exception.offsets) {
      const at = start - offset;
      if (at >= 0 && text.startsWith(exception.text, at)) return true;
    }
  }
  return false;
}

function contextOf(text: string, start: number, end: number): string {
  let from = Math.max(0, start - CONTEXT_UNITS);
  let to = Math.min(text.length, end + CONTEXT_UNITS);
  if (from > 0 && isLowSurrogate(text.charCodeAt(from))) from += 1;
  if (to < text.length && isHighSurrogate(text.charCodeAt(to - 1))) to -= 1;
  return text.slice(from, to);
}

/**
 * Check several named texts (e.g. `{ 'articles.0.title': …, 'articles.0.digest': … }`) and tag each
 * finding with its field. Findings come field by field in the object's key order, each field sorted by start.
 */
export function checkFields(proofreader: Proofreader, fields: Record<string, string>): ProofFinding[] {
  const findings: ProofFinding[] = [];
  for (const [field, text] of Object.entries(fields)) {
    for (const finding of proofreader.check(text)) {
      finding.field = field;
      findings.push(finding);
    }
  }
  return findings;
}
