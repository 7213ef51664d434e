import chineseDays from 'chinese-days';
import { sql } from 'kysely';
import type { DbOrTx } from '../db/database.js';

/** China has one time zone and no daylight saving: Asia/Shanghai is always UTC+8. */
const SHANGHAI_OFFSET_MS = 8 * 3600_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The calendar day (YYYY-MM-DD) of an instant in Asia/Shanghai. */
export function shanghaiDay(instant: Date): string {
  return new Date(instant.getTime() + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** Midnight of a Shanghai calendar day, as an instant. */
export function shanghaiMidnight(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00+08:00`));
}

/**
 * The last year `chinese-days` has the State Council's holiday schedule for. Later years fall back
 * to "Monday–Friday work" until an administrator enters the announced schedule as overrides.
 */
export const PACKAGE_LAST_YEAR: number = (() => {
  // The package names 1 January "New Year's Day,元旦,1" in every year it knows, a weekday otherwise.
  let year = new Date().getUTCFullYear() + 5;
  while (year > 2000 && !chineseDays.getDayDetail(`${year}-01-01`).name.includes('元旦')) year--;
  return year;
})();

export type DaySource = 'override' | 'package' | 'weekday';

export interface DayKind {
  day: string;
  working: boolean;
  /** 元旦, 春节, 调休上班 …, or the weekday. */
  name: string;
  source: DaySource;
}

/** A working-day calendar: China's official one (with make-up days) plus the administrators' overrides. */
export class WorkingCalendar {
  private readonly overrides: ReadonlyMap<string, { working: boolean; name: string }>;

  constructor(overrides: Iterable<{ day: string; working: boolean; name: string }> = []) {
    this.overrides = new Map([...overrides].map((o) => [o.day, { working: o.working, name: o.name }]));
  }

  kindOf(day: string): DayKind {
    if (!DAY.test(day)) throw new Error(`not a calendar day: ${day}`);
    const override = this.overrides.get(day);
    if (override) return { day, ...override, source: 'override' };
    if (Number(day.slice(0, 4)) <= PACKAGE_LAST_YEAR) {
      const detail = chineseDays.getDayDetail(day);
      return { day, working: detail.work, name: holidayName(detail.name), source: 'package' };
    }
    const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
    return { day, working: weekday !== 0 && weekday !== 6, name: WEEKDAYS[weekday] ?? '', source: 'weekday' };
  }

  isWorkingDay(day: string): boolean {
    return this.kindOf(day).working;
  }

  /** Whether an instant falls on a working day in Asia/Shanghai. */
  isWorkingInstant(instant: Date): boolean {
    return this.isWorkingDay(shanghaiDay(instant));
  }
}

const WEEKDAYS = ['星期日', '星期一', '星期二', '星期三', '星期四', '星期五', '星期六'];
const EN_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** chinese-days names days "National Day,国庆节,3" or "Wednesday": keep the Chinese part. */
function holidayName(name: string): string {
  const parts = name.split(',');
  if (parts.length >= 2) return parts[1] ?? name;
  const i = EN_WEEKDAYS.indexOf(name);
  return i >= 0 ? (WEEKDAYS[i] ?? name) : name;
}

/** The calendar with the current overrides. Overrides are few (a year's schedule is ~30 rows). */
export async function loadWorkingCalendar(db: DbOrTx): Promise<WorkingCalendar> {
  return new WorkingCalendar(await listOverrides(db));
}

/** `day::text`: a `date` read as a JS Date would land on the process's local midnight. */
export async function listOverrides(db: DbOrTx) {
  return db
    .selectFrom('calendar_overrides')
    .select([sql<string>`day::text`.as('day'), 'working', 'name', 'updated_at'])
    .orderBy('day')
    .execute();
}
