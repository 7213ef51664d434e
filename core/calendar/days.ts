import { AppError } from '../errors.js';

/**
 * Calendar days ('YYYY-MM-DD', Asia/Shanghai) for campaigns and deliverables. Arithmetic runs on the
 * UTC midnight of the string, so the server's time zone never shifts a day.
 */

const DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

function msDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Refuses a string that is not a day of the calendar with a 400 INVALID_DATE naming the field (as the
 * metrics and KPI routes do). The schema's pattern lets 2026-02-30 through and Date.parse quietly rolls
 * it over to 2 March; the round trip catches it.
 */
export function checkDay(field: string, day: string): string {
  const ms = dayMs(day);
  if (!DAY_FORMAT.test(day) || Number.isNaN(ms) || msDay(ms) !== day || day < '1900-01-01')
    throw new AppError(
      'INVALID_DATE',
      `${field} is not a date (YYYY-MM-DD)`,
      400,
      { field, value: day },
      `“${field}”不是有效日期（格式 YYYY-MM-DD，北京时间的日期）：${day}`,
    );
  return day;
}

export function addDays(day: string, n: number): string {
  return msDay(dayMs(day) + n * DAY_MS);
}

/** Days from `from` to `to`, both included (0 or less when `to` is earlier). */
export function daysInclusive(from: string, to: string): number {
  return Math.round((dayMs(to) - dayMs(from)) / DAY_MS) + 1;
}

export function eachDay(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = dayMs(from); t <= dayMs(to); t += DAY_MS) out.push(msDay(t));
  return out;
}

export const MAX_RANGE_DAYS = 400;

/**
 * A query range of real days, `from` not after `to`, and at most `maxDays` long when given. Either end
 * may be left open.
 */
export function checkRange(
  from: string | undefined,
  to: string | undefined,
  opts: { maxDays?: number } = {},
): void {
  if (from !== undefined) checkDay('from', from);
  if (to !== undefined) checkDay('to', to);
  if (from === undefined || to === undefined) return;
  if (to < from)
    throw new AppError(
      'RANGE_INVALID',
      '`from` must not be after `to`',
      422,
      { from, to },
      `开始日期 ${from} 晚于结束日期 ${to}`,
    );
  const max = opts.maxDays;
  if (max !== undefined && daysInclusive(from, to) > max)
    throw new AppError(
      'RANGE_TOO_LONG',
      `At most ${max} days at once`,
      422,
      { from, to, maxDays: max },
      `日期范围最长 ${max} 天`,
    );
}
