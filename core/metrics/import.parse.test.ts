import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { type ImportProblem, MAX_IMPORT_ROWS, parseMetricsImport } from './import.parse.js';

const TODAY = '2021-12-01';

function parse(bytes: Buffer, filename = 'figures.csv') {
  return parseMetricsImport(bytes, filename, { today: TODAY });
}

function csv(...lines: string[]): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

async function xlsx(rows: unknown[][], build?: (sheet: ExcelJS.Worksheet) => void): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('数据');
  for (const row of rows) sheet.addRow(row);
  build?.(sheet);
  workbook.addWorksheet('说明').addRow(['this sheet is not read', 'x']);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected the import to be rejected');
}

async function problemsOf(promise: Promise<unknown>): Promise<ImportProblem[]> {
  const err = await failure(promise);
  expect(err.code).toBe('IMPORT_INVALID');
  expect(err.status).toBe(422);
  return (err.details as { problems: ImportProblem[] }).problems;
}

/** The problems as [row, column, code], the parts a user reads first. */
async function where(promise: Promise<unknown>): Promise<Array<[number, string | null, string]>> {
  return (await problemsOf(promise)).map((p) => [p.row, p.column, p.code]);
}

const accountHeader = 'account,date,followers,new_followers,lost_followers,reads,readers,shares';

describe('parseMetricsImport — reading files', () => {
  it('reads account figures from a CSV with English headers, thousands separators and empty cells', async () => {
    const parsed = await parse(
      csv(
        accountHeader,
        'gh_abc,2021-11-01,"12,345", 20 ,3,,,',
        '  Daily News ,2021/11/2,12362,,,"1,000",800,0',
      ),
    );
    expect(parsed).toEqual({
      kind: 'account_daily',
      rows: [
        {
          row: 2,
          account: 'gh_abc',
          date: '2021-11-01',
          followers: 12345,
          newFollowers: 20,
          lostFollowers: 3,
          reads: null,
          readers: null,
          shares: null,
        },
        {
          row: 3,
          account: 'Daily News',
          date: '2021-11-02',
          followers: 12362,
          newFollowers: null,
          lostFollowers: null,
          reads: 1000,
          readers: 800,
          shares: 0,
        },
      ],
    });
  });

  it('reads article figures from Chinese headers behind a UTF-8 BOM, whatever their case', async () => {
    const text =
      '\uFEFF账号, 日期 ,文章id,标题,阅读次数,阅读人数,转发,点赞,评论,收藏\n人民日报,2021-11-5,2247483650_1,"标题，带逗号",100,90,5,4,3,2\n';
    const parsed = await parse(Buffer.from(text, 'utf8'));
    expect(parsed).toEqual({
      kind: 'article_daily',
      rows: [
        {
          row: 2,
          account: '人民日报',
          date: '2021-11-05',
          articleId: '2247483650_1',
          title: '标题，带逗号',
          reads: 100,
          readers: 90,
          shares: 5,
          likes: 4,
          comments: 3,
          favourites: 2,
        },
      ],
    });
  });

  it('accepts header variants: upper case, spaces for underscores, msgid and 文章ID', async () => {
    const a = await parse(csv('Account,DATE,Article ID,Reads', 'gh_a,2021-11-01,1,5'));
    const b = await parse(csv('账号,日期,文章ID,阅读量', 'gh_a,2021-11-01,1,5'));
    const c = await parse(csv('account,date,MsgId,likes', 'gh_a,2021-11-01,1,5'));
    for (const parsed of [a, b, c]) expect(parsed.kind).toBe('article_daily');
    expect(a.rows[0]).toMatchObject({ articleId: '1', title: '', reads: 5, likes: null });
  });

  it('decodes a CSV saved by Excel in China as GBK', async () => {
    // 账号,日期,阅读量 \r\n 人民日报,2021-11-01,7 — in GBK, which is not valid UTF-8.
    const bytes = Buffer.concat([
      Buffer.from([0xd5, 0xcb, 0xba, 0xc5]),
      Buffer.from(','),
      Buffer.from([0xc8, 0xd5, 0xc6, 0xda]),
      Buffer.from(','),
      Buffer.from([0xd4, 0xc4, 0xb6, 0xc1, 0xc1, 0xbf]),
      Buffer.from('\r\n'),
      Buffer.from([0xc8, 0xcb, 0xc3, 0xf1, 0xc8, 0xd5, 0xb1, 0xa8]),
      Buffer.from(',2021-11-01,7\r\n'),
    ]);
    const parsed = await parse(bytes);
    expect(parsed.kind).toBe('account_daily');
    expect(parsed.rows).toEqual([
      expect.objectContaining({ account: '人民日报', date: '2021-11-01', reads: 7 }),
    ]);
  });

  it('reads the first worksheet of an XLSX with date, formula, rich-text and number cells', async () => {
    const bytes = await xlsx(
      [
        ['账号', '日期', '粉丝总数', '新增粉丝'],
        [1234567890, new Date(Date.UTC(2021, 10, 1)), 100, { formula: 'C2/10', result: 10 }],
        [{ richText: [{ text: 'gh_' }, { text: 'abc', font: { bold: true } }] }, '2021-11-02', '1,200', 7],
      ],
      (sheet) => {
        sheet.getCell('B2').numFmt = 'yyyy-mm-dd';
      },
    );
    const parsed = await parse(bytes, 'figures.xlsx');
    expect(parsed.rows).toEqual([
      expect.objectContaining({
        account: '1234567890',
        date: '2021-11-01',
        followers: 100,
        newFollowers: 10,
      }),
      expect.objectContaining({ account: 'gh_abc', date: '2021-11-02', followers: 1200, newFollowers: 7 }),
    ]);
  });

  it('reads a date cell as the calendar day it shows, whatever the server time zone', async () => {
    // Excel stores 2021-11-30 without a zone; a Shanghai-local reading would give 2021-11-30T08:00.
    const bytes = await xlsx([
      ['account', 'date', 'reads'],
      ['gh_a', new Date(Date.UTC(2021, 10, 30)), 1],
    ]);
    expect((await parse(bytes)).rows[0]?.date).toBe('2021-11-30');
  });

  it('decides the format from the content rather than the name', async () => {
    const asXlsx = await xlsx([
      ['account', 'date', 'reads'],
      ['gh_a', '2021-11-01', 1],
    ]);
    expect((await parse(asXlsx, 'figures.csv')).rows).toHaveLength(1);
    expect((await parse(csv('account,date,reads', 'gh_a,2021-11-01,1'), 'figures.xlsx')).rows).toHaveLength(
      1,
    );
  });

  it('skips fully empty rows but keeps counting them, as a spreadsheet shows the rows', async () => {
    const promise = parse(
      csv(accountHeader, '', ',,,,,,,', 'gh_a,2021-11-01,1,,,,,', 'gh_a,2021-11-02,abc,,,,,'),
    );
    expect(await where(promise)).toEqual([[5, 'followers', 'IMPORT_BAD_NUMBER']]);
  });

  it('counts a quoted field spanning two lines as one row', async () => {
    const promise = parse(
      csv('account,date,title,article_id,reads', 'gh_a,2021-11-01,"two\nlines",1,5', 'gh_a,x,t,2,5'),
    );
    expect(await where(promise)).toEqual([[3, 'date', 'IMPORT_BAD_DATE']]);
  });
});

describe('parseMetricsImport — header problems', () => {
  it('names an unknown column', async () => {
    const problems = await problemsOf(parse(csv('account,date,reads,clicks', 'gh_a,2021-11-01,1,2')));
    expect(problems).toEqual([
      { row: 1, column: 'clicks', code: 'IMPORT_UNKNOWN_COLUMN', message: expect.stringContaining('clicks') },
    ]);
  });

  it('names a duplicate column, also when spelled in the other language', async () => {
    expect(await where(parse(csv('account,date,reads,阅读量', 'gh_a,2021-11-01,1,2')))).toEqual([
      [1, '阅读量', 'IMPORT_DUPLICATE_COLUMN'],
    ]);
  });

  it('names a missing required column in the language of the file', async () => {
    expect(await where(parse(csv('account,reads', 'gh_a,1')))).toEqual([
      [1, 'date', 'IMPORT_MISSING_COLUMN'],
    ]);
    expect(await where(parse(csv('账号,阅读量', 'gh_a,1')))).toEqual([[1, '日期', 'IMPORT_MISSING_COLUMN']]);
  });

  it('asks for at least one figure column in account data', async () => {
    const problems = await problemsOf(parse(csv('account,date', 'gh_a,2021-11-01')));
    expect(problems).toEqual([
      { row: 1, column: null, code: 'IMPORT_MISSING_COLUMN', message: expect.stringContaining('followers') },
    ]);
  });

  it('asks for article_id when article-only columns are present, and rejects account columns there', async () => {
    expect(await where(parse(csv('account,date,title,likes', 'gh_a,2021-11-01,t,1')))).toEqual([
      [1, 'article_id', 'IMPORT_MISSING_COLUMN'],
    ]);
    expect(await where(parse(csv('account,date,article_id,followers', 'gh_a,2021-11-01,1,1')))).toEqual([
      [1, 'followers', 'IMPORT_UNKNOWN_COLUMN'],
    ]);
  });

  it('reports the header alone when it is wrong, not every row beneath it', async () => {
    expect(await where(parse(csv('account,dte,reads', 'gh_a,nonsense,abc')))).toEqual([
      [1, 'dte', 'IMPORT_UNKNOWN_COLUMN'],
      [1, 'date', 'IMPORT_MISSING_COLUMN'],
    ]);
  });
});

describe('parseMetricsImport — cell problems', () => {
  const oneDate = (date: string) => parse(csv('account,date,reads', `gh_a,${date},1`));

  it.each([
    ['2021-11-01T00:00:00Z', 'IMPORT_BAD_DATE'],
    ['2021-11-01 08:00', 'IMPORT_BAD_DATE'],
    ['2021-11-01+08:00', 'IMPORT_BAD_DATE'],
    ['2021-02-30', 'IMPORT_BAD_DATE'],
    ['2021-13-01', 'IMPORT_BAD_DATE'],
    ['11/01/2021', 'IMPORT_BAD_DATE'],
    ['2011-12-31', 'IMPORT_BAD_DATE'],
    ['2021-12-01', 'IMPORT_DATE_NOT_FINAL'],
    ['2022-01-01', 'IMPORT_DATE_NOT_FINAL'],
  ])('rejects the date %s with %s', async (date, code) => {
    const problems = await problemsOf(oneDate(date));
    expect(problems.map((p) => [p.row, p.column, p.code])).toEqual([[2, 'date', code]]);
  });

  it('says that dates are Shanghai calendar days without a time', async () => {
    const [problem] = await problemsOf(oneDate('2021-11-01T00:00:00Z'));
    expect(problem?.message).toContain('Asia/Shanghai');
    expect(problem?.message).toContain('不含时间');
  });

  it('accepts yesterday and the listed date forms', async () => {
    for (const [text, day] of [
      ['2021-11-30', '2021-11-30'],
      ['2021/11/30', '2021-11-30'],
      ['2021-1-5', '2021-01-05'],
      ['2012-01-01', '2012-01-01'],
      ['2020-02-29', '2020-02-29'],
    ]) {
      expect((await oneDate(text as string)).rows[0]?.date).toBe(day);
    }
  });

  it('rejects an XLSX date cell that carries a time', async () => {
    const bytes = await xlsx([
      ['account', 'date', 'reads'],
      ['gh_a', new Date(Date.UTC(2021, 10, 1, 8)), 1],
    ]);
    expect(await where(parse(bytes))).toEqual([[2, 'date', 'IMPORT_BAD_DATE']]);
  });

  it.each(['12.5', '-3', 'abc', '1e3', '10%', '2147483648', '1,2345'])(
    'rejects the figure %s',
    async (figure) => {
      const problems = await problemsOf(parse(csv('account,date,shares', `gh_a,2021-11-01,"${figure}"`)));
      expect(problems.map((p) => [p.row, p.column, p.code])).toEqual([[2, 'shares', 'IMPORT_BAD_NUMBER']]);
    },
  );

  it('accepts the largest figure', async () => {
    const parsed = await parse(csv('account,date,shares', 'gh_a,2021-11-01," 2,147,483,647 "'));
    expect(parsed.rows[0]).toMatchObject({ shares: 2_147_483_647 });
  });

  it('rejects XLSX figures that are fractions, negative, formula errors or uncomputed formulas', async () => {
    const bytes = await xlsx([
      ['account', 'date', 'reads', 'readers', 'shares', 'followers'],
      ['gh_a', '2021-11-01', 12.5, -3, { formula: '1/0', result: { error: '#DIV/0!' } }, { formula: 'C2*2' }],
    ]);
    expect(await where(parse(bytes))).toEqual([
      [2, 'reads', 'IMPORT_BAD_NUMBER'],
      [2, 'readers', 'IMPORT_BAD_NUMBER'],
      [2, 'shares', 'IMPORT_BAD_NUMBER'],
      [2, 'followers', 'IMPORT_BAD_NUMBER'],
    ]);
  });

  it('rejects a row with no figures', async () => {
    expect(await where(parse(csv('account,date,reads,shares', 'gh_a,2021-11-01,,')))).toEqual([
      [2, null, 'IMPORT_EMPTY_ROW'],
    ]);
  });

  it('checks account, article_id and title', async () => {
    const long = (n: number) => 'x'.repeat(n);
    const promise = parse(
      csv(
        'account,date,article_id,title,reads',
        `,2021-11-01,1,t,1`,
        `gh_a,2021-11-01,,t,1`,
        `${long(101)},2021-11-01,1,t,1`,
        `gh_a,2021-11-01,${long(101)},t,1`,
        `gh_a,2021-11-01,2,${long(201)},1`,
        `gh_a,2021-11-01,${long(100)},${'标'.repeat(200)},1`,
      ),
    );
    expect(await where(promise)).toEqual([
      [2, 'account', 'IMPORT_MISSING_VALUE'],
      [3, 'article_id', 'IMPORT_MISSING_VALUE'],
      [4, 'account', 'IMPORT_TOO_LONG'],
      [5, 'article_id', 'IMPORT_TOO_LONG'],
      [6, 'title', 'IMPORT_TOO_LONG'],
    ]);
  });

  it('rejects an empty date and an account number that Excel has already rounded', async () => {
    const bytes = await xlsx([
      ['account', 'date', 'reads'],
      ['gh_a', null, 1],
      [12_345_678_901_234_600, '2021-11-01', 1],
    ]);
    expect(await where(parse(bytes))).toEqual([
      [2, 'date', 'IMPORT_MISSING_VALUE'],
      [3, 'account', 'IMPORT_BAD_VALUE'],
    ]);
  });

  it('rejects data in a column that has no header, naming its letter', async () => {
    expect(await where(parse(csv('account,date,reads', 'gh_a,2021-11-01,1,oops')))).toEqual([
      [2, 'D', 'IMPORT_UNKNOWN_COLUMN'],
    ]);
  });

  it('lists several problems of one row from left to right', async () => {
    expect(await where(parse(csv('account,date,reads,shares', 'gh_a,2021-02-30,x,-1')))).toEqual([
      [2, 'date', 'IMPORT_BAD_DATE'],
      [2, 'reads', 'IMPORT_BAD_NUMBER'],
      [2, 'shares', 'IMPORT_BAD_NUMBER'],
    ]);
  });
});

describe('parseMetricsImport — duplicate rows', () => {
  it('rejects a repeated row and names both rows', async () => {
    const problems = await problemsOf(
      parse(csv('account,date,reads', 'gh_a,2021-11-01,5', 'gh_b,2021-11-01,5', 'gh_a,2021/11/1,"5"')),
    );
    expect(problems).toEqual([
      {
        row: 4,
        column: null,
        code: 'IMPORT_DUPLICATE_ROW',
        message: expect.stringMatching(/第 2 行.*第 4 行/),
      },
    ]);
  });

  it('rejects two rows for the same day with different figures and names both rows', async () => {
    const problems = await problemsOf(
      parse(csv('account,date,reads', 'gh_a,2021-11-01,5', 'gh_a,2021-11-01,6')),
    );
    expect(problems).toEqual([
      {
        row: 3,
        column: null,
        code: 'IMPORT_CONFLICTING_ROWS',
        message: expect.stringMatching(/第 2 行.*第 3 行/),
      },
    ]);
  });

  it('keys article rows by account, article and date', async () => {
    const header = 'account,date,article_id,reads';
    const ok = await parse(csv(header, 'gh_a,2021-11-01,1,5', 'gh_a,2021-11-01,2,5', 'gh_a,2021-11-02,1,5'));
    expect(ok.rows).toHaveLength(3);
    expect(await where(parse(csv(header, 'gh_a,2021-11-01,1,5', 'gh_a,2021-11-01,1,7')))).toEqual([
      [3, null, 'IMPORT_CONFLICTING_ROWS'],
    ]);
  });
});

describe('parseMetricsImport — the whole file', () => {
  it('imports nothing when one row among good ones is bad, and says where in Chinese', async () => {
    const err = await failure(
      parse(csv(accountHeader, 'gh_a,2021-11-01,1,,,,,', 'gh_a,2021-11-02,2,,,,,', 'gh_a,2021-11-31,3,,,,,')),
    );
    expect(err.code).toBe('IMPORT_INVALID');
    expect(err.status).toBe(422);
    expect(err.details).toEqual({
      problems: [{ row: 4, column: 'date', code: 'IMPORT_BAD_DATE', message: expect.any(String) }],
      more: 0,
    });
    expect(err.zh).toMatch(/^导入文件有 1 处错误，未导入任何数据：第 4 行“date”：/);
  });

  it('lists the first 100 problems and counts the rest', async () => {
    const lines = Array.from({ length: 150 }, (_, i) => `gh_${i},2021-11-01,bad`);
    const err = await failure(parse(csv('account,date,reads', ...lines)));
    const details = err.details as { problems: ImportProblem[]; more: number };
    expect(details.problems).toHaveLength(100);
    expect(details.problems[99]).toMatchObject({ row: 101, column: 'reads', code: 'IMPORT_BAD_NUMBER' });
    expect(details.more).toBe(50);
    expect(err.zh).toContain('导入文件有 150 处错误');
  });

  it('rejects a file with no data rows', async () => {
    for (const bytes of [Buffer.alloc(0), csv(accountHeader), csv(accountHeader, '', ',,,')]) {
      expect((await failure(parse(bytes))).code).toBe('IMPORT_EMPTY');
    }
    expect((await failure(parse(await xlsx([['account', 'date', 'reads']])))).code).toBe('IMPORT_EMPTY');
  });

  it(`rejects more than ${MAX_IMPORT_ROWS} data rows`, async () => {
    const lines = Array.from({ length: MAX_IMPORT_ROWS + 1 }, (_, i) => `gh_${i},2021-11-01,1`);
    const err = await failure(parse(csv('account,date,reads', ...lines)));
    expect([err.code, err.status]).toEqual(['IMPORT_TOO_LARGE', 422]);
  });

  it('rejects files that are neither XLSX nor CSV', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');
    const corruptZip = Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(200, 7)]);
    const xls = Buffer.from('d0cf11e0a1b11ae1000000000000000000000000', 'hex');
    const utf16 = Buffer.from('\uFEFFaccount\tdate', 'utf16le');
    const unclosedQuote = csv('account,date,reads', 'gh_a,"2021-11-01,1');
    for (const bytes of [png, corruptZip, xls, utf16, unclosedQuote]) {
      const err = await failure(parse(bytes, 'figures.xlsx'));
      expect([err.code, err.status]).toEqual(['IMPORT_UNREADABLE', 422]);
    }
  });
});
