import { describe, expect, it } from 'vitest';
import { PACKAGE_LAST_YEAR, shanghaiDay, WorkingCalendar } from '../calendar/working-days.js';
import { slaWindow } from './sla.js';

const at = (local: string) => new Date(`${local}+08:00`);
const iso = (local: string) => at(local).toISOString();

describe('publishing deadline (SLA): +1 h on working days, +2 h otherwise, China official calendar', () => {
  const calendar = new WorkingCalendar();

  it.each([
    // [case, approval (Asia/Shanghai), working day?, deadline, at risk (75%)]
    ['a normal Wednesday', '2026-11-25T10:00:00', true, '2026-11-25T11:00:00', '2026-11-25T10:45:00'],
    ['a Saturday', '2026-11-28T10:00:00', false, '2026-11-28T12:00:00', '2026-11-28T11:30:00'],
    ['a public holiday (国庆节)', '2026-10-01T09:15:00', false, '2026-10-01T11:15:00', '2026-10-01T10:45:00'],
    [
      'a Sunday that is a make-up working day (调休, 2026-09-20)',
      '2026-09-20T16:00:00',
      true,
      '2026-09-20T17:00:00',
      '2026-09-20T16:45:00',
    ],
    [
      'a Saturday that is a make-up working day (2026-02-14, 春节调休)',
      '2026-02-14T08:00:00',
      true,
      '2026-02-14T09:00:00',
      '2026-02-14T08:45:00',
    ],
    [
      'a weekday inside the Spring Festival holiday (2026-02-18)',
      '2026-02-18T08:00:00',
      false,
      '2026-02-18T10:00:00',
      '2026-02-18T09:30:00',
    ],
  ])('%s', (_case, approved, working, deadline, atRisk) => {
    const w = slaWindow(at(approved), calendar);
    expect(w.workingDay).toBe(working);
    expect(w.windowMinutes).toBe(working ? 60 : 120);
    expect(w.deadline.toISOString()).toBe(iso(deadline));
    expect(w.atRiskAt.toISOString()).toBe(iso(atRisk));
  });

  it('the evening before a holiday: the working-day window applies and runs past midnight', () => {
    // Wednesday 30 September 2026 is a working day; 1 October starts the National Day holiday.
    expect(calendar.isWorkingDay('2026-09-30')).toBe(true);
    expect(calendar.isWorkingDay('2026-10-01')).toBe(false);
    const w = slaWindow(at('2026-09-30T23:30:00'), calendar);
    expect(w.workingDay).toBe(true);
    expect(w.deadline.toISOString()).toBe(iso('2026-10-01T00:30:00'));
    expect(w.atRiskAt.toISOString()).toBe(iso('2026-10-01T00:15:00'));
    // And the first minute of the holiday already has the 2-hour window.
    expect(slaWindow(at('2026-10-01T00:00:00'), calendar).deadline.toISOString()).toBe(
      iso('2026-10-01T02:00:00'),
    );
  });

  it('decides the day in Asia/Shanghai, not UTC (Friday 17:30 UTC is Saturday 01:30 in Beijing)', () => {
    const approved = new Date('2026-11-27T17:30:00Z');
    expect(shanghaiDay(approved)).toBe('2026-11-28');
    expect(slaWindow(approved, calendar).windowMinutes).toBe(120);
  });

  it('years the package does not know fall back to Monday–Friday until an administrator overrides a day', () => {
    const unknownYear = PACKAGE_LAST_YEAR + 1;
    expect(unknownYear).toBeGreaterThanOrEqual(2027);
    const newYear = `${unknownYear}-01-01`;
    const weekday = new Date(`${newYear}T00:00:00Z`).getUTCDay();
    expect(calendar.kindOf(newYear)).toMatchObject({
      source: 'weekday',
      working: weekday !== 0 && weekday !== 6,
    });
    const withOverride = new WorkingCalendar([{ day: newYear, working: false, name: '元旦' }]);
    expect(withOverride.kindOf(newYear)).toEqual({
      day: newYear,
      working: false,
      name: '元旦',
      source: 'override',
    });
    expect(slaWindow(at(`${newYear}T10:00:00`), withOverride).windowMinutes).toBe(120);
  });

  it('an override also wins over the package (a correction)', () => {
    const corrected = new WorkingCalendar([{ day: '2026-11-25', working: false, name: '临时调整' }]);
    expect(slaWindow(at('2026-11-25T10:00:00'), corrected).windowMinutes).toBe(120);
  });

  it('names days in Chinese', () => {
    expect(calendar.kindOf('2026-10-01')).toMatchObject({ name: '国庆节', source: 'package' });
    expect(calendar.kindOf('2026-11-25')).toMatchObject({ name: '星期三', working: true });
    expect(() => calendar.kindOf('2026-13-45x')).toThrow();
  });
});
