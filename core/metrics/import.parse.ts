import { CsvError, parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { AppError } from '../errors.js';

/**
 * Reads a CSV or XLSX file of metric figures that arrived outside the platform APIs (a baseline month from
 * before the service existed, figures copied from a platform console). The import is all or nothing, so
 * every problem in the file is collected and reported together with its row and column.
 */

export type ImportKind = 'account_daily' | 'article_daily';

export interface AccountDailyImportRow {
  /** The row in the file, for problems found later (an account that cannot be resolved). */
  row: number;
  /** The account's name or its AppID / Weibo uid, resolved later. */
  account: string;
  date: string;
  followers: number | null;
  newFollowers: number | null;
  lostFollowers: number | null;
  reads: number | null;
  readers: number | null;
  shares: number | null;
}

export interface ArticleDailyImportRow {
  /** The row in the file, for problems found later (an account that cannot be resolved). */
  row: number;
  account: string;
  date: string;
  articleId: string;
  title: string;
  reads: number | null;
  readers: number | null;
  shares: number | null;
  likes: number | null;
  comments: number | null;
  favourites: number | null;
}

export type ParsedImport =
  | { kind: 'account_daily'; rows: AccountDailyImportRow[] }
  | { kind: 'article_daily'; rows: ArticleDailyImportRow[] };

export interface ImportProblem {
  /** 1-based row as a spreadsheet shows it; the header is row 1. */
  row: number;
  /** The column's header as written in the file, a column letter when it has none, or null for a whole row. */
  column: string | null;
  code: string;
  /** In Chinese, for the operations staff who prepared the file. */
  message: string;
}

export const MAX_IMPORT_ROWS = 50_000;
const MAX_PROBLEMS = 100;
const MAX_FIGURE = 2_147_483_647;
/** Excel keeps 15 significant digits, so a longer number typed into a cell has already lost digits. */
const MAX_EXACT_EXCEL_INTEGER = 999_999_999_999_999;
const FIRST_DATE = '2012-01-01';
const DAY_MS = 86_400_000;
const DATE_RULE = '日期须为北京时间（Asia/Shanghai）的日历日，不含时间和时区，如 2021-11-01';

type Field =
  | 'account'
  | 'date'
  | 'articleId'
  | 'title'
  | 'followers'
  | 'newFollowers'
  | 'lostFollowers'
  | 'reads'
  | 'readers'
  | 'shares'
  | 'likes'
  | 'comments'
  | 'favourites';
type AccountFigure = 'followers' | 'newFollowers' | 'lostFollowers' | 'reads' | 'readers' | 'shares';
type ArticleFigure = 'reads' | 'readers' | 'shares' | 'likes' | 'comments' | 'favourites';

/** Header aliases; the first is the English name and the second the Chinese name used in messages. */
const ALIASES: Record<Field, readonly string[]> = {
  account: ['account', '账号'],
  date: ['date', '日期'],
  articleId: ['article_id', '文章ID', 'msgid'],
  title: ['title', '标题'],
  followers: ['followers', '粉丝总数', '累计粉丝'],
  newFollowers: ['new_followers', '新增粉丝'],
  lostFollowers: ['lost_followers', '取消关注'],
  reads: ['reads', '阅读次数', '阅读量'],
  readers: ['readers', '阅读人数'],
  shares: ['shares', '分享次数', '转发'],
  likes: ['likes', '点赞'],
  comments: ['comments', '评论'],
  favourites: ['favourites', '收藏'],
};
const FIELD_BY_HEADER = new Map(
  Object.entries(ALIASES).flatMap(([field, names]) => names.map((n) => [headerKey(n), field as Field])),
);
const ACCOUNT_FIGURES: readonly AccountFigure[] = [
  'followers',
  'newFollowers',
  'lostFollowers',
  'reads',
  'readers',
  'shares',
];
const ARTICLE_FIGURES: readonly ArticleFigure[] = [
  'reads',
  'readers',
  'shares',
  'likes',
  'comments',
  'favourites',
];
const ARTICLE_ONLY: ReadonlySet<Field> = new Set(['articleId', 'title', 'likes', 'comments', 'favourites']);
const ACCOUNT_ONLY: ReadonlySet<Field> = new Set(['followers', 'newFollowers', 'lostFollowers']);

/** A cell as read from either format: empty, text, number, a date cell, or something unusable. */
type Cell = null | string | number | Date | { unusable: string };
interface SheetRow {
  row: number;
  cells: Cell[];
}

export async function parseMetricsImport(
  bytes: Buffer,
  filename: string,
  opts: { today: string },
): Promise<ParsedImport> {
  const yesterday = dayBefore(opts.today);
  const sheet = isZip(bytes) ? await readXlsx(bytes, filename) : readCsv(bytes, filename);
  const [header, ...data] = sheet.filter((r) => r.cells.some((c) => c !== null));
  if (!header || data.length === 0) {
    throw new AppError('IMPORT_EMPTY', 'The file holds no data rows', 422, { filename }, '文件中没有数据行');
  }
  if (data.length > MAX_IMPORT_ROWS) {
    throw new AppError(
      'IMPORT_TOO_LARGE',
      `The file holds ${data.length} data rows; the limit is ${MAX_IMPORT_ROWS}`,
      422,
      { filename, rows: data.length, limit: MAX_IMPORT_ROWS },
      `文件有 ${data.length} 行数据，一次最多导入 ${MAX_IMPORT_ROWS} 行，请拆分后分别导入`,
    );
  }
  const problems = new ProblemList();
  const columns = readHeader(header, problems);
  // A wrong header makes every row look wrong; report the header alone so the user fixes it first.
  if (!columns) throw problems.toError();
  const result = readRows(columns, data, yesterday, problems);
  if (problems.count > 0) throw problems.toError();
  return result;
}

class ProblemList {
  readonly list: ImportProblem[] = [];
  more = 0;

  get count(): number {
    return this.list.length + this.more;
  }

  add(row: number, column: string | null, code: string, message: string): void {
    if (this.list.length < MAX_PROBLEMS) this.list.push({ row, column, code, message });
    else this.more += 1;
  }

  toError(): AppError {
    const where = (p: ImportProblem) => `第 ${p.row} 行${p.column === null ? '' : `“${p.column}”`}`;
    const shown = this.list.slice(0, 3);
    const zh = `导入文件有 ${this.count} 处错误，未导入任何数据：${shown.map((p) => `${where(p)}：${p.message}`).join('；')}${this.count > shown.length ? '；……' : ''}`;
    const first = this.list[0];
    const en = `The import file has ${this.count} problem(s) and nothing was imported${first ? `; first: row ${first.row}${first.column === null ? '' : ` column "${first.column}"`} ${first.code}` : ''}`;
    return new AppError('IMPORT_INVALID', en, 422, { problems: this.list, more: this.more }, zh);
  }
}

// ---------------------------------------------------------------------------------------------- reading

function isZip(bytes: Buffer): boolean {
  return (
    bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04
  );
}

function unreadable(filename: string, zh: string): AppError {
  return new AppError(
    'IMPORT_UNREADABLE',
    'The file is neither a readable XLSX nor a CSV file',
    422,
    { filename },
    zh,
  );
}

async function readXlsx(bytes: Buffer, filename: string): Promise<SheetRow[]> {
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs's typings declare a module-local `Buffer extends ArrayBuffer`; at run time it takes a Node Buffer.
    await workbook.xlsx.load(bytes as unknown as Parameters<ExcelJS.Xlsx['load']>[0]);
  } catch {
    throw unreadable(filename, `无法读取“${filename}”：文件已损坏或不是 XLSX 文件`);
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw unreadable(filename, `无法读取“${filename}”：文件中没有工作表`);
  const rows: SheetRow[] = [];
  sheet.eachRow((row, rowNumber) => {
    const cells: Cell[] = [];
    for (let c = 1; c <= row.cellCount; c += 1) cells.push(xlsxCell(row.getCell(c).value));
    rows.push({ row: rowNumber, cells });
  });
  return rows;
}

function xlsxCell(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value;
  if (typeof value === 'number' || value instanceof Date) return value;
  if (typeof value === 'boolean') return { unusable: '单元格是逻辑值（TRUE/FALSE）' };
  if ('richText' in value) return xlsxCell(value.richText.map((part) => part.text).join(''));
  if ('formula' in value || 'sharedFormula' in value) {
    if (value.result === undefined) return { unusable: '公式没有计算结果，请在 Excel 中打开并保存后再导入' };
    return xlsxCell(value.result);
  }
  if ('error' in value) return { unusable: `单元格是错误值 ${value.error}` };
  if ('hyperlink' in value) return xlsxCell(value.text);
  return { unusable: '无法识别的单元格内容' };
}

function readCsv(bytes: Buffer, filename: string): SheetRow[] {
  if (bytes.length >= 8 && bytes.readUInt32BE(0) === 0xd0cf11e0) {
    throw unreadable(
      filename,
      `无法读取“${filename}”：这是旧版 Excel（.xls）文件，请另存为 .xlsx 或 CSV 后导入`,
    );
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw unreadable(
      filename,
      `无法读取“${filename}”：文件是 UTF-16 文本，请在 Excel 中另存为“CSV UTF-8（逗号分隔）”`,
    );
  }
  const text = decodeText(bytes);
  if (text === null || hasControlCharacters(text)) {
    throw unreadable(filename, `无法读取“${filename}”：不是 XLSX 文件，也不是 CSV 文本`);
  }
  let records: string[][];
  try {
    records = parseCsv(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: false });
  } catch (err) {
    const line = err instanceof CsvError && typeof err.lines === 'number' ? `第 ${err.lines} 行附近` : '';
    throw unreadable(filename, `无法读取“${filename}”：CSV 格式错误，${line}引号没有正确闭合`);
  }
  // csv-parse yields one record per spreadsheet row, empty lines included, so the index is the row number.
  return records.map((record, i) => ({
    row: i + 1,
    cells: record.map((value) => (value.trim() === '' ? null : value)),
  }));
}

/** UTF-8 (BOM or not), else GB18030 — what Excel in China writes for "CSV (逗号分隔)". */
function decodeText(bytes: Buffer): string | null {
  for (const encoding of ['utf-8', 'gb18030']) {
    try {
      const text = new TextDecoder(encoding, { fatal: true }).decode(bytes);
      return text.startsWith('\uFEFF') ? text.slice(1) : text;
    } catch {
      // not this encoding; try the next
    }
  }
  return null;
}

/** Binary files (images, PDFs) decode as GB18030 without complaint, but hold control characters. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------- header

interface Columns {
  kind: ImportKind;
  /** Column index → field and header text; columns without a header are absent. */
  fields: Map<number, { field: Field; header: string }>;
  width: number;
}

function headerKey(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

function readHeader(header: SheetRow, problems: ProblemList): Columns | null {
  const fields = new Map<number, { field: Field; header: string }>();
  const seen = new Map<Field, string>();
  let chinese = false;
  header.cells.forEach((cell, index) => {
    if (cell === null) return;
    const text = cellText(cell).trim() || columnLetter(index);
    const field = FIELD_BY_HEADER.get(headerKey(text));
    if (!field) {
      problems.add(header.row, text, 'IMPORT_UNKNOWN_COLUMN', `无法识别的列“${text}”，${knownColumnsHint()}`);
      return;
    }
    const earlier = seen.get(field);
    if (earlier !== undefined) {
      problems.add(header.row, text, 'IMPORT_DUPLICATE_COLUMN', `列“${text}”与列“${earlier}”重复`);
      return;
    }
    seen.set(field, text);
    fields.set(index, { field, header: text });
    if (/[^\x20-\x7e]/.test(text)) chinese = true;
  });

  const fieldsPresent = new Set(seen.keys());
  const kind: ImportKind = [...fieldsPresent].some((f) => ARTICLE_ONLY.has(f))
    ? 'article_daily'
    : 'account_daily';
  const name = (f: Field) => (chinese ? ALIASES[f][1] : ALIASES[f][0]) as string;
  const required: Field[] = kind === 'article_daily' ? ['account', 'date', 'articleId'] : ['account', 'date'];
  for (const field of required) {
    if (!fieldsPresent.has(field)) {
      const why = field === 'articleId' ? '（文章数据须有文章 ID 列）' : '';
      problems.add(header.row, name(field), 'IMPORT_MISSING_COLUMN', `缺少“${name(field)}”列${why}`);
    }
  }
  if (kind === 'article_daily') {
    for (const { field, header: text } of fields.values()) {
      if (ACCOUNT_ONLY.has(field)) {
        problems.add(
          header.row,
          text,
          'IMPORT_UNKNOWN_COLUMN',
          `文章数据不含“${text}”列，账号数据请另建文件导入`,
        );
      }
    }
  } else if (!ACCOUNT_FIGURES.some((f) => fieldsPresent.has(f))) {
    const names = ACCOUNT_FIGURES.map(name).join('、');
    problems.add(header.row, null, 'IMPORT_MISSING_COLUMN', `至少需要一列数据：${names}`);
  }
  return problems.count > 0 ? null : { kind, fields, width: header.cells.length };
}

function knownColumnsHint(): string {
  return `可用的列：${Object.values(ALIASES)
    .map((names) => names.join('/'))
    .join('，')}`;
}

function cellText(cell: Exclude<Cell, null>): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number') return String(cell);
  if (cell instanceof Date) return cell.toISOString().slice(0, 10);
  return '';
}

/** A column's letter as a spreadsheet shows it: 0 → A, 26 → AA. */
function columnLetter(index: number): string {
  let letters = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) {
    letters = String.fromCharCode(65 + ((n - 1) % 26)) + letters;
  }
  return letters;
}

// ---------------------------------------------------------------------------------------------- rows

type Values = Partial<Record<Field, string | number | null>>;

function readRows(
  columns: Columns,
  data: SheetRow[],
  yesterday: string,
  problems: ProblemList,
): ParsedImport {
  const figures = columns.kind === 'article_daily' ? ARTICLE_FIGURES : ACCOUNT_FIGURES;
  const firstByKey = new Map<string, { row: number; figures: string }>();
  const valid: Array<{ row: number; values: Values }> = [];

  for (const { row, cells } of data) {
    const before = problems.count;
    const values: Values = {};
    // Left to right, so the problems read in the order the user sees the cells.
    for (let index = 0; index < Math.max(cells.length, columns.width); index += 1) {
      const cell = cells[index] ?? null;
      const column = columns.fields.get(index);
      if (column) {
        const report = (code: string, message: string) => problems.add(row, column.header, code, message);
        values[column.field] = readField(column.field, cell, yesterday, report);
      } else if (cell !== null) {
        const letter = columnLetter(index);
        problems.add(row, letter, 'IMPORT_UNKNOWN_COLUMN', `第 ${letter} 列有数据，但没有表头`);
      }
    }
    if (problems.count > before) continue;
    if (figures.every((f) => values[f] === undefined || values[f] === null)) {
      problems.add(row, null, 'IMPORT_EMPTY_ROW', '该行没有任何数据（至少填写一项数值）');
      continue;
    }
    const key = JSON.stringify([values.account, values.articleId ?? null, values.date]);
    const figureKey = JSON.stringify(figures.map((f) => values[f] ?? null));
    const first = firstByKey.get(key);
    if (!first) {
      firstByKey.set(key, { row, figures: figureKey });
      valid.push({ row, values });
    } else if (first.figures === figureKey) {
      problems.add(
        row,
        null,
        'IMPORT_DUPLICATE_ROW',
        `第 ${first.row} 行与第 ${row} 行重复（数据相同），请删除其中一行`,
      );
    } else {
      problems.add(
        row,
        null,
        'IMPORT_CONFLICTING_ROWS',
        `第 ${first.row} 行与第 ${row} 行是同一${keyDescription(columns.kind)}，但数据不同`,
      );
    }
  }
  if (problems.count > 0) return { kind: columns.kind, rows: [] };
  return columns.kind === 'article_daily'
    ? { kind: 'article_daily', rows: valid.map(articleRow) }
    : { kind: 'account_daily', rows: valid.map(accountRow) };
}

function keyDescription(kind: ImportKind): string {
  return kind === 'article_daily' ? '账号、文章和日期' : '账号和日期';
}

function num(values: Values, field: Field): number | null {
  const value = values[field];
  return typeof value === 'number' ? value : null;
}

function str(values: Values, field: Field): string {
  const value = values[field];
  return typeof value === 'string' ? value : '';
}

function accountRow({ row, values: v }: { row: number; values: Values }): AccountDailyImportRow {
  return {
    row,
    account: str(v, 'account'),
    date: str(v, 'date'),
    followers: num(v, 'followers'),
    newFollowers: num(v, 'newFollowers'),
    lostFollowers: num(v, 'lostFollowers'),
    reads: num(v, 'reads'),
    readers: num(v, 'readers'),
    shares: num(v, 'shares'),
  };
}

function articleRow({ row, values: v }: { row: number; values: Values }): ArticleDailyImportRow {
  return {
    row,
    account: str(v, 'account'),
    date: str(v, 'date'),
    articleId: str(v, 'articleId'),
    title: str(v, 'title'),
    reads: num(v, 'reads'),
    readers: num(v, 'readers'),
    shares: num(v, 'shares'),
    likes: num(v, 'likes'),
    comments: num(v, 'comments'),
    favourites: num(v, 'favourites'),
  };
}

type Report = (code: string, message: string) => void;

function readField(field: Field, cell: Cell, yesterday: string, report: Report): string | number | null {
  switch (field) {
    case 'account':
      return readText(cell, { required: true, max: 100 }, report);
    case 'articleId':
      return readText(cell, { required: true, max: 100 }, report);
    case 'title':
      return readText(cell, { required: false, max: 200 }, report) ?? '';
    case 'date':
      return readDate(cell, yesterday, report);
    default:
      return readFigure(cell, report);
  }
}

function readText(cell: Cell, rule: { required: boolean; max: number }, report: Report): string | null {
  if (cell === null) {
    if (rule.required) report('IMPORT_MISSING_VALUE', '不能为空');
    return null;
  }
  if (cell instanceof Date) {
    report('IMPORT_BAD_VALUE', '应为文字，而单元格是日期');
    return null;
  }
  if (typeof cell === 'object') {
    report('IMPORT_BAD_VALUE', cell.unusable);
    return null;
  }
  if (typeof cell === 'number' && Math.abs(cell) > MAX_EXACT_EXCEL_INTEGER) {
    report('IMPORT_BAD_VALUE', '数字位数过多，Excel 已丢失末尾几位，请把该列设为文本格式后重新填写');
    return null;
  }
  const text = String(cell).trim();
  if ([...text].length > rule.max) {
    report('IMPORT_TOO_LONG', `不能超过 ${rule.max} 个字`);
    return null;
  }
  return text;
}

function readFigure(cell: Cell, report: Report): number | null {
  if (cell === null) return null;
  const bad = (why: string) => {
    report('IMPORT_BAD_NUMBER', `${why}；须为不小于 0 的整数，如 12345 或 12,345`);
    return null;
  };
  if (cell instanceof Date) return bad('单元格是日期');
  if (typeof cell === 'object') return bad(cell.unusable);
  let n: number;
  if (typeof cell === 'number') {
    n = cell;
  } else {
    const text = cell.trim();
    if (!/^(\d{1,3}(,\d{3})+|\d+)$/.test(text)) {
      if (text.endsWith('%')) return bad(`“${text}”是百分比`);
      if (/^-\s*[\d,.]+$/.test(text)) return bad(`“${text}”是负数`);
      if (/^[\d,]*\.\d+$/.test(text)) return bad(`“${text}”不是整数`);
      return bad(`“${text}”不是数字`);
    }
    n = Number(text.replaceAll(',', ''));
  }
  if (n < 0) return bad(`${n} 是负数`);
  if (!Number.isInteger(n)) return bad(`${n} 不是整数`);
  if (n > MAX_FIGURE) return bad(`${n} 超过上限 ${MAX_FIGURE.toLocaleString('en-US')}`);
  return n;
}

function readDate(cell: Cell, yesterday: string, report: Report): string | null {
  if (cell === null) {
    report('IMPORT_MISSING_VALUE', '日期不能为空');
    return null;
  }
  const bad = (why: string) => {
    report('IMPORT_BAD_DATE', `${why}；${DATE_RULE}`);
    return null;
  };
  let date: string | null;
  if (cell instanceof Date) {
    // Excel date cells have no zone; exceljs hands them over as that calendar day at 00:00 UTC.
    if (Number.isNaN(cell.getTime())) return bad('日期无效');
    if (cell.getTime() % DAY_MS !== 0) return bad('单元格含有时间');
    date = cell.toISOString().slice(0, 10);
  } else if (typeof cell === 'number') {
    return bad(`单元格是数字 ${cell}，不是日期`);
  } else if (typeof cell === 'object') {
    return bad(cell.unusable);
  } else {
    const text = cell.trim();
    const m =
      /^(\d{4})([-/])(\d{1,2})\2(\d{1,2})$/.exec(text) ?? /^(\d{4})(年)(\d{1,2})月(\d{1,2})日$/.exec(text);
    if (!m) {
      if (/^\d{4}[-/]\d{1,2}[-/]\d{1,2}./.test(text)) return bad(`“${text}”含有时间或时区`);
      return bad(`“${text}”不是日期`);
    }
    date = calendarDay(Number(m[1]), Number(m[3]), Number(m[4]));
    if (!date) return bad(`“${text}”不存在`);
  }
  if (date < FIRST_DATE) return bad(`${date} 早于 ${FIRST_DATE}`);
  if (date > yesterday) {
    report('IMPORT_DATE_NOT_FINAL', `${date} 的数据尚未完整（数据次日才完整），最晚只能导入 ${yesterday}`);
    return null;
  }
  return date;
}

/** `YYYY-MM-DD` for a real calendar day, or null for one like 2021-02-30. */
function calendarDay(year: number, month: number, day: number): string | null {
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCFullYear() !== year || d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return d.toISOString().slice(0, 10);
}

function dayBefore(today: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(today);
  const day = m ? calendarDay(Number(m[1]), Number(m[2]), Number(m[3])) : null;
  if (!day) throw new TypeError(`opts.today must be YYYY-MM-DD, got ${today}`);
  return new Date(Date.parse(day) - DAY_MS).toISOString().slice(0, 10);
}
