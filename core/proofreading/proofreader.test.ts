import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkFields, Proofreader } from './proofreader.js';
import type { ProofRule } from './proofreading.types.js';
import { DictionaryFormatError, loadStarterRules, parseTypoDictionary } from './starter-dictionary.js';

const starter = loadStarterRules();
const proofreader = new Proofreader(starter);

function rule(pattern: string, overrides: Partial<ProofRule> = {}): ProofRule {
  return {
    pattern,
    suggestion: null,
    severity: 'warn',
    category: 'typo',
    exceptions: [],
    source: 'shared',
    ...overrides,
  };
}

/** Build a text from a template where each planted typo is written as [[wrong]]; returns the offsets. */
function plant(template: string): { text: string; planted: { start: number; wrong: string }[] } {
  const planted: { start: number; wrong: string }[] = [];
  let text = '';
  for (const [i, part] of template.split(/\[\[|\]\]/).entries()) {
    if (i % 2 === 1) planted.push({ start: text.length, wrong: part });
    text += part;
  }
  return { text, planted };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('starter dictionary', () => {
  it('loads, validates and is cached', () => {
    expect(starter.length).toBeGreaterThan(700);
    expect(loadStarterRules()).toBe(starter);
    for (const r of starter) {
      expect(r.pattern.length).toBeGreaterThanOrEqual(2);
      expect(r).toMatchObject({ severity: 'warn', category: 'typo', source: 'starter', exceptions: [] });
    }
    expect(new Set(starter.map((r) => r.pattern)).size).toBe(starter.length);
    const byPattern = new Map(starter.map((r) => [r.pattern, r.suggestion]));
    expect(byPattern.get('警钟常鸣')).toBe('警钟长鸣');
    expect(byPattern.get('负贵')).toBe('负责');
    expect(byPattern.get('登陆系统')).toBe('登录系统');
  });
});

describe('Proofreader with the starter dictionary', () => {
  it('finds every planted typo at its position with its suggestion, and nothing else', () => {
    const expected: Record<string, string> = {
      一但: '一旦',
      关健: '关键',
      拔款: '拨款',
      复盖: '覆盖',
      清况: '情况',
      登陆系统: '登录系统',
      部暑: '部署',
      既使: '即使',
      再接再励: '再接再厉',
      迫不急待: '迫不及待',
      截止年底: '截至年底',
      做为: '作为',
      震憾: '震撼',
      贯切: '贯彻',
      签定: '签订',
    };
    const { text, planted } = plant(
      '关于做好全民健身场地设施建设工作的通知\n\n' +
        '各区县体育主管部门：\n' +
        '为[[贯切]]落实全民健身国家战略，现就今年场地设施建设有关事项通知如下。' +
        '一、加快项目进度。[[截止年底]]，全市健身设施要实现城乡社区全[[复盖]]。' +
        '各地要把场地建设[[做为]]民生实事的[[关健]]环节，市财政已按计划[[拔款]]，' +
        '各地收到资金后要[[迫不急待]]地抓紧开工，不得以任何理由拖延。' +
        '[[既使]]遇到征地等困难，也要主动协调解决。' +
        '二、做好统筹[[部暑]]。各区县要结合实际细化方案，与施工单位依法[[签定]]合同，' +
        '明确工期、质量和安全责任。' +
        '[[一但]]发现质量问题，要立即责令整改，并将整改[[清况]]及时报送市体育局。' +
        '三、加强信息报送。各单位须于每月5日前[[登陆系统]]填报项目进展，' +
        '数据要真实准确，不得迟报、漏报。' +
        '四、营造良好氛围。要充分利用政务新媒体，宣传健身设施建设成果，' +
        '讲好群众身边的健身故事，让全民健身的理念深入人心，引起社会的广泛共鸣，' +
        '让人感受到体育带来的[[震憾]]与感动。' +
        '希望各地[[再接再励]]，以更加扎实的作风推动各项任务落地见效，' +
        '为建设体育强市作出新的更大贡献。\n\n某市体育局\n2026年4月1日',
    );
    expect(text.length).toBeGreaterThan(400);
    expect(planted.length).toBeGreaterThanOrEqual(10);

    const findings = proofreader.check(text);
    expect(findings.map((f) => ({ start: f.start, match: f.match, suggestion: f.suggestion }))).toEqual(
      planted.map((p) => ({ start: p.start, match: p.wrong, suggestion: expected[p.wrong] })),
    );
    for (const f of findings) {
      expect(text.slice(f.start, f.end)).toBe(f.match);
      expect(f.context).toContain(f.match);
      expect(f.context.length).toBeLessThanOrEqual(f.match.length + 20);
      expect(f).toMatchObject({ severity: 'warn', category: 'typo', source: 'starter' });
    }
  });

  it('reports nothing in a clean official text of at least 2,000 characters', () => {
    const clean = readFileSync(new URL('./fixtures/clean-official.txt', import.meta.url), 'utf8');
    expect(clean.length).toBeGreaterThanOrEqual(2000);
    expect(proofreader.check(clean)).toEqual([]);
  });
});

describe('Proofreader rules', () => {
  it('skips a match inside an occurrence of one of its exceptions', () => {
    const p = new Proofreader([rule('一但', { suggestion: '一旦', exceptions: ['一但凡', '统一但'] })]);
    const text = '一但凡有空就去；标准统一但执行不一；一但发现问题';
    const findings = p.check(text);
    expect(findings.map((f) => f.start)).toEqual([text.lastIndexOf('一但')]);
    // An exception that does not contain the pattern never applies.
    expect(new Proofreader([rule('一但', { exceptions: ['无关'] })]).check('无关一但').length).toBe(1);
  });

  it('keeps overlapping and same-start matches of different patterns, sorted by start then length', () => {
    const p = new Proofreader([
      rule('登陆'),
      rule('登陆系统'),
      rule('系统登'),
      rule('成份'),
      rule('化学成份'),
    ]);
    const findings = p.check('请登陆系统登记化学成份');
    expect(findings.map((f) => [f.start, f.match])).toEqual([
      [1, '登陆系统'],
      [1, '登陆'],
      [3, '系统登'],
      [7, '化学成份'],
      [9, '成份'],
    ]);
  });

  it('reports a pattern once per position even when several sources define it', () => {
    const p = new Proofreader([
      rule('倍受', { source: 'starter' }),
      rule('倍受', { source: 'shared' }),
      rule('倍受', { source: 'shared', suggestion: '备受' }),
    ]);
    const findings = p.check('倍受关注，倍受青睐');
    expect(findings.map((f) => [f.start, f.source, f.suggestion])).toEqual([
      [0, 'shared', '备受'],
      [5, 'shared', '备受'],
    ]);
    expect(p.rules.length).toBe(1);
  });

  it('lets an organisation rule override the starter rule for the same pattern, whatever the order', () => {
    const org = rule('倍受', {
      suggestion: '广受',
      severity: 'block',
      category: 'formulation',
      source: 'organisation',
    });
    for (const rules of [
      [...starter, org],
      [org, ...starter],
    ]) {
      const [finding] = new Proofreader(rules).check('该项目倍受群众欢迎');
      expect(finding).toMatchObject({
        start: 3,
        match: '倍受',
        suggestion: '广受',
        severity: 'block',
        category: 'formulation',
        source: 'organisation',
      });
    }
    // The shared copy of the dictionary overrides the starter one too, and the starter stays untouched.
    const [shared] = new Proofreader([...starter, rule('倍受', { suggestion: '备受' })]).check('倍受');
    expect(shared?.source).toBe('shared');
    expect(proofreader.check('倍受')[0]?.source).toBe('starter');
  });

  it('gives UTF-16 code-unit positions (an emoji counts as 2) and never splits a surrogate pair', () => {
    const text = '😀一但发现';
    const [finding] = proofreader.check(text);
    expect(finding).toMatchObject({ start: 2, end: 4, match: '一但', suggestion: '一旦' });
    expect(text.slice(2, 4)).toBe('一但');

    const padded = `${'😀'.repeat(6)}a一但${'😀'.repeat(6)}`;
    const [edge] = proofreader.check(padded);
    expect(edge?.start).toBe(13);
    // 10 units back from the match lands on the second half of an emoji: that half is left out.
    expect(edge?.context).toBe('😀😀😀😀a一但😀😀😀😀😀');
    expect(LONE_SURROGATE.test(edge?.context ?? '')).toBe(false);
  });

  it('passes block and warn severities and categories through', () => {
    const p = new Proofreader([
      rule('敏感词甲', { severity: 'block', category: 'sensitive', suggestion: null }),
      rule('错词乙', { severity: 'warn', category: 'typo', suggestion: '正词乙' }),
    ]);
    const findings = p.check('这里有错词乙，也有敏感词甲。');
    expect(findings.map((f) => [f.match, f.severity, f.category, f.suggestion])).toEqual([
      ['错词乙', 'warn', 'typo', '正词乙'],
      ['敏感词甲', 'block', 'sensitive', null],
    ]);
  });

  it('checks named fields and tags each finding with its field', () => {
    const findings = checkFields(proofreader, {
      'articles.0.title': '警钟常鸣：安全生产不松懈',
      'articles.0.digest': '没有问题的摘要',
      'articles.1.content': '资金已拔款到位，一但',
    });
    expect(findings.map((f) => [f.field, f.start, f.match])).toEqual([
      ['articles.0.title', 0, '警钟常鸣'],
      ['articles.1.content', 3, '拔款'],
      ['articles.1.content', 8, '一但'],
    ]);
  });

  it('handles empty text and an empty dictionary, and rejects an empty pattern', () => {
    expect(proofreader.check('')).toEqual([]);
    expect(new Proofreader([]).check('一但')).toEqual([]);
    expect(() => new Proofreader([rule('')])).toThrow(RangeError);
  });
});

describe('dictionary validator', () => {
  const dir = mkdtempSync(join(tmpdir(), 'yy-proof-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rejects a malformed line with its line number', () => {
    const path = join(dir, 'bad.tsv');
    writeFileSync(path, '# comment\n一但\t一旦\n\n关健 关键\n');
    expect(() => loadStarterRules(path)).toThrow(/bad\.tsv:4: expected 2 tab-separated fields, found 1/);
    try {
      loadStarterRules(path);
    } catch (error) {
      expect(error).toBeInstanceOf(DictionaryFormatError);
      expect((error as DictionaryFormatError).line).toBe(4);
    }
  });

  it('rejects extra fields, duplicates, identical pairs, short or padded forms', () => {
    expect(() => parseTypoDictionary('一但\t一旦\t100\n')).toThrow(
      /:1: expected 2 tab-separated fields, found 3/,
    );
    expect(() => parseTypoDictionary('一但\t一旦\n#\n一但\t一旦\n')).toThrow(
      /:3: duplicate wrong form "一但" \(first on line 1\)/,
    );
    expect(() => parseTypoDictionary('一旦\t一旦\n')).toThrow(/:1: wrong and right are the same/);
    expect(() => parseTypoDictionary('\n但\t旦\n')).toThrow(/:2: wrong form must be 2–50 characters/);
    expect(() => parseTypoDictionary('一但 \t一旦\n')).toThrow(
      /:1: field has leading or trailing whitespace/,
    );
    expect(() => parseTypoDictionary('\t一旦\n')).toThrow(/:1: empty field/);
  });

  it('accepts CRLF line endings, a BOM, comments and blank lines', () => {
    expect(parseTypoDictionary('\uFEFF# c\r\n一但\t一旦\r\n\r\n关健\t关键\r\n')).toEqual([
      { wrong: '一但', right: '一旦', line: 2 },
      { wrong: '关健', right: '关键', line: 4 },
    ]);
  });
});
